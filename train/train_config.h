#pragma once
// The configuration of one sentzoo-train run: plain structs, strict JSON (STYLE.md §3). A run
// trains one or more tasks that share one encoder; a single-task config may use the top-level
// `objective`, `data.train`, `data.dev` and `loss` instead of `tasks`.
//
//   {"objective": "dual",
//    "model": {"preset": "roformer_v2_tiny", "pooling": {"mode": "cls"}},
//    "tokenizer": {"vocab": "vocab/bert-base-chinese-vocab.txt", "max_length": 64},
//    "data": {"train": "tsv:zh/STS-B/STS-B.train.data", "dev": "tsv:zh/STS-B/STS-B.valid.data"},
//    "loss": {"name": "cosent"},
//    "optim": {"lr": 5e-4}, "train": {"max_steps": 300, "eval_every": 100}}

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "losses/make_loss.h"
#include "models/pooling.h"
#include "train/optimizer.h"

namespace sentzoo {

/// A name plus free-form parameters, for losses, loss weightings and gradient combiners.
struct NamedParams {
  std::string name;                                  // e.g. "cosent"
  nlohmann::json params = nlohmann::json::object();  // e.g. {"scale": 20}
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(NamedParams, name, params)

struct ModelSpec {
  std::string preset = "roformer_v2_tiny";            // an encoder preset, e.g. "bert_tiny"
  nlohmann::json encoder = nlohmann::json::object();  // EncoderConfig fields over the preset
  std::string init_from;      // Hugging Face folder to load encoder weights from, e.g. "/m/bert"
  PoolingConfig pooling;      // dual encoders, e.g. {"mode": "cls"}
  bool shared_towers = true;  // dual encoders: one tower for both sides
  int64_t num_labels = 1;     // cross encoders: 1 score, or K classes
  std::string head_input = "cls";  // cross encoders: "cls" | "pooler"
  bool zero_segments = false;      // cross encoders: all-zero segment ids (RoFormerV2 fine-tuning)
  double head_dropout = 0.1;       // cross encoders: dropout before the classifier
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ModelSpec,
                                                preset,
                                                encoder,
                                                init_from,
                                                pooling,
                                                shared_towers,
                                                num_labels,
                                                head_input,
                                                zero_segments,
                                                head_dropout)

struct TokenizerSpec {
  // vocab.txt, tokenizer.json, SentencePiece .model or a folder (data path rules)
  std::string vocab = "vocab/bert-base-chinese-vocab.txt";
  bool lowercase = true;    // vocab.txt only: a tokenizer.json carries its own normalizer
  int64_t max_length = 64;  // tokens per text (dual, mlm) or per packed pair (cross)
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TokenizerSpec, vocab, lowercase, max_length)

struct DataSpec {
  std::string train;           // FMT:PATH, e.g. "tsv:zh/STS-B/STS-B.train.data"
  std::string dev;             // FMT:PATH or empty
  int64_t batch_size = 32;     // pairs (dual, cross) or texts (mlm) per step
  int64_t bucket_batches = 0;  // length bucketing window in batches (0 = off), e.g. 50
  int64_t max_examples = 0;    // use only the first N training examples (0 = all)
  bool pack_texts = false;     // mlm: consecutive training texts share rows of max_length tokens
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(
    DataSpec, train, dev, batch_size, bucket_batches, max_examples, pack_texts)

struct TrainSpec {
  int64_t max_steps = 1000;  // optimizer steps
  uint64_t seed = 42;        // data order, dropout, masking, init
  bool deterministic =
      false;  // deterministic kernels; with --threads 1 runs are bitwise reproducible
  int64_t checkpoint_every = 0;     // steps between checkpoints (0 = only at the end)
  int64_t keep_checkpoints = 2;     // newest K kept
  int64_t eval_every = 0;           // steps between dev evaluations (0 = only at the end)
  int64_t log_every = 20;           // steps between step reports
  int64_t early_stop_patience = 0;  // stop after N evaluations without improvement (0 = never)
  std::string amp = "off";          // "off" | "bf16" | "fp16" (fp16: CUDA only)
  std::string device = "cpu";       // "cpu" | "cuda"
  std::string schedule = "linear";  // "constant" | "linear" | "cosine"
  int64_t warmup_steps = 0;         // linear warmup from 0
  double min_lr_ratio = 0.0;        // floor of the decay, as a fraction of lr
  double grad_clip = 1.0;           // max global grad norm (0 = off)
  int64_t grad_accum = 1;           // micro-batches per optimizer step
  int64_t residual_ramp_steps = 0;  // RoFormerV2 ramp α 0→1 over N steps (0 = off)
  int64_t layer_stats_every = 0;    // steps between per-layer norm rows (0 = off; step 1 too)
  bool gather_embeddings = true;    // several processes: batch-level losses (in-batch negatives,
                                    // CoSENT) see the global batch; false: each process's rows
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TrainSpec,
                                                max_steps,
                                                seed,
                                                deterministic,
                                                checkpoint_every,
                                                keep_checkpoints,
                                                eval_every,
                                                log_every,
                                                early_stop_patience,
                                                amp,
                                                device,
                                                schedule,
                                                warmup_steps,
                                                min_lr_ratio,
                                                grad_clip,
                                                grad_accum,
                                                residual_ramp_steps,
                                                layer_stats_every,
                                                gather_embeddings)

/// One task of a (multi-task) run.
struct TaskSpec {
  std::string name;                // e.g. "sts"
  std::string objective = "dual";  // "dual" | "cross" | "mlm"
  std::string train;               // FMT:PATH
  std::string dev;                 // FMT:PATH or empty
  NamedParams loss;                // e.g. {"name": "cosent"}; empty name: the objective's default
  double weight = 1.0;             // fixed loss weight
  double sampling_weight = 0.0;    // task sampling size (0 = its number of examples)
  int64_t num_labels = 0;          // cross tasks: head outputs (0 = model.num_labels), e.g. 2
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(
    TaskSpec, name, objective, train, dev, loss, weight, sampling_weight, num_labels)

struct MultitaskSpec {
  std::string tasks_per_step = "sample";  // "sample": one task per step | "all": every task
  std::string sampling = "proportional";  // "proportional" | "temperature" | "round_robin"
  double temperature = 1.0;               // for "temperature"
  NamedParams weighting{"fixed", nlohmann::json::object()};  // losses/loss_weighting.h
  NamedParams combiner{"sum", nlohmann::json::object()};     // losses/gradient_combiner.h
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(
    MultitaskSpec, tasks_per_step, sampling, temperature, weighting, combiner)

struct TrainRunConfig {
  std::string objective = "dual";  // single-task shorthand: "dual" | "cross" | "mlm"
  ModelSpec model;
  TokenizerSpec tokenizer;
  DataSpec data;
  NamedParams loss;  // single-task shorthand
  OptimizerConfig optim;
  TrainSpec train;
  std::vector<TaskSpec>
      tasks;  // multi-task; when set, objective/data.train/data.dev/loss are unused
  MultitaskSpec multitask;

  /// The tasks to train: `tasks`, or one task made of the shorthand fields.
  std::vector<TaskSpec> resolved_tasks() const;
  /// Throws std::invalid_argument naming the offending field.
  void validate() const;
  static constexpr size_t kMaxTasks = 1024;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(
    TrainRunConfig, objective, model, tokenizer, data, loss, optim, train, tasks, multitask)

/// Strict parse (unknown keys at any depth, tasks included, are errors naming their path), then
/// validate() unless `validate` is false (sentzoo-train --print-config of partial configs).
TrainRunConfig parse_train_config(const nlohmann::json& j,
                                  const std::string& source,
                                  bool validate = true);

/// multitask.weighting.params with the run's defaults filled in (fixed: the task weights;
/// uncertainty: the number of tasks).
nlohmann::json resolved_weighting_params(const TrainRunConfig& config);

/// The default loss of an objective: dual "cosent", cross "bce", mlm "mlm".
std::string default_loss(const std::string& objective);

}  // namespace sentzoo
