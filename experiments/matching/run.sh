#!/usr/bin/env bash
# Issue #16 item 2: Su's matching protocol (CoSENT(二), kexue.fm/archives/8860; REFERENCE.md §13)
# on every Chinese task we have data for, scaled to 2 CPU cores. For each task (afqmc stsb bq
# lcqmc pawsx; splits: prepare.py), each initialisation (random: RoFormerV2-small from scratch;
# backbone: sentzoo's own pretrained RoFormerV2-small, experiments/backbone/run.sh) and each
# method it trains and evaluates
#   cosent        dual encoder, CoSENT (lambda = 20), mean pooling
#   sbert         dual encoder, Sentence-BERT's softmax classifier on (u, v, |u - v|), scored by
#                 the cosine like Su's baseline (STS-B trained on score >= 2.5 as positive,
#                 SICK on relatedness >= 3)
#   cross_bce     cross encoder, BCE on the [CLS] logit (STS-B, SICK: score / 5 as soft label)
#   cross_cosent  cross encoder, CoSENT on the logits
#   cross_bce_pooler  cross_bce with the head on BERT's pooler (tanh dense on [CLS], loaded from
#                 the checkpoint) as HF's BertForSequenceClassification and sentence-transformers'
#                 CrossEncoder do; BERT checkpoints only (not in the default METHODS)
#   cross_bce_seg0  cross_bce with all-zero segment ids for both texts, as Su's interaction
#                 scripts and RoFormerV2's fine-tuning feed them (REFERENCE.md §1.5): an MLM-only
#                 backbone never trained segment 1 (not in the default METHODS)
# with max length 64 and batch 32 (Su's), for min(STEPS, EPOCHS epochs) steps (defaults 200: 6,400
# pairs, and 3; Su trains ~1-3 epochs of the full sets), lr 1e-4 for the backbone and 5e-4 (with the
# residual ramp, the repo's from-scratch recipe) for random init, linear decay after 10% warm-up.
# The trainer evaluates the first 500 pairs of valid every quarter of the run (the convergence
# charts; best/ is the best of these 4) and sentzoo-eval then scores best/ on valid (threshold
# tuned) and test (threshold applied unchanged): Spearman, accuracy, F1. report.py writes
# docs/results/matching.{md,json} and the convergence charts.
# English (tasks stsb_en, sick_en): the same four methods from one checkpoint, all-MiniLM-L6-v2
# (init "minilm", lr 2e-5; fetched by scripts/fetch_models.sh when missing); SICK is trained on
# relatedness and also scored for accuracy on its entailment judgment (eval_entail.json).
#   SENTZOO_DATA=/work/shared/data experiments/matching/run.sh [TASK...]
# Environment: STEPS (200), EPOCHS (3), INITS ("backbone random"), METHODS ("cosent sbert cross_bce
# cross_cosent"), BACKBONE (runs/backbone/roformer_v2/best), LCQMC_TEST / PAWSX_TEST = FMT:PATH
# of the held-out test sets (not in our data): then all of dev but valid trains and that file is
# the test set; MATCHING_OUT (runs/matching); MATCHING_REPORT (docs/results/matching: the report's
# prefix; "none" skips it, e.g. for budget.sh, which writes its own). Finished runs (eval.json present) are kept:
# re-running continues.
set -euo pipefail
cd "$(dirname "$0")/../.."
export SENTZOO_DATA=${SENTZOO_DATA:-$(cd .. && pwd)/shared/data}
build=${SENTZOO_BUILD:-build}
out=${MATCHING_OUT:-runs/matching}
steps_max=${STEPS:-200}
epochs=${EPOCHS:-3}
inits=${INITS-backbone random}  # may be empty: English tasks only
methods=${METHODS:-cosent sbert cross_bce cross_cosent}
backbone=${BACKBONE:-runs/backbone/roformer_v2/best}
[[ $backbone == /* ]] || backbone=$PWD/$backbone  # absolute: the configs' paths resolve elsewhere
tasks=("$@")
[ ${#tasks[@]} -gt 0 ] || tasks=(afqmc stsb bq lcqmc pawsx stsb_en sick_en)
minilm=${MINILM:-${SENTZOO_MODELS:-$HOME/.cache/sentzoo/models}/all-MiniLM-L6-v2}
if [[ " ${tasks[*]} " == *_en* ]] && [ ! -f "$minilm/model.safetensors" ]; then
  scripts/fetch_models.sh
fi
[ -x "$build/sentzoo-train" ] || scripts/build.sh
if [[ " $inits " == *" backbone "* ]] && [ ! -f "$backbone/model.safetensors" ]; then
  echo "matching: no backbone at $backbone; run experiments/backbone/run.sh first (or INITS=random)" >&2
  exit 1
fi
python3 experiments/matching/prepare.py "$SENTZOO_DATA" "$out/data" \
  --lcqmc-test "$([ -n "${LCQMC_TEST:-}" ] && echo 1 || echo 0)" \
  --pawsx-test "$([ -n "${PAWSX_TEST:-}" ] && echo 1 || echo 0)" > /dev/null
data=$(cd "$out/data" && pwd)

graded() { [[ $1 == stsb* || $1 == sick* ]]; }  # scores, not 0/1 labels

# Initialisation outermost: every backbone run finishes before the first random-init one.
# English tasks have one initialisation: all-MiniLM-L6-v2 (init "minilm").
for init in $inits minilm; do
  for task in "${tasks[@]}"; do
    [[ $task == *_en ]] && [ "$init" != minilm ] && continue
    [[ $task != *_en ]] && [ "$init" = minilm ] && continue
    case $task in
      afqmc|stsb|bq|stsb_en|sick_en) test="tsv:$data/$task/test.tsv" ;;
      lcqmc) test=${LCQMC_TEST:-tsv:$data/lcqmc/test.tsv} ;;
      pawsx) test=${PAWSX_TEST:-tsv:$data/pawsx/test.tsv} ;;
      *) echo "matching: unknown task '$task' (afqmc stsb bq lcqmc pawsx stsb_en sick_en)" >&2; exit 2 ;;
    esac
    rows=$(wc -l < "$data/$task/train.tsv")
    steps=$(( (epochs * rows + 31) / 32 ))
    [ "$steps" -gt "$steps_max" ] && steps=$steps_max
    case $init in
      backbone) init_args=(--set "model.init_from=$backbone" --set "tokenizer.vocab=$backbone"
                           --set optim.lr=1e-4) ;;
      random) init_args=(--set optim.lr=5e-4 --set "train.residual_ramp_steps=$(( steps / 10 ))") ;;
      minilm) init_args=(--set "model.init_from=$minilm" --set "tokenizer.vocab=$minilm"
                         --set optim.lr=2e-5) ;;
      *) echo "matching: unknown init '$init' (backbone random)" >&2; exit 2 ;;
    esac
    for method in $methods; do
      run=$out/$task/$init/$method
      [ -f "$run/eval.json" ] && continue
      train=$data/$task/train.tsv
      label_args=()
      case $method in
        cosent) config=configs/matching-dual-zh.json ;;
        sbert) config=configs/matching-dual-zh.json
               label_args=(--set loss.name=softmax --set loss.params.num_labels=2)
               if graded "$task"; then
                 train=$data/$task/train_binary.tsv
                 label_args+=(--set "data.dev=tsv:$data/$task/curve_binary.tsv")
               fi ;;
        cross_bce|cross_bce_pooler|cross_bce_seg0) config=configs/matching-cross-zh.json
               [ "$method" = cross_bce_pooler ] && label_args=(--set model.head_input=pooler)
               [ "$method" = cross_bce_seg0 ] && label_args=(--set model.zero_segments=true)
               if graded "$task"; then
                 label_args+=(--set "data.dev=tsv:$data/$task/curve.tsv?label_scale=0.2")
                 train="$train?label_scale=0.2"
               fi ;;
        cross_cosent) config=configs/matching-cross-zh.json
               label_args=(--set loss.name=cosent_cross) ;;
        *) echo "matching: unknown method '$method'" >&2; exit 2 ;;
      esac
      echo "== $task / $init / $method: $steps steps"
      rm -rf "$run"
      mkdir -p "$run"
      start=$(date +%s.%N)
      "$build/sentzoo-train" -c "$config" -o "$run/train" --threads 2 \
        --set "data.train=tsv:$train" --set "data.dev=tsv:$data/$task/curve.tsv" \
        --set "train.max_steps=$steps" --set "train.warmup_steps=$(( steps / 10 ))" \
        --set "train.eval_every=$(( (steps + 3) / 4 ))" --set "train.checkpoint_every=$steps" \
        "${init_args[@]}" "${label_args[@]}" > "$run/train.out" 2>&1 || { tail -20 "$run/train.out" >&2; exit 1; }
      end=$(date +%s.%N)
      "$build/sentzoo-eval" --model "$run/train/best" --threads 2 \
        --valid "tsv:$data/$task/valid.tsv" --test "$test" --json "$run/eval.json.partial" > "$run/eval.out" 2>&1 \
        || { tail -20 "$run/eval.out" >&2; exit 1; }
      if [ "$task" = sick_en ]; then  # accuracy on the entailment judgment, threshold from trial
        "$build/sentzoo-eval" --model "$run/train/best" --threads 2 --valid "tsv:$data/$task/valid_entail.tsv" \
          --test "tsv:$data/$task/test_entail.tsv" --json "$run/eval_entail.json" > "$run/eval_entail.out" 2>&1 \
          || { tail -20 "$run/eval_entail.out" >&2; exit 1; }
      fi
      python3 -c "import json,sys; json.dump({'task':'$task','init':'$init','method':'$method','steps':$steps,'train_seconds':$end-$start,'eval_seconds':$(date +%s.%N)-$end,'test':sys.argv[1]}, open('$run/run.json','w'))" "$test"
      mv "$run/eval.json.partial" "$run/eval.json"
    done
  done
done
report=${MATCHING_REPORT:-docs/results/matching}
[ "$report" = none ] || experiments/python.sh experiments/matching/report.py "$out" "$report"
