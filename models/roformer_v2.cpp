// RoFormerV2 (kexue.fm/archives/8998; REFERENCE.md §1): presets, rules, init, HF config. The
// block is the shared post-norm block of models/encoder.cpp with this family's switches:
//
//   x = Norm(Dropout(E_tok[ids] + E_seg[seg]))       Norm(x) = x / sqrt(mean(x^2) + eps), no gamma
//   x = Norm(x + Dropout(Attn_rope(x, key_mask)))    q, k, v, o bias-free; RoPE on q and k only
//   x = Norm(x + Dropout(W2 relu(W1 x)))             bias-free FFN
//   sentence vector = x[:, 0]; mlm_logits = x E_tok^T (tied, no bias, no transform)
//
// The ports apply Norm then Dropout after the embeddings (bert4keras the reverse; REFERENCE §1.5).
// The residual ramp x = Norm(x + ramp F(x)) of V2's pretraining (blog 8998, REFERENCE §1.6) is
// TransformerEncoder::set_residual_ramp.

#include "models/roformer_v2.h"

#include <cmath>

#include "models/bert.h"
#include "models/encoder.h"

namespace sentzoo {

// ---- presets ----

EncoderConfig roformer_v2_base() {
  EncoderConfig c;  // REFERENCE §1.1 and §1.4
  c.architecture = Architecture::kRoformerV2;
  c.vocab_size = 12000;
  c.hidden_act = Activation::kRelu;
  c.position_embedding = PositionEmbedding::kRotary;
  c.use_bias = false;
  c.norm_type = NormType::kRmsNorm;
  c.norm_eps = 1e-12;  // the PyTorch/Paddle ports; bert4keras uses 1e-7
  c.with_pooler = false;
  c.mlm_head = MlmHeadType::kTied;
  return c;
}
EncoderConfig roformer_v2_tiny() { return detail::tiny_preset(roformer_v2_base()); }
EncoderConfig roformer_v2_small() { return detail::sized_preset(roformer_v2_base(), 6, 384, 6); }
EncoderConfig roformer_v2_large() { return detail::sized_preset(roformer_v2_base(), 24, 1024, 16); }

// ---- rules ----

namespace {
void validate_roformer_v2(const EncoderConfig& c) {
  detail::require_field(c, "position_embedding", c.position_embedding, PositionEmbedding::kRotary);
  detail::require_field(c, "use_bias", c.use_bias, false);
  detail::require_field(c, "norm_type", c.norm_type, NormType::kRmsNorm);
  detail::require_post_norm_stack(c);
  detail::require_field(c, "mlm_head", c.mlm_head, MlmHeadType::kTied);
  detail::require_hf_embeddings(c);
}
}  // namespace

// ---- init (bert4keras models.py 1224-1233, REFERENCE §1.3) ----

void trunc_normal_(torch::Tensor t, double std) {
  torch::NoGradGuard no_grad;
  // u ~ U(Phi(-2), Phi(2)); x = Phi^-1(u) = sqrt(2) erfinv(2u - 1); x * std lies in [-2std, 2std].
  const double lo = 0.5 * (1.0 + std::erf(-2.0 / std::sqrt(2.0)));
  const double hi = 0.5 * (1.0 + std::erf(2.0 / std::sqrt(2.0)));
  auto u = torch::rand(t.sizes(), torch::kFloat64) * (hi - lo) + lo;
  auto x = torch::erfinv(2.0 * u - 1.0) * std::sqrt(2.0) * std;
  t.copy_(x.clamp(-2.0 * std, 2.0 * std));
}

double roformer_v2_init_std(const torch::Tensor& weight, bool is_embedding, int64_t num_layers) {
  // Keras kernels are [in, out] and the rule reads shape[0]; torch Linear is [out, in].
  int64_t fan = weight.size(1);
  if (is_embedding) {
    const int64_t rows = weight.size(0);
    fan = (rows > 10000 || rows < 10) ? weight.size(1) : rows;
  }
  // 1.13684723 = 1 / std(TruncNormal[-2, 2]), so the truncated draw has std 1/sqrt(fan).
  return 1.13684723 / std::sqrt(static_cast<double>(fan)) /
         std::sqrt(static_cast<double>(num_layers));
}

namespace {

void init_roformer_v2(TransformerEncoderImpl& enc) {
  const int64_t L = enc.config.num_layers;
  for (auto& item : enc.named_parameters()) {
    auto& p = item.value();
    if (p.dim() != 2) continue;  // no biases or norm weights exist in V2
    const bool is_embedding = item.key().rfind("embeddings.", 0) == 0;
    trunc_normal_(p, roformer_v2_init_std(p, is_embedding, L));
  }
}

// ---- Hugging Face config.json (JunnYu's roformer package; REFERENCE §1.5) ----

// V2 is a "roformer" config whose norm_type is not "layer_norm".
bool roformer_v2_claims(const nlohmann::json& hf) {
  return detail::hf_string(hf, "model_type", "") == "roformer" &&
         detail::hf_string(hf, "norm_type", "layer_norm") != "layer_norm";
}
EncoderConfig roformer_v2_from_hf(const nlohmann::json& hf) {
  auto c = roformer_v2_base();
  detail::read_roformer_hf_keys(hf, c);
  return c;
}
void roformer_v2_to_hf(const EncoderConfig& c, nlohmann::json& j) {
  detail::write_roformer_hf_keys(c, "roformer", "rms_norm", j);
}

}  // namespace

const ArchitectureSpec& roformer_v2_spec() {
  // Checkpoint names: the V1/BERT rows minus every bias and LayerNorm entry (the model simply
  // has no such parameters), so no rows of its own.
  static const ArchitectureSpec spec{Architecture::kRoformerV2,
                                     {{"roformer_v2_tiny", roformer_v2_tiny},
                                      {"roformer_v2_small", roformer_v2_small},
                                      {"roformer_v2_base", roformer_v2_base},
                                      {"roformer_v2_large", roformer_v2_large}},
                                     validate_roformer_v2,
                                     init_roformer_v2,
                                     roformer_v2_claims,
                                     roformer_v2_from_hf,
                                     roformer_v2_to_hf,
                                     "roformer.",
                                     {},
                                     /*hf_sinusoidal_table=*/true};
  return spec;
}

}  // namespace sentzoo
