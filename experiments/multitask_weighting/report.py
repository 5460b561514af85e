"""Report of experiments/multitask_weighting/run.sh: reads OUT/SCHEME-sSEED (metrics.jsonl, .done),
writes PREFIX.md, PREFIX.json and PREFIX.png.
    experiments/python.sh report.py OUT STEPS PREFIX"""
import json
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from report_util import cpu_name, read_jsonl, write_report  # noqa: E402
from priors import tsv_labels  # noqa: E402  (this folder: the script's own)

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

out, steps, prefix = sys.argv[1], int(sys.argv[2]), sys.argv[3]
SCHEMES = ["equal", "initial", "prior", "realtime", "geometric", "uncertainty", "grad_norm", "mgda",
           "pcgrad", "main_aux"]
DESCRIPTION = {
    "equal": "sum L_i",
    "initial": "sum L_i / L_i(first step) (8870)",
    "prior": "sum L_i / L_i(prior) (8870)",
    "realtime": "sum L_i / sg(L_i) (8870)",
    "geometric": "(prod L_i)^(1/3) (8870, gamma 0)",
    "uncertainty": "sum (e^-s_i L_i + s_i) / 2 (Kendall)",
    "grad_norm": "sum g_i / |g_i| (8870)",
    "mgda": "MGDA, Frank-Wolfe (8896)",
    "pcgrad": "PCGrad (Yu et al.)",
    "main_aux": "STS-B main, others auxiliary (8907)",
}
# task -> (metric read from its dev evaluation, higher is better)
TASKS = {"stsb": ("spearman", True), "afqmc": (None, True), "mlm": ("mlm_loss", False)}

runs = {}
for entry in sorted(os.listdir(out)):
    m = re.fullmatch(r"(\w+?)-s(\d+)\.done", entry)
    if not m or m.group(1) not in SCHEMES:
        continue
    name = entry[:-len(".done")]
    with open(os.path.join(out, entry), encoding="utf-8") as f:
        done = json.load(f)
    if done["exit_code"] != 0:
        sys.exit(f"{name}: sentzoo-train failed (exit {done['exit_code']}); see {out}/{name}.train.log")
    rows = read_jsonl(os.path.join(out, name, "metrics.jsonl"))
    dev = {r["task"]: r["metrics"] for r in rows if r["event"] == "eval" and r["step"] == steps}
    runs[name] = {"scheme": m.group(1), "seed": int(m.group(2)), "seconds": done["seconds"],
                  "dev": dev}

if not runs:
    sys.exit(f"no finished runs in {out}")
afqmc_metric = next(iter(runs.values()))["dev"]["afqmc"]["primary"]
TASKS["afqmc"] = (afqmc_metric, True)


def metric(run, task):
    return run["dev"][task]["values"][TASKS[task][0]]


schemes = [s for s in SCHEMES if any(r["scheme"] == s for r in runs.values())]
table = {}
for s in schemes:
    group = [r for r in runs.values() if r["scheme"] == s]
    entry = {"seeds": sorted(r["seed"] for r in group),
             "seconds": statistics.mean(r["seconds"] for r in group)}
    for task in TASKS:
        values = [metric(r, task) for r in group]
        entry[task] = {"values": values, "mean": statistics.mean(values),
                       "sd": statistics.stdev(values) if len(values) > 1 else 0.0}
    table[s] = entry
# Paired with `equal` of the same seed (same init, data order and masks): the seed-to-seed swing
# (large for MLM) cancels in the difference.
by_name = {(r["scheme"], r["seed"]): r for r in runs.values()}
for s in schemes:
    for task in TASKS:
        deltas = [metric(by_name[(s, seed)], task) - metric(by_name[("equal", seed)], task)
                  for seed in table[s]["seeds"] if ("equal", seed) in by_name]
        table[s][task]["vs_equal"] = {
            "mean": statistics.mean(deltas) if deltas else None,
            "sd": statistics.stdev(deltas) if len(deltas) > 1 else None}
for task, (_, higher) in TASKS.items():
    order = sorted(schemes, key=lambda s: -table[s][task]["mean"] if higher else table[s][task]["mean"])
    for rank, s in enumerate(order, 1):
        table[s][task]["rank"] = rank
# AFQMC's dev labels are 69% negative: a head that has not learned predicts the majority class.
# When no scheme's mean beats that by more than MAJORITY_MARGIN, its ranks are noise and the
# mean rank leaves the task out (said in the table's notes).
MAJORITY_MARGIN = 0.005
data_root = os.environ.get("SENTZOO_DATA", "")
majority = None
afqmc_dev = os.path.join(data_root, "zh", "AFQMC", "dev.txt")
if afqmc_metric == "accuracy" and os.path.exists(afqmc_dev):
    labels = tsv_labels(afqmc_dev)
    majority = max(labels.count(v) for v in set(labels)) / len(labels)
