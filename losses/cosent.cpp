// CoSENT: rank pairs of pairs inside the batch (kexue.fm/archives/8847, REFERENCE.md §4.2).

#include "losses/cosent.h"

#include "losses/similarity.h"

namespace sentzoo {

torch::Tensor cosent_loss(const torch::Tensor& scores, const torch::Tensor& labels, double scale) {
  TORCH_CHECK(scores.dim() == 1 && labels.dim() == 1 && scores.size(0) == labels.size(0),
              "cosent_loss: expected scores (N) and labels (N), got ",
              scores.sizes(),
              " and ",
              labels.sizes());
  NoAutocast no_autocast;
  auto s = to_loss_precision(scores) * scale;   // (N) λ·s_i
  auto diff = s.unsqueeze(1) - s.unsqueeze(0);  // (N, N) λ(s_i − s_j)
  auto y = to_loss_precision(labels);
  auto keep = y.unsqueeze(1) < y.unsqueeze(0);  // (N, N) y_i < y_j
  // −inf instead of sentence-transformers' −(1−y)·1e12: exact zero weight, and no overflow in
  // low precision (REFERENCE.md §4.3). The prepended 0 is the "1 +" and keeps logsumexp finite
  // (and its gradient zero) when every pair is masked.
  diff = diff.masked_fill(keep.logical_not(), -std::numeric_limits<double>::infinity());
  auto all = torch::cat({torch::zeros({1}, diff.options()), diff.reshape({-1})});
  return torch::logsumexp(all, /*dim=*/0);
}

torch::Tensor cosent_embedding_loss(const torch::Tensor& u,
                                    const torch::Tensor& v,
                                    const torch::Tensor& labels,
                                    double scale) {
  return cosent_loss(pairwise_cos_sim(u, v), labels, scale);
}

torch::Tensor angle_loss(const torch::Tensor& u,
                         const torch::Tensor& v,
                         const torch::Tensor& labels,
                         double scale) {
  return cosent_loss(pairwise_angle_sim(u, v), labels, scale);
}

}  // namespace sentzoo
