#pragma once
// Cross-encoder classification losses on logits: binary cross-entropy (one logit per pair) and
// K-class cross-entropy (sentence-transformers cross_encoder BinaryCrossEntropyLoss and
// CrossEntropyLoss; REFERENCE.md §6).

#include <torch/torch.h>

namespace sentzoo {

/// mean BCE-with-logits: logits (B) or (B, 1), labels (B) in [0, 1]; pos_weight ≤ 0 means none.
torch::Tensor cross_encoder_bce_loss(const torch::Tensor& logits,
                                     const torch::Tensor& labels,
                                     double pos_weight = 0.0);

/// mean cross-entropy: logits (B, K), labels (B) class indices.
torch::Tensor cross_encoder_ce_loss(const torch::Tensor& logits, const torch::Tensor& labels);

}  // namespace sentzoo
