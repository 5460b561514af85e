// Exact resume: a run interrupted at any step (crash, SIGINT) and resumed ends bitwise identical
// to the uninterrupted run; the output folder (metrics.jsonl, best/, checkpoints) stays
// consistent; non-finite losses stop the run keeping the last good checkpoint; early stop.
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>

#include "models/model_folder.h"
#include "tests/train/trainer_test_util.h"
#include "train/checkpoint.h"
#include "train/run_control.h"
#include "train/trainer.h"

namespace sentzoo {
namespace {

using testing::file_bytes;
using testing::TempRunDir;
using testing::to_config;
using testing::toy_config;

struct SimulatedCrash : std::runtime_error {
  SimulatedCrash() : std::runtime_error("simulated crash") {}
};

// A run with dropout, 3-example batches (epochs of 3 batches, so resumes cross epoch
// boundaries) and a checkpoint every 2 steps.
nlohmann::json resumable_config(const std::filesystem::path& dir) {
  auto j = toy_config(dir);
  j["model"]["encoder"]["hidden_dropout"] = 0.1;
  j["model"]["encoder"]["attention_dropout"] = 0.1;
  j["data"]["batch_size"] = 3;
  j["data"]["dev"] = j["data"]["train"];
  j["train"]["max_steps"] = 9;
  j["train"]["checkpoint_every"] = 2;
  j["train"]["eval_every"] = 3;
  j["train"]["deterministic"] = true;
  j["train"]["schedule"] = "linear";
  j["train"]["warmup_steps"] = 2;
  return j;
}

nlohmann::json resumable_multitask(const std::filesystem::path& dir) {
  auto j = resumable_config(dir);
  const std::string d = (dir / "").string();
  j.erase("objective");
  j.erase("loss");
  j["data"].erase("train");
  j["data"].erase("dev");
  j["tasks"] = {
      {{"name", "sts"}, {"train", "tsv:" + d + "graded.tsv"}, {"dev", "tsv:" + d + "graded.tsv"}},
      {{"name", "mlm"}, {"objective", "mlm"}, {"train", "text:" + d + "corpus.txt"}}};
  j["multitask"] = {{"tasks_per_step", "all"}, {"combiner", {{"name", "pcgrad"}}}};
  return j;
}

std::vector<nlohmann::json> metrics_rows(const std::filesystem::path& out) {
  std::vector<nlohmann::json> rows;
  std::ifstream in(out / "metrics.jsonl");
  std::string line;
  while (std::getline(in, line)) rows.push_back(nlohmann::json::parse(line));
  return rows;
}

void expect_same_run(const std::filesystem::path& a, const std::filesystem::path& b, int64_t step) {
  const auto last = "checkpoints/step-" + std::to_string(step);
  for (const char* file : {"model.safetensors", "state.json"}) {
    EXPECT_EQ(file_bytes(a / last / file), file_bytes(b / last / file)) << file;
  }
  EXPECT_EQ(file_bytes(a / "best" / "model.safetensors"),
            file_bytes(b / "best" / "model.safetensors"));
  // metrics.jsonl: the same rows (losses, metrics) apart from throughput and step times.
  auto strip = [](std::vector<nlohmann::json> rows) {
    for (auto& r : rows) {
      r.erase("tokens_per_second");
      r.erase("seconds_per_step");
    }
    return rows;
  };
  EXPECT_EQ(strip(metrics_rows(a)), strip(metrics_rows(b)));
}

class TrainerResume : public ::testing::TestWithParam<std::tuple<bool, int64_t>> {};

// Crash after step k (the hook throws, as a kill would stop the process), resume, compare.
TEST_P(TrainerResume, CrashAndResumeIsBitwiseIdentical) {
  const auto& [multitask, crash_after] = GetParam();
  testing::ThreadCountGuard threads(1);
  TempRunDir dir("resume");
  testing::write_toy_data(dir.path());
  const auto j = multitask ? resumable_multitask(dir.path()) : resumable_config(dir.path());
  run_training(to_config(j), dir / "full", false);

  TrainHooks crash;
  crash.after_step = [k = crash_after](int64_t step) {
    if (step == k) throw SimulatedCrash();
  };
  EXPECT_THROW(run_training(to_config(j), dir / "cut", false, crash), SimulatedCrash);
  const auto result = run_training(to_config(j), dir / "cut", true);
  EXPECT_EQ(result.resumed_from, crash_after / 2 * 2);
  EXPECT_EQ(result.steps_done, 9);
  expect_same_run(dir / "full", dir / "cut", 9);
  // Only the newest keep_checkpoints (2) remain.
  EXPECT_TRUE(std::filesystem::exists(dir / "cut" / "checkpoints" / "step-9"));
  EXPECT_TRUE(std::filesystem::exists(dir / "cut" / "checkpoints" / "step-8"));
  EXPECT_FALSE(std::filesystem::exists(dir / "cut" / "checkpoints" / "step-6"));
}

INSTANTIATE_TEST_SUITE_P(All,
                         TrainerResume,
                         ::testing::Values(std::make_tuple(false, int64_t{3}),
                                           std::make_tuple(false, int64_t{6}),
                                           std::make_tuple(true, int64_t{5})),
                         [](const auto& info) {
                           return std::string(std::get<0>(info.param) ? "multitask" : "dual") +
                                  "_after_" + std::to_string(std::get<1>(info.param));
                         });

TEST(TrainerResume, StopRequestWritesACheckpointAndResumes) {
  testing::ThreadCountGuard threads(1);
  TempRunDir dir("sigint");
  testing::write_toy_data(dir.path());
  const auto j = resumable_config(dir.path());
  run_training(to_config(j), dir / "full", false);

  TrainHooks hooks;
  hooks.after_step = [](int64_t step) {
    if (step == 3) request_stop(SIGINT);  // as the SIGINT handler does, mid-step 4
  };
  const auto stopped = run_training(to_config(j), dir / "cut", false, hooks);
  request_stop(0);
  EXPECT_EQ(stopped.stop_signal, SIGINT);
  EXPECT_EQ(stopped.steps_done, 4);  // step 4 was finished, then a checkpoint written
  ASSERT_EQ(latest_checkpoint(dir / "cut"), dir / "cut" / "checkpoints" / "step-4");
  const auto resumed = run_training(to_config(j), dir / "cut", true);
  EXPECT_EQ(resumed.resumed_from, 4);
  expect_same_run(dir / "full", dir / "cut", 9);
}

TEST(TrainerResume, MoreStepsOnResumeAndConfigChecks) {
  TempRunDir dir("extend");
  testing::write_toy_data(dir.path());
  auto j = resumable_config(dir.path());
  j["train"]["max_steps"] = 4;
  run_training(to_config(j), dir / "out", false);
  // A fresh run into a folder with checkpoints is refused (it would mix two runs).
  try {
    run_training(to_config(j), dir / "out", false);
    ADD_FAILURE() << "accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("--resume"), std::string::npos) << e.what();
  }
  // A result-changing key differs: refused, naming the checkpoint's config.
  auto other = j;
  other["optim"]["lr"] = 1e-2;
  try {
    run_training(to_config(other), dir / "out", true);
    ADD_FAILURE() << "accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("different config"), std::string::npos) << e.what();
  }
  // max_steps may grow: the run continues from step 4.
  j["train"]["max_steps"] = 6;
  const auto result = run_training(to_config(j), dir / "out", true);
  EXPECT_EQ(result.resumed_from, 4);
  EXPECT_EQ(result.steps_done, 6);
  std::vector<int64_t> steps;
  for (const auto& row : metrics_rows(dir / "out")) {
    if (row["event"] == "step") steps.push_back(row["step"].get<int64_t>());
  }
  EXPECT_EQ(steps, (std::vector<int64_t>{1, 2, 3, 4, 5, 6}));
}

TEST(TrainerOutput, FolderLayout) {
  TempRunDir dir("layout");
  testing::write_toy_data(dir.path());
  auto j = resumable_config(dir.path());
  j["train"]["max_steps"] = 4;
  const auto config = to_config(j);
  run_training(config, dir / "out", false);
  const auto out = dir / "out";
  std::ifstream in(out / "config.json");
  EXPECT_EQ(nlohmann::json::parse(in), nlohmann::json(config));  // the resolved config
  for (const char* f : {"model.safetensors", "optimizer.pt", "state.json", "config.json"}) {
    EXPECT_TRUE(std::filesystem::exists(out / "checkpoints" / "step-4" / f)) << f;
  }
  for (const char* f : {"config.json", "model.safetensors", "vocab.txt", "sentzoo.json"}) {
    EXPECT_TRUE(std::filesystem::exists(out / "best" / f)) << f;
  }
  bool events = false;
  for (const auto& e : std::filesystem::directory_iterator(out / "tb")) {
    events |= e.path().filename().string().rfind("events.out.tfevents", 0) == 0;
  }
  EXPECT_TRUE(events);
  std::ifstream state_in(out / "checkpoints" / "step-4" / "state.json");
  const auto state = nlohmann::json::parse(state_in).get<TrainState>();
  EXPECT_EQ(state.step, 4);
  EXPECT_TRUE(state.best_step == 3 || state.best_step == 4);  // evals at 3 and at the end
  int64_t last_improved = -1;
  for (const auto& row : metrics_rows(out)) {
    if (row["event"] == "eval" && row["improved"].get<bool>()) last_improved = row["step"];
  }
  EXPECT_EQ(state.best_step, last_improved);
  ASSERT_EQ(state.batchers.size(), 1u);
  EXPECT_EQ(state.batchers[0].epoch, 1);  // 3 batches per epoch
  EXPECT_EQ(state.batchers[0].batch, 1);
}

TEST(TrainerOutput, BestModelWithoutDevSetIsTheFinalModel) {
  TempRunDir dir("nodev");
  testing::write_toy_data(dir.path());
  auto j = toy_config(dir.path());
  j["train"]["max_steps"] = 3;
  const auto result = run_training(to_config(j), dir / "out", false);
  EXPECT_TRUE(std::isnan(result.best_metric));
  const auto best = load_trained_model(dir / "out" / "best");
  const auto last =
      testing::read_tensors(dir / "out" / "checkpoints" / "step-3" / "model.safetensors");
  // The encoder of best/ holds the final weights.
  torch::Tensor final_embeddings;
  for (const auto& [name, t] : last) {
    if (name.find("embeddings.tok.weight") != std::string::npos) final_embeddings = t;
  }
  ASSERT_TRUE(final_embeddings.defined());
  bool found = false;
  for (const auto& p : best.encoder->named_parameters()) {
    if (p.key().find("embeddings.tok.weight") != std::string::npos) {
      found = true;
      EXPECT_TRUE(torch::equal(p.value(), final_embeddings));
    }
  }
  EXPECT_TRUE(found);
}

TEST(TrainerOutput, EarlyStopAfterPatienceEvaluationsWithoutImprovement) {
  TempRunDir dir("early");
  testing::write_toy_data(dir.path());
  auto j = toy_config(dir.path());
  j["data"]["dev"] = j["data"]["train"];
  j["optim"]["lr"] = 1e-30;  // the weights cannot change: the metric never improves again
  j["train"]["max_steps"] = 20;
  j["train"]["eval_every"] = 1;
  j["train"]["early_stop_patience"] = 2;
  std::vector<bool> improved;
  TrainHooks hooks;
  hooks.on_eval = [&](const EvalReport& e) { improved.push_back(e.improved); };
  const auto result = run_training(to_config(j), dir / "out", false, hooks);
  EXPECT_TRUE(result.early_stopped);
  EXPECT_EQ(result.steps_done, 3);
  EXPECT_EQ(improved, (std::vector<bool>{true, false, false}));
  EXPECT_EQ(result.best_step, 1);
  EXPECT_TRUE(std::filesystem::exists(dir / "out" / "checkpoints" / "step-3"));
}

TEST(TrainerOutput, NonFiniteLossStopsNamingTheStep) {
  TempRunDir dir("nan");
  testing::write_toy_data(dir.path());
  // One example whose cosine_mse loss (cos - 1e30)^2 overflows fp32 to inf.
  auto lines = testing::file_bytes(dir / "graded.tsv");
  lines.replace(lines.rfind('\t') + 1, 1, "1e30");
  testing::write_text(dir / "inf.tsv", lines);
  auto j = toy_config(dir.path());
  j["data"]["train"] = "tsv:" + (dir / "inf.tsv").string();
  j["data"]["batch_size"] = 1;
  j["loss"] = {{"name", "cosine_mse"}};
  j["train"]["max_steps"] = 8;
  j["train"]["checkpoint_every"] = 1;
  int64_t steps_done = 0;
  TrainHooks hooks;
  hooks.after_step = [&](int64_t step) { steps_done = step; };
  try {
    run_training(to_config(j), dir / "out", false, hooks);
    ADD_FAILURE() << "the run finished";
  } catch (const std::runtime_error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("loss is not finite"), std::string::npos) << message;
    EXPECT_NE(message.find("step " + std::to_string(steps_done + 1) + ":"), std::string::npos)
        << message;
    const auto last = latest_checkpoint(dir / "out");
    if (steps_done == 0) {
      EXPECT_FALSE(last.has_value());
      EXPECT_NE(message.find("none"), std::string::npos) << message;
    } else {
      ASSERT_TRUE(last.has_value());
      EXPECT_EQ(*last, dir / "out" / "checkpoints" / ("step-" + std::to_string(steps_done)));
      EXPECT_NE(message.find(last->string()), std::string::npos) << message;
    }
  }
}

}  // namespace
}  // namespace sentzoo
