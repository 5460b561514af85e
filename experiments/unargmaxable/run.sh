#!/usr/bin/env bash
# Issue #17 item 6, blog 9046 (REFERENCE.md §11): how many tokens of an MLM head can never be
# the argmax? sentzoo-audit on
#   - Su's 2-D example (class 5 is bounded; a bias of 1 frees it),
#   - MLM heads trained by sentzoo on a classical Chinese novel (hongloumeng, bert-base-chinese
#     vocabulary of 21128 tokens, most of which never occur in it): the two heads as released,
#     RoFormerV2's tied head without bias (tiny RoFormerV2 body) and BERT's (transform +
#     LayerNorm + tied decoder + bias; tiny BERT body; its LayerNorm-based transform does not fit
#     RoFormerV2's RMS-norm body), 2 layers, at hidden 64 and 256, each audited at
#     initialisation (step 1) and after training.
# Writes docs/results/unargmaxable.{md,json}; intermediate runs under OUT (default
# runs/unargmaxable). Needs SENTZOO_DATA (corpus/zh-classical-novels, vocab/). Budget on 2 cores:
# 12 minutes measured (2026-12-03), plus the build if the tools are not built. Seeds fixed
# (train.seed 42). A second run reuses the trained folders and only audits again.
#   experiments/unargmaxable/run.sh [OUT] [STEPS]
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${SENTZOO_DATA:?set SENTZOO_DATA to the shared data folder (corpus/, vocab/)}"
out=${1:-runs/unargmaxable}
steps=${2:-400}
SENTZOO_TARGETS="sentzoo-train sentzoo-audit" scripts/build.sh >/dev/null
mkdir -p "$out"

python3 experiments/unargmaxable/su_example.py "$out/su_example.safetensors"
build/sentzoo-audit --weights "$out/su_example.safetensors" --weight weight \
  --json "$out/su_example.json"
build/sentzoo-audit --weights "$out/su_example.safetensors" --weight weight --bias lifted_bias \
  --json "$out/su_example_bias.json"

for hidden in 64 256; do
  for head in tied bert; do
    for when in init trained; do
      name=h${hidden}-${head}-${when}
      run_steps=$steps
      [ "$when" = init ] && run_steps=1
      preset=roformer_v2_tiny
      [ "$head" = bert ] && preset=bert_tiny
      if [ ! -f "$out/$name/best/sentzoo.json" ]; then
        rm -rf "${out:?}/$name"
        start=$(date +%s)
        build/sentzoo-train --config configs/deepnet-tiny-mlm-hongloumeng.json --output "$out/$name" \
          --set model.preset=$preset --set model.encoder.hidden_size=$hidden \
          --set model.encoder.num_heads=$((hidden / 64)) \
          --set model.encoder.intermediate_size=$((hidden * 2)) \
          --set model.encoder.mlm_head=$head --set model.encoder.num_layers=2 \
          --set tokenizer.max_length=64 --set train.max_steps=$run_steps \
          --set train.warmup_steps=$((run_steps / 10)) --set train.checkpoint_every=1000000 \
          --set train.log_every=100 >"$out/$name.train.log" 2>&1
        echo "$(( $(date +%s) - start ))" > "$out/$name.train_seconds"
      fi
      build/sentzoo-audit --model "$out/$name/best" --json "$out/$name.audit.json" \
        >"$out/$name.unargmaxable.tsv" 2>"$out/$name.audit.log"
      echo "$name: $(wc -l < "$out/$name.unargmaxable.tsv") unargmaxable"
    done
  done
done
python3 experiments/unargmaxable/report.py "$out" "$steps" docs/results/unargmaxable
