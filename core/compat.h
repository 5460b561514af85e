#pragma once
// The one place where LibTorch 1.13 (Debian bookworm) and LibTorch 2.x differ for sentzoo:
// the autocast API (renamed to device-typed functions in 2.4, TOOLCHAIN.md §4 and §10) and the
// optional fused attention (at::scaled_dot_product_attention, public since 2.0, §7 and §10),
// and the key type of the optimizers' per-parameter state map (string in 1.13, void* in 2.x).
// Everything else in the tree is written against the API both versions share.

#include <ATen/autocast_mode.h>
#include <ATen/core/Tensor.h>
#include <c10/core/DeviceType.h>
#include <c10/core/ScalarType.h>
#include <c10/util/BFloat16.h>
#include <torch/version.h>

#include <atomic>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>

#define SENTZOO_TORCH_AT_LEAST(major, minor) \
  (TORCH_VERSION_MAJOR > (major) ||          \
   (TORCH_VERSION_MAJOR == (major) && TORCH_VERSION_MINOR >= (minor)))

#if SENTZOO_TORCH_AT_LEAST(2, 0)
#include <ATen/ops/scaled_dot_product_attention.h>
#endif

// c10d's process-group base class (dist/ only; the header is included there, not here):
// c10d::ProcessGroup in 1.13, c10d::Backend (what ProcessGroupGloo / ProcessGroupNCCL derive
// from) in 2.x.
#if SENTZOO_TORCH_AT_LEAST(2, 0)
#define SENTZOO_C10D_GROUP_HEADER <torch/csrc/distributed/c10d/Backend.hpp>
#define SENTZOO_C10D_GROUP_BASE c10d::Backend
#else
#define SENTZOO_C10D_GROUP_HEADER <torch/csrc/distributed/c10d/ProcessGroup.hpp>
#define SENTZOO_C10D_GROUP_BASE c10d::ProcessGroup
#endif

namespace sentzoo::compat {

namespace detail {
inline bool autocast_enabled(c10::DeviceType device) {
#if SENTZOO_TORCH_AT_LEAST(2, 4)
  return at::autocast::is_autocast_enabled(device);
#else
  return device == c10::DeviceType::CUDA ? at::autocast::is_enabled()
                                         : at::autocast::is_cpu_enabled();
#endif
}
inline void set_autocast_enabled(c10::DeviceType device, bool enabled) {
#if SENTZOO_TORCH_AT_LEAST(2, 4)
  at::autocast::set_autocast_enabled(device, enabled);
#else
  if (device == c10::DeviceType::CUDA) {
    at::autocast::set_enabled(enabled);
  } else {
    at::autocast::set_cpu_enabled(enabled);
  }
#endif
}
inline c10::ScalarType autocast_dtype(c10::DeviceType device) {
#if SENTZOO_TORCH_AT_LEAST(2, 4)
  return at::autocast::get_autocast_dtype(device);
#else
  return device == c10::DeviceType::CUDA ? at::autocast::get_autocast_gpu_dtype()
                                         : at::autocast::get_autocast_cpu_dtype();
#endif
}
inline void set_autocast_dtype(c10::DeviceType device, c10::ScalarType dtype) {
#if SENTZOO_TORCH_AT_LEAST(2, 4)
  at::autocast::set_autocast_dtype(device, dtype);
#else
  if (device == c10::DeviceType::CUDA) {
    at::autocast::set_autocast_gpu_dtype(dtype);
  } else {
    at::autocast::set_autocast_cpu_dtype(dtype);
  }
#endif
}
}  // namespace detail

/// RAII autocast region, the C++ counterpart of Python's `with torch.autocast(device, dtype)`.
/// Backward must run outside the guard (fp32 weight gradients). CPU accepts only bf16 in 1.13:
/// the dtype is set before enabling, so a rejected dtype leaves autocast off (TOOLCHAIN.md §4).
class AutocastGuard {
 public:
  explicit AutocastGuard(bool enabled,
                         c10::DeviceType device = c10::DeviceType::CPU,
                         c10::ScalarType dtype = c10::ScalarType::BFloat16)
      : active_(enabled), device_(device) {
    if (!active_) return;
    if (device == c10::DeviceType::CPU && dtype != c10::ScalarType::BFloat16) {
      throw std::invalid_argument(std::string("autocast on CPU supports only bf16, got ") +
                                  c10::toString(dtype));
    }
    previous_enabled_ = detail::autocast_enabled(device);
    previous_dtype_ = detail::autocast_dtype(device);
    detail::set_autocast_dtype(device, dtype);  // dtype first: it may throw
    detail::set_autocast_enabled(device, true);
    at::autocast::increment_nesting();
  }
  ~AutocastGuard() {
    if (!active_) return;
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
    detail::set_autocast_enabled(device_, previous_enabled_);
    detail::set_autocast_dtype(device_, previous_dtype_);
  }
  AutocastGuard(const AutocastGuard&) = delete;
  AutocastGuard& operator=(const AutocastGuard&) = delete;

