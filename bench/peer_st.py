#!/usr/bin/env python3
"""sentence-transformers side of the bench: encode English STS-B with all-MiniLM-L6-v2, and
fine-tune it with CoSENTLoss on STS-B train. Prints one JSON object.

Fine-tuning is the loop of SentenceTransformer.old_fit (sentence-transformers 3.0.1; the new
Trainer needs `datasets` + `accelerate`, not installed): smart_batching_collate, CoSENTLoss
(scale 20), AdamW (weight decay 0.01 except biases and LayerNorm), WarmupLinear, grad clip 1.0,
shuffled batches. bf16 = torch.autocast("cpu") around forward + loss (old_fit's use_amp is
CUDA-only), the best CPU setting sentence-transformers offers.

  python bench/peer_st.py encode --model DIR --data en/STS-B/sts-test.csv --threads 2
  python bench/peer_st.py finetune --model DIR --steps 180 --batch 16 --threads 2 --amp off
"""
import argparse
import json
import os
import random
import resource
import time

import numpy as np
import torch


LIMIT = 0


def read_stsb(path, limit=None):
    limit = LIMIT if limit is None else limit
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f.read().split("\n"):
            if line:
                fields = line.split("\t")
                rows.append((fields[5], fields[6], float(fields[4])))
    return rows[:limit] if limit > 0 else rows


def spearman(model, rows, batch, bf16):
    from scipy.stats import spearmanr
    texts = [t for r in rows for t in r[:2]]
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
        emb = model.encode(texts, batch_size=batch, convert_to_tensor=True).float()
    cos = torch.cosine_similarity(emb[0::2], emb[1::2]).numpy()
    return float(spearmanr(cos, [r[2] for r in rows]).correlation)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["encode", "finetune"])
    p.add_argument("--model", required=True)
    p.add_argument("--data", default="en/STS-B/sts-test.csv")
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--amp", default="off")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--steps", type=int, default=180)
    p.add_argument("--lr", type=float, default=2e-5)
    p.add_argument("--warmup", type=float, default=0.1)
    p.add_argument("--max-length", type=int, default=128)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--limit", type=int, default=0, help="encode/eval: first N pairs only (0 = all)")
    a = p.parse_args()
    global LIMIT
    LIMIT = a.limit
    torch.set_num_threads(a.threads)
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.losses import CoSENTLoss
    import sentence_transformers
    root = os.environ["SENTZOO_DATA"]
    bf16 = a.amp == "bf16"
    model = SentenceTransformer(a.model, device="cpu")
    model.max_seq_length = a.max_length
    out = {"tool": "sentence-transformers", "mode": a.mode, "threads": a.threads,
           "versions": {"sentence_transformers": sentence_transformers.__version__,
                        "torch": torch.__version__}}
    if a.mode == "encode":
        if a.amp == "bf16-weights":  # the module itself in bf16, no autocast (as sentzoo-bench sts)
            model = model.to(torch.bfloat16)
        rows = read_stsb(os.path.join(root, a.data))
        texts = [t for r in rows for t in r[:2]]
        runs = []
        for rep in range(a.reps + 1):  # rep 0 = warm-up
            t = time.perf_counter()
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                emb = model.encode(texts, batch_size=a.batch, convert_to_tensor=True).float()
            if rep:
                runs.append(time.perf_counter() - t)
        from scipy.stats import spearmanr
        cos = torch.cosine_similarity(emb[0::2], emb[1::2]).numpy()
        s = float(np.median(runs))
        out.update(sentences=len(texts), median_s=s, all_s=runs, sentences_per_s=len(texts) / s,
                   spearman=float(spearmanr(cos, [r[2] for r in rows]).correlation))
    else:
        random.seed(a.seed)
        torch.manual_seed(a.seed)
        from sentence_transformers import InputExample
        train = [InputExample(texts=[x, y], label=z)
                 for x, y, z in read_stsb(os.path.join(root, "en/STS-B/sts-train.csv"), 0)]
        loader = torch.utils.data.DataLoader(train, batch_size=a.batch, shuffle=True, drop_last=True)
        loader.collate_fn = model.smart_batching_collate
        loss_model = CoSENTLoss(model, scale=20.0)
        no_decay = ["bias", "LayerNorm.bias", "LayerNorm.weight"]
        named = list(loss_model.named_parameters())
        groups = [{"params": [p_ for n, p_ in named if not any(nd in n for nd in no_decay)],
                   "weight_decay": 0.01},
                  {"params": [p_ for n, p_ in named if any(nd in n for nd in no_decay)],
                   "weight_decay": 0.0}]
        opt = torch.optim.AdamW(groups, lr=a.lr)
        sched = SentenceTransformer._get_scheduler(opt, scheduler="WarmupLinear",
                                                   warmup_steps=int(a.warmup * a.steps), t_total=a.steps)
        loss_model.train()
        step_ends, steps, pairs = [], 0, 0
        start = time.perf_counter()
        while steps < a.steps:
            for features, labels in loader:
                with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                    loss = loss_model(features, labels).float()
                opt.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(loss_model.parameters(), 1.0)
                opt.step()
                sched.step()
                steps += 1
                step_ends.append(time.perf_counter())
                if steps >= a.steps:
                    break
        skip = min(5, a.steps // 4)  # first steps: allocator and thread-pool warm-up
        window = step_ends[-1] - step_ends[skip - 1] if skip else step_ends[-1] - start
        out.update(steps=a.steps, batch=a.batch, train_seconds=step_ends[-1] - start,
                   pairs_per_s=(a.steps - skip) * a.batch / window, final_loss=float(loss.item()))
        model.eval()
        out["dev_spearman"] = spearman(model, read_stsb(os.path.join(root, "en/STS-B/sts-dev.csv")), 32, False)
        out["test_spearman"] = spearman(model, read_stsb(os.path.join(root, "en/STS-B/sts-test.csv")), 32, False)
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps(out))


if __name__ == "__main__":
    main()
