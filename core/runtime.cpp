// Thread configuration, BLAS detection and the version report (TOOLCHAIN.md §1).
#include "core/runtime.h"

#include <ATen/Parallel.h>
#include <dlfcn.h>
#include <malloc.h>
#include <fmt/format.h>
#include <sched.h>
#include <torch/version.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "core/blas_kernel.h"
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

void configure_allocator() {
  if (std::getenv("MALLOC_MMAP_THRESHOLD_") == nullptr) mallopt(M_MMAP_THRESHOLD, 256 << 20);
  if (std::getenv("MALLOC_TRIM_THRESHOLD_") == nullptr) mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

std::string oversubscription_warning(int threads) {
  double load = 0;
  if (getloadavg(&load, 1) != 1) return {};
  const int cores = available_cores();
  if (threads <= 1 || load <= double(cores) + 0.5) return {};
  return fmt::format(
      "the machine is busy (load average {:.1f} on {} cores): {} OpenMP threads will spin-wait "
      "for each other and may run many times slower; consider --threads 1 or "
      "OMP_WAIT_POLICY=PASSIVE",
      load, cores, threads);
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
  // MKL first: PyPI's LibTorch links it statically into libtorch_cpu and exports its version
  // call; an OpenBLAS loaded beside it by another library (CLP) is not what LibTorch runs.
  using GetMklVersion = void (*)(char*, int);
  if (auto get_version =
          reinterpret_cast<GetMklVersion>(dlsym(RTLD_DEFAULT, "MKL_Get_Version_String"))) {
    char buffer[256] = {};
    get_version(buffer, sizeof buffer - 1);
    std::string version(buffer);
    version.erase(version.find_last_not_of(" \n") + 1);
    info.name = version.empty() ? "MKL" : version;
    info.kernel = "MKL's own CPU dispatch";
    return info;
  }
  if (!mapped_library("libmkl").empty()) {
    info.name = "MKL";
    info.kernel = "MKL's own CPU dispatch";
    return info;
  }
  info.library_path = mapped_library("libblas.so");
  // OpenBLAS exports openblas_get_config in the global scope when it is the loaded libblas.
  using GetConfig = char* (*)();
  if (auto get_config = reinterpret_cast<GetConfig>(dlsym(RTLD_DEFAULT, "openblas_get_config"))) {
    using GetParallel = int (*)();
    auto get_parallel = reinterpret_cast<GetParallel>(dlsym(RTLD_DEFAULT, "openblas_get_parallel"));
    const int parallel = get_parallel ? get_parallel() : -1;
    const char* flavour = parallel == 2 ? " (openmp)" : parallel == 1 ? " (pthreads)" : "";
    info.name = fmt::format("{}{}", get_config(), flavour);
    info.kernel = openblas_core();
    return info;
  }
  if (info.library_path.empty()) {
    info.name = "none mapped (LibTorch built with its own BLAS)";
    info.kernel = "unknown";
    return info;
  }
  info.name = "reference BLAS (netlib)";
  info.is_reference = true;
  info.kernel = "reference";
  return info;
}

std::string version_report() {
  const BlasInfo blas = active_blas();
  return fmt::format("sentzoo {}\nLibTorch {}\nBLAS {}{}\nGEMM kernel {} (CPU: {})\nthreads {} (of {} cores)\n",
                     SENTZOO_VERSION,
                     TORCH_VERSION,
                     blas.name,
                     blas.library_path.empty() ? "" : fmt::format(" [{}]", blas.library_path),
                     blas.kernel,
                     host_cpu_features().summary(),
                     at::get_num_threads(),
                     available_cores());
}

}  // namespace sentzoo
