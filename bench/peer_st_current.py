#!/usr/bin/env python3
"""sentence-transformers as users run it today (newest release on the newest torch; the pinned
venvs of tools/reference/setup_peers_env.sh): encode English STS-B with all-MiniLM-L6-v2 through
`SentenceTransformer.encode` (backend "torch" or "onnx"), fine-tune it with CoSENTLoss through
`SentenceTransformerTrainer`, and score a saved model on STS-B. Prints one JSON object.

Settings mirror bench/run_all.py's sentzoo side: batch 16, lr 2e-5, linear schedule with 10%
warm-up, AdamW weight decay 0.01 (the Trainer decays everything but biases and LayerNorm,
embeddings included), grad clip 1.0, CoSENT scale 20, max length 128, shuffled batches with the
last partial batch dropped. Evaluation, checkpointing, logging and reporting are off, so the
Trainer's time is the training steps. bf16 = the Trainer's `bf16=True` (CPU autocast), the best
CPU setting it offers. The model is read from a local folder; nothing is downloaded.

  python bench/peer_st_current.py encode --model DIR --data en/STS-B/sts-test.csv --backend onnx
  python bench/peer_st_current.py finetune --model DIR --steps 120 --batch 16 --seed 42 --save OUT
  python bench/peer_st_current.py eval --model OUT --splits dev,test
"""
import argparse
import json
import os
import resource
import sys
import tempfile
import time

T_START = time.perf_counter()
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np  # noqa: E402
import torch  # noqa: E402


def read_stsb(path, limit=0):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f.read().split("\n"):
            if line:
                fields = line.split("\t")  # tabs only: sentences contain '"' (data README)
                rows.append((fields[5], fields[6], float(fields[4])))
    return rows[:limit] if limit > 0 else rows


def spearman_of(emb, rows):
    from scipy.stats import spearmanr
    emb = torch.as_tensor(emb).float()
    cos = torch.cosine_similarity(emb[0::2], emb[1::2]).numpy()
    return float(spearmanr(cos, [r[2] for r in rows]).correlation)


def versions():
    from importlib import metadata
    out = {}
    for dist in ("sentence-transformers", "torch", "transformers", "tokenizers", "onnxruntime", "optimum",
                 "optimum-onnx", "onnx", "accelerate", "datasets", "numpy"):
        try:
            out[dist] = metadata.version(dist)
        except Exception:  # noqa: BLE001
            pass
    return out


def load_model(a, backend):
    from sentence_transformers import SentenceTransformer
    kwargs = {}
    if backend == "onnx":
        import onnxruntime as ort
        so = ort.SessionOptions()
        so.intra_op_num_threads = a.threads
        so.inter_op_num_threads = 1
        kwargs["model_kwargs"] = {"provider": "CPUExecutionProvider", "session_options": so}
    model = SentenceTransformer(a.model, device="cpu", backend=backend, local_files_only=True, **kwargs)
    model.max_seq_length = a.max_length
    return model


def encode(a, out):
    root = os.environ["SENTZOO_DATA"]
    if a.backend == "onnx" and a.amp != "off":
        raise SystemExit("peer_st_current.py: the ONNX backend is measured in fp32 only (--amp off)")
    t = time.perf_counter()
    model = load_model(a, a.backend)
    if a.amp == "bf16-weights":  # the module itself in bf16, no autocast (as sentzoo-bench sts)
        model = model.to(torch.bfloat16)
    out["load_s"] = time.perf_counter() - t  # includes the ONNX export for backend onnx
    bf16 = a.amp == "bf16"
    rows = read_stsb(os.path.join(root, a.data), a.limit)
    texts = [x for r in rows for x in r[:2]]
    runs = []
    for rep in range(a.reps + 1):  # rep 0 = warm-up
        t = time.perf_counter()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            emb = model.encode(texts, batch_size=a.batch, convert_to_tensor=True)
        if rep:
            runs.append(time.perf_counter() - t)
    s = float(np.median(runs))
    out.update(backend=a.backend, amp=a.amp, sentences=len(texts), median_s=s, all_s=runs,
               sentences_per_s=len(texts) / s, spearman=spearman_of(emb, rows))


def evaluate(a, out):
    root = os.environ["SENTZOO_DATA"]
    t = time.perf_counter()
    model = load_model(a, "torch")
    out["load_s"] = time.perf_counter() - t
    score_splits(model, a, root, out)


