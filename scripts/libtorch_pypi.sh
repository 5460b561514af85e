#!/usr/bin/env bash
# Fetches the CPU half of PyPI's torch wheel (LibTorch VERSION: headers, CMake files,
# libtorch_cpu, libc10, libgomp) once, and prints the LibTorch root to pass to CMake as
# CMAKE_PREFIX_PATH with -DSENTZOO_TORCH_CPU_ONLY=ON (README, "LibTorch").
#   scripts/libtorch_pypi.sh [VERSION]     (default: $SENTZOO_TORCH_VERSION, else the pin below)
#
# PyPI's torch for Linux is a CUDA build: its TorchConfig.cmake needs a CUDA toolkit, and
# libtorch_cuda.so needs gigabytes of nvidia wheels. sentzoo runs on the CPU, so only the CPU half
# is unpacked, plus the two CUDA libraries that libtorch_cpu.so itself links (readelf NEEDED:
# libcudart and libcupti; torch 2.8 pins them as nvidia-*-cu12 wheels, torch 2.9+ through the
# cuda-toolkit[...] meta package of CUDA 13). The wheels are unpacked side by side as in
# site-packages, so torch's RPATH ($ORIGIN/../../nvidia/...) finds them without LD_LIBRARY_PATH.
#
# Cache: ${SENTZOO_TORCH2_DIR:-~/.cache/sentzoo/torch2}/torch-VERSION (~0.6 GB, never in git).
# Exit: 0 and the root on stdout; 3 when the wheels cannot be downloaded (the caller decides
# whether that is a skip); 1 for anything else. Progress goes to stderr.
set -euo pipefail

# The newest torch on PyPI when this was last bumped (2026-12-02); CI builds and tests it.
pinned_version=2.15.0
version=${1:-${SENTZOO_TORCH_VERSION:-$pinned_version}}
cache=${SENTZOO_TORCH2_DIR:-$HOME/.cache/sentzoo/torch2}
site=$cache/torch-$version  # laid out like site-packages: torch/, nvidia/

if [ -f "$site/.complete" ]; then
  echo "$site/torch"
  exit 0
fi

say() { echo "libtorch_pypi: $*" >&2; }
python=${SENTZOO_PYTHON:-python3}
"$python" -m pip --version >/dev/null 2>&1 || { say "$python -m pip is not available"; exit 3; }

mkdir -p "$cache"
download=$(mktemp -d "$cache/download.XXXXXX")
trap 'rm -rf "$download"' EXIT

# The same wheels whatever the local python3 is. pip does not widen a given --platform by itself,
# so every manylinux level a wheel may carry is listed.
platforms=(--platform manylinux2014_x86_64)
for minor in $(seq 17 28); do platforms+=(--platform "manylinux_2_${minor}_x86_64"); done
pip_download() {
  "$python" -m pip download --quiet --only-binary=:all: --retries 2 --timeout 60 \
    "${platforms[@]}" --python-version 3.11 --implementation cp --abi cp311 --abi abi3 \
    --abi none --dest "$download" "$@"
}

say "downloading torch==$version (CPU half used)"
pip_download --no-deps "torch==$version" || { say "pip could not download torch==$version"; exit 3; }
wheel=$(ls "$download"/torch-*.whl)

# The CUDA runtime and CUPTI requirements, from the wheel's METADATA.
meta=$download/meta
mkdir -p "$meta"
(cd "$meta" && cmake -E tar xf "$wheel" "torch-$version.dist-info/METADATA")
requirements=()
while IFS= read -r line; do
  spec=${line#Requires-Dist: }
  spec=${spec%%;*}
  spec=${spec// /}
  case "$spec" in
    nvidia-cuda-runtime-cu*==* | nvidia-cuda-cupti-cu*==*) requirements+=("$spec") ;;
    cuda-toolkit\[*\]==*) requirements+=("cuda-toolkit[cudart,cupti]==${spec##*==}") ;;
  esac
done < <(grep '^Requires-Dist:' "$meta/torch-$version.dist-info/METADATA")
if [ ${#requirements[@]} -eq 0 ]; then
  say "torch==$version names no CUDA runtime wheel (a CPU-only build?): nothing more to fetch"
else
  say "downloading ${requirements[*]}"
  pip_download "${requirements[@]}" || { say "pip could not download ${requirements[*]}"; exit 3; }
fi

rm -rf "$site"
unpack=$site.partial
rm -rf "$unpack"
mkdir -p "$unpack"
# Only what building and loading the CPU half needs (cmake -E tar reads zip files).
(cd "$unpack" &&
  cmake -E tar xf "$wheel" torch/include torch/share/cmake \
    torch/lib/libtorch_cpu.so torch/lib/libc10.so torch/lib/libgomp.so.1)
for w in "$download"/nvidia_*.whl; do
  [ -e "$w" ] || continue
  (cd "$unpack" && cmake -E tar xf "$w" nvidia)
done
if LC_ALL=C ldd "$unpack/torch/lib/libtorch_cpu.so" | grep "not found" >&2; then
  say "libtorch_cpu.so has unresolved dependencies (above)"
  exit 1
fi
mv "$unpack" "$site"
touch "$site/.complete"
echo "$site/torch"
