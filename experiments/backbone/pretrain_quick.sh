#!/usr/bin/env bash
# A quick stand-in for the backbone of experiments/backbone/run.sh (issue #16): the same recipe
# (configs/pretrain-roformer-v2-small-zh.json, the same corpus and held-out text, fp32) for fewer
# steps, with two evaluations and two checkpoints. Kept when OUT/best exists (delete OUT to redo).
#   experiments/backbone/pretrain_quick.sh OUT STEPS [--set KEY=VALUE ...]
# e.g. `runs/backbone_quick 1500`, or `runs/backbone_quick_packed 620 --set data.pack_texts=true`.
# Corpus: runs/backbone_quick_corpus (build_corpus.py). Log: OUT.log.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ $# -ge 2 ] || { echo "usage: $0 OUT STEPS [--set KEY=VALUE ...]" >&2; exit 2; }
out=$1 steps=$2
shift 2
export SENTZOO_DATA=${SENTZOO_DATA:-$(cd .. && pwd)/shared/data}
build=${SENTZOO_BUILD:-build}
[ -f "$out/best/config.json" ] && exit 0
[ -x "$build/sentzoo-train" ] || scripts/build.sh
corpus=runs/backbone_quick_corpus
python3 experiments/backbone/build_corpus.py "$SENTZOO_DATA" "$corpus" > /dev/null
rm -rf "$out"
"$build/sentzoo-train" -c configs/pretrain-roformer-v2-small-zh.json -o "$out" --threads 2 \
  --set "data.train=text:$PWD/$corpus/train.txt" --set "data.dev=text:$PWD/$corpus/heldout.txt" \
  --set "train.max_steps=$steps" --set "train.eval_every=$(( steps / 2 ))" \
  --set "train.checkpoint_every=$(( steps / 2 ))" "$@" > "$out.log" 2>&1 \
  || { tail -20 "$out.log" >&2; exit 1; }
