// The run config of sentzoo-train: strict keys, validate() messages, --set overrides, presets.
#include <gtest/gtest.h>

#include "core/config.h"
#include "tests/test_util.h"
#include "tests/train/trainer_test_util.h"
#include "train/train_config.h"

namespace sentzoo {
namespace {

using testing::to_config;
using testing::toy_config;

// The message of the std::invalid_argument that `f` throws ("" when it does not throw).
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

std::string validate_error(const nlohmann::json& j) {
  return error_of([&] { to_config(j); });
}

TEST(TrainerConfig, ToyConfigIsValid) {
  const auto config = to_config(toy_config("/tmp/x"));
  const auto tasks = config.resolved_tasks();
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].objective, "dual");
  EXPECT_EQ(tasks[0].loss.name, "cosent");
  EXPECT_EQ(tasks[0].num_labels, 1);
}

TEST(TrainerConfig, UnknownKeyNamesKeyAndFile) {
  auto j = toy_config("/tmp/x");
  j["train"]["max_stepz"] = 3;
  const auto message = error_of([&] { parse_train_config(j, "configs/my.json"); });
  EXPECT_NE(message.find("max_stepz"), std::string::npos) << message;
  EXPECT_NE(message.find("configs/my.json"), std::string::npos) << message;

  auto multi = toy_config("/tmp/x");
  multi["tasks"] = {{{"name", "a"}, {"train", "tsv:x"}, {"wieght", 2}}};
  const auto in_task = error_of([&] { parse_train_config(multi, "configs/multi.json"); });
  EXPECT_NE(in_task.find("wieght"), std::string::npos) << in_task;
  EXPECT_NE(in_task.find("tasks[0]"), std::string::npos) << in_task;
}

TEST(TrainerConfig, ValidateNamesTheOffendingField) {
  struct Case {
    std::function<void(nlohmann::json&)> edit;
    std::vector<std::string> expected;  // substrings of the message
  };
  const std::vector<Case> cases = {
      {[](auto& j) { j["train"]["amp"] = "fp8"; }, {"train.amp", "fp8"}},
      {[](auto& j) { j["train"]["amp"] = "fp16"; }, {"train.amp", "fp16", "bf16"}},
      {[](auto& j) { j["train"]["max_steps"] = 0; }, {"train.max_steps"}},
      {[](auto& j) { j["train"]["schedule"] = "step"; }, {"train.schedule", "step"}},
      {[](auto& j) { j["train"]["grad_accum"] = 0; }, {"train.grad_accum"}},
      {[](auto& j) { j["data"]["batch_size"] = 0; }, {"data.batch_size"}},
      {[](auto& j) { j["data"].erase("train"); }, {"no training data"}},
      {[](auto& j) { j["objective"] = "regression"; }, {"objective", "regression"}},
      {[](auto& j) { j["loss"]["name"] = "cosnet"; }, {"loss", "cosnet", "cosent"}},
      {[](auto& j) {
         j["loss"]["params"] = {{"scal", 20}};
       },
       {"loss", "scal"}},
      {[](auto& j) { j["loss"]["name"] = "bce"; }, {"bce", "cross_logits", "dual"}},
      {[](auto& j) {
         j["objective"] = "cross";
         j["loss"] = {{"name", "cross_entropy"}};
       },
       {"cross_entropy", "num_labels"}},
      {[](auto& j) {
         j["objective"] = "cross";
         j["model"]["num_labels"] = 3;
         j["loss"] = {{"name", "bce"}};
       },
       {"bce", "num_labels = 1"}},
      {[](auto& j) {
         j["multitask"]["tasks_per_step"] = "all";
         j["multitask"]["combiner"] = {{"name", "mgdaa"}};
       },
       {"multitask.combiner", "mgdaa"}},
      {[](auto& j) {
         j["multitask"]["weighting"] = {{"name", "prior"}};
       },
       {"multitask.weighting", "priors"}},
      {[](auto& j) { j["multitask"]["sampling"] = "random"; }, {"multitask.sampling"}},
      {[](auto& j) { j["optim"]["lr"] = -1; }, {"lr"}},
      {[](auto& j) {
         j["objective"] = "mlm";
         j["loss"] = {{"name", "cosent"}};
       },
       {"mlm", "cosent"}},
      {[](auto& j) { j["data"]["pack_texts"] = true; }, {"data.pack_texts", "mlm"}},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    auto j = toy_config("/tmp/x");
    cases[i].edit(j);
    const auto message = validate_error(j);
    ASSERT_FALSE(message.empty()) << "case " << i << " was accepted: " << j.dump();
    for (const auto& part : cases[i].expected) {
      EXPECT_NE(message.find(part), std::string::npos)
          << "case " << i << ": '" << part << "' not in: " << message;
    }
  }
}

