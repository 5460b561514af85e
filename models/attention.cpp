// Multi-head self-attention (REFERENCE.md §1.1 MHA and RoPE rows; HF BertSelfAttention).

#include "models/attention.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "core/compat.h"
#include "models/dropout.h"
#include "models/script.h"

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

std::string masked_attention_script(ScriptWriter& s,
                                    const std::string& q,
                                    const std::string& k,
                                    const std::string& v,
                                    const std::string& key_mask,
                                    int64_t head_dim) {
  s.define("_masked_attention",
           fmt::format(R"TS(
def _masked_attention(self, q: Tensor, k: Tensor, v: Tensor, key_mask: Optional[Tensor], scale: float) -> Tensor:
    scores = torch.matmul(q, k.transpose(-1, -2)).float() * scale
    if key_mask is not None:
        pad = (key_mask == 0).view([key_mask.size(0), 1, 1, key_mask.size(1)])
        scores = scores.masked_fill(pad, {lowest})
    probs = torch.softmax(scores, -1)
    return torch.matmul(probs.to(v.dtype), v)
)TS",
                       fmt::arg("lowest", ScriptWriter::lowest())));
  const double scale = 1.0 / std::sqrt(static_cast<double>(head_dim));
  return fmt::format(
      "self._masked_attention({}, {}, {}, {}, {})", q, k, v, key_mask, ScriptWriter::lit(scale));
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

std::string MultiHeadSelfAttentionImpl::script(ScriptWriter& s,
                                               const std::string& x,
                                               const std::string& key_mask) const {
  // One method per head count (and RoPE or not), taking each layer's weights as arguments.
  const std::string name = fmt::format("_self_attention_{}{}", heads, rope ? "_rope" : "");
  std::string rope_q, rope_k;
  if (rope) {
    rope_q = "    q = " + rope->script(s, "q") + "\n";
    rope_k = "    k = " + rope->script(s, "k") + "\n";
  }
  s.define(name,
           fmt::format(R"TS(
def {name}(self, x: Tensor, key_mask: Optional[Tensor], qw: Tensor, qb: Optional[Tensor], kw: Tensor, kb: Optional[Tensor], vw: Tensor, vb: Optional[Tensor], ow: Tensor, ob: Optional[Tensor]) -> Tensor:
    B = x.size(0)
    T = x.size(1)
    h = x.size(2)
    D = h // {heads}
    q = torch.linear(x, qw, qb).view([B, T, {heads}, D]).transpose(1, 2)
    k = torch.linear(x, kw, kb).view([B, T, {heads}, D]).transpose(1, 2)
    v = torch.linear(x, vw, vb).view([B, T, {heads}, D]).transpose(1, 2)
{rope_q}{rope_k}    ctx = {attention}
    return torch.linear(ctx.transpose(1, 2).reshape([B, T, h]), ow, ob)
)TS",
                       fmt::arg("name", name),
                       fmt::arg("heads", heads),
                       fmt::arg("rope_q", rope_q),
                       fmt::arg("rope_k", rope_k),
                       fmt::arg("attention",
                                detail::masked_attention_script(
                                    s, "q", "k", "v", "key_mask", q->weight.size(0) / heads))));
  std::string args = x + ", " + key_mask;
  for (const auto* lin : {&q, &k, &v, &o})
    args += ", " + s.weight((*lin)->weight) + ", " + s.optional_weight((*lin)->bias);
  return fmt::format("self.{}({})", name, args);
}

}  // namespace sentzoo
