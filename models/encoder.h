#pragma once
// TransformerEncoder: the one encoder body behind BERT, RoFormer v1, RoFormerV2 and DeepNet.
// The families differ only in switches of EncoderConfig (positions, bias, norm type and place,
// residual alpha, MLM head) that each family's file fixes (models/architecture.h); the block
// wiring below reads them (REFERENCE.md §1-3). Each forward has its TorchScript twin beside it.

#include <torch/torch.h>

#include <string>
#include <vector>

#include "models/architecture.h"
#include "models/attention.h"
#include "models/bert.h"
#include "models/custom.h"
#include "models/deepnet.h"
#include "models/dropout.h"
#include "models/embeddings.h"
#include "models/encoder_config.h"
#include "models/feed_forward.h"
#include "models/norm.h"
#include "models/roformer_v2.h"

namespace sentzoo {

class ScriptWriter;

/// One block. post: x = Norm(alpha*x + ramp*F(x)) (BERT, RoFormer(V2), DeepNorm with alpha > 1);
/// pre: x = x + ramp*F(Norm(x)).
struct TransformerBlockImpl : torch::nn::Module {
  explicit TransformerBlockImpl(const EncoderConfig& config);
  /// x: (B, T, h), mask: (B, T) or undefined (no padding) -> (B, T, h)
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask, double ramp = 1.0);
  /// Emits forward (eval mode) into the open method; returns the name of the result.
  std::string script(ScriptWriter& s,
                     const std::string& x,
                     const std::string& key_mask,
                     double ramp) const;
  MultiHeadSelfAttention attn{nullptr};
  Norm norm1{nullptr}, norm2{nullptr};
  FeedForward ffn{nullptr};
  FastDropout dropout{nullptr};
  const double alpha;  // DeepNet eq. (4): residual scale; 1 otherwise
  const bool post_norm;
  const bool residual;  // false: no skip path (issue #17 item 2's ablation)
};
TORCH_MODULE(TransformerBlock);

/// BERT-style MLM head (transform Dense + act + LN, tied decoder + bias) or RoFormerV2's tied
/// x E^T without transform or bias (REFERENCE §1.1 MLM row).
struct MlmHeadImpl : torch::nn::Module {
  explicit MlmHeadImpl(const EncoderConfig& config);
  /// hidden: (B, T, h), embedding: (V, h) -> logits (B, T, V)
  torch::Tensor forward(const torch::Tensor& hidden, const torch::Tensor& embedding);
  torch::nn::Linear transform{nullptr};
  Norm norm{nullptr};
  torch::Tensor bias;  // (V), undefined for "tied"
  const Activation act;
};
TORCH_MODULE(MlmHead);

struct EncoderOutput {
  torch::Tensor last_hidden;                 // (B, T, h)
  std::vector<torch::Tensor> hidden_states;  // embeddings output + each block (L+1), if asked
  torch::Tensor pooler_output;               // (B, h) act(W x[:,0] + b), if the model has one
  torch::Tensor mask;                        // (B, T) int64, 1 = token
};

struct TransformerEncoderImpl : torch::nn::Module {
  explicit TransformerEncoderImpl(const EncoderConfig& config);
  /// ids, mask: (B, T) int64 (mask 1 = token, 0 = padding); segments: (B, T) or undefined
  /// (all zeros).
  EncoderOutput forward(const torch::Tensor& ids,
                        const torch::Tensor& mask,
                        const torch::Tensor& segments = {},
                        bool output_hidden_states = false);
  /// Defines the TorchScript method `name`(ids, mask, seg: Optional[Tensor]) -> (last_hidden,
  /// hidden_states[1]) equal to forward in eval mode. The MLM head is declared unused (it is
  /// not part of forward); a caller either reads the pooler (script_pooler) or declares it unused.
  void script(ScriptWriter& s, const std::string& name) const;
  /// The TorchScript expression of pooler_output from the expression of last_hidden.
  std::string script_pooler(ScriptWriter& s, const std::string& last_hidden) const;
  /// MLM logits (B, T, V) from last_hidden; needs with_mlm_head.
  torch::Tensor mlm_logits(const torch::Tensor& last_hidden);
  /// The residual ramp of RoFormerV2 pretraining (blog 8998, REFERENCE §1.6): a non-trainable
  /// scalar in x = Norm(x + ramp*F(x)), raised 0 -> 1 by the trainer. Not saved with weights.
  void set_residual_ramp(double ramp) { residual_ramp = ramp; }
  double residual_ramp = 1.0;

  Embeddings embeddings{nullptr};
  torch::nn::ModuleList layers{nullptr};
  Norm final_norm{nullptr};           // pre-norm only
  torch::nn::Linear pooler{nullptr};  // with_pooler only
  MlmHead mlm{nullptr};               // with_mlm_head only
  const EncoderConfig config;
};
TORCH_MODULE(TransformerEncoder);

/// Parses the JSON strictly, builds, and initialises by the architecture's rule.
TransformerEncoder make_encoder(const nlohmann::json& config_json);
/// Same from a parsed config; init=false leaves LibTorch's default init (e.g. before loading).
TransformerEncoder make_encoder(const EncoderConfig& config, bool init = true);

}  // namespace sentzoo