def score_splits(model, a, root, out):
    """Spearman of `model` on each STS-B split of a.splits (first a.limit pairs), and the time."""
    t = time.perf_counter()
    for split in a.splits.split(","):
        rows = read_stsb(os.path.join(root, "en/STS-B/sts-%s.csv" % split), a.limit)
        emb = model.encode([x for r in rows for x in r[:2]], batch_size=32, convert_to_tensor=True)
        out["%s_spearman" % split] = spearman_of(emb, rows)
    out["eval_s"] = time.perf_counter() - t


def finetune(a, out):
    from datasets import Dataset
    from sentence_transformers import SentenceTransformerTrainer, SentenceTransformerTrainingArguments
    try:
        from sentence_transformers.sentence_transformer.losses import CoSENTLoss  # 6.x
    except ImportError:
        from sentence_transformers.losses import CoSENTLoss
    from transformers import TrainerCallback
    root = os.environ["SENTZOO_DATA"]
    t = time.perf_counter()
    model = load_model(a, "torch")
    out["load_s"] = time.perf_counter() - t
    rows = read_stsb(os.path.join(root, "en/STS-B/sts-train.csv"))
    train = Dataset.from_dict({"sentence1": [r[0] for r in rows], "sentence2": [r[1] for r in rows],
                               "score": [r[2] / 5.0 for r in rows]})
    loss = CoSENTLoss(model, scale=20.0)
    step_ends = []

    class StepTimes(TrainerCallback):
        def on_step_end(self, args, state, control, **kw):  # noqa: ARG002
            step_ends.append(time.perf_counter())

    scratch = tempfile.mkdtemp(prefix="peer-st-")
    args = SentenceTransformerTrainingArguments(
        output_dir=scratch, max_steps=a.steps, per_device_train_batch_size=a.batch, learning_rate=a.lr,
        warmup_steps=int(a.warmup * a.steps), lr_scheduler_type="linear", weight_decay=0.01,
        max_grad_norm=1.0, seed=a.seed, data_seed=a.seed, bf16=a.amp == "bf16", use_cpu=True,
        eval_strategy="no", save_strategy="no", logging_strategy="no", report_to="none",
        disable_tqdm=True, dataloader_drop_last=True, dataloader_num_workers=0)
    trainer = SentenceTransformerTrainer(model=model, args=args, train_dataset=train, loss=loss,
                                         callbacks=[StepTimes()])
    torch.set_num_threads(a.threads)  # after the Trainer/accelerate set-up, which may change it
    t = time.perf_counter()
    result = trainer.train()
    train_s = time.perf_counter() - t
    skip = min(5, a.steps // 4)  # first steps: allocator and thread-pool warm-up (as sentzoo's side)
    window = step_ends[-1] - step_ends[skip - 1] if skip else step_ends[-1] - t
    out.update(steps=len(step_ends), batch=a.batch, seed=a.seed, amp=a.amp, train_seconds=train_s,
               pairs_per_s=(len(step_ends) - skip) * a.batch / window, train_loss=result.training_loss,
               optim=str(args.optim), torch_threads_after=torch.get_num_threads())
    model.eval()
    if a.save:
        t = time.perf_counter()
        model.save(a.save)
        out["save_s"] = time.perf_counter() - t
    else:
        score_splits(model, a, root, out)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["encode", "finetune", "eval"])
    p.add_argument("--model", required=True)
    p.add_argument("--backend", default="torch", choices=["torch", "onnx"])
    p.add_argument("--data", default="en/STS-B/sts-test.csv")
    p.add_argument("--splits", default="dev,test", help="eval / finetune without --save: STS-B splits")
    p.add_argument("--batch", type=int, default=0, help="default: 32 (encode), 16 (finetune)")
    p.add_argument("--amp", default="off", choices=["off", "bf16", "bf16-weights"])
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--steps", type=int, default=120)
    p.add_argument("--lr", type=float, default=2e-5)
    p.add_argument("--warmup", type=float, default=0.1)
    p.add_argument("--max-length", type=int, default=128)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--save", default="", help="finetune: save the model here (eval it with `eval`)")
    p.add_argument("--limit", type=int, default=0, help="encode/eval: first N pairs only (0 = all)")
    a = p.parse_args()
    a.batch = a.batch or (16 if a.mode == "finetune" else 32)
    torch.set_num_threads(a.threads)
    out = {"tool": "sentence-transformers", "mode": a.mode, "threads": a.threads, "versions": versions(),
           "import_s": time.perf_counter() - T_START}
    {"encode": encode, "finetune": finetune, "eval": evaluate}[a.mode](a, out)
    out["torch_threads"] = torch.get_num_threads()
    out["process_s"] = time.perf_counter() - T_START
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps(out))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
