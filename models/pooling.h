#pragma once
// Sentence pooling over token states, always mask-aware: padding is never counted
// (REFERENCE.md §7; sentence-transformers models/Pooling.py; bert4keras first-last-avg).

#include <torch/torch.h>

#include <string>

#include "models/encoder.h"
#include "models/encoder_config.h"

namespace sentzoo {

class ScriptWriter;

enum class Pooling { kCls, kMean, kMax, kWeightedMean, kLastToken, kFirstLastAvg };

/// "cls", "mean" (alias "last_avg"), "max", "weighted_mean", "last_token", "first_last_avg".
Pooling parse_pooling(const std::string& name);
std::string to_string(Pooling pooling);

// hidden: (B, T, h), mask: (B, T) with 1 = token -> (B, h). Reductions run in fp32.
torch::Tensor pooling_cls(const torch::Tensor& hidden);
torch::Tensor pooling_mean(const torch::Tensor& hidden, const torch::Tensor& mask);
/// Padding set to the lowest float before the max (ST uses -1e9; same result, fp32).
torch::Tensor pooling_max(const torch::Tensor& hidden, const torch::Tensor& mask);
/// Position weights 1..T (SGPT; ST "weightedmean"), masked.
torch::Tensor pooling_weighted_mean(const torch::Tensor& hidden, const torch::Tensor& mask);
/// The last unmasked token of each row (ST "lasttoken").
torch::Tensor pooling_last_token(const torch::Tensor& hidden, const torch::Tensor& mask);
/// (mean(first block output) + mean(last layer)) / 2; first = hidden_states[1], not embeddings.
torch::Tensor pooling_first_last_avg(const torch::Tensor& first,
                                     const torch::Tensor& last,
                                     const torch::Tensor& mask);
/// Dispatch on an encoder output (first_last_avg needs output_hidden_states).
torch::Tensor pool(const EncoderOutput& out, Pooling pooling);
/// The TorchScript expression equal to pool(out, pooling), given the expressions of
/// out.last_hidden, out.hidden_states[1] and out.mask (models/script.h).
std::string pool_script(ScriptWriter& s,
                        Pooling pooling,
                        const std::string& last,
                        const std::string& first,
                        const std::string& mask);

struct PoolingConfig {
  std::string mode = "mean";              // see parse_pooling, e.g. "cls"
  int64_t dense_dim = 0;                  // optional projection h -> dense_dim (0 = none), e.g. 256
  std::string dense_activation = "tanh";  // "tanh" (ST Dense default) | "identity"
  bool normalize = false;                 // L2-normalise the sentence vector
  void validate() const;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(
    PoolingConfig, mode, dense_dim, dense_activation, normalize)

}  // namespace sentzoo
