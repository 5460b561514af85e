#!/usr/bin/env python3
"""Use a sentzoo export from Python with nothing but torch, Hugging Face `tokenizers` and numpy.

The .pt file written by `sentzoo-export` (or `sentzoo-train`'s DIR/model.pt) carries its own
tokenizer: a Hugging Face tokenizer.json when the model came with one (loaded as it is), else its
vocabulary (vocab.txt) and settings (metadata.json: lowercase, max_length), from which this
script builds the same WordPiece tokenizer with `tokenizers`. Either way the token ids are the
ones sentzoo computes (`--print-ids` prints them in `sentzoo-tokenize`'s format to compare). It
then runs the TorchScript module:

  python3 encode.py model.pt "A man is playing a guitar." "Someone plays the guitar."
      dual encoder: prints each sentence vector's first values and the cosine similarities
  python3 encode.py model.pt --input sentences.txt --output vectors.npy
      one sentence per line -> (N, D) float32 .npy, as `sentzoo-encode` writes it
  python3 encode.py cross.pt --pairs pairs.tsv
      cross encoder: text1<TAB>text2 per line -> one score (or K logits) per line
  python3 encode.py model.pt --input lines.txt --print-ids [--pairs]
      the token ids, one line per text (pair), exactly as `sentzoo-tokenize` prints them

Pinned requirements: examples/python/requirements.txt. SentencePiece exports are not covered
here (load sentencepiece.model from the archive with the `sentencepiece` package instead).
"""
import argparse
import json
import sys

import numpy as np
import torch
from tokenizers import BertWordPieceTokenizer, Tokenizer


def load(path):
    """The module, its metadata.json and its tokenizer (tokenizer.json, else vocab.txt)."""
    extra = {"metadata.json": "", "vocab.txt": "", "tokenizer.json": ""}
    module = torch.jit.load(path, map_location="cpu", _extra_files=extra)
    module.eval()
    meta = json.loads(extra["metadata.json"] or "{}")
    max_length = int(meta.get("max_length", 512))
    if meta.get("tokenizer") == "tokenizer_json" and extra["tokenizer.json"]:
        # The model's own Hugging Face tokenizer; sentzoo's max_length, no padding (the file's
        # own truncation and padding settings are those of its training, not of this export).
        tokenizer = Tokenizer.from_str(extra["tokenizer.json"].decode("utf-8"))
        tokenizer.no_padding()
        tokenizer.enable_truncation(max_length=max_length, strategy="longest_first")
        return module, meta, tokenizer
    if meta.get("tokenizer", "wordpiece") != "wordpiece" or not extra["vocab.txt"]:
        sys.exit(f"{path}: no vocab.txt or tokenizer.json inside (tokenizer "
                 f"{meta.get('tokenizer')!r}); this example reads WordPiece exports")
    # One token per line, id = line number; a repeated token keeps its last line (sentzoo's
    # data/vocab.cpp and transformers' load_vocab agree on both).
    lines = extra["vocab.txt"].decode("utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    vocab = {line.rstrip("\r"): index for index, line in enumerate(lines)}
    # BERT's basic tokenizer: clean text, split CJK characters, lower-case and strip accents when
    # the model is uncased (metadata "lowercase"), then WordPiece with [UNK] and "##".
    lowercase = bool(meta.get("lowercase", True))
    tokenizer = BertWordPieceTokenizer(vocab, clean_text=True, handle_chinese_chars=True,
                                       strip_accents=lowercase, lowercase=lowercase)
    tokenizer.enable_truncation(max_length=max_length, strategy="longest_first")
    return module, meta, tokenizer


def read_lines(path):
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n").rstrip("\r") for line in f]


def batch(encodings):
    """Padded (B, T) ids, mask and segment ids."""
    width = max(len(e.ids) for e in encodings)
    ids = torch.zeros((len(encodings), width), dtype=torch.long)
    mask = torch.zeros_like(ids)
    types = torch.zeros_like(ids)
    for i, e in enumerate(encodings):
        n = len(e.ids)
        ids[i, :n] = torch.tensor(e.ids)
        mask[i, :n] = 1
        types[i, :n] = torch.tensor(e.type_ids)
    return ids, mask, types


def run(module, kind, encodings, batch_size=64):
    outputs = []
    with torch.no_grad():
        for start in range(0, len(encodings), batch_size):
            ids, mask, types = batch(encodings[start:start + batch_size])
            out = module(ids, mask, types) if kind == "cross" else module(ids, mask)
            outputs.append(out.float())
    return torch.cat(outputs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model", help="a .pt file from sentzoo-export")
    parser.add_argument("texts", nargs="*", help="sentences (dual encoders)")
    parser.add_argument("--input", help="one sentence per line")
    parser.add_argument("--pairs", nargs="?", const="-", default=None,
                        help="text1<TAB>text2 per line (cross encoders; with --print-ids, "
                             "--input's lines are pairs)")
    parser.add_argument("--output", help="write the vectors or scores as .npy")
    parser.add_argument("--print-ids", action="store_true", help="print token ids and exit")
    args = parser.parse_args()

    module, meta, tokenizer = load(args.model)
    kind = meta.get("kind", "dual")
    if args.pairs not in (None, "-"):
        lines = read_lines(args.pairs)
    else:
        lines = read_lines(args.input) if args.input else args.texts
    if not lines:
        parser.error("no texts: give sentences, --input FILE or --pairs FILE")
    pairs = args.pairs is not None or kind == "cross"
    if pairs:
        split = [line.split("\t", 1) for line in lines]
        for n, parts in enumerate(split, 1):
            if len(parts) != 2:
                sys.exit(f"{args.pairs or args.input}:{n}: expected text1<TAB>text2, found no TAB")
        encodings = tokenizer.encode_batch([(a, b) for a, b in split])
    else:
        encodings = tokenizer.encode_batch(lines)

    if args.print_ids:
        for e in encodings:
            print(" ".join(str(i) for i in e.ids))
        return 0

    out = run(module, kind, encodings)
    if args.output:
        np.save(args.output, out.numpy().astype(np.float32))
    elif kind == "cross":
        for line, score in zip(lines, out.tolist()):
            print(f"{score}\t{line}")
    else:
        for text, vector in zip(lines, out):
            print(f"{text[:60]!r}: dim {vector.numel()}, first {vector[:4].tolist()}")
        if len(lines) > 1:
            unit = torch.nn.functional.normalize(out, dim=1)
            print("cosine similarities:")
            print(np.array2string((unit @ unit.T).numpy(), precision=4))
    return 0


if __name__ == "__main__":
    sys.exit(main())
