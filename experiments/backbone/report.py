"""Report of experiments/backbone/run.sh (issue #16, item 1): reads OUT/corpus/report.json and
OUT/{roformer_v2,bert}/{config.json,metrics.jsonl} (bert when it has run), writes PREFIX.md,
PREFIX.json and PREFIX.png (training and held-out MLM loss against steps, both models).
    experiments/python.sh experiments/backbone/report.py OUT PREFIX"""
import json
import os
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from report_util import cpu_name, read_jsonl, step_spans, write_report  # noqa: E402

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

out, prefix = sys.argv[1], sys.argv[2]
with open(os.path.join(out, "corpus", "report.json"), encoding="utf-8") as f:
    corpus = json.load(f)
MODEL_NAMES = {"roformer_v2": "RoFormerV2-small", "bert": "BERT-small (same size)"}


def load_model(name):
    """Speed, training and held-out numbers of OUT/NAME (None when it has not started)."""
    run = os.path.join(out, name)
    if not os.path.exists(os.path.join(run, "metrics.jsonl")):
        return None
    with open(os.path.join(run, "config.json"), encoding="utf-8") as f:
        config = json.load(f)
    rows = read_jsonl(os.path.join(run, "metrics.jsonl"))
    steps = [r for r in rows if r["event"] == "step"]
    evals = [r for r in rows if r["event"] == "eval"]
    if not steps:
        return None
    seconds = sum(n * r.get("seconds_per_step", 0) for n, r in step_spans(steps))
    best = min(evals, key=lambda r: r["metrics"]["values"]["mlm_loss"]) if evals else None
    m = {
        "amp": config["train"]["amp"],
        "steps_done": steps[-1]["step"],
        "max_steps": config["train"]["max_steps"],
        "batch_size": config["data"]["batch_size"],
        "wall_seconds_training": seconds,
        "median_tokens_per_second": statistics.median(r["tokens_per_second"] for r in steps[1:] or steps),
        "final_train_loss_mean_last_50": statistics.mean(r["loss"] for r in steps[-50:]),
        "heldout_mlm_loss": [(r["step"], r["metrics"]["values"]["mlm_loss"]) for r in evals],
        "heldout_mlm_accuracy": [(r["step"], r["metrics"]["values"]["mlm_accuracy"])
                                 for r in evals if "mlm_accuracy" in r["metrics"]["values"]],
        "best": {"step": best["step"], "mlm_loss": best["metrics"]["values"]["mlm_loss"]} if best else None,
        "train_curve": [(r["step"], r["loss"]) for r in steps],
    }
    # Runs from before the trainer reported MLM accuracy: heldout_accuracy.json, the trainer's
    # held-out evaluation of best/ (same masks), made by experiments/backbone/heldout_eval.sh.
    extra = os.path.join(run, "heldout_accuracy.json")
    if os.path.exists(extra):
        with open(extra, encoding="utf-8") as f:
            m["best_reevaluated"] = json.load(f)
    return m


models = {name: m for name in MODEL_NAMES if (m := load_model(name)) is not None}
if "roformer_v2" not in models:
    sys.exit(f"{out}/roformer_v2/metrics.jsonl: no step rows yet")
main = models["roformer_v2"]
result = {"cpu": cpu_name(), "models": {k: {kk: vv for kk, vv in v.items() if kk != "train_curve"}
                                        for k, v in models.items()}, "corpus": corpus}


def unigram_cross_entropy():
    """Nats per character of the held-out text under the training text's character frequencies
    (add-one smoothed): what an MLM that ignores context would score (CJK characters are single
    tokens of the bert-base-chinese vocab)."""
    import collections
    import math
    with open(os.path.join(out, "corpus", "train.txt"), encoding="utf-8") as f:
        counts = collections.Counter(c for line in f for c in line.strip() if not c.isspace())
    total, vocab = sum(counts.values()), len(counts) + 1
    with open(os.path.join(out, "corpus", "heldout.txt"), encoding="utf-8") as f:
        held = [c for line in f for c in line.strip() if not c.isspace()]
    return -sum(math.log((counts[c] + 1) / (total + vocab)) for c in held) / len(held)


