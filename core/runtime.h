#pragma once
// Process-wide runtime settings every executable shares: thread count, BLAS detection, and the
// provenance line printed by --version.

#include <string>

namespace sentzoo {

/// Cores this process may run on (sched affinity), at least 1.
int available_cores();

/// Sets LibTorch's intra-op threads (and OpenBLAS's, which follows them): `requested` > 0 is
/// taken as is, otherwise all available cores (LibTorch's own default is half of them).
/// Returns the count now in effect.
int configure_threads(int requested);

/// Keeps freed activation memory in the process: glibc otherwise returns every buffer above its
/// (dynamic, <= 32 MiB) mmap threshold to the kernel when freed, and the next training step pays
/// page faults and zeroing for the same sizes again (~3-5% of a step, bench/ANALYSIS.md). Sets
/// M_MMAP_THRESHOLD to 256 MiB and M_TRIM_THRESHOLD to 1 GiB unless MALLOC_MMAP_THRESHOLD_ /
/// MALLOC_TRIM_THRESHOLD_ are set. Peak memory is unchanged; idle memory is returned less eagerly.
void configure_allocator();

/// The 1-minute load average above the available cores, as a warning for the log (OpenMP threads
/// spin-wait and slow down many times over when the cores are oversubscribed), or empty.
std::string oversubscription_warning(int threads);

/// The BLAS that LibTorch's fp32 matmuls resolve to at run time.
struct BlasInfo {
  std::string name;           // e.g. "OpenBLAS 0.3.21 (openmp)" or "reference BLAS (netlib)"
  std::string library_path;   // the libblas.so.3 mapped into this process, if any
  bool is_reference = false;  // true: about 30x slower fp32 matmul (TOOLCHAIN.md §1)
  /// The GEMM kernel in use: OpenBLAS's core type (core/blas_kernel.h), "MKL's own CPU
  /// dispatch", or "reference" / "unknown".
  std::string kernel;
};
BlasInfo active_blas();

/// One line per fact: sentzoo version, LibTorch version, BLAS, GEMM kernel (with the CPU's
/// best vector extension), threads.
std::string version_report();

}  // namespace sentzoo
