#pragma once
// The computations the two-process tests run on every rank (tests/dist/dist_worker.cpp) and
// again in one process on the global batch (tests/dist/dist_process_test.cpp): the same seeds,
// the same models, so the two can be compared parameter by parameter.

#include <torch/torch.h>

#include <vector>

namespace sentzoo::testing::dist_cases {

// A small MLP (Linear 8 -> 16, tanh, Linear 16 -> 4) and an extra Linear no loss uses (its
// gradient must stay undefined), initialised from seed 7.
struct Mlp : torch::nn::Module {
  torch::nn::Linear first{nullptr}, second{nullptr}, unused{nullptr};
  Mlp() {
    torch::manual_seed(7);
    first = register_module("first", torch::nn::Linear(8, 16));
    second = register_module("second", torch::nn::Linear(16, 4));
    unused = register_module("unused", torch::nn::Linear(4, 4));
  }
  torch::Tensor forward(const torch::Tensor& x) { return second(torch::tanh(first(x))); }
};

// The global batch: 16 rows of inputs and targets (seed 11).
inline std::pair<torch::Tensor, torch::Tensor> regression_batch() {
  torch::manual_seed(11);
  auto x = torch::randn({16, 8});
  auto y = torch::randn({16, 4});
  return {x, y};
}

inline torch::Tensor regression_loss(Mlp& model, const torch::Tensor& x, const torch::Tensor& y) {
  return (model.forward(x) - y).pow(2).mean();
}

// In-batch negatives: anchors and positives (8 pairs, seed 13) encoded by one Linear 8 -> 6
// (seed 5); rank 0 holds pairs 0..4, rank 1 pairs 5..7 (uneven on purpose).
inline torch::nn::Linear pair_encoder() {
  torch::manual_seed(5);
  return torch::nn::Linear(8, 6);
}
inline std::pair<torch::Tensor, torch::Tensor> pair_batch() {
  torch::manual_seed(13);
  auto anchors = torch::randn({8, 8});
  auto positives = anchors + 0.3 * torch::randn({8, 8});
  return {anchors, positives};
}
inline std::pair<int64_t, int64_t> pair_rows(int rank) {  // [begin, end) of a rank's pairs
  return rank == 0 ? std::pair<int64_t, int64_t>{0, 5} : std::pair<int64_t, int64_t>{5, 8};
}
// MultipleNegativesRankingLoss: cross-entropy of anchor i against every positive, scale 20.
inline torch::Tensor in_batch_loss(const torch::Tensor& a, const torch::Tensor& p) {
  namespace F = torch::nn::functional;
  auto scores = 20 * torch::mm(F::normalize(a, F::NormalizeFuncOptions().dim(1)),
                               F::normalize(p, F::NormalizeFuncOptions().dim(1)).t());
  return F::cross_entropy(scores, torch::arange(a.size(0)));
}

// Gradients of a module's parameters, in order (undefined ones as empty tensors).
inline std::vector<torch::Tensor> gradients_of(torch::nn::Module& m) {
  std::vector<torch::Tensor> out;
  for (const auto& p : m.parameters())
    out.push_back(p.grad().defined() ? p.grad().clone() : torch::Tensor());
  return out;
}

}  // namespace sentzoo::testing::dist_cases
