#!/usr/bin/env python3
"""Single-thread throughput of Hugging Face BertTokenizerFast on English STS-B train sentences,
to compare with `sentzoo-tokenize --bench` on the same lines.

  SENTZOO_DATA=/work/shared/data /work/.venv-ref/bin/python bench/tokenizer_hf.py
  cut -f6,7 $SENTZOO_DATA/en/STS-B/sts-train.csv | tr '\\t' '\\n' | \\
      build/sentzoo-tokenize --vocab $SENTZOO_DATA/vocab/bert-base-uncased-vocab.txt --bench
"""
import os
import time

os.environ["RAYON_NUM_THREADS"] = "1"
os.environ["TOKENIZERS_PARALLELISM"] = "false"

from transformers import BertTokenizerFast  # noqa: E402

data = os.environ["SENTZOO_DATA"]
sentences = []
with open(os.path.join(data, "en/STS-B/sts-train.csv"), encoding="utf-8") as f:
    for line in f.read().split("\n"):
        if line:
            fields = line.split("\t")
            sentences += [fields[5], fields[6]]
tok = BertTokenizerFast(os.path.join(data, "vocab/bert-base-uncased-vocab.txt"), do_lower_case=True)
backend = tok.backend_tokenizer


def bench(name, fn):
    start, n = time.perf_counter(), 0
    while time.perf_counter() - start < 2.0:
        fn()
        n += len(sentences)
    print("%-38s %8.0f sentences/s" % (name, n / (time.perf_counter() - start)))


bench("tokenizers Tokenizer.encode (loop)", lambda: [backend.encode(s) for s in sentences])
bench("tokenizers encode_batch (1 thread)", lambda: backend.encode_batch(sentences))
bench("BertTokenizerFast.__call__ (batch)", lambda: tok(sentences))
