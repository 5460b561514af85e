#pragma once
// CoSENT ranking loss (kexue.fm/archives/8847; REFERENCE.md §4) for dual encoders (cosine),
// AnglE (angle similarity) and cross-encoder logits. Always fp32 (REFERENCE.md §4.3).

#include <torch/torch.h>

namespace sentzoo {

constexpr double kCoSENTScale = 20.0;  // λ in blog 8847 and sentence-transformers

/// L = log(1 + Σ_{(i,j): y_i < y_j} exp(λ·s_i − λ·s_j)); scores (N) are any similarity
/// (cosine, angle, cross-encoder logit), labels (N) any ordered value. A batch with no ordered
/// pair gives exactly 0 with zero gradient. Returns a () tensor, fp32 (fp64 for fp64 scores).
torch::Tensor cosent_loss(const torch::Tensor& scores,
                          const torch::Tensor& labels,
                          double scale = kCoSENTScale);

/// sentence-transformers CoSENTLoss: cosent_loss(pairwise_cos_sim(u, v), labels, scale).
torch::Tensor cosent_embedding_loss(const torch::Tensor& u,
                                    const torch::Tensor& v,
                                    const torch::Tensor& labels,
                                    double scale = kCoSENTScale);

/// sentence-transformers AnglELoss: cosent_loss(pairwise_angle_sim(u, v), labels, scale).
torch::Tensor angle_loss(const torch::Tensor& u,
                         const torch::Tensor& v,
                         const torch::Tensor& labels,
                         double scale = kCoSENTScale);

}  // namespace sentzoo
