#!/usr/bin/env python3
"""Golden fixtures for the WordPiece tokenizer, from Hugging Face BertTokenizerFast.

Usage (writes tests/fixtures/tokenizer/*):
  SENTZOO_DATA=../shared/data .venv-ref/bin/python tools/reference/gen_tokenizer_fixtures.py

Outputs
  tiny_vocab.txt   a small vocab.txt made here, so rule tests run without SENTZOO_DATA
  rules.json       hand-picked texts (accents, control chars, CJK, punctuation, long words, [UNK],
                   special tokens) with HF's pre-tokens and ids; random Unicode strings with HF's
                   pre-tokens; pair truncation lengths for every strategy on a grid
  <set>.json       per data file: one FNV-1a 64 hash per data row of
                   "<ids a>;<ids b>;<ids pair>;<type ids pair>" (ids space-separated, [CLS]/[SEP]
                   included, no truncation), ~20 readable rows, and for the first 300 rows a second
                   hash over truncated encodings (see TRUNCATIONS)
Rows are read as the data README says: split on '\n' (not splitlines), tabs only for TSV, a
quote-aware CSV parse for BQ; BOM removed at the start of the file; header lines skipped.
"""
import csv
import json
import os
import random
import sys
import unicodedata

import tokenizers
import transformers
from transformers import BertTokenizerFast

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "fixtures", "tokenizer")
MADE_BY = "tools/reference/gen_tokenizer_fixtures.py"
VERSIONS = {"tokenizers": tokenizers.__version__, "transformers": transformers.__version__,
            "python": sys.version.split()[0], "unicodedata": unicodedata.unidata_version}
SEED = 1234
TRUNCATION_ROWS = 300
TRUNCATIONS = [(16, "longest_first"), (16, "only_first"), (16, "only_second"),
               (32, "longest_first"), (32, "only_first"), (32, "only_second")]

# (name, path under SENTZOO_DATA, vocab, format)
SETS = [
    ("en_stsb_train", "en/STS-B/sts-train.csv", "uncased", "stsb_en"),
    ("en_stsb_dev", "en/STS-B/sts-dev.csv", "uncased", "stsb_en"),
    ("en_stsb_test", "en/STS-B/sts-test.csv", "uncased", "stsb_en"),
    ("zh_stsb_train", "zh/STS-B/STS-B.train.data", "chinese", "tsv3"),
    ("zh_stsb_valid", "zh/STS-B/STS-B.valid.data", "chinese", "tsv3"),
    ("zh_stsb_test", "zh/STS-B/STS-B.test.data", "chinese", "tsv3"),
    ("lcqmc_dev", "zh/LCQMC/dev.txt", "chinese", "tsv3"),
    ("bq_dev", "zh/BQ/dev.csv", "chinese", "csv_header"),
    ("pawsx_dev", "zh/PAWSX/dev_2k.tsv", "chinese", "tsv_id_header"),
    ("afqmc_dev", "zh/AFQMC/dev.txt", "chinese", "tsv3"),
]
VOCABS = {"uncased": "vocab/bert-base-uncased-vocab.txt",
          "chinese": "vocab/bert-base-chinese-vocab.txt"}


def fnv1a64(text):
    h = 0xCBF29CE484222325
    for b in text.encode("utf-8"):
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % h


def join(ids):
    return " ".join(str(i) for i in ids)


def read_rows(path, fmt):
    """[(line number, text1, text2)], line numbers 1-based in the file."""
    with open(path, "rb") as f:
        text = f.read().decode("utf-8")
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    rows = []
    if fmt == "csv_header":
        for i, fields in enumerate(csv.reader(lines)):
            if i == 0:
                continue
            assert len(fields) == 3, (path, i + 1, fields)
            rows.append((i + 1, fields[0], fields[1]))
        return rows
    for i, line in enumerate(lines):
        fields = line.split("\t")
        if fmt == "stsb_en":
            rows.append((i + 1, fields[5], fields[6]))
        elif fmt == "tsv3":
            assert len(fields) == 3, (path, i + 1)
            rows.append((i + 1, fields[0], fields[1]))
        elif fmt == "tsv_id_header":
            if i == 0:
                continue
            assert len(fields) == 4, (path, i + 1)
            rows.append((i + 1, fields[1], fields[2]))
    return rows


