#!/usr/bin/env bash
# Issue #16: the budget check in the fair setting (dual and cross encoder both from one MLM-only
# checkpoint, as in Su's table), on a quick stand-in for the backbone when the 6000-step one is not
# at hand: RoFormerV2-small pretrained for 1500 steps with the recipe of experiments/backbone/run.sh
# (same corpus and held-out text, fp32), then on LCQMC dual CoSENT and cross BCE for 150 steps (as
# docs/results/matching.md) and for 3 epochs. Report: docs/results/matching_budget_quick_backbone.
# {md,json,png} (budget_report.py, the 150-step runs as baseline). ~45 min on 2 cores.
#   SENTZOO_DATA=/work/shared/data experiments/matching/budget_quick_backbone.sh
# Environment: PRETRAIN_STEPS (1500), TASKS ("lcqmc"); finished runs are kept.
set -euo pipefail
cd "$(dirname "$0")/../.."
export SENTZOO_DATA=${SENTZOO_DATA:-$(cd .. && pwd)/shared/data}
pretrain_steps=${PRETRAIN_STEPS:-1500}
read -r -a tasks <<< "${TASKS:-lcqmc}"
backbone=runs/backbone_quick
experiments/backbone/pretrain_quick.sh "$backbone" "$pretrain_steps"
common=(BACKBONE="$backbone/best" INITS=backbone METHODS="cosent cross_bce" MATCHING_REPORT=none)
env "${common[@]}" STEPS=150 MATCHING_OUT=runs/matching_quick_short experiments/matching/run.sh "${tasks[@]}"
env "${common[@]}" STEPS=1000000 EPOCHS=3 MATCHING_OUT=runs/matching_quick_long \
  experiments/matching/run.sh "${tasks[@]}"
experiments/python.sh experiments/matching/report.py runs/matching_quick_short runs/matching_quick_short/report
experiments/python.sh experiments/matching/budget_report.py runs/matching_quick_long \
  runs/matching_quick_short/report.json docs/results/matching_budget_quick_backbone
