"""Report of experiments/backbone/run.sh (issue #16, item 1): reads OUT/corpus/report.json and
OUT/roformer_v2/{config.json,metrics.jsonl}, writes PREFIX.md, PREFIX.json and PREFIX.png (training
and held-out MLM loss against steps).
    experiments/python.sh experiments/backbone/report.py OUT PREFIX"""
import json
import os
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from report_util import cpu_name, read_jsonl, write_report  # noqa: E402

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

out, prefix = sys.argv[1], sys.argv[2]
run = os.path.join(out, "roformer_v2")
with open(os.path.join(out, "corpus", "report.json"), encoding="utf-8") as f:
    corpus = json.load(f)
with open(os.path.join(run, "config.json"), encoding="utf-8") as f:
    config = json.load(f)
rows = read_jsonl(os.path.join(run, "metrics.jsonl"))
steps = [r for r in rows if r["event"] == "step"]
evals = [r for r in rows if r["event"] == "eval"]
if not steps:
    sys.exit(f"{run}/metrics.jsonl: no step rows yet")

seconds = sum(r.get("seconds_per_step", 0) * (r["step"] - p["step"])
              for p, r in zip([{"step": 0}] + steps[:-1], steps))
tokens_per_second = statistics.median(r["tokens_per_second"] for r in steps[1:] or steps)
best = min(evals, key=lambda r: r["metrics"]["values"]["mlm_loss"]) if evals else None
result = {
    "cpu": cpu_name(),
    "amp": config["train"]["amp"],
    "steps_done": steps[-1]["step"],
    "max_steps": config["train"]["max_steps"],
    "batch_size": config["data"]["batch_size"],
    "wall_seconds_training": seconds,
    "median_tokens_per_second": tokens_per_second,
    "final_train_loss_mean_last_50": statistics.mean(r["loss"] for r in steps[-50:]),
    "heldout_mlm_loss": [(r["step"], r["metrics"]["values"]["mlm_loss"]) for r in evals],
    "best": {"step": best["step"], "mlm_loss": best["metrics"]["values"]["mlm_loss"]} if best else None,
    "corpus": corpus,
}


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
done = result["steps_done"] == result["max_steps"]
md = [
    "# A Chinese backbone pretrained by sentzoo (issue #16, item 1)",
    "",
    f"`SENTZOO_DATA=... experiments/backbone/run.sh {result['max_steps']}`"
    + ("" if done else f" (**in progress: {result['steps_done']} of {result['max_steps']} steps**)")
    + f". RoFormerV2-small (18.7 M parameters), MLM (15% of tokens), bert-base-chinese vocab, "
    f"128 tokens, batch {result['batch_size']}, train.amp {result['amp']}; {result['cpu']}, 2 threads.",
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
    f"{name} {n:,}" for name, n in corpus["overlap_by_eval_file"].items() if n), "",
       f"Training: {result['steps_done']} steps in {seconds / 3600:.2f} h of step time, median "
       f"{tokens_per_second:.0f} tokens/s; mean training loss of the last 50 steps "
       f"{result['final_train_loss_mean_last_50']:.3f} nat.", ""]
if best:
    md.append(f"Held-out MLM loss: " + ", ".join(f"step {s} {v:.3f}" for s, v in result["heldout_mlm_loss"])
              + f"; best {best['metrics']['values']['mlm_loss']:.3f} at step {best['step']} "
              f"(the model in best/; the training text's character frequencies alone score "
              f"{result['heldout_unigram_nats']:.3f} on the held-out text).")
write_report(prefix, md, result, digits=5)

fig, ax = plt.subplots(figsize=(7, 4))
ax.plot([r["step"] for r in steps], [r["loss"] for r in steps], lw=0.8, label="training (batch)")
if evals:
    ax.plot([s for s, _ in result["heldout_mlm_loss"]], [v for _, v in result["heldout_mlm_loss"]],
            "o-", label="held-out")
ax.set_xlabel("step")
ax.set_ylabel("MLM loss (nat)")
ax.legend()
ax.set_title("RoFormerV2-small MLM on the sentzoo Chinese corpus")
fig.tight_layout()
fig.savefig(prefix + ".png", dpi=110)
