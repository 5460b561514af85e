#pragma once
// In-batch negatives across ranks: every rank's rows of a batch tensor (sentence embeddings),
// concatenated in rank order, so that a loss over the batch (MNRL, CoSENT) sees the global batch.
// The gradient flows only into this rank's own rows (the other ranks' rows are constants here;
// each rank back-propagates into its own), scaled by the world size: every rank computes the same
// global loss L, so rank r's scaled gradient is W dL/d(rows of r), and the mean over ranks that
// GradientSync takes is then exactly dL/dtheta, as in one process on the concatenated batch.
// Anchors and positives gathered alike stay aligned (same rank order, same rows); sentence-
// transformers PR #3453 fixed a misalignment of exactly this kind.

#include <torch/torch.h>

#include <string>

#include "dist/communicator.h"

namespace sentzoo {

/// [sum of the ranks' rows, ...]: the ranks' `local` tensors (rows may differ; the other
/// dimensions must agree) in rank order; differentiable in `local` (gradient x world size).
/// `local` undefined: this rank has no rows (Communicator::all_gather).
torch::Tensor gather_with_grad(Communicator& communicator,
                               const torch::Tensor& local,
                               const std::string& what);

/// x forward; the incoming gradient times `factor` backward.
torch::Tensor scale_gradient(const torch::Tensor& x, double factor);

}  // namespace sentzoo
