// Mixed precision: the fp16 loss scaler's state machine, bf16 training on CPU, and bf16 vs fp32
// on a short real run (Chinese STS-B) reaching the same dev Spearman within 0.02.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <vector>

#include "tests/test_util.h"
#include "tests/train/trainer_test_util.h"
#include "train/grad_scaler.h"
#include "train/trainer.h"

namespace sentzoo {
namespace {

using testing::TempRunDir;
using testing::to_config;
using testing::toy_config;

TEST(TrainerGradScaler, BacksOffOnOverflowAndGrowsAfterCleanSteps) {
  GradScalerConfig config;
  config.init_scale = 1024;
  config.growth_interval = 3;
  GradScaler scaler(config);
  auto p = torch::ones({3}, torch::requires_grad());
  (scaler.scale((p * torch::tensor({1.0f, 2.0f, 3.0f})).sum())).backward();
  EXPECT_TRUE(scaler.unscale_and_check({p}));
  EXPECT_TRUE(torch::equal(p.grad(), torch::tensor({1.0f, 2.0f, 3.0f})));  // exact: 2^10
  scaler.update(true);
  scaler.update(true);
  EXPECT_EQ(scaler.current_scale(), 1024);
  scaler.update(true);
  EXPECT_EQ(scaler.current_scale(), 2048);  // grown after 3 clean steps
  EXPECT_EQ(scaler.clean_steps_since_growth(), 0);

  p.mutable_grad().fill_(std::numeric_limits<float>::infinity());
  EXPECT_FALSE(scaler.unscale_and_check({p}));
  scaler.update(false);
  EXPECT_EQ(scaler.current_scale(), 1024);
  EXPECT_EQ(scaler.skipped_steps(), 1);
  p.mutable_grad().fill_(std::nanf(""));
  EXPECT_FALSE(scaler.unscale_and_check({p}));
  scaler.update(false);
  EXPECT_EQ(scaler.current_scale(), 512);
  EXPECT_EQ(scaler.skipped_steps(), 2);

  GradScaler restored(config);
  restored.restore(512, 2, 2);
  EXPECT_EQ(restored.current_scale(), 512);
  restored.update(true);
  EXPECT_EQ(restored.current_scale(), 1024);
}

TEST(TrainerAmp, Bf16TrainsOnCpu) {
  TempRunDir dir("bf16");
  testing::write_toy_data(dir.path());
  auto j = toy_config(dir.path());
  j["train"]["amp"] = "bf16";
  j["train"]["max_steps"] = 30;
  j["data"]["dev"] = j["data"]["train"];
  std::vector<double> losses;
  TrainHooks hooks;
  hooks.on_step = [&](const StepReport& s) { losses.push_back(s.loss); };
  const auto result = run_training(to_config(j), dir / "out", false, hooks);
  ASSERT_EQ(losses.size(), 30u);
  for (double l : losses) EXPECT_TRUE(std::isfinite(l));
  EXPECT_LT(losses.back(), 0.6 * losses.front());
  EXPECT_TRUE(std::isfinite(result.best_metric));
  // Weights stay fp32 (autocast computes in bf16, the master copy is fp32).
  const auto weights =
      testing::read_tensors(dir / "out" / "checkpoints" / "step-30" / "model.safetensors");
  for (const auto& [name, t] : weights) EXPECT_EQ(t.scalar_type(), torch::kFloat) << name;
}

// Chinese STS-B, the tiny RoFormerV2 preset shrunk to a few hundred steps: bf16 and fp32 reach
// dev Spearman within 0.02, averaged over three seeds. One seed is not enough: the seed-to-seed
// spread of a single 300-step run is itself ~0.02 (seeds 1-3 differ by 0.001-0.008 between fp32
// and bf16, another seed by 0.028), so a one-seed comparison would test the dropout stream.
TEST(TrainerAmp, Bf16MatchesFp32OnChineseStsB) {
  SENTZOO_REQUIRE_DATA(train_file, "zh/STS-B/STS-B.train.data");
  const char* slow = std::getenv("SENTZOO_SLOW_TESTS");
  if (!slow || std::string(slow) != "1") {
    GTEST_SKIP() << "slow (about two minutes on 2 cores): set SENTZOO_SLOW_TESTS=1 to run";
  }
  const auto preset =
      std::filesystem::path(SENTZOO_TEST_SOURCE_DIR) / "configs" / "tiny-roformer-v2-cosent.json";
  auto j = read_json_file(preset.string());
  j["train"]["max_steps"] = 300;
  j["train"]["eval_every"] = 0;
  j["train"]["checkpoint_every"] = 0;
  TempRunDir dir("bf16_stsb");
  std::map<std::string, double> mean_spearman;
  const std::vector<int> seeds = {1, 2, 3};
  for (int seed : seeds) {
    j["train"]["seed"] = seed;
    for (const char* amp : {"off", "bf16"}) {
      j["train"]["amp"] = amp;
      const auto start = std::chrono::steady_clock::now();
      const auto out = dir / (std::string(amp) + "-" + std::to_string(seed));
      const auto result = run_training(to_config(j), out, false);
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      mean_spearman[amp] += result.best_metric / double(seeds.size());
      std::cout << "[ MEASURE ] seed " << seed << " amp " << amp << ": dev Spearman "
                << result.best_metric << " after " << result.steps_done << " steps in " << seconds
                << " s\n";
    }
  }
  EXPECT_GT(mean_spearman["off"], 0.3);
  EXPECT_NEAR(mean_spearman["bf16"], mean_spearman["off"], 0.02);
}

}  // namespace
}  // namespace sentzoo
