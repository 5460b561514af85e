#pragma once
// The model of a training run: one shared encoder and, per task, the head its objective needs
// (dual: pooling (+ dense); cross: classifier; mlm: the encoder's MLM head), the task's loss, its
// tokenized data and its batcher. Tasks are built from a TrainRunConfig; the trainer never asks
// which kind of task it runs (STYLE.md §8: objectives are closures).

#include <torch/torch.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "data/batch.h"
#include "data/batcher.h"
#include "data/dataset.h"
#include "data/tokenizer.h"
#include "eval/metrics.h"
#include "losses/make_loss.h"
#include "models/cross_encoder.h"
#include "models/dual_encoder.h"
#include "models/encoder.h"
#include "train/train_config.h"

namespace sentzoo {

/// Tokenized examples of one split. Dual: a = text1, b = text2 (c = hard negatives of triplet
/// data); cross: a = packed pairs; mlm: a = texts.
struct TokenizedSplit {
  std::vector<Encoding> a, b, c;
  std::vector<double> labels;
  std::vector<int64_t> lengths;  // bucketing key per example
  bool triplets = false;         // read from triplet data (query/pos[/neg]): no real labels
  size_t size() const { return a.size(); }
};

/// The container whose parameters the optimizer and checkpoints see: the shared encoder plus
/// every task's own modules, each registered once.
struct RunModelImpl : torch::nn::Module {
  TransformerEncoder encoder{nullptr};
};
TORCH_MODULE(RunModel);

struct Task {
  TaskSpec spec;
  DualEncoder dual{nullptr};    // objective "dual"
  CrossEncoder cross{nullptr};  // objective "cross"
  Loss loss;                    // not used by "mlm"
  TokenizedSplit train, dev;
  ReadReport train_report, dev_report;
  std::unique_ptr<Batcher> batcher;
  bool has_dev() const { return dev.size() > 0; }
};

/// Everything a run trains: built once from the config (reads and tokenizes the data, builds
/// and optionally loads the model). Throws with a clear message on bad data or config.
struct RunSetup {
  std::unique_ptr<Tokenizer> tokenizer;
  EncoderConfig encoder_config;
  RunModel model{nullptr};
  std::vector<Task> tasks;
  torch::Device device = torch::kCPU;
};
RunSetup build_run(const TrainRunConfig& config);

/// The training loss of `task` on the batch of example indices `rows`, with the step's seed
/// (MLM masking). () fp32.
torch::Tensor task_loss(RunSetup& run,
                        Task& task,
                        const TrainRunConfig& config,
                        const std::vector<int64_t>& rows,
                        uint64_t masking_seed);

/// Dev metrics of a task (Spearman for graded labels; accuracy at the dev-tuned threshold for
/// binary labels; class accuracy for K classes; MLM loss for mlm). Runs in eval mode, no grad.
Metrics evaluate_task(RunSetup& run, Task& task, const TrainRunConfig& config);

/// Sentence vectors of a dual task for tokenized texts, in batches (eval mode, no grad): (N, D).
/// `tower` 0 encodes first texts (queries), 1 second texts (the other tower when not shared).
torch::Tensor encode_texts(RunSetup& run,
                           Task& task,
                           const std::vector<Encoding>& texts,
                           int64_t batch_size,
                           bool autocast,
                           torch::ScalarType amp_dtype = torch::kBFloat16,
                           int tower = 0);

}  // namespace sentzoo
