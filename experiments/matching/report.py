"""Report of experiments/matching/run.sh (issue #16, items 2 and 4): reads OUT/TASK/INIT/METHOD/
{run.json, eval.json, train/metrics.jsonl} and OUT/data/splits.json; writes PREFIX.md,
PREFIX.json and PREFIX_convergence.png (valid-subset Spearman per quarter of each run, CoSENT vs
Sentence-BERT, as the CoSENT post's convergence comparison), beside Su's published numbers
(REFERENCE.md §13; BERT-base, full training sets).
    experiments/python.sh experiments/matching/report.py OUT PREFIX"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from report_util import cpu_name, write_report  # noqa: E402
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from runs import load_runs  # noqa: E402

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

out, prefix = sys.argv[1], sys.argv[2]
TASKS = ["afqmc", "stsb", "bq", "lcqmc", "pawsx", "stsb_en", "sick_en"]
TASK_NAMES = {"afqmc": "AFQMC", "stsb": "STS-B", "bq": "BQ", "lcqmc": "LCQMC", "pawsx": "PAWS-X",
              "stsb_en": "STS-B (en)", "sick_en": "SICK (en)"}
PAIR_TASKS = ["afqmc", "bq", "lcqmc", "pawsx"]  # binary labels: accuracy / F1 mean something
METHODS = ["cosent", "sbert", "cross_bce", "cross_cosent"]
METHOD_NAMES = {"cosent": "dual CoSENT", "sbert": "dual SBERT softmax", "cross_bce": "cross BCE",
                "cross_cosent": "cross CoSENT"}
INITS = ["backbone", "random", "minilm"]
# REFERENCE.md §13.1 (test Spearman x 100) and §13.2 (test accuracy x 100, threshold tuned on
# valid), BERT-base rows; Su's ATEC is our AFQMC's domain (same source, different split).
SU_SPEARMAN = {"cosent": {"afqmc": 49.74, "bq": 72.38, "lcqmc": 78.69, "pawsx": 60.00, "stsb": 80.14},
               "sbert": {"afqmc": 46.36, "bq": 70.36, "lcqmc": 78.72, "pawsx": 46.86, "stsb": 66.41}}
SU_ACCURACY = {"cosent": {"afqmc": 85.81, "bq": 83.24, "lcqmc": 86.67, "pawsx": 76.30},
               "sbert": {"afqmc": 84.93, "bq": 82.46, "lcqmc": 87.42, "pawsx": 65.33},
               "interact": {"afqmc": 85.49, "bq": 83.88, "lcqmc": 87.80, "pawsx": 81.30}}

with open(os.path.join(out, "data", "splits.json"), encoding="utf-8") as f:
    splits = json.load(f)

runs = load_runs(out)
if not runs:
    sys.exit(f"{out}: no finished runs (*/*/*/eval.json)")


def cell(task, init, method, key, scale=100, digits=2):
    r = runs.get((task, init, method))
    if r is None or r["test"].get(key) is None:
        return "–"
    return f"{r['test'][key] * scale:.{digits}f}"


def best_of(task, init, methods, key):
    vals = {m: runs[(task, init, m)]["test"][key] for m in methods if (task, init, m) in runs}
    return max(vals.values()) if vals else None


md = ["# Interaction vs representation on the Chinese matching tasks (issue #16, item 2)", ""]
any_run = next(iter(runs.values()))
md += [
    "Command: `SENTZOO_DATA=/work/shared/data experiments/matching/run.sh` (report: "
    "`experiments/python.sh experiments/matching/report.py runs/matching docs/results/matching`). "
    f"Machine: {cpu_name()}, 2 threads, fp32.",
    "",
    "Every run: RoFormerV2-small (6 layers, hidden 384, 18.7 M parameters, bert-base-chinese "
    "vocabulary), max length 64, batch 32, min(STEPS, 3 epochs) steps (per task in the table "
    "below), linear decay after 10% "
    "warm-up, AdamW weight decay 0.01. **backbone** = sentzoo's own MLM-pretrained RoFormerV2-small "
    "(docs/results/backbone.md: 6,000 steps of 32 texts, 1.6 h on this machine; about 0.3% of the "
    "text and steps of a released base model), lr 1e-4; **random** = the same model from scratch, "
    "lr 5e-4 with the residual ramp. Dual encoders: mean pooling, scored by the cosine; CoSENT "
    "λ = 20; Sentence-BERT = softmax over (u, v, |u−v|) (STS-B: trained on score ≥ 2.5 as "
    "positive, as Su's baseline). Cross encoders: [CLS] → one logit; BCE (STS-B: score/5 as a soft "
    "label) or CoSENT on the logits. The trainer evaluates the first 500 pairs of valid four "
    "times per run and keeps the best (the convergence charts); `sentzoo-eval` then scores that "
    "model on valid (thresholds tuned there) and on test (thresholds applied unchanged). "
    "English (STS-B, SICK): every method starts from all-MiniLM-L6-v2 (init **minilm**, lr 2e-5; "
    "a sentence-transformers checkpoint already trained for embeddings, so its dual encoders "
    "start far ahead, while a cross encoder's head starts fresh).",
    "",
    "Splits (prepare.py, seed 0; no test text is trained on):", "",
    "| task | train | valid | test | test source | steps of 32 pairs | epochs |",
    "|---|---|---|---|---|---|---|"]
for t in TASKS:
    if t in splits:
        r = splits[t]["rows"]
        steps = sorted({v["steps"] for (task, _, _), v in runs.items() if task == t})
        epochs = ", ".join(f"{x * 32 / r['train']:.2f}" for x in steps)
        md.append(f"| {TASK_NAMES[t]} | {r['train']:,} | {r['valid']:,} | {r.get('test', 0):,} | "
                  f"{splits[t]['sources']['test']} | {', '.join(map(str, steps)) or '–'} | {epochs or '–'} |")
md.append("")

md += ["## Test accuracy × 100 (threshold tuned on valid)", "",
       "Pair-classification tasks. Su = CoSENT(二) (blog 8860), BERT-base on the full training "
       "sets; his ATEC column is shown beside our AFQMC (same domain, not the same split).", "",
       "| task | init | " + " | ".join(METHOD_NAMES[m] for m in METHODS) +
       " | majority | Su CoSENT | Su SBERT | Su interaction |",
       "|---|---|" + "---|" * (len(METHODS) + 4)]
for t in PAIR_TASKS:
    for init in INITS:
        if not any((t, init, m) in runs for m in METHODS):
            continue
        maj = next((runs[(t, init, m)]["test"].get("majority_accuracy") for m in METHODS if (t, init, m) in runs), None)
        su = [f"{SU_ACCURACY[k][t]:.2f}" if init == "backbone" else "" for k in ("cosent", "sbert", "interact")]
        md.append(f"| {TASK_NAMES[t]} | {init} | " + " | ".join(cell(t, init, m, "accuracy") for m in METHODS) +
                  f" | {maj * 100:.2f} | " + " | ".join(su) + " |")
md.append("")

if any(r["test_entail"] for r in runs.values()):
    md += ["SICK (en), all-MiniLM-L6-v2 for every method: accuracy on the entailment judgment "
           "(ENTAILMENT vs the rest) with the threshold tuned on SICK trial, models trained on "
           "relatedness.", "",
           "| task | init | " + " | ".join(METHOD_NAMES[m] for m in METHODS) + " | majority |",
           "|---|---|" + "---|" * (len(METHODS) + 1)]
    maj = next(r["test_entail"]["majority_accuracy"] for r in runs.values() if r["test_entail"])
    md.append("| SICK entailment (en) | minilm | " + " | ".join(
        f"{runs[('sick_en', 'minilm', m)]['test_entail']['accuracy'] * 100:.2f}"
        if ("sick_en", "minilm", m) in runs else "–" for m in METHODS) + f" | {maj * 100:.2f} |")
    md.append("")

md += ["## Test F1 × 100 (threshold tuned on valid for F1)", "",
       "| task | init | " + " | ".join(METHOD_NAMES[m] for m in METHODS) + " |",
       "|---|---|" + "---|" * len(METHODS)]
for t in PAIR_TASKS:
    for init in INITS:
        if any((t, init, m) in runs for m in METHODS):
            md.append(f"| {TASK_NAMES[t]} | {init} | " + " | ".join(cell(t, init, m, "f1") for m in METHODS) + " |")
md.append("")

md += ["## Test Spearman × 100", "",
       "Su = CoSENT(一) (blog 8847), BERT-base on the full training sets.", "",
       "| task | init | " + " | ".join(METHOD_NAMES[m] for m in METHODS) + " | Su CoSENT | Su SBERT |",
       "|---|---|" + "---|" * (len(METHODS) + 2)]
for t in TASKS:
    for init in INITS:
        if not any((t, init, m) in runs for m in METHODS):
            continue
        su = [f"{SU_SPEARMAN[k][t]:.2f}" if init == "backbone" else "" for k in ("cosent", "sbert")]
        md.append(f"| {TASK_NAMES[t]} | {init} | " + " | ".join(cell(t, init, m, "spearman") for m in METHODS) +
                  " | " + " | ".join(su) + " |")
md.append("")

# The acceptance questions, answered from the numbers above.
checks = []
cross_wins, cross_total = [], 0
for t in PAIR_TASKS:
    dual = best_of(t, "backbone", ["cosent", "sbert"], "accuracy")
    cross = best_of(t, "backbone", ["cross_bce", "cross_cosent"], "accuracy")
    if dual is None or cross is None:
        continue
    cross_total += 1
    if cross >= dual:
        cross_wins.append(t)
    checks.append({"check": "cross >= dual accuracy (backbone)", "task": t, "cross": cross, "dual": dual})
sick = {m: runs[("sick_en", "minilm", m)]["test_entail"]["accuracy"] for m in METHODS
        if ("sick_en", "minilm", m) in runs and runs[("sick_en", "minilm", m)]["test_entail"]}
if any(m in sick for m in ("cosent", "sbert")) and any(m in sick for m in ("cross_bce", "cross_cosent")):
    dual = max(sick[m] for m in ("cosent", "sbert") if m in sick)
    cross = max(sick[m] for m in ("cross_bce", "cross_cosent") if m in sick)
    cross_total += 1
    if cross >= dual:
        cross_wins.append("sick_en")
    checks.append({"check": "cross >= dual accuracy (MiniLM, SICK entailment)", "task": "sick_en",
                   "cross": cross, "dual": dual})
cosent_wins, cosent_total = [], 0
for t in TASKS:
    for init in INITS:
        a, b = runs.get((t, init, "cosent")), runs.get((t, init, "sbert"))
        if a is None or b is None:
            continue
        cosent_total += 1
        if a["test"]["spearman"] >= b["test"]["spearman"]:
            cosent_wins.append(f"{t}/{init}")
        checks.append({"check": "CoSENT >= SBERT Spearman", "task": t, "init": init,
                       "cosent": a["test"]["spearman"], "sbert": b["test"]["spearman"]})
backbone_gain = []
for t in TASKS:
    for m in METHODS:
        a, b = runs.get((t, "backbone", m)), runs.get((t, "random", m))
        if a and b:
            backbone_gain.append(a["test"]["spearman"] - b["test"]["spearman"])
md += ["## What the numbers say", ""]
if cross_total:
    md.append(f"- Best cross encoder vs best dual encoder in test accuracy (sentzoo's backbone; MiniLM "
              f"for SICK's entailment judgment): the cross "
              f"encoder is at or above on {len(cross_wins)} of {cross_total} pair tasks "
              f"({', '.join(TASK_NAMES[t] for t in cross_wins) or 'none'}).")
if cosent_total:
    md.append(f"- CoSENT vs Sentence-BERT in test Spearman: CoSENT at or above on {len(cosent_wins)} of "
              f"{cosent_total} task/initialisation pairs.")
if backbone_gain:
    md.append(f"- Backbone minus random initialisation, test Spearman, over {len(backbone_gain)} "
              f"task/method pairs: mean {100 * sum(backbone_gain) / len(backbone_gain):+.2f} points, "
              f"{sum(g > 0 for g in backbone_gain)} of {len(backbone_gain)} positive.")
md.append("")

md += ["## Cost", "",
       "Seconds of training (including the four valid-subset evaluations) and of scoring valid + test, per run.",
       "", "| task | init | " + " | ".join(METHOD_NAMES[m] for m in METHODS) + " |",
       "|---|---|" + "---|" * len(METHODS)]
for t in TASKS:
    for init in INITS:
        if any((t, init, m) in runs for m in METHODS):
            md.append(f"| {TASK_NAMES[t]} | {init} | " + " | ".join(
                f"{runs[(t, init, m)]['train_seconds']:.0f} + {runs[(t, init, m)]['eval_seconds']:.0f}"
                if (t, init, m) in runs else "–" for m in METHODS) + " |")
total = sum(r["train_seconds"] + r["eval_seconds"] for r in runs.values())
md += ["", f"{len(runs)} runs, {total / 60:.0f} min in all.", ""]

# Convergence (item 4): valid-subset Spearman at each quarter, CoSENT vs SBERT.
tasks_with_curves = [t for t in TASKS if any((t, i, m) in runs for i in INITS for m in ("cosent", "sbert"))]
if tasks_with_curves:
    fig, axes = plt.subplots(1, len(tasks_with_curves), figsize=(3.2 * len(tasks_with_curves), 3), squeeze=False)
    for ax, t in zip(axes[0], tasks_with_curves):
        for m, colour in (("cosent", "tab:blue"), ("sbert", "tab:orange")):
            for init, style in (("backbone", "-"), ("random", ":"), ("minilm", "--")):
                r = runs.get((t, init, m))
                if r and r["curve"]:
                    xs = [s * 32 / splits[t]["rows"]["train"] for s, _ in r["curve"]]
                    ax.plot(xs, [100 * (v or 0) for _, v in r["curve"]], style, color=colour, marker="o",
                            markersize=3, label=f"{METHOD_NAMES[m]}, {init}")
        ax.set_title(TASK_NAMES[t])
        ax.set_xlabel("epochs")
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("valid Spearman × 100 (first 500 pairs)")
    axes[0][-1].legend(fontsize=6)
    fig.tight_layout()
    fig.savefig(prefix + "_convergence.png", dpi=110)
    md += ["## Convergence: CoSENT vs Sentence-BERT (item 4)", "",
           f"![valid Spearman per quarter of a run]({os.path.basename(prefix)}_convergence.png)", "",
           "Valid-subset Spearman × 100 at each quarter of the run (epochs = pairs seen / training pairs). "
           "Su's post: after one epoch ATEC 48.78 (CoSENT) vs 41.54 (SBERT), PAWS-X 57.66 vs 10.84 "
           "(RoBERTa).", "",
           "| task | init | method | " + " | ".join(f"q{i + 1}" for i in range(4)) + " |",
           "|---|---|---|---|---|---|---|"]
    for t in tasks_with_curves:
        for init in INITS:
            for m in ("cosent", "sbert"):
                r = runs.get((t, init, m))
                if r:
                    vals = [f"{100 * v:.2f}" if v is not None else "–" for _, v in r["curve"]]
                    md.append(f"| {TASK_NAMES[t]} | {init} | {METHOD_NAMES[m]} | " + " | ".join(vals) + " |")
    md.append("")

result = {"runs": list(runs.values()), "splits": splits,
          "checks": checks, "su_accuracy": SU_ACCURACY, "su_spearman": SU_SPEARMAN}
write_report(prefix, md, result, digits=5)
print(f"wrote {prefix}.md, {prefix}.json")
