// AdamW update kernel (train/adamw_kernel.h); built with -fno-math-errno, no precompiled header.
#include "train/adamw_kernel.h"

#include <cmath>

namespace sentzoo {

namespace {

template <typename T>
inline void update(T* __restrict p, const T* __restrict g, T* __restrict m, T* __restrict v,
                   int64_t n, const AdamWStepConstants& c) {
  const T decay = T(c.decay), beta1 = T(c.beta1), beta2 = T(c.beta2), eps = T(c.eps);
  const T one_minus_beta1 = T(1 - c.beta1), one_minus_beta2 = T(1 - c.beta2);
  const T sqrt_bc2 = T(c.sqrt_bias_correction2), step_size = T(c.step_size);
  for (int64_t i = 0; i < n; ++i) {
    const T gi = g[i];
    const T mi = m[i] * beta1 + gi * one_minus_beta1;
    const T vi = v[i] * beta2 + gi * gi * one_minus_beta2;
    m[i] = mi;
    v[i] = vi;
    p[i] = p[i] * decay - step_size * mi / (std::sqrt(vi) / sqrt_bc2 + eps);
  }
}

}  // namespace

__attribute__((target_clones("avx512f", "avx2", "default"))) void adamw_update(
    float* p, const float* g, float* m, float* v, int64_t n, const AdamWStepConstants& c) {
  update(p, g, m, v, n, c);
}

__attribute__((target_clones("avx512f", "avx2", "default"))) void adamw_update(
    double* p, const double* g, double* m, double* v, int64_t n, const AdamWStepConstants& c) {
  update(p, g, m, v, n, c);
}

}  // namespace sentzoo
