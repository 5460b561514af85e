#!/usr/bin/env bash
# Configures (once) and builds sentzoo with Ninja and ccache against the LibTorch that
# SENTZOO_LIBTORCH chooses (scripts/libtorch_choice.sh: default in build/, the other in
# build-<kind>/). Extra arguments go to the configure step, e.g. -DCMAKE_BUILD_TYPE=Debug.
# SENTZOO_TARGETS="sentzoo-train sentzoo-eval" builds only those targets (scripts/demo.sh: the
# tools without the test binary, which is a third of the build).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/libtorch_choice.sh
kind=$(sentzoo_libtorch)
build_dir=$(sentzoo_build_dir)
flags=()
if [ "$kind" = pypi ]; then
  set +e
  prefix=$(scripts/libtorch_pypi.sh)
  status=$?
  set -e
  if [ $status -ne 0 ]; then
    echo "build: could not fetch PyPI's LibTorch (exit $status); SENTZOO_LIBTORCH=debian builds against Debian's" >&2
    exit 1
  fi
  flags=(-DCMAKE_PREFIX_PATH="$prefix" -DSENTZOO_TORCH_CPU_ONLY=ON)
fi
# A folder configured for the other LibTorch is configured afresh (the compiler cache keeps
# what can be kept).
stamp=$build_dir/.sentzoo-libtorch
want="$kind ${flags[*]}"
if [ -f "$build_dir/CMakeCache.txt" ] && [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "build: $build_dir was configured for another LibTorch; configuring it for $kind"
  rm -f "$build_dir/CMakeCache.txt"
fi
if [ ! -f "$build_dir/build.ninja" ] || [ ! -f "$build_dir/CMakeCache.txt" ] || [ $# -gt 0 ]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release "${flags[@]}" "$@"
  echo "$want" > "$stamp"
fi
targets=()
for t in ${SENTZOO_TARGETS:-}; do targets+=(--target "$t"); done
cmake --build "$build_dir" "${targets[@]}" -- -j"$(nproc)"
