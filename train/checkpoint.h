#pragma once
// Training checkpoints: DIR/checkpoints/step-<N>/ holds the run model's weights
// (model.safetensors), the optimizer (optimizer.pt), the resolved config (config.json) and the
// train state (state.json: step, best metric, data positions, loss-weighting and loss-scaler
// state). Each directory is written atomically (io/atomic_file.h), so a crash never leaves a
// half-written checkpoint, and the newest complete one is the resume point.

#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "data/batcher.h"

namespace sentzoo {

struct TrainState {
  int64_t step = 0;                   // optimizer steps done
  double best_metric = std::nan("");  // primary dev metric of the best model so far
  int64_t best_step = -1;
  int64_t evals_without_improvement = 0;
  int64_t skipped_steps = 0;                            // fp16 overflow steps skipped
  std::vector<BatcherState> batchers;                   // one per task
  nlohmann::json weighting = nlohmann::json::object();  // LossWeighting::state()
  double loss_scale = 0;                                // GradScaler (fp16 only)
  int64_t loss_scale_growth = 0;
};
void to_json(nlohmann::json& j, const TrainState& s);
void from_json(const nlohmann::json& j, TrainState& s);

/// Writes DIR/checkpoints/step-<state.step>/ atomically and removes all but the newest `keep`.
std::filesystem::path save_checkpoint(const std::filesystem::path& output_dir,
                                      torch::nn::Module& model,
                                      torch::optim::Optimizer& optimizer,
                                      const TrainState& state,
                                      const nlohmann::json& config,
                                      int64_t keep);

/// The newest complete checkpoint under DIR/checkpoints, if any.
std::optional<std::filesystem::path> latest_checkpoint(const std::filesystem::path& output_dir);

/// Restores weights and optimizer from `checkpoint`; throws if its config differs from `config`
/// in anything that changes the result (model, data, losses, optimizer, seed, ...).
TrainState load_checkpoint(const std::filesystem::path& checkpoint,
                           torch::nn::Module& model,
                           torch::optim::Optimizer& optimizer,
                           const nlohmann::json& config);

/// Parameters and buffers of `module` by name, as CPU tensors (what model.safetensors holds).
std::map<std::string, torch::Tensor> module_tensors(const torch::nn::Module& module);
/// Copies `tensors` into `module`; every parameter and buffer must be present with its shape,
/// and every tensor must be used (one error lists all problems).
void load_module_tensors(torch::nn::Module& module,
                         const std::map<std::string, torch::Tensor>& tensors,
                         const std::string& source);

}  // namespace sentzoo
