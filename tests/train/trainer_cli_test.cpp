// sentzoo-train as a process: exit codes and messages for bad configs and bad data, SIGTERM
// (finish the step, checkpoint, exit 143), and kill -9 at random moments (also during a
// checkpoint write) followed by --resume, ending bitwise identical to an uninterrupted run.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <random>
#include <thread>

#include "tests/test_util.h"
#include "tests/train/trainer_test_util.h"

namespace sentzoo {
namespace {

namespace fs = std::filesystem;
using testing::file_bytes;
using testing::TempRunDir;
using testing::toy_config;

fs::path train_binary() { return testing::binary_dir() / "sentzoo-train"; }

#define REQUIRE_TRAIN_BINARY()     \
  if (!fs::exists(train_binary())) \
  GTEST_SKIP() << "sentzoo-train is not built: " << train_binary().string()

// Starts sentzoo-train with `args`, stdout and stderr into `log`.
pid_t spawn(const std::vector<std::string>& args, const fs::path& log) {
  std::vector<std::string> all = {train_binary().string()};
  all.insert(all.end(), args.begin(), args.end());
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::setenv("SENTZOO_DATA", "", 1);
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

// Exit status, or 128 + signal for a killed process.
int wait_for(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

int run_train(const std::vector<std::string>& args, const fs::path& log) {
  return wait_for(spawn(args, log));
}

fs::path write_config(const fs::path& path, const nlohmann::json& j) {
  std::ofstream(path) << j.dump(2);
  return path;
}

struct CliCase {
  std::string what;
  std::function<void(nlohmann::json&)> edit;
  std::vector<std::string> extra_args;
  int expected_exit;
  std::string expected_message;
};

TEST(TrainerCli, BadConfigsAndDataFailBeforeTraining) {
  REQUIRE_TRAIN_BINARY();
  TempRunDir dir("cli_bad");
  testing::write_toy_data(dir.path());
  const std::string d = (dir / "").string();
  const std::vector<CliCase> cases = {
      {"unknown key", [](auto& j) { j["train"]["max_stepz"] = 1; }, {}, 2, "max_stepz"},
      {"bad --set type", [](auto&) {}, {"--set", "train.max_steps=many"}, 2, "train.max_steps"},
      {"unknown --set key", [](auto&) {}, {"--set", "train.nope=1"}, 2, "train.nope"},
      {"fp16 on cpu", [](auto& j) { j["train"]["amp"] = "fp16"; }, {}, 2, "bf16"},
      {"unknown loss", [](auto& j) { j["loss"]["name"] = "cosnet"; }, {}, 2, "cosnet"},
      {"missing data",
       [d](auto& j) { j["data"]["train"] = "tsv:" + d + "nope.tsv"; },
       {},
       1,
       "nope.tsv"},
      {"bad labels",
       [d](auto& j) {
         j["objective"] = "cross";
         j["loss"] = {{"name", "bce"}};
       },
       {},
       1,
       "labels in [0, 1]"},
      {"bad dev labels",
       [d](auto& j) {
         j["objective"] = "cross";
         j["model"]["num_labels"] = 2;
         j["loss"] = {{"name", "cross_entropy"}};
         j["data"]["train"] = "tsv:" + d + "binary.tsv";
         j["data"]["dev"] = "tsv:" + d + "graded.tsv";
       },
       {},
       1,
       "graded.tsv"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    SCOPED_TRACE(c.what);
    auto j = toy_config(dir.path());
    c.edit(j);
    const auto config = write_config(dir / ("case" + std::to_string(i) + ".json"), j);
    const auto out = dir / ("out" + std::to_string(i));
    std::vector<std::string> args = {"--config", config.string(), "--output", out.string()};
    args.insert(args.end(), c.extra_args.begin(), c.extra_args.end());
    const auto log = dir / "log.txt";
    EXPECT_EQ(run_train(args, log), c.expected_exit);
    const auto text = file_bytes(log);
    EXPECT_NE(text.find(c.expected_message), std::string::npos) << text;
    EXPECT_FALSE(fs::exists(out / "checkpoints")) << "training started";
  }
}

// A long deterministic run: ~ms steps, frequent checkpoints.
nlohmann::json long_config(const fs::path& dir, int64_t steps) {
  auto j = toy_config(dir);
  j["model"]["encoder"]["hidden_dropout"] = 0.1;
  j["data"]["batch_size"] = 3;
  j["train"]["max_steps"] = steps;
  j["train"]["checkpoint_every"] = 4;
  j["train"]["log_every"] = 10;
  j["train"]["deterministic"] = true;
  return j;
}

bool has_checkpoint(const fs::path& out) {
  if (!fs::is_directory(out / "checkpoints")) return false;
  for (const auto& e : fs::directory_iterator(out / "checkpoints")) {
    if (fs::exists(e.path() / "state.json") &&
        e.path().filename().string().find(".tmp") == std::string::npos)
      return true;
  }
  return false;
}

bool writing_checkpoint(const fs::path& out) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(out / "checkpoints", ec)) {
    if (e.path().filename().string().find(".tmp-") != std::string::npos) return true;
  }
  return false;
}

// Waits (up to 60 s) until `pid` wrote its first checkpoint; false if it exited first.
bool wait_for_checkpoint(pid_t pid, const fs::path& out) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    if (has_checkpoint(out)) return true;
    int status;
    if (::waitpid(pid, &status, WNOHANG) == pid) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return false;
}

TEST(TrainerCli, SigtermFinishesTheStepAndCheckpoints) {
  REQUIRE_TRAIN_BINARY();
  TempRunDir dir("cli_sigterm");
  testing::write_toy_data(dir.path());
  const auto config = write_config(dir / "c.json", long_config(dir.path(), 100000));
  const auto out = dir / "out";
  const pid_t pid = spawn({"--config", config.string(), "--output", out.string(), "--threads", "1"},
                          dir / "log.txt");
  ASSERT_TRUE(wait_for_checkpoint(pid, out)) << file_bytes(dir / "log.txt");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ::kill(pid, SIGTERM);
  EXPECT_EQ(wait_for(pid), 143) << file_bytes(dir / "log.txt");
  // The newest checkpoint is the step the run stopped at and holds the full state.
  int64_t newest = -1;
  for (const auto& e : fs::directory_iterator(out / "checkpoints")) {
    const auto name = e.path().filename().string();
    if (name.find(".tmp") == std::string::npos)
      newest = std::max<int64_t>(newest, std::stoll(name.substr(5)));
  }
  ASSERT_GT(newest, 0);
  std::ifstream state_in(out / "checkpoints" / ("step-" + std::to_string(newest)) / "state.json");
  EXPECT_EQ(nlohmann::json::parse(state_in).at("step").get<int64_t>(), newest);
  EXPECT_NE(file_bytes(dir / "log.txt").find("--resume"), std::string::npos);
  // Usable: resuming continues from it.
  EXPECT_EQ(run_train({"--config",
                       config.string(),
                       "--output",
                       out.string(),
                       "--resume",
                       "--threads",
                       "1",
                       "--set",
                       "train.max_steps=" + std::to_string(newest + 2)},
                      dir / "log2.txt"),
            0)
      << file_bytes(dir / "log2.txt");
  EXPECT_NE(file_bytes(dir / "log2.txt").find("step " + std::to_string(newest) + ")"),
            std::string::npos)
      << file_bytes(dir / "log2.txt");
  EXPECT_TRUE(fs::exists(out / "best" / "model.safetensors"));
}

// kill -9 at a random moment after the first checkpoint (and once while a checkpoint is being
// written), resume until done: the final weights are bitwise those of the uninterrupted run.
TEST(TrainerCli, KillAndResumeIsBitwiseIdentical) {
  REQUIRE_TRAIN_BINARY();
  TempRunDir dir("cli_kill");
  testing::write_toy_data(dir.path());
  const int64_t steps = 120;
  const auto config = write_config(dir / "c.json", long_config(dir.path(), steps));
  auto args = [&](const fs::path& out, bool resume) {
    std::vector<std::string> a = {
        "--config", config.string(), "--output", out.string(), "--threads", "1"};
    if (resume) a.push_back("--resume");
    return a;
  };
  const auto reference = dir / "reference";
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(run_train(args(reference, false), dir / "ref.txt"), 0) << file_bytes(dir / "ref.txt");
  const double run_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  const auto final_weights = file_bytes(reference / "checkpoints" /
                                        ("step-" + std::to_string(steps)) / "model.safetensors");
  ASSERT_FALSE(final_weights.empty());

  std::mt19937 rng(std::random_device{}());
  for (const bool during_write : {false, true}) {
    SCOPED_TRACE(during_write ? "killed while writing a checkpoint" : "killed at a random moment");
    const auto out = dir / (during_write ? "cut_write" : "cut_random");
    int kills = 0;
    bool killed_in_write = false;
    for (int attempt = 0; attempt < 2; ++attempt) {
      const pid_t pid = spawn(args(out, attempt > 0), dir / "cut.txt");
      if (!wait_for_checkpoint(pid, out)) {
        wait_for(pid);
        break;  // finished before a kill could land
      }
      if (during_write) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (!writing_checkpoint(out) && std::chrono::steady_clock::now() < deadline) {
        }
        killed_in_write = writing_checkpoint(out);
      } else {
        std::uniform_real_distribution<double> delay(0.0, 0.4 * run_ms);
        std::this_thread::sleep_for(std::chrono::microseconds(int64_t(1000 * delay(rng))));
      }
      ::kill(pid, SIGKILL);
      const int code = wait_for(pid);
      if (code == 128 + SIGKILL) ++kills;
    }
    ASSERT_EQ(run_train(args(out, true), dir / "resume.txt"), 0) << file_bytes(dir / "resume.txt");
    EXPECT_GE(kills, 1);
    if (during_write && !killed_in_write) {
      std::cout << "[ NOTE ] no kill landed inside a checkpoint write this time\n";
    }
    EXPECT_EQ(
        file_bytes(out / "checkpoints" / ("step-" + std::to_string(steps)) / "model.safetensors"),
        final_weights);
  }
}

}  // namespace
}  // namespace sentzoo
