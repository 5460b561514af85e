"""Report of experiments/matching/budget.sh (issue #16): the runs of OUT (English STS-B and SICK
from all-MiniLM-L6-v2, several epochs) beside the 150-step runs of the main matching report
(BASELINE = docs/results/matching.json); writes PREFIX.md, PREFIX.json and PREFIX.png (valid-subset
Spearman per epoch, one panel per task).
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
TASKS = {"stsb_en": "STS-B (en)", "sick_en": "SICK (en)"}
METHOD_NAMES = {"cosent": "dual CoSENT", "sbert": "dual SBERT softmax", "cross_bce": "cross BCE ([CLS])",
                "cross_bce_pooler": "cross BCE (pooler)", "cross_cosent": "cross CoSENT ([CLS])"}

with open(os.path.join(out, "data", "splits.json"), encoding="utf-8") as f:
    splits = json.load(f)
with open(baseline_path, encoding="utf-8") as f:
    baseline = {(r["task"], r["method"]): r for r in json.load(f)["runs"] if r["init"] == "minilm"}

runs = {(task, method): r for (task, init, method), r in load_runs(out).items() if init == "minilm"}
if not runs:
    sys.exit(f"{out}: no finished runs (*/minilm/*/eval.json)")


def epochs(task, steps):
    return steps * 32 / splits[task]["rows"]["train"]


def pct(x):
    return "–" if x is None else f"{x * 100:.2f}"


md = ["# Cross vs dual encoders with more training (issue #16: the budget check)", "",
      "Command: `SENTZOO_DATA=/work/shared/data experiments/matching/budget.sh` "
      f"(report: `experiments/python.sh experiments/matching/budget_report.py {out} {baseline_path} {prefix}`). "
      f"Machine: {cpu_name()}, 2 threads, fp32.", "",
      "Every model starts from all-MiniLM-L6-v2 (lr 2e-5, batch 32, max length 64, linear decay after 10% "
      "warm-up, AdamW weight decay 0.01), as in docs/results/matching.md, which gave each min(150 steps, "
      "3 epochs); here each trains for the stated epochs and the trainer scores the first 500 valid pairs "
      "after each quarter of the run (best/ is the best of these); `sentzoo-eval` then scores best/ on "
      "valid and test. Cross BCE ([CLS]): a fresh linear head on the last layer's [CLS] vector (the main "
      "report's cross encoders); cross BCE (pooler): the head on BERT's pooler (tanh dense on [CLS], "
      "weights from the checkpoint), as HF's BertForSequenceClassification and sentence-transformers' "
      "CrossEncoder build it. Graded tasks train BCE on score / 5.", "",
      "## Test Spearman × 100, short (main report) vs long", "",
      "| task | method | steps (epochs), main | test Spearman, main | steps (epochs), here | test Spearman, here | "
      "SICK entailment accuracy, main | here | train seconds here |",
      "|---|---|---|---|---|---|---|---|---|"]
result = {"runs": [], "baseline": []}
for task, tname in TASKS.items():
    for method, mname in METHOD_NAMES.items():
        r, b = runs.get((task, method)), baseline.get((task, method))
        if r is None:
            continue
        short = f"{b['steps']} ({epochs(task, b['steps']):.2f})" if b else "–"
        ent_b = pct(b["test_entail"]["accuracy"]) if b and b.get("test_entail") else "–"
        ent_r = pct(r["test_entail"]["accuracy"]) if r.get("test_entail") else "–"
        md.append(f"| {tname} | {mname} | {short} | {pct(b['test']['spearman']) if b else '–'} | "
                  f"{r['steps']} ({epochs(task, r['steps']):.2f}) | {pct(r['test']['spearman'])} | "
                  f"{ent_b} | {ent_r} | {r['train_seconds']:.0f} |")
        result["runs"].append({k: r[k] for k in ("task", "method", "steps", "train_seconds", "eval_seconds",
                                                 "best_step", "curve", "test", "valid", "test_entail")})
        if b:
            result["baseline"].append({k: b.get(k) for k in ("task", "method", "steps", "test", "test_entail")})

md += ["", "## What the numbers say", ""]
for task, tname in TASKS.items():
    dual = runs.get((task, "cosent"))
    crosses = {m: runs[(task, m)] for m in ("cross_bce", "cross_bce_pooler", "cross_cosent") if (task, m) in runs}
    if not dual or not crosses:
        continue
    best_m, best = max(crosses.items(), key=lambda kv: kv[1]["test"]["spearman"])
    gap = (best["test"]["spearman"] - dual["test"]["spearman"]) * 100
    line = (f"- {tname}: best cross encoder ({METHOD_NAMES[best_m]}) {pct(best['test']['spearman'])} vs "
            f"dual CoSENT {pct(dual['test']['spearman'])} test Spearman ({gap:+.2f} points)")
    b_best = max((baseline[(task, m)]["test"]["spearman"] for m in crosses if (task, m) in baseline), default=None)
    b_dual = baseline.get((task, "cosent"))
    if b_best is not None and b_dual:
        line += (f"; after 150 steps it was {b_best * 100:.2f} vs {b_dual['test']['spearman'] * 100:.2f} "
                 f"({(b_best - b_dual['test']['spearman']) * 100:+.2f})")
    if task == "sick_en" and dual.get("test_entail") and best.get("test_entail"):
        acc_gap = (best["test_entail"]["accuracy"] - dual["test_entail"]["accuracy"]) * 100
        line += (f"; entailment accuracy {pct(best['test_entail']['accuracy'])} vs "
                 f"{pct(dual['test_entail']['accuracy'])} ({acc_gap:+.2f})")
    md.append(line + ".")
    result.setdefault("checks", []).append({"task": task, "best_cross": best_m, "cross_minus_dual_spearman": gap})

fig, axes = plt.subplots(1, len(TASKS), figsize=(11, 4), sharey=False)
for ax, (task, tname) in zip(axes, TASKS.items()):
    for method, mname in METHOD_NAMES.items():
        r = runs.get((task, method))
        if r is None or not r["curve"]:
            continue
        xs = [epochs(task, s) for s, _ in r["curve"]]
        line, = ax.plot(xs, [v * 100 for _, v in r["curve"]], marker="o", label=mname)
        b = baseline.get((task, method))
        if b and b.get("curve"):
            ax.plot([epochs(task, s) for s, _ in b["curve"]], [v * 100 for _, v in b["curve"]],
                    linestyle=":", marker="x", color=line.get_color())
    ax.set_title(f"{tname}: valid-subset Spearman")
    ax.set_xlabel("epochs (dotted: the main report's 150-step run)")
    ax.grid(alpha=0.3)
axes[0].set_ylabel("Spearman × 100")
axes[0].legend(fontsize=8)
fig.tight_layout()
fig.savefig(prefix + ".png", dpi=110)
md += ["", f"![valid-subset Spearman per epoch]({os.path.basename(prefix)}.png)", "",
       "Valid-subset Spearman × 100 after each quarter of the run:", "",
       "| task | method | " + " | ".join(f"q{i}" for i in range(1, 5)) + " |", "|---|---|---|---|---|---|"]
for task, tname in TASKS.items():
    for method, mname in METHOD_NAMES.items():
        r = runs.get((task, method))
        if r:
            cells = [f"{v * 100:.2f} (ep {epochs(task, s):.1f})" for s, v in r["curve"]]
            md.append(f"| {tname} | {mname} | " + " | ".join(cells) + " |")
write_report(prefix, md, result, digits=5, indent=None)
print(f"wrote {prefix}.md, {prefix}.json, {prefix}.png")
