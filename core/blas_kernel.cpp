// OpenBLAS kernel detection and the re-exec fix for its generic fallback (core/blas_kernel.h).
#include "core/blas_kernel.h"

#include <dlfcn.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace sentzoo {

namespace {

constexpr const char* kReexecMarker = "SENTZOO_BLAS_REEXEC";  // holds the kernel it replaced

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>(std::tolower(c));
  });
  return out;
}

int level(IsaLevel l) { return static_cast<int>(l); }

std::optional<std::string> env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

}  // namespace

std::string CpuFeatures::summary() const {
  if (avx512_bf16) return "avx512_bf16";
  if (avx512f) return "avx512f";
  if (avx2) return "avx2";
  if (avx) return "avx";
  return "no avx";
}

CpuFeatures parse_cpu_features(std::string_view vendor_id, std::string_view flags) {
  CpuFeatures cpu;
  cpu.vendor = std::string(vendor_id);
  std::istringstream words{std::string(flags)};
  for (std::string w; words >> w;) {
    if (w == "avx") cpu.avx = true;
    else if (w == "avx2") cpu.avx2 = true;
    else if (w == "fma") cpu.fma = true;
    else if (w == "avx512f") cpu.avx512f = true;
    else if (w == "avx512bw") cpu.avx512bw = true;
    else if (w == "avx512dq") cpu.avx512dq = true;
    else if (w == "avx512vl") cpu.avx512vl = true;
    else if (w == "avx512cd") cpu.avx512cd = true;
    else if (w == "avx512_bf16") cpu.avx512_bf16 = true;
  }
  return cpu;
}

CpuFeatures host_cpu_features() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line, vendor, flags;
  auto value = [](const std::string& l) {
    const auto colon = l.find(':');
    if (colon == std::string::npos) return std::string();
    const auto start = l.find_first_not_of(" \t", colon + 1);
    return start == std::string::npos ? std::string() : l.substr(start);
  };
  while (std::getline(cpuinfo, line) && (vendor.empty() || flags.empty())) {
    if (vendor.empty() && line.rfind("vendor_id", 0) == 0) vendor = value(line);
    if (flags.empty() && line.rfind("flags", 0) == 0) flags = value(line);
  }
  return parse_cpu_features(vendor, flags);
}

IsaLevel openblas_core_level(std::string_view core) {
  // Core names of OpenBLAS 0.3.x's x86-64 DYNAMIC_ARCH table (driver/others/dynamic.c).
  static const std::pair<const char*, IsaLevel> kTable[] = {
      {"katmai", IsaLevel::sse},       {"coppermine", IsaLevel::sse},
      {"northwood", IsaLevel::sse},    {"prescott", IsaLevel::sse},
      {"banias", IsaLevel::sse},       {"atom", IsaLevel::sse},
      {"core2", IsaLevel::sse},        {"penryn", IsaLevel::sse},
      {"dunnington", IsaLevel::sse},   {"nehalem", IsaLevel::sse},
      {"athlon", IsaLevel::sse},       {"opteron", IsaLevel::sse},
      {"opteron_sse3", IsaLevel::sse}, {"opteron(sse3)", IsaLevel::sse},
      {"barcelona", IsaLevel::sse},    {"nano", IsaLevel::sse},
      {"bobcat", IsaLevel::sse},       {"sandybridge", IsaLevel::avx},
      {"bulldozer", IsaLevel::avx},    {"piledriver", IsaLevel::avx},
      {"steamroller", IsaLevel::avx},  {"excavator", IsaLevel::avx},
      {"haswell", IsaLevel::avx2},     {"zen", IsaLevel::avx2},
      {"skylakex", IsaLevel::avx512},  {"cooperlake", IsaLevel::avx512},
      {"sapphirerapids", IsaLevel::avx512},
  };
  const std::string name = lower(core);
  for (const auto& [known, isa] : kTable) {
    if (name == known) return isa;
  }
  return IsaLevel::unknown;
}

std::string best_openblas_core(const CpuFeatures& cpu) {
  const bool avx512 =
      cpu.avx512f && cpu.avx512cd && cpu.avx512bw && cpu.avx512dq && cpu.avx512vl;
  if (avx512 && cpu.avx512_bf16) return "Cooperlake";
  if (avx512) return "SkylakeX";
  if (cpu.avx2 && cpu.fma) return cpu.vendor == "AuthenticAMD" ? "Zen" : "Haswell";
  if (cpu.avx) return "Sandybridge";
  return {};
}

BlasAutofix parse_blas_autofix(std::string_view value) {
  if (value.empty() || value == "auto") return BlasAutofix::automatic;
  if (value == "off") return BlasAutofix::off;
  if (value == "force") return BlasAutofix::force;
  throw std::invalid_argument(
      fmt::format("SENTZOO_BLAS_AUTOFIX: expected off, auto or force, found '{}'", value));
}

