// DualEncoder (sentence-transformers SentenceTransformer: Transformer -> Pooling -> Dense ->
// Normalize).

#include "models/dual_encoder.h"

namespace sentzoo {

// ---- DualEncoder ----

void DualEncoderConfig::validate() const {
  encoder.validate();
  pooling.validate();
  if (parse_pooling(pooling.mode) == Pooling::kFirstLastAvg && encoder.num_layers < 1)
    throw std::invalid_argument("DualEncoderConfig: first_last_avg needs >= 1 layer");
}

DualEncoderConfig parse_dual_encoder_config(const nlohmann::json& j) {
  nlohmann::json top = j;
  nlohmann::json pool = top.contains("pooling") ? top["pooling"] : nlohmann::json::object();
  top.erase("pooling");
  auto config = detail::parse_with_encoder<DualEncoderConfig>(top, "DualEncoderConfig");
  config.pooling = parse_config<PoolingConfig>(pool, "DualEncoderConfig.pooling");
  config.validate();
  return config;
}

DualEncoderImpl::DualEncoderImpl(const DualEncoderConfig& c)
    : config(c), pooling(parse_pooling(c.pooling.mode)) {
  config.validate();
  tower = register_module("tower", make_encoder(c.encoder));
  if (!c.shared) tower_b = register_module("tower_b", make_encoder(c.encoder));
  if (c.pooling.dense_dim > 0)
    dense = register_module("dense", torch::nn::Linear(c.encoder.hidden_size, c.pooling.dense_dim));
}

torch::Tensor DualEncoderImpl::forward(const torch::Tensor& ids,
                                       const torch::Tensor& mask,
                                       const torch::Tensor& segments,
                                       int side) {
  TORCH_CHECK(side == 0 || side == 1, "DualEncoder: side must be 0 or 1, got ", side);
  auto& enc = (side == 1 && tower_b) ? tower_b : tower;
  auto out =
      enc->forward(ids, mask, segments, /*output_hidden_states=*/pooling == Pooling::kFirstLastAvg);
  auto x = pool(out, pooling);  // (B, h)
  if (dense) {
    x = dense(x);
    if (config.pooling.dense_activation == "tanh") x = torch::tanh(x);
  }
  if (config.pooling.normalize)
    x = torch::nn::functional::normalize(
        x.to(torch::kFloat), torch::nn::functional::NormalizeFuncOptions().p(2).dim(-1));
  return x;
}

}  // namespace sentzoo
