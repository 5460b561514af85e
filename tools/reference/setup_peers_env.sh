#!/usr/bin/env bash
# Creates the venvs of bench/'s newest peers (sentence-transformers as users install it today, on
# the newest torch from PyPI), apart from .venv-ref (Debian's torch 1.13, setup_env.sh):
#   VENV        (default .venv-peers)       peers-requirements.txt: sentence-transformers 6.2 +
#               torch 2.15 + its Trainer's datasets/accelerate: encode (backend "torch"), the
#               Trainer, PyTorch-eager BERT, HF tokenizers
#   VENV-onnx   (default .venv-peers-onnx)  peers-onnx-requirements.txt: sentence-transformers with
#               its [onnx] extra (backend "onnx"; 6.2's extra does not install, see that file), and
#               roformer 0.4.3 for the PyTorch-eager RoFormerV2 peer
# Uses the first python3 on PATH (3.11). The torch wheels are CUDA builds (several GB of nvidia
# wheels); the bench uses them on CPU. The C++ build and ctest never need these venvs.
#   tools/reference/setup_peers_env.sh [VENV [ONNX_VENV]]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
venv=${1:-${SENTZOO_PEERS_VENV:-$root/.venv-peers}}
onnx_venv=${2:-${SENTZOO_PEERS_ONNX_VENV:-$root/.venv-peers-onnx}}
py=${SENTZOO_PEERS_PYTHON:-python3}
make_venv() {  # DIR REQUIREMENTS
  [ -x "$1/bin/python" ] || "$py" -m venv "$1"
  "$1/bin/python" -m pip install -q -r "$2"
}
make_venv "$venv" "$here/peers-requirements.txt"
make_venv "$onnx_venv" "$here/peers-onnx-requirements.txt"
"$onnx_venv/bin/python" -m pip install -q --no-deps roformer==0.4.3
for v in "$venv" "$onnx_venv"; do
  "$v/bin/python" - <<'PY'
import sys, torch, transformers, sentence_transformers
x = torch.randn(64, 64)
assert torch.allclose(x @ torch.eye(64), x)  # runs on CPU
extra = ""
try:
    import onnxruntime, optimum.onnxruntime  # noqa: F401
    extra = ", onnxruntime %s" % onnxruntime.__version__
except ImportError:
    pass
print("peers env %s: torch %s (CPU ok), transformers %s, sentence-transformers %s%s" % (
    sys.prefix, torch.__version__, transformers.__version__, sentence_transformers.__version__, extra))
PY
done
