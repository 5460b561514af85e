#!/usr/bin/env bash
# Configures (once) and builds sentzoo into build/ with Ninja and ccache. Extra arguments go to
# the configure step, e.g. scripts/build.sh -DCMAKE_PREFIX_PATH=/path/to/libtorch.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${SENTZOO_BUILD_DIR:-build}
if [ ! -f "$build_dir/build.ninja" ] || [ $# -gt 0 ]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@"
fi
cmake --build "$build_dir" -- -j"$(nproc)"
