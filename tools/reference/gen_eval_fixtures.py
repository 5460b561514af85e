#!/usr/bin/env python3
"""Golden fixtures for metrics/metrics, io/npy and io/tensorboard (tests/fixtures/eval/).

Run from the repository root with the reference venv (never needed by ctest):
    .venv-ref/bin/python tools/reference/gen_eval_fixtures.py
Writes metrics.json (scipy/sklearn on seeded random data with many ties), small.npy (numpy.save)
and scalars.tfevents (tensorboard's protobuf Event + its TFRecord writer, fixed wall times).
"""
import io
import json
import math
import os
import sys

import numpy as np
import scipy
import scipy.stats
import sklearn
from sklearn import metrics as skm

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "fixtures", "eval")
SEED = 20261129


def num(x):
    x = float(x)
    return None if math.isnan(x) else x


def correlation_cases(rng):
    cases = []
    for n, levels in [(2, 0), (5, 3), (17, 4), (50, 0), (200, 7), (200, 2), (1000, 11)]:
        x = rng.normal(size=n) if levels == 0 else rng.integers(0, levels, size=n).astype(float)
        y = 0.5 * x + rng.normal(size=n) if levels == 0 else rng.integers(0, levels, size=n) + 0.3 * x
        y = np.round(y, 1)  # ties in y as well
        cases.append({"x": x.tolist(), "y": y.tolist(),
                      "pearson": num(scipy.stats.pearsonr(x, y)[0]),
                      "spearman": num(scipy.stats.spearmanr(x, y)[0])})
    x = [1.0, 2.0, 3.0, 4.0]
    cases.append({"x": x, "y": [2.0, 2.0, 2.0, 2.0], "pearson": None, "spearman": None})
    return cases


def binary_cases(rng):
    cases = []
    for n, levels, pos in [(4, 2, 0.5), (10, 3, 0.5), (37, 5, 0.3), (100, 0, 0.5), (300, 9, 0.6),
                           (1000, 21, 0.2), (64, 1, 0.5), (25, 4, 0.0), (25, 4, 1.0)]:
        labels = (rng.random(n) < pos).astype(int)
        if levels == 0:
            scores = rng.normal(size=n) + labels
        else:  # many ties: few distinct score levels, correlated with the label
            scores = np.round((rng.integers(0, levels, size=n) + 2.0 * labels) / levels, 3)
        t = float(np.median(scores))
        preds = (scores > t).astype(int)
        both = len(set(labels.tolist())) == 2
        cases.append({
            "labels": labels.tolist(), "scores": scores.tolist(), "predictions": preds.tolist(),
            "accuracy": skm.accuracy_score(labels, preds),
            "precision": skm.precision_score(labels, preds, zero_division=0.0),
            "recall": skm.recall_score(labels, preds, zero_division=0.0),
            "f1": skm.f1_score(labels, preds, zero_division=0.0),
            "mcc": skm.matthews_corrcoef(labels, preds),
            "ap": num(skm.average_precision_score(labels, scores)),
            "roc_auc": num(skm.roc_auc_score(labels, scores)) if both else None,
        })
    return cases


def multiclass_cases(rng):
    cases = []
    for n, k in [(10, 3), (200, 5)]:
        labels = rng.integers(0, k, size=n)
        preds = np.where(rng.random(n) < 0.6, labels, rng.integers(0, k, size=n))
        cases.append({"labels": labels.tolist(), "predictions": preds.tolist(),
                      "accuracy": skm.accuracy_score(labels, preds)})
    return cases


def threshold_cases(rng):
    """Best valid accuracy/F1 over every split (numpy brute force, extremes included) and what
    sentence-transformers 3.0.1's BinaryClassificationEvaluator sweep reports (no extremes; on
    tied scores its midpoint can equal a score, #384)."""
    from sentence_transformers.evaluation import BinaryClassificationEvaluator as BCE
    cases = []
    for n, levels, pos in [(50, 0, 0.5), (200, 0, 0.4), (500, 0, 0.6), (120, 4, 0.5),
                           (300, 6, 0.3), (40, 0, 0.9)]:
        labels = (rng.random(n) < pos).astype(int)
        if levels == 0:
            scores = rng.normal(size=n) + 1.2 * labels
        else:
            scores = np.round((rng.integers(0, levels, size=n) + 1.5 * labels) / levels, 3)
        u = np.unique(scores)
        cands = np.concatenate([[u[0] - 1], (u[:-1] + u[1:]) / 2, [u[-1] + 1]])
        accs, f1s = [], []
        for t in cands:
            p = (scores > t).astype(int)
            accs.append(skm.accuracy_score(labels, p))
            f1s.append(skm.f1_score(labels, p, zero_division=0.0))
        st_acc, st_acc_t = BCE.find_best_acc_and_threshold(scores, labels, True)
        st_f1 = BCE.find_best_f1_and_threshold(scores, labels, True)[0]
        cases.append({"labels": labels.tolist(), "scores": scores.tolist(),
                      "best_accuracy": max(accs), "best_f1": max(f1s),
                      "st_accuracy": float(st_acc), "st_accuracy_threshold": float(st_acc_t),
                      "st_f1": float(st_f1)})
    return cases


