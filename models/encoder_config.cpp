// EncoderConfig validation and the named presets (REFERENCE.md §1.4 for RoFormerV2 sizes).

#include "models/encoder_config.h"

#include <algorithm>
#include <functional>
#include <map>
#include <vector>

namespace sentzoo {

namespace {
void require_one_of(const std::string& field,
                    const std::string& value,
                    const std::vector<std::string>& allowed) {
  if (std::find(allowed.begin(), allowed.end(), value) == allowed.end())
    throw std::invalid_argument(fmt::format("EncoderConfig: unknown {} '{}' (expected one of: {})",
                                            field,
                                            value,
                                            fmt::join(allowed, ", ")));
}
}  // namespace

double EncoderConfig::residual_alpha() const {
  if (!deepnorm) return 1.0;
  // Su's Adam variant (blog 8978, REFERENCE §3.3): alpha = (2N)^1/2.
  if (deepnorm_constants == "adam") return std::sqrt(2.0 * num_layers);
  return detail::deepnorm_alpha(num_layers);
}

double EncoderConfig::init_beta() const {
  if (!deepnorm) return 1.0;
  if (deepnorm_constants == "adam") return 1.0 / std::sqrt(2.0 * num_layers);
  return detail::deepnorm_beta(num_layers);
}

void EncoderConfig::validate() const {
  require_one_of("architecture", architecture, {"bert", "roformer", "roformer_v2", "deepnet"});
  require_one_of("hidden_act", hidden_act, {"gelu", "gelu_new", "relu"});
  require_one_of("position_embedding", position_embedding, {"absolute", "rotary"});
  require_one_of("norm_type", norm_type, {"layer_norm", "rms_norm"});
  require_one_of("norm_position", norm_position, {"post", "pre"});
  require_one_of("deepnorm_constants", deepnorm_constants, {"paper", "adam"});
  require_one_of("deepnorm_init", deepnorm_init, {"torchscale", "fairseq", "xavier_normal"});
  require_one_of("mlm_head", mlm_head, {"bert", "tied"});
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
  if (position_embedding == "absolute")
    positive("max_position_embeddings", max_position_embeddings);
  if (deepnorm && norm_position != "post")
    throw std::invalid_argument("EncoderConfig: deepnorm requires norm_position 'post'");
  if (mlm_head == "bert" && with_mlm_head && norm_type != "layer_norm")
    throw std::invalid_argument("EncoderConfig: mlm_head 'bert' needs norm_type 'layer_norm'");
  if (norm_eps <= 0) throw std::invalid_argument("EncoderConfig: norm_eps must be > 0");
  for (double p : {hidden_dropout, attention_dropout})
    if (p < 0 || p >= 1)
      throw std::invalid_argument(fmt::format("EncoderConfig: dropout {} not in [0, 1)", p));
}

// ---- presets ----

namespace {
EncoderConfig tiny(EncoderConfig c) {
  // HF ModelTester-style odd sizes: a wrong reshape or transpose cannot hide.
  c.vocab_size = 99;
  c.hidden_size = 32;
  c.num_layers = 2;
  c.num_heads = 4;
  c.intermediate_size = 37;
  c.max_position_embeddings = 64;
  return c;
}
EncoderConfig sized(EncoderConfig c, int64_t layers, int64_t hidden, int64_t heads) {
  c.num_layers = layers;
  c.hidden_size = hidden;
  c.num_heads = heads;
  c.intermediate_size = 4 * hidden;
  return c;
}
}  // namespace

EncoderConfig bert_base() { return EncoderConfig{}; }
EncoderConfig bert_tiny() { return tiny(bert_base()); }
EncoderConfig bert_large() { return sized(bert_base(), 24, 1024, 16); }

EncoderConfig roformer_base() {
  EncoderConfig c;  // junnyu/roformer_chinese_base: BERT with RoPE, vocab 50000
  c.architecture = "roformer";
  c.vocab_size = 50000;
  c.position_embedding = "rotary";
  c.max_position_embeddings = 1536;
  return c;
}
EncoderConfig roformer_tiny() { return tiny(roformer_base()); }

EncoderConfig roformer_v2_base() {
  EncoderConfig c;  // REFERENCE §1.1 and §1.4
  c.architecture = "roformer_v2";
  c.vocab_size = 12000;
  c.hidden_act = "relu";
  c.position_embedding = "rotary";
  c.use_bias = false;
  c.norm_type = "rms_norm";
  c.norm_eps = 1e-12;  // the PyTorch/Paddle ports; bert4keras uses 1e-7
  c.with_pooler = false;
  c.mlm_head = "tied";
  return c;
}
EncoderConfig roformer_v2_tiny() { return tiny(roformer_v2_base()); }
EncoderConfig roformer_v2_small() { return sized(roformer_v2_base(), 6, 384, 6); }
EncoderConfig roformer_v2_large() { return sized(roformer_v2_base(), 24, 1024, 16); }

EncoderConfig deepnet_base() {
  EncoderConfig c;  // BERT-sized post-LN encoder with DeepNorm (torchscale defaults)
  c.architecture = "deepnet";
  c.deepnorm = true;
  c.norm_eps = 1e-5;
  c.with_pooler = false;
  return c;
}
EncoderConfig deepnet_tiny() { return tiny(deepnet_base()); }

EncoderConfig encoder_preset(const std::string& name) {
  static const std::map<std::string, std::function<EncoderConfig()>> presets = {
      {"bert_tiny", bert_tiny},
      {"bert_base", bert_base},
      {"bert_large", bert_large},
      {"roformer_tiny", roformer_tiny},
      {"roformer_base", roformer_base},
      {"roformer_v2_tiny", roformer_v2_tiny},
      {"roformer_v2_small", roformer_v2_small},
      {"roformer_v2_base", roformer_v2_base},
      {"roformer_v2_large", roformer_v2_large},
      {"deepnet_tiny", deepnet_tiny},
      {"deepnet_base", deepnet_base}};
  auto it = presets.find(name);
  if (it == presets.end()) {
    std::vector<std::string> names;
    for (const auto& p : presets) names.push_back(p.first);
    throw std::invalid_argument(fmt::format(
        "unknown encoder preset '{}' (expected one of: {})", name, fmt::join(names, ", ")));
  }
  return it->second();
}

}  // namespace sentzoo
