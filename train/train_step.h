#pragma once
// The forward/backward half of one optimizer step (train/trainer.cpp does the rest): either the
// weighted sum of the active tasks' losses (losses/loss_weighting.h) with one backward, or one
// backward per task with the shared encoder's gradients combined (losses/gradient_combiner.h:
// PCGrad, MGDA, ...). Both accumulate over grad_accum micro-batches and leave the gradients in
// the parameters' .grad().

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "dist/gradient_sync.h"
#include "losses/gradient_combiner.h"
#include "losses/loss_weighting.h"
#include "train/grad_scaler.h"
#include "train/run_setup.h"

namespace sentzoo {

struct StepPlan {
  std::vector<size_t> active;  // the tasks trained this step
  int64_t grad_accum = 1;
  bool autocast = false;
  torch::ScalarType amp_dtype = torch::kBFloat16;
  torch::DeviceType device = torch::kCPU;
  GradScaler* scaler = nullptr;  // fp16: scales each loss before backward; else null
  std::function<BatchShard(size_t task)> next_batch;         // the task's next (global) batch
  std::function<uint64_t(size_t task, int64_t micro)> seed;  // seed of a loss call
  /// Data parallel (several processes): averages the gradients over ranks as backward produces
  /// them (dist/gradient_sync.h); null with one process.
  GradientSync* sync = nullptr;
};

/// Backward of weighting.combine(losses) / grad_accum per micro-batch; returns the step's loss.
/// With plan.sync the gradients are averaged over ranks during the last micro-batch's backward.
double summed_loss_step(std::vector<Task>& tasks, const StepPlan& plan, LossWeighting& weighting);

/// Backward of each task's loss (times its weight) on its own; the gradients of `shared` (the
/// encoder's parameters) are replaced by combiner's combination, heads keep their own. Returns
/// the step's loss (the sum of the weighted task losses). With plan.sync each task's gradients
/// are averaged over ranks before the combiner sees them.
double combined_gradient_step(std::vector<Task>& tasks,
                              const StepPlan& plan,
                              GradientCombiner& combiner,
                              const std::vector<torch::Tensor>& shared);

}  // namespace sentzoo
