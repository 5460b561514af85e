#!/usr/bin/env bash
# Issue #17 item 3, blog 8998: RoFormerV2 removes every bias and the LayerNorm gain (RMS norm
# without gain) and claims 1.3x the training speed of RoBERTa at length 128 and 1.2x at 512 (on
# GPU, TensorFlow). Here: sentzoo-bench's dual-encoder training step (CoSENT, AdamW) and its
# encoding forward, on one shape for all (6 layers, hidden 384, 6 heads, FFN 1536: RoFormerV2-small)
# and one vocabulary (21128, bert-base-chinese), dropout 0.1 everywhere, so that only the
# architecture differs:
#   bert         learned absolute positions, biases, LayerNorm with gain (RoBERTa's body)
#   roformer     rotary positions, biases, LayerNorm with gain (RoFormer v1)
#   roformer_v2  rotary positions, no biases, RMS norm without gain
# at T = 128 and 512 with the same tokens per step (training: 8 pairs at 128, 2 at 512, each
# side encoded; encoding: 32 sentences at 128, 8 at 512), fp32 and bf16 autocast, on every core.
# Needs a quiet machine: every number is a median over >= 5 steps, with the GEMM ceiling measured
# in the same process (bench/sentzoo_bench.cpp). Budget: ~10 min per round on 2 cores.
# Writes docs/results/roformer_v2_speed.{md,json,png}; raw JSON under OUT (default
# runs/roformer_v2_speed; a second call measures again, replacing rounds 1..ROUNDS).
#   experiments/roformer_v2_speed/run.sh [OUT] [ROUNDS]    (default 3)
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-runs/roformer_v2_speed}
rounds=${2:-3}
SENTZOO_TARGETS="sentzoo-bench" scripts/build.sh >/dev/null
mkdir -p "$out"
threads=$(nproc)
# Rounds: the whole grid again, so that the three families are measured interleaved and a slow
# spell of the machine (a shared VM's GEMM ceiling moved by 40% within one run on 2026-12-03)
# hits them alike; the report takes the median over rounds and shows the spread.
for round in $(seq 1 "$rounds"); do
  for seq in 128 512; do
    for amp in off bf16; do
      for arch in bert roformer roformer_v2; do
        common=(--arch "$arch" --size small --vocab 21128 --dropout 0.1 --seq "$seq" --amp "$amp"
          --threads "$threads" --warmup 2 --steps 5)
        build/sentzoo-bench train "${common[@]}" --batch $((1024 / seq)) \
          >"$out/train-$arch-T$seq-$amp-r$round.json"
        build/sentzoo-bench encode "${common[@]}" --batch $((4096 / seq)) \
          >"$out/encode-$arch-T$seq-$amp-r$round.json"
        echo "round $round, T=$seq $amp $arch: done"
      done
    done
  done
done
experiments/python.sh experiments/roformer_v2_speed/report.py "$out" docs/results/roformer_v2_speed