ranked_tasks = [t for t in TASKS
                if not (t == "afqmc" and majority is not None and
                        max(table[s][t]["mean"] for s in schemes) <= majority + MAJORITY_MARGIN)]
for s in schemes:
    table[s]["mean_rank"] = statistics.mean(table[s][t]["rank"] for t in ranked_tasks)
ordered = sorted(schemes, key=lambda s: table[s]["mean_rank"])


def cell(entry, task, digits):
    e = entry[task]
    return f"{e['mean']:.{digits}f} ± {e['sd']:.{digits}f} ({e['rank']})"


def paired(entry, task, digits):
    d = entry[task]["vs_equal"]
    if d["mean"] is None:
        return ""
    return f"{d['mean']:+.{digits}f}" + (f" ± {d['sd']:.{digits}f}" if d["sd"] is not None else "")


seeds = sorted({r["seed"] for r in runs.values()})
md = [
    "# Multi-task loss weighting and gradient combination (issue #17 item 5, blog 8870/8896/8907)",
    "",
    f"Generated by `experiments/multitask_weighting/run.sh` on {cpu_name()} ({os.cpu_count()} cores). "
    "One encoder (RoFormerV2 shape, hidden 128, 2 layers, from scratch) shared by STS-B (dual "
    "encoder, CoSENT), AFQMC (cross encoder, 2-class cross-entropy) and MLM on hongloumeng.txt; "
    f"every task in every step, batch 32 each, AdamW lr 1e-3, {steps} steps, seeds {seeds}; dev "
    "metrics at the last step, mean ± standard deviation over seeds, (rank among the schemes, 1 "
    f"best). AFQMC's metric is sentzoo's primary one for a 2-class head, `{afqmc_metric}`. "
    "MLM: loss on the novel's last 200 paragraphs (held out), lower is better.",
    "",
    (f"AFQMC's majority-class accuracy on dev is {majority:.4f}; " if majority is not None else "")
    + ("no scheme beat it by more than "
       f"{MAJORITY_MARGIN}, so the AFQMC ranks are noise and the mean rank is over "
       f"{' and '.join(ranked_tasks)} only." if "afqmc" not in ranked_tasks else
       "the mean rank is over all three tasks."),
    "",
    "| scheme | what | STS-B valid Spearman | AFQMC dev " + afqmc_metric + " | MLM dev loss | "
    "mean rank | STS-B vs equal | MLM vs equal | s/run |",
    "|---|---|---|---|---|---|---|---|---|",
]
for s in ordered:
    e = table[s]
    md.append(f"| {s} | {DESCRIPTION[s]} | {cell(e, 'stsb', 4)} | {cell(e, 'afqmc', 4)} "
              f"| {cell(e, 'mlm', 3)} | {e['mean_rank']:.2f} | {paired(e, 'stsb', 4)} "
              f"| {paired(e, 'mlm', 3)} | {e['seconds']:.0f} |")
md += ["", "vs equal: the difference to `equal` of the same seed (same initialisation, data order "
           "and masks), mean ± sd over the seeds; the seeds' own swing (MLM: ~0.15 nat) cancels "
           "in it. s/run: wall seconds on the 2 cores (equal's first run shared them with a "
           "build)."]

fig, axes = plt.subplots(1, 3, figsize=(11, 3.8), sharey=True)
for ax, (task, (name, higher)) in zip(axes, TASKS.items()):
    for y, s in enumerate(ordered):
        values = table[s][task]["values"]
        ax.scatter(values, [y] * len(values), s=14, color="tab:blue", alpha=0.7)
        ax.plot([table[s][task]["mean"]] * 2, [y - 0.3, y + 0.3], color="black", lw=1.5)
    ax.set_title(f"{task}: {name} ({'higher' if higher else 'lower'} is better)", fontsize=9)
    ax.grid(alpha=0.3)
axes[0].set_yticks(range(len(ordered)))
axes[0].set_yticklabels(ordered)
axes[0].invert_yaxis()
fig.tight_layout()
fig.savefig(prefix + ".png", dpi=110)
write_report(prefix, md, {"cpu": cpu_name(), "cores": os.cpu_count(), "steps": steps,
                          "afqmc_metric": afqmc_metric, "afqmc_majority": majority,
                          "ranked_tasks": ranked_tasks, "schemes": table,
                          "runs": runs}, digits=6)
