// OpenBLAS kernel choice (core/blas_kernel.h): CPU flags -> core type, the fix/warn decision,
// and the re-exec of a real executable with a forced generic kernel.
#include "core/blas_kernel.h"

#include <gtest/gtest.h>

#include "core/runtime.h"
#include "tests/process_util.h"

namespace sentzoo {
namespace {

// /proc/cpuinfo flags lines (trimmed to the words that matter plus some neighbours), as printed
// by real machines: the 2-core Zen 4 VM of TOOLCHAIN.md (AMD EPYC family 25 model 17), a
// Sapphire Rapids VM reporting only "Intel(R) Xeon(R) Processor" (issue #11), Skylake-SP,
// Haswell, Sandy Bridge, Core 2, and Knights Landing (AVX-512 F/CD without BW/DQ/VL).
constexpr const char* kZen4 =
    "fpu sse sse2 ht syscall pni pclmulqdq ssse3 fma cx16 sse4_1 sse4_2 avx f16c avx2 avx512f "
    "avx512dq rdseed adx avx512ifma clflushopt clwb avx512cd sha_ni avx512bw avx512vl "
    "avx512_bf16 avx512vbmi";
constexpr const char* kSapphireRapids =
    "fpu sse sse2 pni ssse3 fma sse4_1 sse4_2 avx f16c avx2 avx512f avx512dq avx512cd avx512bw "
    "avx512vl avx_vnni avx512_bf16 avx512_vnni amx_bf16 avx512_fp16 amx_tile amx_int8";
constexpr const char* kSkylakeSP =
    "fpu sse sse2 pni ssse3 fma sse4_1 sse4_2 avx f16c avx2 avx512f avx512dq avx512cd avx512bw "
    "avx512vl";
constexpr const char* kHaswell = "fpu sse sse2 pni ssse3 fma sse4_1 sse4_2 avx f16c avx2";
constexpr const char* kSandyBridge = "fpu sse sse2 pni ssse3 sse4_1 sse4_2 avx";
constexpr const char* kCore2 = "fpu sse sse2 pni ssse3";
constexpr const char* kKnightsLanding =
    "fpu sse sse2 pni ssse3 fma sse4_1 sse4_2 avx f16c avx2 avx512f avx512pf avx512er avx512cd";

CpuFeatures intel(const char* flags) { return parse_cpu_features("GenuineIntel", flags); }
CpuFeatures amd(const char* flags) { return parse_cpu_features("AuthenticAMD", flags); }

TEST(BlasKernel, BestCoreTypeFollowsTheCpuFlags) {
  EXPECT_EQ(best_openblas_core(amd(kZen4)), "Cooperlake");
  EXPECT_EQ(best_openblas_core(intel(kSapphireRapids)), "Cooperlake");
  EXPECT_EQ(best_openblas_core(intel(kSkylakeSP)), "SkylakeX");
  EXPECT_EQ(best_openblas_core(intel(kHaswell)), "Haswell");
  EXPECT_EQ(best_openblas_core(amd(kHaswell)), "Zen");
  EXPECT_EQ(best_openblas_core(intel(kSandyBridge)), "Sandybridge");
  EXPECT_EQ(best_openblas_core(intel(kCore2)), "");
  // SkylakeX kernels use AVX-512 BW/DQ/VL, which Knights Landing lacks: AVX2 is the best correct.
  EXPECT_EQ(best_openblas_core(intel(kKnightsLanding)), "Haswell");
  // Words are matched whole: "avx512_bf16" is not "avx512f".
  EXPECT_FALSE(intel("avx512_bf16 avx2").avx512f);
  EXPECT_EQ(amd(kZen4).summary(), "avx512_bf16");
}

TEST(BlasKernel, CoreLevelsAreCaseInsensitiveAndUnknownNamesAreNotGeneric) {
  EXPECT_EQ(openblas_core_level("Prescott"), IsaLevel::sse);
  EXPECT_EQ(openblas_core_level("PRESCOTT"), IsaLevel::sse);
  EXPECT_EQ(openblas_core_level("Sandybridge"), IsaLevel::avx);
  EXPECT_EQ(openblas_core_level("Zen"), IsaLevel::avx2);
  EXPECT_EQ(openblas_core_level("skylakex"), IsaLevel::avx512);
  EXPECT_EQ(openblas_core_level("NeoverseN1"), IsaLevel::unknown);
  // Every core type we may set is one OpenBLAS knows by that name.
  for (const char* flags : {kZen4, kSkylakeSP, kHaswell, kSandyBridge}) {
    for (const auto& cpu : {intel(flags), amd(flags)}) {
      EXPECT_NE(openblas_core_level(best_openblas_core(cpu)), IsaLevel::unknown) << flags;
    }
  }
}

TEST(BlasKernel, GenericFallbackOnAnAvx512CpuIsFixedByReexec) {
  const auto plan = plan_blas_kernel("Prescott", intel(kSapphireRapids), std::nullopt,
                                     BlasAutofix::automatic);
  EXPECT_EQ(plan.action, BlasKernelPlan::Action::reexec);
  EXPECT_EQ(plan.core, "Cooperlake");
  // An AVX kernel on an AVX2 CPU is a fallback too.
  const auto avx = plan_blas_kernel("Sandybridge", intel(kHaswell), std::nullopt,
                                    BlasAutofix::automatic);
  EXPECT_EQ(avx.action, BlasKernelPlan::Action::reexec);
  EXPECT_EQ(avx.core, "Haswell");
}

TEST(BlasKernel, UserSetCoreTypeIsRespectedWithAWarningUnlessForced) {
  const auto plan =
      plan_blas_kernel("Prescott", amd(kZen4), std::string("Prescott"), BlasAutofix::automatic);
  EXPECT_EQ(plan.action, BlasKernelPlan::Action::warn);
  EXPECT_NE(plan.message.find("OPENBLAS_CORETYPE=Prescott"), std::string::npos) << plan.message;
  EXPECT_NE(plan.message.find("Cooperlake"), std::string::npos) << plan.message;
  const auto forced =
      plan_blas_kernel("Prescott", amd(kZen4), std::string("Prescott"), BlasAutofix::force);
  EXPECT_EQ(forced.action, BlasKernelPlan::Action::reexec);
  EXPECT_EQ(forced.core, "Cooperlake");
  const auto off = plan_blas_kernel("Prescott", amd(kZen4), std::nullopt, BlasAutofix::off);
  EXPECT_EQ(off.action, BlasKernelPlan::Action::warn);
  EXPECT_NE(off.message.find("OPENBLAS_CORETYPE=Cooperlake"), std::string::npos) << off.message;
}

TEST(BlasKernel, OpenBlasOwnChoicesAndHopelessCasesAreKept) {
  const auto keep = BlasKernelPlan::Action::keep;
  // OpenBLAS 0.3.21's own AVX2 choice on an AVX-512 CPU is deliberate (e.g. Zen on Zen 4).
  EXPECT_EQ(plan_blas_kernel("Zen", amd(kZen4), std::nullopt, BlasAutofix::automatic).action, keep);
  EXPECT_EQ(plan_blas_kernel("Haswell", intel(kSkylakeSP), std::nullopt, BlasAutofix::force).action,
            keep);
  // No AVX2: the generic kernel is as good as it gets.
  EXPECT_EQ(plan_blas_kernel("Core2", intel(kCore2), std::nullopt, BlasAutofix::automatic).action,
            keep);
  EXPECT_EQ(
      plan_blas_kernel("Prescott", intel(kSandyBridge), std::nullopt, BlasAutofix::automatic).action,
      keep);
  // Not OpenBLAS, or a name we do not know.
  EXPECT_EQ(plan_blas_kernel("", amd(kZen4), std::nullopt, BlasAutofix::automatic).action, keep);
  EXPECT_EQ(plan_blas_kernel("NeoverseV1", amd(kZen4), std::nullopt, BlasAutofix::force).action,
            keep);
}

TEST(BlasKernel, AutofixSettingIsStrict) {
  EXPECT_EQ(parse_blas_autofix(""), BlasAutofix::automatic);
  EXPECT_EQ(parse_blas_autofix("auto"), BlasAutofix::automatic);
  EXPECT_EQ(parse_blas_autofix("off"), BlasAutofix::off);
  EXPECT_EQ(parse_blas_autofix("force"), BlasAutofix::force);
  EXPECT_THROW(parse_blas_autofix("yes"), std::invalid_argument);
}

// The real thing: an executable started with OpenBLAS forced onto its generic Prescott kernel.
class BlasKernelProcess : public ::testing::Test {
 protected:
  void SetUp() override {
    // LibTorch's BLAS, not merely a loaded one: the test binary links CLP, which loads
    // OpenBLAS even where LibTorch runs on MKL (PyPI's build).
    if (openblas_core().empty() || mkl_in_process())
      GTEST_SKIP() << "LibTorch's BLAS is not OpenBLAS (" << active_blas().name << ")";
    best_ = best_openblas_core(host_cpu_features());
    if (openblas_core_level(best_) < IsaLevel::avx2)
      GTEST_SKIP() << "this CPU has no AVX2: the generic kernel is all it can run";
  }
  // `<exe> --version` with stderr, under `env -u SENTZOO_BLAS_REEXEC <env>` (unsets first, then
  // assignments).
  static testing::ProcessResult version(const std::string& env,
                                        const std::string& exe = "sentzoo-tokenize") {
    return testing::run_shell("env -u SENTZOO_BLAS_REEXEC " + env + " " +
                              (testing::binary_dir() / exe).string() + " --version 2>&1");
  }
  std::string best_;
};

TEST_F(BlasKernelProcess, ForcedGenericKernelIsFixedByOneRestartInEveryExecutable) {
  for (const char* exe :
       {"sentzoo-tokenize", "sentzoo-train", "sentzoo-eval", "sentzoo-export", "sentzoo-encode"}) {
    const auto r = version("OPENBLAS_CORETYPE=Prescott SENTZOO_BLAS_AUTOFIX=force", exe);
    ASSERT_EQ(r.code, 0) << exe << "\n" << r.out;
    EXPECT_NE(r.out.find("GEMM kernel " + best_), std::string::npos) << exe << "\n" << r.out;
    EXPECT_NE(r.out.find("restarted with OPENBLAS_CORETYPE=" + best_), std::string::npos)
        << exe << "\n" << r.out;
    EXPECT_NE(r.out.find("generic Prescott kernel"), std::string::npos) << exe << "\n" << r.out;
  }
}

TEST_F(BlasKernelProcess, UserForcedGenericKernelIsKeptWithAWarning) {
  const auto r = version("-u SENTZOO_BLAS_AUTOFIX OPENBLAS_CORETYPE=Prescott");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("GEMM kernel Prescott"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("SENTZOO_BLAS_AUTOFIX=force"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("restarted"), std::string::npos) << r.out;
}

TEST_F(BlasKernelProcess, DefaultRunEndsOnAnAvx2Kernel) {
  // Left alone, every executable ends up on an AVX2+ kernel: OpenBLAS's own choice, or the fix
  // (which then says why it restarted).
  const auto r = version("-u OPENBLAS_CORETYPE -u SENTZOO_BLAS_AUTOFIX");
  ASSERT_EQ(r.code, 0) << r.out;
  // The report's own line: the restart warning before it also says "GEMM kernel now X".
  const auto at = r.out.find("\nGEMM kernel ");
  ASSERT_NE(at, std::string::npos) << r.out;
  const auto name_start = at + std::string("\nGEMM kernel ").size();
  const std::string kernel = r.out.substr(name_start, r.out.find(' ', name_start) - name_start);
  EXPECT_GE(openblas_core_level(kernel), IsaLevel::avx2) << r.out;
  if (r.out.find("restarted") != std::string::npos) {
    EXPECT_NE(r.out.find("generic"), std::string::npos) << r.out;
  }
}

// Outside the fixture: the setting is checked whatever the BLAS (MKL included), so a typo fails
// on every machine, not only on those where OpenBLAS happens to be loaded.
TEST(BlasKernelCli, BadAutofixSettingIsAUsageErrorWhateverTheBlas) {
  const auto r = testing::run_shell("env -u SENTZOO_BLAS_REEXEC SENTZOO_BLAS_AUTOFIX=yes " +
                                    (testing::binary_dir() / "sentzoo-tokenize").string() +
                                    " --version 2>&1");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("SENTZOO_BLAS_AUTOFIX: expected off, auto or force, found 'yes'"),
            std::string::npos)
      << r.out;
}

}  // namespace
}  // namespace sentzoo
