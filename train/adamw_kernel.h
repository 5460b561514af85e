#pragma once
// The element-wise AdamW update over raw arrays (used by FusedAdamW, train/optimizer.h). Kept
// free of LibTorch headers so its translation unit can be built with -fno-math-errno (otherwise
// GCC will not vectorise the square root) and cloned per instruction set (AVX-512, AVX2, x86-64),
// chosen at load time.

#include <cstdint>

namespace sentzoo {

struct AdamWStepConstants {
  double decay;  // 1 - lr * weight_decay
  double beta1, beta2, eps;
  double sqrt_bias_correction2;  // sqrt(1 - beta2^t)
  double step_size;              // lr / (1 - beta1^t)
};

/// For i in [0, n): the order of LibTorch's AdamW::step (torch/csrc/api/src/optim/adamw.cpp):
/// m = beta1 m + (1-beta1) g; v = beta2 v + (1-beta2) g^2;
/// p = p * decay - step_size * m / (sqrt(v) / sqrt_bias_correction2 + eps).
void adamw_update(float* p, const float* g, float* m, float* v, int64_t n, const AdamWStepConstants& c);
void adamw_update(double* p, const double* g, double* m, double* v, int64_t n,
                  const AdamWStepConstants& c);

}  // namespace sentzoo
