#!/usr/bin/env python3
"""The same architecture in PyTorch eager, for `sentzoo-bench train|encode` side by side.

BERT = transformers BertModel, RoFormerV2 = JunnYu's roformer 0.4.3 RoFormerModel in V2 mode
(rms_norm, no biases, relu), both at the bench's "small" shape (6 layers, h 384, 6 heads, FFN
1536) with mean pooling, CoSENT (scale 20), AdamW, grad clip 1.0 and, for bf16, CPU autocast
around forward + loss (backward outside), exactly the step sentzoo-bench times. Prints one JSON.

  python bench/peer_torch.py train --arch bert --seq 128 --batch 8 --amp off --threads 2
"""
import argparse
import json
import resource
import statistics
import time

import torch


def import_roformer():
    """roformer 0.4.3 imports names that later transformers releases moved (pytorch_utils) or
    dropped (SequenceSummary, TF helpers); RoFormerModel's forward uses none of the dropped ones.
    Put them back where it looks (nothing changes on the transformers 4.41 of .venv-ref). Works up
    to transformers 4.57; transformers 5 changed PreTrainedModel/PretrainedConfig further, so on
    the newest peers bench/run_all.py runs this architecture in the ONNX peers' venv (torch 2.15,
    transformers 4.57)."""
    import transformers.file_utils as fu
    import transformers.modeling_utils as mu
    import transformers.utils as tu
    for name in ("is_tf_available", "is_tokenizers_available", "is_torch_available", "_LazyModule",
                 "add_code_sample_docstrings", "add_start_docstrings", "add_start_docstrings_to_model_forward",
                 "replace_return_docstrings", "ModelOutput"):
        if not hasattr(fu, name) and hasattr(tu, name):
            setattr(fu, name, getattr(tu, name))
    if not hasattr(fu, "is_tf_available"):
        fu.is_tf_available = lambda: False
    try:
        import transformers.pytorch_utils as pu
    except ImportError:
        pu = None
    for name in ("apply_chunking_to_forward", "find_pruneable_heads_and_indices", "prune_linear_layer"):
        if not hasattr(mu, name) and hasattr(pu, name):
            setattr(mu, name, getattr(pu, name))
    if not hasattr(mu, "SequenceSummary"):
        mu.SequenceSummary = type("SequenceSummary", (object,), {})  # heads only, never built here
    import roformer
    return roformer


def build(arch, size):
    if size != "small":
        raise SystemExit("peer_torch.py: only --size small is mirrored")
    shape = dict(hidden_size=384, num_hidden_layers=6, num_attention_heads=6, intermediate_size=1536)
    if arch == "bert":
        import transformers
        cfg = transformers.BertConfig(vocab_size=30522, **shape)
        return transformers.BertModel(cfg, add_pooling_layer=True), 30522
    if arch == "roformer_v2":
        roformer = import_roformer()
        cfg = roformer.RoFormerConfig(vocab_size=12000, hidden_act="relu", layer_norm_eps=1e-12,
                                      norm_type="rms_norm", use_bias=False, **shape)
        return roformer.RoFormerModel(cfg), 12000
    raise SystemExit("peer_torch.py: no PyTorch peer for " + arch)


def mean_pool(hidden, mask):
    m = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)


def cosent(u, v, labels, scale=20.0):
    s = torch.cosine_similarity(u, v, dim=1) * scale
    diff = s[None, :] - s[:, None]  # s_j - s_i where label_i > label_j
    keep = labels[:, None] > labels[None, :]
    diff = diff - (~keep).to(diff.dtype) * 1e12
    diff = torch.cat([torch.zeros(1, dtype=diff.dtype), diff.view(-1)])
    return torch.logsumexp(diff, dim=0)


def time_steps(step, warmup, steps, min_seconds):
    for _ in range(warmup):
        step()
    ms, begin = [], time.perf_counter()
    while len(ms) < steps or (time.perf_counter() - begin < min_seconds and len(ms) < 200):
        t = time.perf_counter()
        step()
        ms.append(1e3 * (time.perf_counter() - t))
    return {"median_ms": statistics.median(ms), "all_ms": ms}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["train", "encode"])
    p.add_argument("--arch", default="bert")
    p.add_argument("--size", default="small")
    p.add_argument("--seq", type=int, default=128)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--amp", default="off")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--warmup", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model, vocab = build(a.arch, a.size)
    bf16 = a.amp == "bf16"
    rows = a.batch
    ids = torch.randint(104, vocab, (rows, a.seq))
    ids_b = torch.randint(104, vocab, (rows, a.seq))
    mask = torch.ones(rows, a.seq, dtype=torch.long)
    if a.mode == "train":
        model.train()
        decay = [p_ for n, p_ in model.named_parameters() if p_.ndim > 1 and "embed" not in n]
        no_decay = [p_ for n, p_ in model.named_parameters() if not (p_.ndim > 1 and "embed" not in n)]
        opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01},
                                 {"params": no_decay, "weight_decay": 0.0}], lr=1e-5)
        labels = torch.rand(rows)
        params = list(model.parameters())

        def step():
            opt.zero_grad()
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                u = mean_pool(model(input_ids=ids, attention_mask=mask)[0], mask)
                v = mean_pool(model(input_ids=ids_b, attention_mask=mask)[0], mask)
                loss = cosent(u.float(), v.float(), labels)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            loss.item()

        out = time_steps(step, a.warmup, a.steps, 2.0)
        s = out["median_ms"] * 1e-3
        out.update(sentences_per_s=2 * rows / s, pairs_per_s=rows / s, tokens_per_s=2 * rows * a.seq / s)
    else:
        model.eval()

        def step():
            with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                mean_pool(model(input_ids=ids, attention_mask=mask)[0], mask).float().sum().item()

        out = time_steps(step, a.warmup, a.steps, 1.5)
        s = out["median_ms"] * 1e-3
        out.update(sentences_per_s=rows / s, tokens_per_s=rows * a.seq / s)
    import transformers
    out.update(tool="pytorch", mode=a.mode, threads=a.threads, torch=torch.__version__,
               transformers=transformers.__version__, attn_implementation=getattr(
                   getattr(model, "config", None), "_attn_implementation", None),
               peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
