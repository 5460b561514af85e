"""Issue #16 item 2: the splits of Su's matching protocol (REFERENCE.md §13), as plain TSV.

Writes OUT/TASK/{train,valid,test,curve}.tsv (text1<TAB>text2<TAB>label) and OUT/splits.json
(rows per split and where each came from). Fixed splits (seeded shuffle, seed 0), so every run
and every method sees the same pairs:

  afqmc  train = AFQMC train minus 2,000 pairs kept as valid; test = AFQMC dev (ATEC is not
         used: its valid/test repeat AFQMC-train texts, data README's leakage note)
  stsb   Chinese STS-B train / valid / test as published (integer scores 0-5); also
         train_binary.tsv and curve_binary.tsv (score >= 2.5 -> 1), the labels Sentence-BERT's
         softmax is trained on (the trainer checks dev labels against the softmax's classes)
  bq     BQ has no train split here: dev = 8,000 train + 2,000 valid; test = BQ test
  lcqmc  no train or test split here: dev = 1,000 valid + 2,000 "dev-test" + the rest train;
         with --lcqmc-test the whole remainder trains and the given file is the test set
  pawsx  the same with dev_2k: 400 valid + 600 dev-test + 1,000 train (--pawsx-test likewise)

  stsb_en English STS-B train / dev (as valid) / test (scores 0-5, floats)
  sick_en SICK train / trial (as valid) / test, relatedness 1-5; valid_entail / test_entail:
         the entailment judgment as a binary label (ENTAILMENT -> 1), for accuracy

curve.tsv = the first 500 pairs of valid: the dev set the trainer evaluates during training
(convergence charts, model selection), small enough to evaluate every quarter of a run.

  python3 prepare.py SENTZOO_DATA OUT [--lcqmc-test 1] [--pawsx-test 1]
Stdlib only.
"""
import argparse
import csv
import json
import os
import random
import sys


def read_pairs(path, delimiter="\t", header=False, columns=(0, 1, 2)):
    """[(text1, text2, label)] with the label as written; path:line errors for short rows."""
    rows = []
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL if delimiter == "," else csv.QUOTE_NONE)
        for line, row in enumerate(reader, 1):
            if header and line == 1:
                continue
            if len(row) <= max(columns):
                sys.exit(f"{path}:{line}: expected at least {max(columns) + 1} fields, found {len(row)}")
            a, b, y = (row[c].strip() for c in columns)
            if any(ch in a + b for ch in "\t\r\n"):
                sys.exit(f"{path}:{line}: expected texts without tabs or line breaks (TSV output), found one")
            try:
                float(y)
            except ValueError:
                sys.exit(f"{path}:{line}: expected a numeric label, found {y!r}")
            rows.append((a, b, y))
    return rows


def read_pairs_words(path, columns):
    """[(text1, text2, word)] from a headed TSV: a label column of words (SICK's entailment)."""
    with open(path, encoding="utf-8") as f:
        rows = [line.rstrip("\n").split("\t") for line in f][1:]
    for line, row in enumerate(rows, 2):
        if len(row) <= max(columns):
            sys.exit(f"{path}:{line}: expected at least {max(columns) + 1} fields, found {len(row)}")
    return [tuple(row[c].strip() for c in columns) for row in rows]


def write(path, rows):
    tmp = path + ".partial"
    with open(tmp, "w", encoding="utf-8") as f:
        for a, b, y in rows:
            f.write(f"{a}\t{b}\t{y}\n")
    os.replace(tmp, path)


def shuffled(rows, seed=0):
    rows = list(rows)
    random.Random(seed).shuffle(rows)
    return rows


