"""Issue #16: how far does surface overlap alone go on the matching splits? A model-free baseline
for docs/results/matching*.md: the score of a pair is the Jaccard overlap of its two texts'
character sets (unigrams) or character-bigram sets, nothing trained. Metrics as sentzoo-eval
computes them: test Spearman (average ranks for ties), and for the 0/1 tasks test accuracy / F1
with the threshold tuned on valid and applied unchanged (REFERENCE.md §9: the exact sweep of
metrics/threshold.h: splits at midpoints between adjacent distinct valid scores plus the two
extremes, predict 1 iff score > threshold, ties among optimal splits broken by the lower median).

    python3 lexical_baseline.py DATA OUT.json [TASK...]     (default: every Chinese task in DATA)
DATA = the folder experiments/matching/prepare.py wrote (DATA/TASK/{valid,test}.tsv). Stdlib only.
"""
import json
import math
import os
import sys

BINARY_TASKS = {"afqmc", "bq", "lcqmc", "pawsx"}
CHINESE_TASKS = ["afqmc", "stsb", "bq", "lcqmc", "pawsx"]


def read_tsv(path):
    pairs = []
    with open(path, encoding="utf-8") as f:
        for line_no, line in enumerate(f, 1):
            fields = line.rstrip("\n").split("\t")
            if len(fields) != 3:
                sys.exit(f"{path}:{line_no}: expected text1<TAB>text2<TAB>label, found {len(fields)} fields")
            pairs.append((fields[0], fields[1], float(fields[2])))
    return pairs


def grams(text, n):
    chars = [c for c in text if not c.isspace()]
    return {"".join(chars[i:i + n]) for i in range(len(chars) - n + 1)}


def jaccard(a, b, n):
    ga, gb = grams(a, n), grams(b, n)
    union = ga | gb
    return len(ga & gb) / len(union) if union else 0.0


def ranks(values):
    """1-based ranks, ties sharing their average rank."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    out = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            out[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return out


def spearman(x, y):
    rx, ry = ranks(x), ranks(y)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry))
    vx = sum((a - mx) ** 2 for a in rx)
    vy = sum((b - my) ** 2 for b in ry)
    return cov / math.sqrt(vx * vy) if vx > 0 and vy > 0 else float("nan")


def objective(labels, predicted, kind):
    tp = sum(1 for y, p in zip(labels, predicted) if y and p)
    if kind == "accuracy":
        return sum(1 for y, p in zip(labels, predicted) if y == p) / len(labels)
    fp = sum(1 for y, p in zip(labels, predicted) if p and not y)
    fn = sum(1 for y, p in zip(labels, predicted) if y and not p)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def best_threshold(scores, labels, kind):
    """The sweep of metrics/threshold.h (O(n^2) here: a few thousand pairs)."""
    distinct = sorted(set(scores))
    lo, hi = distinct[0], distinct[-1]
    candidates = [lo - max(1.0, abs(lo))]
    candidates += [(a + b) / 2 for a, b in zip(distinct, distinct[1:])]
    candidates.append(hi + max(1.0, abs(hi)))
    values = [objective(labels, [s > t for s in scores], kind) for t in candidates]
    best = max(values)
    optimal = [t for t, v in zip(candidates, values) if v == best]
    return optimal[(len(optimal) - 1) // 2]


def evaluate(data, task, n):
    valid, test = (read_tsv(os.path.join(data, task, f"{split}.tsv")) for split in ("valid", "test"))
    score = lambda pairs: [jaccard(a, b, n) for a, b, _ in pairs]  # noqa: E731
    valid_scores, test_scores = score(valid), score(test)
    test_labels = [y for _, _, y in test]
    result = {"spearman": spearman(test_scores, test_labels)}
    if task in BINARY_TASKS:
        valid_labels = [int(y) for _, _, y in valid]
        test_binary = [int(y) for y in test_labels]
        for kind in ("accuracy", "f1"):
            t = best_threshold(valid_scores, valid_labels, kind)
            result[kind] = objective(test_binary, [s > t for s in test_scores], kind)
            result[kind + "_threshold"] = t
    return result


def main():
    data, out, *tasks = sys.argv[1:]
    if not tasks:  # the Chinese tasks: characters are their words
        tasks = [t for t in CHINESE_TASKS if os.path.exists(os.path.join(data, t, "test.tsv"))]
    result = {"method": "character Jaccard overlap (no model)", "data": os.path.abspath(data),
              "tasks": {t: {"unigram": evaluate(data, t, 1), "bigram": evaluate(data, t, 2)} for t in tasks}}
    with open(out, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
