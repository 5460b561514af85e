#!/usr/bin/env bash
# Data-parallel scaling on this machine (issue #13): the same RoFormerV2-small CoSENT training
# (configs/roformer-v2-small-cosent.json, global batch 32, from scratch, no dev set) as one process
# with 2 threads and as 2 processes (--nproc 2) with 1 thread each, ROUNDS rounds alternating;
# then report.py -> docs/results/data_parallel.{md,json}: tokens/s side by side, the time rank 0
# waited for the gradient all-reduce after backward (from the hooks, metrics.jsonl
# comm_wait_seconds) and bytes per step, and a paper estimate at 8 and 64 ranks.
#
#   SENTZOO_DATA=/work/shared/data bench/data_parallel/run.sh [STEPS] [ROUNDS]   # 60 2: ~10 min
set -euo pipefail
cd "$(dirname "$0")/../.."
export SENTZOO_DATA=${SENTZOO_DATA:-$(cd .. && pwd)/shared/data}
steps=${1:-60}
rounds=${2:-2}
build=${SENTZOO_BUILD:-build}
[ -x "$build/sentzoo-train" ] || scripts/build.sh
out=runs/data_parallel
rm -rf "$out"
mkdir -p "$out"
common=(-c configs/roformer-v2-small-cosent.json --set "train.max_steps=$steps" --set data.dev=
        --set train.log_every=1 --set train.eval_every=0 --set train.checkpoint_every=0
        --set train.early_stop_patience=0)
"$build/sentzoo-train" --version > "$out/version.txt"
lscpu > "$out/lscpu.txt"
for round in $(seq 1 "$rounds"); do
  echo "round $round: 1 process x 2 threads"
  "$build/sentzoo-train" "${common[@]}" --threads 2 -o "$out/one-$round" > "$out/one-$round.log" 2>&1
  echo "round $round: 2 processes x 1 thread"
  "$build/sentzoo-train" "${common[@]}" --threads 1 --nproc 2 -o "$out/two-$round" > "$out/two-$round.log" 2>&1
done
"$build/sentzoo-bench" gemm --threads 2 > "$out/gemm2.txt" 2>&1 || true
"$build/sentzoo-bench" gemm --threads 1 > "$out/gemm1.txt" 2>&1 || true
python3 bench/data_parallel/report.py "$out" "$steps" "$rounds"