result["heldout_unigram_nats"] = unigram_cross_entropy()
done = main["steps_done"] == main["max_steps"]
md = [
    "# A Chinese backbone pretrained by sentzoo (issue #16, item 1)",
    "",
    f"`SENTZOO_DATA=... experiments/backbone/run.sh {main['max_steps']}`"
    + ("" if done else f" (**in progress: {main['steps_done']} of {main['max_steps']} steps**)")
    + f". RoFormerV2-small (18.7 M parameters), MLM (15% of tokens), bert-base-chinese vocab, "
    f"128 tokens, batch {main['batch_size']}, train.amp {main['amp']}; {result['cpu']}, 2 threads. "
    "`experiments/backbone/run.sh STEPS bert` trains the BERT of the same size (19.3 M parameters: "
    "learned positions, LayerNorm and biases, BERT's MLM head) on the same text with the same "
    "schedule.",
    "",
    f"Corpus: {corpus['train.txt']['lines']:,} texts, {corpus['train.txt']['characters']:,} "
    f"characters; held out: {corpus['heldout.txt']['lines']:,} texts "
    f"({corpus['heldout.txt']['characters']:,} characters, the last "
    f"{corpus['heldout_paragraphs']} paragraphs of hongloumeng).",
    "",
    "| source | texts | kept | in a dev/valid/test file | repeats a held-out text | duplicates |",
    "|---|---|---|---|---|---|",
]
for name, c in corpus["sources"].items():
    md.append(f"| {name} | {c['texts']:,} | {c['kept']:,} | {c['in_evaluation_files']:,} | "
              f"{c['in_heldout']:,} | {c['duplicates']:,} |")
md += ["", "Evaluation texts found in the training sources (each left out): " + ", ".join(
    f"{name} {n:,}" for name, n in corpus["overlap_by_eval_file"].items() if n), ""]
md += ["## Training and held-out MLM", "",
       f"Held-out MLM loss in nat per masked token (the training text's character frequencies alone "
       f"score {result['heldout_unigram_nats']:.3f} on the held-out text) and, where measured, the "
       "accuracy of the arg-max prediction at the masked tokens.", "",
       "| model | steps (of schedule) | step time | median tokens/s | train loss, last 50 | "
       "held-out loss at 500 / 1000 / 1500 / ... | best held-out loss | held-out accuracy |",
       "|---|---|---|---|---|---|---|---|"]
for name, m in models.items():
    accuracy = "–"
    if m["heldout_mlm_accuracy"]:
        step, acc = max(m["heldout_mlm_accuracy"], key=lambda x: x[1])
        accuracy = f"{100 * acc:.1f}% (best, step {step})"
    if "best_reevaluated" in m:
        r = m["best_reevaluated"]
        accuracy = f"{100 * r['mlm_accuracy']:.1f}% (best/, re-evaluated: loss {r['mlm_loss']:.3f})"
    losses = " / ".join(f"{v:.3f}" for _, v in m["heldout_mlm_loss"])
    md.append(f"| {MODEL_NAMES[name]} | {m['steps_done']:,} ({m['max_steps']:,}) | "
              f"{m['wall_seconds_training'] / 3600:.2f} h | {m['median_tokens_per_second']:.0f} | "
              f"{m['final_train_loss_mean_last_50']:.3f} | {losses} | "
              + (f"{m['best']['mlm_loss']:.3f} (step {m['best']['step']})" if m["best"] else "–")
              + f" | {accuracy} |")
md.append("")
if "bert" in models:
    b, r = models["bert"], dict(main["heldout_mlm_loss"])
    common = [(s, v, r[s]) for s, v in b["heldout_mlm_loss"] if s in r]
    if common:
        md.append("At equal steps (same text, batches and schedule), held-out loss BERT vs RoFormerV2: "
                  + ", ".join(f"step {s} {v:.3f} vs {w:.3f}" for s, v, w in common) + ".")
        md.append("")
write_report(prefix, md, result, digits=5)

fig, ax = plt.subplots(figsize=(7, 4))
for (name, m), colour in zip(models.items(), ("tab:blue", "tab:orange")):
    ax.plot([s for s, _ in m["train_curve"]], [v for _, v in m["train_curve"]], lw=0.6, alpha=0.5,
            color=colour, label=f"{MODEL_NAMES[name]}: training (batch)")
    if m["heldout_mlm_loss"]:
        ax.plot([s for s, _ in m["heldout_mlm_loss"]], [v for _, v in m["heldout_mlm_loss"]], "o-",
                color=colour, label=f"{MODEL_NAMES[name]}: held-out")
ax.axhline(result["heldout_unigram_nats"], color="grey", ls=":", label="character unigram (held-out)")
ax.set_xlabel("step")
ax.set_ylabel("MLM loss (nat)")
ax.legend(fontsize=7)
ax.set_title("MLM on the sentzoo Chinese corpus")
fig.tight_layout()
fig.savefig(prefix + ".png", dpi=110)
