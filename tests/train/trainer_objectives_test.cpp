// Every objective × loss × data kind the trainer accepts really trains (a few steps, finite
// losses, a dev metric, a loadable best/ model), multi-task runs work with every combiner, loss
// weighting and task sampling, and wrong combinations fail before training with a clear message.
#include <gtest/gtest.h>

#include <fstream>

#include "models/model_folder.h"
#include "tests/train/trainer_test_util.h"
#include "train/checkpoint.h"
#include "train/trainer.h"

namespace sentzoo {
namespace {

using testing::TempRunDir;
using testing::to_config;
using testing::toy_config;

struct Run {
  TrainResult result;
  std::vector<double> losses;
  std::vector<EvalReport> evals;
};

Run run(const nlohmann::json& j, const std::filesystem::path& out, bool resume = false) {
  Run r;
  TrainHooks hooks;
  hooks.on_step = [&](const StepReport& s) { r.losses.push_back(s.loss); };
  hooks.on_eval = [&](const EvalReport& e) { r.evals.push_back(e); };
  r.result = run_training(to_config(j), out, resume, hooks);
  return r;
}

struct ObjectiveCase {
  std::string objective, loss, train;
  nlohmann::json loss_params = nlohmann::json::object();
  int64_t num_labels = 1;
  std::string primary;  // expected primary dev metric
};

class TrainerObjectives : public ::testing::TestWithParam<ObjectiveCase> {};

TEST_P(TrainerObjectives, TrainsEvaluatesAndSaves) {
  const auto& c = GetParam();
  TempRunDir dir("objective");
  testing::write_toy_data(dir.path());
  auto j = toy_config(dir.path());
  j["objective"] = c.objective;
  j["loss"] = {{"name", c.loss}, {"params", c.loss_params}};
  j["model"]["num_labels"] = c.num_labels;
  j["train"]["max_steps"] = 3;
  j["data"]["train"] = c.train.substr(0, c.train.find(':') + 1) + (dir / "").string() +
                       c.train.substr(c.train.find(':') + 1);
  j["data"]["dev"] = j["data"]["train"];
  const auto r = run(j, dir / "out");
  ASSERT_EQ(r.losses.size(), 3u);
  for (double loss : r.losses) EXPECT_TRUE(std::isfinite(loss)) << loss;
  ASSERT_EQ(r.evals.size(), 1u);
  EXPECT_EQ(r.evals[0].metrics.primary, c.primary);
  EXPECT_TRUE(std::isfinite(r.evals[0].metrics.primary_value()));
  EXPECT_EQ(r.result.best_step, 3);
  const auto model = load_trained_model(dir / "out" / "best");
  EXPECT_EQ(model.kind, c.objective);
  if (c.objective == "cross") {
    EXPECT_EQ(model.cross->config.num_labels, c.num_labels);
  }
}

INSTANTIATE_TEST_SUITE_P(
    All,
    TrainerObjectives,
    ::testing::Values(
        ObjectiveCase{"dual", "cosent", "tsv:graded.tsv", {{"scale", 20}}, 1, "spearman"},
        ObjectiveCase{"dual", "angle", "tsv:graded.tsv", {}, 1, "spearman"},
        ObjectiveCase{"dual", "cosine_mse", "tsv:graded.tsv?label_scale=0.2", {}, 1, "spearman"},
        ObjectiveCase{"dual", "softmax", "tsv:classes.tsv", {{"num_labels", 3}}, 1, "spearman"},
        ObjectiveCase{"dual", "contrastive", "tsv:binary.tsv", {}, 1, "accuracy"},
        ObjectiveCase{"dual", "online_contrastive", "tsv:binary.tsv", {}, 1, "accuracy"},
        ObjectiveCase{"dual", "mnrl", "tsv:binary.tsv", {}, 1, "accuracy"},
        ObjectiveCase{"dual", "mnrl", "jsonl:triplets.jsonl", {}, 1, "triplet_accuracy"},
        ObjectiveCase{
            "dual", "mnrl_symmetric", "jsonl:triplets_noneg.jsonl", {}, 1, "retrieval_accuracy"},
        ObjectiveCase{"dual", "triplet", "jsonl:triplets.jsonl", {}, 1, "triplet_accuracy"},
        ObjectiveCase{"cross", "bce", "tsv:binary.tsv", {}, 1, "accuracy"},
        ObjectiveCase{"cross", "cosent_cross", "tsv:graded.tsv", {}, 1, "spearman"},
        ObjectiveCase{"cross", "cross_entropy", "tsv:binary.tsv", {}, 2, "accuracy"},
        ObjectiveCase{"cross", "cross_entropy", "tsv:classes.tsv", {}, 3, "accuracy"},
        ObjectiveCase{"mlm", "mlm", "text:corpus.txt", {}, 1, "mlm_loss"}),
    [](const auto& info) {
      return info.param.objective + "_" + info.param.loss + "_" +
             info.param.train.substr(0, info.param.train.find(':')) + "_" +
             std::to_string(info.index);
    });

// An MLM run on a corpus of one character repeated: 16 lines of 12 "猫" (14 tokens each with
// [CLS] and [SEP]), also the dev set; 20 steps, one evaluation at the end.
nlohmann::json same_character_mlm_config(const TempRunDir& dir) {
  testing::write_toy_data(dir.path());
  std::string line;
  for (int k = 0; k < 12; ++k) line += "猫";
  std::string corpus;
  for (int i = 0; i < 16; ++i) corpus += line + "\n";
  testing::write_text(dir / "same.txt", corpus);
  auto j = toy_config(dir.path());
  j["objective"] = "mlm";
  j["loss"] = {{"name", "mlm"}};
  j["data"]["train"] = "text:" + (dir / "same.txt").string();
  j["data"]["dev"] = j["data"]["train"];
  j["train"]["max_steps"] = 20;
  j["train"]["eval_every"] = 20;
  return j;
}

// MLM accuracy counts arg-max predictions equal to the ORIGINAL token at every masked position:
// on a corpus of one repeated character, a model that has learned to always predict it scores
// exactly 1 (comparing with the masked input instead would score at most ~0.2, as 80% of the
// chosen tokens are [MASK]), while the same model with learning rate 1e-9 is near chance.
TEST(TrainerObjectives, MlmAccuracyIsOverOriginalTokensAtMaskedPositions) {
  TempRunDir dir("mlm_accuracy");
  auto j = same_character_mlm_config(dir);
  j["optim"]["lr"] = 1e-9;  // practically untrained: near chance over the ~40-token vocabulary
  const auto untrained = run(j, dir / "untrained");
  j["optim"]["lr"] = 3e-2;
  const auto trained = run(j, dir / "trained");
  ASSERT_EQ(untrained.evals.size(), 1u);
  ASSERT_EQ(trained.evals.size(), 1u);
  EXPECT_LT(untrained.evals[0].metrics.values.at("mlm_accuracy"), 0.5);
  const double last = trained.evals[0].metrics.values.at("mlm_accuracy");
  EXPECT_DOUBLE_EQ(last, 1.0);
}

// data.pack_texts really packs the MLM training texts: 16 texts of 12 characters are 14 tokens
// each ([CLS] ... [SEP]); packed into rows of <= 64 tokens, a row holds 4 of them (14 + 3 x 13 =
// 53 tokens; a fifth would make 66), so a step of 4 rows trains 212 tokens instead of 56. The
// trainer's throughput counts each row's tokens (tokens/s x s/step = tokens per step), and the
// model still learns the corpus (held-out rows stay one text each).
TEST(TrainerObjectives, MlmPackTextsTrainsOnFullRows) {
  TempRunDir dir("mlm_pack");
  auto j = same_character_mlm_config(dir);
  j["tokenizer"]["max_length"] = 64;
  j["data"]["batch_size"] = 4;
  j["train"]["log_every"] = 1;
  j["optim"]["lr"] = 3e-2;
  std::vector<double> tokens_per_step;
  for (bool pack : {false, true}) {
    j["data"]["pack_texts"] = pack;
    TrainHooks hooks;
    double tokens = 0;
    int64_t steps = 0;
    hooks.on_step = [&](const StepReport& s) {
      tokens += s.tokens_per_second * s.seconds_per_step;
      ++steps;
    };
    std::vector<EvalReport> evals;
    hooks.on_eval = [&](const EvalReport& e) { evals.push_back(e); };
    run_training(to_config(j), dir / (pack ? "packed" : "unpacked"), false, hooks);
    ASSERT_EQ(steps, 20);
    tokens_per_step.push_back(tokens / steps);
    ASSERT_EQ(evals.size(), 1u);
    EXPECT_DOUBLE_EQ(evals[0].metrics.values.at("mlm_accuracy"), 1.0) << "pack " << pack;
  }
  EXPECT_NEAR(tokens_per_step[0], 4 * 14, 1e-6);
  EXPECT_NEAR(tokens_per_step[1], 4 * 53, 1e-6);
}

// A loss that cannot use the data fails before the first step, naming the task and the fix.
TEST(TrainerObjectives, WrongDataForTheLossFailsBeforeTraining) {
  TempRunDir dir("wrong_data");
  testing::write_toy_data(dir.path());
  const std::string d = (dir / "").string();
  struct Case {
    std::string objective, loss, train;
    int64_t num_labels;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"dual", "cosent", "jsonl:" + d + "triplets.jsonl", 1, "triplet data has no labels"},
      {"dual", "triplet", "tsv:" + d + "graded.tsv", 1, "hard negative"},
      {"cross", "bce", "tsv:" + d + "graded.tsv", 1, "labels in [0, 1]"},
      {"cross", "cross_entropy", "tsv:" + d + "graded.tsv", 3, "integer class labels in [0, 3)"},
      {"dual", "softmax", "tsv:" + d + "graded.tsv", 1, "integer class labels in [0, 3)"},
      {"cross", "bce", "jsonl:" + d + "triplets.jsonl", 1, "needs the dual objective"},
      {"dual", "cosent", "text:" + d + "corpus.txt", 1, "only train the mlm objective"},
      {"dual", "cosent", "tsv:" + d + "missing.tsv", 1, "missing.tsv"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.loss + " on " + c.train);
    auto j = toy_config(dir.path());
    j["objective"] = c.objective;
    j["loss"] = {{"name", c.loss}};
    if (c.loss == "softmax") j["loss"]["params"] = {{"num_labels", 3}};
    j["model"]["num_labels"] = c.num_labels;
    j["data"]["train"] = c.train;
    int steps = 0;
    TrainHooks hooks;
    hooks.after_step = [&](int64_t) { ++steps; };
    try {
      run_training(to_config(j), dir / "out", false, hooks);
      ADD_FAILURE() << "accepted";
    } catch (const std::exception& e) {
      EXPECT_NE(std::string(e.what()).find(c.expected), std::string::npos) << e.what();
    }
    EXPECT_EQ(steps, 0);
    EXPECT_FALSE(std::filesystem::exists(dir / "out" / "checkpoints"));
  }
}

// ---- multi-task ------------------------------------------------------------------------------

nlohmann::json multitask_config(const std::filesystem::path& dir) {
  const std::string d = (dir / "").string();
  auto j = toy_config(dir);
  j.erase("objective");
  j.erase("loss");
  j["data"].erase("train");
  j["tasks"] = {{{"name", "sts"},
                 {"objective", "dual"},
                 {"train", "tsv:" + d + "graded.tsv"},
                 {"dev", "tsv:" + d + "graded.tsv"},
                 {"loss", {{"name", "cosent"}}}},
                {{"name", "pair"},
                 {"objective", "cross"},
                 {"train", "tsv:" + d + "binary.tsv"},
                 {"dev", "tsv:" + d + "binary.tsv"},
                 {"loss", {{"name", "cross_entropy"}}},
                 {"num_labels", 2}},
                {{"name", "mlm"}, {"objective", "mlm"}, {"train", "text:" + d + "corpus.txt"}}};
  j["train"]["max_steps"] = 3;
  return j;
}

class TrainerCombiners : public ::testing::TestWithParam<std::string> {};

TEST_P(TrainerCombiners, RunsEveryTaskEveryStep) {
  TempRunDir dir("combiner");
  testing::write_toy_data(dir.path());
  auto j = multitask_config(dir.path());
  j["multitask"] = {{"tasks_per_step", "all"}, {"combiner", {{"name", GetParam()}}}};
  j["train"]["grad_accum"] = 2;
  const auto r = run(j, dir / "out");
  ASSERT_EQ(r.losses.size(), 3u);
  for (double loss : r.losses) EXPECT_TRUE(std::isfinite(loss) && loss > 0) << loss;
  ASSERT_EQ(r.evals.size(), 2u);  // sts and pair have dev sets
  EXPECT_EQ(r.evals[0].task, "sts");
  EXPECT_EQ(r.evals[1].task, "pair");
  EXPECT_EQ(r.evals[1].metrics.primary, "accuracy");
  // The best model is the primary (first dev) task's.
  EXPECT_EQ(load_trained_model(dir / "out" / "best").kind, "dual");
}

INSTANTIATE_TEST_SUITE_P(
    All,
    TrainerCombiners,
    ::testing::Values("sum", "mean", "grad_norm", "mgda", "pcgrad", "main_aux"));

class TrainerWeightings : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {};

TEST_P(TrainerWeightings, Runs) {
  const auto& [weighting, per_step] = GetParam();
  TempRunDir dir("weighting");
  testing::write_toy_data(dir.path());
  auto j = multitask_config(dir.path());
  nlohmann::json params = nlohmann::json::object();
  if (weighting == "prior") params = {{"priors", {1.0, 0.7, 3.0}}};
  j["multitask"] = {{"tasks_per_step", per_step},
                    {"sampling", "temperature"},
                    {"temperature", 2.0},
                    {"weighting", {{"name", weighting}, {"params", params}}}};
  const auto r = run(j, dir / "out");
  ASSERT_EQ(r.losses.size(), 3u);
  for (double loss : r.losses) EXPECT_TRUE(std::isfinite(loss)) << loss;
}

INSTANTIATE_TEST_SUITE_P(All,
                         TrainerWeightings,
                         ::testing::Combine(::testing::Values("fixed",
                                                              "initial",
                                                              "prior",
                                                              "realtime",
                                                              "generalized_mean",
                                                              "uncertainty"),
                                            ::testing::Values("all", "sample")),
                         [](const auto& info) {
                           return std::get<0>(info.param) + "_" + std::get<1>(info.param);
                         });

// Unshared towers: text2 goes through the second tower in training and in evaluation.
TEST(TrainerObjectives, UnsharedTowersTrainAndEvaluate) {
  TempRunDir dir("towers");
  testing::write_toy_data(dir.path());
  auto j = toy_config(dir.path());
  j["model"]["shared_towers"] = false;
  j["data"]["dev"] = j["data"]["train"];
  j["train"]["max_steps"] = 20;
  const auto r = run(j, dir / "out");
  ASSERT_EQ(r.evals.size(), 1u);
  // 8 training pairs seen 20 times: the ranking of the dev (= train) pairs is learnt, which
  // needs both towers in evaluation (tower 0 for text2 would score an untrained combination).
  EXPECT_GT(r.evals[0].metrics.primary_value(), 0.8);
  const auto model = load_trained_model(dir / "out" / "best");
  EXPECT_FALSE(model.dual->config.shared);
}

TEST(TrainerMultitask, RoundRobinVisitsTasksInTurn) {
  TempRunDir dir("round_robin");
  testing::write_toy_data(dir.path());
  auto j = multitask_config(dir.path());
  j["multitask"] = {{"sampling", "round_robin"}};
  j["train"]["max_steps"] = 6;
  std::vector<std::string> order;
  TrainHooks hooks;
  hooks.on_step = [&](const StepReport& s) { order.push_back(s.task); };
  run_training(to_config(j), dir / "out", false, hooks);
  EXPECT_EQ(order, (std::vector<std::string>{"sts", "pair", "mlm", "sts", "pair", "mlm"}));
}

// The combiner path (one backward per task, combined shared gradients) against the plain path:
// "mean" of the task gradients is the gradient of the summed loss divided by 3; without clipping
// AdamW is invariant to a constant per-parameter gradient scale, so both runs end at the same
// weights (up to rounding and Adam's eps).
TEST(TrainerMultitask, MeanCombinerMatchesSummedLossUnderAdam) {
  TempRunDir dir("mean_vs_sum");
  testing::write_toy_data(dir.path());
  auto j = multitask_config(dir.path());
  j["train"]["grad_clip"] = 0.0;
  j["optim"]["eps"] = 1e-30;  // Adam's eps would break the scale invariance for tiny gradients
  j["train"]["max_steps"] = 4;
  j["multitask"] = {{"tasks_per_step", "all"}};
  run(j, dir / "sum");
  j["multitask"]["combiner"] = {{"name", "mean"}};
  run(j, dir / "mean");
  const auto a =
      testing::read_tensors(dir / "sum" / "checkpoints" / "step-4" / "model.safetensors");
  const auto b =
      testing::read_tensors(dir / "mean" / "checkpoints" / "step-4" / "model.safetensors");
  ASSERT_EQ(a.size(), b.size());
  double max_diff = 0;
  for (const auto& [name, t] : a) {
    ASSERT_TRUE(b.count(name)) << name;
    max_diff = std::max(max_diff, (t - b.at(name)).abs().max().item<double>());
  }
  // The runs moved the weights by about lr per step; they agree far closer than that.
  EXPECT_LT(max_diff, 1e-4) << "lr 3e-3, 4 steps";
}

}  // namespace
}  // namespace sentzoo
