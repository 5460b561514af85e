#pragma once
// The architecture registry: what each family (EncoderConfig::architecture) contributes, as
// data. The shared code (encoder_config.cpp, encoder.cpp, hf_weights.cpp) asks the spec and never
// branches on the architecture itself. One family per file:
//
//   bert, roformer   models/bert.cpp          BERT (arXiv 1810.04805), RoFormer v1
//                                             (arXiv 2104.09864)
//   roformer_v2      models/roformer_v2.cpp   RoFormerV2 (kexue.fm/archives/8998)
//   deepnet          models/deepnet.cpp       DeepNet / DeepNorm (arXiv 2203.00555)
//   custom           models/custom.cpp        any combination the wiring can build
//
// Rules (EncoderConfig::validate; a violation is std::invalid_argument naming the key):
//   every family   deepnorm needs norm_position "post"; mlm_head "bert" with an MLM head needs
//                  norm_type "layer_norm"
//   bert           position_embedding "absolute", use_bias, norm_type "layer_norm",
//                  norm_position "post", embedding_norm, no deepnorm, mlm_head "bert",
//                  position_offset 0, no scale_embedding, pooler_activation "tanh"
//   roformer       as bert with position_embedding "rotary", any pooler_activation (the
//                  roformer package's config.json pooler_activation)
//   roformer_v2    position_embedding "rotary", no use_bias, norm_type "rms_norm",
//                  norm_position "post", embedding_norm, no deepnorm, mlm_head "tied",
//                  position_offset 0, no scale_embedding
//   deepnet        deepnorm, position_embedding "absolute", use_bias, norm_type "layer_norm",
//                  norm_position "post", mlm_head "bert"; embedding_norm, position_offset and
//                  scale_embedding free (torchscale's layernorm_embedding, positions from 2,
//                  embed_scale: models/torchscale_weights.h)
//   custom         free (pre-norm, no embedding norm, RMS norm with biases, DeepNorm on any
//                  post-norm stack, ...): the switches read as documented in EncoderConfig
// Free in every family: sizes, hidden_act, rope_theta, norm_eps, with_pooler, pooler_bias,
// with_mlm_head, dropouts, initializer_range; deepnorm_constants and deepnorm_init are read only
// with deepnorm.

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "models/encoder_config.h"

namespace sentzoo {

struct TransformerEncoderImpl;

struct ArchitectureSpec {
  Architecture id;
  /// Named presets, e.g. {"roformer_v2_small", roformer_v2_small}.
  std::vector<std::pair<std::string, EncoderConfig (*)()>> presets;
  /// Throws std::invalid_argument naming the first key whose value is not this architecture.
  void (*validate)(const EncoderConfig&);
  /// Initialises every parameter from the global torch RNG (called under NoGradGuard).
  void (*init)(TransformerEncoderImpl&);

  // ---- Hugging Face config.json and weight names (models/hf_weights.h) ----
  /// True when a plain HF config.json (no "sentzoo" object) is this family; null: never.
  bool (*hf_claims)(const nlohmann::json& hf);
  /// The family's preset for `hf` with the family-specific HF keys applied (sizes are shared).
  EncoderConfig (*hf_config_in)(const nlohmann::json& hf);
  /// Writes model_type, architectures and the family-specific keys.
  void (*hf_config_out)(const EncoderConfig&, nlohmann::json& hf);
  /// Prefix of base-model keys in *ForMaskedLM files, e.g. "bert.".
  std::string hf_prefix;
  /// Name rows only this family has (our name, HF name) beyond the shared BERT rows.
  std::vector<std::pair<std::string, std::string>> hf_rows;
  /// Writes encoder.embed_positions.weight, the roformer package's fixed sinusoidal RoPE table
  /// (a parameter of its RoFormerEncoder), so the package loads the folder with no missing key.
  bool hf_sinusoidal_table = false;
};

/// The spec of `architecture` (the one switch over Architecture, in architecture.cpp).
const ArchitectureSpec& architecture_spec(Architecture architecture);
/// Every family, in the order of the Architecture enum.
const std::vector<const ArchitectureSpec*>& all_architectures();

/// Initialises the encoder by its architecture's rule (architecture_spec(...).init).
void init_encoder_weights(TransformerEncoderImpl& encoder);

namespace detail {
/// Throws unless got == want: "EncoderConfig: architecture 'bert' needs norm_position "post"
/// (found "pre"); "architecture": "custom" allows free combinations".
template <class T>
void require_field(const EncoderConfig& c, const char* key, const T& got, const T& want) {
  if (got == want) return;
  throw std::invalid_argument(fmt::format(
      "EncoderConfig: architecture '{}' needs {} {} (found {}); \"architecture\": \"custom\" "
      "allows free combinations",
      to_string(c.architecture),
      key,
      nlohmann::json(want).dump(),
      nlohmann::json(got).dump()));
}
/// The post-norm, embedding-norm, deepnorm-free stack BERT, RoFormer and RoFormerV2 share.
void require_post_norm_stack(const EncoderConfig& c);
/// HF-style embeddings (BERT, RoFormer, RoFormerV2): no position_offset, no scale_embedding.
void require_hf_embeddings(const EncoderConfig& c);
/// Preset helpers. tiny: HF ModelTester-style odd sizes (vocab 99, hidden 32, 2 layers, 4 heads,
/// FFN 37, 64 positions), so a wrong reshape or transpose cannot hide; sized: layers, hidden,
/// heads with FFN 4 * hidden.
EncoderConfig tiny_preset(EncoderConfig c);
EncoderConfig sized_preset(EncoderConfig c, int64_t layers, int64_t hidden, int64_t heads);
/// A string field of an HF config, `fallback` when absent or null.
std::string hf_string(const nlohmann::json& hf, const char* key, const std::string& fallback);
}  // namespace detail

}  // namespace sentzoo