def binarised(rows):
    """STS scores as Su's Sentence-BERT baseline trains on them: score >= 2.5 is a match."""
    return [(a, b, "1" if float(y) >= 2.5 else "0") for a, b, y in rows]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("out")
    ap.add_argument("--lcqmc-test", type=int, default=0, help="1: a test file is given for LCQMC")
    ap.add_argument("--pawsx-test", type=int, default=0, help="1: a test file is given for PAWS-X")
    args = ap.parse_args()
    zh = os.path.join(args.data, "zh")
    splits = {}

    def task(name, train, valid, test, sources, extra=None):
        d = os.path.join(args.out, name)
        os.makedirs(d, exist_ok=True)
        parts = {"train": train, "valid": valid, "curve": valid[:500]}
        if test is not None:
            parts["test"] = test
        parts.update(extra or {})
        for part, rows in parts.items():
            write(os.path.join(d, part + ".tsv"), rows)
        splits[name] = {"rows": {k: len(v) for k, v in parts.items()}, "sources": sources}

    afqmc = shuffled(read_pairs(os.path.join(zh, "AFQMC/train.txt")))
    task("afqmc", afqmc[2000:], afqmc[:2000], read_pairs(os.path.join(zh, "AFQMC/dev.txt")),
         {"train": "AFQMC/train.txt minus valid", "valid": "2,000 pairs of AFQMC/train.txt (seed 0)",
          "test": "AFQMC/dev.txt"})

    sts = {s: read_pairs(os.path.join(zh, f"STS-B/STS-B.{s}.data")) for s in ("train", "valid", "test")}
    task("stsb", sts["train"], sts["valid"], sts["test"],
         {"train": "STS-B.train.data", "valid": "STS-B.valid.data", "test": "STS-B.test.data",
          "train_binary": "STS-B.train.data, score >= 2.5 -> 1",
          "curve_binary": "curve.tsv, score >= 2.5 -> 1"},
         {"train_binary": binarised(sts["train"]), "curve_binary": binarised(sts["valid"][:500])})

    bq = shuffled(read_pairs(os.path.join(zh, "BQ/dev.csv"), delimiter=",", header=True))
    task("bq", bq[2000:], bq[:2000], read_pairs(os.path.join(zh, "BQ/test.csv"), delimiter=",", header=True),
         {"train": "8,000 pairs of BQ/dev.csv (seed 0)", "valid": "the other 2,000", "test": "BQ/test.csv"})

    for name, path, n_valid, n_test, given, kw in (
            ("lcqmc", "LCQMC/dev.txt", 1000, 2000, args.lcqmc_test, {}),
            ("pawsx", "PAWSX/dev_2k.tsv", 400, 600, args.pawsx_test, {"header": True, "columns": (1, 2, 3)})):
        rows = shuffled(read_pairs(os.path.join(zh, path), **kw))
        if given:
            task(name, rows[n_valid:], rows[:n_valid], None,
                 {"train": f"{path} minus valid", "valid": f"{n_valid} pairs of {path} (seed 0)",
                  "test": "the file given to run.sh"})
        else:
            task(name, rows[n_valid + n_test:], rows[:n_valid], rows[n_valid:n_valid + n_test],
                 {"train": f"{path} minus valid and dev-test", "valid": f"{n_valid} pairs of {path} (seed 0)",
                  "test": f"{n_test} other pairs of {path} (dev-test: the real test split is not here)"})

    # English, for all-MiniLM-L6-v2 (dual and cross encoder from the same checkpoint).
    en = os.path.join(args.data, "en")
    stsb_en = {s: read_pairs(os.path.join(en, f"STS-B/sts-{s}.csv"), columns=(5, 6, 4)) for s in ("train", "dev", "test")}
    task("stsb_en", stsb_en["train"], stsb_en["dev"], stsb_en["test"],
         {"train": "en/STS-B/sts-train.csv", "valid": "sts-dev.csv", "test": "sts-test.csv",
          "train_binary": "score >= 2.5 -> 1", "curve_binary": "score >= 2.5 -> 1"},
         {"train_binary": binarised(stsb_en["train"]), "curve_binary": binarised(stsb_en["dev"][:500])})
    sick = {s: read_pairs(os.path.join(en, f"SICK/SICK_{s}.txt"), header=True, columns=(1, 2, 3))
            for s in ("train", "trial", "test_annotated")}
    entail = {s: [(a, b, "1" if y == "ENTAILMENT" else "0")
                  for a, b, y in read_pairs_words(os.path.join(en, f"SICK/SICK_{s}.txt"), (1, 2, 4))]
              for s in ("trial", "test_annotated")}
    sick_mid = [(a, b, "1" if float(y) >= 3 else "0") for a, b, y in sick["train"]]  # 1..5 scale
    task("sick_en", sick["train"], sick["trial"], sick["test_annotated"],
         {"train": "en/SICK/SICK_train.txt (relatedness 1-5)", "valid": "SICK_trial.txt",
          "test": "SICK_test_annotated.txt", "train_binary": "relatedness >= 3 -> 1",
          "curve_binary": "relatedness >= 3 -> 1",
          "valid_entail": "SICK_trial.txt, entailment_judgment ENTAILMENT -> 1, else 0",
          "test_entail": "SICK_test_annotated.txt, the same"},
         {"train_binary": sick_mid,
          "curve_binary": [(a, b, "1" if float(y) >= 3 else "0") for a, b, y in sick["trial"][:500]],
          "valid_entail": entail["trial"], "test_entail": entail["test_annotated"]})

    tmp = os.path.join(args.out, "splits.json.partial")
    with open(tmp, "w") as f:
        json.dump(splits, f, indent=1, ensure_ascii=False)
    os.replace(tmp, os.path.join(args.out, "splits.json"))
    print(json.dumps({k: v["rows"] for k, v in splits.items()}))


if __name__ == "__main__":
    main()
