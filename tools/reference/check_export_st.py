#!/usr/bin/env python3
"""Checks a TorchScript export of a sentence-transformers model against sentence-transformers.

Usage (repository root, .venv-ref/bin/python):
  build/sentzoo-export --checkpoint ST_DIR --output /tmp/m.pt
  build/sentzoo-encode --model /tmp/m.pt --input SENTENCES.txt --output /tmp/m.npy
  tools/reference/check_export_st.py ST_DIR SENTENCES.txt /tmp/m.npy [--pt /tmp/m.pt]

Prints the max |ST - sentzoo| over all sentences (and, with --pt, also runs the .pt through
Python's torch.jit.load on ST's own tokenization); exit 1 when above 1e-5.
"""
import json
import sys

import numpy as np
import torch
from sentence_transformers import SentenceTransformer


def main() -> int:
    st_dir, text_path, npy_path = sys.argv[1:4]
    sentences = [l.rstrip("\n") for l in open(text_path, encoding="utf-8")]
    model = SentenceTransformer(st_dir, device="cpu")
    ref = model.encode(sentences, convert_to_numpy=True, batch_size=8)
    ours = np.load(npy_path)
    diff = float(np.abs(ref - ours).max())
    print(f"sentzoo-encode vs sentence-transformers: {ours.shape}, max diff {diff:.3g}")
    ok = diff <= 1e-5
    if "--pt" in sys.argv:
        pt = sys.argv[sys.argv.index("--pt") + 1]
        extra = {"metadata.json": ""}
        m = torch.jit.load(pt, map_location="cpu", _extra_files=extra)
        feats = model.tokenize(sentences)
        with torch.no_grad():
            out = m(feats["input_ids"], feats["attention_mask"], feats.get("token_type_ids"))
        d2 = float(np.abs(out.numpy() - ref).max())
        print(f"torch.jit.load(.pt) on ST's tokens vs sentence-transformers: max diff {d2:.3g}; "
              f"metadata {json.loads(extra['metadata.json'])['pooling']}")
        ok = ok and d2 <= 1e-5
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
