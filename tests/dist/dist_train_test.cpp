// sentzoo-train as a data-parallel job (issue #13): two ranks on loopback, one thread each, against
// one process with the same global batch. After N steps the weights agree within 1e-6 for a
// dual CoSENT task (with gradient accumulation, and with a batch that leaves one rank no row), a
// cross encoder, MLM and a multi-task run with PCGrad; in-batch negatives kept local
// (train.gather_embeddings false) give a different model (the control); rank 0's evaluations give
// one process's metrics. A rank killed with SIGKILL or hung with SIGSTOP stops the other within
// the timeout, with a message, and the job resumed from the last checkpoint ends bitwise equal to
// the uninterrupted job.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <iostream>
#include <thread>

#include "dist/communicator.h"
#include "dist/local_launch.h"
#include "tests/process_util.h"
#include "tests/test_util.h"
#include "tests/train/trainer_test_util.h"

namespace sentzoo {
namespace {

namespace fs = std::filesystem;
using testing::file_bytes;
using testing::TempRunDir;

#define SKIP_UNLESS_DIST_TRAIN()                                                                \
  if (!communicator_available())                                                                \
    GTEST_SKIP() << "this build has no c10d Gloo backend (Debian: scripts/setup.sh installs "   \
                    "libgloo-dev; PyPI's LibTorch ships no gloo headers; dist/CMakeLists.txt)"; \
  if (!fs::exists(train_binary()))                                                              \
  GTEST_SKIP() << "sentzoo-train is not built: " << train_binary().string()

fs::path train_binary() { return testing::binary_dir() / "sentzoo-train"; }

fs::path write_config(const fs::path& path, const nlohmann::json& j) {
  std::ofstream(path) << j.dump(2);
  return path;
}

// sentzoo-train with `args` (one thread), output into `log`; its exit code.
int train(const std::string& args, const fs::path& log, const std::string& env = "") {
  const auto r = testing::run_shell(env + " SENTZOO_DATA= timeout 300 " + train_binary().string() +
                                    " --threads 1 " + args + " >" + log.string() + " 2>&1");
  return r.code;
}

// Two sentzoo-train ranks started torchrun-style (RANK, WORLD_SIZE, MASTER_*), one thread each,
// with `args(rank)` and `env`; logs in DIR/TAG-rankK.log, exit times (Unix seconds) in
// DIR/TAG-rankK.end. Both exit codes.
std::pair<int, int> run_two_ranks(const fs::path& dir,
                                  const std::string& tag,
                                  const std::function<std::string(int rank)>& args,
                                  const std::string& env = "",
                                  const std::string& rank1_timeout = "timeout 300") {
  const int port = free_local_port();
  std::string cmd;
  for (int rank = 0; rank < 2; ++rank) {
    const auto log = (dir / (tag + "-rank" + std::to_string(rank))).string();
    cmd += fmt::format(
        "(env RANK={} WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT={} {} SENTZOO_DATA= "
        "{} {} --threads 1 {} >{}.log 2>&1; echo $? >{}.rc; date +%s.%N >{}.end) & ",
        rank,
        port,
        env,
        rank == 1 ? rank1_timeout : "timeout 300",
        train_binary().string(),
        args(rank),
        log,
        log,
        log);
  }
  testing::run_shell(cmd + "wait");
  auto code = [&](int rank) {
    return std::stoi("0" + file_bytes(dir / (tag + "-rank" + std::to_string(rank) + ".rc")));
  };
  return {code(0), code(1)};
}

std::map<std::string, torch::Tensor> final_weights(const fs::path& out, int64_t steps) {
  return testing::read_tensors(out / "checkpoints" / ("step-" + std::to_string(steps)) /
                               "model.safetensors");
}

// The largest difference between the two runs' weights (every tensor present in both).
double max_difference(const std::map<std::string, torch::Tensor>& a,
                      const std::map<std::string, torch::Tensor>& b) {
  EXPECT_EQ(a.size(), b.size());
  double most = 0;
  for (const auto& [name, t] : a) {
    const auto found = b.find(name);
    if (found == b.end()) {
      ADD_FAILURE() << name << " missing";
      continue;
    }
    most = std::max(
        most, (t.to(torch::kDouble) - found->second.to(torch::kDouble)).abs().max().item<double>());
  }
  return most;
}

// How far the weights moved from the start: the differences are only meaningful against it.
double max_change(const std::map<std::string, torch::Tensor>& start,
                  const std::map<std::string, torch::Tensor>& end) {
  return max_difference(start, end);
}

struct Comparison {
  double one_vs_two = 0;       // max |weight difference| after max_steps
  double moved = 0;            // max |weight change| from step 1 to the end in one process
  std::string by_step;         // the difference after each step (for the failure message)
  double eval_difference = 0;  // max |difference| of the dev metrics of all evaluations
  size_t evaluations = 0;      // dev metric values compared
};

// Trains `config` in one process and as two ranks (--nproc 2) and compares the weights.
Comparison compare_one_and_two(const fs::path& dir, nlohmann::json config) {
  const int64_t steps = config["train"]["max_steps"];
  config["train"]["checkpoint_every"] = 1;
  config["train"]["keep_checkpoints"] = 1000;
  const auto cfg = write_config(dir / "config.json", config);
  const auto one = dir / "one", two = dir / "two";
  EXPECT_EQ(train("-c " + cfg.string() + " -o " + one.string(), dir / "one.log"), 0)
      << file_bytes(dir / "one.log");
  EXPECT_EQ(train("-c " + cfg.string() + " -o " + two.string() + " --nproc 2", dir / "two.log"), 0)
      << file_bytes(dir / "two.log") << file_bytes(two / "rank-1.log");
  Comparison c;
  if (::testing::Test::HasFailure()) return c;
  c.one_vs_two = max_difference(final_weights(one, steps), final_weights(two, steps));
  for (int64_t k = 1; k <= steps; ++k)
    c.by_step += fmt::format(
        "step {}: {:.3g}\n", k, max_difference(final_weights(one, k), final_weights(two, k)));
  c.moved = max_change(final_weights(one, 1), final_weights(one, steps));
  // Evaluations (rank 0 alone in the job) score the same model: the same metrics.
  auto evals = [](const fs::path& out) {
    std::vector<double> values;
    std::ifstream in(out / "metrics.jsonl");
    for (std::string line; std::getline(in, line);) {
      const auto row = nlohmann::json::parse(line);
      if (row["event"] == "eval")
        for (const auto& [name, value] : row["metrics"]["values"].items())
          values.push_back(value.get<double>());
    }
    return values;
  };
  const auto one_evals = evals(one), two_evals = evals(two);
  EXPECT_EQ(one_evals.size(), two_evals.size());
  for (size_t k = 0; k < std::min(one_evals.size(), two_evals.size()); ++k)
    c.eval_difference = std::max(c.eval_difference, std::abs(one_evals[k] - two_evals[k]));
  c.evaluations = one_evals.size();
  std::cout << fmt::format(
      "one process vs two ranks after {} steps: max |difference| {:.3g}; the "
      "weights moved up to {:.3g} since step 1; {} dev metric values differ "
      "by up to {:.3g}\n",
      steps,
      c.one_vs_two,
      c.moved,
      c.evaluations,
      c.eval_difference);

  return c;
}

// The weights did move, and the two runs ended within 1e-6 of each other.
void expect_equal_runs(const Comparison& c) {
  EXPECT_GT(c.moved, 1e-3);
  EXPECT_LE(c.one_vs_two, 1e-6) << c.by_step;
}

nlohmann::json dual_config(const fs::path& dir) {
  auto j = testing::toy_config(dir);
  j["train"]["max_steps"] = 6;
  j["train"]["deterministic"] = true;
  // AdamW with eps 1 (and lr 0.1, no clipping): updates nearly linear in the gradient, so the
  // comparison sees the gradients themselves, scale included (Adam's normalisation and clipping
  // hide a gradient that is off by a constant factor, e.g. a missing world-size factor). Why
  // not the default eps 1e-8: the two runs sum each batch's gradient in a different order (two
  // halves, then the all-reduce), which changes elements by fp32 rounding (~1e-8), and Adam
  // divides that by the element's own size: the few elements whose step-1 gradient was itself
  // ~1e-8 moved differently by up to 2.2e-6 (CoSENT) and 5.8e-6 (MLM), measured, while all the
  // others agreed within 1e-7 and BCE cross-encoder runs within 3e-8 (as close as one process
  // with the batch split into two accumulated halves).
  j["optim"]["eps"] = 1.0;
  j["optim"]["lr"] = 0.1;
  j["train"]["grad_clip"] = 0.0;
  return j;
}

TEST(DistTrain, DualCosentEqualsOneProcess) {
  SKIP_UNLESS_DIST_TRAIN();
  TempRunDir dir("dist_dual");
  testing::write_toy_data(dir.path());
  auto j = dual_config(dir.path());
  j["data"]["dev"] = "tsv:" + (dir / "graded.tsv").string();
  j["train"]["eval_every"] = 2;
  const auto c = compare_one_and_two(dir.path(), j);
  EXPECT_EQ(c.evaluations, 6u);  // steps 2, 4, 6 x (Pearson, Spearman)
  EXPECT_LE(c.eval_difference, 1e-6);
  expect_equal_runs(c);
}

TEST(DistTrain, DualWithAccumulationAndUnevenShardsEqualsOneProcess) {
  SKIP_UNLESS_DIST_TRAIN();
  TempRunDir dir("dist_dual_accum");
  testing::write_toy_data(dir.path());
  auto j = dual_config(dir.path());
  // 8 pairs in batches of 3 (3, 3, 2 per epoch: shards of 1 and 2 rows), grad_accum 2.
  j["data"]["batch_size"] = 3;
  j["train"]["grad_accum"] = 2;
  auto c = compare_one_and_two(dir.path(), j);
  expect_equal_runs(c);
}

TEST(DistTrain, ABatchOfOneRowLeavesRankZeroEmptyAndStillEqualsOneProcess) {
  SKIP_UNLESS_DIST_TRAIN();
  TempRunDir dir("dist_dual_empty");
  testing::write_toy_data(dir.path());
  auto j = dual_config(dir.path());
  j["data"]["batch_size"] = 7;  // 8 pairs: batches of 7 and 1; the 1 goes to rank 1 alone
  j["loss"] = {{"name", "mnrl"}};
  j["train"]["max_steps"] = 4;
  const auto c = compare_one_and_two(dir.path(), j);
  expect_equal_runs(c);
}

TEST(DistTrain, LocalInBatchNegativesDifferFromOneProcess) {
  SKIP_UNLESS_DIST_TRAIN();
  TempRunDir dir("dist_dual_local");
  testing::write_toy_data(dir.path());
  auto j = dual_config(dir.path());
  j["loss"] = {{"name", "mnrl"}};
  j["train"]["gather_embeddings"] = false;  // each rank's 4 rows see only each other
  const auto c = compare_one_and_two(dir.path(), j);
  EXPECT_GT(c.one_vs_two, 1e-4);
}

TEST(DistTrain, CrossEncoderEqualsOneProcess) {
  SKIP_UNLESS_DIST_TRAIN();
  TempRunDir dir("dist_cross");
  testing::write_toy_data(dir.path());
  auto j = dual_config(dir.path());
  j["objective"] = "cross";
  j["data"]["train"] = "tsv:" + (dir / "binary.tsv").string();
  j["loss"] = {{"name", "bce"}};
  j["model"].erase("pooling");
  const auto c = compare_one_and_two(dir.path(), j);
  expect_equal_runs(c);
}

TEST(DistTrain, MlmEqualsOneProcess) {
  SKIP_UNLESS_DIST_TRAIN();
  TempRunDir dir("dist_mlm");
  testing::write_toy_data(dir.path());
  auto j = dual_config(dir.path());
  j["objective"] = "mlm";
  j["data"]["train"] = "text:" + (dir / "corpus.txt").string();
  j["loss"] = {{"name", "mlm"}};
  j["model"].erase("pooling");
  j["data"]["batch_size"] = 5;  // uneven shards (2 and 3 texts)
  const auto c = compare_one_and_two(dir.path(), j);
  expect_equal_runs(c);
}

TEST(DistTrain, MultitaskWithPcgradEqualsOneProcess) {
  SKIP_UNLESS_DIST_TRAIN();
  TempRunDir dir("dist_multitask");
  testing::write_toy_data(dir.path());
  auto j = dual_config(dir.path());
  const std::string d = dir.path().string() + "/";
  j.erase("objective");
  j.erase("loss");
  j["data"].erase("train");
  j["model"]["pooling"] = {{"mode", "mean"}};
  j["tasks"] = {{{"name", "sts"}, {"objective", "dual"}, {"train", "tsv:" + d + "graded.tsv"}},
                {{"name", "para"},
                 {"objective", "cross"},
                 {"train", "tsv:" + d + "binary.tsv"},
                 {"loss", {{"name", "bce"}}},
                 {"num_labels", 1}},
                {{"name", "lm"}, {"objective", "mlm"}, {"train", "text:" + d + "corpus.txt"}}};
  j["multitask"] = {{"tasks_per_step", "all"}, {"combiner", {{"name", "pcgrad"}}}};
  const auto c = compare_one_and_two(dir.path(), j);
  expect_equal_runs(c);
}

// Two ranks started torchrun-style (environment), rank 1 killed by SIGKILL after step 3: rank 0
// stops within the timeout with a message naming the failed collective; --resume then ends
// bitwise equal to the uninterrupted job.
TEST(DistTrain, SigkillOfRankOneStopsRankZeroAndResumeIsBitwiseExact) {
  SKIP_UNLESS_DIST_TRAIN();
  TempRunDir dir("dist_kill");
  testing::write_toy_data(dir.path());
  auto j = dual_config(dir.path());
  j["train"]["max_steps"] = 8;
  j["train"]["checkpoint_every"] = 1;
  const auto cfg = write_config(dir / "config.json", j).string();
  const auto reference = dir / "reference", killed = dir / "killed";
  ASSERT_EQ(train("-c " + cfg + " -o " + reference.string() + " --nproc 2", dir / "ref.log"), 0)
      << file_bytes(dir / "ref.log");

  const int timeout = 10;
  auto job = [&](const std::string& extra, const std::string& tag, const std::string& fault) {
    return run_two_ranks(
        dir.path(),
        tag,
        [&](int) {
          return fmt::format(
              "--dist-timeout {} -c {} -o {} {}", timeout, cfg, killed.string(), extra);
        },
        fault);
  };
  const auto start = std::chrono::steady_clock::now();
  const auto [rank0, rank1] = job("", "first", "SENTZOO_TEST_RAISE_AT_STEP=1:3:9");
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const auto log0 = file_bytes(dir / "first-rank0.log");
  EXPECT_EQ(rank1, 137);  // SIGKILL
  EXPECT_EQ(rank0, 1) << log0;
  EXPECT_LT(seconds, timeout + 60);
  EXPECT_NE(log0.find("rank 0 of 2"), std::string::npos) << log0;
  EXPECT_NE(log0.find("failed"), std::string::npos) << log0;
  ASSERT_FALSE(fs::exists(killed / "checkpoints" / "step-8"));

  const auto [again0, again1] = job("--resume", "resumed", "");
  ASSERT_EQ(again0, 0) << file_bytes(dir / "resumed-rank0.log");
  ASSERT_EQ(again1, 0) << file_bytes(dir / "resumed-rank1.log");
  EXPECT_NE(file_bytes(dir / "resumed-rank0.log").find("resumed from"), std::string::npos);
  EXPECT_EQ(file_bytes(killed / "checkpoints" / "step-8" / "model.safetensors"),
            file_bytes(reference / "checkpoints" / "step-8" / "model.safetensors"));
}

// Rank 1 stops answering (SIGSTOP after step 2): rank 0 gives up after --dist-timeout with a
// message, and its checkpoint of step 2 is intact.
TEST(DistTrain, AHungRankStopsTheOtherWithinTheTimeout) {
  SKIP_UNLESS_DIST_TRAIN();
  TempRunDir dir("dist_hang");
  testing::write_toy_data(dir.path());
  auto j = dual_config(dir.path());
  j["train"]["max_steps"] = 8;
  j["train"]["checkpoint_every"] = 1;
  const auto cfg = write_config(dir / "config.json", j).string();
  const int timeout = 5;
  const double start =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  // Rank 1 is stopped, so only SIGKILL ends it: `timeout -s KILL` after 15 s.
  const auto [rank0, rank1] = run_two_ranks(
      dir.path(),
      "hang",
      [&](int) {
        return fmt::format("--dist-timeout {} -c {} -o {}", timeout, cfg, (dir / "out").string());
      },
      "SENTZOO_TEST_RAISE_AT_STEP=1:2:19",
      "timeout -s KILL 15");
  const auto log0 = file_bytes(dir / "hang-rank0.log");
  EXPECT_EQ(rank0, 1) << log0;
  EXPECT_EQ(rank1, 137);
  const double rank0_seconds = std::stod(file_bytes(dir / "hang-rank0.end")) - start;
  std::cout << fmt::format(
      "rank 0 exited {:.1f} s after the start (timeout {} s)\n", rank0_seconds, timeout);
  EXPECT_LT(rank0_seconds, timeout + 15);  // start-up, 2 steps, then the timeout
  EXPECT_NE(log0.find("rank 0 of 2"), std::string::npos) << log0;
  EXPECT_TRUE(log0.find("no answer within 5 s") != std::string::npos ||
              log0.find("imed out") != std::string::npos)
      << log0;
  EXPECT_TRUE(fs::exists(dir / "out" / "checkpoints" / "step-2" / "model.safetensors"));
  EXPECT_FALSE(fs::exists(dir / "out" / "checkpoints" / "step-4"));
}

TEST(DistTrain, DifferentConfigsAcrossRanksAreRefused) {
  SKIP_UNLESS_DIST_TRAIN();
  TempRunDir dir("dist_mismatch");
  testing::write_toy_data(dir.path());
  const auto cfg = write_config(dir / "config.json", dual_config(dir.path())).string();
  const auto [code0, code1] = run_two_ranks(dir.path(), "mismatch", [&](int rank) {
    return fmt::format(
        "--dist-timeout 20 -c {} -o {} --set train.seed={}", cfg, (dir / "out").string(), 7 + rank);
  });
  const int codes[2] = {code0, code1};
  for (int rank = 0; rank < 2; ++rank) {
    const auto log = file_bytes(dir / ("mismatch-rank" + std::to_string(rank) + ".log"));
    EXPECT_EQ(codes[rank], 1) << log;
    EXPECT_NE(log.find("resolved config"), std::string::npos) << log;
    EXPECT_NE(log.find("rank(s) 1 differs from rank 0"), std::string::npos) << log;
  }
  EXPECT_FALSE(fs::exists(dir / "out" / "checkpoints"));
}

}  // namespace
}  // namespace sentzoo
