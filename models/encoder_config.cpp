// EncoderConfig validation: sizes and ranges here, the combinations each architecture allows in
// its own file (models/architecture.h). Presets: models/bert.cpp, roformer_v2.cpp, deepnet.cpp.

#include "models/encoder_config.h"

#include "models/architecture.h"

namespace sentzoo {

void EncoderConfig::validate() const {
  const auto positive = [](const char* name, int64_t v) {
    if (v <= 0)
      throw std::invalid_argument(fmt::format("EncoderConfig: {} ({}) must be > 0", name, v));
  };
  positive("vocab_size", vocab_size);
  positive("hidden_size", hidden_size);
  positive("num_layers", num_layers);
  positive("num_heads", num_heads);
  positive("intermediate_size", intermediate_size);
  positive("type_vocab_size", type_vocab_size);
  if (hidden_size % num_heads != 0)
    throw std::invalid_argument(
        fmt::format("EncoderConfig: hidden_size ({}) must be divisible by num_heads ({})",
                    hidden_size,
                    num_heads));
  if (rotary() && head_dim() % 2 != 0)
    throw std::invalid_argument(
        fmt::format("EncoderConfig: rotary needs an even head_dim, got {}", head_dim()));
  if (position_embedding == PositionEmbedding::kAbsolute)
    positive("max_position_embeddings", max_position_embeddings);
  // Rules of every family, custom included: they are what the wiring can build.
  if (deepnorm && norm_position != NormPosition::kPost)
    throw std::invalid_argument("EncoderConfig: deepnorm requires norm_position 'post'");
  if (mlm_head == MlmHeadType::kBert && with_mlm_head && norm_type != NormType::kLayerNorm)
    throw std::invalid_argument("EncoderConfig: mlm_head 'bert' needs norm_type 'layer_norm'");
  if (norm_eps <= 0) throw std::invalid_argument("EncoderConfig: norm_eps must be > 0");
  for (double p : {hidden_dropout, attention_dropout})
    if (p < 0 || p >= 1)
      throw std::invalid_argument(fmt::format("EncoderConfig: dropout {} not in [0, 1)", p));
  architecture_spec(architecture).validate(*this);
}

}  // namespace sentzoo
