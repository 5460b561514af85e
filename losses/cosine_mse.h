#pragma once
// Sentence-BERT regression objective: MSE between cos(u, v) and the label on the cosine scale
// (sentence-transformers CosineSimilarityLoss; REFERENCE.md §5).

#include <torch/torch.h>

namespace sentzoo {

/// mean((cos(u_i, v_i) − labels_i / label_scale)²); label_scale 5 maps STS-B's 0–5 onto 0–1.
/// u, v (B, D); labels (B). Returns a () tensor in fp32 (fp64 for fp64 inputs).
torch::Tensor cosine_mse_loss(const torch::Tensor& u,
                              const torch::Tensor& v,
                              const torch::Tensor& labels,
                              double label_scale = 1.0);

}  // namespace sentzoo
