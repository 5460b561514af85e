"""Report of experiments/matching/budget.sh (issue #16): the runs of OUT (several epochs; English
STS-B and SICK from all-MiniLM-L6-v2 by default, or Chinese tasks from the backbone) beside the
150-step runs of the main matching report (BASELINE = docs/results/matching.json) with the same
task, initialisation and method; writes PREFIX.md, PREFIX.json and PREFIX.png (valid-subset
Spearman per epoch, one panel per task and initialisation).
    experiments/python.sh experiments/matching/budget_report.py OUT BASELINE PREFIX"""
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

out, baseline_path, prefix = sys.argv[1], sys.argv[2], sys.argv[3]
TASKS = {"afqmc": "AFQMC", "stsb": "STS-B", "bq": "BQ", "lcqmc": "LCQMC", "pawsx": "PAWS-X",
         "stsb_en": "STS-B (en)", "sick_en": "SICK (en)"}
INIT_NAMES = {"minilm": "all-MiniLM-L6-v2", "backbone": "sentzoo backbone", "random": "random"}
METHOD_NAMES = {"cosent": "dual CoSENT", "sbert": "dual SBERT softmax", "cross_bce": "cross BCE ([CLS])",
                "cross_bce_pooler": "cross BCE (pooler)", "cross_cosent": "cross CoSENT ([CLS])"}

with open(os.path.join(out, "data", "splits.json"), encoding="utf-8") as f:
    splits = json.load(f)
with open(baseline_path, encoding="utf-8") as f:
    baseline = {(r["task"], r["init"], r["method"]): r for r in json.load(f)["runs"]}

runs = load_runs(out)
groups = [(t, i) for t in TASKS for i in INIT_NAMES if any(k[:2] == (t, i) for k in runs)]
if not runs:
    sys.exit(f"{out}: no finished runs (*/*/*/eval.json)")


def epochs(task, steps):
    return steps * 32 / splits[task]["rows"]["train"]


def pct(x):
    return "–" if x is None else f"{x * 100:.2f}"


PAIR_TASKS = {"afqmc", "bq", "lcqmc", "pawsx"}  # 0/1 labels: test accuracy means something


def accuracy(task, r):
    """Test accuracy (threshold tuned on valid): the pair tasks', SICK's entailment judgment's."""
    if r is None:
        return None
    if task == "sick_en":
        return r["test_entail"]["accuracy"] if r.get("test_entail") else None
    return r["test"].get("accuracy") if task in PAIR_TASKS else None


md = ["# Cross vs dual encoders with more training (issue #16: the budget check)", "",
      "Command: `SENTZOO_DATA=/work/shared/data experiments/matching/budget.sh [TASK...]` "
      f"(report: `experiments/python.sh experiments/matching/budget_report.py {out} {baseline_path} {prefix}`). "
      f"Machine: {cpu_name()}, 2 threads, fp32.", "",
      "Settings as in docs/results/matching.md (batch 32, max length 64, linear decay after 10% warm-up, "
      "AdamW weight decay 0.01; lr 2e-5 from all-MiniLM-L6-v2, 1e-4 from sentzoo's backbone), which gave "
      "each model min(150 steps, 3 epochs); here each trains for the stated epochs and the trainer scores "
      "the first 500 valid pairs after each quarter of the run (best/ is the best of these); `sentzoo-eval` "
      "then scores best/ on valid and test. Cross BCE ([CLS]): a fresh linear head on the last layer's "
      "[CLS] vector (the main report's cross encoders); cross BCE (pooler): the head on BERT's pooler "
      "(tanh dense on [CLS], weights from the checkpoint), as HF's BertForSequenceClassification and "
      "sentence-transformers' CrossEncoder build it. Graded tasks train BCE on score / 5. Accuracy: "
      "test accuracy with the threshold tuned on valid (pair tasks; SICK: its entailment judgment).", "",
      "## Test Spearman and accuracy × 100, short (main report) vs long", "",
      "| task | init | method | steps (epochs), main | Spearman, main | accuracy, main | "
      "steps (epochs), here | Spearman, here | accuracy, here | train seconds here |",
      "|---|---|---|---|---|---|---|---|---|---|"]
