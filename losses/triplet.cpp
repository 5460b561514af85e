// Triplet margin loss on Euclidean or cosine distance.

#include "losses/triplet.h"

namespace sentzoo {

torch::Tensor triplet_loss(const torch::Tensor& anchor,
                           const torch::Tensor& positive,
                           const torch::Tensor& negative,
                           double margin,
                           PairDistance distance) {
  NoAutocast no_autocast;
  auto d_pos = pair_distance(anchor, positive, distance);  // (B)
  auto d_neg = pair_distance(anchor, negative, distance);  // (B)
  return torch::relu(d_pos - d_neg + margin).mean();
}

}  // namespace sentzoo
