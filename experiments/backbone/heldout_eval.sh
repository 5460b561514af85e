#!/usr/bin/env bash
# Held-out MLM loss and accuracy of a finished backbone's best/, for runs made before the trainer
# reported MLM accuracy (the RoFormerV2 run of 2026-12-03). It is the trainer's own held-out
# evaluation: a 1-step continuation from best/ at lr 1e-9 (AdamW moves no weight by more than
# ~1e-9) with the run's seed, hence the same masks; the loss it reports must equal the run's best
# held-out loss, which checks that nothing else changed. Writes OUT/MODEL/heldout_accuracy.json.
#   SENTZOO_DATA=/work/shared/data experiments/backbone/heldout_eval.sh [MODEL]   # roformer_v2
set -euo pipefail
cd "$(dirname "$0")/../.."
export SENTZOO_DATA=${SENTZOO_DATA:-$(cd .. && pwd)/shared/data}
build=${SENTZOO_BUILD:-build}
out=runs/backbone
model=${1:-roformer_v2}
run=$out/$model
[ -f "$run/best/model.safetensors" ] || { echo "heldout_eval: no $run/best; run experiments/backbone/run.sh first" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$build/sentzoo-train" -c "$run/config.json" -o "$tmp/eval" --threads 2 \
  --set "model.init_from=$PWD/$run/best" --set optim.lr=1e-9 --set train.max_steps=1 \
  --set train.eval_every=1 --set train.checkpoint_every=1 --set train.residual_ramp_steps=0 \
  --set train.warmup_steps=0 > "$tmp/train.out" 2>&1 || { tail -20 "$tmp/train.out" >&2; exit 1; }
python3 - "$tmp/eval/metrics.jsonl" "$run/heldout_accuracy.json" <<'PY'
import json, os, sys
rows = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
values = next(r for r in rows if r["event"] == "eval")["metrics"]["values"]
result = {"mlm_loss": values["mlm_loss"], "mlm_accuracy": values["mlm_accuracy"],
          "how": "heldout_eval.sh: the trainer's held-out evaluation of best/ (1 step at lr 1e-9)"}
with open(sys.argv[2] + ".partial", "w") as f:
    json.dump(result, f, indent=1)
os.replace(sys.argv[2] + ".partial", sys.argv[2])
print(json.dumps(result))
PY
