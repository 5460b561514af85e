#pragma once
// Multiple-Negatives-Ranking loss: in-batch negatives with optional hard negatives, and the
// symmetric variant (Henderson et al. 2017 §4.4; sentence-transformers
// MultipleNegativesRankingLoss / MultipleNegativesSymmetricRankingLoss; REFERENCE.md §6).

#include <torch/torch.h>

#include <vector>

namespace sentzoo {

constexpr double kInBatchScale = 20.0;  // sentence-transformers default (1 / temperature 0.05)

/// cross_entropy(scale·cos(anchor_i, candidates), i) with candidates = [positive; negatives...]
/// ((B + k·B, D)); the symmetric variant averages it with cross_entropy over positives→anchors
/// (positives only, as sentence-transformers does). anchor, positive, each negative: (B, D).
torch::Tensor in_batch_negatives_loss(const torch::Tensor& anchor,
                                      const torch::Tensor& positive,
                                      const std::vector<torch::Tensor>& negatives = {},
                                      double scale = kInBatchScale,
                                      bool symmetric = false);

}  // namespace sentzoo
