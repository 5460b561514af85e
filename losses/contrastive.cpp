// Contrastive and online (hard-pair) contrastive loss.

#include "losses/contrastive.h"

namespace sentzoo {

torch::Tensor contrastive_loss(const torch::Tensor& u,
                               const torch::Tensor& v,
                               const torch::Tensor& labels,
                               double margin,
                               PairDistance distance,
                               bool mean) {
  TORCH_CHECK(labels.dim() == 1 && labels.size(0) == u.size(0),
              "contrastive_loss: labels must be (B), got ",
              labels.sizes());
  NoAutocast no_autocast;
  auto d = pair_distance(u, v, distance);  // (B)
  auto y = to_loss_precision(labels).to(d.scalar_type());
  auto losses = 0.5 * (y * d.pow(2) + (1 - y) * torch::relu(margin - d).pow(2));
  return mean ? losses.mean() : losses.sum();
}

torch::Tensor online_contrastive_loss(const torch::Tensor& u,
                                      const torch::Tensor& v,
                                      const torch::Tensor& labels,
                                      double margin,
                                      PairDistance distance) {
  TORCH_CHECK(labels.dim() == 1 && labels.size(0) == u.size(0),
              "online_contrastive_loss: labels must be (B), got ",
              labels.sizes());
  NoAutocast no_autocast;
  auto d = pair_distance(u, v, distance);  // (B)
  auto is_pos = labels == 1, is_neg = labels == 0;
  torch::Tensor hard_pos, hard_neg;
  {
    // Selection only; no gradient flows through the thresholds.
    torch::NoGradGuard no_grad;
    auto dd = d.detach();
    auto poss = dd.masked_select(is_pos), negs = dd.masked_select(is_neg);
    // sentence-transformers: negs < (poss.max() if len(poss) > 1 else negs.mean())
    auto neg_bound = poss.numel() > 1 ? poss.max() : negs.mean();  // mean of empty is NaN
    auto pos_bound = negs.numel() > 1 ? negs.min() : poss.mean();
    hard_neg = is_neg & (dd < neg_bound);
    hard_pos = is_pos & (dd > pos_bound);
  }
  auto zero = torch::zeros({}, d.options());
  auto positive_loss = torch::where(hard_pos, d.pow(2), zero).sum();
  auto negative_loss = torch::where(hard_neg, torch::relu(margin - d).pow(2), zero).sum();
  return positive_loss + negative_loss;
}

}  // namespace sentzoo
