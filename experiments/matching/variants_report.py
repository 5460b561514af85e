"""Report of experiments/matching/backbone_variants.sh (issue #16): per starting point
(OUT/VARIANT, each a run.sh output folder; backbone.txt names the pretraining folder, random has
none), the pretraining it had (steps, tokens, minutes, held-out MLM loss and accuracy of the best checkpoint) and the test
Spearman / accuracy of dual CoSENT and cross BCE trained from it; beside them the model-free
character-overlap baseline of OUT/lexical.json. Writes PREFIX.md and PREFIX.json.
    experiments/python.sh experiments/matching/variants_report.py OUT PREFIX"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from report_util import cpu_name, read_jsonl, step_spans, write_report  # noqa: E402
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from runs import load_runs  # noqa: E402

out, prefix = sys.argv[1], sys.argv[2]
VARIANTS = {"random": "random initialisation (no pretraining)",
            "quick": "MLM 1500 steps, one text per row",
            "quick_packed": "MLM, texts packed with [SEP] into 128-token rows",
            "full": "MLM 6000 steps, one text per row (the recipe)"}
TASKS = {"afqmc": "AFQMC", "stsb": "STS-B", "bq": "BQ", "lcqmc": "LCQMC", "pawsx": "PAWS-X"}


def pretraining(backbone):
    """Steps, tokens, seconds and the best held-out evaluation of a backbone's training folder."""
    rows = read_jsonl(os.path.join(backbone, "metrics.jsonl"))
    steps = [r for r in rows if r["event"] == "step"]
    evals = [r for r in rows if r["event"] == "eval"]
    spans = step_spans(steps)
    best = min(evals, key=lambda r: r["metrics"]["values"]["mlm_loss"])
    with open(os.path.join(backbone, "config.json"), encoding="utf-8") as f:
        config = json.load(f)
    return {"folder": backbone, "steps": steps[-1]["step"], "rows_per_step": config["data"]["batch_size"],
            "pack_texts": config["data"].get("pack_texts", False),
            "tokens": sum(n * r["seconds_per_step"] * r["tokens_per_second"] for n, r in spans),
            "seconds": sum(n * r["seconds_per_step"] for n, r in spans),
            "best_step": best["step"], "heldout_mlm_loss": best["metrics"]["values"]["mlm_loss"],
            "heldout_mlm_accuracy": best["metrics"]["values"].get("mlm_accuracy")}


def pct(x):
    return "–" if x is None else f"{x * 100:.2f}"


result = {"variants": [], "lexical": None}
if os.path.exists(os.path.join(out, "lexical.json")):
    with open(os.path.join(out, "lexical.json"), encoding="utf-8") as f:
        result["lexical"] = json.load(f)
md = ["# Where the cross encoder's deficit comes from: starting points compared (issue #16)", "",
      "Command: `SENTZOO_DATA=/work/shared/data experiments/matching/backbone_variants.sh` (report: "
      f"`experiments/python.sh experiments/matching/variants_report.py {out} {prefix}`). "
      f"Machine: {cpu_name()}, 2 threads, fp32.", "",
      "Every fine-tuning run: RoFormerV2-small, 3 epochs, batch 32, max length 64, linear decay after 10% "
      "warm-up, AdamW weight decay 0.01, lr 1e-4 from a backbone and 5e-4 (with the residual ramp) from "
      "random initialisation; dual CoSENT = mean pooling, cosine, λ = 20; cross BCE = [CLS] → one logit. "
      "The trainer keeps the best of four valid-subset evaluations; `sentzoo-eval` scores it on valid "
      "(thresholds tuned there) and on test (thresholds applied unchanged). Pretraining: "
      "configs/pretrain-roformer-v2-small-zh.json on the corpus of experiments/backbone/build_corpus.py "
      "(tokens = non-padding tokens trained on; held-out = the best checkpoint's MLM loss and accuracy on "
      "the held-out novel text, one text per row for every variant).", ""]
