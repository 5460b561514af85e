#!/usr/bin/env bash
# Creates the Python reference environment used ONLY by tools/reference/ fixture generators and
# bench/ peers: a venv over Debian's python3-torch 1.13.1 (system site packages) with the pinned
# packages of requirements*.txt. The C++ build and ctest never need it.
#   tools/reference/setup_env.sh [VENV_DIR]      (default: .venv-ref in the repository root)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
venv=${1:-${SENTZOO_REF_VENV:-$root/.venv-ref}}
"$root/scripts/setup.sh"
if ! dpkg-query -W -f='${Status}' python3-venv 2>/dev/null | grep -q "install ok installed"; then
  apt-get install -y -qq python3-venv python3-pip >/dev/null
fi
[ -x "$venv/bin/python" ] || /usr/bin/python3 -m venv --system-site-packages "$venv"
for req in "$here"/requirements*.txt; do
  "$venv/bin/pip" install -q -r "$req"
done
"$venv/bin/python" - <<'PY'
import torch, transformers, tokenizers, sentence_transformers, numpy
print("reference env:", "torch", torch.__version__, "transformers", transformers.__version__,
      "tokenizers", tokenizers.__version__, "sentence-transformers", sentence_transformers.__version__,
      "numpy", numpy.__version__)
PY
echo "activate with: source $venv/bin/activate"
