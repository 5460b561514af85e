// The training loop (train/trainer.h): setup, resume, loop, eval/checkpoint, final save.
#include "train/trainer.h"

#include "eval/export_model.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include <chrono>
#include <fstream>
#include <limits>

#include "core/build_info.h"
#include "core/compat.h"
#include "data/dataset_spec.h"
#include "losses/gradient_combiner.h"
#include "losses/loss_weighting.h"
#include "io/atomic_file.h"
#include "train/checkpoint.h"
#include "train/grad_scaler.h"
#include "train/lr_schedule.h"
#include "train/run_control.h"
#include "train/task_model.h"
#include "train/task_sampler.h"
#include "train/tensorboard.h"
#include "train/trained_model.h"

namespace sentzoo {

namespace fs = std::filesystem;

namespace {

// Streams of derived_seed(): each random draw of a step has its own stream.
constexpr uint64_t kDropoutStream = 1;
constexpr uint64_t kMaskingStream = 2;
constexpr uint64_t kCombinerStream = 3;

// metrics.jsonl rows after `step` come from steps that a resumed run redoes: drop them.
void truncate_metrics_log(const fs::path& path, int64_t step) {
  std::ifstream in(path);
  if (!in) return;
  std::string kept, line;
  while (std::getline(in, line)) {
    const auto row = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!row.is_discarded() && row.value("step", int64_t{0}) <= step) kept += line + "\n";
  }
  write_file_atomic(path, kept);
}

nlohmann::json model_info(const RunSetup& run, const Task& task, const TrainRunConfig& config) {
  nlohmann::json info = {{"kind", task.spec.objective},
                         {"architecture", run.encoder_config.architecture},
                         {"task", task.spec.name},
                         {"lowercase", config.tokenizer.lowercase},
                         {"max_length", config.tokenizer.max_length},
                         {"tokenizer", "wordpiece"},
                         {"sentzoo_version", SENTZOO_VERSION}};
  if (task.dual) {
    info["pooling"] = task.dual->config.pooling;
    info["shared_towers"] = task.dual->config.shared;
  }
  if (task.cross) {
    info["num_labels"] = task.cross->config.num_labels;
    info["head_input"] = task.cross->config.head_input;
    info["zero_segments"] = task.cross->config.zero_segments;
  }
  return info;
}

torch::nn::Module& task_module(RunSetup& run, Task& task) {
  if (task.dual) return *task.dual;
  if (task.cross) return *task.cross;
  return *run.model->encoder;
}

}  // namespace

