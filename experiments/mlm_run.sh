# shellcheck shell=bash
# Sourced by the MLM experiments (deepnorm_depth, residuals), from the repository root: one
# training run of a small encoder on a classical Chinese novel, in the setting those experiments
# share.
#
#   mlm_setup OUT
#   mlm_run OUT NAME STEPS [--set key=value ...]
#
# Trains with configs/deepnet-tiny-mlm-hongloumeng.json (MLM on hongloumeng.txt, bert-base-chinese
# vocabulary) as architecture "custom" with hidden 64, 2 heads, FFN 256, batch 16 x 64 tokens, a
# loss row every step and per-layer norms at step 1 and every 10 steps (train.layer_stats_every),
# seed 42; the caller's --set flags come last and win. Writes OUT/NAME (the run folder),
# OUT/NAME.train.log and OUT/NAME.done ({"seconds", "exit_code"}); a NAME with a .done file is
# not run again. A run whose loss turns non-finite stops there with exit code 1; that is a result,
# not a failure of the experiment (report_util.load_mlm_run tells the two apart).
# mlm_setup OUT: the data check, sentzoo-train built, OUT made; then call mlm_run.
mlm_setup() {
  : "${SENTZOO_DATA:?set SENTZOO_DATA to the shared data folder (corpus/, vocab/)}"
  SENTZOO_TARGETS="sentzoo-train" scripts/build.sh >/dev/null
  mkdir -p "$1"
}

mlm_run() {
  local out=$1 name=$2 steps=$3 start rc
  shift 3
  [ -f "$out/$name.done" ] && return 0
  rm -rf "${out:?}/$name"
  start=$(date +%s)
  set +e
  build/sentzoo-train --config configs/deepnet-tiny-mlm-hongloumeng.json --output "$out/$name" \
    --set model.encoder.architecture=custom --set model.encoder.hidden_size=64 \
    --set model.encoder.num_heads=2 --set model.encoder.intermediate_size=256 \
    --set tokenizer.max_length=64 --set data.batch_size=16 --set train.max_steps="$steps" \
    --set train.log_every=1 --set train.layer_stats_every=10 \
    --set train.checkpoint_every=1000000 --set train.keep_checkpoints=1 \
    "$@" >"$out/$name.train.log" 2>&1
  rc=$?
  set -e
  echo "{\"seconds\": $(($(date +%s) - start)), \"exit_code\": $rc}" >"$out/$name.done"
  echo "$name: exit $rc, $(($(date +%s) - start)) s"
}