TEST(TrainerConfig, MultitaskNamesTheTask) {
  auto j = toy_config("/tmp/x");
  j["tasks"] = {{{"name", "a"}, {"train", "tsv:x"}},
                {{"name", "b"}, {"objective", "cross"}, {"train", "tsv:y"}, {"weight", 0}}};
  const auto message = validate_error(j);
  EXPECT_NE(message.find("tasks[1].weight"), std::string::npos) << message;
  j["tasks"][1]["weight"] = 1;
  j["tasks"][1]["name"] = "a";
  EXPECT_NE(validate_error(j).find("duplicate task name 'a'"), std::string::npos);
  j["tasks"][1]["name"] = "b";
  j["multitask"]["combiner"] = {{"name", "mgda"}};
  EXPECT_NE(validate_error(j).find("tasks_per_step"), std::string::npos);
  j["multitask"]["tasks_per_step"] = "all";
  EXPECT_EQ(validate_error(j), "");
  // Per-task heads: a cross task may have its own number of classes.
  j["tasks"][1]["loss"] = {{"name", "cross_entropy"}};
  EXPECT_NE(validate_error(j).find("num_labels"), std::string::npos);
  j["tasks"][1]["num_labels"] = 2;
  EXPECT_EQ(validate_error(j), "");
  EXPECT_EQ(to_config(j).resolved_tasks()[1].num_labels, 2);
  EXPECT_EQ(to_config(j).resolved_tasks()[0].num_labels, 1);
}

TEST(TrainerConfig, OverridesAreTypeChecked) {
  // As sentzoo-train applies --set: onto the resolved config, so keys absent from the file work.
  nlohmann::json resolved = to_config(toy_config("/tmp/x"));
  apply_overrides(resolved, {"train.max_steps=17", "train.amp=bf16", "optim.lr=0.5"});
  const auto config = to_config(resolved);
  EXPECT_EQ(config.train.max_steps, 17);
  EXPECT_EQ(config.train.amp, "bf16");
  EXPECT_DOUBLE_EQ(config.optim.lr, 0.5);
  EXPECT_EQ(config.train.early_stop_patience, 0);  // untouched default

  nlohmann::json bad = to_config(toy_config("/tmp/x"));
  EXPECT_THROW(apply_overrides(bad, {"train.max_steps=many"}), std::invalid_argument);
  EXPECT_THROW(apply_overrides(bad, {"train.deterministic=maybe"}), std::invalid_argument);
  EXPECT_THROW(apply_overrides(bad, {"train.no_such_key=1"}), std::invalid_argument);
}

TEST(TrainerConfig, ResolvedConfigRoundTrips) {
  const auto config = to_config(toy_config("/tmp/x"));
  const nlohmann::json resolved = config;
  for (const char* key :
       {"max_steps", "seed", "deterministic", "checkpoint_every", "eval_every", "amp"}) {
    EXPECT_TRUE(resolved["train"].contains(key)) << key;
  }
  EXPECT_TRUE(resolved["data"].contains("train"));
  EXPECT_TRUE(resolved["data"].contains("dev"));
  EXPECT_EQ(nlohmann::json(to_config(resolved)), resolved);
}

TEST(TrainerConfig, EveryPresetParsesAndValidates) {
  const auto dir = std::filesystem::path(SENTZOO_TEST_SOURCE_DIR) / "configs";
  std::set<std::string> objectives, archs;
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".json") continue;
    SCOPED_TRACE(entry.path().string());
    const auto j = read_json_file(entry.path().string());
    TrainRunConfig config;
    ASSERT_NO_THROW(config = parse_train_config(j, entry.path().string()));
    for (const auto& t : config.resolved_tasks()) objectives.insert(t.objective);
    archs.insert(config.model.preset);
    ++count;
  }
  EXPECT_GE(count, 5);
  EXPECT_EQ(objectives, (std::set<std::string>{"cross", "dual", "mlm"}));
  EXPECT_TRUE(archs.count("bert_tiny") && archs.count("deepnet_tiny") &&
              archs.count("roformer_v2_tiny"));
  EXPECT_TRUE(std::filesystem::exists(dir / "tiny-roformer-v2-cosent.json"));
  EXPECT_TRUE(std::filesystem::exists(dir / "tiny-roformer-v2-cross.json"));
}

}  // namespace
}  // namespace sentzoo
