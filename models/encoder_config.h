#pragma once
// EncoderConfig: one plain struct for every encoder family (BERT, RoFormer v1, RoFormerV2,
// DeepNet, and "custom"). Its choices are typed enumerations parsed once from the same JSON
// strings as always ("rms_norm", "pre", ...); a wrong string is an error naming the key and the
// valid values. `architecture` decides which combinations of the switches are allowed
// (models/architecture.h has the rules; the families' files hold them). Strict JSON (STYLE.md §3).

#include <fmt/format.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/config.h"

namespace sentzoo {

namespace detail {
/// EnumInfo<E>: the JSON key of E and its values with their JSON strings (SENTZOO_CONFIG_ENUM).
template <class E>
struct EnumInfo;
template <class E>
std::string enum_name(E e) {
  for (const auto& [value, name] : EnumInfo<E>::names)
    if (value == e) return name;
  return "?";
}
template <class E>
E enum_parse(const std::string& s) {
  std::string valid;
  for (const auto& [value, name] : EnumInfo<E>::names) {
    if (s == name) return value;
    valid += (valid.empty() ? "" : ", ") + std::string(name);
  }
  throw std::invalid_argument(fmt::format(
      "EncoderConfig: unknown {} '{}' (expected one of: {})", EnumInfo<E>::key, s, valid));
}
}  // namespace detail

// An enum with a fixed JSON string per value: to_string, to_json, and a from_json that throws
// std::invalid_argument naming KEY and the valid strings.
#define SENTZOO_CONFIG_ENUM(E, KEY, ...)                                               \
  namespace detail {                                                                   \
  template <>                                                                          \
  struct EnumInfo<E> {                                                                 \
    static constexpr const char* key = KEY;                                            \
    static constexpr std::pair<E, const char*> names[] = {__VA_ARGS__};                \
  };                                                                                   \
  }                                                                                    \
  inline std::string to_string(E e) { return detail::enum_name(e); }                   \
  inline void to_json(nlohmann::json& j, const E& e) { j = to_string(e); }             \
  inline void from_json(const nlohmann::json& j, E& e) {                               \
    if (!j.is_string())                                                                \
      throw std::invalid_argument(                                                     \
          fmt::format("EncoderConfig: {} must be a string, found {}", KEY, j.dump())); \
    e = detail::enum_parse<E>(j.get<std::string>());                                   \
  }

/// The family (models/architecture.h); "custom" allows any combination of the switches.
enum class Architecture { kBert, kRoformer, kRoformerV2, kDeepnet, kCustom };
SENTZOO_CONFIG_ENUM(Architecture,
                    "architecture",
                    {Architecture::kBert, "bert"},
                    {Architecture::kRoformer, "roformer"},
                    {Architecture::kRoformerV2, "roformer_v2"},
                    {Architecture::kDeepnet, "deepnet"},
                    {Architecture::kCustom, "custom"})
/// FFN activation: "gelu" (exact erf, HF "gelu"), "gelu_new" (tanh approximation), "relu".
enum class Activation { kGelu, kGeluNew, kRelu };
SENTZOO_CONFIG_ENUM(Activation,
                    "hidden_act",
                    {Activation::kGelu, "gelu"},
                    {Activation::kGeluNew, "gelu_new"},
                    {Activation::kRelu, "relu"})
/// Pooler activation on W x[:, 0] + b: BERT "tanh"; the roformer package's config.json
/// `pooler_activation` (transformers ACT2FN names): "linear" (identity), "relu", "gelu", ...
enum class PoolerActivation { kTanh, kLinear, kRelu, kGelu, kGeluNew, kSigmoid };
SENTZOO_CONFIG_ENUM(PoolerActivation,
                    "pooler_activation",
                    {PoolerActivation::kTanh, "tanh"},
                    {PoolerActivation::kLinear, "linear"},
                    {PoolerActivation::kRelu, "relu"},
                    {PoolerActivation::kGelu, "gelu"},
                    {PoolerActivation::kGeluNew, "gelu_new"},
                    {PoolerActivation::kSigmoid, "sigmoid"})
/// "absolute": learned table added to the embeddings; "rotary": RoPE on q and k (REFERENCE §1.2).
enum class PositionEmbedding { kAbsolute, kRotary };
SENTZOO_CONFIG_ENUM(PositionEmbedding,
                    "position_embedding",
                    {PositionEmbedding::kAbsolute, "absolute"},
                    {PositionEmbedding::kRotary, "rotary"})
/// "layer_norm" (gamma, beta) or RoFormerV2's parameter-free "rms_norm".
enum class NormType { kLayerNorm, kRmsNorm };
SENTZOO_CONFIG_ENUM(NormType,
                    "norm_type",
                    {NormType::kLayerNorm, "layer_norm"},
                    {NormType::kRmsNorm, "rms_norm"})
/// "post": x = Norm(x + F(x)) (all four papers); "pre": x = x + F(Norm(x)) plus a final norm.
enum class NormPosition { kPost, kPre };
SENTZOO_CONFIG_ENUM(NormPosition,
                    "norm_position",
                    {NormPosition::kPost, "post"},
                    {NormPosition::kPre, "pre"})
/// "bert": transform Dense + act + LN, tied decoder + bias; "tied": x E^T (RoFormerV2).
enum class MlmHeadType { kBert, kTied };
SENTZOO_CONFIG_ENUM(MlmHeadType,
                    "mlm_head",
                    {MlmHeadType::kBert, "bert"},
                    {MlmHeadType::kTied, "tied"})
/// DeepNet constants (models/deepnet.h): "paper" (2N)^1/4, (8N)^-1/4; "adam" (2N)^±1/2.
enum class DeepNormConstants { kPaper, kAdam };
SENTZOO_CONFIG_ENUM(DeepNormConstants,
                    "deepnorm_constants",
                    {DeepNormConstants::kPaper, "paper"},
                    {DeepNormConstants::kAdam, "adam"})
/// DeepNet init (models/deepnet.h): "torchscale", "fairseq" or "xavier_normal".
enum class DeepNormInit { kTorchscale, kFairseq, kXavierNormal };
SENTZOO_CONFIG_ENUM(DeepNormInit,
                    "deepnorm_init",
                    {DeepNormInit::kTorchscale, "torchscale"},
                    {DeepNormInit::kFairseq, "fairseq"},
                    {DeepNormInit::kXavierNormal, "xavier_normal"})

struct EncoderConfig {
  Architecture architecture = Architecture::kBert;  // "bert" | "roformer" | "roformer_v2" | ...
  int64_t vocab_size = 30522;                       // e.g. 12000 for RoFormerV2 (chars)
  int64_t hidden_size = 768;                        // e.g. 384
  int64_t num_layers = 12;                          // N, e.g. 6
  int64_t num_heads = 12;                           // e.g. 6; head_dim = hidden / heads
  int64_t intermediate_size = 3072;                 // FFN width, e.g. 1536
  int64_t max_position_embeddings = 512;            // learned table rows (absolute positions only)
  int64_t type_vocab_size = 2;                      // segment ids 0..type_vocab-1
  int64_t pad_token_id = 0;                   // HF config field; the mask comes from attention_mask
  Activation hidden_act = Activation::kGelu;  // e.g. "relu"
  PositionEmbedding position_embedding = PositionEmbedding::kAbsolute;  // e.g. "rotary"
  int64_t position_offset = 0;   // absolute rows used: offset..offset+T-1 (torchscale/fairseq: 2)
  bool scale_embedding = false;  // tok[ids] * sqrt(hidden_size) (torchscale embed_scale)
  double rope_theta = 10000.0;   // RoPE base, REFERENCE §1.2
  bool use_bias = true;          // false for RoFormerV2
  NormType norm_type = NormType::kLayerNorm;  // e.g. "rms_norm"
  double norm_eps = 1e-12;                    // BERT/ports 1e-12; torchscale 1e-5; bert4keras 1e-7
  NormPosition norm_position = NormPosition::kPost;  // e.g. "pre" (custom only)
  bool embedding_norm = true;                        // norm after embeddings (all four families)
  bool residual = true;   // false: x = Norm(F(x)) / F(Norm(x)), no skip path (custom only)
  bool deepnorm = false;  // DeepNet: x = LN(alpha*x + G(x)), models/deepnet.h
  DeepNormConstants deepnorm_constants = DeepNormConstants::kPaper;  // read only with deepnorm
  DeepNormInit deepnorm_init = DeepNormInit::kTorchscale;            // read only with deepnorm
  bool with_pooler = true;  // BERT/RoFormer pooler: act(W x[:,0] + b)
  PoolerActivation pooler_activation = PoolerActivation::kTanh;  // e.g. "linear" (roformer pkg)
  bool pooler_bias = true;     // false only for folders whose pooler has no bias (older sentzoo V2)
  bool with_mlm_head = false;  // the head mlm_head names
  MlmHeadType mlm_head = MlmHeadType::kBert;  // e.g. "tied" (RoFormerV2: no transform, no bias)
  double hidden_dropout = 0.1;                // e.g. 0.1
  double attention_dropout = 0.1;             // e.g. 0.1
  double initializer_range = 0.02;            // std of BERT/RoFormer normal init

