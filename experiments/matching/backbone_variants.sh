#!/usr/bin/env bash
# Issue #16: why does the cross encoder stay behind the dual encoder when both start from
# sentzoo's MLM-pretrained backbone (docs/results/matching_budget_quick_backbone.md)? Trains, on
# LCQMC, dual CoSENT and cross BCE for 3 epochs (run.sh's settings) from several starting points
# (from a backbone also cross BCE with all segment ids 0, run.sh's cross_bce_seg0: MLM-only
# pretraining never trains segment 1, and Su's interaction scripts feed zeros) and reports them
# side by side with a model-free baseline (character-overlap Jaccard, lexical_baseline.py, on
# every Chinese task's split): docs/results/matching_backbone_variants.{md,json}.
#   random        no pretraining (run.sh's from-scratch recipe)
#   quick         1500 steps of the backbone recipe, one text per row (pretrain_quick.sh)
#   quick_packed  the same corpus with data.pack_texts: whole texts joined by [SEP] into rows of
#                 128 tokens, so consecutive texts (both sides of a training pair are adjacent in
#                 the corpus) attend to each other, as a cross encoder's two sides do;
#                 PACKED_STEPS (620) steps ~ the tokens and time of quick's 1500 (2.47x tokens
#                 per step, 1.17x tokens/s: docs/results/backbone_packing.md)
#   full          the 6000-step backbone of experiments/backbone/run.sh (skipped, and said so,
#                 when runs/backbone/roformer_v2/best is missing)
#   SENTZOO_DATA=/work/shared/data experiments/matching/backbone_variants.sh
# Environment: VARIANTS ("random quick quick_packed full"), TASKS ("lcqmc"), PACKED_STEPS (620).
# ~10-15 min per variant on 2 cores, plus ~22 min per quick pretraining; finished runs are kept.
set -euo pipefail
cd "$(dirname "$0")/../.."
export SENTZOO_DATA=${SENTZOO_DATA:-$(cd .. && pwd)/shared/data}
out=runs/backbone_variants
read -r -a variants <<< "${VARIANTS:-random quick quick_packed full}"
read -r -a tasks <<< "${TASKS:-lcqmc}"
common=(MATCHING_REPORT=none STEPS=1000000 EPOCHS=3)
for variant in "${variants[@]}"; do
  case $variant in
    random) env "${common[@]}" METHODS="cosent cross_bce" INITS=random MATCHING_OUT=$out/random experiments/matching/run.sh "${tasks[@]}"
            continue ;;
    quick) backbone=runs/backbone_quick
           experiments/backbone/pretrain_quick.sh "$backbone" 1500 ;;
    quick_packed) backbone=runs/backbone_quick_packed
                  experiments/backbone/pretrain_quick.sh "$backbone" "${PACKED_STEPS:-620}" \
                    --set data.pack_texts=true ;;
    full) backbone=runs/backbone/roformer_v2
          if [ ! -f "$backbone/best/model.safetensors" ]; then
            echo "backbone_variants: skipping 'full': no $backbone/best (experiments/backbone/run.sh makes it)" >&2
            continue
          fi ;;
    *) echo "backbone_variants: unknown variant '$variant' (random quick quick_packed full)" >&2; exit 2 ;;
  esac
  env "${common[@]}" METHODS="cosent cross_bce cross_bce_seg0" INITS=backbone BACKBONE="$backbone/best" MATCHING_OUT=$out/$variant \
    experiments/matching/run.sh "${tasks[@]}"
  echo "$backbone" > "$out/$variant/backbone.txt"  # the pretraining folder, for the report
done
data=$(ls -d "$out"/*/data | head -1)
python3 experiments/matching/lexical_baseline.py "$data" "$out/lexical.json"  # every Chinese task
experiments/python.sh experiments/matching/variants_report.py "$out" docs/results/matching_backbone_variants
