// The custom family (models/custom.h): no rules beyond every family's, HF's normal init (plus
// DeepNet's layer init when deepnorm is on), and a config.json read back through its "sentzoo"
// object.

#include "models/custom.h"

#include "models/bert.h"
#include "models/deepnet.h"
#include "models/encoder.h"

namespace sentzoo {

namespace {

void validate_custom(const EncoderConfig&) {}

void init_custom(TransformerEncoderImpl& enc) {
  init_hf_normal(enc);
  if (enc.config.deepnorm) init_deepnorm_layers(enc);
}

void custom_to_hf(const EncoderConfig& c, nlohmann::json& j) {
  j["model_type"] = "sentzoo-custom";
  j["architectures"] = {"SentzooEncoder"};
  j["use_bias"] = c.use_bias;
}

}  // namespace

const ArchitectureSpec& custom_spec() {
  // The final norm of a pre-norm stack has no HF counterpart: it keeps a sentzoo name.
  static const ArchitectureSpec spec{Architecture::kCustom,
                                     {},
                                     validate_custom,
                                     init_custom,
                                     nullptr,
                                     nullptr,
                                     custom_to_hf,
                                     "bert.",
                                     {{"final_norm.weight", "sentzoo_final_norm.weight"},
                                      {"final_norm.bias", "sentzoo_final_norm.bias"}}};
  return spec;
}

}  // namespace sentzoo
