#!/usr/bin/env bash
# Creates the Python reference environment used ONLY by tools/reference/ fixture generators and
# bench/ peers: a venv over Debian's python3-torch 1.13.1 (system site packages) with the pinned
# packages of requirements.txt, -eval.txt and -models.txt. The C++ build and ctest never need it;
# ctest's live Python round trips run when it exists (SENTZOO_REF_VENV, default .venv-ref).
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
pip=("$venv/bin/pip" install -q)
"${pip[@]}" -r "$here/requirements.txt"
# The metrics fixtures' extras, numpy held where requirements.txt pins it.
"${pip[@]}" -r "$here/requirements-eval.txt" -c <(grep '^numpy==' "$here/requirements.txt")
# The model references (requirements-models.txt says why): no dependencies of their own (they
# would pull a second transformers or torch), and fairscale built against the system torch.
"${pip[@]}" --no-deps --no-build-isolation -r "$here/requirements-models.txt"
# requirements-bench.txt is bench/run.sh's; the peers have their own venvs (setup_peers_env.sh).
"$venv/bin/python" - <<'PY'
import torch, transformers, tokenizers, sentence_transformers, numpy
print("reference env:", "torch", torch.__version__, "transformers", transformers.__version__,
      "tokenizers", tokenizers.__version__, "sentence-transformers", sentence_transformers.__version__,
      "numpy", numpy.__version__)
PY
echo "activate with: source $venv/bin/activate"
