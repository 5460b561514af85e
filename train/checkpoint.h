#pragma once
// Training checkpoints: DIR/checkpoints/step-<N>/ holds the run model's weights
// (model.safetensors), the optimizer (optimizer.pt), the resolved config (config.json), the
// train state (state.json: step, best metric, data positions, loss-weighting and loss-scaler
// state) and, written last, manifest.json: every file's size and CRC-32C. Everything is
// serialised in memory first and written with checked writes into a directory that replaces the
// old one atomically (io/atomic_file.h), then read back against the manifest before older
// checkpoints are rotated away: a full disk or an I/O error fails the save and keeps the last
// good checkpoint. On resume a checkpoint that no longer matches its manifest (a bit flip, a
// truncation) is passed over for the newest one that does.

#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "data/batcher.h"
#include "models/module_tensors.h"

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

/// The newest complete checkpoint under DIR/checkpoints, if any (not verified).
std::optional<std::filesystem::path> latest_checkpoint(const std::filesystem::path& output_dir);

/// Why `checkpoint` cannot be trusted (a missing file, a size or CRC-32C that differs from its
/// manifest.json), or empty when it matches. Checkpoints written before manifests existed
/// (no manifest.json) are accepted unverified.
std::string checkpoint_damage(const std::filesystem::path& checkpoint);

/// The resume point: the newest checkpoint without damage, and what was passed over, one line
/// each ("out/checkpoints/step-40: model.safetensors: CRC-32C 1a2b3c4d, manifest says ...").
struct ResumePoint {
  std::optional<std::filesystem::path> checkpoint;
  std::vector<std::string> passed_over;
};
ResumePoint find_resume_point(const std::filesystem::path& output_dir);

/// Restores weights and optimizer from `checkpoint`; throws if its config differs from `config`
/// in anything that changes the result (model, data, losses, optimizer, seed, ...).
TrainState load_checkpoint(const std::filesystem::path& checkpoint,
                           torch::nn::Module& model,
                           torch::optim::Optimizer& optimizer,
                           const nlohmann::json& config);

}  // namespace sentzoo
