// Issue #14's classes on the training side, in process: damaged checkpoints (manifest checks and
// the fall-back on --resume), two runs in one folder, dev sets that cannot be scored, hostile
// configs (overflowing products, too many tasks, out-of-range values) refused before any work,
// and errors that name the file they are about.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "io/directory_lock.h"
#include "tests/test_util.h"
#include "tests/train/trainer_test_util.h"
#include "train/checkpoint.h"
#include "train/trainer.h"

namespace sentzoo {
namespace {

namespace fs = std::filesystem;
using testing::error_of;
using testing::TempRunDir;
using testing::to_config;
using testing::toy_config;

void flip_one_bit(const fs::path& file, size_t at) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(at));
  char c = 0;
  f.read(&c, 1);
  c = static_cast<char>(c ^ 0x10);
  f.seekp(static_cast<std::streamoff>(at));
  f.write(&c, 1);
}

nlohmann::json checkpointing_config(const fs::path& dir) {
  auto j = toy_config(dir);
  j["train"]["max_steps"] = 4;
  j["train"]["checkpoint_every"] = 2;
  j["train"]["keep_checkpoints"] = 3;
  return j;
}

TEST(Reliability, BitFlipInTheNewestCheckpointFallsBackToTheLastGoodOne) {
  testing::ThreadCountGuard threads(1);
  TempRunDir dir("bitflip");
  testing::write_toy_data(dir.path());
  auto j = checkpointing_config(dir.path());
  run_training(to_config(j), dir / "out", false);
  const fs::path newest = dir / "out" / "checkpoints" / "step-4";
  const fs::path older = dir / "out" / "checkpoints" / "step-2";
  ASSERT_EQ(checkpoint_damage(newest), "");
  ASSERT_EQ(checkpoint_damage(older), "");

  flip_one_bit(newest / "model.safetensors", fs::file_size(newest / "model.safetensors") - 5);
  EXPECT_NE(checkpoint_damage(newest).find("model.safetensors: CRC-32C"), std::string::npos)
      << checkpoint_damage(newest);
  const ResumePoint point = find_resume_point(dir / "out");
  ASSERT_EQ(point.checkpoint, older);
  ASSERT_EQ(point.passed_over.size(), 1u);

  j["train"]["max_steps"] = 6;
  std::vector<std::string> infos;
  TrainHooks hooks;
  hooks.on_info = [&](const std::string& m) { infos.push_back(m); };
  const auto resumed = run_training(to_config(j), dir / "out", true, hooks);
  EXPECT_EQ(resumed.resumed_from, 2);
  EXPECT_TRUE(std::any_of(infos.begin(), infos.end(), [](const std::string& m) {
    return m.find("passing over damaged checkpoint") != std::string::npos &&
           m.find("step-4") != std::string::npos;
  }));
}

TEST(Reliability, TruncatedOrMissingFilesAreDamage) {
  testing::ThreadCountGuard threads(1);
  TempRunDir dir("truncated");
  testing::write_toy_data(dir.path());
  run_training(to_config(checkpointing_config(dir.path())), dir / "out", false);
  const fs::path newest = dir / "out" / "checkpoints" / "step-4";
  fs::resize_file(newest / "optimizer.pt", 10);
  EXPECT_NE(checkpoint_damage(newest).find("optimizer.pt: 10 bytes"), std::string::npos);
  const fs::path older = dir / "out" / "checkpoints" / "step-2";
  fs::remove(older / "state.json");
  EXPECT_NE(checkpoint_damage(older).find("state.json: missing"), std::string::npos);
  // Every checkpoint damaged: resume refuses instead of silently starting afresh.
  for (const auto& entry : fs::directory_iterator(dir / "out" / "checkpoints"))
    fs::resize_file(entry.path() / "model.safetensors", 0);
  EXPECT_NE(error_of([&] {
              run_training(to_config(checkpointing_config(dir.path())), dir / "out", true);
            }).find("every checkpoint is damaged"),
            std::string::npos);
}

TEST(Reliability, StateJsonErrorsNameTheFile) {
  testing::ThreadCountGuard threads(1);
  TempRunDir dir("state");
  testing::write_toy_data(dir.path());
  const auto j = checkpointing_config(dir.path());
  run_training(to_config(j), dir / "out", false);
  // A checkpoint from before manifests (no manifest.json) with a broken state.json.
  const fs::path newest = dir / "out" / "checkpoints" / "step-4";
  fs::remove(newest / "manifest.json");
  testing::write_text(newest / "state.json", "{\"step\": 4, \"step\": 5}");
  const std::string error = error_of([&] { run_training(to_config(j), dir / "out", true); });
  EXPECT_NE(error.find((newest / "state.json").string()), std::string::npos) << error;
  EXPECT_NE(error.find("appears twice"), std::string::npos) << error;
}

