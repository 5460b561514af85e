#!/usr/bin/env bash
# Issue #16: is the cross encoders' deficit in docs/results/matching.md a budget effect? The main
# run gives every model min(150 steps, 3 epochs); this one trains, from all-MiniLM-L6-v2 on
# English STS-B and SICK, the dual encoder (CoSENT) and the cross encoders (BCE on a fresh [CLS]
# head, and BCE on BERT's pooler as HF / sentence-transformers' CrossEncoder do) for EPOCHS full
# epochs (default 4, sentence-transformers' STS-B cross-encoder recipe; batch 32, lr 2e-5, 10%
# warm-up), with the trainer's valid-subset evaluation once per epoch, and reports them beside the
# 150-step runs of docs/results/matching.json: docs/results/matching_budget.{md,json,png}.
#   SENTZOO_DATA=/work/shared/data experiments/matching/budget.sh      (~50 min on 2 cores)
# Environment: EPOCHS (4), METHODS ("cosent cross_bce cross_bce_pooler"), MATCHING_OUT
# (runs/matching_budget); finished runs are kept (re-running continues).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${MATCHING_OUT:-runs/matching_budget}
MATCHING_OUT=$out STEPS=1000000 EPOCHS=${EPOCHS:-4} INITS="" MATCHING_REPORT=none \
  METHODS=${METHODS:-cosent cross_bce cross_bce_pooler} experiments/matching/run.sh stsb_en sick_en
experiments/python.sh experiments/matching/budget_report.py "$out" docs/results/matching.json \
  docs/results/matching_budget
