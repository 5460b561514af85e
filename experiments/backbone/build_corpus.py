#!/usr/bin/env python3
"""The Chinese pretraining text of issue #16, item 1 (stdlib only).

Usage: build_corpus.py DATA OUT [--max-chars 126] [--heldout-paragraphs 200]

DATA is SENTZOO_DATA. Writes OUT/train.txt (one text per line), OUT/heldout.txt (MLM dev: the
last --heldout-paragraphs paragraphs of hongloumeng, never in train.txt) and OUT/report.json.

Sources, training texts only (shared/data/README.md):
  - corpus/zh-classical-novels/*.txt: the four novels, paragraphs split at sentence ends into
    pieces of at most --max-chars characters (the encoder reads 128 tokens with [CLS]/[SEP]);
  - the *unlabelled* texts (both sides) of the Chinese training splits: zh/AFQMC/train.txt and
    zh/STS-B/STS-B.train.data. Not zh/ATEC/atec_nlp_sim_train.csv: it shares ~7,600 pairs with
    ATEC valid/test (the leakage note), and AFQMC train already stands for it.
Every text that also occurs in any dev/valid/test file of the Chinese sets (AFQMC dev, ATEC
valid/test, BQ dev/test, LCQMC dev, PAWS-X dev, STS-B valid/test, NLI dev/test), compared after
stripping whitespace, is left out; the report counts them per source and per evaluation file.
Exact duplicates within the training texts are kept once, and no training text repeats a
held-out piece.
"""
import argparse
import csv
import hashlib
import json
import pathlib
import re

SENTENCE_END = re.compile(r"(?<=[。！？；」』”])")

TRAIN_PAIRS = {"zh/AFQMC/train.txt": "tsv", "zh/STS-B/STS-B.train.data": "tsv"}
EVAL_FILES = {
    "zh/AFQMC/dev.txt": "tsv",
    "zh/ATEC/ATEC.valid.data": "tsv",
    "zh/ATEC/ATEC.test.data": "tsv",
    "zh/BQ/dev.csv": "csv",
    "zh/BQ/test.csv": "csv",
    "zh/LCQMC/dev.txt": "tsv",
    "zh/PAWSX/dev_2k.tsv": "pawsx",
    "zh/STS-B/STS-B.valid.data": "tsv",
    "zh/STS-B/STS-B.test.data": "tsv",
    "zh/NLI/Chinese-SNLI/dev.txt": "tsv",
    "zh/NLI/Chinese-SNLI/test.txt": "tsv",
    "zh/NLI/Chinese-MNLI/dev.txt": "tsv",
    "zh/NLI/OCNLI/dev.txt": "tsv",
}
NOVELS = ["sanguo_yanyi", "shuihu_zhuan", "hongloumeng", "xiyouji"]


def key(text):
    """What two texts must share to count as the same text."""
    return re.sub(r"\s+", "", text.replace("\ufeff", ""))


def pair_texts(path, kind):
    """Both texts of every pair of a labelled file (labels ignored)."""
    raw = path.read_text(encoding="utf-8-sig")
    if kind == "csv":  # BQ: quoted CSV with a header
        rows = list(csv.reader(raw.splitlines()))[1:]
        return [t for row in rows for t in row[:2]]
    lines = [line.rstrip("\r") for line in raw.split("\n") if line.strip()]
    if kind == "pawsx":  # header, then id, s1, s2, label
        return [t for line in lines[1:] for t in line.split("\t")[1:3]]
    return [t for line in lines for t in line.split("\t")[:2]]


def pieces(paragraph, max_chars):
    """A paragraph cut at sentence ends into pieces of at most max_chars (longer sentences cut)."""
    out, current = [], ""
    for sentence in filter(None, SENTENCE_END.split(paragraph)):
        while len(sentence) > max_chars:
            if current:
                out.append(current)
                current = ""
            out.append(sentence[:max_chars])
            sentence = sentence[max_chars:]
        if len(current) + len(sentence) > max_chars:
            out.append(current)
            current = ""
        current += sentence
    if current:
        out.append(current)
    return out


def novel_paragraphs(path):
    lines = path.read_text(encoding="utf-8").replace("\r\n", "\n").split("\n")
    return [line.strip() for line in lines[1:] if line.strip()]  # line 1: title and author


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", type=pathlib.Path)
    parser.add_argument("out", type=pathlib.Path)
    parser.add_argument("--max-chars", type=int, default=126)
    parser.add_argument("--heldout-paragraphs", type=int, default=200)
    args = parser.parse_args()

    evaluation = {}  # key -> the evaluation files it occurs in
    for name, kind in EVAL_FILES.items():
        for text in pair_texts(args.data / name, kind):
            evaluation.setdefault(key(text), set()).add(name)

    report = {"sources": {}, "overlap_by_eval_file": {name: 0 for name in EVAL_FILES},
              "max_chars": args.max_chars, "heldout_paragraphs": args.heldout_paragraphs}
    seen, train = set(), []
    # The MLM dev text first: no training text may repeat one of its pieces (the novels repeat
    # formulaic lines and verses).
    hong = novel_paragraphs(args.data / "corpus/zh-classical-novels/hongloumeng.txt")
    heldout = [p for paragraph in hong[-args.heldout_paragraphs:]
               for p in pieces(paragraph, args.max_chars)]
    held_keys = {key(t) for t in heldout}

    def add(source, texts):
        counts = {"texts": 0, "kept": 0, "in_evaluation_files": 0, "in_heldout": 0,
                  "duplicates": 0}
        for text in texts:
            counts["texts"] += 1
            k = key(text)
            if not k:
                continue
            if k in evaluation:
                counts["in_evaluation_files"] += 1
                for name in evaluation[k]:
                    report["overlap_by_eval_file"][name] += 1
                continue
            if k in held_keys:
                counts["in_heldout"] += 1
                continue
            if k in seen:
                counts["duplicates"] += 1
                continue
            seen.add(k)
            train.append(text.strip())
            counts["kept"] += 1
        report["sources"][source] = counts

    for novel in NOVELS:
        paragraphs = novel_paragraphs(args.data / "corpus/zh-classical-novels" / f"{novel}.txt")
        if novel == "hongloumeng":
            paragraphs = paragraphs[:-args.heldout_paragraphs]
        add(f"corpus/zh-classical-novels/{novel}.txt",
            [p for paragraph in paragraphs for p in pieces(paragraph, args.max_chars)])
    for name, kind in TRAIN_PAIRS.items():
        add(name, pair_texts(args.data / name, kind))

    assert not held_keys & {key(t) for t in train}
    args.out.mkdir(parents=True, exist_ok=True)
    for name, texts in (("train.txt", train), ("heldout.txt", heldout)):
        body = "\n".join(texts) + "\n"
        (args.out / name).write_text(body, encoding="utf-8")
        report[name] = {"lines": len(texts), "characters": sum(map(len, texts)),
                        "sha256": hashlib.sha256(body.encode("utf-8")).hexdigest()}
    (args.out / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
