#!/usr/bin/env bash
# The main job: compare a dual encoder (CoSENT) and a cross encoder on the same data, both
# fine-tuned from the same pretrained checkpoint, evaluate both (Spearman; accuracy with the
# threshold tuned on valid and applied unchanged to test; cost per pair and per query), export the
# dual encoder to TorchScript, load the export back and encode a few sentences, and print the
# comparison reports (each ends with what its numbers say).
#   - With English STS-B in $SENTZOO_DATA: both start from all-MiniLM-L6-v2 (fetched by
#     scripts/fetch_models.sh when missing), 200 steps of 16 pairs each (~0.6 epoch).
#   - Without it (or when the checkpoint cannot be fetched): a tiny RoFormerV2 pair trained from
#     random weights on Chinese STS-B, or, without any data, on sentzoo's own synthetic paraphrase
#     task; the demo says so, and the report explains why a cross encoder from scratch lags.
# Installs and builds what is missing first.
#   scripts/demo.sh [OUTPUT_DIR]        (default runs/demo)
set -euo pipefail
cd "$(dirname "$0")/.."
# Only what the demo runs: the tools, not the test binary or the test-only packages.
scripts/setup.sh --run
SENTZOO_TARGETS="sentzoo-train sentzoo-eval sentzoo-export sentzoo-encode sentzoo-tokenize" \
  scripts/build.sh
out=${1:-runs/demo}
mkdir -p "$out/data"
data_dir=$(cd "$out/data" && pwd)
start=$(date +%s)

minilm=${SENTZOO_MODELS:-$HOME/.cache/sentzoo/models}/all-MiniLM-L6-v2
pretrained=no
if [ -n "${SENTZOO_DATA:-}" ] && [ -f "$SENTZOO_DATA/en/STS-B/sts-train.csv" ]; then
  if [ -f "$minilm/model.safetensors" ] || scripts/fetch_models.sh; then
    pretrained=yes
  else
    echo "== could not fetch all-MiniLM-L6-v2: falling back to models trained from random weights"
  fi
fi
# --resume: a first run starts fresh; a second demo in the same folder continues an interrupted
# run or, when it finished, reuses it (nothing left to train), instead of refusing the folder.
if [ "$pretrained" = yes ]; then
  echo "== data: English STS-B from $SENTZOO_DATA/en/STS-B; both models start from $minilm"
  for split in dev test; do  # the STS benchmark's columns: genre file year id score s1 s2
    awk -F'\t' -v OFS='\t' '{ print $6, $7, $5 }' "$SENTZOO_DATA/en/STS-B/sts-$split.csv" \
      > "$out/data/$([ $split = dev ] && echo valid || echo test).tsv"
  done
  common=(--resume --set train.max_steps=200 --set train.warmup_steps=20 --set train.eval_every=100
          --set train.checkpoint_every=100 --set "data.dev=tsv:$data_dir/valid.tsv?label_scale=0.2")
  echo "== fine-tuning the dual encoder (all-MiniLM-L6-v2, CoSENT, 200 steps of 16 pairs)"
  dual=$out/minilm-dual cross=$out/minilm-cross  # apart from the from-scratch runs: --resume
  build/sentzoo-train --config configs/finetune-hf-dual.json --output "$dual" "${common[@]}"
  echo "== fine-tuning the cross encoder (all-MiniLM-L6-v2 + a fresh [CLS] head, BCE on score/5, 200 steps)"
  build/sentzoo-train --config configs/finetune-hf-cross.json --output "$cross" "${common[@]}"
else
  if [ -n "${SENTZOO_DATA:-}" ] && [ -f "$SENTZOO_DATA/zh/STS-B/STS-B.train.data" ]; then
    echo "== data: Chinese STS-B from $SENTZOO_DATA/zh/STS-B (no pretrained checkpoint: both models from random weights)"
    train=tsv:zh/STS-B/STS-B.train.data
    cp "$SENTZOO_DATA/zh/STS-B/STS-B.valid.data" "$out/data/valid.tsv"
    cp "$SENTZOO_DATA/zh/STS-B/STS-B.test.data" "$out/data/test.tsv"
    vocab=vocab/bert-base-chinese-vocab.txt
  else
    echo "== data: SENTZOO_DATA has no STS-B; using sentzoo's synthetic paraphrase task instead (both models from random weights)"
    export SENTZOO_DATA=$data_dir  # absolute, also for an absolute OUTPUT_DIR
    scripts/make_synthetic_task.sh "$out/data" >/dev/null
    cp "$out/data/dev.tsv" "$out/data/valid.tsv"
    build/sentzoo-tokenize --build-vocab --corpus "$out/data/train.tsv" --output "$out/data/vocab.txt"
    train=tsv:train.tsv
    vocab=vocab.txt
  fi
  common=(--resume --set "data.train=$train" --set "tokenizer.vocab=$vocab" --set "data.dev=tsv:$data_dir/valid.tsv")
  echo "== training the dual encoder (RoFormerV2 tiny, CoSENT)"
  dual=$out/dual cross=$out/cross
  build/sentzoo-train --config configs/tiny-roformer-v2-cosent.json --output "$dual" "${common[@]}"
  echo "== training the cross encoder (RoFormerV2 tiny, CoSENT on logits)"
  build/sentzoo-train --config configs/tiny-roformer-v2-cross.json --output "$cross" "${common[@]}"
fi

# Binary versions of valid/test (score >= 2.5 is a match, as Su's SBERT baseline binarises STS-B)
# for the threshold protocol: tuned on valid, applied unchanged to test.
for split in valid test; do
  awk -F'\t' -v OFS='\t' '{ print $1, $2, ($3 >= 2.5 ? 1 : 0) }' "$out/data/$split.tsv" > "$out/data/$split.binary.tsv"
done
echo "== comparing on test (graded: Spearman; binary: threshold tuned on valid)"
build/sentzoo-eval compare --dual "$dual" --cross "$cross" \
  --valid "tsv:$data_dir/valid.tsv" --test "tsv:$data_dir/test.tsv" --output "$out/compare-graded"
build/sentzoo-eval compare --dual "$dual" --cross "$cross" \
  --valid "tsv:$data_dir/valid.binary.tsv" --test "tsv:$data_dir/test.binary.tsv" --output "$out/compare-binary"

echo "== exporting the dual encoder to TorchScript and encoding with the export"
build/sentzoo-export --checkpoint "$dual" --output "$out/dual.pt"
awk -F'\t' 'NR <= 5 { print $1 }' "$out/data/test.tsv" > "$out/sentences.txt"
build/sentzoo-encode --model "$out/dual.pt" --input "$out/sentences.txt" --output "$out/sentences.npy"

echo
cat "$out/compare-graded/report.md"
echo
cat "$out/compare-binary/report.md"
echo
echo "demo finished in $(( $(date +%s) - start )) s; outputs in $out"
