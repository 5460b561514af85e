// The training loop (train/trainer.h): setup, resume, loop, eval/checkpoint, final save.
#include "train/trainer.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include <chrono>
#include <limits>
#include <optional>
#include <tuple>

#include "io/atomic_file.h"
#include "io/directory_lock.h"
#include "train/checkpoint.h"
#include "train/data_parallel.h"
#include "train/lr_schedule.h"
#include "train/optimizer.h"
#include "train/run_control.h"
#include "train/run_log.h"
#include "train/run_setup.h"
#include "train/run_state.h"
#include "train/task_sampler.h"
#include "train/train_step.h"

namespace sentzoo {

namespace fs = std::filesystem;

namespace {

// Streams of derived_seed(): each random draw of a step has its own stream.
constexpr uint64_t kDropoutStream = 1;
constexpr uint64_t kMaskingStream = 2;
constexpr uint64_t kCombinerStream = 3;
constexpr uint64_t kRankStream = 4;  // dropout of ranks > 0 (rank 0 draws as one process does)

// PCGrad draws a random task order each step: a combiner made per step with a derived seed keeps
// a resumed run bitwise identical (its RNG state is not in the checkpoint).
std::unique_ptr<GradientCombiner> combiner_for_step(const TrainRunConfig& config, int64_t step) {
  auto params = config.multitask.combiner.params;
  if (config.multitask.combiner.name == "pcgrad") {
    params["seed"] = derived_seed(params.value("seed", uint64_t{0}) ^ config.train.seed,
                                  kCombinerStream,
                                  static_cast<uint64_t>(step));
  }
  return make_gradient_combiner(config.multitask.combiner.name, params);
}

TaskSampler make_sampler(const TrainRunConfig& config, const RunSetup& run) {
  std::vector<double> sizes;
  for (const auto& t : run.tasks) {
    sizes.push_back(t.spec.sampling_weight > 0 ? t.spec.sampling_weight
                                               : double(t.objective.train_lengths.size()));
  }
  return TaskSampler(sizes,
                     parse_task_sampling(config.multitask.sampling),
                     config.multitask.temperature,
                     config.train.seed);
}

// The primary task decides which model is "best": the first task with a dev set (-1: none).
int primary_task(const RunSetup& run) {
  for (size_t i = 0; i < run.tasks.size(); ++i)
    if (run.tasks[i].objective.has_dev) return static_cast<int>(i);
  return -1;
}

std::vector<torch::Tensor> optimizer_parameters(torch::optim::Optimizer& optimizer) {
  std::vector<torch::Tensor> parameters;
  for (auto& group : optimizer.param_groups())
    for (auto& p : group.params()) parameters.push_back(p);
  return parameters;
}

// Tokens per second and seconds per step over the steps since the last report.
struct Throughput {
  double tokens = 0;
  int64_t steps = 0;
  std::chrono::steady_clock::time_point since = std::chrono::steady_clock::now();
  std::pair<double, double> rate_and_reset() {
    const auto now = std::chrono::steady_clock::now();
    const double seconds = std::chrono::duration<double>(now - since).count();
    const double rate = seconds > 0 ? tokens / seconds : 0;
    const double per_step = steps > 0 ? seconds / double(steps) : 0;
    tokens = 0;
    steps = 0;
    since = now;
    return {rate, per_step};
  }
};

// The update half of a step: fp16 unscale and overflow skip (REFERENCE.md §12), the non-finite
// checks, clipping (grad_norm is the norm before clipping; no clipping when grad_clip is 0) and
// the optimizer step. A non-finite loss or gradient never reaches the weights: it stops the run,
// naming the last good checkpoint. With `layer_stats`, returns the step's per-layer norms.
std::vector<LayerGroupStats> apply_update(StepReport& report,
                                          const TrainRunConfig& config,
                                          const fs::path& output_dir,
                                          torch::optim::Optimizer& optimizer,
                                          const std::vector<torch::Tensor>& parameters,
                                          GradScaler* scaler,
                                          LayerStats* layer_stats) {
  auto stop_non_finite = [&](const std::string& what, double value) {
    const auto last = latest_checkpoint(output_dir);
    throw std::runtime_error(fmt::format(
        "step {}: the {} is not finite ({}); training stopped. The last good checkpoint is {}",
        report.step,
        what,
        value,
        last ? last->string() : "none (no checkpoint was written yet)"));
  };
  if (scaler) {
    const bool finite = scaler->unscale_and_check(parameters);
    scaler->update(finite);
    report.skipped = !finite;
  } else if (!std::isfinite(report.loss)) {
    stop_non_finite("loss", report.loss);
  }
  if (report.skipped) return {};
  if (layer_stats) layer_stats->before_update();
  const double max_norm =
      config.train.grad_clip > 0 ? config.train.grad_clip : std::numeric_limits<double>::infinity();
  report.grad_norm = torch::nn::utils::clip_grad_norm_(parameters, max_norm);
  if (!std::isfinite(report.grad_norm)) stop_non_finite("gradient norm", report.grad_norm);
  optimizer.step();
  return layer_stats ? layer_stats->after_update() : std::vector<LayerGroupStats>{};
}

}  // namespace

TrainResult run_training(const TrainRunConfig& config,
                         const fs::path& output_dir,
                         bool resume,
                         const TrainHooks& hooks,
                         std::shared_ptr<Communicator> communicator) {
  // ---- setup ----------------------------------------------------------------------------------
  config.validate();
  auto info = [&](const std::string& message) {
    if (hooks.on_info) hooks.on_info(message);
  };
  const nlohmann::json resolved = config;
  DataParallel dp(std::move(communicator));
  const bool root = dp.is_root();     // the one rank that writes into output_dir
  std::optional<DirectoryLock> lock;  // held until the run returns
  if (root) lock.emplace(output_dir, "sentzoo-train");
  if (!resume && latest_checkpoint(output_dir)) {
    throw std::runtime_error(
        fmt::format("{} already holds checkpoints of an earlier run: continue it with --resume, "
                    "or use another output folder",
                    output_dir.string()));
  }
  if (config.train.deterministic)
    at::globalContext().setDeterministicAlgorithms(true, /*warn_only=*/false);
  RunSetup run = build_run(config);  // reads and checks all data before anything is written
  dp.check_same_run(config, resolved.dump(), run);
  info(run.init_report);
  for (const auto& task : run.tasks) {
    info(fmt::format(
        "task {} ({}, loss {}): {} training examples from {}{}",
        task.spec.name,
        task.spec.objective,
        task.spec.loss.name,
        task.objective.train_lengths.size(),
        describe(task.train_report),
        task.objective.has_dev ? fmt::format("; dev {}", describe(task.dev_report)) : ""));
  }
  if (root) {
    fs::create_directories(output_dir);
    write_file_atomic(output_dir / "config.json", resolved.dump(2) + "\n");
  }

  auto weighting =
      make_loss_weighting(config.multitask.weighting.name, resolved_weighting_params(config));
  for (size_t i = 0; i < weighting->parameters().size(); ++i)
    run.model->register_parameter(fmt::format("loss_weighting_{}", i), weighting->parameters()[i]);
  const TaskSampler sampler = make_sampler(config, run);
  auto optimizer = make_adamw(*run.model, config.optim);
  const std::vector<torch::Tensor> parameters = optimizer_parameters(*optimizer);
  const std::vector<torch::Tensor> shared = run.model->encoder->parameters();
  std::vector<std::pair<std::string, torch::Tensor>> trained;
  for (const auto& item : run.model->named_parameters())
    if (item.value().requires_grad()) trained.emplace_back(item.key(), item.value());
  LayerStats layer_stats(trained);
  const bool fp16 = config.train.amp == "fp16";
  GradScaler scaler;
  const auto schedule = parse_lr_schedule(config.train.schedule);
  const int primary = primary_task(run);
  const Task& shipped = run.tasks[primary < 0 ? 0 : primary];

  // ---- resume ---------------------------------------------------------------------------------
  TrainState state;
  TrainResult result;
  if (resume) {
    const ResumePoint point = find_resume_point(output_dir);
    for (const auto& damaged : point.passed_over)
      info(fmt::format("passing over damaged checkpoint {}", damaged));
    dp.check_same_resume_point(point.checkpoint ? point.checkpoint->string() : "");
    if (auto checkpoint = point.checkpoint) {
      state = load_checkpoint(*checkpoint, *run.model, *optimizer, resolved);
      restore_run_state(state, run, *weighting, scaler, fp16);
      result.resumed_from = state.step;
      info(fmt::format("resumed from {} (step {})", checkpoint->string(), state.step));
    } else if (!point.passed_over.empty()) {
      throw std::runtime_error(
          fmt::format("{}: every checkpoint is damaged (see above); nothing to resume from",
                      output_dir.string()));
    } else {
      info("no checkpoint to resume from: starting fresh");
    }
  }
  dp.broadcast_state(*run.model, *optimizer);
  std::optional<RunLog> log;
  if (root) log.emplace(output_dir, result.resumed_from);
  GradientSync* sync = dp.make_gradient_sync(parameters);
  auto checkpoint_now = [&]() {
    if (!root) return;
    capture_run_state(state, run, *weighting, scaler);
    try {
      save_checkpoint(
          output_dir, *run.model, *optimizer, state, resolved, config.train.keep_checkpoints);
    } catch (const std::exception& e) {
      const auto last = find_resume_point(output_dir).checkpoint;
      throw std::runtime_error(
          fmt::format("saving the checkpoint of step {} failed: {}. The last good checkpoint is "
                      "{}",
                      state.step,
                      e.what(),
                      last ? last->string() : "none (no checkpoint was written yet)"));
    }
  };

  // ---- loop -----------------------------------------------------------------------------------
  const auto started = std::chrono::steady_clock::now();
  const int64_t first_step = state.step;
  Throughput throughput;
  int64_t step = state.step;
  StepPlan plan;  // the same every step but for the active tasks
  plan.grad_accum = config.train.grad_accum;
  plan.autocast = config.train.amp != "off";
  plan.amp_dtype = fp16 ? torch::kHalf : torch::kBFloat16;
  plan.device = run.device.type();
  plan.scaler = fp16 ? &scaler : nullptr;
  plan.sync = sync;
  plan.next_batch = [&](size_t t) {
    auto rows = run.tasks[t].batcher->next();  // the global batch, the same on every rank
    for (int64_t r : rows) throughput.tokens += double(run.tasks[t].objective.train_lengths[r]);
    return dp.shard(std::move(rows), run.tasks[t].spec.name, !config.train.gather_embeddings);
  };
  plan.seed = [&](size_t t, int64_t micro) {
    return derived_seed(config.train.seed, kMaskingStream, (step * 64 + micro) * 64 + t);
  };
  for (; step < config.train.max_steps; ++step) {
    const double lr = config.optim.lr * lr_multiplier(schedule,
                                                      step,
                                                      config.train.max_steps,
                                                      config.train.warmup_steps,
                                                      config.train.min_lr_ratio);
    set_learning_rate(*optimizer, lr);
    run.model->encoder->set_residual_ramp(residual_ramp(step, config.train.residual_ramp_steps));
    const uint64_t dropout_seed = derived_seed(config.train.seed, kDropoutStream, step);
    torch::manual_seed(dp.rank() == 0 ? dropout_seed
                                      : derived_seed(dropout_seed, kRankStream, dp.rank()));
    run.model->train();
    optimizer->zero_grad();

    const double comm_seconds_before = sync ? sync->total_wait_seconds() : 0;
    const int64_t comm_bytes_before = sync ? sync->total_bytes() : 0;
    plan.active.clear();
    if (config.multitask.tasks_per_step == "all") {
      for (size_t t = 0; t < run.tasks.size(); ++t) plan.active.push_back(t);
    } else {
      plan.active.push_back(sampler.task_at(step));
    }
    const double step_loss =
        config.multitask.combiner.name == "sum"
            ? summed_loss_step(run.tasks, plan, *weighting)
            : combined_gradient_step(run.tasks, plan, *combiner_for_step(config, step), shared);

    StepReport report;
    report.step = step + 1;
    report.max_steps = config.train.max_steps;
    report.task = plan.active.size() == 1 ? run.tasks[plan.active[0]].spec.name : "all";
    report.loss = step_loss;
    report.lr = lr;
    if (sync) {
      report.comm_wait_seconds = sync->total_wait_seconds() - comm_seconds_before;
      report.comm_bytes = sync->total_bytes() - comm_bytes_before;
    }
    const int64_t every = config.train.layer_stats_every;
    const bool stats_now = root && every > 0 && (step == 0 || (step + 1) % every == 0);
    const auto groups = apply_update(report,
                                     config,
                                     output_dir,
                                     *optimizer,
                                     parameters,
                                     plan.scaler,
                                     stats_now ? &layer_stats : nullptr);
    if (!groups.empty()) log->layers(step + 1, groups);
    state.skipped_steps = scaler.skipped_steps();
    state.step = step + 1;
    ++throughput.steps;

    // ---- report, evaluate, checkpoint -----------------------------------------------------------
    const bool last_step = state.step == config.train.max_steps;
    if ((config.train.log_every > 0 && state.step % config.train.log_every == 0) || last_step) {
      const double elapsed =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      std::tie(report.tokens_per_second, report.seconds_per_step) = throughput.rate_and_reset();
      report.eta_seconds =
          elapsed / double(state.step - first_step) * double(config.train.max_steps - state.step);
      if (log) log->step(report);
      if (hooks.on_step) hooks.on_step(report);
    }
    bool stop = false;
    // Rank 0 evaluates (the others wait in agree_on_stop below): the results are one process's.
    const bool eval_now =
        root &&
        ((config.train.eval_every > 0 && state.step % config.train.eval_every == 0) || last_step);
    for (size_t t = 0; eval_now && t < run.tasks.size(); ++t) {
      if (!run.tasks[t].objective.has_dev) continue;
      run.model->eval();
      EvalReport eval{state.step, run.tasks[t].spec.name, {}, false};
      {
        torch::NoGradGuard no_grad;
        eval.metrics = run.tasks[t].objective.evaluate();
      }
      run.model->train();
      if (int(t) == primary) {
        const double value = eval.metrics.primary_value();
        eval.improved = std::isfinite(value) && (!std::isfinite(state.best_metric) ||
                                                 eval.metrics.better(value, state.best_metric));
        if (eval.improved) {
          state.best_metric = value;
          state.best_step = state.step;
          state.evals_without_improvement = 0;
          shipped.objective.save(output_dir / "best");
        } else if (++state.evals_without_improvement >= config.train.early_stop_patience &&
                   config.train.early_stop_patience > 0) {
          stop = true;
        }
      }
      log->eval(eval);
      if (hooks.on_eval) hooks.on_eval(eval);
    }
    result.stop_signal = dp.agree_on_stop(stop, stop_requested());
    result.early_stopped = stop;
    if (result.stop_signal) stop = true;
    const bool checkpoint_due =
        config.train.checkpoint_every > 0 && state.step % config.train.checkpoint_every == 0;
    if (checkpoint_due || last_step || stop) checkpoint_now();
    if (hooks.after_step) hooks.after_step(state.step);
    if (stop) break;
  }

  // ---- final save -----------------------------------------------------------------------------
  if (root && primary < 0 && state.step == config.train.max_steps)
    shipped.objective.save(output_dir / "best");  // no dev set: the last model
  result.steps_done = state.step;
  result.best_metric = state.best_metric;
  result.best_step = state.best_step;
  result.skipped_steps = state.skipped_steps;
  result.best_exportable = shipped.objective.exportable;
  return result;
}

}  // namespace sentzoo