def lcqmc_jaccard():
    """Real-data check of the §9 protocol (needs $SENTZOO_DATA; skipped when absent): score =
    Jaccard overlap of the two texts' character sets, LCQMC dev even lines = valid, odd = test.
    The best valid accuracy by brute force over every split, the number of optimal splits, and
    the test accuracy at the documented threshold (lower median of the optimal splits)."""
    root = os.environ.get("SENTZOO_DATA")
    path = os.path.join(root or "", "zh", "LCQMC", "dev.txt")
    if not root or not os.path.exists(path):
        return None
    rows = []
    with open(path, encoding="utf-8", newline="\n") as f:
        for line in f:
            a, b, y = line.rstrip("\n").split("\t")
            sa, sb = set(a), set(b)
            rows.append((len(sa & sb) / len(sa | sb), int(y)))
    valid, test = rows[0::2], rows[1::2]
    vs = np.array([r[0] for r in valid]); vy = np.array([r[1] for r in valid])
    ts = np.array([r[0] for r in test]); ty = np.array([r[1] for r in test])
    u = np.unique(vs)
    splits = [u[0] - 1] + [(u[i] + u[i + 1]) / 2 for i in range(len(u) - 1)] + [u[-1] + 1]
    accs = [((vs > t).astype(int) == vy).mean() for t in splits]
    best = max(accs)
    optimal = [t for t, a in zip(splits, accs) if a == best]
    t = optimal[(len(optimal) - 1) // 2]
    return {"file": "zh/LCQMC/dev.txt", "valid_accuracy": best, "optimal_splits": len(optimal),
            "distinct_valid_scores": len(u), "threshold": t,
            "test_accuracy": float(((ts > t).astype(int) == ty).mean())}


def write_npy():
    a = (np.arange(15, dtype=np.float32).reshape(3, 5) - 7) / np.float32(3)
    a[0, 0] = np.float32(-0.0)
    a[2, 4] = np.float32(1e-30)
    np.save(os.path.join(OUT, "small.npy"), a)
    return a.tolist()


# (tag, value, step, wall_time) written after the file_version record.
TB_WALL0 = 1700000000.25
TB_SCALARS = [("train/loss", 0.75, 0, 1700000001.5), ("train/lr", 2e-5, 10, 1700000002.0),
              ("eval/spearman", -0.125, 123456789012, 1700000003.125),
              ("zero/\u00fcnic\u00f8de", 0.0, 3, 0.0), ("neg/step", 1.5, -1, 1700000004.0)]


def write_tfevents():
    import tensorboard
    from tensorboard.compat.proto import event_pb2, summary_pb2
    from tensorboard.summary.writer.record_writer import RecordWriter

    buf = io.BytesIO()
    w = RecordWriter(buf)
    w.write(event_pb2.Event(wall_time=TB_WALL0, file_version="brain.Event:2").SerializeToString())
    for tag, value, step, wall in TB_SCALARS:
        ev = event_pb2.Event(wall_time=wall, step=step, summary=summary_pb2.Summary(
            value=[summary_pb2.Summary.Value(tag=tag, simple_value=value)]))
        w.write(ev.SerializeToString())
    path = os.path.join(OUT, "scalars.tfevents")
    with open(path, "wb") as f:
        f.write(buf.getvalue())
    # Read it back with tensorboard's own loader, as a check on the fixture itself.
    from tensorboard.backend.event_processing.event_file_loader import LegacyEventFileLoader
    events = list(LegacyEventFileLoader(path).Load())
    assert events[0].file_version == "brain.Event:2", events[0]
    for ev, (tag, value, step, wall) in zip(events[1:], TB_SCALARS):
        v = ev.summary.value[0]
        assert (v.tag, ev.step, ev.wall_time) == (tag, step, wall), ev
        assert v.simple_value == np.float32(value), (v.simple_value, value)
    return tensorboard.__version__


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(SEED)
    fixture = {
        "version": 1,
        "made_by": "tools/reference/gen_eval_fixtures.py",
        "seed": SEED,
        "packages": {"python": sys.version.split()[0], "numpy": np.__version__,
                     "scipy": scipy.__version__, "scikit-learn": sklearn.__version__,
                     "sentence-transformers": __import__("sentence_transformers").__version__},
        "correlation": correlation_cases(rng),
        "binary": binary_cases(rng),
        "multiclass": multiclass_cases(rng),
        "threshold": threshold_cases(rng),
        "lcqmc_jaccard": lcqmc_jaccard(),
        "npy_small": write_npy(),
    }
    fixture["packages"]["tensorboard"] = write_tfevents()
    fixture["tensorboard_scalars"] = {
        "wall_time0": TB_WALL0,
        "scalars": [{"tag": t, "value": v, "step": s, "wall_time": w} for t, v, s, w in TB_SCALARS]}
    with open(os.path.join(OUT, "metrics.json"), "w") as f:
        json.dump(fixture, f, indent=None, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
