#!/usr/bin/env bash
# Issue #17 item 1, DeepNet (arXiv 2203.00555; blog 8978; REFERENCE.md §3): does post-LN diverge
# at depth while DeepNorm trains stably, at a final loss comparable to or better than pre-LN?
#
# Five encoders that differ only in the residual/norm wiring and its init (architecture "custom":
# LayerNorm, biases, learned absolute positions, GELU; the rest as experiments/mlm_run.sh says):
#   post      x = LN(x + F(x)), BERT's normal(0.02) init
#   post_xavier  the same with normal(0.125) (= 1/sqrt(64), Xavier's std for the square
#             matrices and fairseq's embedding std at hidden 64): the paper's Post-LN baseline is
#             fairseq's Xavier-initialised Transformer, whose branches start ~6x larger than BERT's
#   pre       x = x + F(LN(x)), final LN, the same init
#   deepnorm  x = LN(alpha x + F(x)), alpha = (2N)^1/4, torchscale init with beta = (8N)^-1/4
#   adam      the same with Su's Adam constants alpha = (2N)^1/2, beta = (2N)^-1/2 (REFERENCE §3.3)
# at N = DEPTHS layers, MLM on a classical Chinese novel (hongloumeng; bert-base-chinese
# vocabulary), the same lr (1e-3, AdamW, constant) without warm-up and with a 50-step linear
# warm-up, no gradient clipping (clipping would hide the instability the paper is about).
#
# Writes docs/results/deepnorm_depth.{md,json,png} and docs/results/deepnorm_depth_updates.png;
# runs under OUT (default runs/deepnorm_depth; a second call reuses finished runs).
# Needs SENTZOO_DATA. Budget on 2 cores: see docs/results/deepnorm_depth.md (measured).
#   experiments/deepnorm_depth/run.sh [OUT] [STEPS] [DEPTHS] [WARMUPS] [VARIANTS]
#     (defaults: 300, "6 24 96", "0 50", "post post_xavier pre deepnorm adam"; the report covers
#     every finished run in OUT, so a later call can add a depth with fewer runs, as the results'
#     N = 192 rows were: run.sh runs/deepnorm_depth 300 192 0 "post deepnorm")
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-runs/deepnorm_depth}
steps=${2:-300}
depths=${3:-6 24 96}
warmups=${4:-0 50}
variants=${5:-post post_xavier pre deepnorm adam}
source experiments/mlm_run.sh
mlm_setup "$out"
arch_flags() {  # arch_flags VARIANT
  case $1 in
    post) echo "--set model.encoder.deepnorm=false" ;;
    post_xavier) echo "--set model.encoder.deepnorm=false --set model.encoder.initializer_range=0.125" ;;
    pre) echo "--set model.encoder.deepnorm=false --set model.encoder.norm_position=pre" ;;
    deepnorm) echo "--set model.encoder.deepnorm=true --set model.encoder.deepnorm_constants=paper" ;;
    adam) echo "--set model.encoder.deepnorm=true --set model.encoder.deepnorm_constants=adam" ;;
  esac
}

for depth in $depths; do
  for warmup in $warmups; do
    for variant in $variants; do
      # shellcheck disable=SC2046
      mlm_run "$out" "$variant-N$depth-w$warmup" "$steps" $(arch_flags $variant) \
        --set model.encoder.num_layers="$depth" --set optim.lr=0.001 \
        --set train.schedule=constant --set train.warmup_steps=$warmup --set train.grad_clip=0
    done
  done
done
experiments/python.sh experiments/deepnorm_depth/report.py "$out" "$steps" docs/results/deepnorm_depth
