#!/usr/bin/env bash
# One command for docs/PERFORMANCE.md: builds sentzoo (scripts/build.sh, the normal Release build
# with sentzoo-bench), makes sure the pinned Python peers are there, runs every measurement
# (bench/run_all.py -> docs/perf/results.json) and writes the report with its charts
# (bench/report.py -> docs/PERFORMANCE.md, docs/perf/*.png).
#
# Peers: sentence-transformers' newest release on the newest torch (.venv-peers, its ONNX backend in
# .venv-peers-onnx; tools/reference/setup_peers_env.sh) and PyTorch eager on that torch. The Debian
# torch 1.13 peers of .venv-ref (tools/reference/setup_env.sh) are a second column with --old-peers;
# .venv-ref also draws the charts (matplotlib).
#
#   SENTZOO_DATA=/work/shared/data bench/run.sh            # everything
#   bench/run.sh --old-peers --build2 build-pypi --build2-label "LibTorch 2.15 (PyPI)" --seeds 3
#                                # + torch 1.13 peers, + a second sentzoo build beside the first
#   bench/run.sh --rounds 3 --base                          # extra flags go to bench/run_all.py
#   bench/run.sh --only tokenizer,st_encode                 # some sections (report covers those)
#   bench/run.sh --before-exe "$(bench/build_before.sh fcc2219)" --before-label fcc2219
#                                # §9 also times an older commit's sentzoo-bench (as in the doc)
# SENTZOO_SKIP_BUILD=1 skips scripts/build.sh (use the build as it is).
# Run time on 2 quiet cores, estimated from the sections' earlier times and short runs of the new
# peers: about 40-45 minutes as is (3 fine-tuning seeds per tool dominate), about 75-80 minutes with
# --build2 and --old-peers; the first run also installs the peer venvs (~10 GB of wheels).
set -euo pipefail
cd "$(dirname "$0")/.."
export SENTZOO_DATA=${SENTZOO_DATA:-$(cd .. && pwd)/shared/data}
venv=${SENTZOO_VENV:-$PWD/.venv-ref}
peers=${SENTZOO_PEERS_VENV:-$PWD/.venv-peers}
peers_onnx=${SENTZOO_PEERS_ONNX_VENV:-$PWD/.venv-peers-onnx}
py=$venv/bin/python
if [ ! -x "$py" ]; then
  tools/reference/setup_env.sh "$venv"
fi
if ! "$py" -c "import matplotlib, transformers, sentence_transformers, roformer, scipy" 2>/dev/null; then
  "$py" -m pip install -r tools/reference/requirements-bench.txt
fi
if ! "$peers/bin/python" -c "import sentence_transformers, datasets, accelerate, scipy" 2>/dev/null ||
   ! "$peers_onnx/bin/python" -c "import sentence_transformers, optimum.onnxruntime, roformer" 2>/dev/null; then
  tools/reference/setup_peers_env.sh "$peers" "$peers_onnx"
fi
minilm=${SENTZOO_MINILM:-$HOME/.cache/sentzoo/models/all-MiniLM-L6-v2}
if [ ! -f "$minilm/model.safetensors" ]; then
  scripts/fetch_models.sh
fi
[ -n "${SENTZOO_SKIP_BUILD:-}" ] || scripts/build.sh >/dev/null
"$py" bench/run_all.py --build build --out docs/perf --minilm "$minilm" \
  --peers-venv "$peers" --peers-onnx-venv "$peers_onnx" --ref-venv "$venv" "$@"
"$py" bench/report.py docs/perf/results.json docs/PERFORMANCE.md
