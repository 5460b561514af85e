# Sourced by the scripts: which LibTorch sentzoo builds against, and where.
#
# SENTZOO_LIBTORCH=pypi   the CPU half of PyPI's newest torch (scripts/libtorch_pypi.sh; C++20,
#                         MKL, oneDNN 3, fused attention), fetched once (~0.6 GB);
# SENTZOO_LIBTORCH=debian Debian's libtorch-dev 1.13.1 with OpenBLAS: no download beyond apt.
# The default is the faster of the two on the machine we develop and test on, measured side by
# side (2026-12-02, AMD EPYC Zen 4: Debian's OpenBLAS beats the MKL inside PyPI's torch on AMD;
# docs/PERFORMANCE.md has both builds in every table, README "Two LibTorch builds" says when to
# prefer the other). The default builds in build/, the other in build-<kind>/; SENTZOO_BUILD_DIR
# overrides.
sentzoo_default_libtorch=debian

sentzoo_libtorch() {
  local kind=${SENTZOO_LIBTORCH:-$sentzoo_default_libtorch}
  case "$kind" in
    debian | pypi) echo "$kind" ;;
    *)
      echo "SENTZOO_LIBTORCH: expected debian or pypi, found '$kind'" >&2
      return 2
      ;;
  esac
}

sentzoo_other_libtorch() {
  if [ "$(sentzoo_libtorch)" = pypi ]; then echo debian; else echo pypi; fi
}

sentzoo_build_dir() {
  local kind
  kind=$(sentzoo_libtorch) || return 2
  if [ -n "${SENTZOO_BUILD_DIR:-}" ]; then
    echo "$SENTZOO_BUILD_DIR"
  elif [ "$kind" = "$sentzoo_default_libtorch" ]; then
    echo build
  else
    echo "build-$kind"
  fi
}

sentzoo_libtorch_label() {
  case "$1" in
    debian) echo "1.13 (Debian libtorch-dev)" ;;
    pypi) echo "${SENTZOO_TORCH_VERSION:-$(sed -n 's/^pinned_version=//p' scripts/libtorch_pypi.sh)} (PyPI torch, CPU half)" ;;
  esac
}
