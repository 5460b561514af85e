#!/usr/bin/env python3
"""Digests of every real data file as an independent Python parser reads it.

Writes tests/fixtures/data/real_digests.json, checked by tests/data/reader_digest_test.cpp
against sentzoo's read_dataset(). Standard library only (csv, json). For each spec the digest is
FNV-1a 64 over the UTF-8 bytes of, per example in file order,
    pairs:  text1 + "\\x1f" + text2 + "\\x1f" + str(round(label * 10000)) + "\\n"
    texts:  text + "\\n"
Usage: SENTZOO_DATA=../shared/data python3 tools/reference/gen_data_digests.py
"""
import csv
import json
import os
import sys

NLI = {"contradiction": 0, "neutral": 1, "entailment": 2}
ROOT = os.environ.get("SENTZOO_DATA", "/work/shared/data")


def fnv1a64(data: bytes) -> str:
    h = 0xCBF29CE484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def lines_of(path, encoding="utf-8"):
    text = open(path, "rb").read().decode(encoding)
    text = text.lstrip("\ufeff")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [l[:-1] if l.endswith("\r") else l for l in lines]


def clean(s):
    return s.lstrip("\ufeff")


def tab_pairs(path, cols=(0, 1, 2), header=None, label_of=float):
    rows = [l.split("\t") for l in lines_of(path) if l != ""]
    if header is not None:
        names = [clean(n).strip() for n in rows[0]]
        cols = [names.index(c) for c in header]
        rows = rows[1:]
    return [(clean(r[cols[0]]), clean(r[cols[1]]), label_of(r[cols[2]].strip())) for r in rows]


def bq_pairs(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    return [(r[0], r[1], float(r[2])) for r in rows[1:]]


def texts(path, encoding="utf-8"):
    return [l for l in lines_of(path, encoding) if l.strip(" \t\r\n\v\f") != ""]


def digest_pairs(pairs):
    out = "".join(f"{a}\x1f{b}\x1f{round(y * 10000)}\n" for a, b, y in pairs)
    return {"examples": len(pairs), "fnv1a64": fnv1a64(out.encode("utf-8"))}


def digest_texts(items):
    out = "".join(t + "\n" for t in items)
    return {"examples": len(items), "fnv1a64": fnv1a64(out.encode("utf-8"))}


def main():
    p = lambda rel: os.path.join(ROOT, rel)
    specs = {}
    for rel in ["zh/LCQMC/dev.txt", "zh/ATEC/ATEC.valid.data", "zh/ATEC/ATEC.test.data",
                "zh/AFQMC/train.txt", "zh/AFQMC/dev.txt", "zh/STS-B/STS-B.train.data",
                "zh/STS-B/STS-B.valid.data", "zh/STS-B/STS-B.test.data"]:
        specs[f"tsv:{rel}"] = digest_pairs(tab_pairs(p(rel)))
    specs["tsv:zh/ATEC/atec_nlp_sim_train.csv?columns=1,2,3"] = digest_pairs(
        tab_pairs(p("zh/ATEC/atec_nlp_sim_train.csv"), cols=(1, 2, 3)))
    for rel in ["zh/BQ/dev.csv", "zh/BQ/test.csv"]:
        specs[f"bq:{rel}"] = digest_pairs(bq_pairs(p(rel)))
    specs["pawsx:zh/PAWSX/dev_2k.tsv"] = digest_pairs(
        tab_pairs(p("zh/PAWSX/dev_2k.tsv"), header=("sentence1", "sentence2", "label")))
    for rel in ["zh/NLI/Chinese-SNLI/dev.txt", "zh/NLI/Chinese-SNLI/test.txt",
                "zh/NLI/Chinese-MNLI/dev.txt", "zh/NLI/OCNLI/dev.txt"]:
        specs[f"nli:{rel}"] = digest_pairs(tab_pairs(p(rel), label_of=lambda w: NLI[w]))
    for rel in ["en/STS-B/sts-train.csv", "en/STS-B/sts-dev.csv", "en/STS-B/sts-test.csv"]:
        specs[f"stsb:{rel}"] = digest_pairs(tab_pairs(p(rel), cols=(5, 6, 4)))
    for rel in ["en/SICK/SICK_train.txt", "en/SICK/SICK_trial.txt",
                "en/SICK/SICK_test_annotated.txt"]:
        specs[f"sick:{rel}"] = digest_pairs(
            tab_pairs(p(rel), header=("sentence_A", "sentence_B", "relatedness_score")))
        specs[f"sick:{rel}?label=entailment_judgment"] = digest_pairs(
            tab_pairs(p(rel), header=("sentence_A", "sentence_B", "entailment_judgment"),
                      label_of=lambda w: NLI[w.lower()]))
    corpus = sorted(os.listdir(p("corpus/zh-classical-novels")))
    for name in corpus:
        rel = f"corpus/zh-classical-novels/{name}"
        specs[f"text:{rel}"] = digest_texts(texts(p(rel)))
    for name in sorted(os.listdir(p("corpus/en-gutenberg"))):
        if not name.endswith(".txt"):
            continue
        rel = f"corpus/en-gutenberg/{name}"
        if name in ("chesterton-ball.txt", "shakespeare-caesar.txt"):
            specs[f"text:{rel}?encoding=latin1"] = digest_texts(texts(p(rel), "latin-1"))
        else:
            specs[f"text:{rel}"] = digest_texts(texts(p(rel)))
    out = {
        "version": 1,
        "made_by": "tools/reference/gen_data_digests.py (Python %d.%d, stdlib csv/json), "
                   "SENTZOO_DATA=../shared/data (sha256 in its SHA256SUMS)" % sys.version_info[:2],
        "digests": specs,
    }
    here = os.path.dirname(os.path.abspath(__file__))
    dest = os.path.join(here, "..", "..", "tests", "fixtures", "data", "real_digests.json")
    with open(dest, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {len(specs)} digests to {os.path.normpath(dest)}")


if __name__ == "__main__":
    main()
