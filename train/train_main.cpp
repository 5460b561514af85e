// sentzoo-train: train a dual encoder, cross encoder, MLM or multi-task model from a JSON config.
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>

#include "core/cli.h"
#include "core/config.h"
#include "dist/communicator.h"
#include "dist/dist_env.h"
#include "dist/local_launch.h"
#include "eval/export_model.h"
#include "train/config_schema.h"
#include "train/run_control.h"
#include "train/trainer.h"

namespace {

std::string duration(double seconds) {
  const auto s = static_cast<int64_t>(seconds);
  return s >= 3600 ? fmt::format("{}h{:02}m", s / 3600, s / 60 % 60)
                   : fmt::format("{}m{:02}s", s / 60, s % 60);
}

// `--nproc N`: this command again N times as the ranks of one job (dist/local_launch.h), without
// --nproc; the exit code is the first failing rank's.
int launch_ranks(int argc, char** argv, int nproc, const std::filesystem::path& output) {
  using namespace sentzoo;
  std::vector<std::string> command = {std::filesystem::read_symlink("/proc/self/exe").string()};
  bool threads_given = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--nproc") {
      ++i;  // and its value
    } else if (arg.rfind("--nproc=", 0) != 0) {
      threads_given = threads_given || arg == "--threads" || arg.rfind("--threads=", 0) == 0;
      command.push_back(arg);
    }
  }
  if (!threads_given) {  // the cores shared out, not every rank on all of them
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    command.push_back(fmt::format("--threads={}", std::max(1, cores / nproc)));
  }
  spdlog::info("starting {} processes (ranks 0-{}) on this machine; logs in {}/rank-K.log",
               nproc,
               nproc - 1,
               output.string());
  const auto result = launch_local(nproc, command, output);
  if (result.exit_code != 0) spdlog::error("{}", result.message);
  return result.exit_code;
}

// One GPU per rank, as NCCL needs: rank LOCAL_RANK of a node sees only its GPU, as cuda:0 (the
// LOCAL_RANK-th of CUDA_VISIBLE_DEVICES when that lists several, else GPU LOCAL_RANK). Set
// before anything touches CUDA.
void use_local_gpu(const sentzoo::DistEnv& env) {
  std::vector<std::string> visible;
  if (const char* list = std::getenv("CUDA_VISIBLE_DEVICES")) {
    std::string item;
    for (const char* c = list;; ++c) {
      if (*c == ',' || *c == 0) {
        if (!item.empty()) visible.push_back(item);
        item.clear();
        if (*c == 0) break;
      } else {
        item += *c;
      }
    }
  }
  if (visible.size() == 1) return;  // already one GPU per process
  const std::string mine = visible.empty() ? std::to_string(env.local_rank)
                                           : visible.at(env.local_rank % visible.size());
  ::setenv("CUDA_VISIBLE_DEVICES", mine.c_str(), 1);
}

int train(const cxxopts::ParseResult& args, int argc, char** argv) {
  using namespace sentzoo;
  if (args.count("print-config-reference")) {
    std::cout << config_reference_markdown();
    return 0;
  }
  const bool print_config = args.count("print-config") > 0;
  const auto config_path = print_config && !args.count("config")
                               ? std::string()
                               : cli::required<std::string>(args, "config");
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
  DistEnv env;
  try {
    env = read_dist_env();
  } catch (const std::invalid_argument& e) {
    throw cli::UsageError(e.what());
  }
  if (args.count("nproc")) {
    const int nproc = args["nproc"].as<int>();
    if (nproc < 1) throw cli::UsageError(fmt::format("--nproc must be >= 1, found {}", nproc));
    if (env.distributed())
      throw cli::UsageError(
          "--nproc starts the ranks itself: it cannot be used inside a job (WORLD_SIZE is set)");
    return launch_ranks(argc, argv, nproc, output);
  }
  const double timeout = args["dist-timeout"].as<double>();
  if (!(timeout > 0))
    throw cli::UsageError(fmt::format("--dist-timeout must be > 0 seconds, found {}", timeout));
  const auto backend = args["dist-backend"].as<std::string>();
  if (backend != "auto" && backend != "gloo" && backend != "nccl")
    throw cli::UsageError(
        fmt::format("--dist-backend: expected auto, gloo or nccl, found '{}'", backend));
  std::shared_ptr<Communicator> communicator;
  if (env.distributed()) {
    const bool nccl = backend == "nccl" || (backend == "auto" && config.train.device == "cuda");
    if (nccl != (config.train.device == "cuda"))
      throw cli::UsageError(fmt::format(
          "--dist-backend {} does not fit train.device {}: Gloo trains on the CPU, NCCL on CUDA",
          backend,
          config.train.device));
    if (nccl) use_local_gpu(env);
    spdlog::info("rank {} of {}: joining {}:{} ({}, timeout {} s)",
                 env.rank,
                 env.world_size,
                 env.master_addr,
                 env.master_port,
                 nccl ? "NCCL" : "Gloo",
                 timeout);
    communicator =
        Communicator::connect(env,
                              std::chrono::milliseconds(static_cast<int64_t>(timeout * 1000)),
                              nccl ? CommBackend::kNccl : CommBackend::kGloo);
  }
  const bool root = env.rank == 0;  // the other ranks write nothing into the output folder
  auto file_sink =
      root ? std::make_shared<spdlog::sinks::basic_file_sink_mt>((output / "train.log").string())
           : nullptr;
  if (file_sink) spdlog::default_logger()->sinks().push_back(file_sink);
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
      if (file_sink) file_sink->log(spdlog::details::log_msg("sentzoo", spdlog::level::info, line));
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
  // Fault injection for the data-parallel tests (tests/dist/dist_train_test.cpp): rank R raises
  // signal S (9: dies, 19: hangs) right after step N.
  if (const char* fault = std::getenv("SENTZOO_TEST_RAISE_AT_STEP")) {
    int fault_rank = -1, fault_signal = 0;
    int64_t fault_step = -1;
    if (std::sscanf(fault, "%d:%ld:%d", &fault_rank, &fault_step, &fault_signal) != 3)
      throw cli::UsageError(
          fmt::format("SENTZOO_TEST_RAISE_AT_STEP: expected RANK:STEP:SIGNAL, found '{}'", fault));
    if (fault_rank == env.rank)
      hooks.after_step = [fault_step, fault_signal](int64_t step) {
        if (step == fault_step) std::raise(fault_signal);
      };
  }
  const auto result =
      run_training(config, output, args.count("resume") > 0, hooks, std::move(communicator));
  if (!root) {
    spdlog::info("rank {} of {}: done after {} steps", env.rank, env.world_size, result.steps_done);
    return result.stop_signal ? 128 + result.stop_signal : 0;
  }
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
      "print the resolved config (every key, defaults filled in; with --config and --set) and "
      "exit")("print-config-reference",
              "print the configuration reference (docs/CONFIG.md) and exit")(
      "nproc",
      "data parallel: start N processes on this machine as one job (rank logs: OUTPUT/rank-K.log)",
      cxxopts::value<int>())(
      "dist-timeout",
      "data parallel: seconds any collective may wait for the other ranks before failing",
      cxxopts::value<double>()->default_value("600"))(
      "dist-backend",
      "data parallel: auto (gloo with train.device cpu, nccl with cuda), gloo or nccl",
      cxxopts::value<std::string>()->default_value("auto"));
  sentzoo::cli::add_common_options(options);
  return sentzoo::cli::run(argc, argv, options, [&](const cxxopts::ParseResult& args) {
    return train(args, argc, argv);
  });
}
