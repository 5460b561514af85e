#pragma once
// The encoder config matrix shared by the models and export tests: bert_tiny() with one flag
// changed per variation (torchscale tests/test_encoder.py style). Variations that are no
// published architecture say "custom" (models/architecture.h).

#include <string>
#include <vector>

#include "models/encoder.h"

namespace sentzoo::testing {

struct Variation {
  const char* name;
  void (*apply)(EncoderConfig&);
};

inline std::vector<Variation> config_variations() {
  return {Variation{"pre_norm",
                    [](EncoderConfig& c) {
                      c.architecture = Architecture::kCustom;
                      c.norm_position = NormPosition::kPre;
                    }},
          Variation{"gelu_new", [](EncoderConfig& c) { c.hidden_act = Activation::kGeluNew; }},
          Variation{"relu", [](EncoderConfig& c) { c.hidden_act = Activation::kRelu; }},
          Variation{"rotary",
                    [](EncoderConfig& c) {
                      c.architecture = Architecture::kRoformer;
                      c.position_embedding = PositionEmbedding::kRotary;
                    }},
          Variation{"no_bias",
                    [](EncoderConfig& c) {
                      c.architecture = Architecture::kCustom;
                      c.use_bias = false;
                    }},
          Variation{"rms_norm",
                    [](EncoderConfig& c) {
                      c.architecture = Architecture::kCustom;
                      c.norm_type = NormType::kRmsNorm;
                    }},
          Variation{"no_embedding_norm",
                    [](EncoderConfig& c) {
                      c.architecture = Architecture::kCustom;
                      c.embedding_norm = false;
                    }},
          Variation{"no_pooler", [](EncoderConfig& c) { c.with_pooler = false; }},
          Variation{"mlm_bert", [](EncoderConfig& c) { c.with_mlm_head = true; }},
          Variation{"mlm_tied",
                    [](EncoderConfig& c) {
                      c.architecture = Architecture::kCustom;
                      c.with_mlm_head = true;
                      c.mlm_head = MlmHeadType::kTied;
                    }},
          Variation{"deepnorm_adam",
                    [](EncoderConfig& c) {
                      c.architecture = Architecture::kDeepnet;
                      c.deepnorm = true;
                      c.deepnorm_constants = DeepNormConstants::kAdam;
                    }},
          Variation{"deepnorm_fairseq",
                    [](EncoderConfig& c) {
                      c.architecture = Architecture::kDeepnet;
                      c.deepnorm = true;
                      c.deepnorm_init = DeepNormInit::kFairseq;
                    }},
          Variation{"deepnorm_xavier",
                    [](EncoderConfig& c) {
                      c.architecture = Architecture::kDeepnet;
                      c.deepnorm = true;
                      c.deepnorm_init = DeepNormInit::kXavierNormal;
                    }},
          Variation{"segments_1", [](EncoderConfig& c) { c.type_vocab_size = 1; }},
          // torchscale's embeddings (models/torchscale_weights.h): sqrt(d) scale, rows from 2
          Variation{"torchscale_embeddings",
                    [](EncoderConfig& c) {
                      c.architecture = Architecture::kDeepnet;
                      c.deepnorm = true;
                      c.scale_embedding = true;
                      c.position_offset = 2;
                      c.embedding_norm = false;
                    }},
          // issue #17 item 2's ablation: no skip connections, post- and pre-norm
          Variation{"no_residual",
                    [](EncoderConfig& c) {
                      c.architecture = Architecture::kCustom;
                      c.residual = false;
                    }},
          Variation{"no_residual_pre",
                    [](EncoderConfig& c) {
                      c.architecture = Architecture::kCustom;
                      c.norm_position = NormPosition::kPre;
                      c.residual = false;
                    }},
          // the roformer package's pooler_activation
          Variation{"pooler_gelu", [](EncoderConfig& c) {
                      c.architecture = Architecture::kCustom;
                      c.pooler_activation = PoolerActivation::kGelu;
                    }}};
}

/// bert_tiny() with the variation applied.
inline EncoderConfig varied_config(const Variation& v) {
  auto c = bert_tiny();
  v.apply(c);
  return c;
}

}  // namespace sentzoo::testing
