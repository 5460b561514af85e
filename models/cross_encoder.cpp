// CrossEncoder (HF *ForSequenceClassification head on the joint sequence).

#include "models/cross_encoder.h"

#include <fmt/format.h>

#include "models/dual_encoder.h"
#include "models/script.h"

namespace sentzoo {

// ---- CrossEncoder ----

void CrossEncoderConfig::validate() const {
  encoder.validate();
  if (num_labels < 1) throw std::invalid_argument("CrossEncoderConfig: num_labels must be >= 1");
  if (head_input != "pooler" && head_input != "cls")
    throw std::invalid_argument("CrossEncoderConfig: unknown head_input '" + head_input +
                                "' (expected one of: pooler, cls)");
  if (head_input == "pooler" && !encoder.with_pooler)
    throw std::invalid_argument(
        "CrossEncoderConfig: head_input 'pooler' needs encoder.with_pooler");
}

CrossEncoderConfig parse_cross_encoder_config(const nlohmann::json& j) {
  return detail::parse_with_encoder<CrossEncoderConfig>(j, "CrossEncoderConfig");
}

CrossEncoderImpl::CrossEncoderImpl(const CrossEncoderConfig& c)
    : config(c), pooler_head(c.head_input == "pooler") {
  config.validate();
  encoder = register_module("encoder", make_encoder(c.encoder));
  dropout = register_module("dropout", FastDropout(c.dropout));
  classifier =
      register_module("classifier", torch::nn::Linear(c.encoder.hidden_size, c.num_labels));
  torch::NoGradGuard no_grad;
  classifier->weight.normal_(0.0, c.encoder.initializer_range);  // HF _init_weights
  classifier->bias.zero_();
}

torch::Tensor CrossEncoderImpl::forward(const torch::Tensor& ids,
                                        const torch::Tensor& mask,
                                        const torch::Tensor& segments) {
  auto seg = config.zero_segments || !segments.defined() ? torch::zeros_like(ids) : segments;
  auto out = encoder->forward(ids, mask, seg);
  auto x = pooler_head ? out.pooler_output : out.last_hidden.select(1, 0);
  auto logits = classifier(dropout(x));  // (B, K)
  return config.num_labels == 1 ? logits.squeeze(-1) : logits;
}

void CrossEncoderImpl::script(ScriptWriter& s) const {
  encoder->script(s, "_tower_a");
  s.begin(
      "def forward(self, input_ids: Tensor, attention_mask: Tensor, token_type_ids: "
      "Optional[Tensor] = None) -> Tensor:");
  // zero_segments: the tower's default for a missing token_type_ids is zeros_like(ids).
  s.line(fmt::format("last, first = self._tower_a(input_ids, attention_mask, {})",
                     config.zero_segments ? "None" : "token_type_ids"));
  std::string x = "last.select(1, 0)";
  if (pooler_head)
    x = encoder->script_pooler(s, "last");
  else if (encoder->pooler)
    s.unused(*encoder->pooler);  // the head reads x[:, 0], not pooler_output
  s.line(fmt::format("y = torch.linear({}, {}, {})",
                     x,
                     s.weight(classifier->weight),
                     s.optional_weight(classifier->bias)));  // dropout: identity in eval mode
  s.line(config.num_labels == 1 ? "return y.squeeze(-1)" : "return y");
  s.end();
}

}  // namespace sentzoo
