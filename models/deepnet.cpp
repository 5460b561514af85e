// DeepNet (arXiv 2203.00555; torchscale 4d1e0e8; blog 8978; REFERENCE.md §3): constants, presets,
// rules, init, HF config.
//
// The block is the shared post-LN block of models/encoder.cpp (TransformerBlock) with
// alpha = EncoderConfig::residual_alpha() below:
//
//   x = LN(alpha * x + Dropout(Attn(x)))        torchscale residual_connection: residual*alpha + x
//   x = LN(alpha * x + Dropout(FFN(x)))         then LN (normalize_before=False)
//
// with alpha = (2N)^1/4 and init gain beta = (8N)^-1/4 for an N-layer encoder-only model (paper
// Table 1), or Su's Adam constants alpha = (2N)^1/2, beta = (2N)^-1/2 (blog 8978, REFERENCE
// §3.3: Adam's update is -lr sign(g), so the loss moves by lr |g|_1 instead of lr |g|^2, and
// keeping the increment of 2N sublayers O(1) needs each branch's gradient O(1/(2N)) instead of
// O(1/sqrt(2N)); with the symmetric choice beta = 1/alpha that is alpha = (2N)^1/2).
// N = 6: alpha 1.8612, beta 0.3799 (REFERENCE §3.1 worked numbers).

#include "models/deepnet.h"

#include <torch/torch.h>

#include "models/bert.h"
#include "models/encoder.h"

namespace sentzoo {

// ---- constants ----

double EncoderConfig::residual_alpha() const {
  if (!deepnorm) return 1.0;
  if (deepnorm_constants == DeepNormConstants::kAdam)
    return detail::deepnorm_adam_alpha(num_layers);
  return detail::deepnorm_alpha(num_layers);
}

double EncoderConfig::init_beta() const {
  if (!deepnorm) return 1.0;
  if (deepnorm_constants == DeepNormConstants::kAdam) return detail::deepnorm_adam_beta(num_layers);
  return detail::deepnorm_beta(num_layers);
}

// ---- presets ----

EncoderConfig deepnet_base() {
  EncoderConfig c;
  c.architecture = Architecture::kDeepnet;
  c.deepnorm = true;
  c.norm_eps = 1e-5;  // torchscale layernorm_eps
  c.with_pooler = false;
  return c;
}
EncoderConfig deepnet_tiny() { return detail::tiny_preset(deepnet_base()); }

// ---- rules: torchscale config.py, deepnorm=True forces post-LN (encoder_normalize_before=False);
// layernorm_embedding (embedding_norm), embed_scale and the position offset are torchscale options
namespace {
void validate_deepnet(const EncoderConfig& c) {
  detail::require_field(c, "deepnorm", c.deepnorm, true);
  detail::require_field(c, "norm_position", c.norm_position, NormPosition::kPost);
  detail::require_field(c, "norm_type", c.norm_type, NormType::kLayerNorm);
  detail::require_field(
      c, "position_embedding", c.position_embedding, PositionEmbedding::kAbsolute);
  detail::require_field(c, "use_bias", c.use_bias, true);
  detail::require_field(c, "mlm_head", c.mlm_head, MlmHeadType::kBert);
}
}  // namespace

// ---- init (REFERENCE §3.2) ----
//
// "torchscale" (default) = torchscale 0.3.0 as it runs: nn.Linear's default init for q, k, v,
//   out_proj, fc1, fc2, then v, out, fc1, fc2 weights AND biases divided by (8N)^1/4
//   (encoder.py 235-252); verified against its init statistics
//   (tests/fixtures/models/deepnet/init_stats.safetensors).
// "fairseq" = the same division after the xavier reset_parameters() torchscale defines
//   (multihead_attention.py 58-63) but never calls.
// "xavier_normal" = the paper's pseudocode: xavier_normal(gain=beta) for v, o, fc1, fc2, gain 1
//   for q, k, zero biases.

void init_deepnorm_layers(TransformerEncoderImpl& enc) {
  const auto& c = enc.config;
  const double beta = c.init_beta();
  for (auto& item : enc.embeddings->named_parameters()) {
    if (item.value().dim() == 2) item.value().normal_(0.0, c.initializer_range);
  }
  for (const auto& layer : *enc.layers) {
    auto& attn = layer->as<TransformerBlock>()->attn;
    auto& ffn = layer->as<TransformerBlock>()->ffn;
    if (c.deepnorm_init == DeepNormInit::kXavierNormal) {
      torch::nn::init::xavier_normal_(attn->q->weight, 1.0);
      torch::nn::init::xavier_normal_(attn->k->weight, 1.0);
      for (auto* lin : {&attn->v, &attn->o, &ffn->fc1, &ffn->fc2})
        torch::nn::init::xavier_normal_((*lin)->weight, beta);
      for (auto& p : layer->named_parameters())
        if (p.value().dim() == 1 && p.key().find("norm") == std::string::npos) p.value().zero_();
      continue;
    }
    if (c.deepnorm_init == DeepNormInit::kFairseq) {
      // xavier_uniform gain 1/sqrt(2) for q, k, v; gain 1 for out_proj, whose bias is 0.
      const double g = 1.0 / std::sqrt(2.0);
      torch::nn::init::xavier_uniform_(attn->q->weight, g);
      torch::nn::init::xavier_uniform_(attn->k->weight, g);
      torch::nn::init::xavier_uniform_(attn->v->weight, g);
      torch::nn::init::xavier_uniform_(attn->o->weight, 1.0);
      if (attn->o->bias.defined()) attn->o->bias.zero_();
    } else {
      for (auto* lin : {&attn->q, &attn->k, &attn->v, &attn->o}) (*lin)->reset_parameters();
    }
    ffn->fc1->reset_parameters();
    ffn->fc2->reset_parameters();
    for (auto* lin : {&attn->v, &attn->o, &ffn->fc1, &ffn->fc2})
      for (auto& p : (*lin)->parameters()) p.mul_(beta);
  }
}

namespace {

void init_deepnet(TransformerEncoderImpl& enc) {
  init_hf_normal(enc);  // embeddings, norms, MLM head: as BERT
  init_deepnorm_layers(enc);
}

// ---- Hugging Face config.json: no HF model type; read back through its "sentzoo" object ----
void deepnet_to_hf(const EncoderConfig& c, nlohmann::json& j) {
  detail::write_roformer_hf_keys(c, "sentzoo-deepnet", "layer_norm", j);
}

}  // namespace

const ArchitectureSpec& deepnet_spec() {
  // Weight names: the BERT rows (torchscale's fc1/fc2/out_proj map onto them in
  // tools/reference/gen_model_deepnet.py), so no rows of its own.
  static const ArchitectureSpec spec{
      Architecture::kDeepnet,
      {{"deepnet_tiny", deepnet_tiny}, {"deepnet_base", deepnet_base}},
      validate_deepnet,
      init_deepnet,
      nullptr,
      nullptr,
      deepnet_to_hf,
      "roformer.",
      {}};
  return spec;
}

}  // namespace sentzoo
