#pragma once
// EncoderConfig: one plain struct describing the four encoder families (BERT, RoFormer v1,
// RoFormerV2, DeepNet). The architecture picks the preset defaults; the remaining fields are the
// switches the block wiring reads (REFERENCE.md §1-3). Strict JSON (STYLE.md §3).

#include <fmt/format.h>

#include "core/config.h"

#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace sentzoo {

struct EncoderConfig {
  std::string architecture = "bert";      // "bert" | "roformer" | "roformer_v2" | "deepnet"
  int64_t vocab_size = 30522;             // e.g. 12000 for RoFormerV2 (chars)
  int64_t hidden_size = 768;              // e.g. 384
  int64_t num_layers = 12;                // N, e.g. 6
  int64_t num_heads = 12;                 // e.g. 6; head_dim = hidden / heads
  int64_t intermediate_size = 3072;       // FFN width, e.g. 1536
  int64_t max_position_embeddings = 512;  // learned table rows (absolute positions only)
  int64_t type_vocab_size = 2;            // segment ids 0..type_vocab-1
  int64_t pad_token_id = 0;               // HF config field; the mask comes from attention_mask
  std::string hidden_act = "gelu";        // "gelu" (exact erf, HF "gelu") | "gelu_new" | "relu"
  std::string position_embedding = "absolute";  // "absolute" (learned) | "rotary" (RoPE on q, k)
  double rope_theta = 10000.0;                  // RoPE base, REFERENCE §1.2
  bool use_bias = true;                         // false everywhere for RoFormerV2
  std::string norm_type = "layer_norm";      // "layer_norm" | "rms_norm" (scale-free, RoFormerV2)
  double norm_eps = 1e-12;                   // BERT/ports 1e-12; torchscale 1e-5; bert4keras 1e-7
  std::string norm_position = "post";        // "post" (all four papers) | "pre" (+ final norm)
  bool embedding_norm = true;                // norm after embeddings (all four families)
  bool deepnorm = false;                     // DeepNet: x = LN(alpha*x + G(x)), REFERENCE §3.1
  std::string deepnorm_constants = "paper";  // "paper": (2N)^1/4,(8N)^-1/4 | "adam": (2N)^±1/2
  // DeepNet init (REFERENCE §3.2): "torchscale" = torchscale 0.3.0 as it runs (nn.Linear default
  // init, then v, out, fc1, fc2 weights and biases times beta), the default because it is the
  // released reference code and is verified against it; "fairseq" = the same division after
  // the xavier reset_parameters() torchscale defines but never calls; "xavier_normal" = the
  // paper's pseudocode (gain beta for v, out, ffn; gain 1 for q, k; zero biases).
  std::string deepnorm_init = "torchscale";
  bool with_pooler = true;          // BERT/RoFormer pooler: tanh(W x[:,0] + b)
  bool with_mlm_head = false;       // "bert": transform+LN+tied decoder+bias; "tied": x E^T
  std::string mlm_head = "bert";    // "bert" | "tied" (RoFormerV2: no transform, no bias)
  double hidden_dropout = 0.1;      // e.g. 0.1
  double attention_dropout = 0.1;   // e.g. 0.1
  double initializer_range = 0.02;  // std of BERT/RoFormer normal init

  int64_t head_dim() const { return hidden_size / num_heads; }
  bool rotary() const { return position_embedding == "rotary"; }
  /// Residual scale alpha in Norm(alpha*x + F(x)); 1 unless deepnorm (REFERENCE §3.1, §3.3).
  double residual_alpha() const;
  /// Init gain beta of DeepNet (v, o, fc1, fc2); 1 unless deepnorm.
  double init_beta() const;
  void validate() const;
};

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(EncoderConfig,
                                                architecture,
                                                vocab_size,
                                                hidden_size,
                                                num_layers,
                                                num_heads,
                                                intermediate_size,
                                                max_position_embeddings,
                                                type_vocab_size,
                                                pad_token_id,
                                                hidden_act,
                                                position_embedding,
                                                rope_theta,
                                                use_bias,
                                                norm_type,
                                                norm_eps,
                                                norm_position,
                                                embedding_norm,
                                                deepnorm,
                                                deepnorm_constants,
                                                deepnorm_init,
                                                with_pooler,
                                                with_mlm_head,
                                                mlm_head,
                                                hidden_dropout,
                                                attention_dropout,
                                                initializer_range)

// ---- presets (tiny: odd sizes after HF's ModelTester; the rest as released) ----
EncoderConfig bert_tiny();
EncoderConfig bert_base();
EncoderConfig bert_large();
EncoderConfig roformer_tiny();
EncoderConfig roformer_base();
EncoderConfig roformer_v2_tiny();
EncoderConfig roformer_v2_small();
EncoderConfig roformer_v2_base();
EncoderConfig roformer_v2_large();
EncoderConfig deepnet_tiny();
EncoderConfig deepnet_base();
/// Preset by name, e.g. "roformer_v2_small"; the error lists the valid names.
EncoderConfig encoder_preset(const std::string& name);

namespace detail {
/// DeepNet encoder-only constants (arXiv 2203.00555 Table 1; REFERENCE §3.1).
inline double deepnorm_alpha(int64_t n) { return std::pow(2.0 * n, 0.25); }
inline double deepnorm_beta(int64_t n) { return std::pow(8.0 * n, -0.25); }
}  // namespace detail

}  // namespace sentzoo
