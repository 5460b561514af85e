// EncoderConfig validation: sizes and ranges here, the combinations each architecture allows in
// its own file (models/architecture.h). Presets: models/bert.cpp, roformer_v2.cpp, deepnet.cpp.

#include "models/encoder_config.h"

#include <cmath>
#include <cstdlib>

#include "models/architecture.h"

namespace sentzoo {

double EncoderConfig::estimated_parameters() const {
  // Doubles: the products of hostile sizes must not overflow. Biases and norms are O(hidden).
  const double h = static_cast<double>(hidden_size);
  const double embeddings =
      h * (static_cast<double>(vocab_size) + static_cast<double>(type_vocab_size) +
           (rotary() ? 0.0 : static_cast<double>(max_position_embeddings)));
  const double per_layer = 4 * h * h + 2 * h * static_cast<double>(intermediate_size) + 9 * h;
  return embeddings + static_cast<double>(num_layers) * per_layer + h * h;
}

double max_parameter_bytes() {
  double gib = 16;  // 4 billion fp32 parameters: far beyond what a CPU trains
  if (const char* env = std::getenv("SENTZOO_MAX_PARAMETER_GIB"); env && *env) {
    char* end = nullptr;
    gib = std::strtod(env, &end);
    if (*end != '\0' || !(gib > 0) || !std::isfinite(gib))
      throw std::invalid_argument(
          fmt::format("SENTZOO_MAX_PARAMETER_GIB: expected a number > 0, found '{}'", env));
  }
  return gib * (1 << 30);
}

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
  if (position_embedding == PositionEmbedding::kAbsolute) {
    positive("max_position_embeddings", max_position_embeddings);
    if (position_offset < 0 || position_offset >= max_position_embeddings)
      throw std::invalid_argument(
          fmt::format("EncoderConfig: position_offset ({}) must be in [0, "
                      "max_position_embeddings {})",
                      position_offset,
                      max_position_embeddings));
  } else if (position_offset != 0) {
    throw std::invalid_argument(
        "EncoderConfig: position_offset applies to absolute positions only");
  }
  // Rules of every family, custom included: they are what the wiring can build.
  if (deepnorm && norm_position != NormPosition::kPost)
    throw std::invalid_argument("EncoderConfig: deepnorm requires norm_position 'post'");
  if (!residual && (architecture != Architecture::kCustom || deepnorm))
    throw std::invalid_argument(
        "EncoderConfig: residual false (no skip connections) needs architecture 'custom' "
        "without deepnorm");
  if (mlm_head == MlmHeadType::kBert && with_mlm_head && norm_type != NormType::kLayerNorm)
    throw std::invalid_argument("EncoderConfig: mlm_head 'bert' needs norm_type 'layer_norm'");
  if (!(norm_eps > 0)) throw std::invalid_argument("EncoderConfig: norm_eps must be > 0");
  if (rotary() && !(rope_theta > 0 && std::isfinite(rope_theta)))
    throw std::invalid_argument(
        fmt::format("EncoderConfig: rope_theta must be a finite number > 0, found {}", rope_theta));
  if (!(initializer_range >= 0 && std::isfinite(initializer_range)))
    throw std::invalid_argument("EncoderConfig: initializer_range must be finite and >= 0");
  if (pad_token_id < 0 || pad_token_id >= vocab_size)
    throw std::invalid_argument(
        fmt::format("EncoderConfig: pad_token_id ({}) must be in [0, vocab_size {})",
                    pad_token_id,
                    vocab_size));
  // Before anything is allocated: a config asking for 10^8 layers (or a 10^12-row vocabulary)
  // is refused here instead of exhausting memory.
  if (num_layers > kMaxLayers)
    throw std::invalid_argument(
        fmt::format("EncoderConfig: num_layers ({}) must be <= {}", num_layers, kMaxLayers));
  const double bytes = 4.0 * estimated_parameters();
  const double limit = max_parameter_bytes();
  if (bytes > limit)
    throw std::invalid_argument(fmt::format(
        "EncoderConfig: about {:.3g} parameters ({:.1f} GiB in fp32) exceed the limit of {:.1f} "
        "GiB; raise it with SENTZOO_MAX_PARAMETER_GIB if this is intended",
        estimated_parameters(),
        bytes / (1 << 30),
        limit / (1 << 30)));
  for (double p : {hidden_dropout, attention_dropout})
    if (p < 0 || p >= 1)
      throw std::invalid_argument(fmt::format("EncoderConfig: dropout {} not in [0, 1)", p));
  architecture_spec(architecture).validate(*this);
}

}  // namespace sentzoo