result = {"runs": [], "baseline": []}
for task, init in groups:
    for method, mname in METHOD_NAMES.items():
        r, b = runs.get((task, init, method)), baseline.get((task, init, method))
        if r is None:
            continue
        short = f"{b['steps']} ({epochs(task, b['steps']):.2f})" if b else "–"
        md.append(f"| {TASKS[task]} | {init} | {mname} | {short} | {pct(b['test']['spearman']) if b else '–'} | "
                  f"{pct(accuracy(task, b))} | {r['steps']} ({epochs(task, r['steps']):.2f}) | "
                  f"{pct(r['test']['spearman'])} | {pct(accuracy(task, r))} | {r['train_seconds']:.0f} |")
        result["runs"].append({k: r[k] for k in ("task", "init", "method", "steps", "train_seconds",
                                                 "eval_seconds", "best_step", "curve", "test", "valid",
                                                 "test_entail")})
        if b:
            result["baseline"].append({k: b.get(k) for k in ("task", "init", "method", "steps", "test",
                                                             "test_entail")})

md += ["", "## What the numbers say", ""]
for task, init in groups:
    dual = runs.get((task, init, "cosent"))
    crosses = {m: runs[(task, init, m)] for m in ("cross_bce", "cross_bce_pooler", "cross_cosent")
               if (task, init, m) in runs}
    if not dual or not crosses:
        continue
    best_m, best = max(crosses.items(), key=lambda kv: kv[1]["test"]["spearman"])
    gap = (best["test"]["spearman"] - dual["test"]["spearman"]) * 100
    line = (f"- {TASKS[task]} ({INIT_NAMES[init]}): best cross encoder ({METHOD_NAMES[best_m]}) "
            f"{pct(best['test']['spearman'])} vs dual CoSENT {pct(dual['test']['spearman'])} test Spearman "
            f"({gap:+.2f} points)")
    b_best = max((baseline[(task, init, m)]["test"]["spearman"] for m in crosses if (task, init, m) in baseline),
                 default=None)
    b_dual = baseline.get((task, init, "cosent"))
    if b_best is not None and b_dual:
        line += (f"; after 150 steps it was {b_best * 100:.2f} vs {b_dual['test']['spearman'] * 100:.2f} "
                 f"({(b_best - b_dual['test']['spearman']) * 100:+.2f})")
    check = {"task": task, "init": init, "best_cross": best_m, "cross_minus_dual_spearman": gap}
    best_acc = max((a for a in (accuracy(task, c) for c in crosses.values()) if a is not None), default=None)
    if best_acc is not None and accuracy(task, dual) is not None:
        check["cross_minus_dual_accuracy"] = (best_acc - accuracy(task, dual)) * 100
        line += (f"; best cross accuracy {pct(best_acc)} vs dual {pct(accuracy(task, dual))} "
                 f"({check['cross_minus_dual_accuracy']:+.2f})")
    md.append(line + ".")
    result.setdefault("checks", []).append(check)

fig, axes = plt.subplots(1, len(groups), figsize=(5.5 * len(groups), 4), squeeze=False)
for ax, (task, init) in zip(axes[0], groups):
    for method, mname in METHOD_NAMES.items():
        r = runs.get((task, init, method))
        if r is None or not r["curve"]:
            continue
        line, = ax.plot([epochs(task, s) for s, _ in r["curve"]], [v * 100 for _, v in r["curve"]],
                        marker="o", label=mname)
        b = baseline.get((task, init, method))
        if b and b.get("curve"):
            ax.plot([epochs(task, s) for s, _ in b["curve"]], [v * 100 for _, v in b["curve"]],
                    linestyle=":", marker="x", color=line.get_color())
    ax.set_title(f"{TASKS[task]} ({INIT_NAMES[init]}): valid-subset Spearman")
    ax.set_xlabel("epochs (dotted: the main report's 150-step run)")
    ax.grid(alpha=0.3)
axes[0][0].set_ylabel("Spearman × 100")
axes[0][0].legend(fontsize=8)
fig.tight_layout()
fig.savefig(prefix + ".png", dpi=110)
md += ["", f"![valid-subset Spearman per epoch]({os.path.basename(prefix)}.png)", "",
       "Valid-subset Spearman × 100 after each quarter of the run:", "",
       "| task | init | method | " + " | ".join(f"q{i}" for i in range(1, 5)) + " |",
       "|---|---|---|---|---|---|---|"]
for task, init in groups:
    for method, mname in METHOD_NAMES.items():
        r = runs.get((task, init, method))
        if r:
            cells = [f"{v * 100:.2f} (ep {epochs(task, s):.1f})" for s, v in r["curve"]]
            md.append(f"| {TASKS[task]} | {init} | {mname} | " + " | ".join(cells) + " |")
write_report(prefix, md, result, digits=5, indent=None)
print(f"wrote {prefix}.md, {prefix}.json, {prefix}.png")
