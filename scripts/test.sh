#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite with ctest (against the LibTorch
# of scripts/libtorch_choice.sh; scripts/test_other_libtorch.sh runs it against the other one).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/libtorch_choice.sh
scripts/setup.sh
scripts/build.sh
ctest --test-dir "$(sentzoo_build_dir)" -j"$(nproc)" --output-on-failure
