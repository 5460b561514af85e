// The counter-based dropout (models/dropout.h): the SplitMix64 stream against its published
// outputs, keep rates and pair independence within binomial bounds, thread-count invariance,
// reproducibility under torch::manual_seed, and the gradient.

#include <ATen/Parallel.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdint>

#include "models/dropout.h"

namespace sentzoo {
namespace {

// u32 of element i for seed 0: halves of SplitMix64's first outputs from state 0, as printed by
// the reference splitmix64.c (Vigna, prng.di.unimi.it): 0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4.
constexpr uint32_t kU0 = 0x7b1dcdafu, kU1 = 0xe220a839u, kU2 = 0xa1b965f4u, kU3 = 0x6e789e6au;

bool dropped_at(uint32_t u, uint32_t threshold_u) {
  // p = threshold / 2^32 drops exactly the elements whose uniform is below the threshold.
  auto mask = dropout_mask({4}, torch::kDouble, std::ldexp(double(threshold_u), -32), /*seed=*/0);
  const uint32_t us[4] = {kU0, kU1, kU2, kU3};
  for (int i = 0; i < 4; ++i)
    if (us[i] == u) return mask[i].item<double>() == 0;
  ADD_FAILURE() << "unknown u";
  return false;
}

TEST(FastDropout, UniformsAreTheSplitMix64ReferenceStream) {
  for (uint32_t u : {kU0, kU1, kU2, kU3}) {
    EXPECT_FALSE(dropped_at(u, u)) << std::hex << u;     // u < u is false: kept
    EXPECT_TRUE(dropped_at(u, u + 1)) << std::hex << u;  // u < u + 1: dropped
  }
}

TEST(FastDropout, KeepRateAndScaleWithinBinomialBounds) {
  const int64_t n = 1 << 20;
  for (double p : {0.1, 0.5, 0.9}) {
    auto mask = dropout_mask({n}, torch::kDouble, p, /*seed=*/1234);
    const double keep = 1.0 / (1.0 - p);
    auto kept = mask.eq(keep);
    EXPECT_TRUE(kept.logical_or(mask.eq(0)).all().item<bool>()) << "values other than 0, 1/(1-p)";
    const double rate = kept.to(torch::kDouble).mean().item<double>();
    const double sigma = std::sqrt(p * (1 - p) / double(n));
    EXPECT_NEAR(rate, 1 - p, 5 * sigma) << "p " << p;
    // Both halves of one 64-bit draw, and neighbouring draws, must be independent.
    auto k = kept.to(torch::kDouble);
    for (int64_t lag : {1, 2, 3}) {
      const double both =
          (k.slice(0, 0, n - lag) * k.slice(0, lag, n)).mean().item<double>();
      const double q = (1 - p) * (1 - p);
      EXPECT_NEAR(both, q, 5 * std::sqrt(q * (1 - q) / double(n))) << "p " << p << " lag " << lag;
    }
  }
}

TEST(FastDropout, MaskIsAPrefixOfLongerMasksAndIgnoresThreadCount) {
  const int before = at::get_num_threads();
  at::set_num_threads(1);
  auto one = dropout_mask({100003}, torch::kFloat, 0.3, 99);
  at::set_num_threads(2);
  auto two = dropout_mask({100003}, torch::kFloat, 0.3, 99);
  at::set_num_threads(before);
  EXPECT_TRUE(one.equal(two));
  auto shorter = dropout_mask({7}, torch::kFloat, 0.3, 99);  // odd length: last element alone
  EXPECT_TRUE(shorter.equal(one.slice(0, 0, 7)));
  EXPECT_FALSE(dropout_mask({100003}, torch::kFloat, 0.3, 100).equal(one));
}

TEST(FastDropout, ReproducibleUnderManualSeedAndIdentityWhenOff) {
  auto x = torch::randn({4, 6, 33});
  torch::manual_seed(7);
  auto a = fast_dropout(x, 0.2, /*training=*/true);
  auto b = fast_dropout(x, 0.2, /*training=*/true);
  torch::manual_seed(7);
  EXPECT_TRUE(fast_dropout(x, 0.2, true).equal(a));
  EXPECT_FALSE(a.equal(b));  // consecutive calls draw new seeds
  EXPECT_TRUE(fast_dropout(x, 0.2, /*training=*/false).is_same(x));
  EXPECT_TRUE(fast_dropout(x, 0.0, true).is_same(x));
  EXPECT_TRUE(fast_dropout(x, 1.0, true).eq(0).all().item<bool>());
  // Just below 1 the threshold saturates at 2^32 - 1 instead of wrapping to "drop nothing".
  EXPECT_TRUE(dropout_mask({4096}, torch::kFloat, 1 - 1e-12, 5).eq(0).all().item<bool>());

  FastDropout module(0.2);
  module->eval();
  EXPECT_TRUE(module(x).is_same(x));
  module->train();
  torch::manual_seed(7);
  EXPECT_TRUE(module(x).equal(a));
}

TEST(FastDropout, GradientIsTheSameMaskAndBf16Works) {
  auto x = torch::randn({8, 16}, torch::kDouble).requires_grad_();
  torch::manual_seed(3);
  auto y = fast_dropout(x, 0.25, true);
  auto g = torch::randn_like(y);
  y.backward(g);
  auto mask = y.detach() / x.detach();  // x has no zeros almost surely
  EXPECT_TRUE(torch::allclose(x.grad(), g * mask, 0, 1e-12));

  auto h = torch::randn({64, 64}).to(torch::kBFloat16);
  auto out = fast_dropout(h, 0.1, true);
  EXPECT_EQ(out.scalar_type(), torch::kBFloat16);
  const double zeros = out.eq(0).to(torch::kDouble).mean().item<double>();
  EXPECT_NEAR(zeros, 0.1, 5 * std::sqrt(0.09 / 4096));
}

}  // namespace
}  // namespace sentzoo
