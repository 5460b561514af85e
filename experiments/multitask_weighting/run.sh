#!/usr/bin/env bash
# Issue #17 item 5, the multi-task series (blog 8870, 8896, 8907; REFERENCE.md §10): one encoder
# shared by three tasks, configs/multitask-weighting-zh.json (RoFormerV2 shape, hidden 128, 2
# layers, from scratch):
#   stsb   Chinese STS-B, dual encoder, CoSENT (lambda 20)        dev: Spearman on STS-B valid
#   afqmc  AFQMC, cross encoder, 2-class cross-entropy            dev: AFQMC dev
#   mlm    MLM on hongloumeng.txt without its last HOLDOUT paragraphs, which are the dev text
#                                                                 dev: MLM loss (lower is better)
# every task in every step (multitask.tasks_per_step all), batch 32 per task, AdamW lr 1e-3 with a
# 10% warm-up, STEPS steps, evaluated once at the end, under every loss weighting and gradient
# combiner sentzoo has:
#   equal        L = sum L_i                                   (fixed weights 1)
#   initial      L = sum L_i / L_i(first step)                 (8870 init)
#   prior        L = sum L_i / L_i(prior), priors from priors.py (8870 prior)
#   realtime     L = sum L_i / sg(L_i)                         (8870 sg)
#   geometric    L = (prod L_i)^(1/3), generalised mean gamma 0 (8870)
#   uncertainty  L = sum (exp(-s_i) L_i + s_i) / 2             (Kendall et al. 2018)
#   grad_norm    g = sum g_i / |g_i|                           (8870 grad)
#   mgda         g = sum a_i g_i, min |sum a_i g_i|, a in simplex (8896, Frank-Wolfe)
#   pcgrad       conflicting components projected out, summed   (Yu et al. 2020)
#   main_aux     STS-B main, the others auxiliary: g_0 + sum l_i g_i, l >= 0 (8907)
# SEEDS seeds each (seed: initialisation, data order, masks). Ranks: per task, the schemes'
# seed-mean dev metrics ranked (1 best); the table's order is the mean rank over the three tasks.
# Needs SENTZOO_DATA. Budget on 2 cores: see docs/results/multitask_weighting.md (measured).
# Writes docs/results/multitask_weighting.{md,json,png}; runs under OUT (default
# runs/multitask_weighting; a second call reuses finished runs).
#   experiments/multitask_weighting/run.sh [OUT] [STEPS] [SEEDS]    (defaults: 400, "1 2 3")
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${SENTZOO_DATA:?set SENTZOO_DATA to the shared data folder (zh/, corpus/, vocab/)}"
out=${1:-runs/multitask_weighting}
steps=${2:-400}
seeds=${3:-1 2 3}
holdout=200
config=configs/multitask-weighting-zh.json
SENTZOO_TARGETS="sentzoo-train" scripts/build.sh >/dev/null
mkdir -p "$out/data"
# The novel's non-empty paragraphs: all but the last $holdout train, those are the MLM dev text.
novel="$SENTZOO_DATA/corpus/zh-classical-novels/hongloumeng.txt"
paragraphs=$(grep -c '[^[:space:]]' "$novel")
awk -v keep=$((paragraphs - holdout)) '/[^[:space:]]/ && ++n <= keep' "$novel" >"$out/data/mlm-train.txt"
awk -v keep=$((paragraphs - holdout)) '/[^[:space:]]/ && ++n > keep' "$novel" >"$out/data/mlm-dev.txt"
data=$(cd "$out/data" && pwd)  # absolute: relative data paths are looked up under SENTZOO_DATA
priors=$(python3 experiments/multitask_weighting/priors.py "$SENTZOO_DATA/zh/STS-B/STS-B.train.data" \
  "$SENTZOO_DATA/zh/AFQMC/train.txt" "$data/mlm-train.txt" 32 64)
echo "prior losses (stsb, afqmc, mlm): $priors" | tee "$out/priors.txt"

scheme_flags() {  # scheme_flags SCHEME: the --set flags of one scheme (one per line)
  case $1 in
    equal) ;;
    initial) echo "multitask.weighting.name=initial" ;;
    prior) printf '%s\n' "multitask.weighting.name=prior" \
      "multitask.weighting.params={\"priors\": $priors}" ;;
    realtime) echo "multitask.weighting.name=realtime" ;;
    geometric) printf '%s\n' "multitask.weighting.name=generalized_mean" \
      'multitask.weighting.params={"gamma": 0}' ;;
    uncertainty) echo "multitask.weighting.name=uncertainty" ;;
    grad_norm | mgda | pcgrad) echo "multitask.combiner.name=$1" ;;
    main_aux) printf '%s\n' "multitask.combiner.name=main_aux" 'multitask.combiner.params={"main": 0}' ;;
  esac
}

for seed in $seeds; do
  for scheme in equal initial prior realtime geometric uncertainty grad_norm mgda pcgrad main_aux; do
    name=$scheme-s$seed
    [ -f "$out/$name.done" ] && continue
    rm -rf "${out:?}/$name"
    args=()
    while IFS= read -r flag; do [ -n "$flag" ] && args+=(--set "$flag"); done < <(scheme_flags "$scheme")
    start=$(date +%s)
    set +e
    build/sentzoo-train --config "$config" --output "$out/$name" \
      --set "tasks[2].train=text:$data/mlm-train.txt" --set "tasks[2].dev=text:$data/mlm-dev.txt" \
      --set train.seed="$seed" --set train.max_steps="$steps" --set train.warmup_steps=$((steps / 10)) \
      --set train.eval_every="$steps" "${args[@]}" >"$out/$name.train.log" 2>&1
    rc=$?
    set -e
    echo "{\"seconds\": $(($(date +%s) - start)), \"exit_code\": $rc}" >"$out/$name.done"
    echo "$name: exit $rc, $(($(date +%s) - start)) s"
  done
done
experiments/python.sh experiments/multitask_weighting/report.py "$out" "$steps" \
  "${SENTZOO_RESULTS_PREFIX:-docs/results/multitask_weighting}"
