// Multi-head self-attention (REFERENCE.md §1.1 MHA and RoPE rows; HF BertSelfAttention).

#include "models/attention.h"

#include "core/compat.h"
#include "models/dropout.h"

#include <cmath>
#include <limits>

namespace sentzoo {

namespace detail {

torch::Tensor masked_attention(const torch::Tensor& q,
                               const torch::Tensor& k,
                               const torch::Tensor& v,
                               const torch::Tensor& key_mask,
                               double dropout_p,
                               bool training) {
  // LibTorch 2.x, when enabled (off by default: measured slower here, core/compat.h): one fused
  // kernel (no T x T scores in memory) where no dropout is asked for: inference, and training
  // with attention dropout 0 (issue #11).
  if (compat::fused_attention_enabled() && (dropout_p == 0 || !training) &&
      compat::fused_attention_supports(v.scalar_type())) {
    return compat::fused_attention(q, k, v, key_mask);
  }
  const double scale = 1.0 / std::sqrt(static_cast<double>(q.size(-1)));
  // Scores in fp32 under bf16 autocast (REFERENCE §12); RoPE is applied before the scaling.
  auto scores = torch::matmul(q, k.transpose(-1, -2)).to(torch::kFloat) * scale;  // (B, H, T, T)
  if (key_mask.defined()) {
    // Padded keys get the lowest finite value (as HF's finfo.min): a row with no valid key stays
    // finite (uniform) instead of NaN.
    auto pad = (key_mask == 0).view({key_mask.size(0), 1, 1, key_mask.size(1)});
    scores = scores.masked_fill(pad, std::numeric_limits<float>::lowest());
  }
  auto probs = torch::softmax(scores, /*dim=*/-1);
  probs = fast_dropout(probs, dropout_p, training);
  return torch::matmul(probs.to(v.scalar_type()), v);  // (B, H, T, D)
}

}  // namespace detail

MultiHeadSelfAttentionImpl::MultiHeadSelfAttentionImpl(
    int64_t hidden, int64_t heads_, bool bias, bool rotary, double rope_theta, double dropout_)
    : heads(heads_), dropout(dropout_) {
  auto linear = [&](const char* name) {
    return register_module(name,
                           torch::nn::Linear(torch::nn::LinearOptions(hidden, hidden).bias(bias)));
  };
  q = linear("q");
  k = linear("k");
  v = linear("v");
  o = linear("o");
  if (rotary) rope = register_module("rope", RotaryEmbedding(hidden / heads, rope_theta));
}

torch::Tensor MultiHeadSelfAttentionImpl::forward(const torch::Tensor& x,
                                                  const torch::Tensor& key_mask) {
  const int64_t B = x.size(0), T = x.size(1), h = x.size(2), D = h / heads;
  auto split = [&](const torch::Tensor& t) { return t.view({B, T, heads, D}).transpose(1, 2); };
  auto qh = split(q(x)), kh = split(k(x)), vh = split(v(x));  // (B, H, T, D)
  if (rope) {
    qh = rope(qh);  // RoPE on q and k only; rotary_value=False (REFERENCE §2)
    kh = rope(kh);
  }
  auto ctx = detail::masked_attention(qh, kh, vh, key_mask, dropout, is_training());
  return o(ctx.transpose(1, 2).reshape({B, T, h}));
}

}  // namespace sentzoo
