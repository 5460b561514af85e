"""Report of experiments/backbone/packing.sh: OUT/pack_{false,true}/metrics.jsonl -> PREFIX.md,
PREFIX.json (tokens/s, tokens trained, wall time of the steps, held-out MLM loss and accuracy).
    experiments/python.sh experiments/backbone/packing_report.py OUT PREFIX"""
import os
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from report_util import cpu_name, read_jsonl, step_spans, write_report  # noqa: E402

out, prefix = sys.argv[1], sys.argv[2]
result = {}
for pack in ("false", "true"):
    rows = read_jsonl(os.path.join(out, f"pack_{pack}", "metrics.jsonl"))
    steps = [r for r in rows if r["event"] == "step"]
    evals = [r for r in rows if r["event"] == "eval"]
    if not steps or not evals:
        sys.exit(f"{out}/pack_{pack}: no finished run")
    spans = step_spans(steps)
    seconds = sum(n * r["seconds_per_step"] for n, r in spans)
    tokens = sum(n * r["seconds_per_step"] * r["tokens_per_second"] for n, r in spans)
    result["packed" if pack == "true" else "one_text_per_row"] = {
        "steps": steps[-1]["step"], "training_seconds": seconds, "training_tokens": tokens,
        "tokens_per_step": tokens / steps[-1]["step"],
        "median_tokens_per_second": statistics.median(r["tokens_per_second"] for r in steps[1:]),
        "heldout_mlm_loss": evals[-1]["metrics"]["values"]["mlm_loss"],
        "heldout_mlm_accuracy": evals[-1]["metrics"]["values"]["mlm_accuracy"]}
a, b = result["one_text_per_row"], result["packed"]
md = ["# Packing short texts for MLM pretraining (issue #16, item 1)", "",
      "Command: `SENTZOO_DATA=/work/shared/data experiments/backbone/packing.sh` "
      f"(RoFormerV2-small recipe of experiments/backbone/run.sh, fp32, {cpu_name()}, 2 threads). "
      "Tokens are real tokens (padding not counted); held-out = the recipe's held-out novel text, "
      "one text per row in both runs, same masks.", "",
      "| rows | steps of 32 rows | tokens per step | training tokens | tokens/s (median) | seconds of steps | "
      "held-out MLM loss | held-out accuracy |", "|---|---|---|---|---|---|---|---|"]
for name, r in (("one text per row", a), ("packed (data.pack_texts)", b)):
    md.append(f"| {name} | {r['steps']} | {r['tokens_per_step']:.0f} | {r['training_tokens']:,.0f} | "
              f"{r['median_tokens_per_second']:,.0f} | {r['training_seconds']:.0f} | "
              f"{r['heldout_mlm_loss']:.3f} | {r['heldout_mlm_accuracy'] * 100:.1f}% |")
md += ["", f"Packing trains {b['median_tokens_per_second'] / a['median_tokens_per_second']:.2f}x the tokens per "
       f"second ({b['tokens_per_step'] / a['tokens_per_step']:.2f}x the tokens per step); on "
       f"{b['training_tokens'] / a['training_tokens']:.2f}x the tokens in "
       f"{b['training_seconds'] / a['training_seconds']:.2f}x the time it reaches held-out loss "
       f"{b['heldout_mlm_loss']:.3f} vs {a['heldout_mlm_loss']:.3f} (with 1/3 of the optimizer steps)."]
write_report(prefix, md, result, digits=5)
print("\n".join(md[-1:]))
