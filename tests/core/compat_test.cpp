#include "core/compat.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "models/attention.h"

namespace sentzoo {

TEST(AutocastGuard, MakesCpuLinearBf16AndRestoresState) {
  auto x = torch::randn({4, 8});
  auto w = torch::randn({3, 8});
  ASSERT_FALSE(compat::autocast_active());
  {
    compat::AutocastGuard amp(/*enabled=*/true);
    EXPECT_TRUE(compat::autocast_active());
    EXPECT_EQ(torch::linear(x, w).scalar_type(), torch::kBFloat16);
    {
      compat::AutocastGuard nested(/*enabled=*/true);
      EXPECT_TRUE(compat::autocast_active());
    }
    EXPECT_TRUE(compat::autocast_active());
  }
  EXPECT_FALSE(compat::autocast_active());
  EXPECT_EQ(torch::linear(x, w).scalar_type(), torch::kFloat);
}

TEST(AutocastGuard, DisabledGuardChangesNothing) {
  compat::AutocastGuard amp(/*enabled=*/false);
  EXPECT_FALSE(compat::autocast_active());
}

TEST(AutocastGuard, RejectsFp16OnCpuAndLeavesAutocastOff) {
  EXPECT_THROW(compat::AutocastGuard(true, c10::DeviceType::CPU, c10::ScalarType::Half),
               std::invalid_argument);
  EXPECT_FALSE(compat::autocast_active());
}

// The fused path (LibTorch 2.x) against the hand-written attention of the models, the reference
// (TOOLCHAIN.md §10): padded keys, a row whose keys are all padding, and no mask at all.
TEST(FusedAttention, MatchesHandWrittenAttentionWithin1e5) {
  torch::manual_seed(7);
  const int64_t B = 3, H = 4, T = 9, D = 16;
  auto q = torch::randn({B, H, T, D}) * 2, k = torch::randn({B, H, T, D}) * 2;
  auto v = torch::randn({B, H, T, D});
  auto key_mask = torch::ones({B, T}, torch::kLong);
  key_mask.index_put_({1, torch::indexing::Slice(5)}, 0);  // 5 valid keys
  key_mask.index_put_({2}, 0);                             // no valid key: uniform rows
  if (!compat::kHasFusedAttention) {
    EXPECT_THROW(compat::fused_attention(q, k, v, key_mask), std::logic_error);
    GTEST_SKIP() << "LibTorch " << TORCH_VERSION << " has no at::scaled_dot_product_attention";
  }
  for (const auto& mask : {key_mask, torch::Tensor()}) {
    auto expected = detail::masked_attention(q, k, v, mask, /*dropout_p=*/0.0, /*training=*/false);
    auto fused = compat::fused_attention(q, k, v, mask);
    ASSERT_EQ(fused.sizes(), expected.sizes());
    EXPECT_LE((fused - expected).abs().max().item<double>(), 1e-5);
  }
  // The all-padding row attends uniformly: the mean of v over the keys, as the hand-written one.
  auto uniform = v.index({2}).mean(/*dim=*/-2, /*keepdim=*/true).expand({H, T, D});
  EXPECT_LE(
      (compat::fused_attention(q, k, v, key_mask).index({2}) - uniform).abs().max().item<double>(),
      1e-5);
}

TEST(FusedAttention, RejectsBf16AndAutocast) {
  if (!compat::kHasFusedAttention) GTEST_SKIP() << "LibTorch " << TORCH_VERSION << " has no SDPA";
  auto x = torch::randn({1, 2, 3, 4});
  auto mask = torch::ones({1, 3}, torch::kLong);
  auto bf = x.to(torch::kBFloat16);
  EXPECT_THROW(compat::fused_attention(bf, bf, bf, mask), std::invalid_argument);
  compat::AutocastGuard amp(/*enabled=*/true);
  EXPECT_THROW(compat::fused_attention(x, x, x, mask), std::invalid_argument);
}

}  // namespace sentzoo
