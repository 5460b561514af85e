#include "core/runtime.h"

#include <ATen/Parallel.h>
#include <gtest/gtest.h>

namespace sentzoo {

TEST(Runtime, ConfigureThreadsDefaultsToAllCores) {
  EXPECT_EQ(configure_threads(0), available_cores());
  EXPECT_EQ(configure_threads(1), 1);
  EXPECT_EQ(at::get_num_threads(), 1);
  configure_threads(0);
}

TEST(Runtime, DetectsTheBlasLibTorchUses) {
  const BlasInfo blas = active_blas();
  EXPECT_FALSE(blas.name.empty());
  // On Debian, LibTorch links libblas.so.3; it must be mapped and identified.
  if (!blas.library_path.empty()) {
    const bool openblas_path = blas.library_path.find("openblas") != std::string::npos;
    EXPECT_EQ(openblas_path, blas.name.find("OpenBLAS") != std::string::npos) << blas.name;
    EXPECT_EQ(blas.is_reference, !openblas_path) << blas.library_path;
  }
}

TEST(Runtime, VersionReportNamesEveryComponent) {
  const std::string report = version_report();
  for (const char* word : {"sentzoo ", "LibTorch ", "BLAS ", "GEMM kernel ", "threads "}) {
    EXPECT_NE(report.find(word), std::string::npos) << report;
  }
}

}  // namespace sentzoo
