# Sourced by scripts/test.sh --sanitize: run-time options of the ASan + UBSan build.
#
# Suppressions: none. The whole suite ran clean on 2026-12-02 (docs/results/sanitizers.md) with
# LibTorch, OpenBLAS and the other system libraries uninstrumented and no suppression file, so
# none is committed; if one is ever needed it must name a library outside sentzoo and say why.
#
# abort_on_error/halt_on_error: the first report fails its test (ctest sees the abort);
# detect_leaks stays on (ASan's default on x86_64 Linux). UBSan is compiled with
# -fno-sanitize-recover=undefined, so a UBSan report aborts too; print_stacktrace says where.
# verify_asan_link_order=0: tests/train/fault_injection_test.cpp preloads its write-fault shim
# (LD_PRELOAD) into sentzoo-train, which puts the shim before libasan in the library list; the
# shim only interposes write/writev/pwrite64, which ASan does not intercept, so the order is safe.
export ASAN_OPTIONS="abort_on_error=1:halt_on_error=1:strict_string_checks=1:verify_asan_link_order=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
# Tests left out of the sanitizer suite (ctest -E), each for a reason outside sentzoo's code:
# - SentencePiece: ASan aborts on dlopen(RTLD_DEEPBIND) (google/sanitizers#611), and without
#   DEEPBIND the plugin's libsentencepiece clashes with LibTorch's protobuf (TOOLCHAIN.md §2), so
#   SentencePiece cannot run inside an instrumented torch process. The fuzz target
#   fuzz/sentencepiece.cpp covers the same path under ASan in a torch-free process.
export SENTZOO_SANITIZE_EXCLUDE='SentencePiece'
