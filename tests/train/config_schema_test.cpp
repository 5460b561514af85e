// The config schema (train/config_schema.h): --set of keys the file does not list, choices that
// change a loss, --print-config round trips, docs/CONFIG.md up to date, init_from's report.
#include "train/config_schema.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/config.h"
#include "models/hf_weights.h"
#include "tests/paths.h"
#include "tests/process_util.h"
#include "tests/test_util.h"
#include "tests/train/trainer_test_util.h"
#include "train/run_setup.h"

namespace sentzoo {
namespace {

using json = nlohmann::json;
using testing::error_of;
using testing::TempRunDir;
using testing::to_config;
using testing::toy_config;

// As sentzoo-train does: the parsed file as JSON, the assignments, the parse again.
TrainRunConfig with_sets(const json& file,
                         const std::vector<std::string>& sets,
                         std::vector<std::string>* notes = nullptr) {
  json resolved = to_config(file);
  const auto lines = apply_train_overrides(resolved, sets);
  if (notes) *notes = lines;
  return to_config(resolved);
}

TEST(ConfigSchema, SetReachesKeysTheFileDoesNotList) {
  const json file = toy_config("/tmp/x");
  ASSERT_FALSE(file["model"]["encoder"].contains("norm_eps"));
  ASSERT_FALSE(file["loss"].contains("params"));
  const auto config = with_sets(file, {"model.encoder.norm_eps=1e-7", "loss.params.scale=30"});
  EXPECT_DOUBLE_EQ(config.model.encoder.at("norm_eps").get<double>(), 1e-7);
  EXPECT_DOUBLE_EQ(config.loss.params.at("scale").get<double>(), 30.0);
  // The combiner is "sum", which takes no eps: the key is unknown to the schema.
  EXPECT_NE(error_of([&] {
              with_sets(file, {"multitask.combiner.params.eps=0.5"});
            }).find("unknown key 'multitask.combiner.params.eps' (expected one of: no keys)"),
            std::string::npos);
}

TEST(ConfigSchema, SetTypesComeFromTheSchema) {
  const json file = toy_config("/tmp/x");
  EXPECT_EQ(with_sets(file, {"model.encoder.num_layers=3"}).model.encoder.at("num_layers"), 3);
  EXPECT_NE(error_of([&] {
              with_sets(file, {"model.encoder.rope_theta=many"});
            }).find("--set model.encoder.rope_theta=many: expected a finite number, found 'many'"),
            std::string::npos);
  const auto typo = error_of([&] { with_sets(file, {"model.encoder.hidden_dropot=0.2"}); });
  EXPECT_NE(typo.find("unknown key 'model.encoder.hidden_dropot'"), std::string::npos) << typo;
  EXPECT_NE(typo.find("hidden_dropout"), std::string::npos) << typo;  // the valid keys are listed
}

TEST(ConfigSchema, SetIndexesTasks) {
  json file = toy_config("/tmp/x");
  file["tasks"] = json::array({{{"name", "a"}, {"train", file["data"]["train"]}},
                               {{"name", "b"}, {"train", file["data"]["train"]}}});
  const auto config = with_sets(file, {"tasks[1].loss.params.scale=25", "tasks[0].weight=2"});
  EXPECT_DOUBLE_EQ(config.tasks[1].loss.params.at("scale").get<double>(), 25.0);
  EXPECT_DOUBLE_EQ(config.tasks[0].weight, 2.0);
  EXPECT_NE(error_of([&] {
              with_sets(file, {"tasks[2].weight=2"});
            }).find("'tasks[2]' does not exist (tasks has 2 entries)"),
            std::string::npos);
}

TEST(ConfigSchema, ChangingTheLossDropsParametersItDoesNotTake) {
  json file = toy_config("/tmp/x");
  file["objective"] = "cross";
  file["loss"] = {{"name", "cosent_cross"}, {"params", {{"scale", 2.0}}}};
  std::vector<std::string> notes;
  // The parameter set before the name still applies: choices go first.
  const auto bce = with_sets(file, {"loss.params.pos_weight=3", "loss.name=bce"}, &notes);
  EXPECT_EQ(bce.loss.name, "bce");
  EXPECT_EQ(bce.loss.params, json({{"pos_weight", 3.0}}));
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0], "loss.params.scale dropped: 'bce' takes no 'scale' ('cosent_cross' did)");
  // A parameter both take is kept.
  file["objective"] = "dual";
  file["loss"] = {{"name", "cosent"}, {"params", {{"scale", 30.0}}}};
  const auto angle = with_sets(file, {"loss.name=angle"}, &notes);
  EXPECT_EQ(angle.loss.params, json({{"scale", 30.0}}));
  EXPECT_TRUE(notes.empty());
  // An objective change changes the default loss too: cosent's scale goes with it.
  file["loss"] = {{"params", {{"scale", 30.0}}}};
  const auto cross = with_sets(file, {"objective=cross"}, &notes);
  EXPECT_EQ(cross.loss.params, json::object());
  EXPECT_EQ(notes.size(), 1u);
  // Without a name change nothing is dropped: a wrong parameter is reported, not hidden.
  file["loss"] = {{"name", "bce"}, {"params", {{"scale", 30.0}}}};
  EXPECT_NE(error_of([&] { with_sets(file, {"loss.params.pos_weight=1"}); }).find("scale"),
            std::string::npos);
}

