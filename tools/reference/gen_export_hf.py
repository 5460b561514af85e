#!/usr/bin/env python3
"""Makes tests/fixtures/export/: a sentence-transformers folder written by sentzoo-export
--format huggingface, and what sentence-transformers 3.0.1 encodes with it.

  1. tests/fixtures/models/bert (tiny BERT, HF layout) + tests/fixtures/tokenizer/tiny_vocab.txt
     are copied to a temp folder;
  2. build/sentzoo-export --checkpoint TMP --format huggingface --pooling mean --normalize
     --max-length 32 --output tests/fixtures/export/st_bert_mean
  3. SentenceTransformer(folder).encode(SENTENCES) -> tests/fixtures/export/st_bert_mean_expected.json

Every architecture (issue #15): tests/fixtures/export/st_{bert,roformer,roformer_v2,deepnet}_dense
  4. build/tests/sentzoo_tests --gtest_filter='Archs/ExportEveryArchitecture.Writes*' with
     SENTZOO_EXPORT_FIXTURE_DIR=tests/fixtures/export: each tiny model of tests/fixtures/models
     with mean pooling -> Dense(48 -> 5, tanh, the weights of its expected.safetensors) ->
     Normalize, exported by sentzoo-export --format huggingface (BERT: transformers layout;
     RoFormer, RoFormerV2: the roformer package's; DeepNet: torchscale's, docs/LAYOUTS.md);
  5. SentenceTransformer(folder) (folder on sys.path for sentzoo_st.py; roformer 0.4.3,
     torchscale 0.3.0 behind it) encodes SENTENCES -> st_<arch>_dense_expected.json.

Run from the repository root with .venv-ref/bin/python (torch 1.13, transformers 4.41.2,
sentence-transformers 3.0.1, roformer 0.4.3, torchscale 0.3.0). `--check` only re-encodes and
compares with the JSONs.
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


ARCHS = ["bert", "roformer", "roformer_v2", "deepnet"]


def encode(folder):
    import sentence_transformers
    import torch

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import check_export_hf

    model = check_export_hf.load_reference(folder)
    emb = model.encode(SENTENCES, convert_to_numpy=True, batch_size=2)
    versions = {
        "torch": torch.__version__,
        "sentence_transformers": sentence_transformers.__version__,
    }
    from importlib.metadata import version
    for name in ("transformers", "roformer", "torchscale"):
        versions[name] = version(name)
    return emb, versions


def dense_folders(check):
    if not check:
        env = dict(os.environ, SENTZOO_EXPORT_FIXTURE_DIR="tests/fixtures/export")
        subprocess.run(["build/tests/sentzoo_tests",
                        "--gtest_filter=Archs/ExportEveryArchitecture.Writes*"], env=env, check=True)
    worst = 0.0
    for arch in ARCHS:
        out = f"tests/fixtures/export/st_{arch}_dense"
        emb, versions = encode(out)
        if check:
            import numpy as np
            expected = json.load(open(out + "_expected.json"))["embeddings"]
            worst = max(worst, float(np.abs(emb - np.array(expected)).max()))
            continue
        json.dump({"made_by": "tools/reference/gen_export_hf.py", "versions": versions,
                   "sentences": SENTENCES, "embeddings": emb.tolist()},
                  open(out + "_expected.json", "w"), ensure_ascii=False, indent=1)
        print(f"wrote {out}_expected.json: {emb.shape}")
    return worst


def main():
    check = "--check" in sys.argv
    worst = dense_folders(check)
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
        print(f"max diff {max(diff, worst):.3g}")
        sys.exit(0 if max(diff, worst) <= 1e-6 else 1)
    json.dump({"made_by": "tools/reference/gen_export_hf.py", "versions": versions,
               "sentences": SENTENCES, "embeddings": emb.tolist()},
              open(EXPECTED, "w"), ensure_ascii=False, indent=1)
    print(f"wrote {OUT} and {EXPECTED}: {emb.shape}")


if __name__ == "__main__":
    main()
