#pragma once
// The run log of a training folder: metrics.jsonl (one JSON object per logged step and per
// evaluation) and TensorBoard scalars under tb/. A resumed run first drops the rows after its
// checkpoint's step (the steps it redoes).

#include <cstdint>
#include <filesystem>
#include <fstream>

#include "io/tensorboard.h"
#include "train/layer_stats.h"
#include "train/trainer.h"

namespace sentzoo {

class RunLog {
 public:
  /// `resumed_step`: the checkpoint step a resumed run continues from, or -1 for a fresh run
  /// (which starts an empty metrics.jsonl).
  RunLog(const std::filesystem::path& output_dir, int64_t resumed_step);
  void step(const StepReport& report);
  void eval(const EvalReport& report);
  /// One "layers" row (train.layer_stats_every): the step's per-group norms.
  void layers(int64_t step, const std::vector<LayerGroupStats>& groups);

 private:
  void row(const nlohmann::json& row);
  std::filesystem::path metrics_path_;
  std::ofstream metrics_;
  TensorBoardWriter tensorboard_;
};

}  // namespace sentzoo
