#!/usr/bin/env bash
# Issue #16 item 1: does packing short texts (data.pack_texts, RoBERTa's FULL-SENTENCES) make
# sentzoo's MLM pretraining faster on CPU? The recipe of run.sh (RoFormerV2-small, 128 tokens,
# batch 32, same corpus and held-out text, fp32), twice: one text per row for STEPS steps, and
# packed rows for STEPS / 3 steps (about as many training tokens: the corpus averages ~45 tokens
# a text, a packed row ~125), each with warm-up and residual ramp over its first 10%, evaluated
# on the held-out text at its end. report: docs/results/backbone_packing.{md,json}: tokens/s,
# tokens trained, wall time, held-out MLM loss and accuracy.
#   SENTZOO_DATA=/work/shared/data experiments/backbone/packing.sh [STEPS]   (300: ~12 min)
set -euo pipefail
cd "$(dirname "$0")/../.."
export SENTZOO_DATA=${SENTZOO_DATA:-$(cd .. && pwd)/shared/data}
steps=${1:-300}
build=${SENTZOO_BUILD:-build}
out=runs/backbone_packing
[ -x "$build/sentzoo-train" ] || scripts/build.sh
python3 experiments/backbone/build_corpus.py "$SENTZOO_DATA" "$out/corpus" > /dev/null
for pack in false true; do
  run=$out/pack_$pack
  n=$([ $pack = true ] && echo $(( steps / 3 )) || echo "$steps")
  [ -f "$run/best/config.json" ] && continue
  rm -rf "$run"
  "$build/sentzoo-train" -c configs/pretrain-roformer-v2-small-zh.json -o "$run" --threads 2 \
    --set "data.train=text:$PWD/$out/corpus/train.txt" --set "data.dev=text:$PWD/$out/corpus/heldout.txt" \
    --set "data.pack_texts=$pack" --set "train.max_steps=$n" --set "train.warmup_steps=$(( n / 10 ))" \
    --set "train.residual_ramp_steps=$(( n / 10 ))" --set "train.eval_every=$n" \
    --set "train.checkpoint_every=$n" --set train.log_every=10 > "$run.log" 2>&1 \
    || { tail -20 "$run.log" >&2; exit 1; }
done
experiments/python.sh experiments/backbone/packing_report.py "$out" docs/results/backbone_packing
