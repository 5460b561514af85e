#pragma once
// Objectives as values (STYLE.md §8, issue #12). A task of a run is trained through an
// Objective: closures over its model part (the shared encoder plus its own head), its loss, its
// tokenized data, its dev evaluation and how it saves itself. The trainer calls these and never
// asks which kind of objective it runs; each kind lives in its own file here (dual.cpp,
// cross.cpp, mlm.cpp) and is looked up once by name (registry.cpp).
//
// Adding an objective: write `ObjectiveKind my_objective_kind()` in a new file of this folder
// (validate + build, see dual.cpp for the pattern), list it in registry.cpp, add the file to
// train/CMakeLists.txt.

#include <torch/torch.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "data/tokenizer.h"
#include "metrics/metrics.h"
#include "models/encoder.h"
#include "train/objectives/batch_shard.h"
#include "train/train_config.h"

namespace sentzoo {

/// One task, ready to train.
struct Objective {
  std::vector<int64_t> train_lengths;  // tokens per training example: the batcher's bucket key
  bool has_dev = false;
  bool exportable = false;  // its saved model is a dual or cross encoder (sentzoo-export)
  /// The () fp32 training loss of the global batch `shard.rows`, of which this process runs
  /// shard.local_rows() through the model (batch_shard.h; one process: all of them); `seed` is
  /// the step's seed for random choices inside the loss (MLM masking), the same on every rank.
  /// Called under the trainer's autocast.
  std::function<torch::Tensor(const BatchShard& shard, uint64_t seed)> loss;
  /// Dev metrics (only when has_dev). The trainer has set eval mode and no-grad.
  std::function<Metrics()> evaluate;
  /// Writes the shipped model folder (DIR/best) atomically (models/model_folder.h).
  std::function<void(const std::filesystem::path& dir)> save;
};

/// What building a task gets from the run.
struct ObjectiveContext {
  const TaskSpec& spec;
  const TrainRunConfig& config;
  const Tokenizer& tokenizer;
  std::filesystem::path tokenizer_file;  // vocab.txt or a SentencePiece .model
  TransformerEncoder encoder;            // shared by every task of the run
  torch::nn::Module& run_model;          // owner of every trained module (optimizer, checkpoints)
  torch::Device device;
  const Dataset& train;
  const Dataset* dev;  // null without a dev set
};

/// A kind of objective: its name, default loss and its two steps.
struct ObjectiveKind {
  std::string name;          // e.g. "dual"
  std::string default_loss;  // e.g. "cosent"
  bool needs_mlm_head = false;
  /// Config checks before any data is read; throws std::invalid_argument (message without the
  /// "TrainRunConfig: " prefix), `where` names the task ("objective" or "tasks[1]").
  std::function<void(const TaskSpec& spec, const std::string& where)> validate;
  /// Tokenizes the data, checks the labels, builds and registers the head and the loss.
  std::function<Objective(const ObjectiveContext& context)> build;
};

ObjectiveKind dual_objective_kind();
ObjectiveKind cross_objective_kind();
ObjectiveKind mlm_objective_kind();

/// The kind called `name`; throws std::invalid_argument listing the known ones.
const ObjectiveKind& objective_kind(const std::string& name);

}  // namespace sentzoo
