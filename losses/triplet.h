#pragma once
// Triplet loss max(d(a, p) − d(a, n) + margin, 0) (sentence-transformers TripletLoss;
// REFERENCE.md §5: Euclidean, default margin 5).

#include <torch/torch.h>

#include "losses/similarity.h"

namespace sentzoo {

constexpr double kTripletMargin = 5.0;  // sentence-transformers default (Euclidean)

/// mean_i relu(d(a_i, p_i) − d(a_i, n_i) + margin); anchor, positive, negative (B, D).
torch::Tensor triplet_loss(const torch::Tensor& anchor,
                           const torch::Tensor& positive,
                           const torch::Tensor& negative,
                           double margin = kTripletMargin,
                           PairDistance distance = PairDistance::kEuclidean);

}  // namespace sentzoo
