// sentzoo-train: train a dual encoder, cross encoder, MLM or multi-task model from a JSON config.
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "core/cli.h"
#include "core/config.h"
#include "eval/export_model.h"
#include "train/run_control.h"
#include "train/trainer.h"

namespace {

std::string duration(double seconds) {
  const auto s = static_cast<int64_t>(seconds);
  return s >= 3600 ? fmt::format("{}h{:02}m", s / 3600, s / 60 % 60)
                   : fmt::format("{}m{:02}s", s / 60, s % 60);
}

int train(const cxxopts::ParseResult& args) {
  using namespace sentzoo;
  const auto config_path = cli::required<std::string>(args, "config");
  TrainRunConfig config;
  try {
    config = parse_train_config(read_json_file(config_path), config_path);
    if (args.count("set")) {
      // Overrides apply to the resolved config (file + defaults), so any key can be set, each
      // checked against its type; the result is parsed and validated again.
      nlohmann::json resolved = config;
      for (const auto& assignment : args["set"].as<std::vector<std::string>>()) {
        apply_override(resolved, assignment);  // its errors name "--set <assignment>"
      }
      config = parse_train_config(resolved, config_path + " (with --set)");
    }
  } catch (const std::invalid_argument& e) {
    throw cli::UsageError(e.what());
  }
  const std::filesystem::path output =
      args.count("output")
          ? std::filesystem::path(args["output"].as<std::string>())
          : std::filesystem::path("runs") / std::filesystem::path(config_path).stem();
  std::filesystem::create_directories(output);
  auto file_sink =
      std::make_shared<spdlog::sinks::basic_file_sink_mt>((output / "train.log").string());
  spdlog::default_logger()->sinks().push_back(file_sink);
  if (config.train.deterministic && at::get_num_threads() > 1) {
    spdlog::warn(
        "train.deterministic with {} threads: runs repeat closely but not bitwise; use --threads 1",
        at::get_num_threads());
  }
  install_stop_handlers();
  const bool tty = isatty(fileno(stdout));
  TrainHooks hooks;
  hooks.on_info = [](const std::string& m) { spdlog::info("{}", m); };
  hooks.on_step = [&](const StepReport& r) {
    const auto line =
        fmt::format("step {:>6}/{} | {} | loss {:.4f} | lr {:.2e} | {:.0f} tok/s | ETA {}{}",
                    r.step,
                    r.max_steps,
                    r.task,
                    r.loss,
                    r.lr,
                    r.tokens_per_second,
                    duration(r.eta_seconds),
                    r.skipped ? " | skipped (fp16 overflow)" : "");
    if (tty) {
      const int width = 30,
                done = static_cast<int>(width * r.step / std::max<int64_t>(1, r.max_steps));
      fmt::print("\r[{}{}] {}", std::string(done, '#'), std::string(width - done, '.'), line);
      std::fflush(stdout);
      if (r.step == r.max_steps) fmt::print("\n");
    }
    if (tty) {
      file_sink->log(spdlog::details::log_msg("sentzoo", spdlog::level::info, line));
    } else {
      spdlog::info("{}", line);
    }
  };
  hooks.on_eval = [&](const EvalReport& e) {
    if (tty) fmt::print("\n");
    spdlog::info("eval step {} | {} | {} {:.4f}{}",
                 e.step,
                 e.task,
                 e.metrics.primary,
                 e.metrics.primary_value(),
                 e.improved ? " (best so far: saved to best/)" : "");
  };
  const auto result = run_training(config, output, args.count("resume") > 0, hooks);
  // DIR/model.pt: the best dual or cross encoder as a self-contained TorchScript file.
  if (result.best_exportable && std::filesystem::exists(output / "best" / "sentzoo.json")) {
    ExportRequest request;
    request.checkpoint = output / "best";
    request.output = output / "model.pt";
    export_model(request);
  }
  if (result.stop_signal) {
    spdlog::warn("stopped by signal {} after step {}; checkpoint written, resume with --resume",
                 result.stop_signal,
                 result.steps_done);
    return 128 + result.stop_signal;
  }
  spdlog::info("done: {} steps{}; best {} at step {}; output in {}",
               result.steps_done,
               result.early_stopped ? " (early stop)" : "",
               result.best_metric,
               result.best_step,
               output.string());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  cxxopts::Options options("sentzoo-train",
                           "Train a sentence encoder, cross encoder or MLM from a JSON config");
  options.add_options()("c,config", "JSON config file", cxxopts::value<std::string>())(
      "set",
      "override a config key: key.path=value (repeatable)",
      cxxopts::value<std::vector<std::string>>())(
      "o,output", "output folder (default: runs/<config name>)", cxxopts::value<std::string>())(
      "resume", "continue from the newest checkpoint in the output folder");
  sentzoo::cli::add_common_options(options);
  return sentzoo::cli::run(argc, argv, options, train);
}
