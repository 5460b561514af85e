#!/usr/bin/env python3
"""Golden fixtures for tokenizer.json reading (data/tokenizer_json.h), from Hugging Face tokenizers.

Usage (writes tests/fixtures/tokenizer/json/*):
  SENTZOO_DATA=../shared/data [SENTZOO_MODELS=~/.cache/sentzoo/models] \\
    .venv-ref/bin/python tools/reference/gen_tokenizer_json_fixtures.py

Every tokenizer.json here is written by the `tokenizers` library itself (Tokenizer.save), and every
id is what `tokenizers.Tokenizer.from_file(<file>)` gives with its truncation and padding switched
off (sentzoo does not apply those sections; see data/tokenizer_json.h).

Outputs
  tiny_*.json        small tokenizer.json files over TINY_VOCAB with BertTokenizerFast's settings
                     and with non-default ones (cased + strip_accents + no CJK padding, clean_text
                     off, no normalizer, Lowercase + WhitespaceSplit/Punctuation + BertProcessing +
                     "@@" prefix + <unk>/<s>/</s> + max_input_chars_per_word 8 + a non-special
                     added token)
  tiny_bpe.json      a BPE tokenizer.json (ByteLevel), which sentzoo must refuse
  zh_bert_base_chinese.json  BertTokenizerFast(vocab/bert-base-chinese-vocab.txt)'s tokenizer.json
  cases.json         texts: RULE_TEXTS (from gen_tokenizer_fixtures.py) + EXTRA_TEXTS + 100 random
                     strings; per tiny file and text: ids, type ids and tokens of the single text,
                     ids and type ids of the pair (text, next text)
  sets.json          the tokenizer.json files checked on every row of the real data sets: for each,
                     the generator asserts that tokenizers' ids give exactly the row hashes (and
                     truncation hashes) of ../<set>.json, which came from BertTokenizerFast on the
                     vocab.txt; the C++ test checks sentzoo's ids on the same hashes
"""
import hashlib
import json
import os
import random
import sys

import tokenizers
from tokenizers import (AddedToken, Tokenizer, decoders, models, normalizers, pre_tokenizers,
                        processors)
from transformers import BertTokenizerFast

sys.path.insert(0, os.path.dirname(__file__))
from gen_tokenizer_fixtures import (RULE_TEXTS, SETS, TRUNCATIONS, TRUNCATION_ROWS, VERSIONS,  # noqa: E402
                                    VOCABS, fnv1a64, join, random_strings, read_rows)

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "fixtures", "tokenizer", "json")
SETS_DIR = os.path.join(OUT, "..")
MADE_BY = "tools/reference/gen_tokenizer_json_fixtures.py"
SEED = 4321
RANDOM_TEXTS = 100

# No repeated line (a tokenizer.json vocab has unique tokens and ids 0..n-1).
TINY_VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", "Hello", "##s",
              "##ing", "un", "##aff", "##able", "cafe", "café", "naive", ",", ".", "!", "?", "'",
              "a", "b", "##a", "##b", "中", "文", "字", "the", "run", "##n", "é", "e", "x",
              "ｘ", "¿", "İ", "i", "σ", "ς", "##σ", "ß", "straße", "strasse", "$", "^", "`",
              "<unk>", "<s>", "</s>", "<pad>", "@@s", "@@ing", "@@a", "@@b", "@@n", "Café", "CAFÉ",
              "naïve", "e\u0301", "a\x00b", "\x00", "\t", "[", "]", "mask", "MASK", "<", ">", "/"]

EXTRA_TEXTS = [
    "", " ", "hello[MASK]world", "[CLS][SEP]", "[UNK]x", "<s>hello</s>", "<s> hello </s>",
    "hello<pad>", "<unk>", "worlds", "helloworld", "runs running", "Runs RUNNING",
    "x" * 8, "x" * 9, "a" * 100, "a" * 101, "café" * 30, "a\x00b", "a\x00 b", "\x00",
    "hello\tworld", "hello\u3000world", "中文字 中文", "ab中cd", "Hello, World!", "naïve CAFÉ",
    "e\u0301 e\u0301\u0300", "unaffable", "un aff able", "[MASK", "[mask]", "<S>hello",
]


