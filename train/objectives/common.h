#pragma once
// Helpers the objectives share (train/objectives/objective.h): batches on the run's device,
// label and loss checks, evaluation settings, module registration, sentzoo.json basics.

#include <torch/torch.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "data/batch.h"
#include "data/tokenized_split.h"
#include "losses/make_loss.h"
#include "train/objectives/objective.h"

namespace sentzoo {

/// A task's train and dev splits, tokenized into the shape its model reads (dev is empty
/// without a dev set). Shared with the objective's closures, read-only.
struct TaskSplits {
  std::shared_ptr<const TokenizedSplit> train, dev;
};
using TokenizeSplit = TokenizedSplit (*)(const Dataset& data,
                                         const Tokenizer& tokenizer,
                                         int64_t max_length,
                                         const std::string& source);
/// Both splits of the context's task through `tokenize` (data/tokenized_split.h), cut at
/// tokenizer.max_length.
TaskSplits tokenize_task(const ObjectiveContext& context, TokenizeSplit tokenize);

/// An Objective with what every kind fills alike: the training lengths, has_dev, exportable,
/// and save, which writes `module` (holding the run's shared encoder) with sentzoo.json `info`
/// as the model folder (models/model_folder.h). The kind adds loss and evaluate.
Objective objective_with_save(const ObjectiveContext& context,
                              const TaskSplits& splits,
                              std::shared_ptr<torch::nn::Module> module,
                              nlohmann::json info,
                              bool exportable);

/// How dev sets are scored: autocast as in training, batches of at least 64.
struct EvalSettings {
  bool autocast = false;
  torch::ScalarType amp_dtype = torch::kBFloat16;
  int64_t batch_size = 64;
  CollateOptions collate;  // pad id of the tokenizer, no length cut
  torch::Device device = torch::kCPU;
};
EvalSettings eval_settings(const ObjectiveContext& context);

/// Padding of training batches: the tokenizer's pad id, cut at tokenizer.max_length.
CollateOptions train_collate(const ObjectiveContext& context);

/// Rows of `encodings` padded into one batch on `device`.
Batch gather_batch(const std::vector<Encoding>& encodings,
                   const std::vector<int64_t>& rows,
                   const CollateOptions& options,
                   const torch::Device& device);
/// A batch moved to `device` (a no-op on the CPU).
Batch to_device(Batch batch, const torch::Device& device);

/// Labels fit the loss: bce needs [0, 1] in training data; cross_entropy / softmax need class
/// ids in [0, num_classes) (num_classes 0 = unknown upper bound). Throws naming task and file.
void check_labels(const TaskSpec& spec,
                  int64_t num_classes,
                  const std::vector<double>& labels,
                  const std::string& source,
                  bool training);

/// make_loss for the context's task, checked to fit the objective: cross-encoder losses take
/// logits (`gives_logits`), the others embeddings. A loss with a trainable head (softmax) has
/// it registered on the run model as "<task>_loss".
Loss make_task_loss(const ObjectiveContext& context,
                    int64_t embedding_dim,
                    bool gives_logits,
                    const std::string& objective);

/// Config checks every non-MLM objective shares: the loss exists, takes what the objective
/// gives, and is not 'mlm'. Throws std::invalid_argument.
void validate_task_loss(const TaskSpec& spec,
                        const std::string& where,
                        bool gives_logits,
                        const std::string& objective);

/// Registers the children of `task_module` other than the shared encoder on the run model as
/// "<task>_<child>", so the optimizer and checkpoints see each parameter once.
void register_task_module(torch::nn::Module& run_model,
                          torch::nn::Module& task_module,
                          const TransformerEncoder& encoder,
                          const std::string& task);

/// The sentzoo.json fields of every saved model (kind, architecture, task, tokenizer settings,
/// and for reports: init ("random" or the init_from folder), train_data, max_steps).
nlohmann::json base_model_info(const ObjectiveContext& context, const std::string& kind);

/// A tensor's values as doubles (CPU, float64).
std::vector<double> to_vector(const torch::Tensor& t);

}  // namespace sentzoo
