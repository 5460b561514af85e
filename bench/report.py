#!/usr/bin/env python3
"""docs/perf/results.json -> docs/PERFORMANCE.md + PNG charts in docs/perf/.

  python bench/report.py docs/perf/results.json docs/PERFORMANCE.md
"""
import json
import os
import statistics
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ARCH = {"bert": "BERT", "roformer_v2": "RoFormerV2", "deepnet": "DeepNet"}
AMP = {"off": "fp32", "bf16": "bf16", "bf16-weights": "bf16 weights"}


def f(x, nd=0):
    if x is None:
        return "—"
    return ("{:,.%df}" % nd).format(x)


def ratio(x):
    return "—" if x is None else "%.2f×" % x


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def pv(a, b, nd=4):
    """'a / b' for sentzoo / peer pairs."""
    return "%s / %s" % (f(a, nd), f(b, nd))


def labels(m):
    """Column names of the sentzoo builds and peers of this run."""
    b = m.get("sentzoo_builds", {})
    peers = m.get("peers", {})
    def pk(key, dist):
        if not peers:  # results.json from before the newest peers: one venv, python_packages
            return m.get("python_packages", {}).get(dist, "?")
        return peers.get(key, {}).get("python_packages", {}).get(dist, "?")
    return {
        "sentzoo": "sentzoo" + (" (%s)" % b["sentzoo"]["label"] if b.get("sentzoo", {}).get("label") else ""),
        "sentzoo2": "sentzoo (%s)" % b.get("sentzoo2", {}).get("label", "build 2"),
        "st": "ST %s torch %s" % (pk("peers", "sentence-transformers"), pk("peers", "torch").split("+")[0]),
        "st_onnx": "ST %s ONNX Runtime %s" % (pk("peers_onnx", "sentence-transformers"), pk("peers_onnx", "onnxruntime")),
        "st_old": "ST %s torch %s" % (pk("peers_old", "sentence-transformers"), pk("peers_old", "torch").split("+")[0][:6]),
        "pytorch": "PyTorch %s" % pk("peers", "torch").split("+")[0],
        "pytorch_old": "PyTorch %s" % pk("peers_old", "torch").split("+")[0][:6],
    }


def verdict(value, target):
    if value is None:
        return "not measured"
    return "**met**" if value >= target else "**not met**"


def charts(res, out_dir):
    made = []
    all_t = res["machine"]["settings"]["threads"] or res["machine"]["cores"]
    tr = [r for r in res.get("train", []) if "mfu" in r and r["threads"] == all_t]
    if tr:
        fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
        for ax, size in zip(axes, ("tiny", "small")):
            for arch in ARCH:
                for amp, style in (("off", "-o"), ("bf16", "--s")):
                    sel = sorted([r for r in tr if r["arch"] == arch and r["size"] == size and r["amp"] == amp],
                                 key=lambda r: r["seq"])
                    if sel:
                        ax.plot([r["seq"] for r in sel], [100 * r.get("mfu_inline", r["mfu"]) for r in sel], style,
                                label="%s %s" % (ARCH[arch], AMP[amp]))
            ax.axhline(70, color="grey", lw=0.8, ls=":")
            ax.set_title("training MFU, %s, %d thread(s)" % (size, all_t))
            ax.set_xlabel("sequence length")
            ax.set_xscale("log", base=2)
            ax.set_xticks([32, 64, 128], ["32", "64", "128"])
        axes[0].set_ylabel("MFU (% of GEMM ceiling, same process)")
        axes[1].legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(os.path.join(out_dir, "train_mfu.png"), dpi=90)
        plt.close(fig)
        made.append("train_mfu.png")
    comps = []
    for r in res.get("vs_pytorch", []):
        comps.append(("%s T%d %s train" % (ARCH[r["arch"]], r["seq"], AMP[r["amp"]]), r.get("train_ratio")))
    for r in res.get("st_encode", []):
        comps.append(("MiniLM encode %s vs ST" % AMP[r["amp"]], r.get("ratio")))
        if r.get("ratio_onnx"):
            comps.append(("MiniLM encode %s vs ST ONNX" % AMP[r["amp"]], r.get("ratio_onnx")))
    ft = res.get("finetune")
    if ft:
        comps.append(("MiniLM fine-tune matched", ft["matched"].get("ratio")))
        comps.append(("MiniLM fine-tune best", ft["best"].get("ratio")))
    tok = res.get("tokenizer")
    if tok:
        comps.append(("tokenizer vs HF batch", tok.get("ratio_vs_batch")))
    comps = [(n, v) for n, v in comps if v]
    if comps:
        fig, ax = plt.subplots(figsize=(8, 0.35 * len(comps) + 1))
        ax.barh([n for n, _ in comps], [v for _, v in comps],
                color=["tab:green" if v >= 1 else "tab:red" for _, v in comps])
        ax.axvline(1.0, color="black", lw=0.8)
        ax.set_xscale("log")
        ticks = [t for t in (0.5, 1, 1.3, 2, 5, 10, 20, 50) if t <= max(v for _, v in comps) * 1.5]
        ax.set_xticks(ticks, [str(t) for t in ticks])
        ax.invert_yaxis()
        ax.set_xlabel("sentzoo speed / peer speed (same run, medians)")
        fig.tight_layout()
        fig.savefig(os.path.join(out_dir, "ratios.png"), dpi=90)
        plt.close(fig)
        made.append("ratios.png")
    return made


