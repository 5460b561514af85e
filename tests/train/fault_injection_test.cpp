// A full disk, for real processes: sentzoo-train runs with tests/fault/write_fault.cpp preloaded,
// so every write into the checkpoint being saved fails with ENOSPC (from its first byte, or part
// way through a file). Before issue #14 such a run committed a truncated or empty checkpoint,
// rotated the good one away and could exit 0, or died with SIGABRT (LibTorch's archive writer
// throwing from its destructor). Now: exit 1, a message naming the file, the reason and the last
// good checkpoint, which stays intact, and --resume continues from it.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "tests/process_util.h"
#include "tests/train/trainer_test_util.h"
#include "train/checkpoint.h"

namespace sentzoo {
namespace {

namespace fs = std::filesystem;
using testing::TempRunDir;

fs::path train_binary() { return testing::binary_dir() / "sentzoo-train"; }
std::string fault_lib() { return (testing::binary_dir() / "libsentzoo_write_fault.so").string(); }

// Runs sentzoo-train with `env` assignments in front; stdout and stderr together.
testing::ProcessResult train(const std::string& env, const std::string& args) {
  return testing::run_shell("SENTZOO_DATA= " + env + " " + train_binary().string() + " " + args +
                            " 2>&1");
}

TEST(FaultInjection, FullDiskDuringCheckpointKeepsTheLastGoodOne) {
  if (!fs::exists(train_binary())) GTEST_SKIP() << "sentzoo-train is not built";
  if (!fs::exists(fault_lib())) GTEST_SKIP() << "the fault shim is not built: " << fault_lib();
  for (const char* after_bytes : {"0", "3000", "20000"}) {
    SCOPED_TRACE(std::string("writes fail after ") + after_bytes + " bytes");
    TempRunDir dir("fault");
    testing::write_toy_data(dir.path());
    auto j = testing::toy_config(dir.path());
    j["train"]["max_steps"] = 2;
    j["train"]["checkpoint_every"] = 2;
    std::ofstream(dir / "config.json") << j.dump(2);
    const fs::path out = dir / "out";
    const std::string args =
        "--threads 1 --config " + (dir / "config.json").string() + " --output " + out.string();
    ASSERT_EQ(train("", args).code, 0);
    const fs::path good = out / "checkpoints" / "step-2";
    ASSERT_TRUE(fs::exists(good / "manifest.json"));

    const auto failed = train("LD_PRELOAD=" + fault_lib() +
                                  " SENTZOO_FAULT_PATH=checkpoints/step-4 SENTZOO_FAULT_AFTER_BYTES=" +
                                  std::string(after_bytes),
                              args + " --resume --set train.max_steps=4");
    EXPECT_EQ(failed.code, 1) << failed.out;
    EXPECT_NE(failed.out.find("No space left on device"), std::string::npos) << failed.out;
    EXPECT_NE(failed.out.find("step-4"), std::string::npos) << failed.out;
    EXPECT_NE(failed.out.find("The last good checkpoint is " + good.string()), std::string::npos)
        << failed.out;
    EXPECT_EQ(checkpoint_damage(good), "");
    EXPECT_FALSE(fs::exists(out / "checkpoints" / "step-4"));
    for (const auto& entry : fs::directory_iterator(out / "checkpoints"))
      EXPECT_EQ(entry.path(), good) << "left behind: " << entry.path();
    EXPECT_NE(testing::file_bytes(out / "train.log").find("No space left"), std::string::npos)
        << "train.log must hold the error";

    const auto resumed = train("", args + " --resume --set train.max_steps=4");
    EXPECT_EQ(resumed.code, 0) << resumed.out;
    EXPECT_NE(resumed.out.find("resumed from " + good.string()), std::string::npos)
        << resumed.out;
    EXPECT_EQ(checkpoint_damage(out / "checkpoints" / "step-4"), "");
  }
}

TEST(FaultInjection, FullDiskWhileExportingFailsWithoutAModelFile) {
  if (!fs::exists(train_binary())) GTEST_SKIP() << "sentzoo-train is not built";
  if (!fs::exists(fault_lib())) GTEST_SKIP() << "the fault shim is not built: " << fault_lib();
  TempRunDir dir("fault_export");
  testing::write_toy_data(dir.path());
  auto j = testing::toy_config(dir.path());
  j["train"]["max_steps"] = 1;
  std::ofstream(dir / "config.json") << j.dump(2);
  const fs::path out = dir / "out";
  // model.pt.tmp-XXXXXX: the export's temporary; best/ and the checkpoint are written fine.
  const auto failed = train("LD_PRELOAD=" + fault_lib() +
                                " SENTZOO_FAULT_PATH=model.pt.tmp SENTZOO_FAULT_AFTER_BYTES=1000",
                            "--threads 1 --config " + (dir / "config.json").string() +
                                " --output " + out.string());
  EXPECT_EQ(failed.code, 1) << failed.out;
  EXPECT_NE(failed.out.find("No space left on device"), std::string::npos) << failed.out;
  EXPECT_FALSE(fs::exists(out / "model.pt"));
  EXPECT_TRUE(fs::exists(out / "best" / "sentzoo.json"));
}

}  // namespace
}  // namespace sentzoo
