#pragma once
// DualEncoder (Sentence-BERT / CoSENT bi-encoder): encoder -> pooling -> optional Dense ->
// optional L2 norm, one tower shared by both sides or two separate towers.

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include "models/encoder.h"
#include "models/pooling.h"

namespace sentzoo {

class ScriptWriter;

struct DualEncoderConfig {
  EncoderConfig encoder;  // the tower, e.g. roformer_v2_small()
  PoolingConfig pooling;  // e.g. {"mode": "cls"}
  bool shared = true;     // false: separate towers for side 0 (queries) and side 1 (documents)
  void validate() const;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(DualEncoderConfig, encoder, pooling, shared)
namespace detail {
/// Strict parse of {"encoder": {...}, <other keys of T>} for configs holding an EncoderConfig.
template <class T>
T parse_with_encoder(const nlohmann::json& j, const std::string& what) {
  nlohmann::json top = j;
  nlohmann::json enc = top.contains("encoder") ? top["encoder"] : nlohmann::json::object();
  top.erase("encoder");
  T config = parse_config<T>(top, what);
  config.encoder = parse_config<EncoderConfig>(enc, what + ".encoder");
  config.validate();
  return config;
}
}  // namespace detail

/// Strict parse, nested objects included.
DualEncoderConfig parse_dual_encoder_config(const nlohmann::json& j);

struct DualEncoderImpl : torch::nn::Module {
  explicit DualEncoderImpl(const DualEncoderConfig& config);
  /// ids, mask (, segments): (B, T) -> sentence vectors (B, D); side selects the tower.
  torch::Tensor forward(const torch::Tensor& ids,
                        const torch::Tensor& mask,
                        const torch::Tensor& segments = {},
                        int side = 0);
  /// Defines the TorchScript methods forward(input_ids, attention_mask, token_type_ids=None)
  /// = forward(side 0) and, with separate towers, forward_side1 = forward(side 1), eval mode.
  void script(ScriptWriter& s) const;
  TransformerEncoder tower{nullptr}, tower_b{nullptr};  // tower_b only when !shared
  torch::nn::Linear dense{nullptr};                     // pooling.dense_dim > 0 only
  const DualEncoderConfig config;
  const Pooling pooling;
  const bool dense_tanh;  // pooling.dense_activation == "tanh", decided once
};
TORCH_MODULE(DualEncoder);

/// A sentence-transformers folder (modules.json: Transformer -> Pooling [-> Dense] [-> Normalize];
/// the encoder at the root in HF, roformer-package or torchscale layout, 1_Pooling/config.json,
/// 2_Dense/{config.json, model.safetensors}) as a shared-tower DualEncoder.
DualEncoder load_sentence_transformer(const std::string& dir);

}  // namespace sentzoo
