#include "core/compat.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "models/attention.h"
#include "tests/fused_attention_setting.h"

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

namespace {

using testing::FusedAttentionSetting;

torch::Tensor hand_written_attention(const torch::Tensor& q,
                                     const torch::Tensor& k,
                                     const torch::Tensor& v,
                                     const torch::Tensor& key_mask) {
  FusedAttentionSetting off(false);
  return detail::masked_attention(q, k, v, key_mask, /*dropout_p=*/0.0, /*training=*/false);
}

}  // namespace

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
    EXPECT_FALSE(compat::fused_attention_enabled());
    EXPECT_THROW(compat::fused_attention(q, k, v, key_mask), std::logic_error);
    GTEST_SKIP() << "LibTorch " << TORCH_VERSION << " has no at::scaled_dot_product_attention";
  }
  EXPECT_FALSE(compat::fused_attention_enabled());  // off by default (measured slower, §8b)
  for (const auto& mask : {key_mask, torch::Tensor()}) {
    auto expected = hand_written_attention(q, k, v, mask);
    auto fused = compat::fused_attention(q, k, v, mask);
    ASSERT_EQ(fused.sizes(), expected.sizes());
    EXPECT_LE((fused - expected).abs().max().item<double>(), 1e-5);
    // The models' entry point takes the fused path when it is enabled and gives the same.
    FusedAttentionSetting on(true);
    auto dispatched = detail::masked_attention(q, k, v, mask, 0.0, /*training=*/false);
    EXPECT_LE((dispatched - fused).abs().max().item<double>(), 1e-6);
  }
  // The all-padding row attends uniformly: the mean of v over the keys, as the hand-written one.
  auto uniform = v.index({2}).mean(/*dim=*/-2, /*keepdim=*/true).expand({H, T, D});
  EXPECT_LE(
      (compat::fused_attention(q, k, v, key_mask).index({2}) - uniform).abs().max().item<double>(),
      1e-5);
}

// Training with attention dropout 0 takes the fused path: its gradients equal the hand-written
// path's within 1e-5 in fp32; float64 keeps the hand-written path (bitwise the same).
TEST(FusedAttention, GradientsMatchHandWrittenAttention) {
  if (!compat::kHasFusedAttention) GTEST_SKIP() << "LibTorch " << TORCH_VERSION << " has no SDPA";
  for (const auto dtype : {torch::kDouble, torch::kFloat}) {
    torch::manual_seed(11);
    const auto opts = torch::TensorOptions().dtype(dtype);
    auto q0 = torch::randn({2, 3, 7, 8}, opts), k0 = torch::randn({2, 3, 7, 8}, opts);
    auto v0 = torch::randn({2, 3, 7, 8}, opts), w = torch::randn({2, 3, 7, 8}, opts);
    auto key_mask = torch::ones({2, 7}, torch::kLong);
    key_mask.index_put_({0, torch::indexing::Slice(4)}, 0);
    auto grads = [&](bool fused) {
      FusedAttentionSetting setting(fused);
      auto q = q0.clone().requires_grad_(), k = k0.clone().requires_grad_();
      auto v = v0.clone().requires_grad_();
      (detail::masked_attention(q, k, v, key_mask, 0.0, /*training=*/true) * w).sum().backward();
      return std::vector<torch::Tensor>{q.grad(), k.grad(), v.grad()};
    };
    const auto fused = grads(true), reference = grads(false);
    for (size_t i = 0; i < fused.size(); ++i) {
      if (dtype == torch::kDouble) {
        EXPECT_TRUE(torch::equal(fused[i], reference[i])) << "float64 gradient " << i;
      } else {
        EXPECT_LE((fused[i] - reference[i]).abs().max().item<double>(), 1e-5) << "fp32 gradient " << i;
      }
    }
  }
}

// bf16 (as under autocast, where q and k arrive in fp32 after RoPE): within bf16's resolution of
// the hand-written path, whose scores and softmax are fp32 too. fp16 is refused.
TEST(FusedAttention, Bf16MatchesHandWrittenWithinBf16Resolution) {
  if (!compat::kHasFusedAttention) GTEST_SKIP() << "LibTorch " << TORCH_VERSION << " has no SDPA";
  torch::manual_seed(5);
  auto q = torch::randn({2, 4, 33, 16}), k = torch::randn({2, 4, 33, 16});
  auto v = torch::randn({2, 4, 33, 16}).to(torch::kBFloat16);
  auto key_mask = torch::ones({2, 33}, torch::kLong);
  key_mask.index_put_({1, torch::indexing::Slice(20)}, 0);
  torch::Tensor fused, reference;
  {
    compat::AutocastGuard amp(/*enabled=*/true);
    fused = compat::fused_attention(q, k, v, key_mask);
    reference = hand_written_attention(q, k, v, key_mask);
  }
  EXPECT_EQ(fused.scalar_type(), torch::kBFloat16);
  EXPECT_EQ(reference.scalar_type(), torch::kBFloat16);
  const auto diff = (fused.to(torch::kFloat) - reference.to(torch::kFloat)).abs();
  EXPECT_LE(diff.max().item<double>(), 0.03);
  EXPECT_LE(diff.mean().item<double>(), 0.004);
  for (const auto dtype : {torch::kHalf, torch::kDouble}) {
    auto x = torch::randn({1, 2, 3, 4}).to(dtype);
    EXPECT_THROW(compat::fused_attention(x, x, x, torch::ones({1, 3})), std::invalid_argument);
  }
}

// With attention dropout in training the hand-written path runs (SDPA's CPU flash kernel takes no
// dropout): the same seed gives bitwise the same output whether fusion is on or off.
TEST(FusedAttention, DropoutInTrainingKeepsTheHandWrittenPath) {
  auto q = torch::randn({2, 2, 5, 8}), k = torch::randn({2, 2, 5, 8}), v = torch::randn({2, 2, 5, 8});
  auto run = [&](bool fused) {
    FusedAttentionSetting setting(fused);
    torch::manual_seed(3);
    return detail::masked_attention(q, k, v, torch::Tensor(), 0.25, /*training=*/true);
  };
  EXPECT_TRUE(torch::equal(run(true), run(false)));
}

}  // namespace sentzoo
