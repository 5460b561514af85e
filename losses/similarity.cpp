// Similarities shared by the losses (sentence-transformers util.py semantics).

#include "losses/similarity.h"

#include <stdexcept>

namespace sentzoo {

torch::Tensor to_loss_precision(const torch::Tensor& t) {
  return t.scalar_type() == torch::kDouble ? t : t.to(torch::kFloat);
}

namespace {
void check_pair(const torch::Tensor& a, const torch::Tensor& b, const char* what) {
  TORCH_CHECK(a.dim() == 2 && b.dim() == 2 && a.sizes() == b.sizes(),
              what,
              ": expected two (N, D) tensors of equal shape, got ",
              a.sizes(),
              " and ",
              b.sizes());
}
}  // namespace

torch::Tensor pairwise_cos_sim(const torch::Tensor& a, const torch::Tensor& b) {
  check_pair(a, b, "pairwise_cos_sim");
  NoAutocast no_autocast;
  namespace F = torch::nn::functional;
  const auto opts = F::NormalizeFuncOptions().p(2).dim(1);
  auto an = F::normalize(to_loss_precision(a), opts);
  auto bn = F::normalize(to_loss_precision(b), opts);
  return (an * bn).sum(/*dim=*/1);
}

torch::Tensor cos_sim_matrix(const torch::Tensor& a, const torch::Tensor& b) {
  TORCH_CHECK(a.dim() == 2 && b.dim() == 2 && a.size(1) == b.size(1),
              "cos_sim_matrix: expected (N, D) and (M, D), got ",
              a.sizes(),
              " and ",
              b.sizes());
  NoAutocast no_autocast;
  namespace F = torch::nn::functional;
  const auto opts = F::NormalizeFuncOptions().p(2).dim(1);
  auto an = F::normalize(to_loss_precision(a), opts);
  auto bn = F::normalize(to_loss_precision(b), opts);
  return torch::mm(an, bn.t());  // (N, M)
}

torch::Tensor pairwise_angle_sim(const torch::Tensor& x, const torch::Tensor& y) {
  check_pair(x, y, "pairwise_angle_sim");
  TORCH_CHECK(x.size(1) % 2 == 0, "pairwise_angle_sim: D must be even, got ", x.size(1));
  NoAutocast no_autocast;
  // z = a + ib (from x), w = c + id (from y); z / w = ((ac + bd) + i(bc − ad)) / |w|²
  auto xs = to_loss_precision(x).chunk(2, /*dim=*/1);
  auto ys = to_loss_precision(y).chunk(2, /*dim=*/1);
  const auto &a = xs[0], &b = xs[1], &c = ys[0], &d = ys[1];
  auto z = (c * c + d * d).sum(/*dim=*/1, /*keepdim=*/true);  // |w|², (N, 1)
  auto re = (a * c + b * d) / z;
  auto im = (b * c - a * d) / z;
  // Rescale by |w| / |z| so the quotient has unit modulus (the angle only).
  auto dz = (a * a + b * b).sum(/*dim=*/1, /*keepdim=*/true).sqrt();
  auto dw = z.sqrt();
  re = re / (dz / dw);
  im = im / (dz / dw);
  return torch::cat({re, im}, /*dim=*/1).sum(/*dim=*/1).abs();
}

PairDistance parse_pair_distance(const std::string& name) {
  if (name == "cosine") return PairDistance::kCosine;
  if (name == "euclidean") return PairDistance::kEuclidean;
  throw std::invalid_argument("unknown distance '" + name +
                              "' (expected one of: cosine, euclidean)");
}

torch::Tensor pair_distance(const torch::Tensor& a, const torch::Tensor& b, PairDistance distance) {
  check_pair(a, b, "pair_distance");
  if (distance == PairDistance::kCosine) return 1.0 - pairwise_cos_sim(a, b);
  NoAutocast no_autocast;
  return torch::pairwise_distance(
      to_loss_precision(a), to_loss_precision(b), /*p=*/2.0, /*eps=*/1e-6);
}

}  // namespace sentzoo