 private:
  bool active_;
  c10::DeviceType device_;
  bool previous_enabled_ = false;
  c10::ScalarType previous_dtype_ = c10::ScalarType::BFloat16;
};

/// True when autocast is on for `device` in this thread.
inline bool autocast_active(c10::DeviceType device = c10::DeviceType::CPU) {
  return detail::autocast_enabled(device);
}

/// The key of parameter `p` in torch::optim::Optimizer's per-parameter state map: the
/// TensorImpl address printed as a string in 1.13 (c10::guts::to_string), the address itself in
/// 2.x. Map is the optimizer's state map type (its key_type decides).
template <typename Map>
typename Map::key_type optimizer_state_key(const at::Tensor& p) {
  using Key = typename Map::key_type;
  void* impl = p.unsafeGetTensorImpl();
  if constexpr (std::is_same_v<Key, std::string>) {
    std::ostringstream address;  // what c10::guts::to_string(void*) printed
    address << impl;
    return address.str();
  } else {
    return static_cast<Key>(impl);
  }
}

/// True when this LibTorch has the public at::scaled_dot_product_attention (2.0+, TOOLCHAIN.md
/// §7 and §10).
inline constexpr bool kHasFusedAttention = SENTZOO_TORCH_AT_LEAST(2, 0);

namespace detail {
inline std::atomic<bool>& fused_attention_wanted() {
  static std::atomic<bool> wanted{false};
  return wanted;
}
}  // namespace detail

/// Whether the models' attention takes the fused path where it applies (LibTorch 2.x, no
/// attention dropout in this call). Off by default: measured before/after in one bench run
/// (docs/PERFORMANCE.md §8b, torch 2.15 on a Zen 4, MiniLM shapes) SDPA's CPU kernel was slower
/// than the hand-written path for encoding (0.90x) and bf16 training (0.78x), and only 1.05x for
/// fp32 training. `sentzoo-bench --fused-attention 1` measures it; the tests compare both paths.
inline bool fused_attention_enabled() {
  return kHasFusedAttention && detail::fused_attention_wanted().load(std::memory_order_relaxed);
}
inline void set_fused_attention_enabled(bool enabled) {
  detail::fused_attention_wanted().store(enabled, std::memory_order_relaxed);
}

/// The dtypes fused_attention takes: fp32 and bf16. float64 stays on the hand-written path, which
/// is exact in float64 (the property tests' brute force); SDPA's CPU kernels differ from it by
/// ~2e-7 in float64 gradients (measured, torch 2.15), fp32-level.
inline bool fused_attention_supports(c10::ScalarType dtype) {
  return dtype == c10::ScalarType::Float || dtype == c10::ScalarType::BFloat16;
}

/// softmax(q k^T / sqrt(D) + pad) v through at::scaled_dot_product_attention (on the CPU its
/// flash kernel, which accumulates in fp32 for bf16 inputs; it takes no dropout): the fused
/// counterpart of models/attention.cpp's detail::masked_attention, whose semantics it keeps
/// (padded keys get the dtype's lowest finite value, so a row whose keys are all padding stays
/// uniform, not NaN). q, k, v: (B, H, T, D), computed in v's dtype (fp32 or bf16; under bf16
/// autocast q and k may arrive in fp32 after RoPE and are cast to bf16, as autocast's matmul does
/// in the hand-written path); key_mask: (B, T), 1 = keep, 0 = padding, or undefined. Equal to
/// masked_attention within 1e-5 in fp32 (tests/core/compat_test.cpp). Throws std::logic_error
/// before LibTorch 2.0, std::invalid_argument for other dtypes.
inline at::Tensor fused_attention(const at::Tensor& q,
                                  const at::Tensor& k,
                                  const at::Tensor& v,
                                  const at::Tensor& key_mask) {
#if SENTZOO_TORCH_AT_LEAST(2, 0)
  const auto dtype = v.scalar_type();
  if (!fused_attention_supports(dtype)) {
    throw std::invalid_argument(std::string("fused_attention: expected fp32 or bf16 v, got ") +
                                c10::toString(dtype));
  }
  const auto qd = q.to(dtype), kd = k.to(dtype);
  if (!key_mask.defined()) return at::scaled_dot_product_attention(qd, kd, v);
  const double lowest = dtype == c10::ScalarType::BFloat16
                            ? static_cast<double>(std::numeric_limits<c10::BFloat16>::lowest())
                            : std::numeric_limits<float>::lowest();
  // (B, T) -> additive (B, 1, 1, T) in v's dtype: 0 for kept keys, the lowest value for padding.
  auto mask = key_mask.eq(0).to(dtype).mul(lowest).view({key_mask.size(0), 1, 1, key_mask.size(1)});
  return at::scaled_dot_product_attention(qd, kd, v, mask);
#else
  (void)q, (void)k, (void)v, (void)key_mask;
  throw std::logic_error("fused_attention needs LibTorch 2.0 or newer");
#endif
}

}  // namespace sentzoo::compat
