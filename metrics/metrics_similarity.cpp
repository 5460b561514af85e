// Pair scores from embeddings; float64 so the metrics downstream see no float32 rounding ties.
#include "metrics/metrics_similarity.h"

#include <fmt/format.h>

#include <stdexcept>

namespace sentzoo {

Similarity parse_similarity(const std::string& name) {
  if (name == "cosine") return Similarity::kCosine;
  if (name == "dot") return Similarity::kDot;
  if (name == "euclidean") return Similarity::kEuclidean;
  if (name == "manhattan") return Similarity::kManhattan;
  throw std::invalid_argument(fmt::format(
      "unknown similarity '{}' (expected one of: cosine, dot, euclidean, manhattan)", name));
}

std::string to_string(Similarity similarity) {
  switch (similarity) {
    case Similarity::kCosine:
      return "cosine";
    case Similarity::kDot:
      return "dot";
    case Similarity::kEuclidean:
      return "euclidean";
    case Similarity::kManhattan:
      return "manhattan";
  }
  return "?";
}

std::vector<double> similarity_scores(const torch::Tensor& a,
                                      const torch::Tensor& b,
                                      Similarity similarity) {
  TORCH_CHECK(a.dim() == 2 && b.dim() == 2 && a.sizes() == b.sizes(),
              "similarity_scores: expected two (N, D) tensors of one shape, got ",
              a.sizes(),
              " and ",
              b.sizes());
  const auto x = a.detach().to(torch::kCPU, torch::kDouble);
  const auto y = b.detach().to(torch::kCPU, torch::kDouble);
  torch::Tensor s;  // (N)
  switch (similarity) {
    case Similarity::kCosine: {
      // Divide by the norms, treating a zero norm as 1 (the row stays 0), as sklearn normalize.
      auto nx = x.norm(2, /*dim=*/1, /*keepdim=*/true);
      auto ny = y.norm(2, /*dim=*/1, /*keepdim=*/true);
      nx = torch::where(nx == 0, torch::ones_like(nx), nx);
      ny = torch::where(ny == 0, torch::ones_like(ny), ny);
      s = ((x / nx) * (y / ny)).sum(/*dim=*/1);
      break;
    }
    case Similarity::kDot:
      s = (x * y).sum(/*dim=*/1);
      break;
    case Similarity::kEuclidean:
      s = -(x - y).norm(2, /*dim=*/1);
      break;
    case Similarity::kManhattan:
      s = -(x - y).abs().sum(/*dim=*/1);
      break;
  }
  s = s.contiguous();
  return std::vector<double>(s.data_ptr<double>(), s.data_ptr<double>() + s.numel());
}

}  // namespace sentzoo
