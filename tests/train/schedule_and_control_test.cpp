#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "train/grad_scaler.h"
#include "train/lr_schedule.h"
#include "train/objectives/mlm_masking.h"
#include "train/run_control.h"
#include "train/task_sampler.h"

namespace sentzoo {

// transformers/optimization.py, written out independently of lr_multiplier.
static double hf_linear(int64_t s, int64_t total, int64_t warmup) {
  if (s < warmup) return double(s) / double(std::max<int64_t>(1, warmup));
  return std::max(0.0, double(total - s) / double(std::max<int64_t>(1, total - warmup)));
}
static double hf_cosine(int64_t s, int64_t total, int64_t warmup) {
  if (s < warmup) return double(s) / double(std::max<int64_t>(1, warmup));
  const double progress = double(s - warmup) / double(std::max<int64_t>(1, total - warmup));
  return std::max(0.0, 0.5 * (1.0 + std::cos(M_PI * 0.5 * 2.0 * progress)));
}

TEST(LrSchedule, MatchesTransformersSchedulesAtEveryStep) {
  for (int64_t warmup : {0, 1, 7}) {
    for (int64_t s = 0; s <= 40; ++s) {
      EXPECT_NEAR(
          lr_multiplier(LrSchedule::kLinear, s, 40, warmup), hf_linear(s, 40, warmup), 1e-12);
      EXPECT_NEAR(
          lr_multiplier(LrSchedule::kCosine, s, 40, warmup), hf_cosine(s, 40, warmup), 1e-12);
      EXPECT_DOUBLE_EQ(lr_multiplier(LrSchedule::kConstant, s, 40, warmup),
                       s < warmup ? double(s) / warmup : 1.0);
    }
  }
  EXPECT_NEAR(lr_multiplier(LrSchedule::kLinear, 40, 40, 0, /*min_ratio=*/0.1), 0.1, 1e-12);
  EXPECT_THROW(parse_lr_schedule("cosin"), std::invalid_argument);
}

TEST(LrSchedule, ResidualRampRisesLinearlyToOne) {
  EXPECT_DOUBLE_EQ(residual_ramp(0, 100), 0.0);
  EXPECT_DOUBLE_EQ(residual_ramp(25, 100), 0.25);
  EXPECT_DOUBLE_EQ(residual_ramp(500, 100), 1.0);
  EXPECT_DOUBLE_EQ(residual_ramp(3, 0), 1.0);
}

TEST(GradScaler, SkipsAndBacksOffOnOverflowGrowsAfterInterval) {
  GradScaler scaler({/*init_scale=*/8.0,
                     /*growth_factor=*/2.0,
                     /*backoff_factor=*/0.5,
                     /*growth_interval=*/3});
  auto w = torch::ones({2}, torch::requires_grad());
  scaler.scale((w * 3).sum()).backward();
  EXPECT_TRUE(scaler.unscale_and_check({w}));
  EXPECT_TRUE(torch::allclose(w.grad(), torch::full({2}, 3.0)));  // unscaled exactly
  scaler.update(true);
  w.mutable_grad().fill_(std::numeric_limits<float>::infinity());
  EXPECT_FALSE(scaler.unscale_and_check({w}));
  scaler.update(false);
  EXPECT_DOUBLE_EQ(scaler.current_scale(), 4.0);
  EXPECT_EQ(scaler.skipped_steps(), 1);
  for (int i = 0; i < 3; ++i) scaler.update(true);
  EXPECT_DOUBLE_EQ(scaler.current_scale(), 8.0);
}

TEST(MlmMasking, CorruptsFifteenPercentWith80_10_10) {
  const int64_t B = 64, T = 256, V = 1000, kMask = 3, kPad = 0;
  auto gen = at::detail::createCPUGenerator(/*seed_in=*/123);
  auto ids = torch::randint(10, V, {B, T}, torch::kLong);
  auto mask = torch::ones({B, T}, torch::kLong);
  mask.slice(1, T - 56).fill_(0);  // padding at the end of every row
  ids.masked_fill_(mask.eq(0), kPad);
  ids.select(1, 0).fill_(1);  // a special token ([CLS]) in every row
  const auto out = mask_tokens(ids, mask, {1, 2}, kMask, V, {}, gen);
  const auto chosen = out.labels.ne(kIgnoreIndex);
  const double eligible = double(B * (T - 56 - 1));
  const double n_chosen = chosen.sum().item<double>();
  EXPECT_NEAR(n_chosen / eligible, 0.15, 0.01);
  EXPECT_EQ(chosen.logical_and(mask.eq(0)).sum().item<int64_t>(), 0);  // never padding
  EXPECT_EQ(chosen.select(1, 0).sum().item<int64_t>(), 0);             // never specials
  EXPECT_TRUE(torch::equal(out.labels.masked_select(chosen), ids.masked_select(chosen)));
  EXPECT_TRUE(torch::equal(out.input_ids.masked_select(chosen.logical_not()),
                           ids.masked_select(chosen.logical_not())));
  const double masked = out.input_ids.eq(kMask).logical_and(chosen).sum().item<double>();
  const double unchanged = out.input_ids.eq(ids).logical_and(chosen).sum().item<double>();
  EXPECT_NEAR(masked / n_chosen, 0.8, 0.03);
  EXPECT_NEAR(unchanged / n_chosen, 0.1 + 0.1 / V, 0.02);
  // Same generator seed, same corruption.
  auto gen2 = at::detail::createCPUGenerator(123);
  EXPECT_TRUE(
      torch::equal(mask_tokens(ids, mask, {1, 2}, kMask, V, {}, gen2).input_ids, out.input_ids));
}

TEST(RunControl, CpuRngStateRestoresTheSameDraws) {
  torch::manual_seed(7);
  torch::rand({3});
  const auto state = cpu_rng_state();
  const auto first = torch::rand({5});
  torch::rand({11});
  set_cpu_rng_state(state);
  EXPECT_TRUE(torch::equal(torch::rand({5}), first));
}

TEST(RunControl, DerivedSeedsAreStableAndDistinct) {
  EXPECT_EQ(derived_seed(1, 2, 3), derived_seed(1, 2, 3));
  EXPECT_NE(derived_seed(1, 2, 3), derived_seed(1, 2, 4));
  EXPECT_NE(derived_seed(1, 2, 3), derived_seed(1, 3, 3));
  EXPECT_NE(derived_seed(1, 2, 3), derived_seed(2, 2, 3));
}

TEST(RunControl, StopRequestIsRecorded) {
  EXPECT_EQ(stop_requested(), 0);
  request_stop(SIGTERM);
  EXPECT_EQ(stop_requested(), SIGTERM);
  request_stop(0);
}

TEST(TaskSampler, FrequenciesFollowTheSamplingRule) {
  const std::vector<double> sizes = {100, 300, 600};
  TaskSampler proportional(sizes, TaskSampling::kProportional, 1.0, 42);
  TaskSampler temperature(sizes, TaskSampling::kTemperature, 2.0, 42);
  const double z = std::sqrt(100.0) + std::sqrt(300.0) + std::sqrt(600.0);
  EXPECT_NEAR(temperature.probabilities()[2], std::sqrt(600.0) / z, 1e-12);
  std::vector<int> counts(3);
  const int n = 20000;
  for (int s = 0; s < n; ++s) ++counts[proportional.task_at(s)];
  for (int t = 0; t < 3; ++t) EXPECT_NEAR(counts[t] / double(n), sizes[t] / 1000.0, 0.015);
  EXPECT_EQ(proportional.task_at(1234), proportional.task_at(1234));  // stateless in the step
  TaskSampler rr(sizes, TaskSampling::kRoundRobin, 1.0, 0);
  EXPECT_EQ(rr.task_at(0), 0u);
  EXPECT_EQ(rr.task_at(4), 1u);
  EXPECT_THROW(parse_task_sampling("random"), std::invalid_argument);
}

}  // namespace sentzoo