  int64_t head_dim() const { return hidden_size / num_heads; }
  bool rotary() const { return position_embedding == PositionEmbedding::kRotary; }
  /// The longest input absolute positions allow: the table minus its offset rows.
  int64_t max_length() const { return max_position_embeddings - position_offset; }
  /// Residual scale alpha in Norm(alpha*x + F(x)); 1 unless deepnorm (models/deepnet.cpp).
  double residual_alpha() const;
  /// Init gain beta of DeepNet (v, o, fc1, fc2); 1 unless deepnorm (models/deepnet.cpp).
  double init_beta() const;
  /// Parameters the encoder will have (approximate, from the sizes alone; no allocation).
  double estimated_parameters() const;
  /// Sizes and ranges (the estimated parameter memory included, max_parameter_bytes()), then
  /// the architecture's rules; throws std::invalid_argument naming the key.
  void validate() const;
  static constexpr int64_t kMaxLayers = 10000;
};

/// The largest fp32 parameter memory EncoderConfig::validate accepts: 16 GiB, or the
/// environment's SENTZOO_MAX_PARAMETER_GIB (a number > 0) for a deliberate larger model.
double max_parameter_bytes();

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(EncoderConfig,
                                                architecture,
                                                vocab_size,
                                                hidden_size,
                                                num_layers,
                                                num_heads,
                                                intermediate_size,
                                                max_position_embeddings,
                                                type_vocab_size,
                                                pad_token_id,
                                                hidden_act,
                                                position_embedding,
                                                position_offset,
                                                scale_embedding,
                                                rope_theta,
                                                use_bias,
                                                norm_type,
                                                norm_eps,
                                                norm_position,
                                                embedding_norm,
                                                residual,
                                                deepnorm,
                                                deepnorm_constants,
                                                deepnorm_init,
                                                with_pooler,
                                                pooler_activation,
                                                pooler_bias,
                                                with_mlm_head,
                                                mlm_head,
                                                hidden_dropout,
                                                attention_dropout,
                                                initializer_range)

/// Preset by name, e.g. "roformer_v2_small" (the presets live in the families' files:
/// models/bert.h, roformer_v2.h, deepnet.h); the error lists the valid names.
EncoderConfig encoder_preset(const std::string& name);

/// Every preset name, family by family.
std::vector<std::string> encoder_preset_names();

}  // namespace sentzoo