def encode(tok, a, b=None, max_length=None, truncation=None):
    try:
        kw = {"max_length": max_length, "truncation": truncation} if max_length else {}
        if b is None:
            e = tok(a, **kw)
            return e["input_ids"], e["token_type_ids"]
        # Batched, because transformers' single-pair call encodes (a, "") as the single text a
        # (`if text_pair` in _encode_plus); the batched call, which training code uses, keeps
        # the pair: [CLS] a [SEP] [SEP].
        e = tok([a], [b], **kw)
        return e["input_ids"][0], e["token_type_ids"][0]
    except Exception:  # HF refuses (only_first / only_second cannot reach max_length)
        return None, None


def row_key(tok, a, b):
    ia, _ = encode(tok, a)
    ib, _ = encode(tok, b)
    ip, tp = encode(tok, a, b)
    return "%s;%s;%s;%s" % (join(ia), join(ib), join(ip), join(tp))


def truncation_key(tok, a, b):
    parts = []
    for max_length, strategy in TRUNCATIONS:
        ids, types = encode(tok, a, b, max_length, strategy)
        parts.append("error" if ids is None else "%s|%s" % (join(ids), join(types)))
    ids, _ = encode(tok, a, None, 16, "longest_first")
    parts.append(join(ids))
    return ";".join(parts)


def write_json(name, obj):
    with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")


TINY_VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", "Hello", "##s",
              "##ing", "un", "##aff", "##able", "cafe", "café", "naive", ",", ".", "!", "?", "'",
              "a", "b", "##a", "##b", "中", "文", "字", "the", "run", "##n", "é", "e", "x",
              "ｘ", "¿", "é", "İ", "i", "σ", "ς", "##σ", "ß", "straße", "strasse", "$", "^", "`"]

RULE_TEXTS = [
    "Hello, world!", "hello world", "HELLO WORLD", "unaffable", "runs running", "café Café CAFÉ",
    "naïve naive", "cafe\u0301", "e\u0301\u0300", "\u00c5ngstr\u00f6m", "Crème brûlée",
    "a\x00b", "a\ufffdb", "a\x08b", "a\x12b", "a\u200bb", "a\u00adb", "a\ufeffb", "a\tb\nc\rd",
    "a\u00a0b", "a\u3000b", "a\u2028b", "a\x85b", "a\x1cb", "a\u180eb", "a\ue000b", "a\U000e0001b",
    "中文字", "ab中cd", "中,文", "\u4e00\u9fff\u3400\u20000\uf900\u2f800", "\u3042\u30a2\uac00",
    "한국어", "x!y?z", "a$b^c`d", "a-b_c", "«a»", "a—b", "a\u2026b", "¿qué?", "a'b", "don't",
    "x" * 100, "x" * 101, "é" * 101, "qqqq", "helloqq", "[MASK]", "a[MASK]b", "[mask]",
    "[CLS] hello [SEP]", "[UNK][PAD]", "[MASK", "ＡＢＣ ｘ", "İstanbul", "ΣΑΣ σας", "Straße",
    "ﬁne ﬀ", "Ⅷ ⅷ", "①", "x\u0345y", "\u1e9e", "\u0130", "  leading and trailing  ", "",
    "\u0627\u0644\u0639\u0631\u0628\u064a\u0629", "\u0939\u093f\u0928\u094d\u0926\u0940",
    "ab\u0301\u0302\u0303c", "\U0001f600 emoji \U0001f1fa\U0001f1f8", "\u037e\u1fef\u2000",
    # NFD reorders non-starters by combining class; these marks survive strip_accents in HF
    "a\u0898\u0334b", "a\u0334\u0898b", "a\u0898\x08\u0334b", "a\u07fd\u0316\u0c3cb",
    "\u00e9\u0898\u0316", "x\u1abf\u0898\u08ca y", "a\u0898\u1abfb",
    "a\u08d4\u1b44b", "a\u08d4\x08\u1d165\u0301\u302eb", "\u1b44\u08d4\u00e0\u1d165 \u08d4 \u1b44",
]


def rule_cases(tok, vocab_name, chinese_chars=True):
    cases = []
    for text in RULE_TEXTS:
        normalized = tok.backend_tokenizer.normalizer.normalize_str(text)
        words = [w for w, _ in tok.backend_tokenizer.pre_tokenizer.pre_tokenize_str(normalized)]
        ids, _ = encode(tok, text)
        cases.append({"vocab": vocab_name, "lowercase": tok.do_lower_case,
                      "chinese_chars": chinese_chars, "text": text,
                      "tokens": tok.convert_ids_to_tokens(ids), "ids": ids, "words": words})
    return cases