TEST(ConfigSchema, ResolvedConfigHasEveryKeyAndRoundTrips) {
  for (const char* name : {"tiny-roformer-v2-cosent.json",
                           "tiny-roformer-v2-cross.json",
                           "tiny-roformer-v2-multitask.json",
                           "deepnet-tiny-mlm-hongloumeng.json",
                           "bert-tiny-cross-afqmc.json",
                           "roformer-v2-small-cosent.json",
                           "pretrain-roformer-v2-small-zh.json",
                           "pretrain-bert-small-zh.json",
                           "matching-dual-zh.json",
                           "matching-cross-zh.json"}) {
    SCOPED_TRACE(name);
    const auto path = std::string(SENTZOO_TEST_SOURCE_DIR) + "/configs/" + name;
    const auto config = parse_train_config(read_json_file(path), path);
    const json resolved = resolved_train_config(config);
    // Every EncoderConfig key but the derived ones; every parameter of the loss at its default.
    const json encoder_keys = EncoderConfig{};
    for (const auto& item : encoder_keys.items()) {
      const bool derived = item.key() == "vocab_size" || item.key() == "with_mlm_head";
      EXPECT_EQ(resolved["model"]["encoder"].contains(item.key()),
                !derived || config.model.encoder.contains(item.key()))
          << item.key();
    }
    if (config.tasks.empty() && resolved["loss"]["name"] == "cosent") {
      EXPECT_DOUBLE_EQ(resolved["loss"]["params"]["scale"].get<double>(), 20.0);
    }
    // Fed back, it means the same run: resolving again changes nothing, and the encoder the
    // run builds is the same.
    const auto again = parse_train_config(resolved, "resolved");
    EXPECT_EQ(resolved_train_config(again), resolved);
    json built_before = encoder_preset(config.model.preset);
    built_before.merge_patch(config.model.encoder);
    json built_after = encoder_preset(again.model.preset);
    built_after.merge_patch(again.model.encoder);
    EXPECT_EQ(built_before, built_after);
  }
}

TEST(ConfigSchema, ReferenceDocIsUpToDate) {
  const auto path = std::string(SENTZOO_TEST_SOURCE_DIR) + "/docs/CONFIG.md";
  std::ifstream in(path);
  ASSERT_TRUE(in) << path;
  std::stringstream committed;
  committed << in.rdbuf();
  EXPECT_EQ(committed.str(), config_reference_markdown())
      << "docs/CONFIG.md is stale: build/sentzoo-train --print-config-reference > docs/CONFIG.md";
  // It documents what the schema knows, e.g. an encoder key and a loss parameter with defaults.
  EXPECT_NE(committed.str().find("| `model.encoder.hidden_dropout` | `0.1` |"), std::string::npos);
  EXPECT_NE(committed.str().find("| `cosent` | `scale` | `20.0` |"), std::string::npos);
}

