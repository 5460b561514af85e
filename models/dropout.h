#pragma once
// Inverted dropout whose CPU mask comes from a counter-based generator.
//
// Why not torch::dropout: on CPU, LibTorch 1.13 draws the Bernoulli mask one element at a time
// through CPUGeneratorImpl::random64 on a single thread (bernoulli_ has no parallel CPU kernel
// without MKL). For RoFormerV2-small at T = 128 that was ~17% of a 2-thread training step
// (docs/PERFORMANCE.md §9, "dropout 0" row). Here one 64-bit seed is drawn from the default CPU
// generator per call (so torch::manual_seed still makes a step reproducible), and element i's
// uniform is a half of SplitMix64(seed + (i/2 + 1)·γ): the same mask for any thread count, made
// in parallel. CUDA tensors keep ATen's fused dropout.

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <cstdint>

namespace sentzoo {

/// The scaled keep-mask: 1/(1-p) where kept (probability 1-p, resolution 2^-32), 0 where dropped.
/// Same sizes and dtype as asked; on the CPU.
torch::Tensor dropout_mask(torch::IntArrayRef sizes, torch::ScalarType dtype, double p, uint64_t seed);

/// x * mask in training with p > 0; x itself otherwise. p in [0, 1].
torch::Tensor fast_dropout(const torch::Tensor& x, double p, bool training);

/// Module form (no parameters, so checkpoint names are unaffected); follows train()/eval().
struct FastDropoutImpl : torch::nn::Module {
  explicit FastDropoutImpl(double p_) : p(p_) {}
  torch::Tensor forward(const torch::Tensor& x) { return fast_dropout(x, p, is_training()); }
  const double p;
};
TORCH_MODULE(FastDropout);

}  // namespace sentzoo
