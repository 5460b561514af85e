#pragma once
// torchscale checkpoints (microsoft/torchscale 0.3.0, architecture/encoder.py; docs/LAYOUTS.md):
// a folder holding config.json (the fields of torchscale's EncoderConfig, as
// `json.dump(vars(config))` writes them) and model.safetensors (or a plain-dict
// pytorch_model.bin) with the state dict of torchscale's Encoder under its own names
// (embed_tokens, embed_positions, layers.{i}.self_attn.q_proj, ...; the "encoder." prefix of
// the fairseq BertModel of torchscale's examples is stripped). Read as sentzoo's "deepnet"
// encoder with torchscale's embeddings: token embeddings times sqrt(d) unless
// no_scale_embedding, learned positions from row 2 (torchscale PositionalEmbedding), no segment
// table (a zero one is built). Only DeepNorm encoders (deepnorm: true) are accepted.

#include <nlohmann/json.hpp>
#include <string>

#include "io/safetensors.h"
#include "models/encoder.h"

namespace sentzoo {

/// First position row torchscale's PositionalEmbedding reads ("consistent with Fairseq, which
/// starts from 2"; component/embedding.py).
inline constexpr int64_t kTorchscalePositionOffset = 2;

/// True when a config.json is torchscale's (it has encoder_embed_dim and no model_type).
bool is_torchscale_config(const nlohmann::json& config);

/// torchscale config.json + its weights (sizes of the tables) -> EncoderConfig. Unknown keys,
/// options sentzoo does not build (relative positions, MoE, multiway, Sub-LN / pre-LN) and
/// activations other than gelu/relu are errors naming `source` and the key.
EncoderConfig encoder_config_from_torchscale(const nlohmann::json& config,
                                             const TensorMap& weights,
                                             const std::string& source);
/// EncoderConfig -> torchscale config.json (every EncoderConfig field of torchscale 0.3.0).
/// Throws std::invalid_argument for what torchscale cannot express (not deepnet, Adam
/// constants, gelu_new).
nlohmann::json encoder_config_to_torchscale(const EncoderConfig& config);

/// Our parameter name -> torchscale's ("layers.0.attn.o.weight" ->
/// "layers.0.self_attn.out_proj.weight"); "" for embeddings.seg.weight, which torchscale lacks.
std::string torchscale_weight_name(const std::string& ours);

/// Copies torchscale-named tensors into the encoder (the segment table is zeroed). Throws one
/// std::runtime_error naming `source` and listing every missing, unknown and mis-shaped key with
/// the expected and found shapes.
void load_torchscale_weights(TransformerEncoderImpl& encoder,
                             const TensorMap& weights,
                             const std::string& source);
/// The encoder under torchscale names, for inputs of segment 0: segment row 0 is folded into
/// the position table, which is re-based to start at row 2. Pooler and MLM head are not written.
TensorMap torchscale_weights(TransformerEncoderImpl& encoder);

/// dir/config.json (torchscale) + weights -> encoder (eval mode not set).
TransformerEncoder load_torchscale_encoder(const std::string& dir);
/// Writes dir/config.json and dir/model.safetensors in torchscale's layout (creates dir).
void save_torchscale_encoder(TransformerEncoderImpl& encoder, const std::string& dir);

}  // namespace sentzoo
