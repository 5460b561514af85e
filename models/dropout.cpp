// Counter-based inverted dropout (models/dropout.h).
#include "models/dropout.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <stdexcept>

namespace sentzoo {

namespace {

constexpr uint64_t kGolden = 0x9E3779B97F4A7C15ULL;  // SplitMix64's increment γ

// SplitMix64's output function (Steele, Lea, Flood 2014): state -> 64 well-mixed bits.
inline uint64_t splitmix64_mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

uint64_t draw_seed() {
  auto generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  return at::check_generator<at::CPUGeneratorImpl>(generator)->random64();
}

}  // namespace

torch::Tensor dropout_mask(torch::IntArrayRef sizes, torch::ScalarType dtype, double p, uint64_t seed) {
  if (!(p >= 0 && p <= 1)) throw std::invalid_argument("dropout_mask: p must be in [0, 1]");
  auto mask = torch::empty(sizes, torch::TensorOptions().dtype(dtype));
  if (p == 1) return mask.zero_();
  // Drop when the 32-bit uniform u < threshold, i.e. with probability threshold / 2^32 (p just
  // below 1 rounds to 2^32 - 1, never wraps to 0).
  const auto threshold = static_cast<uint32_t>(
      std::min<long long>(std::llround(std::ldexp(p, 32)), 0xFFFFFFFFLL));
  const int64_t n = mask.numel();
  AT_DISPATCH_FLOATING_TYPES_AND2(at::kBFloat16, at::kHalf, dtype, "dropout_mask", [&] {
    scalar_t* out = mask.data_ptr<scalar_t>();
    const auto keep = static_cast<scalar_t>(1.0 / (1.0 - p));
    const auto drop = static_cast<scalar_t>(0);
    // Element i takes the low (even i) or high (odd i) half of draw i/2.
    at::parallel_for(0, (n + 1) / 2, /*grain_size=*/8192, [&](int64_t begin, int64_t end) {
      const int64_t full_end = std::min(end, n / 2);
      for (int64_t pair = begin; pair < full_end; ++pair) {
        const uint64_t z = splitmix64_mix(seed + static_cast<uint64_t>(pair + 1) * kGolden);
        out[2 * pair] = static_cast<uint32_t>(z) < threshold ? drop : keep;
        out[2 * pair + 1] = static_cast<uint32_t>(z >> 32) < threshold ? drop : keep;
      }
      if (end > full_end) {  // odd n: the last element has no partner
        const uint64_t z = splitmix64_mix(seed + static_cast<uint64_t>(n / 2 + 1) * kGolden);
        out[n - 1] = static_cast<uint32_t>(z) < threshold ? drop : keep;
      }
    });
  });
  return mask;
}

torch::Tensor fast_dropout(const torch::Tensor& x, double p, bool training) {
  if (!training || p == 0) return x;
  if (!x.device().is_cpu()) return torch::dropout(x, p, /*train=*/true);
  return x * dropout_mask(x.sizes(), x.scalar_type(), p, draw_seed());
}

}  // namespace sentzoo