TEST(ConfigSchema, InitFromReportsWhatItLoadedAndAppliesEncoderOverrides) {
  TempRunDir dir("init_report");
  testing::write_toy_data(dir.path());
  // A small checkpoint in the Hugging Face layout, reached through "~/".
  EncoderConfig small = encoder_preset("bert_tiny");
  small.vocab_size = 256;  // >= the toy vocabulary
  small.hidden_size = 32;
  small.num_heads = 2;
  small.intermediate_size = 64;
  small.num_layers = 1;
  auto encoder = make_encoder(small, /*init=*/true);
  save_hf_encoder(*encoder, (dir / "hf").string());
  const char* old_home = std::getenv("HOME");
  const std::string saved_home = old_home ? old_home : "";
  ::setenv("HOME", dir.path().c_str(), 1);
  auto j = toy_config(dir.path());
  j["objective"] = "cross";
  j["loss"] = {{"name", "bce"}};
  j["data"]["train"] = "tsv:" + (dir / "binary.tsv").string();
  j["model"] = {{"init_from", "~/hf"}, {"encoder", {{"hidden_dropout", 0.3}}}};
  const auto run = build_run(to_config(j));
  ::setenv("HOME", saved_home.c_str(), 1);
  EXPECT_DOUBLE_EQ(run.model->encoder->config.hidden_dropout, 0.3);
  EXPECT_NE(run.init_report.find("init_from ~/hf: loaded the encoder (bert, 1 layers, hidden 32;"),
            std::string::npos)
      << run.init_report;
  EXPECT_NE(run.init_report.find("initialised fresh (seed 7): "), std::string::npos)
      << run.init_report;
  // A size override no longer matches the weights: the error says so.
  j["model"]["init_from"] = (dir / "hf").string();
  j["model"]["encoder"] = {{"intermediate_size", 48}};
  EXPECT_NE(error_of([&] { build_run(to_config(j)); }).find("shape mismatch"), std::string::npos);
}

TEST(ConfigSchema, FromScratchReportNamesPresetAndSeed) {
  TempRunDir dir("init_scratch");
  testing::write_toy_data(dir.path());
  const auto run = build_run(to_config(toy_config(dir.path())));
  EXPECT_NE(run.init_report.find("initialised from scratch: preset roformer_v2_tiny (roformer_v2, "
                                 "1 layers, hidden 32; "),
            std::string::npos)
      << run.init_report;
  EXPECT_NE(run.init_report.find("seed 7"), std::string::npos);
}

// The same through the executable: --print-config with --set of a key the file does not list
// prints the resolved config with it; a key the schema does not know is one line, exit 2.
TEST(ConfigSchemaCli, PrintConfigShowsASetKeyTheFileDoesNotList) {
  const std::string config =
      std::string(SENTZOO_TEST_SOURCE_DIR) + "/configs/tiny-roformer-v2-cosent.json";
  std::ifstream file(config);
  const auto listed = json::parse(file);
  ASSERT_FALSE(listed["model"].contains("encoder") &&
               listed["model"]["encoder"].contains("hidden_dropout"));
  const auto exe = (testing::binary_dir() / "sentzoo-train").string();
  auto r = testing::run_shell(exe + " --print-config --config " + config +
                              " --set model.encoder.hidden_dropout=0.25 2>/dev/null");
  ASSERT_EQ(r.code, 0) << r.out;
  const auto printed = json::parse(r.out);
  EXPECT_DOUBLE_EQ(printed["model"]["encoder"]["hidden_dropout"].get<double>(), 0.25);
  for (const char* key : {"data", "model", "tokenizer", "optim", "train", "loss"})
    EXPECT_TRUE(printed.contains(key)) << key;
  EXPECT_EQ(printed["loss"]["name"], listed["loss"]["name"]);
  r = testing::run_shell(exe + " --print-config --config " + config +
                         " --set model.encoder.no_such_key=1 2>&1");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("model.encoder.no_such_key"), std::string::npos) << r.out;
  // One line of its own (log lines, e.g. a BLAS kernel warning, start with "[time]"), no help.
  std::istringstream lines(r.out);
  int own_lines = 0;
  for (std::string line; std::getline(lines, line);) own_lines += !line.empty() && line[0] != '[';
  EXPECT_EQ(own_lines, 1) << r.out;
}

}  // namespace
}  // namespace sentzoo
