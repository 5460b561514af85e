"""The finished runs of experiments/matching/run.sh under OUT (OUT/TASK/INIT/METHOD/{run.json,
eval.json, eval_entail.json, train/metrics.jsonl}), for report.py and budget_report.py."""
import glob
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from report_util import read_jsonl  # noqa: E402


def load_runs(out):
    """{(task, init, method): run.json's fields + test / valid metrics, the trainer's valid-subset
    Spearman curve [(step, value)], SICK's entailment test metrics (or None), best_step,
    test_path and the last logged training loss}, for every run with an eval.json."""
    runs = {}
    for path in sorted(glob.glob(os.path.join(out, "*", "*", "*", "eval.json"))):
        d = os.path.dirname(path)
        with open(path, encoding="utf-8") as f:
            ev = json.load(f)
        with open(os.path.join(d, "run.json"), encoding="utf-8") as f:
            info = json.load(f)
        rows = read_jsonl(os.path.join(d, "train", "metrics.jsonl"))
        curve = [(r["step"], r["metrics"]["values"].get("spearman")) for r in rows if r["event"] == "eval"]
        step_rows = [r for r in rows if r["event"] == "step"]
        entail = None
        if os.path.exists(os.path.join(d, "eval_entail.json")):
            with open(os.path.join(d, "eval_entail.json"), encoding="utf-8") as f:
                entail = json.load(f)["test"]
        runs[(info["task"], info["init"], info["method"])] = {
            **info, "test": ev["test"], "valid": ev["valid"], "curve": curve, "test_entail": entail,
            "best_step": ev["model"]["best_step"], "test_path": info["test"],
            "final_train_loss": step_rows[-1]["loss"] if step_rows else None}
    return runs
