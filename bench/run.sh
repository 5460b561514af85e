#!/usr/bin/env bash
# One command for docs/PERFORMANCE.md: builds sentzoo (scripts/build.sh, the normal Release build
# with sentzoo-bench), makes sure the pinned Python peers are there, runs every measurement
# (bench/run_all.py -> docs/perf/results.json) and writes the report with its charts
# (bench/report.py -> docs/PERFORMANCE.md, docs/perf/*.png). About 26 minutes on 2 quiet cores.
#
#   SENTZOO_DATA=/work/shared/data bench/run.sh            # everything
#   bench/run.sh --rounds 3 --base                          # extra flags go to bench/run_all.py
#   bench/run.sh --only tokenizer,st_encode                 # some sections (report covers those)
#   bench/run.sh --before-exe "$(bench/build_before.sh fcc2219)" --before-label fcc2219
#                                # §9 also times an older commit's sentzoo-bench (as in the doc)
set -euo pipefail
cd "$(dirname "$0")/.."
export SENTZOO_DATA=${SENTZOO_DATA:-$(cd .. && pwd)/shared/data}
venv=${SENTZOO_VENV:-$PWD/.venv-ref}
py=$venv/bin/python
if [ ! -x "$py" ]; then
  tools/reference/setup_env.sh "$venv"
fi
if ! "$py" -c "import matplotlib, transformers, sentence_transformers, roformer, scipy" 2>/dev/null; then
  "$py" -m pip install -r tools/reference/requirements-bench.txt
fi
minilm=${SENTZOO_MINILM:-$HOME/.cache/sentzoo/models/all-MiniLM-L6-v2}
if [ ! -f "$minilm/model.safetensors" ]; then
  scripts/fetch_models.sh
fi
scripts/build.sh >/dev/null
"$py" bench/run_all.py --build build --out docs/perf --minilm "$minilm" "$@"
"$py" bench/report.py docs/perf/results.json docs/PERFORMANCE.md
