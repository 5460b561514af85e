#!/usr/bin/env bash
# Builds sentzoo against the LibTorch that is not the default one and runs the whole test suite
# with it, so that CI covers both supported LibTorch builds (README, "Two LibTorch builds"): with
# the default SENTZOO_LIBTORCH=debian that is the CPU half of PyPI's newest torch
# (scripts/libtorch_pypi.sh); with SENTZOO_LIBTORCH=pypi it is Debian's libtorch-dev 1.13.
#   scripts/test_other_libtorch.sh [debian|pypi]   (default: the one scripts/build.sh does not use)
# Build folder: build-<kind> (SENTZOO_OTHER_BUILD_DIR overrides).
# Exit: 0 when everything passed, or after a "SKIPPED: ..." line when PyPI's wheels cannot be
# downloaded; non-zero when the build or a test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/libtorch_choice.sh

other=${1:-$(sentzoo_other_libtorch)}
build_dir=${SENTZOO_OTHER_BUILD_DIR:-build-$other}
if [ "$other" = pypi ]; then
  set +e
  prefix=$(scripts/libtorch_pypi.sh)
  status=$?
  set -e
  if [ $status -eq 3 ]; then
    echo "SKIPPED: the PyPI LibTorch check: its wheels could not be downloaded"
    exit 0
  fi
  [ $status -eq 0 ] || exit $status
fi
SENTZOO_LIBTORCH=$other SENTZOO_BUILD_DIR=$build_dir scripts/build.sh
# No test may touch a GPU (none is loaded: only libtorch_cpu is linked).
CUDA_VISIBLE_DEVICES="" ctest --test-dir "$build_dir" -j"$(nproc)" --output-on-failure
echo "test_other_libtorch: sentzoo builds and passes its tests against LibTorch $(sentzoo_libtorch_label "$other")"
