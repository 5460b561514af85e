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

/// The BLAS that LibTorch's fp32 matmuls resolve to at run time.
struct BlasInfo {
  std::string name;           // e.g. "OpenBLAS 0.3.21 (openmp)" or "reference BLAS (netlib)"
  std::string library_path;   // the libblas.so.3 mapped into this process, if any
  bool is_reference = false;  // true: about 30x slower fp32 matmul (TOOLCHAIN.md §1)
};
BlasInfo active_blas();

/// One line per fact: sentzoo version, LibTorch version, BLAS, threads.
std::string version_report();

}  // namespace sentzoo