def main():
    src, dst = sys.argv[1], sys.argv[2]
    res = json.load(open(src))
    out_dir = os.path.dirname(src)
    made = charts(res, out_dir)
    rel = os.path.relpath(out_dir, os.path.dirname(dst))
    m = res["machine"]
    s = m["settings"]
    LB = labels(m)
    L = []
    L.append("# sentzoo performance\n")
    L.append("Generated by `bench/run.sh` (bench/run_all.py measures, bench/report.py writes this file); "
             "raw numbers in [`%s/results.json`](%s/results.json). Do not edit by hand: rerun.\n" % (rel, rel))
    L.append("## Machine, versions, load\n")
    loads = m.get("load_samples_1min") or []
    L.append(table(["item", "value"], [
        ["date", m["date_utc"]], ["CPU", "%s, %d cores, avx512_bf16 %s%s" % (
            m["cpu"], m["cores"], m["cpu_flags_bf16"], "; ISA: " + " ".join(m["cpu_isa"]) if m.get("cpu_isa") else "")],
        ["memory", m["memory"]], ["kernel", m["kernel"]], ["compiler", m["compiler"]],
        ["LibTorch (Debian)", m["libtorch"]], ["BLAS (libblas.so.3)", m["blas"]],
        ["OpenBLAS / oneDNN", "%s / %s" % (m["openblas"], m["onednn"])],
    ] + [
        ["%s: BLAS / GEMM kernel / CPU features" % LB[k], "%s / %s / %s" % (v.get("blas"), v.get("gemm_kernel"), v.get("cpu_features"))]
        for k, v in m.get("sentzoo_builds", {}).items()
    ] + [
        ["Python peers (%s)" % k, "%s; torch MKL %s, oneDNN %s, CPU capability %s" % (
            ", ".join("%s %s" % kv for kv in v.get("python_packages", {}).items()), v.get("mkl_available"),
            v.get("mkldnn_available"), v.get("cpu_capability")) if "error" not in v else "error: " + v["error"][-200:]]
        for k, v in m.get("peers", {}).items()
    ] + ([] if m.get("peers") else [["Python peers", ", ".join("%s %s" % kv for kv in m["python_packages"].items())]]) + [
        ["sentzoo commit", "%s%s" % (m["git_commit"], " (+ uncommitted changes)" if m["git_dirty"] else "")],
        ["load average (1 min) before / after", "%.2f / %.2f" % (m["load_before"][0], m["load_after"][0])],
        ["load average during the run (10 s samples)",
         "min %.2f, median %.2f, max %.2f" % (min(loads), sorted(loads)[len(loads) // 2], max(loads)) if loads else "—"],
        ["total run time", "%.0f s (%s)" % (m["total_seconds"], ", ".join("%s %ss" % kv for kv in m["section_seconds"].items()))],
        ["settings", "threads 'all' = %d; %d alternating rounds per comparison; %d measured steps per synthetic bench "
                     "(at least 2 s); %d tokens per synthetic training step; fine-tuning %d steps × %d pairs"
         % (m["cores"] if not s["threads"] else s["threads"], s["rounds"], s["steps"], s["train_tokens"],
            s["ft_steps"], s["ft_batch"])],
    ]))
    L.append("")
    # The benchmark itself keeps up to `cores` threads busy, so only load beyond that is other work.
    busy = loads and statistics.median(loads) > m["cores"] + 0.5
    L.append("**Load:** %s Ratios are therefore measured side by side (the tools of a comparison run back to "
             "back, alternating order, medians of the rounds), which cancels a steady background load but not "
             "a fluctuating one; absolute numbers (GFLOP/s, sentences/s, MFU) are only as good as the load "
             "column says.\n" % (
                 "the machine was **shared with other work during this run** (median load average above the "
                 "core count plus the benchmark's own threads; see the samples above), so absolute timings are "
                 "low and noisy." if busy else
                 "nothing else ran during this run (the load average is the benchmark's own %d threads). This "
                 "is a virtual machine on a shared host, though: the same binary measured minutes apart moved "
                 "by up to ±15%% (see the analysis)." % m["cores"]))
    L.append("Processes using the CPU when the run started:\n\n```\n%s\n```\n" % m.get("other_processes", ""))
    for k, v in m.get("peers", {}).items():
        if v.get("torch_config"):
            L.append("<details><summary>torch build in the %s venv (<code>torch.__config__.show()</code>, "
                     "<code>parallel_info()</code>)</summary>\n\n```\n%s\n%s\n```\n</details>\n" % (
                         k, v["torch_config"].strip(), v.get("torch_parallel_info", "").strip()))

    # ---- targets at a glance
    L.append("## Targets at a glance\n")
    L.append("Ratios = sentzoo speed / peer speed from this one run (tools alternating, medians); details in the "
             "sections named.\n")
    # The best GEMM ceiling on the machine, per precision/threads, over both sentzoo builds (issue
    # #11: MFU targets are judged against the best ceiling available, named in the report).
    best_ceiling = {}
    for gkey, bkey in (("gemm", "sentzoo"), ("gemm_sentzoo2", "sentzoo2")):
        for k, v in res.get(gkey, {}).get("ceiling_gflops", {}).items():
            if v and (k not in best_ceiling or v > best_ceiling[k][0]):
                best_ceiling[k] = (v, LB.get(bkey, bkey))

    def mfu_best(r):
        c = best_ceiling.get("%s/%d" % ("bf16" if r.get("amp") == "bf16" else "fp32", r.get("threads") or 0))
        return r["model_gflops"] / c[0] if c and r.get("model_gflops") else None

    trows = []
    for sfx, key in [("", "sentzoo")] + ([("2", "sentzoo2")] if m.get("sentzoo_builds", {}).get("sentzoo2") else []):
        enc = [r for r in res.get("st_encode", []) if r["amp"] == "off"]
        e = enc[0] if enc else {}
        trows.append([LB[key], "§6 encode fp32 vs sentence-transformers (torch)", "≥ 1.5×", ratio(e.get("ratio" + sfx)),
                      verdict(e.get("ratio" + sfx), 1.5)])
        trows.append([LB[key], "§6 encode fp32 vs its ONNX backend", "≥ 1.0×", ratio(e.get("ratio_onnx" + sfx)),
                      verdict(e.get("ratio_onnx" + sfx), 1.0)])
        ftr = res.get("finetune") or {}
        for k, target in (("matched", 1.3), ("best", 2.0)):
            c = ftr.get(k, {})
            d = [c.get("dev_delta" + sfx), c.get("test_delta" + sfx)]
            eq = "" if None in d else (" (Spearman Δ dev %+.4f, test %+.4f)" % tuple(d))
            trows.append([LB[key], "§7 fine-tuning, %s settings%s" % (k, eq), "≥ %.1f×%s" % (
                target, ", equal Spearman" if k == "best" else ""), ratio(c.get("ratio" + sfx)),
                verdict(c.get("ratio" + sfx), target) if k == "matched" or (None not in d and all(abs(x) <= 0.005 for x in d))
                else "not judged (Spearman not measured)" if None in d else "**not met** (Spearman)"])
        tr = res.get("train", []) if key == "sentzoo" else res.get("train_sentzoo2", [])
        cells = [r for r in tr if "mfu" in r and r["size"] == "small" and r["seq"] == 128
                 and r["arch"] in ("bert", "roformer_v2") and r.get("threads") == (s["threads"] or m["cores"])]
        cells = [r for r in cells if mfu_best(r) is not None]
        if cells:
            low = min(cells, key=mfu_best)
            v = mfu_best(low)
            trows.append([LB[key], "§2 training MFU, small, T 128, against the best GEMM ceiling on the machine "
                          "(lowest of %d cells: %s %s)" % (len(cells), ARCH[low["arch"]], AMP[low["amp"]]),
                          "≥ 70%", "%.0f%%" % (100 * v), verdict(v, 0.7)])
    L.append(table(["sentzoo build", "comparison", "target", "measured", "verdict"], trows))
    L.append("")

    # ---- GEMM
    g = res.get("gemm", {}).get("ceiling_gflops", {})
    L.append("## 1. The machine's ceiling: GEMM\n")
    L.append("`at::mm_out` on 2048×2048 by 2048×2048, median of 5 after a warm-up, median over rounds. fp32 goes "
             "through the BLAS above, bf16 through oneDNN (it never touches the BLAS). TOOLCHAIN.md §3 expects "
             "about 100 GFLOP/s per core fp32 (OpenBLAS) and 200 per core bf16.\n")
    threads = sorted({int(k.split("/")[1]) for k in g})
    L.append(table(["precision"] + ["%d thread%s GFLOP/s" % (t, "s" if t > 1 else "") for t in threads],
                   [[p] + [f(g.get("%s/%d" % (p, t)), 1) for t in threads] for p in ("fp32", "bf16")]))
    g2 = res.get("gemm_sentzoo2", {}).get("ceiling_gflops", {})
    if g2:
        L.append("\nThe same GEMM from the second build, %s:\n" % LB["sentzoo2"])
        L.append(table(["precision"] + ["%d thread%s GFLOP/s" % (t, "s" if t > 1 else "") for t in threads],
                       [[p] + [f(g2.get("%s/%d" % (p, t)), 1) for t in threads] for p in ("fp32", "bf16")]))
    L.append("\nThese medians are the denominators of every MFU below (same build, precision and thread count).\n")

    # ---- training grid
    L.append("## 2. Training throughput and MFU (synthetic batches)\n")
    L.append("`sentzoo-bench train`: a shared-tower dual encoder (mean pooling) trained with CoSENT (scale 20), "
             "AdamW, grad clip 1.0, on random ids at full length (no padding, so the counted FLOPs are executed); "
             "bf16 = autocast around forward + loss, as sentzoo-train does. Each step processes "
             "%d tokens (pairs = tokens / (2·T)). \"small\" is RoFormerV2-small's shape (6 layers, h 384, 6 heads, "
             "FFN 1536, = MiniLM-L6) on each family; \"tiny\" is each family's tiny preset. The small T = 128 rows "
             "(the MFU target) are the median of %d runs; the others are single runs.\n"
             % (s["train_tokens"], s["rounds"] + 1))
    L.append("**FLOP formula.** Training FLOPs per step = 3 × tokens × L × [2·(4h² + 2h·I) + 4·T·h]: the Q, K, V, O "
             "and FFN projections (2 FLOPs per multiply-add) plus QKᵀ and AV, with backward = 2 × forward. "
             "Embeddings, norms, softmax, pooling, loss and optimizer are not counted. "
             "MFU = counted FLOP/s ÷ measured GEMM ceiling of the same precision and threads: once against the "
             "§1 medians, once against a 2048² GEMM timed inside the same process right before and after the "
             "training steps (mean of the two), which is the number to trust on a shared machine.\n")
    rows = []
    for r in res.get("train", []):
        if "error" in r:
            rows.append([ARCH.get(r["arch"]), r["size"], r["seq"], AMP[r["amp"]], r.get("threads", "?"),
                         "error", "", "", "", "", "", ""])
            continue
        rows.append([ARCH[r["arch"]], r["size"], r["seq"], AMP[r["amp"]], r["threads"], r["batch_pairs"],
                     f(r["sentences_per_s"], 1), f(r["tokens_per_s"]), f(r["model_gflops"], 1),
                     "%.0f%%" % (100 * r["mfu"]),
                     "%.0f%%" % (100 * r["mfu_inline"]) if "mfu_inline" in r else "—", f(r["child_peak_rss_mb"])])
    L.append(table(["model", "size", "T", "precision", "threads", "pairs/step", "sentences/s", "tokens/s",
                    "model GFLOP/s", "MFU (§1 ceiling)", "MFU (same-process ceiling)", "peak RSS MB"], rows))
    if "train_mfu.png" in made:
        L.append("\n![training MFU](%s/train_mfu.png)\n" % rel)
    tgt = [r for r in res.get("train", []) if "mfu" in r and r["size"] == "small" and r["seq"] == 128
           and r["arch"] in ("bert", "roformer_v2") and r["threads"] == (s["threads"] or m["cores"])]
    def mfu_of(r):
        return r.get("mfu_inline", r["mfu"])
    tgt2 = [r for r in res.get("train_sentzoo2", []) if "mfu" in r]
    def best_line(rows):
        return ", ".join("%s %s %s (%s)" % (ARCH[r["arch"]], AMP[r["amp"]],
                                            "%.0f%%" % (100 * mfu_best(r)) if mfu_best(r) else "—",
                                            "met" if (mfu_best(r) or 0) >= 0.7 else "not met") for r in rows)
    L.append("\nTarget: MFU ≥ 70%% in fp32 and bf16 for RoFormerV2-small and BERT-small at T = 128, against the "
             "best GEMM ceiling on the machine (%s). Same-process ceiling (own build): %s%s. Best ceiling: %s.\n" % (
                 "; ".join("%s %.0f GFLOP/s (%s)" % (k, v, who) for k, (v, who) in sorted(best_ceiling.items())),
                 LB["sentzoo"] + ": " if tgt2 else "", ", ".join(
                 "%s %s %.0f%% (%s)" % (ARCH[r["arch"]], AMP[r["amp"]], 100 * mfu_of(r),
                                        "met" if mfu_of(r) >= 0.7 else "not met") for r in tgt), best_line(tgt)))
    if res.get("train_sentzoo2"):
        L.append("The same target cells from %s (median of %d runs, MFU against its own ceilings):\n" % (
            LB["sentzoo2"], s["rounds"] + 1))
        L.append(table(["model", "T", "precision", "threads", "sentences/s", "model GFLOP/s", "MFU (§1 ceiling)",
                        "MFU (same-process ceiling)", "peak RSS MB"],
                       [[ARCH[r["arch"]], r["seq"], AMP[r["amp"]], r.get("threads"), f(r.get("sentences_per_s"), 1),
                         f(r.get("model_gflops"), 1), "%.0f%%" % (100 * r["mfu"]) if "mfu" in r else "—",
                         "%.0f%%" % (100 * r["mfu_inline"]) if "mfu_inline" in r else "—",
                         f(r.get("child_peak_rss_mb"))] for r in res["train_sentzoo2"]]))
        L.append("\nTarget (%s), same-process ceiling of its own build: %s. Against the best ceiling on the "
                 "machine: %s.\n" % (LB["sentzoo2"], ", ".join(
            "%s %s %.0f%% (%s)" % (ARCH[r["arch"]], AMP[r["amp"]], 100 * mfu_of(r),
                                   "met" if mfu_of(r) >= 0.7 else "not met") for r in tgt2), best_line(tgt2)))

    # ---- vs PyTorch
    vsp = res.get("vs_pytorch", [])
    L.append("## 3. sentzoo vs the same architecture in PyTorch eager\n")
    new_peers = bool(m.get("peers"))
    L.append("Same shape, same step (mean pooling, CoSENT, AdamW, clip 1.0, bf16 autocast), same batch, same "
             "threads, random ids: BERT = transformers `BertModel`, RoFormerV2 = roformer 0.4.3 `RoFormerModel` "
             "(rms_norm, no bias, relu). bench/peer_torch.py. Encoding = forward under no_grad, 32 sentences of "
             "length T. %s\n" % (
                 "PyTorch = the newest torch from PyPI (%s; BERT with transformers %s, RoFormerV2 with transformers "
                 "%s, the newest roformer 0.4.3 imports with)%s. Tools run back to back in alternating order, "
                 "medians of the rounds." % (
                     LB["pytorch"], m["peers"].get("peers", {}).get("python_packages", {}).get("transformers"),
                     m["peers"].get("peers_onnx", {}).get("python_packages", {}).get("transformers"),
                     "; %s = Debian's torch 1.13 (the libtorch the first sentzoo build links)" % LB["pytorch_old"]
                     if "peers_old" in m["peers"] else "")
                 if new_peers else "PyTorch = Debian's torch 1.13 (the same libtorch build sentzoo links)."))
    tools = [k for k in ("sentzoo", "sentzoo2", "pytorch", "pytorch_old") if vsp and ("%s_train_sps" % k) in vsp[0]]
    ratio_cols = [("train_ratio", "encode_ratio", "sentzoo / %s" % LB["pytorch"])]
    if "sentzoo2" in tools:
        ratio_cols.append(("train_ratio2", "encode_ratio2", "%s / %s" % (LB["sentzoo2"], LB["pytorch"])))
    if "pytorch_old" in tools:
        ratio_cols.append(("train_ratio_old", "encode_ratio_old", "sentzoo / %s" % LB["pytorch_old"]))
    for kind in ("train", "encode"):
        rows = []
        for r in vsp:
            rows.append([ARCH[r["arch"]], r["seq"], AMP[r["amp"]], r["batch_pairs"] if kind == "train" else 32]
                        + [f(r.get("%s_%s_sps" % (k, kind)), 1) for k in tools]
                        + [ratio(r.get(rc[0] if kind == "train" else rc[1])) for rc in ratio_cols]
                        + [" / ".join(f(r.get("%s_%s_rss_mb" % (k, kind))) for k in tools)])
        L.append("\n%s:\n" % ("Training (sentences/s)" if kind == "train" else "Encoding (sentences/s)"))
        L.append(table(["model (small)", "T", "precision", "pairs/step" if kind == "train" else "batch"]
                       + [LB[k] for k in tools] + ["ratio " + rc[2] for rc in ratio_cols]
                       + ["peak RSS MB " + " / ".join(LB[k] for k in tools)], rows))
    vp = [r["train_ratio"] for r in vsp if r.get("train_ratio") and r["amp"] == "off"]
    L.append("\nTarget: training ≥ 1.1× PyTorch eager at matched settings: fp32 ratios %s → %s.\n" % (
        ", ".join("%.2f" % v for v in vp), verdict(min(vp) if vp else None, 1.1)))

    # ---- inference
    L.append("## 4. Encoding and cross-encoder scoring (synthetic)\n")
    rows = []
    for e, c in zip(res.get("encode", []), res.get("cross", [])):
        rows.append([ARCH[e["arch"]], AMP[e["amp"]], f(e.get("sentences_per_s"), 1), f(e.get("child_peak_rss_mb")),
                     f(c.get("pairs_per_s"), 1), f(c.get("child_peak_rss_mb"))])
    L.append(table(["model (small)", "precision", "encode sentences/s (T 64, batch 32)", "peak RSS MB",
                    "cross-encoder pairs/s (T 128 packed, batch 16)", "peak RSS MB"], rows))
    L.append("")

    # ---- tokenizer
    tok = res.get("tokenizer")
    if tok:
        L.append("## 5. Tokenizer vs Hugging Face tokenizers (single thread)\n")
        L.append("English STS-B train sentences (%d), bert-base-uncased vocabulary, lowercase. sentzoo: "
                 "`sentzoo-tokenize --bench`; HF: bench/tokenizer_hf.py (tokenizers %s, RAYON_NUM_THREADS=1). "
                 "Medians of %d alternating rounds.\n" % (tok["sentences"], m["python_packages"].get("tokenizers"), s["rounds"]))
        L.append(table(["tokenizer", "sentences/s", "sentzoo ratio"], [
            ["sentzoo WordPiece", f(tok["sentzoo_sps"]), ""],
            ["HF `Tokenizer.encode` in a Python loop", f(tok["hf_loop_sps"]), ratio(tok.get("ratio_vs_loop"))],
            ["HF `encode_batch` (1 thread)", f(tok["hf_batch_sps"]), ratio(tok.get("ratio_vs_batch"))]]))
        L.append("\nTarget: ≥ 1× HF single-threaded (against the faster HF path, encode_batch): %s.\n" %
                 verdict(tok.get("ratio_vs_batch"), 1.0))

    # ---- ST encode
    se_rows = res.get("st_encode", [])
    L.append("## 6. sentence-transformers: encoding STS-B test with all-MiniLM-L6-v2\n")
    L.append("The same weights (~/.cache/sentzoo/models/all-MiniLM-L6-v2) for every tool: sentzoo through "
             "`load_sentence_transformer` (`sentzoo-bench sts`), sentence-transformers through "
             "`SentenceTransformer.encode` (bench/peer_st_current.py; backend \"torch\", and backend \"onnx\": "
             "ONNX Runtime on an fp32 export of the same folder made at load, offline); the %d sentences of STS-B "
             "test%s, batch 32, sorted by length, tokenization included, max length 128, %s threads. Each process "
             "encodes them once to warm up and %s more times: sentences/s is the median pass (in-process); "
             "\"whole process\" is the process's wall time (start-up, model load or ONNX export, warm-up and the "
             "passes), with ONNX's load + export time apart. Spearman of the cosine against the gold scores shows "
             "every tool computes the same model. bf16 = autocast over fp32 weights; bf16 weights = the module "
             "converted to bf16 (no casts per forward). Tools alternate, medians of %d rounds.\n"
             % (2 * (s["sts_limit"] or 1379), " (its first %d pairs only)" % s["sts_limit"] if s["sts_limit"] else "",
                se_rows[0]["threads"] if se_rows else "?", s.get("reps", 3), s["rounds"]))
    tools = [k for k in ("sentzoo", "sentzoo2", "st", "st_onnx", "st_old")
             if any(r.get(k + "_sps") or r.get(k + "_error") for r in se_rows)]
    rows = []
    for r in se_rows:
        for k in tools:
            if k + "_sps" not in r:
                continue
            is_sz = k.startswith("sentzoo")
            sfx = "2" if k == "sentzoo2" else ""
            rows.append([AMP[r["amp"]], LB[k], f(r.get(k + "_sps"), 1), f(r.get(k + "_wall_s"), 1),
                         f(r.get(k + "_load_s"), 1) if k == "st_onnx" else "", f(r.get(k + "_spearman"), 4),
                         f(r.get(k + "_rss_mb")),
                         ratio(r.get("ratio" + sfx)) if is_sz else "", ratio(r.get("ratio_onnx" + sfx)) if is_sz else "",
                         ratio(r.get("wall_ratio" + sfx)) if is_sz else "",
                         ("error: " + r[k + "_error"][-120:].replace("\n", " ").replace("|", "/")) if r.get(k + "_error") else ""])
    L.append(table(["precision", "tool", "sent/s (in-process)", "whole process s", "ONNX load + export s", "Spearman",
                    "peak RSS MB", "× ST torch", "× ST ONNX", "whole process × ST torch", "note"], rows))
    def se_ratio(key):
        v = [r.get(key) for r in se_rows if r["amp"] == "off"]
        return v[0] if v else None
    L.append("\nTargets (fp32, same run): encoding ≥ 1.5× sentence-transformers (newest, backend torch): %s (%s); "
             "≥ 1.0× its ONNX backend: %s (%s).%s\n" % (
                 ratio(se_ratio("ratio")), verdict(se_ratio("ratio"), 1.5), ratio(se_ratio("ratio_onnx")),
                 verdict(se_ratio("ratio_onnx"), 1.0),
                 " %s: %s (%s) and %s (%s)." % (LB["sentzoo2"], ratio(se_ratio("ratio2")), verdict(se_ratio("ratio2"), 1.5),
                                                ratio(se_ratio("ratio_onnx2")), verdict(se_ratio("ratio_onnx2"), 1.0))
                 if "sentzoo2" in tools else ""))

    # ---- fine-tune
    ft = res.get("finetune")
    if ft:
        seeds = ft.get("seeds", [42])
        L.append("## 7. sentence-transformers: fine-tuning all-MiniLM-L6-v2 with CoSENT on STS-B train\n")
        L.append("Every tool starts from the same weights and trains %d steps of %d pairs (lr 2e-5, linear schedule "
                 "with 10%% warm-up, AdamW weight decay 0.01 on all but biases and LayerNorm, clip 1.0, CoSENT scale "
                 "20, max length 128, %d threads, shuffled batches), once per seed (%s); the trained model is then "
                 "scored on STS-B dev and test in fp32%s. sentence-transformers runs `SentenceTransformerTrainer` "
                 "(bench/peer_st_current.py: evaluation, checkpoints, logging and reporting off; its default "
                 "optimizer); sentzoo runs `sentzoo-train` with `model.init_from` = the MiniLM folder and mean pooling. "
                 "pairs/s (in-process) is steps 5 to %d on every side, median over the seeds; whole process = wall "
                 "time of the training process (start-up, load, train, save), median over the seeds; Spearman = mean "
                 "over the seeds (each seed's value in results.json). Matched: fp32. Best CPU settings: "
                 "sentence-transformers `bf16=True` (CPU autocast; it has no length bucketing); sentzoo bf16 + length "
                 "bucketing (`bucket_batches` 50).\n" % (
                     ft["steps"], ft["batch"], ft["threads"], ", ".join(str(x) for x in seeds),
                     " (the first %d pairs of each)" % s["eval_limit"] if s["eval_limit"] else "", ft["steps"]))
        rows = []
        for k, name in (("matched", "matched (fp32)"), ("best", "best settings")):
            cell = ft[k]
            for tool in ("sentzoo", "sentzoo2", "st", "st_old"):
                c = cell.get(tool)
                if not c:
                    continue
                sfx = "2" if tool == "sentzoo2" else ""
                is_sz = tool.startswith("sentzoo")
                rows.append([name, LB[tool], f(c.get("pairs_per_s"), 1), f(c.get("wall_s"), 1),
                             f(c.get("dev_spearman"), 4), f(c.get("test_spearman"), 4),
                             "%s/%d" % (c.get("seeds_ok", 1 if c.get("dev_spearman") else 0), len(seeds)),
                             f(c.get("child_peak_rss_mb")),
                             ratio(cell.get("ratio" + sfx)) if is_sz else "",
                             ratio(cell.get("wall_ratio" + sfx)) if is_sz else "",
                             "%+.4f / %+.4f" % (cell["dev_delta" + sfx], cell["test_delta" + sfx])
                             if is_sz and cell.get("dev_delta" + sfx) is not None and cell.get("test_delta" + sfx) is not None else "",
                             ("error: " + c["error"][-120:].replace("\n", " ").replace("|", "/")) if c.get("error") else ""])
        L.append(table(["setting", "tool", "pairs/s (in-process)", "whole process s", "dev Spearman (mean)",
                        "test Spearman (mean)", "seeds", "peak RSS MB", "× ST (pairs/s)", "× ST (whole process)",
                        "Δ Spearman vs ST dev / test", "note"], rows))
        if "st_old" in ft["matched"]:
            L.append("\n%s is the old_fit loop (bench/peer_st.py); its whole-process time includes scoring dev "
                     "and test, which the others do in a separate process.\n" % LB["st_old"])

        def equal(cell, sfx=""):
            d = [cell.get("dev_delta" + sfx), cell.get("test_delta" + sfx)]
            return None if None in d else all(abs(x) <= 0.005 for x in d)
        def tgt(k, sfx, target):
            cell = ft[k]
            r = cell.get("ratio" + sfx)
            eq = equal(cell, sfx)
            v = verdict(r, target)
            if k == "best" and eq is not True and r is not None:
                v = "**not met** (Spearman not equal)" if eq is False else "not judged (Spearman not measured)"
            return "%s → %s, Spearman %s" % (ratio(r), v, "equal (±0.005 on dev and test means)"
                                             if eq else ("not equal" if eq is False else "not measured"))
        L.append("\nTargets (ratios of pairs/s in this run, Spearman = mean of %d seed%s per tool): ≥ 1.3× at matched "
                 "settings: %s; ≥ 2× with best settings at equal Spearman: %s.%s\n" % (
                     len(seeds), "s" if len(seeds) > 1 else "", tgt("matched", "", 1.3), tgt("best", "", 2.0),
                     " %s: %s; %s." % (LB["sentzoo2"], tgt("matched", "2", 1.3), tgt("best", "2", 2.0))
                     if "sentzoo2" in ft["matched"] else ""))
        if len(seeds) < 3:
            L.append("_Fewer than 3 seeds: the Spearman comparison is not the one the target asks for._\n")
    if "ratios.png" in made:
        L.append("![speed ratios](%s/ratios.png)\n" % rel)

    # ---- profile
    pr = res.get("profile")
    if pr:
        L.append("## 8. Profile of the training step\n")
        L.append("RoFormerV2-small, T = 128, all threads, %s. Top symbols by self time (≥ 1%%):\n" % (pr.get("tool") or pr.get("note")))
        for amp in ("off", "bf16", "tiny_off"):
            top = pr.get("top_" + amp)
            if top:
                L.append("\n%s:\n" % (AMP[amp] if amp in AMP else
                                      "BERT tiny (h 32, 2 layers), T = 32, fp32: per-op overhead"))
                L.append(table(["self %", "library", "symbol"],
                               [["%.1f" % t["percent"], t["dso"], "`%s`" % t["symbol"]] for t in top[:15]]))
        L.append("")
    fa = res.get("fused_attention")
    if fa:
        L.append("## 8b. Fused attention before/after (LibTorch 2.x)\n")
        L.append("The same `sentzoo-bench` with `--fused-attention 1` (at::scaled_dot_product_attention wherever no "
                 "attention dropout applies) and `0` (the hand-written path), alternating, medians of the rounds. "
                 "Speed-up = fused ÷ hand-written (higher is better).\n")
        L.append(table(["build", "case", "fused", "hand-written", "speed-up", "Spearman fused / hand-written"],
                       [[LB.get(r["build"], r["build"]), r["case"], f(r.get("fused"), 1), f(r.get("hand_written"), 1),
                         ratio(r.get("speedup")),
                         "%s / %s" % (f(r.get("spearman_fused"), 4), f(r.get("spearman_hand_written"), 4))
                         if "spearman_fused" in r else "—"] for r in fa]))
        L.append("")
    ex = res.get("experiments")
    if ex:
        L.append("## 9. What-if experiments from the profile\n")
        L.append("RoFormerV2-small training step, T = 128, same settings as §2, variants run alternating; "
                 "speed-up = baseline step time / variant step time (medians): below 1× means the variant is "
                 "slower than sentzoo as it is. The variants undo (or bound) what was changed because of the "
                 "profile (see the analysis).\n")
        L.append(table(["variant", "precision", "step ms", "speed-up"],
                       [[r["variant"], AMP[r["amp"]], f(r["median_ms"], 1), ratio(r["speedup"])] for r in ex["rows"]]))
        L.append("")
    for mr in res.get("merged_runs", []):
        mm = mr["machine"]
        L.append("_Sections %s were measured in a later run (%s, load average before/after %.2f / %.2f) and "
                 "merged into results.json._\n" % (", ".join(mr["sections"]), mm["date_utc"], mm["load_before"][0],
                                                     mm["load_after"][0]))
    notes = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ANALYSIS.md")
    if os.path.exists(notes):
        L.append(open(notes).read())
    with open(dst, "w") as fh:
        fh.write("\n".join(L) + "\n")
    print("wrote", dst)


if __name__ == "__main__":
    main()
