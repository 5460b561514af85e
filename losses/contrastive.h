#pragma once
// Contrastive losses on labelled pairs (Hadsell, Chopra, LeCun 2006; sentence-transformers
// ContrastiveLoss and OnlineContrastiveLoss; REFERENCE.md §6). Labels: 1 similar, 0 dissimilar.

#include <torch/torch.h>

#include "losses/similarity.h"

namespace sentzoo {

constexpr double kContrastiveMargin = 0.5;  // sentence-transformers default (cosine distance)

/// 0.5·[y·d² + (1−y)·relu(m − d)²], mean over the batch (sum when mean = false).
/// u, v (B, D); labels (B) in {0, 1}.
torch::Tensor contrastive_loss(const torch::Tensor& u,
                               const torch::Tensor& v,
                               const torch::Tensor& labels,
                               double margin = kContrastiveMargin,
                               PairDistance distance = PairDistance::kCosine,
                               bool mean = true);

/// Sum of d² over hard positives and relu(m − d)² over hard negatives: positives farther than
/// the closest negative, negatives closer than the farthest positive (with sentence-transformers'
/// fallbacks to the mean when a side has at most one member). 0 with zero gradient when none.
torch::Tensor online_contrastive_loss(const torch::Tensor& u,
                                      const torch::Tensor& v,
                                      const torch::Tensor& labels,
                                      double margin = kContrastiveMargin,
                                      PairDistance distance = PairDistance::kCosine);

}  // namespace sentzoo
