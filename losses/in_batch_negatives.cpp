// In-batch negatives: each anchor must pick its own positive among all candidates.

#include "losses/in_batch_negatives.h"

#include "losses/similarity.h"

namespace sentzoo {

torch::Tensor in_batch_negatives_loss(const torch::Tensor& anchor,
                                      const torch::Tensor& positive,
                                      const std::vector<torch::Tensor>& negatives,
                                      double scale,
                                      bool symmetric) {
  TORCH_CHECK(anchor.dim() == 2 && anchor.sizes() == positive.sizes(),
              "in_batch_negatives_loss: anchor and positive must be (B, D), got ",
              anchor.sizes(),
              " and ",
              positive.sizes());
  NoAutocast no_autocast;
  std::vector<torch::Tensor> columns{positive};
  for (const auto& n : negatives) {
    TORCH_CHECK(n.sizes() == anchor.sizes(),
                "in_batch_negatives_loss: each negative must be ",
                anchor.sizes(),
                ", got ",
                n.sizes());
    columns.push_back(n);
  }
  const int64_t B = anchor.size(0);
  auto scores = cos_sim_matrix(anchor, torch::cat(columns, /*dim=*/0)) * scale;  // (B, B(1+k))
  auto target = torch::arange(B, scores.options().dtype(torch::kLong));
  namespace F = torch::nn::functional;
  auto forward = F::cross_entropy(scores, target);
  if (!symmetric) return forward;
  // positive_i must pick anchor_i among all anchors: the transposed (B, B) positive block
  auto backward = F::cross_entropy(scores.slice(/*dim=*/1, 0, B).t(), target);
  return (forward + backward) / 2;
}

}  // namespace sentzoo