TrainResult run_training(const TrainRunConfig& config,
                         const fs::path& output_dir,
                         bool resume,
                         const TrainHooks& hooks) {
  // ---- setup ----------------------------------------------------------------------------------
  config.validate();
  auto info = [&](const std::string& message) {
    if (hooks.on_info) hooks.on_info(message);
  };
  const nlohmann::json resolved = config;
  if (!resume && latest_checkpoint(output_dir)) {
    throw std::runtime_error(
        fmt::format("{} already holds checkpoints of an earlier run: continue it with --resume, "
                    "or use another output folder",
                    output_dir.string()));
  }
  if (config.train.deterministic)
    at::globalContext().setDeterministicAlgorithms(true, /*warn_only=*/false);
  RunSetup run = build_run(config);  // reads and checks all data before anything is written
  for (const auto& task : run.tasks) {
    info(fmt::format("task {} ({}, loss {}): {} training examples from {}{}",
                     task.spec.name,
                     task.spec.objective,
                     task.spec.loss.name,
                     task.train.size(),
                     describe(task.train_report),
                     task.has_dev() ? fmt::format("; dev {}", describe(task.dev_report)) : ""));
  }
  fs::create_directories(output_dir);
  write_file_atomic(output_dir / "config.json", resolved.dump(2) + "\n");

  auto weighting =
      make_loss_weighting(config.multitask.weighting.name, resolved_weighting_params(config));
  for (size_t i = 0; i < weighting->parameters().size(); ++i) {
    run.model->register_parameter(fmt::format("loss_weighting_{}", i), weighting->parameters()[i]);
  }
  std::unique_ptr<GradientCombiner> combiner;
  const bool combine_gradients = config.multitask.combiner.name != "sum";
  // PCGrad draws a random task order each step: a combiner made per step with a derived seed
  // keeps a resumed run bitwise identical (its RNG state is not in the checkpoint).
  auto make_combiner = [&](int64_t step) {
    auto params = config.multitask.combiner.params;
    if (config.multitask.combiner.name == "pcgrad") {
      params["seed"] = derived_seed(params.value("seed", uint64_t{0}) ^ config.train.seed,
                                    kCombinerStream,
                                    static_cast<uint64_t>(step));
    }
    return make_gradient_combiner(config.multitask.combiner.name, params);
  };
  std::vector<double> sizes;
  for (const auto& t : run.tasks) {
    sizes.push_back(t.spec.sampling_weight > 0 ? t.spec.sampling_weight : double(t.train.size()));
  }
  const TaskSampler sampler(sizes,
                            parse_task_sampling(config.multitask.sampling),
                            config.multitask.temperature,
                            config.train.seed);
  auto optimizer = make_adamw(*run.model, config.optim);
  std::vector<torch::Tensor> parameters;
  for (auto& group : optimizer->param_groups()) {
    for (auto& p : group.params()) parameters.push_back(p);
  }
  std::vector<torch::Tensor> shared = run.model->encoder->parameters();
  const bool fp16 = config.train.amp == "fp16";
  const bool autocast = config.train.amp != "off";
  const auto amp_dtype = fp16 ? torch::kHalf : torch::kBFloat16;
  GradScaler scaler;
  const auto schedule = parse_lr_schedule(config.train.schedule);
  // The primary task decides which model is "best": the first task with a dev set.
  int primary = -1;
  for (size_t i = 0; i < run.tasks.size() && primary < 0; ++i) {
    if (run.tasks[i].has_dev()) primary = static_cast<int>(i);
  }

  // ---- resume ---------------------------------------------------------------------------------
  TrainState state;
  TrainResult result;
  if (resume) {
    if (auto checkpoint = latest_checkpoint(output_dir)) {
      state = load_checkpoint(*checkpoint, *run.model, *optimizer, resolved);
      for (size_t i = 0; i < run.tasks.size(); ++i)
        run.tasks[i].batcher->restore(state.batchers.at(i));
      weighting->load_state(state.weighting);
      if (fp16) scaler.restore(state.loss_scale, state.loss_scale_growth, state.skipped_steps);
      truncate_metrics_log(output_dir / "metrics.jsonl", state.step);
      result.resumed_from = state.step;
      info(fmt::format("resumed from {} (step {})", checkpoint->string(), state.step));
    } else {
      info("no checkpoint to resume from: starting fresh");
    }
  }
  if (result.resumed_from < 0) truncate_metrics_log(output_dir / "metrics.jsonl", 0);
  std::ofstream metrics_log(output_dir / "metrics.jsonl", std::ios::app);
  TensorBoardWriter tensorboard(output_dir / "tb");
  auto log_row = [&](nlohmann::json row) {
    metrics_log << row.dump() << "\n";
    metrics_log.flush();
  };
  auto checkpoint_now = [&]() {
    state.batchers.clear();
    for (const auto& t : run.tasks) state.batchers.push_back(t.batcher->state());
    state.weighting = weighting->state();
    state.loss_scale = scaler.current_scale();
    state.loss_scale_growth = scaler.clean_steps_since_growth();
    save_checkpoint(
        output_dir, *run.model, *optimizer, state, resolved, config.train.keep_checkpoints);
  };
  const fs::path vocab_path = resolve_data_path(config.tokenizer.vocab);
  auto save_best = [&]() {
    auto& task = run.tasks[primary < 0 ? 0 : primary];
    save_trained_model(output_dir / "best",
                       *run.model->encoder,
                       task_module(run, task),
                       model_info(run, task, config),
                       fs::is_directory(vocab_path) ? vocab_path / "vocab.txt" : vocab_path);
  };

  // ---- loop -----------------------------------------------------------------------------------
  const auto started = std::chrono::steady_clock::now();
  const int64_t first_step = state.step;
  double window_tokens = 0;
  auto window_start = started;
  for (int64_t step = state.step; step < config.train.max_steps; ++step) {
    const double lr = config.optim.lr * lr_multiplier(schedule,
                                                      step,
                                                      config.train.max_steps,
                                                      config.train.warmup_steps,
                                                      config.train.min_lr_ratio);
    set_learning_rate(*optimizer, lr);
    run.model->encoder->set_residual_ramp(residual_ramp(step, config.train.residual_ramp_steps));
    torch::manual_seed(
        derived_seed(config.train.seed, kDropoutStream, step));  // dropout, stateless
    run.model->train();
    optimizer->zero_grad();

    std::vector<size_t> active;
    if (config.multitask.tasks_per_step == "all") {
      for (size_t t = 0; t < run.tasks.size(); ++t) active.push_back(t);
    } else {
      active.push_back(sampler.task_at(step));
    }
    double step_loss = 0;
    auto next_rows = [&](size_t t) {
      auto rows = run.tasks[t].batcher->next();
      for (int64_t r : rows) window_tokens += double(run.tasks[t].train.lengths[r]);
      return rows;
    };
    auto seed_of = [&](size_t t, int64_t micro) {
      return derived_seed(config.train.seed, kMaskingStream, (step * 64 + micro) * 64 + t);
    };
    if (!combine_gradients) {
      for (int64_t micro = 0; micro < config.train.grad_accum; ++micro) {
        std::vector<torch::Tensor> losses(run.tasks.size());
        torch::Tensor total;
        {
          compat::AutocastGuard amp(autocast, run.device.type(), amp_dtype);
          for (size_t t : active) {
            losses[t] = task_loss(run, run.tasks[t], config, next_rows(t), seed_of(t, micro))
                            .to(torch::kFloat);
          }
          total = weighting->combine(losses) / double(config.train.grad_accum);
        }
        (fp16 ? scaler.scale(total) : total).backward();  // backward outside autocast
        step_loss += total.item<double>();
      }
    } else {
      // One backward per task; the shared encoder's gradients are combined, heads keep their own.
      // Each task's gradient is accumulated over grad_accum micro-batches before combining.
      std::vector<std::vector<torch::Tensor>> grads;
      for (size_t t : active) {
        for (int64_t micro = 0; micro < config.train.grad_accum; ++micro) {
          torch::Tensor loss;
          {
            compat::AutocastGuard amp(autocast, run.device.type(), amp_dtype);
            loss = task_loss(run, run.tasks[t], config, next_rows(t), seed_of(t, micro))
                       .to(torch::kFloat) *
                   (run.tasks[t].spec.weight / double(config.train.grad_accum));
          }
          (fp16 ? scaler.scale(loss) : loss).backward();
          step_loss += loss.item<double>();
        }
        std::vector<torch::Tensor> g;
        for (auto& p : shared) {
          g.push_back(p.grad().defined() ? p.grad().clone() : torch::Tensor());
          if (p.grad().defined()) p.mutable_grad().zero_();
        }
        grads.push_back(std::move(g));
      }
      combiner = make_combiner(step);
      const auto combined = combiner->combine(grads);
      for (size_t k = 0; k < shared.size(); ++k) {
        if (combined[k].defined()) shared[k].mutable_grad() = combined[k].to(shared[k].dtype());
      }
    }

    StepReport report;
    report.step = step + 1;
    report.max_steps = config.train.max_steps;
    report.task = active.size() == 1 ? run.tasks[active[0]].spec.name : "all";
    report.loss = step_loss;
    report.lr = lr;
    auto stop_non_finite = [&](const std::string& what, double value) {
      const auto last = latest_checkpoint(output_dir);
      throw std::runtime_error(fmt::format(
          "step {}: the {} is not finite ({}); training stopped. The last good checkpoint is {}",
          step + 1,
          what,
          value,
          last ? last->string() : "none (no checkpoint was written yet)"));
    };
    if (fp16) {
      // Overflow: skip the update and back off the scale (REFERENCE.md §12).
      const bool finite = scaler.unscale_and_check(parameters);
      scaler.update(finite);
      report.skipped = !finite;
      state.skipped_steps = scaler.skipped_steps();
    } else if (!std::isfinite(step_loss)) {
      stop_non_finite("loss", step_loss);
    }
    if (!report.skipped) {
      // The norm before clipping (no clipping when grad_clip is 0); a non-finite gradient never
      // reaches the weights.
      const double max_norm = config.train.grad_clip > 0 ? config.train.grad_clip
                                                         : std::numeric_limits<double>::infinity();
      report.grad_norm = torch::nn::utils::clip_grad_norm_(parameters, max_norm);
      if (!std::isfinite(report.grad_norm)) stop_non_finite("gradient norm", report.grad_norm);
      optimizer->step();
    }
    state.step = step + 1;

    // ---- report, evaluate, checkpoint -----------------------------------------------------------
    const bool last_step = state.step == config.train.max_steps;
    if ((config.train.log_every > 0 && state.step % config.train.log_every == 0) || last_step) {
      const auto now = std::chrono::steady_clock::now();
      const double window = std::chrono::duration<double>(now - window_start).count();
      const double elapsed = std::chrono::duration<double>(now - started).count();
      report.tokens_per_second = window > 0 ? window_tokens / window : 0;
      report.eta_seconds =
          elapsed / double(state.step - first_step) * double(config.train.max_steps - state.step);
      window_tokens = 0;
      window_start = now;
      log_row({{"event", "step"},
               {"step", report.step},
               {"task", report.task},
               {"loss", report.loss},
               {"lr", lr},
               {"grad_norm", report.grad_norm},
               {"tokens_per_second", report.tokens_per_second},
               {"skipped", report.skipped}});
      tensorboard.add_scalar("train/loss", report.loss, report.step);
      tensorboard.add_scalar("train/lr", lr, report.step);
      if (hooks.on_step) hooks.on_step(report);
    }
    bool stop = false;
    const bool eval_now =
        (config.train.eval_every > 0 && state.step % config.train.eval_every == 0) || last_step;
    if (eval_now && primary >= 0) {
      for (size_t t = 0; t < run.tasks.size(); ++t) {
        if (!run.tasks[t].has_dev()) continue;
        EvalReport eval{
            state.step, run.tasks[t].spec.name, evaluate_task(run, run.tasks[t], config), false};
        if (int(t) == primary) {
          const double value = eval.metrics.primary_value();
          eval.improved = std::isfinite(value) && (!std::isfinite(state.best_metric) ||
                                                   eval.metrics.better(value, state.best_metric));
          if (eval.improved) {
            state.best_metric = value;
            state.best_step = state.step;
            state.evals_without_improvement = 0;
            save_best();
          } else if (++state.evals_without_improvement >= config.train.early_stop_patience &&
                     config.train.early_stop_patience > 0) {
            result.early_stopped = stop = true;
          }
        }
        log_row({{"event", "eval"},
                 {"step", state.step},
                 {"task", eval.task},
                 {"metrics", eval.metrics},
                 {"improved", eval.improved}});
        for (const auto& [key, value] : eval.metrics.values) {
          tensorboard.add_scalar(fmt::format("dev/{}/{}", eval.task, key), value, state.step);
        }
        if (hooks.on_eval) hooks.on_eval(eval);
      }
    }
    if (stop_requested()) {
      result.stop_signal = stop_requested();
      stop = true;
    }
    const bool checkpoint_due =
        config.train.checkpoint_every > 0 && state.step % config.train.checkpoint_every == 0;
    if (checkpoint_due || last_step || stop) checkpoint_now();
    if (hooks.after_step) hooks.after_step(state.step);
    if (stop) break;
  }
  if (primary < 0 && state.step == config.train.max_steps)
    save_best();  // no dev set: the last model

  // DIR/model.pt: the best dual or cross encoder as a self-contained TorchScript file.
  const auto& shipped = run.tasks[primary < 0 ? 0 : primary];
  if (shipped.spec.objective != "mlm" && fs::exists(output_dir / "best" / "sentzoo.json")) {
    ExportRequest request;
    request.checkpoint = output_dir / "best";
    request.output = output_dir / "model.pt";
    export_model(request);
  }

  result.steps_done = state.step;
  result.best_metric = state.best_metric;
  result.best_step = state.best_step;
  result.skipped_steps = state.skipped_steps;
  return result;
}

}  // namespace sentzoo
