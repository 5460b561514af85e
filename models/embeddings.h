#pragma once
// Embeddings: tok[ids] + seg[segments] (+ learned pos[0..T-1]) -> norm (optional) -> dropout
// (REFERENCE.md §1.1 Embeddings row, §2), and its TorchScript twin.

#include <torch/torch.h>

#include <string>

#include "models/dropout.h"
#include "models/encoder_config.h"
#include "models/norm.h"

namespace sentzoo {

class ScriptWriter;

struct EmbeddingsImpl : torch::nn::Module {
  explicit EmbeddingsImpl(const EncoderConfig& config);
  /// ids, segments: (B, T) int64 -> (B, T, hidden)
  torch::Tensor forward(const torch::Tensor& ids, const torch::Tensor& segments);
  /// Emits the statements of forward into the open method (ids, segments: TorchScript names);
  /// returns the name of the result ("x").
  std::string script(ScriptWriter& s, const std::string& ids, const std::string& segments) const;
  torch::nn::Embedding tok{nullptr}, seg{nullptr}, pos{nullptr};
  Norm norm{nullptr};
  FastDropout dropout{nullptr};
};
TORCH_MODULE(Embeddings);

}  // namespace sentzoo