def bert_json(path, **kw):
    """A tokenizer.json as transformers writes it for BertTokenizerFast(vocab.txt, **kw)."""
    return BertTokenizerFast(path, **kw).backend_tokenizer


def tiny_tokenizers(tiny_path):
    vocab = {t: i for i, t in enumerate(TINY_VOCAB)}
    out = {}
    t = bert_json(tiny_path, do_lower_case=True)
    t.enable_truncation(8)  # present in the file, not applied by sentzoo (nor here: see ids())
    t.enable_padding(length=16, pad_id=0, pad_token="[PAD]")
    out["tiny_bert_uncased"] = t
    out["tiny_bert_cased"] = bert_json(tiny_path, do_lower_case=False)
    t = bert_json(tiny_path, do_lower_case=False)
    t.normalizer = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=False,
                                              strip_accents=True, lowercase=False)
    out["tiny_cased_strip_nocjk"] = t
    t = bert_json(tiny_path, do_lower_case=True)
    t.normalizer = normalizers.BertNormalizer(clean_text=False, handle_chinese_chars=True,
                                              strip_accents=False, lowercase=True)
    out["tiny_lower_nostrip_noclean"] = t
    # No normalizer (tokenizers cannot unset one, so built from parts), a hand-made template.
    t = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]"))
    t.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    t.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])])
    t.add_special_tokens(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])
    out["tiny_no_normalizer"] = t
    # Built from parts: nothing of BertTokenizerFast's defaults left.
    t = Tokenizer(models.WordPiece(vocab, unk_token="<unk>", continuing_subword_prefix="@@",
                                   max_input_chars_per_word=8))
    t.normalizer = normalizers.Sequence([normalizers.Lowercase()])
    t.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.WhitespaceSplit(),
                                               pre_tokenizers.Punctuation("isolated")])
    t.post_processor = processors.BertProcessing(("</s>", vocab["</s>"]), ("<s>", vocab["<s>"]))
    t.decoder = decoders.WordPiece(prefix="@@")
    t.add_special_tokens(["<s>", "</s>", "<pad>", "<unk>"])
    t.add_tokens([AddedToken("world", normalized=False)])
    out["tiny_custom"] = t
    return out


def ids(tok, a, b=None):
    e = tok.encode(a, b) if b is not None else tok.encode(a)
    return e.ids, e.type_ids


def plain(tok):
    """The tokenizer as sentzoo applies it: no truncation, no padding."""
    tok = Tokenizer.from_str(tok.to_str())
    tok.no_truncation()
    tok.no_padding()
    return tok


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def write_json(name, obj):
    with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")


def check_sets(tok, names, data):
    """Asserts tokenizers' ids reproduce ../<set>.json row by row; returns the row counts."""
    counts = {}
    for name, rel, _, fmt in SETS:
        if name not in names:
            continue
        with open(os.path.join(SETS_DIR, name + ".json"), encoding="utf-8") as f:
            fixture = json.load(f)
        rows = read_rows(os.path.join(data, rel), fmt)
        assert len(rows) == len(fixture["hashes"]), name
        for k, (line, a, b) in enumerate(rows):
            ia, ib = ids(tok, a)[0], ids(tok, b)[0]
            ip, tp = ids(tok, a, b)
            key = "%s;%s;%s;%s" % (join(ia), join(ib), join(ip), join(tp))
            assert fnv1a64(key) == fixture["hashes"][k], (name, line, key)
            if k < TRUNCATION_ROWS:
                parts = []
                for max_length, strategy in TRUNCATIONS:
                    tok.enable_truncation(max_length, strategy=strategy)
                    try:
                        e = tok.encode(a, b)
                        parts.append("%s|%s" % (join(e.ids), join(e.type_ids)))
                    except Exception:
                        parts.append("error")
                tok.enable_truncation(16, strategy="longest_first")
                parts.append(join(tok.encode(a).ids))
                tok.no_truncation()
                assert fnv1a64(";".join(parts)) == fixture["truncation_hashes"][k], (name, line)
        counts[name] = len(rows)
        print(name, len(rows), "rows equal", file=sys.stderr)
    return counts


