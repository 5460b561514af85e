// Implementation of the shared main wrapper (core/cli.h).
#include "core/cli.h"

#include <c10/util/Exception.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <iostream>

#include "core/blas_kernel.h"
#include "core/runtime.h"

namespace sentzoo::cli {

namespace {
// One line, not the whole help: the message says what is wrong, --help says the rest.
int usage_error(const std::string& program, const std::string& message) {
  std::cerr << program << ": " << message << " (see " << program << " --help)" << std::endl;
  return kExitUsage;
}
}  // namespace

void add_common_options(cxxopts::Options& options) {
  options.add_options("common")("h,help", "print this help and exit")(
      "version", "print sentzoo, LibTorch and BLAS versions and the thread count, then exit")(
      "threads",
      "intra-op threads (default: all cores)",
      cxxopts::value<int>()->default_value("0"));
}

int run(int argc,
        char** argv,
        cxxopts::Options& options,
        const std::function<int(const cxxopts::ParseResult&)>& body,
        const std::vector<std::string>& positional) {
  // Logs go to stderr: stdout is for results (JSON, ids, tables).
  spdlog::set_default_logger(spdlog::stderr_color_mt("sentzoo"));
  spdlog::set_pattern("[%H:%M:%S] [%^%l%$] %v");
  spdlog::default_logger()->flush_on(spdlog::level::warn);  // errors reach train.log before exit
  // First, before any thread starts: OpenBLAS's generic-kernel fallback is fixed by re-executing
  // this process (core/blas_kernel.h); we return here only when nothing was to be done, or after
  // the re-exec, with one line to say what happened.
  try {
    if (const auto line = fix_blas_kernel(); !line.empty()) spdlog::warn("{}", line);
  } catch (const std::invalid_argument& e) {
    std::cerr << options.program() << ": " << e.what() << std::endl;
    return kExitUsage;
  }
  cxxopts::ParseResult args;
  int threads_in_effect = 1;
  try {
    if (!positional.empty()) options.parse_positional(positional);
    args = options.parse(argc, argv);
    if (!args.unmatched().empty()) {
      throw UsageError("unexpected argument '" + args.unmatched().front() + "'");
    }
    if (args.count("help")) {
      std::cout << options.help() << std::endl;
      return kExitOk;
    }
    const int threads = args["threads"].as<int>();
    if (threads < 0) throw UsageError("--threads must be >= 0 (0 = all cores)");
    threads_in_effect = configure_threads(threads);
    if (args.count("version")) {
      std::cout << version_report() << std::flush;
      return kExitOk;
    }
  } catch (const cxxopts::exceptions::exception& e) {
    return usage_error(options.program(), e.what());
  } catch (const UsageError& e) {
    return usage_error(options.program(), e.what());
  }
  configure_allocator();
  if (const auto warning = oversubscription_warning(threads_in_effect); !warning.empty())
    spdlog::warn("{}", warning);
  const BlasInfo blas = active_blas();
  if (blas.is_reference) {
    spdlog::warn(
        "LibTorch is using the reference BLAS ({}): fp32 matmuls run about 30x slower. "
        "Install libopenblas0-openmp (scripts/setup.sh does).",
        blas.library_path);
  }
  try {
    return body(args);
  } catch (const UsageError& e) {
    return usage_error(options.program(), e.what());
  } catch (const cxxopts::exceptions::exception& e) {
    return usage_error(options.program(), e.what());
  } catch (const c10::Error& e) {
    // LibTorch's what() carries a C++ stack dump: the user needs the message only.
    spdlog::error("{}", e.what_without_backtrace());
    spdlog::default_logger()->flush();
    return kExitFailure;
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    spdlog::default_logger()->flush();  // file sinks (train.log) too: the process exits next
    return kExitFailure;
  }
}

}  // namespace sentzoo::cli
