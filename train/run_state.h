#pragma once
// What a checkpoint holds beyond weights and optimizer, captured from and restored into a run:
// each task's data position, the loss weighting's state and the fp16 loss scaler
// (train/checkpoint.h TrainState). Restoring all of it is what makes resume bitwise exact.

#include "losses/loss_weighting.h"
#include "train/checkpoint.h"
#include "train/grad_scaler.h"
#include "train/run_setup.h"

namespace sentzoo {

/// Copies the run's data positions, weighting and scaler state into `state`.
void capture_run_state(TrainState& state,
                       const RunSetup& run,
                       const LossWeighting& weighting,
                       const GradScaler& scaler);

/// The reverse; the scaler only when `fp16`.
void restore_run_state(const TrainState& state,
                       RunSetup& run,
                       LossWeighting& weighting,
                       GradScaler& scaler,
                       bool fp16);

}  // namespace sentzoo
