#!/usr/bin/env bash
# ctest examples.python: examples/python/encode.py, which tokenizes with Hugging Face `tokenizers`
# from what a sentzoo export carries (the model's tokenizer.json; or, for a model without one,
# its vocab.txt and settings), gives the token ids sentzoo-tokenize gives (every one, on hard
# cases and real STS-B sentences) and the vectors sentzoo-encode gives (<= 1e-5). Both kinds are
# checked: all-MiniLM-L6-v2 as it ships, and the same folder without its tokenizer.json.
# Skips (exit 77, with the reason) without a Python that has torch, tokenizers and numpy
# (SENTZOO_PYTHON, else the reference venv, else /usr/bin/python3) or without all-MiniLM-L6-v2.
#   tests/eval/python_example.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
src=$2
py=
for candidate in "${SENTZOO_PYTHON:-}" "${SENTZOO_REF_VENV:-$src/.venv-ref}/bin/python" /usr/bin/python3; do
  if [ -n "$candidate" ] && [ -x "$candidate" ] &&
     "$candidate" -c 'import torch, tokenizers, numpy' 2>/dev/null; then
    py=$candidate
    break
  fi
done
if [ -z "$py" ]; then
  echo "SKIPPED: no Python with torch, tokenizers and numpy (pip install -r examples/python/requirements.txt, then SENTZOO_PYTHON=that python)"
  exit 77
fi
model=${SENTZOO_MODELS:-$HOME/.cache/sentzoo/models}/all-MiniLM-L6-v2
if [ ! -f "$model/model.safetensors" ]; then
  echo "SKIPPED: $model is missing (scripts/fetch_models.sh)"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
{
  printf '%s\n' "Café déjà vu: a naïve résumé." "UPPER lower MiXeD CaSe" \
    "混合 English 和中文的句子，标点！" "emoji 😀 and symbols ©®™ ½" "ﬁ ligature, Ｆｕｌｌｗｉｄｔｈ" \
    "hyphen-ated, apostrophe's, \"quotes\" (brackets) [more]" \
    "averyveryverylongwordthatgoesonandonbeyondwhatanyvocabularyholdsaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
    "$(printf 'zero\u200bwidth and soft\u00adhyphen')" "$(printf 'a\u0301ccent combining')"
  if [ -f "${SENTZOO_DATA:-}/en/STS-B/sts-dev.csv" ]; then
    awk -F'\t' 'NR <= 500 { print $6; print $7 }' "$SENTZOO_DATA/en/STS-B/sts-dev.csv"
  fi
} > "$tmp/sentences.txt"
lines=$(wc -l < "$tmp/sentences.txt")

# check FOLDER LABEL: export FOLDER, then compare ids and vectors with sentzoo's.
check() {
  local folder=$1 label=$2
  "$build/sentzoo-export" --checkpoint "$folder" --output "$tmp/minilm.pt" --threads 1 >/dev/null
  max_length=$("$py" -c 'import json, sys, torch; e = {"metadata.json": ""}
torch.jit.load(sys.argv[1], map_location="cpu", _extra_files=e)
print(json.loads(e["metadata.json"])["max_length"])' "$tmp/minilm.pt")
  "$build/sentzoo-tokenize" --vocab "$folder" --max-length "$max_length" --threads 1 \
    < "$tmp/sentences.txt" > "$tmp/ids.sentzoo"
  "$py" "$src/examples/python/encode.py" "$tmp/minilm.pt" --input "$tmp/sentences.txt" --print-ids \
    > "$tmp/ids.python"
  if ! cmp -s "$tmp/ids.sentzoo" "$tmp/ids.python"; then
    echo "FAIL ($label): token ids differ (sentzoo-tokenize < vs > encode.py):"
    diff "$tmp/ids.sentzoo" "$tmp/ids.python" | head -20
    exit 1
  fi
  "$build/sentzoo-encode" --model "$tmp/minilm.pt" --input "$tmp/sentences.txt" \
    --output "$tmp/sentzoo.npy" --threads 1 >/dev/null 2>&1
  "$py" "$src/examples/python/encode.py" "$tmp/minilm.pt" --input "$tmp/sentences.txt" \
    --output "$tmp/python.npy"
  "$py" - "$tmp/sentzoo.npy" "$tmp/python.npy" "$lines" "$label" <<'PY'
import sys
import numpy as np
a, b = np.load(sys.argv[1]), np.load(sys.argv[2])
assert a.shape == b.shape == (int(sys.argv[3]), a.shape[1]), (a.shape, b.shape)
diff = float(np.abs(a - b).max())
print(f"{sys.argv[4]}: {a.shape[0]} sentences: token ids identical; vectors max |sentzoo - python| = {diff:.2e}")
sys.exit(0 if diff <= 1e-5 else 1)
PY
}
check "$model" "tokenizer.json"
# The same model without tokenizer.json: the export carries vocab.txt and its settings.
mkdir "$tmp/vocab_only"
for f in "$model"/*; do
  [ "$(basename "$f")" = tokenizer.json ] || ln -s "$f" "$tmp/vocab_only/"
done
check "$tmp/vocab_only" "vocab.txt"
