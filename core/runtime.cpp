// Thread configuration, BLAS detection and the version report (TOOLCHAIN.md §1).
#include "core/runtime.h"

#include <ATen/Parallel.h>
#include <dlfcn.h>
#include <fmt/format.h>
#include <sched.h>
#include <torch/version.h>

#include <algorithm>
#include <fstream>
#include <thread>

#include "core/build_info.h"

namespace sentzoo {

int available_cores() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

int configure_threads(int requested) {
  const int n = requested > 0 ? requested : available_cores();
  at::set_num_threads(n);
  return at::get_num_threads();
}

namespace {
// The path of the first mapped library whose file name starts with `prefix`.
std::string mapped_library(const std::string& prefix) {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    const auto slash = line.find('/');
    if (slash == std::string::npos) continue;
    const std::string path = line.substr(slash);
    const auto base = path.substr(path.rfind('/') + 1);
    if (base.rfind(prefix, 0) == 0) return path;
  }
  return {};
}
}  // namespace

BlasInfo active_blas() {
  BlasInfo info;
  info.library_path = mapped_library("libblas.so");
  // OpenBLAS exports openblas_get_config in the global scope when it is the loaded libblas.
  using GetConfig = char* (*)();
  if (auto get_config = reinterpret_cast<GetConfig>(dlsym(RTLD_DEFAULT, "openblas_get_config"))) {
    using GetParallel = int (*)();
    auto get_parallel = reinterpret_cast<GetParallel>(dlsym(RTLD_DEFAULT, "openblas_get_parallel"));
    const int parallel = get_parallel ? get_parallel() : -1;
    const char* flavour = parallel == 2 ? " (openmp)" : parallel == 1 ? " (pthreads)" : "";
    info.name = fmt::format("{}{}", get_config(), flavour);
    return info;
  }
  if (!mapped_library("libmkl").empty()) {
    info.name = "MKL";
    return info;
  }
  if (info.library_path.empty()) {
    info.name = "none mapped (LibTorch built with its own BLAS)";
    return info;
  }
  info.name = "reference BLAS (netlib)";
  info.is_reference = true;
  return info;
}

std::string version_report() {
  const BlasInfo blas = active_blas();
  return fmt::format("sentzoo {}\nLibTorch {}\nBLAS {}{}\nthreads {} (of {} cores)\n",
                     SENTZOO_VERSION,
                     TORCH_VERSION,
                     blas.name,
                     blas.library_path.empty() ? "" : fmt::format(" [{}]", blas.library_path),
                     at::get_num_threads(),
                     available_cores());
}

}  // namespace sentzoo
