#pragma once
// run_training(): the whole sentzoo-train loop in one function (STYLE.md §8): setup, resume,
// loop, eval/checkpoint, final save. The library never prints; hooks report progress. What a task
// trains is its Objective (train/objectives/); one step's forward/backward is train_step.h; the
// log is run_log.h; checkpoint capture/restore is run_state.h.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "metrics/metrics.h"
#include "train/train_config.h"

namespace sentzoo {

class Communicator;

struct StepReport {
  int64_t step = 0;  // optimizer steps done, e.g. 120
  int64_t max_steps = 0;
  std::string task;  // the task trained this step ("all" when every task ran)
  double loss = 0;   // the step's (weighted) loss
  double lr = 0;
  double grad_norm = 0;  // before clipping (0 when clipping is off)
  double tokens_per_second = 0;
  double seconds_per_step = 0;  // wall time per step since the last report
  double eta_seconds = 0;
  bool skipped = false;  // fp16 overflow: the step was skipped
  // Data parallel: seconds this rank waited for the gradient all-reduce after its backward
  // (communication that overlap did not hide) and bytes it all-reduced, this step.
  double comm_wait_seconds = 0;
  int64_t comm_bytes = 0;
};

struct EvalReport {
  int64_t step = 0;
  std::string task;
  Metrics metrics;
  bool improved = false;  // the primary task's metric beat the best so far
};

struct TrainHooks {
  std::function<void(const StepReport&)> on_step;  // every log_every steps and the last
  std::function<void(const EvalReport&)> on_eval;
  std::function<void(const std::string&)> on_info;  // setup facts (data counts, resume point)
  std::function<void(int64_t step)> after_step;     // after each step (tests: simulate a crash)
};

struct TrainResult {
  int64_t steps_done = 0;
  int64_t resumed_from = -1;  // the checkpoint step resumed from, -1 for a fresh run
  double best_metric = 0;     // NaN when no dev set
  int64_t best_step = -1;
  int stop_signal = 0;  // SIGINT/SIGTERM that ended the run early, else 0
  bool early_stopped = false;
  int64_t skipped_steps = 0;
  bool best_exportable = false;  // best/ holds a dual or cross encoder (sentzoo-export)
};

/// Trains `config` into `output_dir` (config.json, metrics.jsonl, tb/, checkpoints/, best/).
/// The TorchScript export of best/ (DIR/model.pt) is the caller's (train/train_main.cpp).
/// With `resume`, continues from the newest complete checkpoint there (a fresh start if none).
/// With a `communicator`, this process is one rank of a data-parallel job
/// (train/data_parallel.h): every rank calls run_training with the same arguments; only rank 0
/// writes into output_dir.
TrainResult run_training(const TrainRunConfig& config,
                         const std::filesystem::path& output_dir,
                         bool resume,
                         const TrainHooks& hooks = {},
                         std::shared_ptr<Communicator> communicator = nullptr);

}  // namespace sentzoo
