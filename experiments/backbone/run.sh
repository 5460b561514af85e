#!/usr/bin/env bash
# Issue #16, item 1 (in progress): a Chinese backbone pretrained by sentzoo. Builds the
# pretraining text (build_corpus.py: the four novels + the unlabelled texts of the Chinese
# training splits, every dev/valid/test text left out, report in OUT/corpus/report.json), then
# trains configs/pretrain-roformer-v2-small-zh.json (RoFormerV2-small, 18.7 M parameters, MLM,
# bert-base-chinese vocab, 128 tokens) on it with the held-out novel text as dev set; the best
# model by held-out MLM loss is OUT/roformer_v2/best (Hugging Face layout, loads everywhere);
# report.py writes docs/results/backbone.{md,json,png} (corpus table, speed, loss curves).
# bf16 autocast only where this CPU's bf16 GEMM is measured faster than fp32 (the Xeon host of
# 2026-12-03: 136 vs 212 GFLOP/s, fp32 wins; an EPYC host had 382 vs 180).
#   SENTZOO_DATA=/work/shared/data experiments/backbone/run.sh [STEPS [MODEL]]
# STEPS defaults to 6000; MODEL is roformer_v2 (default) or bert: the BERT of the same size
# (configs/pretrain-bert-small-zh.json: 6 layers, hidden 384, learned positions, LayerNorm with
# biases, BERT's MLM head: dense + LayerNorm, tied decoder with a bias), trained on the same
# text with the same schedule, to compare.
# Budget: ~1 s per step of 32 texts on 2 cores (1,300 tok/s fp32 measured over 30 steps), so
# 6000 steps ~ 1 h 45 min; re-running continues from the newest checkpoint (--resume).
set -euo pipefail
cd "$(dirname "$0")/../.."
export SENTZOO_DATA=${SENTZOO_DATA:-$(cd .. && pwd)/shared/data}
steps=${1:-6000}
model=${2:-roformer_v2}
case $model in
  roformer_v2) config=configs/pretrain-roformer-v2-small-zh.json ;;
  bert) config=configs/pretrain-bert-small-zh.json ;;
  *) echo "usage: $0 [STEPS [roformer_v2|bert]]" >&2; exit 2 ;;
esac
build=${SENTZOO_BUILD:-build}
out=runs/backbone
[ -x "$build/sentzoo-train" ] || scripts/build.sh
python3 experiments/backbone/build_corpus.py "$SENTZOO_DATA" "$out/corpus" > /dev/null
gflops() { "$build/sentzoo-bench" gemm --threads 2 "$@" 2>/dev/null | sed -n 's/.*"gflops":\([0-9.]*\).*/\1/p'; }
fp32=$(gflops --dtype fp32)
bf16=$(gflops --dtype bf16)
amp=$(python3 -c "print('bf16' if $bf16 > 1.1 * $fp32 else 'off')")
echo "backbone: GEMM fp32 $fp32 GFLOP/s, bf16 $bf16 GFLOP/s -> train.amp=$amp"
resume=()
[ -d "$out/$model/checkpoints" ] && resume=(--resume)
"$build/sentzoo-train" -c "$config" -o "$out/$model" \
  --set "data.train=text:$PWD/$out/corpus/train.txt" --set "data.dev=text:$PWD/$out/corpus/heldout.txt" \
  --set "train.max_steps=$steps" --set "train.amp=$amp" --threads 2 "${resume[@]}"
experiments/python.sh experiments/backbone/report.py "$out" docs/results/backbone
