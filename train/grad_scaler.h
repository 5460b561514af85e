#pragma once
// Dynamic loss scaling for fp16 training (REFERENCE.md §12): LibTorch has no C++ GradScaler and
// its fused scaling ops are CUDA-only (TOOLCHAIN.md §4), so this one is written with plain
// tensor ops and works on any device. bf16 needs no scaling.

#include <torch/types.h>

#include <cstdint>
#include <vector>

namespace sentzoo {

struct GradScalerConfig {
  double init_scale = 65536.0;  // 2^16, torch.cuda.amp.GradScaler's default
  double growth_factor = 2.0;   // after growth_interval clean steps
  double backoff_factor = 0.5;  // on an overflow
  int64_t growth_interval = 2000;
};

class GradScaler {
 public:
  explicit GradScaler(GradScalerConfig config = {});

  /// loss * scale (call backward on this).
  torch::Tensor scale(const torch::Tensor& loss) const;

  /// Divides every gradient by the scale; returns true when all are finite. On false the
  /// caller skips optimizer.step(); update() must still be called.
  bool unscale_and_check(const std::vector<torch::Tensor>& parameters);

  /// Backs off after an overflow, grows after growth_interval clean steps.
  void update(bool found_finite);

  double current_scale() const { return scale_; }
  int64_t skipped_steps() const { return skipped_; }
  int64_t clean_steps_since_growth() const { return growth_tracker_; }

  /// For checkpoints: restore exactly.
  void restore(double scale, int64_t growth_tracker, int64_t skipped);

 private:
  GradScalerConfig config_;
  double scale_;
  int64_t growth_tracker_ = 0;
  int64_t skipped_ = 0;
};

}  // namespace sentzoo
