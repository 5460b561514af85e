#!/usr/bin/env bash
# Builds sentzoo against pip's LibTorch 2.x and runs the whole test suite with it (issue #2).
#
# PyPI's torch for Linux is a CUDA build: its TorchConfig.cmake needs a CUDA toolkit and
# libtorch_cuda.so needs ~3 GB of nvidia-*-cu12 wheels. sentzoo runs on the CPU, so this links
# only the CPU half (torch_cpu + c10, -DSENTZOO_TORCH_CPU_ONLY=ON) and downloads only the two
# nvidia wheels libtorch_cpu.so itself needs (libcudart.so.12, libcupti.so.12: readelf NEEDED).
# The wheels are unpacked side by side as in site-packages, so torch's RPATH
# ($ORIGIN/../../nvidia/*/lib) finds them without LD_LIBRARY_PATH.
#
# Cache: ${SENTZOO_TORCH2_DIR:-~/.cache/sentzoo/torch2} (~0.5 GB, reused; never in git).
# Build: ${SENTZOO_TORCH2_BUILD_DIR:-build-torch2}.
# Exit: 0 when everything passed, or after a "SKIPPED: ..." line when the wheels cannot be
# downloaded; non-zero when the build or a test fails.
set -euo pipefail
cd "$(dirname "$0")/.."

torch_version=2.8.0
# Pins from torch-2.8.0's METADATA (Requires-Dist).
wheels=(torch==$torch_version nvidia-cuda-runtime-cu12==12.8.90 nvidia-cuda-cupti-cu12==12.8.90)
cache=${SENTZOO_TORCH2_DIR:-$HOME/.cache/sentzoo/torch2}
site=$cache/torch-$torch_version  # laid out like site-packages: torch/, nvidia/
build_dir=${SENTZOO_TORCH2_BUILD_DIR:-build-torch2}

skip() {
  echo "SKIPPED: LibTorch $torch_version check: $*"
  exit 0
}

if [ ! -f "$site/.complete" ]; then
  python3 -m pip --version >/dev/null 2>&1 || skip "python3 -m pip is not available"
  mkdir -p "$cache"
  download=$(mktemp -d "$cache/download.XXXXXX")
  trap 'rm -rf "$download"' EXIT
  echo "check_torch2: downloading ${wheels[*]}"
  # --platform etc.: the same wheels whatever the local python3 is (torch is manylinux_2_28,
  # the nvidia wheels manylinux_2_17, and pip does not widen a given --platform by itself).
  if ! python3 -m pip download --quiet --no-deps --only-binary=:all: --retries 2 --timeout 60 \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --python-version 3.11 \
    --implementation cp --abi cp311 --abi none --dest "$download" "${wheels[@]}"; then
    skip "pip could not download ${wheels[*]}"
  fi
  rm -rf "$site"
  unpack=$site.partial
  rm -rf "$unpack"
  mkdir -p "$unpack"
  # Only what building and loading the CPU half needs (cmake -E tar reads zip files).
  (cd "$unpack" &&
    cmake -E tar xf "$download"/torch-*.whl torch/include torch/share/cmake \
      torch/lib/libtorch_cpu.so torch/lib/libc10.so torch/lib/libgomp.so.1 &&
    cmake -E tar xf "$download"/nvidia_cuda_runtime_cu12-*.whl nvidia/cuda_runtime/lib &&
    cmake -E tar xf "$download"/nvidia_cuda_cupti_cu12-*.whl nvidia/cuda_cupti/lib)
  if LC_ALL=C ldd "$unpack/torch/lib/libtorch_cpu.so" | grep "not found"; then
    echo "check_torch2: libtorch_cpu.so has unresolved dependencies (above)" >&2
    exit 1
  fi
  mv "$unpack" "$site"
  touch "$site/.complete"
  rm -rf "$download"
fi

cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$site/torch" -DSENTZOO_TORCH_CPU_ONLY=ON
cmake --build "$build_dir" -- -j"$(nproc)"
# No test may touch a GPU (none is loaded: only libtorch_cpu is linked).
CUDA_VISIBLE_DEVICES="" ctest --test-dir "$build_dir" -j"$(nproc)" --output-on-failure
echo "check_torch2: sentzoo builds and passes its tests against LibTorch $torch_version"
