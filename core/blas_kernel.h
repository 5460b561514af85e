#pragma once
// Which GEMM kernel the active BLAS chose, and the fix for OpenBLAS's generic fallback.
//
// Why (issue #11, TOOLCHAIN.md §3): Debian's OpenBLAS 0.3.21 is built with DYNAMIC_ARCH and picks
// its kernel from the CPUID family/model when the library loads. On a CPU it does not know (seen:
// one that reports itself only as "Intel(R) Xeon(R) Processor", with AVX-512 and bf16) it falls
// back to the generic Prescott (SSE3) kernel: fp32 GEMM 3-5x slower, silently. The kernel can only
// be chosen before the library's constructor runs (it reads OPENBLAS_CORETYPE), so the fix is to
// re-execute the process once with OPENBLAS_CORETYPE set to the best kernel that is correct for
// the CPU's feature flags. A value the user set is respected (some hosts set it on purpose, as
// older OpenBLAS builds crash on some CPUs): then sentzoo warns instead, unless
// SENTZOO_BLAS_AUTOFIX=force.
//
// This file is torch-free; the parts that look at the running process (dlsym, /proc) are the
// functions below taking no arguments.

#include <optional>
#include <string>
#include <string_view>

namespace sentzoo {

/// The CPU features that decide which OpenBLAS x86-64 kernel is correct (the words of the
/// "flags" line of /proc/cpuinfo, which the kernel clears when the OS does not enable the state).
struct CpuFeatures {
  std::string vendor;  // "GenuineIntel", "AuthenticAMD", ...
  bool avx = false, avx2 = false, fma = false;
  bool avx512f = false, avx512bw = false, avx512dq = false, avx512vl = false, avx512cd = false;
  bool avx512_bf16 = false;
  /// e.g. "avx512_bf16" or "avx2": the best of the above, for messages.
  std::string summary() const;
};

/// Features from a /proc/cpuinfo vendor_id value and its flags line (space-separated words).
CpuFeatures parse_cpu_features(std::string_view vendor_id, std::string_view flags);

/// The features of the CPU this process runs on (/proc/cpuinfo; empty features if unreadable).
CpuFeatures host_cpu_features();

/// The instruction set an OpenBLAS x86-64 core type (as openblas_get_corename or
/// OPENBLAS_CORETYPE spell it, any case) is written for.
enum class IsaLevel { unknown = -1, sse = 0, avx = 1, avx2 = 2, avx512 = 3 };
IsaLevel openblas_core_level(std::string_view core);

/// The best OpenBLAS core type that is correct on a CPU with `cpu`'s features: Cooperlake
/// (AVX-512 with bf16), SkylakeX (AVX-512 F/CD/BW/DQ/VL), Zen or Haswell (AVX2 + FMA, by vendor),
/// Sandybridge (AVX); empty when only the generic SSE kernels can run.
std::string best_openblas_core(const CpuFeatures& cpu);

/// SENTZOO_BLAS_AUTOFIX: off = only warn; automatic (default) = re-exec when OpenBLAS chose a
/// generic kernel by itself; force = also when the user's OPENBLAS_CORETYPE selects one.
enum class BlasAutofix { off, automatic, force };
/// Parses SENTZOO_BLAS_AUTOFIX's value (empty = automatic); throws std::invalid_argument.
BlasAutofix parse_blas_autofix(std::string_view value);

/// What to do about the kernel OpenBLAS chose.
struct BlasKernelPlan {
  enum class Action { keep, reexec, warn };
  Action action = Action::keep;
  std::string core;     // reexec: the OPENBLAS_CORETYPE to set
  std::string message;  // warn: one log line
};

/// The decision, as a pure function: `chosen_core` is what OpenBLAS runs, `user_coretype` the
/// OPENBLAS_CORETYPE the user set (nullopt: unset). A kernel counts as a generic fallback when it
/// is below AVX2 on a CPU that has AVX2 or better; OpenBLAS's own choice of an AVX2 or AVX-512
/// kernel is kept.
BlasKernelPlan plan_blas_kernel(std::string_view chosen_core,
                                const CpuFeatures& cpu,
                                const std::optional<std::string>& user_coretype,
                                BlasAutofix mode);

/// The core type OpenBLAS runs in this process (openblas_get_corename through dlsym), or empty
/// when the active BLAS is not OpenBLAS.
std::string openblas_core();

/// Whether MKL is in this process (MKL_Get_Version_String through dlsym). PyPI's LibTorch links
/// MKL statically into libtorch_cpu and sends its GEMMs there, so an OpenBLAS that another
/// library loaded beside it (COIN-OR CLP pulls in libblas.so.3) is not the one LibTorch runs.
bool mkl_in_process();

/// Applies plan_blas_kernel to this process. On `reexec` it replaces the process with itself
/// (/proc/self/exe with the original /proc/self/cmdline), OPENBLAS_CORETYPE set and a marker so
/// that it happens at most once; it returns only if that fails. Returns the line to log, or empty:
/// after a re-exec the line says what was fixed (or that the fix did not take); otherwise a
/// warning when the kernel is generic and was not fixed. Throws std::invalid_argument for a bad
/// SENTZOO_BLAS_AUTOFIX, whichever BLAS is loaded. Nothing to fix when LibTorch runs on MKL.
/// Call first thing in main, before any thread starts.
std::string fix_blas_kernel();

}  // namespace sentzoo
