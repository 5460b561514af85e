#pragma once
// Embeddings: tok[ids] (* sqrt(h)) + seg[segments] (+ learned pos[o..o+T-1]) -> norm (optional)
// -> dropout (REFERENCE.md §1.1 Embeddings row, §2), and its TorchScript twin. The scale and the
// offset o are torchscale's (embed_scale unless no_scale_embedding; positions from 2, fairseq's
// padding_idx + 1); BERT-like families have neither.

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
  const double scale;             // 1, or sqrt(hidden_size) with scale_embedding
  const int64_t position_offset;  // first row of pos used
};
TORCH_MODULE(Embeddings);

}  // namespace sentzoo
