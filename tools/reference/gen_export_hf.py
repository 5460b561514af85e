#!/usr/bin/env python3
"""Makes tests/fixtures/export/: a sentence-transformers folder written by sentzoo-export
--format huggingface, and what sentence-transformers 3.0.1 encodes with it.

  1. tests/fixtures/models/bert (tiny BERT, HF layout) + tests/fixtures/tokenizer/tiny_vocab.txt
     are copied to a temp folder;
  2. build/sentzoo-export --checkpoint TMP --format huggingface --pooling mean --normalize
     --max-length 32 --output tests/fixtures/export/st_bert_mean
  3. SentenceTransformer(folder).encode(SENTENCES) -> tests/fixtures/export/st_bert_mean_expected.json

Run from the repository root with /work/.venv-ref/bin/python (torch 1.13, transformers 4.41.2,
sentence-transformers 3.0.1). `--check` only re-encodes and compares with the JSON.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

SENTENCES = ["hello world", "the cat runs", "中文字", "a", "Hello hellos, café naive!"]
OUT = "tests/fixtures/export/st_bert_mean"
EXPECTED = OUT + "_expected.json"


def encode(folder):
    import sentence_transformers
    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(folder, device="cpu")
    emb = model.encode(SENTENCES, convert_to_numpy=True, batch_size=2)
    versions = {
        "torch": torch.__version__,
        "sentence_transformers": sentence_transformers.__version__,
    }
    return emb, versions


def main():
    check = "--check" in sys.argv
    if not check:
        with tempfile.TemporaryDirectory() as tmp:
            src = os.path.join(tmp, "hf")
            shutil.copytree("tests/fixtures/models/bert", src)
            os.remove(os.path.join(src, "expected.safetensors"))
            shutil.copy("tests/fixtures/tokenizer/tiny_vocab.txt", os.path.join(src, "vocab.txt"))
            if os.path.exists(OUT):
                shutil.rmtree(OUT)
            subprocess.run(["build/sentzoo-export", "--checkpoint", src, "--format", "huggingface",
                            "--pooling", "mean", "--normalize", "--max-length", "32",
                            "--output", OUT], check=True)
    emb, versions = encode(OUT)
    if check:
        expected = json.load(open(EXPECTED))["embeddings"]
        import numpy as np
        diff = float(np.abs(emb - np.array(expected)).max())
        print(f"max diff {diff:.3g}")
        sys.exit(0 if diff <= 1e-6 else 1)
    json.dump({"made_by": "tools/reference/gen_export_hf.py", "versions": versions,
               "sentences": SENTENCES, "embeddings": emb.tolist()},
              open(EXPECTED, "w"), ensure_ascii=False, indent=1)
    print(f"wrote {OUT} and {EXPECTED}: {emb.shape}")


if __name__ == "__main__":
    main()