TEST(Reliability, ASecondRunInTheSameFolderIsRefusedWithTheHoldersPid) {
  TempRunDir dir("lock");
  testing::write_toy_data(dir.path());
  const DirectoryLock held(dir / "out", "sentzoo-train");
  const std::string error = error_of(
      [&] { run_training(to_config(toy_config(dir.path())), dir / "out", false); });
  EXPECT_NE(error.find("in use by another sentzoo-train (PID " + std::to_string(::getpid())),
            std::string::npos)
      << error;
  EXPECT_FALSE(fs::exists(dir / "out" / "config.json")) << "nothing may be written";
  EXPECT_NE(error_of([&] { DirectoryLock again(dir / "out", "sentzoo-train"); })
                .find("in use"),
            std::string::npos);
}

TEST(Reliability, TheLockIsReleasedWhenTheRunEnds) {
  testing::ThreadCountGuard threads(1);
  TempRunDir dir("unlock");
  testing::write_toy_data(dir.path());
  auto j = toy_config(dir.path());
  j["train"]["max_steps"] = 1;
  run_training(to_config(j), dir / "out", false);
  EXPECT_NO_THROW(DirectoryLock(dir / "out", "sentzoo-train"));
}

TEST(Reliability, DevSetsThatCannotBeScoredAreRefusedBeforeTraining) {
  TempRunDir dir("dev");
  testing::write_toy_data(dir.path());
  testing::write_text(dir / "one.tsv", "我喜欢吃苹果\t我爱吃苹果\t5\n");
  testing::write_text(dir / "constant.tsv", "我喜欢吃苹果\t我爱吃苹果\t1\n你好吗\t你好\t1\n");
  for (const char* file : {"one.tsv", "constant.tsv"}) {
    SCOPED_TRACE(file);
    auto j = toy_config(dir.path());
    j["data"]["dev"] = "tsv:" + (dir / file).string();
    const std::string error =
        error_of([&] { run_training(to_config(j), dir / ("out_" + std::string(file)), false); });
    EXPECT_NE(error.find(file), std::string::npos) << error;
    EXPECT_NE(error.find("expected at least"), std::string::npos) << error;
    EXPECT_FALSE(fs::exists(dir / ("out_" + std::string(file)) / "checkpoints"));
  }
}

TEST(Reliability, HostileConfigsAreRefusedBeforeAnyWork) {
  TempRunDir dir("hostile");
  testing::write_toy_data(dir.path());
  struct Case {
    std::string what;
    std::function<void(nlohmann::json&)> edit;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"bucket window overflows",
       [](auto& j) {
         j["data"]["bucket_batches"] = int64_t{1} << 40;
         j["data"]["batch_size"] = int64_t{1} << 40;
       },
       "overflows"},
      {"num_layers 1e8", [](auto& j) { j["model"]["encoder"]["num_layers"] = 100000000; },
       "num_layers"},
      {"a huge width", [](auto& j) { j["model"]["encoder"]["hidden_size"] = int64_t{1} << 20; },
       "SENTZOO_MAX_PARAMETER_GIB"},
      {"head_dropout 1.5", [](auto& j) { j["model"]["head_dropout"] = 1.5; }, "head_dropout"},
      {"rope_theta 0", [](auto& j) { j["model"]["encoder"]["rope_theta"] = 0.0; }, "rope_theta"},
      {"an integer given 8.7", [](auto& j) { j["train"]["max_steps"] = 8.7; },
       "train.max_steps: expected an integer, found 8.7"},
      {"an unsigned seed given -1", [](auto& j) { j["train"]["seed"] = -1; },
       "train.seed: expected a non-negative integer, found -1"},
      {"a number given a string", [](auto& j) { j["optim"]["lr"] = "fast"; },
       "optim.lr: expected a number"},
      {"a 10 MB string where a number belongs",
       [](auto& j) { j["optim"]["lr"] = std::string(10 << 20, 'x'); }, "bytes)"},
      {"too many tasks",
       [](auto& j) {
         nlohmann::json tasks = nlohmann::json::array();
         for (int i = 0; i < 2000; ++i)
           tasks.push_back({{"name", "t" + std::to_string(i)}, {"train", j["data"]["train"]}});
         j["tasks"] = tasks;
       },
       "at most 1024"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    auto j = toy_config(dir.path());
    c.edit(j);
    // A hang or an unbounded allocation here shows as the test's ctest timeout.
    const std::string error =
        error_of([&] { run_training(to_config(j), dir / "out", false); });
    EXPECT_NE(error.find(c.expected), std::string::npos) << error.substr(0, 300);
    EXPECT_LT(error.size(), 2000u) << "a message must not echo huge values";
    EXPECT_FALSE(fs::exists(dir / "out" / "checkpoints"));
  }
}

}  // namespace
}  // namespace sentzoo
