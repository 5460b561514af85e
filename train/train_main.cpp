// sentzoo-train: train a dual encoder, cross encoder, MLM or multi-task model from a JSON config.
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>

#include "core/cli.h"
#include "core/config.h"
#include "train/config_schema.h"
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
  if (args.count("print-config-reference")) {
    std::cout << config_reference_markdown();
    return 0;
  }
  const bool print_config = args.count("print-config") > 0;
  const auto config_path =
      print_config && !args.count("config") ? std::string() : cli::required<std::string>(args, "config");
  // --print-config without --config shows the defaults, which are no runnable config (no data):
  // nothing is validated then.
  const bool validate = !config_path.empty();
  TrainRunConfig config;
  try {
    if (!config_path.empty()) config = parse_train_config(read_json_file(config_path), config_path);
    if (args.count("set")) {
      // Overrides apply to the resolved config (file + defaults) and may name any key the schema
      // knows (train/config_schema.h); the result is parsed and validated again.
      nlohmann::json resolved = config;
      for (const auto& note :
           apply_train_overrides(resolved, args["set"].as<std::vector<std::string>>()))
        spdlog::info("--set: {}", note);
      const auto source = config_path.empty() ? std::string("--set") : config_path + " with --set";
      config = parse_train_config(resolved, source, validate);
    }
  } catch (const std::invalid_argument& e) {
    throw cli::UsageError(e.what());
  }
  if (print_config) {
    std::cout << resolved_train_config(config).dump(2) << std::endl;
    return 0;
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
      "resume", "continue from the newest checkpoint in the output folder")(
      "print-config",
      "print the resolved config (every key, defaults filled in; with --config and --set) and exit")(
      "print-config-reference", "print the configuration reference (docs/CONFIG.md) and exit");
  sentzoo::cli::add_common_options(options);
  return sentzoo::cli::run(argc, argv, options, train);
}
