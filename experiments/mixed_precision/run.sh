#!/usr/bin/env bash
# Issue #17 item 4, blog 9059 (AMP +10%, XLA +15%, both +30% on an RTX 3090): bf16 autocast
# against fp32 on this machine's CPU. A RoFormerV2-small-shaped dual encoder (6 layers, hidden
# 384, 6 heads, FFN 1536; configs/roformer-v2-small-cosent.json) trained with CoSENT on Chinese
# STS-B, mean pooling (with the config's CLS pooling this model had not left its collapsed start
# after 300 steps: every cosine within 3e-7 of 1, see the results' discussion), for STEPS steps
# with train.amp off and bf16, SEEDS seeds each (same data order, masks and
# init per seed), no early stop: training wall time and tokens/s, dev Spearman at the end, then
# STS-B test Spearman and encoding speed of every trained model in fp32, bf16 autocast and bf16
# weights (sentzoo-eval --precision). A GPU is not lent to this task's sessions; the CUDA half
# of the post (fp16 with loss scaling, bf16 on CUDA) is left for a session that has one.
# Needs a quiet machine (timings) and SENTZOO_DATA. Budget on 2 cores: see
# docs/results/mixed_precision.md (measured).
# Writes docs/results/mixed_precision.{md,json,png}; runs under OUT (default
# runs/mixed_precision; a second call reuses finished runs and evaluates again).
#   experiments/mixed_precision/run.sh [OUT] [STEPS] [SEEDS]    (defaults: 300, "1 2 3")
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${SENTZOO_DATA:?set SENTZOO_DATA to the shared data folder (zh/STS-B, vocab/)}"
out=${1:-runs/mixed_precision}
steps=${2:-300}
seeds=${3:-1 2 3}
SENTZOO_TARGETS="sentzoo-train sentzoo-eval" scripts/build.sh >/dev/null
mkdir -p "$out"
for seed in $seeds; do
  for amp in off bf16; do
    name=train-$amp-s$seed
    if [ ! -f "$out/$name/best/sentzoo.json" ]; then
      rm -rf "${out:?}/$name"
      start=$(date +%s)
      build/sentzoo-train --config configs/roformer-v2-small-cosent.json --output "$out/$name" \
        --set model.pooling.mode=mean --set train.amp=$amp --set train.seed="$seed" \
        --set train.max_steps="$steps" \
        --set train.warmup_steps=$((steps / 10)) --set train.residual_ramp_steps=$((steps / 10)) \
        --set train.eval_every="$steps" --set train.early_stop_patience=0 \
        --set train.checkpoint_every=1000000 --set train.log_every=10 >"$out/$name.train.log" 2>&1
      echo $(($(date +%s) - start)) >"$out/$name.seconds"
    fi
    for precision in fp32 bf16 bf16-weights; do
      build/sentzoo-eval --model "$out/$name" --test tsv:zh/STS-B/STS-B.test.data \
        --precision $precision --json "$out/$name.eval-$precision.json" \
        --predictions "$out/$name.scores-$precision.tsv" 2>>"$out/$name.eval.log"
    done
    echo "$name: $(cat "$out/$name.seconds") s"
  done
done
experiments/python.sh experiments/mixed_precision/report.py "$out" "$steps" "${SENTZOO_RESULTS_PREFIX:-docs/results/mixed_precision}"
