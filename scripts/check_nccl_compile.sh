#!/usr/bin/env bash
# Compiles the NCCL path of data-parallel training (dist/communicator.cpp + dist/backend_nccl.cpp
# with SENTZOO_HAVE_NCCL and USE_C10D_NCCL, issue #13) against the headers of PyPI's LibTorch,
# which are those of its CUDA build (scripts/libtorch_pypi.sh), the CUDA toolkit's headers and
# nccl.h. Compile only (-fsyntax-only): linking needs libtorch_cuda and a GPU machine runs it.
#   scripts/check_nccl_compile.sh        exit 0: compiles; 1: a compile error; 3: a part is missing
set -euo pipefail
cd "$(dirname "$0")/.."
cuda=${CUDA_HOME:-/usr/local/cuda}
nccl_dir=$(dirname "$(ls "$cuda/include/nccl.h" /usr/local/include/nccl.h /usr/include/nccl.h 2>/dev/null | head -1)" 2>/dev/null || true)
if [ ! -f "$cuda/include/cuda_runtime.h" ] || [ -z "$nccl_dir" ] || [ ! -f "$nccl_dir/nccl.h" ]; then
  echo "check_nccl_compile: SKIPPED: needs the CUDA toolkit's headers ($cuda/include) and nccl.h" >&2
  exit 3
fi
root=$(scripts/libtorch_pypi.sh) || { echo "check_nccl_compile: SKIPPED: no PyPI LibTorch" >&2; exit 3; }
flags=(-std=c++20 -fsyntax-only -Wno-interference-size -DSENTZOO_HAVE_NCCL -DUSE_C10D_NCCL -DUSE_CUDA
       -I. -I"$root/include" -I"$root/include/torch/csrc/api/include" -I"$cuda/include" -I"$nccl_dir")
for file in dist/communicator.cpp dist/backend_nccl.cpp train/data_parallel.cpp dist/gradient_sync.cpp; do
  echo "check_nccl_compile: $file (LibTorch $(basename "$(dirname "$root")"), CUDA $cuda, nccl.h in $nccl_dir)"
  g++ "${flags[@]}" "$file"
done
echo "check_nccl_compile: the NCCL path compiles"
