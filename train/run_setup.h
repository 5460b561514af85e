#pragma once
// What a training run trains, built once from its config: the tokenizer, one shared encoder and,
// per task, its Objective (train/objectives/objective.h) and batcher. Reads and checks all data
// before anything is written.

#include <torch/torch.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "data/batcher.h"
#include "data/dataset.h"
#include "data/tokenizer.h"
#include "models/encoder.h"
#include "train/objectives/objective.h"
#include "train/train_config.h"

namespace sentzoo {

/// The container whose parameters the optimizer and checkpoints see: the shared encoder plus
/// every task's own modules, each registered once.
struct RunModelImpl : torch::nn::Module {
  TransformerEncoder encoder{nullptr};
};
TORCH_MODULE(RunModel);

struct Task {
  TaskSpec spec;
  Objective objective;
  ReadReport train_report, dev_report;
  std::unique_ptr<Batcher> batcher;
};

struct RunSetup {
  std::unique_ptr<Tokenizer> tokenizer;
  std::filesystem::path tokenizer_file;  // vocab.txt or a SentencePiece .model
  RunModel model{nullptr};
  std::vector<Task> tasks;
  torch::Device device = torch::kCPU;
  /// What the weights start from: init_from's loaded tensors and the freshly initialised rest,
  /// or the preset and seed (logged by the trainer).
  std::string init_report;
};

/// Builds the run (reads and tokenizes the data, builds and optionally loads the model). Throws
/// with a clear message on bad data or config.
RunSetup build_run(const TrainRunConfig& config);

}  // namespace sentzoo
