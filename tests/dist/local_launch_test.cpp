// sentzoo-train --nproc's launcher (dist/local_launch.h) on shell commands: the torchrun
// environment per rank, the logs, and a failing rank stopping the others.
#include "dist/local_launch.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/test_util.h"

namespace sentzoo {
namespace {

namespace fs = std::filesystem;

fs::path fresh_dir(const std::string& name) {
  auto dir = fs::temp_directory_path() / ("sentzoo_launch_" + name + std::to_string(getpid()));
  fs::remove_all(dir);
  return dir;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

TEST(LocalLaunch, EachRankGetsTheTorchrunEnvironmentAndItsLog) {
  const auto dir = fresh_dir("env");
  const auto r = launch_local(3,
                              {"/bin/sh",
                               "-c",
                               "echo rank $RANK of $WORLD_SIZE local $LOCAL_RANK/$LOCAL_WORLD_SIZE "
                               "at $MASTER_ADDR:$MASTER_PORT"},
                              dir,
                              29999);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.failed_rank, -1);
  for (int rank = 0; rank < 3; ++rank) {
    EXPECT_EQ(slurp(dir / ("rank-" + std::to_string(rank) + ".log")),
              "rank " + std::to_string(rank) + " of 3 local " + std::to_string(rank) +
                  "/3 at 127.0.0.1:29999\n");
  }
}

TEST(LocalLaunch, AFailingRankStopsTheOthersAndNamesItself) {
  const auto dir = fresh_dir("fail");
  const auto start = std::chrono::steady_clock::now();
  const auto r = launch_local(
      3, {"/bin/sh", "-c", "if [ \"$RANK\" = 1 ]; then exit 3; fi; exec sleep 60"}, dir, 0, 1.0);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.failed_rank, 1);
  EXPECT_EQ(r.message,
            "rank 1 exited with 3 (log: " + (dir / "rank-1.log").string() +
                "); stopping the other ranks");
  EXPECT_LT(seconds_since(start), 30);
}

TEST(LocalLaunch, ARankIgnoringSigtermIsKilledAfterTheGrace) {
  const auto dir = fresh_dir("grace");
  const auto start = std::chrono::steady_clock::now();
  const auto r = launch_local(
      2,
      {"/bin/sh", "-c", "trap '' TERM; if [ \"$RANK\" = 0 ]; then kill -9 $$; fi; exec sleep 60"},
      dir,
      0,
      0.5);
  EXPECT_EQ(r.exit_code, 128 + 9);
  EXPECT_EQ(r.failed_rank, 0);
  EXPECT_NE(r.message.find("rank 0 was killed by signal 9"), std::string::npos) << r.message;
  EXPECT_LT(seconds_since(start), 30);
}

TEST(LocalLaunch, RefusesNoProcessesAndReportsAMissingProgram) {
  EXPECT_EQ(testing::error_of([] { launch_local(0, {"/bin/true"}, fresh_dir("zero")); }),
            "--nproc must be >= 1, found 0");
  const auto dir = fresh_dir("missing");
  const auto r = launch_local(1, {"/no/such/program"}, dir);
  EXPECT_EQ(r.exit_code, 127);
  EXPECT_NE(slurp(dir / "rank-0.log").find("cannot start /no/such/program"), std::string::npos);
}

}  // namespace
}  // namespace sentzoo
