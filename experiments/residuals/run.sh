#!/usr/bin/env bash
# Issue #17 item 2, "why residuals" (blog 8994; RoFormerV2's residual ramp, blog 8998, REFERENCE
# §1.6): the same encoder with and without skip connections, and post-LN with RoFormerV2's ramp
# x = LN(x + a F(x)), a from 0 to 1 over the first 100 steps (train.residual_ramp_steps):
#   post        x = LN(x + F(x))                 pre         x = x + F(LN(x)), final LN
#   post_noskip x = LN(F(x))                     pre_noskip  x = F(LN(x)), final LN
#   post_ramp   x = LN(x + a F(x))
# (architecture "custom" with model.encoder.residual false for the no-skip ones; LayerNorm,
# biases, learned absolute positions, GELU, BERT's normal(0.02) init; the rest as
# experiments/mlm_run.sh says) at N = DEPTHS layers, MLM on hongloumeng.txt, AdamW lr 5e-4 with a
# 50-step warm-up, constant after, gradient clipping at 1 (the usual recipe: what is compared is
# trainability, not stability at a high lr). The per-layer gradient norms at step 1 are those of
# the initialisation (train.layer_stats_every: norms before the first update).
#
# Writes docs/results/residuals.{md,json,png} and docs/results/residuals_layers.png; runs under
# OUT (default runs/residuals; a second call reuses finished runs). Needs SENTZOO_DATA.
# Budget on 2 cores: see docs/results/residuals.md (measured).
#   experiments/residuals/run.sh [OUT] [STEPS] [DEPTHS]    (defaults: 300, "6 24 48")
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-runs/residuals}
steps=${2:-300}
depths=${3:-6 24 48}
source experiments/mlm_run.sh
mlm_setup "$out"
variant_flags() {  # variant_flags VARIANT
  case $1 in
    post) echo "" ;;
    pre) echo "--set model.encoder.norm_position=pre" ;;
    post_noskip) echo "--set model.encoder.residual=false" ;;
    pre_noskip) echo "--set model.encoder.norm_position=pre --set model.encoder.residual=false" ;;
    post_ramp) echo "--set train.residual_ramp_steps=100" ;;
  esac
}

for depth in $depths; do
  for variant in post pre post_noskip pre_noskip post_ramp; do
    # shellcheck disable=SC2046
    mlm_run "$out" "$variant-N$depth" "$steps" --set model.encoder.deepnorm=false \
      $(variant_flags $variant) --set model.encoder.num_layers="$depth" --set optim.lr=0.0005 \
      --set train.schedule=constant --set train.warmup_steps=50 --set train.grad_clip=1
  done
done
experiments/python.sh experiments/residuals/report.py "$out" "$steps" docs/results/residuals
