// BERT (arXiv 1810.04805) and RoFormer v1 (arXiv 2104.09864): presets, rules, init, HF config
// (REFERENCE.md §2). The block both use is the shared post-LN block of models/encoder.cpp:
//
//   x = LN(tok[ids] + seg[segments] (+ pos[0..T-1]))           embeddings (+ dropout)
//   x = LN(x + Dropout(Attn(x)))       Attn: q, k, v, o with bias; RoFormer: RoPE on q and k
//   x = LN(x + Dropout(W2 act(W1 x + b1) + b2))
//   pooler = tanh(W x[:, 0] + b); MLM: LN(act(W x + b)) E_tok^T + bias (tied decoder)

#include "models/bert.h"

#include <torch/torch.h>

#include "models/encoder.h"

namespace sentzoo {

// ---- presets ----

EncoderConfig bert_base() { return EncoderConfig{}; }
EncoderConfig bert_tiny() { return detail::tiny_preset(bert_base()); }
EncoderConfig bert_large() { return detail::sized_preset(bert_base(), 24, 1024, 16); }

EncoderConfig roformer_base() {
  EncoderConfig c;
  c.architecture = Architecture::kRoformer;
  c.vocab_size = 50000;
  c.position_embedding = PositionEmbedding::kRotary;
  c.max_position_embeddings = 1536;
  return c;
}
EncoderConfig roformer_tiny() { return detail::tiny_preset(roformer_base()); }

// ---- rules ----

namespace {

void validate_bert_like(const EncoderConfig& c, PositionEmbedding positions) {
  detail::require_field(c, "position_embedding", c.position_embedding, positions);
  detail::require_field(c, "use_bias", c.use_bias, true);
  detail::require_field(c, "norm_type", c.norm_type, NormType::kLayerNorm);
  detail::require_post_norm_stack(c);
  detail::require_field(c, "mlm_head", c.mlm_head, MlmHeadType::kBert);
  detail::require_hf_embeddings(c);
}
void validate_bert(const EncoderConfig& c) {
  validate_bert_like(c, PositionEmbedding::kAbsolute);
  // transformers' BertPooler is tanh(dense(x[:, 0])), no other activation
  detail::require_field(c, "pooler_activation", c.pooler_activation, PoolerActivation::kTanh);
}
void validate_roformer(const EncoderConfig& c) {
  validate_bert_like(c, PositionEmbedding::kRotary);
}

}  // namespace

// ---- init ----

void init_hf_normal(TransformerEncoderImpl& enc) {
  const double std = enc.config.initializer_range;
  for (auto& item : enc.named_parameters()) {
    auto& p = item.value();
    const auto& name = item.key();
    const bool is_bias = name.size() >= 4 && name.compare(name.size() - 4, 4, "bias") == 0;
    if (name.find("norm") != std::string::npos) {
      // LayerNorm: weight 1, bias 0
      if (is_bias)
        p.zero_();
      else
        p.fill_(1.0);
    } else if (is_bias) {
      p.zero_();
    } else {
      p.normal_(0.0, std);
    }
  }
  // HF builds word_embeddings with padding_idx = pad_token_id and zeroes that row.
  const int64_t pad = enc.config.pad_token_id;
  if (pad >= 0 && pad < enc.config.vocab_size) enc.embeddings->tok->weight[pad].zero_();
}

// ---- Hugging Face config.json ----

namespace detail {
void read_roformer_hf_keys(const nlohmann::json& hf, EncoderConfig& c) {
  if (hf.value("rotary_value", false))
    throw std::invalid_argument(
        "config.json: rotary_value=true is not supported (RoPE on q, k only)");
  if (hf.contains("use_bias")) c.use_bias = hf["use_bias"].get<bool>();
  // The roformer package's RoFormerPooler: ACT2FN[config.pooler_activation](dense(x[:, 0])),
  // dense with bias whatever use_bias says (configuration_roformer.py default "tanh").
  const auto act = hf_string(hf, "pooler_activation", "tanh");
  try {
    c.pooler_activation = enum_parse<PoolerActivation>(act);
  } catch (const std::invalid_argument&) {
    throw std::invalid_argument(fmt::format(
        "config.json: pooler_activation '{}' is not supported (expected one of: tanh, linear, "
        "relu, gelu, gelu_new, sigmoid)",
        act));
  }
}

void write_roformer_hf_keys(const EncoderConfig& c,
                            const char* model_type,
                            const char* norm_type,
                            nlohmann::json& j) {
  j["model_type"] = model_type;
  j["architectures"] = {"RoFormerModel"};
  j["rotary_value"] = false;
  j["use_bias"] = c.use_bias;
  j["norm_type"] = norm_type;
  j["pooler_activation"] = c.pooler_activation;
}
}  // namespace detail

namespace {

bool bert_claims(const nlohmann::json& hf) {
  return detail::hf_string(hf, "model_type", "") == "bert";
}
EncoderConfig bert_from_hf(const nlohmann::json& hf) {
  const auto pos = detail::hf_string(hf, "position_embedding_type", "absolute");
  if (pos != "absolute")
    throw std::invalid_argument(
        fmt::format("config.json: expected position_embedding_type 'absolute', found '{}'", pos));
  return bert_base();
}
void bert_to_hf(const EncoderConfig&, nlohmann::json& j) {
  j["model_type"] = "bert";
  j["architectures"] = {"BertModel"};
  j["position_embedding_type"] = "absolute";
}

// JunnYu's RoFormer: v1 is norm_type "layer_norm" (the default); any other norm_type is V2.
bool roformer_claims(const nlohmann::json& hf) {
  return detail::hf_string(hf, "model_type", "") == "roformer" &&
         detail::hf_string(hf, "norm_type", "layer_norm") == "layer_norm";
}
EncoderConfig roformer_from_hf(const nlohmann::json& hf) {
  auto c = roformer_base();
  detail::read_roformer_hf_keys(hf, c);
  return c;
}
void roformer_to_hf(const EncoderConfig& c, nlohmann::json& j) {
  detail::write_roformer_hf_keys(c, "roformer", "layer_norm", j);
}

}  // namespace

const ArchitectureSpec& bert_spec() {
  static const ArchitectureSpec spec{
      Architecture::kBert,
      {{"bert_tiny", bert_tiny}, {"bert_base", bert_base}, {"bert_large", bert_large}},
      validate_bert,
      init_hf_normal,
      bert_claims,
      bert_from_hf,
      bert_to_hf,
      "bert.",
      {}};
  return spec;
}

const ArchitectureSpec& roformer_spec() {
  static const ArchitectureSpec spec{
      Architecture::kRoformer,
      {{"roformer_tiny", roformer_tiny}, {"roformer_base", roformer_base}},
      validate_roformer,
      init_hf_normal,
      roformer_claims,
      roformer_from_hf,
      roformer_to_hf,
      "roformer.",
      {},
      /*hf_sinusoidal_table=*/true};
  return spec;
}

}  // namespace sentzoo
