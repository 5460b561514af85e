// Two ranks on loopback (tests/dist/dist_worker.cpp, Gloo over TCP) against one process on the
// global batch: collectives, bucketed gradient averaging with accumulation, gather-with-grad for
// in-batch negatives, mismatched settings, and a rank killed mid-job.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "dist/communicator.h"
#include "dist/local_launch.h"
#include "tests/dist/dist_cases.h"
#include "tests/process_util.h"
#include "tests/test_util.h"

namespace sentzoo {
namespace {

namespace fs = std::filesystem;
namespace cases = testing::dist_cases;

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Ranks {
  int code[2] = {-1, -1};
  std::string err[2];
  double seconds = 0;
  fs::path out;
};

// Runs MODE on two worker processes (one thread each) and waits for both.
#define SKIP_WITHOUT_GLOO()                                                                 \
  if (!communicator_available())                                                            \
  GTEST_SKIP() << "this build has no c10d Gloo backend (Debian: scripts/setup.sh installs " \
                  "libgloo-dev; PyPI's LibTorch ships no gloo headers; dist/CMakeLists.txt)"

Ranks run_two(const std::string& mode, int timeout_seconds = 30) {
  Ranks r;
  r.out = fs::temp_directory_path() / ("sentzoo_dist_" + mode + "_" + std::to_string(getpid()));
  fs::remove_all(r.out);
  fs::create_directories(r.out);
  const std::string worker = (testing::binary_dir() / "sentzoo_dist_worker").string();
  const int port = free_local_port();
  std::string cmd;
  for (int rank = 0; rank < 2; ++rank) {
    cmd += "(env RANK=" + std::to_string(rank) +
           " WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=" + std::to_string(port) +
           " OMP_NUM_THREADS=1 timeout 120 " + worker + " " + mode + " " + r.out.string() + " " +
           std::to_string(timeout_seconds) + " 2>" +
           (r.out / ("err" + std::to_string(rank))).string() + "; echo $? >" +
           (r.out / ("rc" + std::to_string(rank))).string() + ") & ";
  }
  cmd += "wait";
  const auto start = std::chrono::steady_clock::now();
  testing::run_shell(cmd);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (int rank = 0; rank < 2; ++rank) {
    r.code[rank] = std::stoi("0" + slurp(r.out / ("rc" + std::to_string(rank))));
    r.err[rank] = slurp(r.out / ("err" + std::to_string(rank)));
  }
  return r;
}

std::vector<torch::Tensor> load(const fs::path& p) {
  std::vector<torch::Tensor> t;
  torch::load(t, p.string());
  return t;
}

void expect_close(const std::vector<torch::Tensor>& got,
                  const std::vector<torch::Tensor>& want,
                  double tol) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE("tensor " + std::to_string(i));
    if (!want[i].defined()) {  // undefined gradients are saved as [-12345]
      EXPECT_EQ(got[i].numel(), 1);
      EXPECT_EQ(got[i].item<double>(), -12345.0);
      continue;
    }
    ASSERT_EQ(got[i].sizes(), want[i].sizes());
    EXPECT_LE((got[i] - want[i]).abs().max().item<double>(), tol);
  }
}

#define EXPECT_BOTH_OK(r)              \
  for (int rank = 0; rank < 2; ++rank) \
  ASSERT_EQ((r).code[rank], 0) << "rank " << rank << ": " << (r).err[rank]

TEST(DistProcess, CollectivesAcrossTwoRanks) {
  SKIP_WITHOUT_GLOO();
  const Ranks r = run_two("collectives");
  EXPECT_BOTH_OK(r);
  for (int rank = 0; rank < 2; ++rank) {
    const auto t = load(r.out / ("collectives-rank" + std::to_string(rank) + ".pt"));
    EXPECT_TRUE(torch::equal(t[0], torch::full({4}, 3.0)));  // 1 + 2
    EXPECT_TRUE(torch::equal(t[1], torch::full({3}, 7.0)));  // rank 1's
    // Uneven rows: rank 0 gave 1 row of 0s, rank 1 two rows of 1s.
    EXPECT_TRUE(torch::equal(t[2], torch::tensor({0.0, 0.0, 1.0, 1.0, 1.0, 1.0}).view({3, 2})));
  }
}

TEST(DistProcess, BucketedGradientsEqualOneProcessOnTheGlobalBatch) {
  SKIP_WITHOUT_GLOO();
  const Ranks r = run_two("gradients");
  EXPECT_BOTH_OK(r);
  cases::Mlp model;
  auto [x, y] = cases::regression_batch();
  cases::regression_loss(model, x, y).backward();
  const auto want = cases::gradients_of(model);
  for (int rank = 0; rank < 2; ++rank) {
    SCOPED_TRACE("rank " + std::to_string(rank));
    auto got = load(r.out / ("gradients-rank" + std::to_string(rank) + ".pt"));
    const double buckets = got.back().item<double>();
    got.pop_back();
    EXPECT_GE(buckets, 3);  // 256-byte buckets: the step really was split
    expect_close(got, want, 1e-6);
  }
}

TEST(DistProcess, GatherWithGradEqualsOneProcessOnTheConcatenatedBatch) {
  SKIP_WITHOUT_GLOO();
  const Ranks r = run_two("gather");
  EXPECT_BOTH_OK(r);
  auto encoder = cases::pair_encoder();
  auto [anchors, positives] = cases::pair_batch();
  const auto loss = cases::in_batch_loss(encoder(anchors), encoder(positives));
  loss.backward();
  auto want = cases::gradients_of(*encoder);
  want.push_back(loss.detach().reshape({1}));
  for (int rank = 0; rank < 2; ++rank) {
    SCOPED_TRACE("rank " + std::to_string(rank));
    expect_close(load(r.out / ("gather-rank" + std::to_string(rank) + ".pt")), want, 1e-6);
  }
  // A misaligned gather (positives in another order) would not match: the check has teeth.
  auto shuffled = cases::in_batch_loss(encoder(anchors), encoder(positives.flip(0)));
  EXPECT_GT(std::abs(shuffled.item<double>() - loss.item<double>()), 1e-2);
}

TEST(DistProcess, DifferentSettingsAreRefusedOnEveryRank) {
  SKIP_WITHOUT_GLOO();
  const Ranks r = run_two("mismatch");
  for (int rank = 0; rank < 2; ++rank) {
    EXPECT_EQ(r.code[rank], 1);
    EXPECT_NE(r.err[rank].find("the config of rank(s) 1 differs from rank 0's"), std::string::npos)
        << r.err[rank];
  }
}

TEST(DistProcess, AKilledRankStopsTheOtherWithinTheTimeout) {
  SKIP_WITHOUT_GLOO();
  const Ranks r = run_two("die", /*timeout_seconds=*/10);
  EXPECT_EQ(r.code[1], 137) << r.err[1];  // killed by SIGKILL (timeout passes on 128 + 9)
  EXPECT_EQ(r.code[0], 1) << r.err[0];
  EXPECT_NE(r.err[0].find("rank 0 of 2: test all-reduce after a peer died failed"),
            std::string::npos)
      << r.err[0];
  EXPECT_LT(r.seconds, 60);
}

}  // namespace
}  // namespace sentzoo
