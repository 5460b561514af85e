#pragma once
// Hugging Face checkpoint layout: config.json + model.safetensors (or pytorch_model.bin) for
// BERT, RoFormer (HF transformers naming) and RoFormerV2 (JunnYu's `roformer` package naming).
// The key map is a table (hf_weights.cpp); every missing, unused or mis-shaped key is reported in
// one error. save_hf_encoder writes the same layout back so Python can load it.

#include <torch/torch.h>

#include <nlohmann/json.hpp>
#include <string>

#include "io/safetensors.h"
#include "models/encoder.h"

namespace sentzoo {

/// HF config.json -> EncoderConfig. A config written by save_hf_encoder carries a "sentzoo"
/// object that is parsed strictly instead. Unsupported HF options throw, naming the field.
EncoderConfig encoder_config_from_hf(const nlohmann::json& hf);
/// EncoderConfig -> HF config.json (model_type bert/roformer, plus the "sentzoo" object).
nlohmann::json encoder_config_to_hf(const EncoderConfig& config);

/// Our parameter name -> HF name without base-model prefix ("layers.0.attn.q.weight" ->
/// "encoder.layer.0.attention.self.query.weight"); throws for a name the table lacks.
std::string hf_weight_name(const std::string& ours);

/// Copies HF-named tensors into the encoder (a "bert."/"roformer." prefix is stripped). Throws
/// one std::runtime_error listing every missing, unused and shape-mismatched key.
void load_hf_weights(TransformerEncoderImpl& encoder,
                     const TensorMap& weights,
                     const std::string& source);
/// The encoder's parameters under HF names (contiguous fp32 copies); with an MLM head in the
/// *ForMaskedLM layout (base keys prefixed "bert."/"roformer.", head keys "cls.").
TensorMap hf_weights(TransformerEncoderImpl& encoder);

/// Reads dir/model.safetensors, else dir/pytorch_model.bin (a plain dict; an OrderedDict gets
/// an error with a one-line Python conversion).
TensorMap read_hf_weight_file(const std::string& dir);
/// config.json + weights -> initialised encoder. The pooler is built iff the weights have one.
/// A torchscale config.json (models/torchscale_weights.h) is read as torchscale's layout.
/// `overrides` (EncoderConfig keys, e.g. {"hidden_dropout": 0.2}) patch the checkpoint's config
/// before the encoder is built (a size change then fails as a shape mismatch).
TransformerEncoder load_hf_encoder(const std::string& dir,
                                   bool with_mlm_head = false,
                                   const nlohmann::json& overrides = nlohmann::json::object());
/// Writes dir/config.json and dir/model.safetensors (creates dir). RoFormer / RoFormerV2 are
/// written in JunnYu's roformer package layout (its sinusoidal table included).
void save_hf_encoder(TransformerEncoderImpl& encoder, const std::string& dir);

namespace detail {
/// The roformer package's sinusoidal table (rows, dim): sin in the first half, cos in the second.
torch::Tensor roformer_sinusoidal_table(int64_t rows, int64_t dim);
}  // namespace detail

}  // namespace sentzoo
