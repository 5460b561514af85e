#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite with ctest (against the LibTorch
# of scripts/libtorch_choice.sh; scripts/test_other_libtorch.sh runs it against the other one).
#
#   scripts/test.sh                          the normal build (build/) and every test
#   scripts/test.sh --sanitize [ctest args]  an ASan + UBSan build in build-sanitize/ (Debian's
#                                            LibTorch) and the suite under it; extra arguments go
#                                            to ctest, e.g. -R 'Reader|Tokenizer' for a subset
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/libtorch_choice.sh
scripts/setup.sh
if [ "${1:-}" = --sanitize ]; then
  shift
  # -O1 keeps stacks readable and the suite fast enough; ccache keeps this folder apart from
  # build/ by its flags. Always Debian's LibTorch: only it is in scope for the suppressions.
  SENTZOO_LIBTORCH=debian SENTZOO_BUILD_DIR=build-sanitize scripts/build.sh \
    -DSENTZOO_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g"
  source tests/sanitizer/options.sh
  ctest --test-dir build-sanitize -j"$(nproc)" --output-on-failure -E "$SENTZOO_SANITIZE_EXCLUDE" "$@"
  exit 0
fi
scripts/build.sh
ctest --test-dir "$(sentzoo_build_dir)" -j"$(nproc)" --output-on-failure
