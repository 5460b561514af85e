// The registry of encoder families (models/architecture.h): the only switch over Architecture.

#include "models/architecture.h"

#include <torch/torch.h>

#include <algorithm>

#include "models/bert.h"
#include "models/custom.h"
#include "models/deepnet.h"
#include "models/encoder.h"
#include "models/roformer_v2.h"

namespace sentzoo {

const ArchitectureSpec& architecture_spec(Architecture a) {
  switch (a) {
    case Architecture::kBert:
      return bert_spec();
    case Architecture::kRoformer:
      return roformer_spec();
    case Architecture::kRoformerV2:
      return roformer_v2_spec();
    case Architecture::kDeepnet:
      return deepnet_spec();
    case Architecture::kCustom:
      return custom_spec();
  }
  throw std::invalid_argument("architecture_spec: unknown architecture");
}

const std::vector<const ArchitectureSpec*>& all_architectures() {
  static const std::vector<const ArchitectureSpec*> all = {
      &bert_spec(), &roformer_spec(), &roformer_v2_spec(), &deepnet_spec(), &custom_spec()};
  return all;
}

EncoderConfig encoder_preset(const std::string& name) {
  std::vector<std::string> names;
  for (const auto* spec : all_architectures())
    for (const auto& [preset, make] : spec->presets) {
      if (preset == name) return make();
      names.push_back(preset);
    }
  std::sort(names.begin(), names.end());
  throw std::invalid_argument(fmt::format(
      "unknown encoder preset '{}' (expected one of: {})", name, fmt::join(names, ", ")));
}

std::vector<std::string> encoder_preset_names() {
  std::vector<std::string> names;
  for (const auto* spec : all_architectures())
    for (const auto& preset : spec->presets) names.push_back(preset.first);
  return names;
}

void init_encoder_weights(TransformerEncoderImpl& encoder) {
  torch::NoGradGuard no_grad;
  architecture_spec(encoder.config.architecture).init(encoder);
}

namespace detail {

void require_post_norm_stack(const EncoderConfig& c) {
  require_field(c, "norm_position", c.norm_position, NormPosition::kPost);
  require_field(c, "embedding_norm", c.embedding_norm, true);
  require_field(c, "deepnorm", c.deepnorm, false);
}

void require_hf_embeddings(const EncoderConfig& c) {
  require_field(c, "position_offset", c.position_offset, int64_t{0});
  require_field(c, "scale_embedding", c.scale_embedding, false);
}

EncoderConfig tiny_preset(EncoderConfig c) {
  c.vocab_size = 99;
  c.hidden_size = 32;
  c.num_layers = 2;
  c.num_heads = 4;
  c.intermediate_size = 37;
  c.max_position_embeddings = 64;
  return c;
}

EncoderConfig sized_preset(EncoderConfig c, int64_t layers, int64_t hidden, int64_t heads) {
  c.num_layers = layers;
  c.hidden_size = hidden;
  c.num_heads = heads;
  c.intermediate_size = 4 * hidden;
  return c;
}

std::string hf_string(const nlohmann::json& hf, const char* key, const std::string& fallback) {
  return hf.contains(key) && !hf[key].is_null() ? hf[key].get<std::string>() : fallback;
}

}  // namespace detail

}  // namespace sentzoo
