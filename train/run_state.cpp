// Capturing and restoring a run's resumable state (train/run_state.h).
#include "train/run_state.h"

namespace sentzoo {

void capture_run_state(TrainState& state,
                       const RunSetup& run,
                       const LossWeighting& weighting,
                       const GradScaler& scaler) {
  state.batchers.clear();
  for (const auto& task : run.tasks) state.batchers.push_back(task.batcher->state());
  state.weighting = weighting.state();
  state.loss_scale = scaler.current_scale();
  state.loss_scale_growth = scaler.clean_steps_since_growth();
}

void restore_run_state(const TrainState& state,
                       RunSetup& run,
                       LossWeighting& weighting,
                       GradScaler& scaler,
                       bool fp16) {
  for (size_t i = 0; i < run.tasks.size(); ++i) run.tasks[i].batcher->restore(state.batchers.at(i));
  weighting.load_state(state.weighting);
  if (fp16) scaler.restore(state.loss_scale, state.loss_scale_growth, state.skipped_steps);
}

}  // namespace sentzoo