BlasKernelPlan plan_blas_kernel(std::string_view chosen_core,
                                const CpuFeatures& cpu,
                                const std::optional<std::string>& user_coretype,
                                BlasAutofix mode) {
  const IsaLevel chosen = openblas_core_level(chosen_core);
  const std::string best = best_openblas_core(cpu);
  const IsaLevel best_level = openblas_core_level(best);
  // Not OpenBLAS, a kernel we do not know, a CPU without AVX2, or already an AVX2+ kernel.
  if (chosen == IsaLevel::unknown || level(best_level) < level(IsaLevel::avx2) ||
      level(chosen) >= level(IsaLevel::avx2)) {
    return {};
  }
  const std::string cost = "fp32 matmuls run 3-5x slower";
  if (user_coretype && mode != BlasAutofix::force) {
    return {BlasKernelPlan::Action::warn,
            {},
            fmt::format("OPENBLAS_CORETYPE={} makes OpenBLAS run its generic {} kernel on a CPU "
                        "with {}: {}. Unset it, set it to {}, or set SENTZOO_BLAS_AUTOFIX=force",
                        *user_coretype, chosen_core, cpu.summary(), cost, best)};
  }
  if (mode == BlasAutofix::off) {
    return {BlasKernelPlan::Action::warn,
            {},
            fmt::format("OpenBLAS chose its generic {} kernel on a CPU with {}: {}. "
                        "SENTZOO_BLAS_AUTOFIX=off, so it stays; OPENBLAS_CORETYPE={} fixes it",
                        chosen_core, cpu.summary(), cost, best)};
  }
  return {BlasKernelPlan::Action::reexec, best, {}};
}

std::string openblas_core() {
  using GetCorename = char* (*)();
  auto get = reinterpret_cast<GetCorename>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
  if (get == nullptr) return {};
  const char* name = get();
  return name == nullptr ? std::string() : std::string(name);
}

bool mkl_in_process() { return dlsym(RTLD_DEFAULT, "MKL_Get_Version_String") != nullptr; }

namespace {

// The original argv of this process (argv may have been shifted by a subcommand dispatch).
std::vector<std::string> original_arguments() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  const std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> args;
  std::string current;
  for (char c : all) {
    if (c == '\0') {
      args.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) args.push_back(current);
  return args;
}

}  // namespace

std::string fix_blas_kernel() {
  const std::string core = openblas_core();
  if (const auto replaced = env(kReexecMarker)) {
    // We are the re-executed process: report once, and let our own children start clean.
    unsetenv(kReexecMarker);
    if (core.empty()) return {};
    const std::string set = env("OPENBLAS_CORETYPE").value_or("");
    if (level(openblas_core_level(core)) >= level(IsaLevel::avx2)) {
      return fmt::format(
          "OpenBLAS chose its generic {} kernel for this CPU ({}); restarted with "
          "OPENBLAS_CORETYPE={}: GEMM kernel now {}",
          *replaced, host_cpu_features().summary(), set, core);
    }
    return fmt::format(
        "OpenBLAS runs its generic {} kernel on a CPU with {}, and restarting with "
        "OPENBLAS_CORETYPE={} did not change it (this OpenBLAS lacks that kernel?): fp32 matmuls "
        "run 3-5x slower",
        core, host_cpu_features().summary(), set);
  }
  // Strict whatever the BLAS: a bad setting is an error on every machine, not only on some.
  const BlasAutofix mode = parse_blas_autofix(env("SENTZOO_BLAS_AUTOFIX").value_or(""));
  if (core.empty() || mkl_in_process()) return {};
  const BlasKernelPlan plan =
      plan_blas_kernel(core, host_cpu_features(), env("OPENBLAS_CORETYPE"), mode);
  if (plan.action != BlasKernelPlan::Action::reexec) return plan.message;

  const std::vector<std::string> args = original_arguments();
  if (args.empty()) return "could not read /proc/self/cmdline to restart with a faster BLAS kernel";
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const auto previous = env("OPENBLAS_CORETYPE");
  setenv("OPENBLAS_CORETYPE", plan.core.c_str(), 1);
  setenv(kReexecMarker, core.c_str(), 1);
  execv("/proc/self/exe", argv.data());
  const int error = errno;  // only reached when exec failed: carry on as we are
  unsetenv(kReexecMarker);
  if (previous) {
    setenv("OPENBLAS_CORETYPE", previous->c_str(), 1);
  } else {
    unsetenv("OPENBLAS_CORETYPE");
  }
  return fmt::format(
      "OpenBLAS chose its generic {} kernel; restarting with OPENBLAS_CORETYPE={} failed ({}): "
      "fp32 matmuls run 3-5x slower",
      core, plan.core, std::strerror(error));
}

}  // namespace sentzoo
