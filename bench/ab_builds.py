#!/usr/bin/env python3
"""Two sentzoo builds side by side in one run (e.g. the commit before a redesign and after it):
the bench's train and encode cells and an end-to-end sentzoo-train fine-tune, alternating
before/after each round so both see the same machine load. Medians and after/before ratios go to
a JSON file and a Markdown table.

    python3 bench/ab_builds.py --before /tmp/cc/build --after build \
        --before-label e2fecf9 --after-label "redesign" --rounds 3 \
        --out docs/results/redesign_speed

Needs no Python package beyond the standard library. SENTZOO_DATA must hold en/STS-B for the
fine-tune cell (it is skipped, and says so, otherwise); the model is
~/.cache/sentzoo/models/all-MiniLM-L6-v2 (bench/run.sh fetches it).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

MINILM = os.path.expanduser("~/.cache/sentzoo/models/all-MiniLM-L6-v2")


def run_json(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def bench_cells(threads, steps):
    cells = []
    for arch in ("bert", "roformer_v2", "deepnet"):
        cells.append(("train", arch, ["train", "--arch", arch, "--size", "small", "--seq", "128",
                                      "--batch", "8", "--threads", str(threads), "--steps", str(steps),
                                      "--warmup", "1"]))
        cells.append(("encode", arch, ["encode", "--arch", arch, "--size", "small", "--seq", "64",
                                       "--batch", "32", "--threads", str(threads), "--steps", str(steps),
                                       "--warmup", "1"]))
    return cells


def finetune(build, threads, steps, workdir):
    """Wall seconds of sentzoo-train fine-tuning MiniLM on STS-B with CoSENT (no eval, no
    checkpoint): the trainer's own loop, objectives and data path end to end."""
    cfg = {"objective": "dual",
           "model": {"init_from": MINILM, "pooling": {"mode": "mean"}},
           "tokenizer": {"vocab": MINILM, "lowercase": True, "max_length": 128},
           "data": {"train": "stsb:en/STS-B/sts-train.csv", "batch_size": 16, "max_examples": 2000},
           "loss": {"name": "cosent", "params": {"scale": 20}},
           "optim": {"lr": 2e-5},
           "train": {"max_steps": steps, "seed": 1, "log_every": steps, "eval_every": 0,
                     "checkpoint_every": 0}}
    path = os.path.join(workdir, "config.json")
    with open(path, "w") as f:
        json.dump(cfg, f)
    out = os.path.join(workdir, "run-%d" % time.monotonic_ns())
    start = time.perf_counter()
    subprocess.run([os.path.join(build, "sentzoo-train"), "--config", path, "--output", out,
                    "--threads", str(threads)], check=True, capture_output=True)
    return time.perf_counter() - start


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--before", required=True, help="build folder of the first build")
    p.add_argument("--after", required=True, help="build folder of the second build")
    p.add_argument("--before-label", default="before")
    p.add_argument("--after-label", default="after")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    p.add_argument("--steps", type=int, default=5, help="measured steps per bench cell")
    p.add_argument("--finetune-steps", type=int, default=30)
    p.add_argument("--out", required=True, help="output path without extension (.json, .md)")
    a = p.parse_args()
    builds = [("before", a.before), ("after", a.after)]
    raw = {}
    have_data = os.path.isdir(os.path.join(os.environ.get("SENTZOO_DATA", ""), "en", "STS-B")) \
        and os.path.isdir(MINILM)
    with tempfile.TemporaryDirectory() as work:
        for r in range(a.rounds):
            order = builds if r % 2 == 0 else builds[::-1]
            for mode, arch, args in bench_cells(a.threads, a.steps):
                for key, build in order:
                    res = run_json([os.path.join(build, "sentzoo-bench"), "--mode"] + args)
                    raw.setdefault((mode, arch), {}).setdefault(key, []).append(res["sentences_per_s"])
            if have_data:
                for key, build in order:
                    sec = finetune(build, a.threads, a.finetune_steps, work)
                    raw.setdefault(("sentzoo-train fine-tune (s, lower is better)", "MiniLM"), {}) \
                        .setdefault(key, []).append(sec)
            print("round %d done" % (r + 1), file=sys.stderr)
    rows = []
    for (mode, arch), vals in raw.items():
        b, f = statistics.median(vals["before"]), statistics.median(vals["after"])
        rows.append({"cell": mode, "arch": arch, "before": b, "after": f, "after_over_before": f / b,
                     "before_runs": vals["before"], "after_runs": vals["after"]})
    meta = {"before": {"build": a.before, "label": a.before_label},
            "after": {"build": a.after, "label": a.after_label},
            "rounds": a.rounds, "threads": a.threads, "cpu": cpu_model(),
            "finetune": "skipped: SENTZOO_DATA/en/STS-B or the MiniLM folder is missing"
            if not have_data else "%d steps x 16 pairs, max_length 128" % a.finetune_steps,
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    os.makedirs(os.path.dirname(a.out) or ".", exist_ok=True)
    with open(a.out + ".json", "w") as f:
        json.dump({"meta": meta, "rows": rows}, f, indent=1)
    lines = ["# %s vs %s, side by side" % (a.after_label, a.before_label), "",
             "Command: `python3 bench/ab_builds.py --before %s --after %s --rounds %d --threads %d --steps %d`; "
             "%s; CPU: %s; cells alternate the two builds every round, medians of %d runs (every run in the JSON)." %
             (a.before, a.after, a.rounds, a.threads, a.steps, meta["date"], meta["cpu"], a.rounds), "",
             "| cell | arch | %s | %s | after / before |" % (a.before_label, a.after_label),
             "|---|---|---|---|---|"]
    for r in rows:
        unit = "s" if r["cell"].startswith("sentzoo-train") else "sent/s"
        lines.append("| %s | %s | %.1f %s | %.1f %s | %.3f |" % (
            r["cell"], r["arch"], r["before"], unit, r["after"], unit, r["after_over_before"]))
    lines += ["", "sentzoo-bench cells: small encoders (6 layers, hidden 384), train: T = 128, 8 pairs "
              "per step, fp32; encode: T = 64, batch 32. Fine-tune: %s." % meta["finetune"]]
    with open(a.out + ".md", "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


if __name__ == "__main__":
    main()
