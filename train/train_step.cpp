// The forward/backward half of one optimizer step (train/train_step.h).
#include "train/train_step.h"

#include "core/compat.h"

namespace sentzoo {

namespace {

// `last`: the last micro-batch before the gradients are used, whose backward averages them over
// ranks (plan.sync; the earlier ones only accumulate locally, as DDP's no_sync()).
torch::Tensor backward(const torch::Tensor& loss, const StepPlan& plan, bool last) {
  if (plan.sync) plan.sync->begin(last);
  // Backward runs outside autocast (REFERENCE.md §12); fp16 scales the loss first. A rank whose
  // share of the batch was empty has a loss without parameters in it: nothing to back-propagate,
  // but it still takes part in the gradient averaging (with no gradients of its own).
  if (loss.requires_grad()) (plan.scaler ? plan.scaler->scale(loss) : loss).backward();
  if (plan.sync && last) plan.sync->finish();
  return loss;
}

}  // namespace

double summed_loss_step(std::vector<Task>& tasks, const StepPlan& plan, LossWeighting& weighting) {
  double step_loss = 0;
  for (int64_t micro = 0; micro < plan.grad_accum; ++micro) {
    std::vector<torch::Tensor> losses(tasks.size());
    torch::Tensor total;
    {
      compat::AutocastGuard amp(plan.autocast, plan.device, plan.amp_dtype);
      for (size_t t : plan.active) {
        losses[t] =
            tasks[t].objective.loss(plan.next_batch(t), plan.seed(t, micro)).to(torch::kFloat);
      }
      total = weighting.combine(losses) / double(plan.grad_accum);
    }
    step_loss += backward(total, plan, micro + 1 == plan.grad_accum).item<double>();
  }
  return step_loss;
}

double combined_gradient_step(std::vector<Task>& tasks,
                              const StepPlan& plan,
                              GradientCombiner& combiner,
                              const std::vector<torch::Tensor>& shared) {
  // Each task's gradient is accumulated over grad_accum micro-batches before combining.
  double step_loss = 0;
  std::vector<std::vector<torch::Tensor>> grads;
  for (size_t t : plan.active) {
    for (int64_t micro = 0; micro < plan.grad_accum; ++micro) {
      torch::Tensor loss;
      {
        compat::AutocastGuard amp(plan.autocast, plan.device, plan.amp_dtype);
        loss = tasks[t].objective.loss(plan.next_batch(t), plan.seed(t, micro)).to(torch::kFloat) *
               (tasks[t].spec.weight / double(plan.grad_accum));
      }
      step_loss += backward(loss, plan, micro + 1 == plan.grad_accum).item<double>();
    }
    std::vector<torch::Tensor> g;
    for (const auto& p : shared) {
      g.push_back(p.grad().defined() ? p.grad().clone() : torch::Tensor());
      if (p.grad().defined()) p.mutable_grad().zero_();
    }
    grads.push_back(std::move(g));
  }
  const auto combined = combiner.combine(grads);
  for (size_t k = 0; k < shared.size(); ++k) {
    if (combined[k].defined()) {
      auto p = shared[k];
      p.mutable_grad() = combined[k].to(p.dtype());
    }
  }
  return step_loss;
}

}  // namespace sentzoo