def random_strings(rng):
    """Random texts over all of Unicode (no surrogates), weighted towards letters and marks."""
    pools = [(0x20, 0x7E), (0xA0, 0x24F), (0x300, 0x36F), (0x370, 0x52F), (0x2000, 0x206F),
             (0x3000, 0x30FF), (0x4E00, 0x4E40), (0xAC00, 0xAC40), (0xF900, 0xF910),
             (0xFF00, 0xFFEF), (0x898, 0x8E1), (0x1AB0, 0x1ACE), (0x0, 0x10FFFF)]
    out = []
    while len(out) < 400:
        s = ""
        for _ in range(rng.randint(1, 10)):
            lo, hi = rng.choice(pools)
            cp = rng.randint(lo, hi)
            if 0xD800 <= cp <= 0xDFFF:
                continue
            s += chr(cp)
        out.append(s)
    return out


def truncation_grid(tok):
    """[n1, n2, max_length, strategy, kept1, kept2] with -1, -1 where HF raises."""
    rows = []
    for strategy in ("longest_first", "only_first", "only_second"):
        for n1 in range(0, 9):
            for n2 in range(0, 9):
                for max_length in range(3, 15):
                    ids, types = encode(tok, " ".join(["a"] * n1), " ".join(["b"] * n2),
                                        max_length, strategy)
                    if ids is None:
                        rows.append([n1, n2, max_length, strategy, -1, -1])
                    else:
                        rows.append([n1, n2, max_length, strategy, ids.count(21), ids.count(22)])
    return rows


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = random.Random(SEED)
    tiny_path = os.path.join(OUT, "tiny_vocab.txt")
    with open(tiny_path, "w", encoding="utf-8") as f:
        f.write("".join(t + "\n" for t in TINY_VOCAB))
    data = os.environ.get("SENTZOO_DATA")
    if not data:
        sys.exit("set SENTZOO_DATA (the real vocabularies and data sets are read from it)")
    toks = {}
    for lower in (True, False):
        toks[("tiny", lower)] = BertTokenizerFast(tiny_path, do_lower_case=lower)
        for name, rel in VOCABS.items():
            toks[(name, lower)] = BertTokenizerFast(os.path.join(data, rel), do_lower_case=lower)

    cases = []
    for (name, lower), tok in toks.items():
        cases += rule_cases(tok, name)
    for lower in (True, False):  # handle_chinese_chars off
        cases += rule_cases(BertTokenizerFast(tiny_path, do_lower_case=lower,
                                              tokenize_chinese_chars=False), "tiny", False)
    random_cases = []
    for text in random_strings(rng):
        for lower in (True, False):
            tok = toks[("tiny", lower)]
            normalized = tok.backend_tokenizer.normalizer.normalize_str(text)
            words = [w for w, _ in tok.backend_tokenizer.pre_tokenizer.pre_tokenize_str(normalized)]
            random_cases.append({"text": text, "lowercase": lower, "words": words})
    write_json("rules.json", {"version": 1, "made_by": MADE_BY, "versions": VERSIONS, "seed": SEED,
                              "vocabs": {"tiny": "tiny_vocab.txt", **VOCABS},
                              "cases": cases, "random": random_cases,
                              "truncation": truncation_grid(toks[("tiny", True)])})

    for name, rel, vocab, fmt in SETS:
        tok = toks[(vocab, True)]
        rows = read_rows(os.path.join(data, rel), fmt)
        hashes, trunc, samples = [], [], []
        step = max(1, len(rows) // 20)
        for k, (line, a, b) in enumerate(rows):
            hashes.append(fnv1a64(row_key(tok, a, b)))
            if k < TRUNCATION_ROWS:
                trunc.append(fnv1a64(truncation_key(tok, a, b)))
            if k % step == 0 and len(samples) < 20:
                ip, tp = encode(tok, a, b)
                samples.append({"line": line, "a": encode(tok, a)[0], "b": encode(tok, b)[0],
                                "pair": ip, "pair_types": tp})
        write_json(name + ".json", {
            "version": 1, "made_by": MADE_BY, "versions": VERSIONS, "file": rel, "format": fmt,
            "vocab": VOCABS[vocab], "lowercase": True, "first_last_line":
            [rows[0][0], rows[-1][0]], "rows": len(rows),
            "hash": "fnv1a64('<a>;<b>;<pair>;<pair types>')",
            "truncation_hash": "fnv1a64(';'.join(pair max_length/strategy '<ids>|<types>' or "
                               "'error' for %s, then '<ids a>' at max_length 16))" % TRUNCATIONS,
            "hashes": hashes, "truncation_hashes": trunc, "samples": samples})
        print(name, len(rows), file=sys.stderr)


if __name__ == "__main__":
    main()