def main():
    os.makedirs(OUT, exist_ok=True)
    data = os.environ.get("SENTZOO_DATA")
    if not data:
        sys.exit("set SENTZOO_DATA (the real vocabularies and data sets are read from it)")
    models_dir = os.environ.get("SENTZOO_MODELS",
                                os.path.expanduser("~/.cache/sentzoo/models"))
    tiny_path = os.path.join(OUT, "tiny_vocab.txt")  # only for BertTokenizerFast, removed below
    with open(tiny_path, "w", encoding="utf-8") as f:
        f.write("".join(t + "\n" for t in TINY_VOCAB))
    toks = tiny_tokenizers(tiny_path)
    os.remove(tiny_path)

    rng = random.Random(SEED)
    texts = RULE_TEXTS + EXTRA_TEXTS + random_strings(rng)[:RANDOM_TEXTS]
    cases = {}
    for name, tok in toks.items():
        tok.save(os.path.join(OUT, name + ".json"), pretty=False)
        tok = plain(Tokenizer.from_file(os.path.join(OUT, name + ".json")))
        cols = {"ids": [], "types": [], "tokens": [], "pair": [], "pair_types": []}
        for i, text in enumerate(texts):  # one column per field, one row per text
            single, single_types = ids(tok, text)
            pair, pair_types = ids(tok, text, texts[(i + 1) % len(texts)])
            for key, value in (("ids", single), ("types", single_types), ("pair", pair),
                               ("pair_types", pair_types),
                               ("tokens", [tok.id_to_token(x) for x in single])):
                cols[key].append(value)
        cases[name] = cols

    bpe = Tokenizer(models.BPE({"a": 0, "b": 1, "ab": 2, "<unk>": 3}, [("a", "b")],
                               unk_token="<unk>"))
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel()
    bpe.save(os.path.join(OUT, "tiny_bpe.json"), pretty=False)

    zh_path = os.path.join(OUT, "zh_bert_base_chinese.json")
    bert_json(os.path.join(data, VOCABS["chinese"]), do_lower_case=True).save(zh_path,
                                                                              pretty=False)
    sets = []
    zh_names = [n for n, _, v, _ in SETS if v == "chinese"]
    counts = check_sets(plain(Tokenizer.from_file(zh_path)), zh_names, data)
    sets.append({"tokenizer_json": "fixture:tokenizer/json/zh_bert_base_chinese.json",
                 "sha256": sha256(zh_path), "made_from": VOCABS["chinese"], "sets": counts})
    minilm = os.path.join(models_dir, "all-MiniLM-L6-v2", "tokenizer.json")
    en_names = [n for n, _, v, _ in SETS if v == "uncased"]
    if not os.path.exists(minilm):
        sys.exit("%s missing: run scripts/fetch_models.sh (the shipped tokenizer.json is checked)"
                 % minilm)
    counts = check_sets(plain(Tokenizer.from_file(minilm)), en_names, data)
    sets.append({"tokenizer_json": "models:all-MiniLM-L6-v2/tokenizer.json",
                 "sha256": sha256(minilm), "made_from": "shipped by sentence-transformers "
                 "(scripts/fetch_models.sh), not committed", "sets": counts})

    write_json("cases.json", {"version": 1, "made_by": MADE_BY, "versions": VERSIONS,
                              "seed": SEED, "texts": texts,
                              "pairs": "text i is paired with text i+1 (the last with the first)",
                              "files": cases})
    write_json("sets.json", {"version": 1, "made_by": MADE_BY, "versions": VERSIONS,
                             "checked": "every row's hash and the first %d rows' truncation "
                             "hashes of ../<set>.json equal tokenizers.Tokenizer.from_file(...) "
                             "with truncation and padding off" % TRUNCATION_ROWS,
                             "tokenizers": sets})
    print("tokenizers", tokenizers.__version__, file=sys.stderr)


if __name__ == "__main__":
    main()