CROSS = {"cross_bce": "cross BCE", "cross_bce_seg0": "cross BCE, segment ids all 0"}
for task, tname in TASKS.items():
    rows = []
    for variant, vname in VARIANTS.items():
        runs = load_runs(os.path.join(out, variant)) if os.path.isdir(os.path.join(out, variant)) else {}
        init = "random" if variant == "random" else "backbone"
        dual = runs.get((task, init, "cosent"))
        crosses = {m: runs[(task, init, m)] for m in CROSS if (task, init, m) in runs}
        if not dual or not crosses:
            continue
        pre = None
        if variant != "random":
            with open(os.path.join(out, variant, "backbone.txt"), encoding="utf-8") as f:
                pre = pretraining(f.read().strip())
        rows.append((variant, vname, pre, dual, crosses))
    if not rows:
        continue
    md += [f"## {tname}: test Spearman and accuracy × 100", "",
           "| starting point | pretraining steps × rows | tokens (M) | minutes | held-out MLM loss | "
           "held-out MLM accuracy | cross encoder | dual Spearman | cross Spearman | cross − dual | "
           "dual accuracy | cross accuracy | cross − dual |", "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for variant, vname, pre, dual, crosses in rows:
        pre_cells = ("0 | 0 | 0 | – | –" if pre is None else
                     f"{pre['steps']} × {pre['rows_per_step']} | {pre['tokens'] / 1e6:.2f} | "
                     f"{pre['seconds'] / 60:.0f} | {pre['heldout_mlm_loss']:.3f} | {pct(pre['heldout_mlm_accuracy'])}")
        ds, da = dual["test"]["spearman"], dual["test"].get("accuracy")
        entry = {"task": task, "variant": variant, "pretraining": pre, "cross": {}}
        for method, cross in crosses.items():
            cs, ca = cross["test"]["spearman"], cross["test"].get("accuracy")
            acc_cells = (f"{pct(da)} | {pct(ca)} | {(ca - da) * 100:+.2f}" if da is not None and ca is not None
                         else "– | – | –")
            md.append(f"| {vname} | {pre_cells} | {CROSS[method]} | {pct(ds)} | {pct(cs)} | {(cs - ds) * 100:+.2f} | "
                      f"{acc_cells} |")
            entry["cross"][method] = {k: cross[k] for k in ("steps", "train_seconds", "best_step", "test", "valid")}
        entry["dual"] = {k: dual[k] for k in ("steps", "train_seconds", "best_step", "test", "valid")}
        result["variants"].append(entry)
    if result["lexical"]:
        cells = [f"character {n}s: Spearman {pct(r['spearman'])}, accuracy {pct(r.get('accuracy'))}"
                 for n, r in result["lexical"]["tasks"].get(task, {}).items()]
        if cells:
            md += ["", "No model (the Jaccard overlap of the two texts' character sets or character-bigram "
                   "sets as the score, threshold tuned on valid; lexical_baseline.py): " + "; ".join(cells) + "."]
    md.append("")
if result["lexical"]:
    md += ["## The no-model baseline on every task's test split (× 100)", "",
           "Score = Jaccard overlap of the two texts' character sets (unigram) or character-bigram sets; "
           "accuracy with the threshold tuned on valid (0/1 tasks only).", "",
           "| task | unigram Spearman | unigram accuracy | bigram Spearman | bigram accuracy |", "|---|---|---|---|---|"]
    for task, r in result["lexical"]["tasks"].items():
        md.append(f"| {TASKS.get(task, task)} | {pct(r['unigram']['spearman'])} | {pct(r['unigram'].get('accuracy'))} | "
                  f"{pct(r['bigram']['spearman'])} | {pct(r['bigram'].get('accuracy'))} |")
    md.append("")
write_report(prefix, md, result, digits=5)
print(f"wrote {prefix}.md, {prefix}.json")
