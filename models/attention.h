#pragma once
// Multi-head self-attention, written by hand (no SDPA in LibTorch 1.13, TOOLCHAIN.md §7); on
// LibTorch 2.x optionally fused where no dropout applies (compat::set_fused_attention_enabled):
// q/k/v/o projections, optional RoPE on q and k, key-padding mask, softmax in fp32.

#include <torch/torch.h>

#include "models/rotary.h"

namespace sentzoo {

namespace detail {
/// softmax(q k^T / sqrt(D) masked) v with scores and softmax in fp32; on LibTorch 2.x the fused
/// compat::fused_attention when enabled and no dropout applies (compat::fused_attention_enabled()).
/// q, k, v: (B, H, T, D); key_mask: (B, T) with 1 = keep, 0 = padding -> (B, H, T, D).
torch::Tensor masked_attention(const torch::Tensor& q,
                               const torch::Tensor& k,
                               const torch::Tensor& v,
                               const torch::Tensor& key_mask,
                               double dropout_p,
                               bool training);
}  // namespace detail

struct MultiHeadSelfAttentionImpl : torch::nn::Module {
  MultiHeadSelfAttentionImpl(
      int64_t hidden, int64_t heads, bool bias, bool rotary, double rope_theta, double dropout);
  /// x: (B, T, h), key_mask: (B, T) -> (B, T, h)
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& key_mask);
  torch::nn::Linear q{nullptr}, k{nullptr}, v{nullptr}, o{nullptr};
  RotaryEmbedding rope{nullptr};  // null for absolute-position models
  const int64_t heads;
  const double dropout;
};
TORCH_MODULE(MultiHeadSelfAttention);

}  // namespace sentzoo
