#pragma once
// Pairwise and matrix similarities for the embedding losses, always computed in fp32 (or fp64
// when the inputs are fp64) with autocast disabled (REFERENCE.md §4.3, §12).

#include <c10/core/impl/LocalDispatchKeySet.h>
#include <torch/torch.h>

#include <string>

namespace sentzoo {

/// Disables CPU/CUDA autocast for its scope: losses run their math in fp32 even inside an
/// AutocastGuard (autocast would send matmul/linear to bf16). Backward is unaffected.
class NoAutocast {
 public:
  NoAutocast()
      : guard_(
            c10::DispatchKeySet({c10::DispatchKey::AutocastCPU, c10::DispatchKey::AutocastCUDA})) {}

 private:
  c10::impl::ExcludeDispatchKeyGuard guard_;
};

/// `t` in fp32, or unchanged when it is already fp64 (float64 tests keep their precision).
torch::Tensor to_loss_precision(const torch::Tensor& t);

/// cos(a_i, b_i): (N, D), (N, D) -> (N); normalises with eps 1e-12 like F.normalize.
torch::Tensor pairwise_cos_sim(const torch::Tensor& a, const torch::Tensor& b);

/// cos(a_i, b_j): (N, D), (M, D) -> (N, M).
torch::Tensor cos_sim_matrix(const torch::Tensor& a, const torch::Tensor& b);

/// AnglE's normalised angle similarity (arXiv 2309.12871; sentence-transformers
/// util.pairwise_angle_sim): rows split in halves as real/imaginary parts, z = a + ib, w = c + id;
/// |Σ_k (Re + Im)(z_k·conj(w_k))| / (‖z‖·‖w‖) (the library's "complex division" by w, rescaled by
/// the norms, reduces to this). (N, D), (N, D) -> (N), D even.
torch::Tensor pairwise_angle_sim(const torch::Tensor& a, const torch::Tensor& b);

/// Distance between paired rows, as sentence-transformers' Siamese/Triplet distance metrics.
enum class PairDistance { kCosine, kEuclidean };

/// "cosine" | "euclidean"; the error lists the valid names.
PairDistance parse_pair_distance(const std::string& name);

/// kCosine: 1 − cos(a_i, b_i); kEuclidean: ‖a_i − b_i + 1e-6‖₂ (torch pairwise_distance). -> (N).
torch::Tensor pair_distance(const torch::Tensor& a, const torch::Tensor& b, PairDistance distance);

}  // namespace sentzoo
