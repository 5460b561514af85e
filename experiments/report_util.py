"""Pieces shared by the experiments' report scripts (experiments/*/report.py): the host's CPU
name, metrics.jsonl rows, and writing PREFIX.md / PREFIX.json with the hand-written
PREFIX_discussion.md (if any) appended to the generated table. Standard library only."""
import json
import os
import platform


def cpu_name():
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor()


def read_jsonl(path):
    """The rows of a JSON-lines file; [] when it does not exist."""
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def step_spans(step_rows):
    """[(steps, row)] for the trainer's "step" rows of metrics.jsonl: each row reports the mean
    seconds_per_step and tokens_per_second of the steps since the row before it."""
    return [(r["step"] - p["step"], r) for p, r in zip([{"step": 0}] + step_rows[:-1], step_rows)]


def rounded(value, digits):
    """value with every float rounded to `digits` significant digits (lists and dicts walked)."""
    if isinstance(value, float):
        return float(f"{value:.{digits}g}")
    if isinstance(value, list):
        return [rounded(v, digits) for v in value]
    if isinstance(value, dict):
        return {k: rounded(v, digits) for k, v in value.items()}
    return value


def write_report(prefix, md_lines, result, digits=None, indent=2):
    """PREFIX.json (result; floats to `digits` significant digits when given; indent None: one
    compact line, for reports that carry whole curves) and PREFIX.md (md_lines, then
    PREFIX_discussion.md when present)."""
    if digits is not None:
        result = rounded(result, digits)
    with open(prefix + ".json", "w", encoding="utf-8") as f:
        json.dump(result, f, indent=indent, ensure_ascii=False,
                  separators=(",", ": ") if indent is not None else (",", ":"))
        f.write("\n")
    text = "\n".join(md_lines) + "\n"
    notes = prefix + "_discussion.md"
    if os.path.exists(notes):
        with open(notes, encoding="utf-8") as n:
            text += "\n" + n.read()
    with open(prefix + ".md", "w", encoding="utf-8") as f:
        f.write(text)


WINDOW = 10  # steps in a smoothed loss
# A blow-up: the WINDOW-step mean loss this far above its lowest so far. Not 1: on the novel's
# length-bucketed batches (same order for every run of a seed) healthy runs swing by up to
# ~1.3 nat between 10-step means once short and long batches alternate (from step ~170).
JUMP_NATS = 2.0
# Behind: the WINDOW-step mean this far above the best run of its group at the same step; the
# runs of a group share data order and masks, so the batch-to-batch swing cancels.
BEHIND_NATS = 0.5


def load_mlm_run(out, name, steps):
    """A run of experiments/mlm_run.sh: its loss curve, per-layer norm rows, wall time, and how it
    ended. Divergence, two kinds: the loss (or gradient norm) turned non-finite (sentzoo-train
    stops and names the step), or a blow-up: the WINDOW-step mean loss rises more than JUMP_NATS
    above its lowest value so far (see JUMP_NATS). Exits when the run failed for another
    reason."""
    import re
    import sys
    with open(os.path.join(out, name + ".done"), encoding="utf-8") as f:
        done = json.load(f)
    rows = read_jsonl(os.path.join(out, name, "metrics.jsonl"))
    loss = {r["step"]: r["loss"] for r in rows if r["event"] == "step"}
    layers = {r["step"]: r["groups"] for r in rows if r["event"] == "layers"}
    with open(os.path.join(out, name + ".train.log"), encoding="utf-8", errors="replace") as f:
        log = f.read()
    nonfinite = re.search(r"step (\d+): the (loss|gradient norm) is not finite", log)
    if done["exit_code"] != 0 and not nonfinite:
        sys.exit(f"{name}: sentzoo-train failed (exit {done['exit_code']}) for another reason than "
                 f"a non-finite loss; see {out}/{name}.train.log")
    curve = [loss[s] for s in sorted(loss)]
    means = [sum(curve[i - WINDOW + 1:i + 1]) / WINDOW for i in range(WINDOW - 1, len(curve))]
    jump, best = None, float("inf")
    for i, mean in enumerate(means):
        if mean > best + JUMP_NATS:
            jump = i + WINDOW  # the step that completes the window
            break
        best = min(best, mean)
    tail = curve[-50:]
    return {
        "seconds": done["seconds"],
        "steps_done": len(curve),
        "nonfinite_step": int(nonfinite.group(1)) if nonfinite else None,
        "nonfinite_what": nonfinite.group(2) if nonfinite else None,
        "jump_step": jump,
        "min_mean10": min(means) if means else None,
        "final_mean50": sum(tail) / len(tail) if len(curve) == steps else None,
        "curve": curve,
        "layers": {str(s): layers[s] for s in sorted(layers)},
    }


def load_mlm_runs(out, pattern, fields, steps, keep_layer_steps):
    """Every finished run in OUT whose NAME.done matches `pattern` (a regex over NAME, one group
    per name in `fields`, ints where they are digits), as load_mlm_run dicts with those fields
    added and only the per-layer rows of `keep_layer_steps` kept; keyed by NAME."""
    import re
    runs = {}
    for entry in sorted(os.listdir(out)):
        m = re.fullmatch(pattern + r"\.done", entry)
        if not m:
            continue
        name = entry[:-len(".done")]
        run = load_mlm_run(out, name, steps)
        run.update({f: int(v) if v.isdigit() else v for f, v in zip(fields, m.groups())})
        run["layers"] = {s: g for s, g in run["layers"].items() if s in keep_layer_steps}
        runs[name] = run
    return runs


def mark_behind(group):
    """For runs that share data order and masks (a dict name -> load_mlm_run dict): each run's
    "excess" (its WINDOW-step mean minus the group's lowest at that step, per step), the largest
    one ("max_excess") and the first step where it passes BEHIND_NATS ("behind_step", or None)."""
    curves = {name: smooth(run["curve"]) for name, run in group.items()}
    steps = max((len(c) for c in curves.values()), default=0)
    best = [min(c[i] for c in curves.values() if i < len(c)) for i in range(steps)]
    for name, run in group.items():
        excess = [v - best[i] for i, v in enumerate(curves[name])]
        run["max_excess"] = max(excess) if excess else None
        run["behind_step"] = next((i + 1 for i, e in enumerate(excess) if e > BEHIND_NATS), None)


def smooth(curve):
    """The WINDOW-step trailing mean of a curve (shorter windows at its start)."""
    return [sum(curve[max(0, i - WINDOW + 1):i + 1]) / (i + 1 - max(0, i - WINDOW + 1))
            for i in range(len(curve))]


def verdict(run):
    """'non-finite loss at step S', 'blow-up at step S', 'stable; behind from step S'
    (mark_behind) or 'stable' for a load_mlm_run dict."""
    if run["nonfinite_step"]:
        return f"non-finite {run['nonfinite_what']} at step {run['nonfinite_step']}"
    if run["jump_step"]:
        return f"blow-up at step {run['jump_step']}"
    if run.get("behind_step"):
        return f"stable; behind from step {run['behind_step']}"
    return "stable"


def fmt(x, spec=".2f"):
    """A table cell: the number formatted, or empty for None."""
    return "" if x is None else format(x, spec)


def layer_total(run, step, key):
    """The norm over all encoder layers of one per-layer quantity at a logged step, or None."""
    groups = [g for g in run["layers"].get(str(step), []) if g["group"].startswith("layers.")]
    return (sum(g[key] ** 2 for g in groups)) ** 0.5 if groups else None
