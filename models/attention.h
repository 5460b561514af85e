#pragma once
// Multi-head self-attention, written by hand (no SDPA in LibTorch 1.13, TOOLCHAIN.md §7); on
// LibTorch 2.x optionally fused where no dropout applies (compat::set_fused_attention_enabled):
// q/k/v/o projections, optional RoPE on q and k, key-padding mask, softmax in fp32.

#include <torch/torch.h>

#include <string>

#include "models/rotary.h"

namespace sentzoo {

class ScriptWriter;

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
/// Defines the TorchScript twin of masked_attention (without the fused and dropout paths, as in
/// eval mode on LibTorch 1.13) and returns its call on the expressions q, k, v and key_mask
/// (an Optional[Tensor]).
std::string masked_attention_script(ScriptWriter& s,
                                    const std::string& q,
                                    const std::string& k,
                                    const std::string& v,
                                    const std::string& key_mask,
                                    int64_t head_dim);
}  // namespace detail

struct MultiHeadSelfAttentionImpl : torch::nn::Module {
  MultiHeadSelfAttentionImpl(
      int64_t hidden, int64_t heads, bool bias, bool rotary, double rope_theta, double dropout);
  /// x: (B, T, h), key_mask: (B, T) -> (B, T, h)
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& key_mask);
  /// The TorchScript expression equal to forward(x, key_mask) in eval mode (models/script.h).
  std::string script(ScriptWriter& s, const std::string& x, const std::string& key_mask) const;
  torch::nn::Linear q{nullptr}, k{nullptr}, v{nullptr}, o{nullptr};
  RotaryEmbedding rope{nullptr};  // null for absolute-position models
  const int64_t heads;
  const double dropout;
};
TORCH_MODULE(MultiHeadSelfAttention);

}  // namespace sentzoo
