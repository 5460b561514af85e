#!/usr/bin/env python3
"""Runs every measurement of bench/run.sh and writes docs/perf/results.json (report.py turns it
into docs/PERFORMANCE.md). Ratios are measured side by side: the two tools of a comparison run
back to back, alternating, for --rounds rounds, and the medians are compared, so a machine
shared with other work slows both sides alike.

Peers: sentence-transformers' newest release on the newest torch (venv --peers-venv, made by
tools/reference/setup_peers_env.sh; `encode` and `SentenceTransformerTrainer`, bench/peer_st_current.py),
its ONNX Runtime backend (venv --peers-onnx-venv: the newest release whose `[onnx]` extra installs,
see tools/reference/peers-onnx-requirements.txt) and PyTorch eager on the newest torch
(bench/peer_torch.py). --old-peers adds the Debian torch 1.13 peers of .venv-ref as a second column;
--build2 DIR adds a second sentzoo build (e.g. against LibTorch from PyPI) beside the first.

  SENTZOO_DATA=/work/shared/data python bench/run_all.py --build build --out docs/perf
  ... --build2 build-pypi --build2-label "LibTorch 2.15 (PyPI)" --old-peers --seeds 3
"""
import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LOG = []
# Every peer loads the local model folder; nothing may reach a hub.
PEER_ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1",
            "TOKENIZERS_PARALLELISM": "false"}
# What each peer venv's torch was built with (BLAS, MKL, oneDNN, OpenMP).
PEER_INFO = r"""
import json, torch
from importlib import metadata
v = {}
for d in ("torch", "sentence-transformers", "transformers", "tokenizers", "onnxruntime", "optimum",
          "optimum-onnx", "accelerate", "datasets", "roformer", "numpy", "scipy"):
    try:
        v[d] = metadata.version(d)
    except Exception:
        pass
print(json.dumps({"python_packages": v, "torch_config": torch.__config__.show(),
                  "torch_parallel_info": torch.__config__.parallel_info(),
                  "mkl_available": torch.backends.mkl.is_available(),
                  "mkldnn_available": torch.backends.mkldnn.is_available(),
                  "cpu_capability": getattr(torch.backends.cpu, "get_cpu_capability", lambda: "?")()}))
"""


def log(msg):
    line = "[%s] %s" % (time.strftime("%H:%M:%S"), msg)
    print(line, file=sys.stderr, flush=True)


def run(cmd, env=None, timeout=900):
    """Runs cmd; returns (rc, stdout, [(t, stderr line)], peak RSS MB of the child, seconds)."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    start = time.perf_counter()
    try:
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=full_env,
                             cwd=ROOT, text=True)
    except OSError as e:  # a build or venv that is not there: an error cell, not a dead run
        LOG.append({"cmd": cmd, "rc": 127, "seconds": 0.0})
        log("FAILED to start: %s (%s)" % (" ".join(cmd), e))
        return 127, "", [(start, "cannot start %s: %s\n" % (cmd[0], e))], 0.0, 0.0
    out, err = [], []
    t1 = threading.Thread(target=lambda: out.extend(p.stdout))
    t2 = threading.Thread(target=lambda: [err.append((time.perf_counter(), l)) for l in p.stderr])
    t1.start()
    t2.start()
    t1.join(timeout)
    t2.join(timeout)
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    LOG.append({"cmd": cmd, "rc": p.returncode, "seconds": round(seconds, 2)})
    if p.returncode != 0:
        log("FAILED (%d): %s\n%s" % (p.returncode, " ".join(cmd), "".join(l for _, l in err)[-3000:]))
    return p.returncode, "".join(out), err, usage.ru_maxrss / 1024.0, seconds


def run_json(cmd, env=None):
    rc, out, err, rss, seconds = run(cmd, env)
    if rc != 0:
        return {"error": "".join(l for _, l in err)[-1000:], "cmd": cmd}
    row = json.loads(out.strip().splitlines()[-1])
    row["child_peak_rss_mb"] = rss
    row["wall_s"] = seconds
    return row


def median_of(rows, key):
    vals = [r[key] for r in rows if r.get(key) is not None]
    return statistics.median(vals) if vals else None


def mean_of(rows, key):
    vals = [r[key] for r in rows if r.get(key) is not None]
    return statistics.mean(vals) if vals else None


def div(a, b):
    return a / b if a and b else None


class Bench:
    def __init__(self, a):
        self.a = a
        self.exe = os.path.join(a.build, "sentzoo-bench")
        # A second sentzoo build measured beside the first (encode / fine-tune / train cells).
        self.exe2 = os.path.join(a.build2, "sentzoo-bench") if a.build2 else None
        self.label = a.build_label
        self.label2 = a.build2_label or (os.path.basename(os.path.normpath(a.build2)) if a.build2 else "")
        self.all_threads = a.threads or os.cpu_count()
        self.peer_threads = a.peer_threads or self.all_threads  # real-data comparisons (ST)
        self.data = os.environ["SENTZOO_DATA"]
        self.minilm = a.minilm
        self.py = os.path.join(a.peers_venv, "bin", "python")           # newest ST + torch
        self.py_onnx = os.path.join(a.peers_onnx_venv, "bin", "python")  # ST with its [onnx] extra
        self.py_old = os.path.join(a.ref_venv, "bin", "python") if a.old_peers else None  # torch 1.13
        self.seeds = [42, 1, 2] + list(range(3, 100))
        self.seeds = self.seeds[:max(1, a.seeds)]
        self.results = {}

    def builds(self):
        """(key, sentzoo-bench, build dir) of each sentzoo build measured."""
        out = [("sentzoo", self.exe, self.a.build)]
        if self.exe2:
            out.append(("sentzoo2", self.exe2, self.a.build2))
        return out

    def sz(self, mode, exe=None, **kw):
        cmd = [exe or self.exe, mode] + [x for k, v in kw.items() for x in ("--" + k.replace("_", "-"), str(v))]
        return run_json(cmd)

    def torch_peer(self, mode, py=None, **kw):
        cmd = [py or self.py, "bench/peer_torch.py", mode] + [x for k, v in kw.items() for x in ("--" + k, str(v))]
        return run_json(cmd, env=dict(PEER_ENV, OMP_NUM_THREADS=str(kw.get("threads", 1))))

    def st_peer(self, mode, py=None, script="bench/peer_st_current.py", **kw):
        cmd = [py or self.py, script, mode] + [x for k, v in kw.items() for x in ("--" + k.replace("_", "-"), str(v))]
        return run_json(cmd, env=dict(PEER_ENV, OMP_NUM_THREADS=str(self.peer_threads)))

    # ---- machine ---------------------------------------------------------------------------------
    def machine(self):
        def sh(c):
            try:
                return subprocess.run(c, shell=True, capture_output=True, text=True, timeout=60).stdout.strip()
            except Exception as e:  # noqa: BLE001
                return "unavailable (%s)" % e
        info = {
            "date_utc": datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M UTC"),
            "cpu": sh("lscpu | grep 'Model name' | sed 's/.*: *//'"),
            "cpu_vendor": sh("lscpu | grep 'Vendor ID' | sed 's/.*: *//'"),
            "cpu_flags_bf16": "avx512_bf16" in sh("grep -m1 flags /proc/cpuinfo"),
            "cpu_isa": [f_ for f_ in ("avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16", "amx_bf16", "amx_tile")
                        if f_ in sh("grep -m1 flags /proc/cpuinfo").split()],
            "cores": os.cpu_count(),
            "memory": sh("free -g | awk '/Mem/{print $2\" GiB\"}'"),
            "kernel": platform.release(),
            "blas": sh("readlink -f /etc/alternatives/libblas.so.3-x86_64-linux-gnu"),
            "compiler": sh("c++ --version | head -1"),
            "libtorch": sh("dpkg-query -W -f='${Version}' libtorch-dev"),
            "openblas": sh("dpkg-query -W -f='${Version}' libopenblas0-openmp"),
            "onednn": sh("dpkg-query -W -f='${Version}' libdnnl2"),
            "python": platform.python_version(),
            "git_commit": sh("git -C %s rev-parse --short HEAD" % ROOT),
            "git_dirty": bool(sh("git -C %s status --porcelain -- . ':!docs'" % ROOT)),
            "load_before": os.getloadavg(),
            "other_processes": sh("ps -eo pcpu,comm --sort=-pcpu | head -8"),
        }
        # sentzoo's side: which BLAS / GEMM kernel each build runs (sentzoo-bench reports it).
        info["sentzoo_builds"] = {}
        for key, exe, build in self.builds():
            r = self.sz("gemm", exe=exe, dtype="fp32", threads=1, reps=1)
            info["sentzoo_builds"][key] = {
                "label": self.label if key == "sentzoo" else self.label2, "build": build,
                "blas": r.get("blas", "not reported"), "gemm_kernel": r.get("gemm_kernel", "not reported"),
                "cpu_features": r.get("cpu_features", "not reported"),
                "error": r.get("error", "")[-300:] or None}
        # The peers' side: package versions and torch's build configuration, per venv.
        info["peers"] = {}
        for key, py in (("peers", self.py), ("peers_onnx", self.py_onnx), ("peers_old", self.py_old)):
            if not py:
                continue
            rc, out, err, _, _ = run([py, "-c", PEER_INFO], env=PEER_ENV)
            info["peers"][key] = json.loads(out.strip().splitlines()[-1]) if rc == 0 else {
                "error": "".join(l for _, l in err)[-500:]}
            info["peers"][key]["python"] = py
        info["python_packages"] = info["peers"].get("peers", {}).get("python_packages", {})
        self.results["machine"] = info

    # ---- GEMM ceiling ----------------------------------------------------------------------------
    def gemm(self):
        for key, exe, _ in self.builds():
            rows = []
            for rnd in range(self.a.rounds):
                for dtype in ("fp32", "bf16"):
                    for threads in sorted({1, self.all_threads}):
                        r = self.sz("gemm", exe=exe, dtype=dtype, threads=threads, reps=5)
                        r.update(dtype=dtype, round=rnd)
                        rows.append(r)
            table = {}
            for dtype in ("fp32", "bf16"):
                for threads in sorted({1, self.all_threads}):
                    sel = [r for r in rows if r.get("dtype") == dtype and r.get("threads") == threads]
                    table["%s/%d" % (dtype, threads)] = median_of(sel, "gflops")
            self.results["gemm" if key == "sentzoo" else "gemm_" + key] = {"rows": rows, "ceiling_gflops": table}
            log("gemm ceiling %s %s" % (key, table))

    def ceiling(self, amp, threads, key="sentzoo"):
        g = self.results.get("gemm" if key == "sentzoo" else "gemm_" + key, {}).get("ceiling_gflops", {})
        return g.get("%s/%d" % ("bf16" if amp == "bf16" else "fp32", threads))

    # ---- training grid ---------------------------------------------------------------------------
    def train_cell(self, key, exe, arch, size, seq, amp, threads):
        pairs = max(1, self.a.train_tokens // (2 * seq))
        if size == "base":
            pairs = max(1, pairs // 4)
        # The cells the MFU target is judged on (small, T = 128) take the median of rounds + 1
        # runs: single runs on this shared host move by up to 15%.
        repeats = self.a.rounds + 1 if (size == "small" and seq == 128) else 1
        runs = [self.sz("train", exe=exe, arch=arch, size=size, seq=seq, batch=pairs, amp=amp, threads=threads,
                        steps=self.a.steps, warmup=1) for _ in range(repeats)]
        ok = sorted((x for x in runs if "sentences_per_s" in x), key=lambda x: x["sentences_per_s"])
        r = ok[len(ok) // 2] if ok else runs[0]
        r.update(arch=arch, size=size, seq=seq, batch_pairs=pairs, amp=amp, repeats=repeats, build=key,
                 all_sentences_per_s=[x.get("sentences_per_s") for x in runs])
        if "model_gflops" in r and self.ceiling(amp, threads, key):
            r["ceiling_gflops"] = self.ceiling(amp, threads, key)
            r["mfu"] = r["model_gflops"] / r["ceiling_gflops"]
        log("train %s %s %s T=%d %s x%d: %.0f sent/s mfu %.2f" % (
            key, arch, size, seq, amp, threads, r.get("sentences_per_s", 0), r.get("mfu", 0)))
        return r

    def train_grid(self):
        rows = []
        archs = ["bert", "roformer_v2", "deepnet"]
        sizes = ["tiny", "small"] + (["base"] if self.a.base else [])
        grid = [(arch, size, seq, amp, self.all_threads)
                for arch in archs for size in sizes for seq in (32, 64, 128) for amp in ("off", "bf16")]
        if self.all_threads > 1:
            grid += [(arch, "small", 128, amp, 1) for arch in ("bert", "roformer_v2") for amp in ("off", "bf16")]
        for arch, size, seq, amp, threads in grid:
            rows.append(self.train_cell("sentzoo", self.exe, arch, size, seq, amp, threads))
        self.results["train"] = rows
        if self.exe2:  # the MFU target cells only, from the second build
            self.results["train_sentzoo2"] = [
                self.train_cell("sentzoo2", self.exe2, arch, "small", 128, amp, self.all_threads)
                for arch in ("bert", "roformer_v2") for amp in ("off", "bf16")]

    # ---- sentzoo vs the same architecture in PyTorch eager ---------------------------------------
    def vs_pytorch(self):
        rows = []
        configs = [(arch, seq, amp) for arch in ("bert", "roformer_v2")
                   for seq in [int(x) for x in self.a.vs_seqs.split(",")]
                   for amp in ("off", "bf16")]
        # Tools of one comparison, run back to back in alternating order every round.
        tools = [(key, (lambda mode, exe=exe, **kw: self.sz(mode, exe=exe, **kw))) for key, exe, _ in self.builds()]
        # Newest torch: BERT from transformers 5 (.venv-peers); RoFormerV2 from roformer 0.4.3, which
        # imports up to transformers 4.57 only, so from the ONNX peers' venv (same torch 2.15).
        tools.append(("pytorch", lambda mode, **kw: self.torch_peer(
            mode, py=self.py_onnx if kw["arch"] == "roformer_v2" else self.py, **kw)))
        if self.py_old:
            tools.append(("pytorch_old", lambda mode, **kw: self.torch_peer(mode, py=self.py_old, **kw)))
        for arch, seq, amp in configs:
            pairs = max(1, self.a.train_tokens // (2 * seq))
            kw = dict(arch=arch, size="small", seq=seq, batch=pairs, amp=amp, threads=self.all_threads,
                      steps=self.a.steps, warmup=2)
            raw = {k: [] for k, _ in tools}
            raw.update({k + "_encode": [] for k, _ in tools})
            for rnd in range(self.a.rounds):
                order = tools if rnd % 2 == 0 else tools[::-1]
                for name, fn in order:
                    raw[name].append(fn("train", **kw))
                for name, fn in order:
                    raw[name + "_encode"].append(fn("encode", **dict(kw, batch=32)))
            row = {"arch": arch, "size": "small", "seq": seq, "amp": amp, "threads": self.all_threads,
                   "batch_pairs": pairs, "raw": raw}
            for name, _ in tools:
                row["%s_train_sps" % name] = median_of(raw[name], "sentences_per_s")
                row["%s_train_rss_mb" % name] = median_of(raw[name], "child_peak_rss_mb")
                row["%s_encode_sps" % name] = median_of(raw[name + "_encode"], "sentences_per_s")
                row["%s_encode_rss_mb" % name] = median_of(raw[name + "_encode"], "child_peak_rss_mb")
            for k in ("train", "encode"):
                row["%s_ratio" % k] = div(row["sentzoo_%s_sps" % k], row["pytorch_%s_sps" % k])
                if self.exe2:
                    row["%s_ratio2" % k] = div(row["sentzoo2_%s_sps" % k], row["pytorch_%s_sps" % k])
                if self.py_old:
                    row["%s_ratio_old" % k] = div(row["sentzoo_%s_sps" % k], row["pytorch_old_%s_sps" % k])
            rows.append(row)
            log("vs pytorch %s T=%d %s: train x%s encode x%s" % (arch, seq, amp, row["train_ratio"], row["encode_ratio"]))
        self.results["vs_pytorch"] = rows

    # ---- encode + cross-encoder (synthetic) -----------------------------------------------------
    def inference(self):
        enc, crs = [], []
        for arch in ("bert", "roformer_v2", "deepnet"):
            for amp in ("off", "bf16"):
                r = self.sz("encode", arch=arch, size="small", seq=64, batch=32, amp=amp,
                            threads=self.all_threads, steps=self.a.steps, warmup=1)
                r.update(arch=arch, size="small", seq=64, amp=amp)
                enc.append(r)
                r = self.sz("cross", arch=arch, size="small", seq=128, batch=16, amp=amp,
                            threads=self.all_threads, steps=self.a.steps, warmup=1)
                r.update(arch=arch, size="small", seq=128, amp=amp)
                crs.append(r)
        self.results["encode"] = enc
        self.results["cross"] = crs

    # ---- tokenizer -------------------------------------------------------------------------------
    def tokenizer(self):
        vocab = os.path.join(self.data, "vocab/bert-base-uncased-vocab.txt")
        lines = []
        with open(os.path.join(self.data, "en/STS-B/sts-train.csv"), encoding="utf-8") as f:
            for line in f.read().split("\n"):
                if line:
                    fields = line.split("\t")
                    lines += [fields[5], fields[6]]
        tmp = tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False)
        tmp.write("\n".join(lines) + "\n")
        tmp.close()
        sz, hf_loop, hf_batch = [], [], []
        for rnd in range(self.a.rounds):
            cmd = ["bash", "-c", "%s --vocab %s --bench < %s" % (
                os.path.join(self.a.build, "sentzoo-tokenize"), vocab, tmp.name)]
            rc, out, err, rss, _ = run(cmd)
            m = re.search(r"([0-9.]+) sentences/s", out + "".join(l for _, l in err))
            if m:
                sz.append(float(m.group(1)))
            # Hugging Face tokenizers as the newest peers install it.
            rc, out, err, rss, _ = run([self.py, "bench/tokenizer_hf.py"], env=dict(PEER_ENV, OMP_NUM_THREADS="1"))
            for line in out.splitlines():
                m = re.search(r"([0-9.]+) sentences/s", line)
                if m and "loop" in line:
                    hf_loop.append(float(m.group(1)))
                elif m and "encode_batch" in line:
                    hf_batch.append(float(m.group(1)))
        os.unlink(tmp.name)
        row = {"sentences": len(lines), "sentzoo": sz, "hf_encode_loop": hf_loop, "hf_encode_batch": hf_batch,
               "tokenizers": self.results["machine"].get("python_packages", {}).get("tokenizers"),
               "sentzoo_sps": statistics.median(sz) if sz else None,
               "hf_loop_sps": statistics.median(hf_loop) if hf_loop else None,
               "hf_batch_sps": statistics.median(hf_batch) if hf_batch else None}
        if row["sentzoo_sps"] and row["hf_batch_sps"]:
            row["ratio_vs_batch"] = row["sentzoo_sps"] / row["hf_batch_sps"]
            row["ratio_vs_loop"] = row["sentzoo_sps"] / row["hf_loop_sps"]
        self.results["tokenizer"] = row
        log("tokenizer %s" % {k: v for k, v in row.items() if "sps" in k or "ratio" in k})

    # ---- sentence-transformers: encode STS-B test ------------------------------------------------
    def st_encode(self):
        """Each tool encodes STS-B test (sentence pairs as 2 sentences each), batch 32, warm-up + reps
        passes in one process: sentences/s is the median pass (in-process), wall_s the whole process
        (start-up, model load or ONNX export, warm-up and the passes)."""
        rows = []
        data = "en/STS-B/sts-test.csv"
        for amp in ("off", "bf16", "bf16-weights"):
            tools = [(key, (lambda exe=exe: self.sz("sts", exe=exe, model=self.minilm, format="st", data=data,
                                                       batch=32, amp=amp, threads=self.peer_threads, reps=self.a.reps,
                                                       limit=self.a.sts_limit)))
                     for key, exe, _ in self.builds()]
            st_kw = dict(model=self.minilm, data=data, batch=32, amp=amp, threads=self.peer_threads,
                         reps=self.a.reps, limit=self.a.sts_limit)
            tools.append(("st", lambda: self.st_peer("encode", backend="torch", **st_kw)))
            if amp == "off":  # ONNX Runtime runs the fp32 export
                tools.append(("st_onnx", lambda: self.st_peer("encode", py=self.py_onnx, backend="onnx", **st_kw)))
            if self.py_old:
                tools.append(("st_old", lambda: self.st_peer("encode", py=self.py_old, script="bench/peer_st.py",
                                                             **st_kw)))
            raw = {k: [] for k, _ in tools}
            for rnd in range(self.a.rounds):
                for name, fn in (tools if rnd % 2 == 0 else tools[::-1]):
                    raw[name].append(fn())
            row = {"amp": amp, "threads": self.peer_threads, "batch": 32, "raw": raw}
            for name, _ in tools:
                row[name + "_sps"] = median_of(raw[name], "sentences_per_s")
                row[name + "_spearman"] = median_of(raw[name], "spearman")
                row[name + "_rss_mb"] = median_of(raw[name], "child_peak_rss_mb")
                row[name + "_wall_s"] = median_of(raw[name], "wall_s")
                row[name + "_load_s"] = median_of(raw[name], "load_s")
                errs = [r["error"] for r in raw[name] if "error" in r]
                if errs:
                    row[name + "_error"] = errs[-1][-800:]
            for sz_key in [k for k, _, _ in self.builds()]:
                suffix = "" if sz_key == "sentzoo" else "2"
                for peer in ("st", "st_onnx", "st_old"):
                    if peer + "_sps" in row:
                        pname = {"st": "", "st_onnx": "_onnx", "st_old": "_old"}[peer]
                        row["ratio%s%s" % (pname, suffix)] = div(row[sz_key + "_sps"], row[peer + "_sps"])
                        # whole process: peer seconds / sentzoo seconds (> 1 = sentzoo faster)
                        row["wall_ratio%s%s" % (pname, suffix)] = div(row[peer + "_wall_s"], row[sz_key + "_wall_s"])
            rows.append(row)
            log("st encode %s: %s" % (amp, {k: round(v, 2) for k, v in row.items()
                                            if (k.endswith("_sps") or k.startswith("ratio")) and v}))
        self.results["st_encode"] = rows

    # ---- sentence-transformers: fine-tune with CoSENT --------------------------------------------
    def sentzoo_finetune(self, build, amp, bucket, seed, out_dir, key="sentzoo"):
        cfg = {"objective": "dual",
               "model": {"init_from": self.minilm, "pooling": {"mode": "mean", "normalize": False}},
               "tokenizer": {"vocab": self.minilm, "lowercase": True, "max_length": 128},
               "data": {"train": "stsb:en/STS-B/sts-train.csv", "dev": "stsb:en/STS-B/sts-dev.csv",
                        "batch_size": self.a.ft_batch, "bucket_batches": bucket},
               "loss": {"name": "cosent", "params": {"scale": 20}},
               # decay_embeddings: sentence-transformers' Trainer (and old fit) decay everything but
               # biases and LayerNorm, embeddings included; sentzoo's default does not.
               "optim": {"lr": 2e-5, "weight_decay": 0.01, "decay_embeddings": True},
               "train": {"max_steps": self.a.ft_steps, "seed": seed, "warmup_steps": int(0.1 * self.a.ft_steps),
                         "schedule": "linear", "grad_clip": 1.0, "amp": amp, "log_every": 5,
                         "eval_every": 0, "checkpoint_every": 0}}
        os.makedirs(out_dir, exist_ok=True)
        cfg_path = os.path.join(out_dir, "config.json")
        with open(cfg_path, "w") as f:
            json.dump(cfg, f, indent=1)
        run_dir = os.path.join(out_dir, "run")
        shutil.rmtree(run_dir, ignore_errors=True)
        rc, out, err, rss, seconds = run([os.path.join(build, "sentzoo-train"), "--config", cfg_path,
                                          "--output", run_dir, "--threads", str(self.peer_threads)])
        row = {"tool": key, "amp": amp, "bucket_batches": bucket, "seed": seed, "config": cfg,
               "child_peak_rss_mb": rss, "wall_s": seconds}
        if rc != 0:
            row["error"] = "".join(l for _, l in err)[-1500:]
            return row
        steps = []
        for t, line in err:
            m = re.search(r"step\s+(\d+)/(\d+)", line)
            if m:
                steps.append((int(m.group(1)), t))
        # Pairs/s between the step-5 report and the last one (excludes start-up and warm-up).
        if len(steps) >= 2:
            (s0, t0), (s1, t1) = steps[0], steps[-1]
            row["pairs_per_s"] = (s1 - s0) * self.a.ft_batch / (t1 - t0)
            row["steps"] = s1
        best = os.path.join(run_dir, "best")
        exe = os.path.join(build, "sentzoo-bench")
        for split in ("dev", "test"):
            r = self.sz("sts", exe=exe, model=best, format="trained", data="en/STS-B/sts-%s.csv" % split,
                        batch=32, amp="off", threads=self.peer_threads, reps=1, limit=self.a.eval_limit)
            row["%s_spearman" % split] = r.get("spearman")
        shutil.rmtree(run_dir, ignore_errors=True)
        return row

    def st_finetune(self, amp, seed, out_dir):
        """sentence-transformers' Trainer in one process (load + train + save, the whole-process time),
        then the saved model scored on STS-B dev and test in another."""
        save = os.path.join(out_dir, "st-model")
        shutil.rmtree(save, ignore_errors=True)
        r = self.st_peer("finetune", model=self.minilm, steps=self.a.ft_steps, batch=self.a.ft_batch, amp=amp,
                         threads=self.peer_threads, seed=seed, save=save)
        if "error" not in r:
            ev = self.st_peer("eval", model=save, splits="dev,test", threads=self.peer_threads,
                              limit=self.a.eval_limit)
            r.update({k: ev.get(k) for k in ("dev_spearman", "test_spearman")})
            if "error" in ev:
                r["eval_error"] = ev["error"]
        shutil.rmtree(save, ignore_errors=True)
        r.update(tool="st", amp=amp, seed=seed)
        return r

    def st_old_finetune(self, amp, seed):
        """The 1.13 peer (sentence-transformers 3.0.1, old_fit loop); it scores dev/test in-process,
        so its whole-process time includes that evaluation."""
        r = self.st_peer("finetune", py=self.py_old, script="bench/peer_st.py", model=self.minilm,
                         steps=self.a.ft_steps, batch=self.a.ft_batch, amp=amp, threads=self.peer_threads,
                         seed=seed, limit=self.a.eval_limit)
        r.update(tool="st_old", amp=amp, seed=seed)
        return r

    def finetune(self):
        work = tempfile.mkdtemp(prefix="sentzoo-bench-")
        res = {"steps": self.a.ft_steps, "batch": self.a.ft_batch, "threads": self.peer_threads, "seeds": self.seeds}
        # setting -> (sentzoo amp, bucket_batches, sentence-transformers amp)
        settings = {"matched": ("off", 0, "off"), "best": ("bf16", 50, "bf16")}
        for name, (amp, bucket, st_amp) in settings.items():
            tools = [(key, (lambda seed, key=key, build=build: self.sentzoo_finetune(
                build, amp, bucket, seed, os.path.join(work, key), key=key))) for key, _, build in self.builds()]
            tools.append(("st", lambda seed: self.st_finetune(st_amp, seed, work)))
            if self.py_old:
                tools.append(("st_old", lambda seed: self.st_old_finetune(st_amp, seed)))
            raw = {k: [] for k, _ in tools}
            for i, seed in enumerate(self.seeds):
                for key, fn in (tools if i % 2 == 0 else tools[::-1]):
                    raw[key].append(fn(seed))
                log("finetune %s seed %d: %s" % (name, seed, {k: (round(v[-1].get("pairs_per_s") or 0, 1),
                                                                  v[-1].get("dev_spearman")) for k, v in raw.items()}))
            cell = {"raw": raw}
            for key, _ in tools:
                rows = raw[key]
                cell[key] = {"pairs_per_s": median_of(rows, "pairs_per_s"), "wall_s": median_of(rows, "wall_s"),
                             "train_seconds": median_of(rows, "train_seconds"),
                             "child_peak_rss_mb": median_of(rows, "child_peak_rss_mb"),
                             "dev_spearman": mean_of(rows, "dev_spearman"),
                             "test_spearman": mean_of(rows, "test_spearman"),
                             "dev_spearman_all": [r.get("dev_spearman") for r in rows],
                             "test_spearman_all": [r.get("test_spearman") for r in rows],
                             "seeds_ok": sum(1 for r in rows if r.get("dev_spearman") is not None)}
                errs = [r["error"] for r in rows if "error" in r]
                if errs:
                    cell[key]["error"] = errs[-1][-1500:]
            for sz_key in [k for k, _, _ in self.builds()]:
                suffix = "" if sz_key == "sentzoo" else "2"
                for peer, pname in (("st", ""), ("st_old", "_old")):
                    if peer in cell:
                        z, t = cell[sz_key], cell[peer]
                        cell["ratio%s%s" % (pname, suffix)] = div(z["pairs_per_s"], t["pairs_per_s"])
                        cell["wall_ratio%s%s" % (pname, suffix)] = div(t["wall_s"], z["wall_s"])
                        for split in ("dev", "test"):
                            a_, b_ = z[split + "_spearman"], t[split + "_spearman"]
                            cell["%s_delta%s%s" % (split, pname, suffix)] = a_ - b_ if a_ is not None and b_ is not None else None
            res[name] = cell
            log("finetune %s: ratio %s (dev delta %s)" % (name, cell.get("ratio"), cell.get("dev_delta")))
        shutil.rmtree(work, ignore_errors=True)
        self.results["finetune"] = res

    # ---- what-if experiments suggested by the profile ----------------------------------------------
    def experiments(self):
        # sentzoo now keeps freed memory itself (core/runtime.cpp configure_allocator); this variant
        # gives the allocator glibc's start thresholds back (128 KiB: return memory eagerly).
        eager_env = {"MALLOC_MMAP_THRESHOLD_": "131072", "MALLOC_TRIM_THRESHOLD_": "131072"}
        variants = [("baseline", {}, {}),
                    ("malloc returns freed memory eagerly (glibc's 128 KiB start thresholds)", eager_env, {}),
                    ("dropout 0 (what dropout still costs)", {}, {"dropout": 0})]
        if self.a.before_exe:
            variants.append(("sentzoo-bench before the profile-driven changes (%s)" % self.a.before_label,
                             {}, {"exe": self.a.before_exe}))
        rows = {name: [] for name, _, _ in variants}
        for amp in ("off", "bf16"):
            for rnd in range(self.a.rounds + 1):
                for name, env, extra in (variants if rnd % 2 == 0 else variants[::-1]):
                    extra = dict(extra)
                    exe = extra.pop("exe", self.exe)
                    kw = dict(arch="roformer_v2", size="small", seq=128,
                              batch=max(1, self.a.train_tokens // 256), amp=amp,
                              threads=self.all_threads, steps=self.a.steps, warmup=1, **extra)
                    cmd = [exe, "train"] + [x for k, v in kw.items() for x in ("--" + k, str(v))]
                    r = run_json(cmd, env=env)
                    r.update(variant=name, amp=amp)
                    rows[name].append(r)
        out = []
        for amp in ("off", "bf16"):
            base = median_of([r for r in rows["baseline"] if r["amp"] == amp], "median_ms")
            for name, _, _ in variants:
                ms = median_of([r for r in rows[name] if r["amp"] == amp], "median_ms")
                out.append({"variant": name, "amp": amp, "median_ms": ms,
                            "speedup": base / ms if base and ms else None})
        self.results["experiments"] = {"rows": out, "raw": rows}
        log("experiments %s" % [(r["variant"][:20], r["amp"], r["speedup"]) for r in out])

    # ---- fused attention before/after (LibTorch 2.x builds) ----------------------------------------
    def fused_attention(self):
        """The same binary with --fused-attention 1 and 0, alternating (issue #11: each change measured
        before/after in one run): MiniLM encoding of STS-B test (inference; Spearman beside it) and
        RoFormerV2-small training at T = 128 with dropout 0 (where training takes the fused path).
        Builds without SDPA (LibTorch 1.13) report fused_attention false and are left out."""
        builds = [("sentzoo", self.exe)]
        if self.a.build2:
            builds.append(("sentzoo2", os.path.join(self.a.build2, "sentzoo-bench")))
        out = []
        for key, exe in builds:
            probe = self.sz("gemm", exe=exe, gemm_size=64, reps=1, fused_attention=1)
            if not probe.get("fused_attention"):
                continue
            cases = [("encode MiniLM, STS-B test, fp32", "sts",
                      dict(model=self.minilm, format="st", data="en/STS-B/sts-test.csv", batch=32, amp="off",
                           threads=self.peer_threads, reps=1), "sentences_per_s"),
                     ("train RoFormerV2-small T=128, dropout 0, fp32", "train",
                      dict(arch="roformer_v2", size="small", seq=128, batch=max(1, self.a.train_tokens // 256),
                           amp="off", threads=self.all_threads, steps=self.a.steps, warmup=1, dropout=0),
                      "sentences_per_s"),
                     ("train RoFormerV2-small T=128, dropout 0, bf16", "train",
                      dict(arch="roformer_v2", size="small", seq=128, batch=max(1, self.a.train_tokens // 256),
                           amp="bf16", threads=self.all_threads, steps=self.a.steps, warmup=1, dropout=0),
                      "sentences_per_s")]
            for name, mode, kw, metric in cases:
                runs = {1: [], 0: []}
                for rnd in range(self.a.rounds + 1):
                    for fused in ((1, 0) if rnd % 2 == 0 else (0, 1)):
                        runs[fused].append(self.sz(mode, exe=exe, fused_attention=fused, **kw))
                on, off = median_of(runs[1], metric), median_of(runs[0], metric)
                row = {"build": key, "case": name, "fused": on, "hand_written": off,
                       "speedup": on / off if on and off else None}
                if mode == "sts":
                    row["spearman_fused"] = median_of(runs[1], "spearman")
                    row["spearman_hand_written"] = median_of(runs[0], "spearman")
                out.append(row)
                log("fused attention %s %s: %s" % (key, name, row.get("speedup")))
        self.results["fused_attention"] = out

    # ---- profile of the training step ------------------------------------------------------------
    def profile(self):
        res = {"tool": None}
        if shutil.which("perf") is None:
            res["note"] = "perf not installed"
            self.results["profile"] = res
            return
        data = os.path.join(tempfile.mkdtemp(prefix="sentzoo-perf-"), "perf.data")
        # RoFormerV2-small at T = 128 (the MFU target), and a tiny model, whose step is all per-op
        # overhead (issue #11: "report where time goes").
        cases = [("off", "roformer_v2", "small", 128, 15), ("bf16", "roformer_v2", "small", 128, 15),
                 ("tiny_off", "bert", "tiny", 32, 200)]
        for key, arch, size, seq, steps in cases:
            amp = "bf16" if key == "bf16" else "off"
            cmd = ["perf", "record", "-e", "cpu-clock", "-F", "499", "-g", "-o", data, "--",
                   self.exe, "train", "--arch", arch, "--size", size, "--seq", str(seq),
                   "--batch", str(max(1, self.a.train_tokens // (2 * seq))), "--amp", amp,
                   "--threads", str(self.all_threads), "--steps", str(steps), "--warmup", "1"]
            rc, out, err, rss, _ = run(cmd)
            if rc != 0:
                res["note"] = "perf record failed: " + "".join(l for _, l in err)[-500:]
                break
            rep = subprocess.run(["perf", "report", "-i", data, "--stdio", "--no-children", "--sort",
                                  "dso,symbol", "--percent-limit", "1", "-g", "none"],
                                 capture_output=True, text=True).stdout
            top = []
            for line in rep.splitlines():
                m = re.match(r"\s*([0-9.]+)%\s+(\S+)\s+\[\.\]\s+(.*)", line)
                if m:
                    top.append({"percent": float(m.group(1)), "dso": m.group(2), "symbol": re.sub(r"(\s+-)+\s*$", "", m.group(3)).strip()[:120]})
            res["tool"] = "perf record -e cpu-clock (software event; hardware counters are not exposed in this VM)"
            res["top_" + key] = top[:25]
        shutil.rmtree(os.path.dirname(data), ignore_errors=True)
        self.results["profile"] = res


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--build", default=os.path.join(ROOT, "build"))
    p.add_argument("--build-label", default="Debian LibTorch 1.13", help="what --build is, for the report")
    p.add_argument("--build2", default="", help="a second sentzoo build (e.g. build-pypi, LibTorch from PyPI), "
                   "measured beside --build in the GEMM, training-target, PyTorch, encode and fine-tune cells")
    p.add_argument("--build2-label", default="", help="what --build2 is, for the report")
    p.add_argument("--peers-venv", default=os.path.join(ROOT, ".venv-peers"),
                   help="newest sentence-transformers + torch (tools/reference/setup_peers_env.sh)")
    p.add_argument("--peers-onnx-venv", default=os.path.join(ROOT, ".venv-peers-onnx"),
                   help="sentence-transformers with its [onnx] extra (tools/reference/setup_peers_env.sh --onnx)")
    p.add_argument("--old-peers", action="store_true",
                   help="also run the Debian torch 1.13 peers (--ref-venv) as a second column")
    p.add_argument("--ref-venv", default=os.path.join(ROOT, ".venv-ref"), help="torch 1.13 peers (setup_env.sh)")
    p.add_argument("--seeds", type=int, default=3, help="fine-tuning seeds per tool (Spearman = their mean)")
    p.add_argument("--reps", type=int, default=3, help="measured encoding passes per STS-B encode process")
    p.add_argument("--out", default=os.path.join(ROOT, "docs/perf"))
    p.add_argument("--threads", type=int, default=0, help="'all threads' (default: the cores)")
    p.add_argument("--peer-threads", type=int, default=0,
                   help="threads of the real-data sentence-transformers comparisons (default: --threads)")
    p.add_argument("--sts-limit", type=int, default=0, help="encode only the first N STS-B test pairs (0 = all)")
    p.add_argument("--eval-limit", type=int, default=0, help="fine-tune Spearman on the first N pairs (0 = all)")
    p.add_argument("--vs-seqs", default="32,128", help="sequence lengths of the PyTorch comparison")
    p.add_argument("--rounds", type=int, default=2, help="alternating rounds per comparison")
    p.add_argument("--steps", type=int, default=4, help="measured steps per synthetic bench")
    p.add_argument("--train-tokens", type=int, default=2048, help="tokens per synthetic training step")
    p.add_argument("--ft-steps", type=int, default=120, help="fine-tuning steps (STS-B, batch 16)")
    p.add_argument("--ft-batch", type=int, default=16)
    p.add_argument("--base", action="store_true", help="add base-size models to the training grid")
    p.add_argument("--before-exe", default="", help="a sentzoo-bench built from an older commit "
                   "(bench/build_before.sh): one more variant of the experiments section")
    p.add_argument("--before-label", default="", help="what --before-exe was built from (commit)")
    p.add_argument("--minilm", default=os.path.expanduser("~/.cache/sentzoo/models/all-MiniLM-L6-v2"))
    p.add_argument("--only", default="", help="comma list of sections (default: all)")
    p.add_argument("--merge", action="store_true",
                   help="update the sections run in an existing results.json (machine info: both runs)")
    p.add_argument("--resume-partial", action="store_true",
                   help="continue a run that stopped: start from OUT/results.partial.json and skip the "
                        "sections it already holds")
    a = p.parse_args()
    b = Bench(a)
    started = time.time()
    partial_path = os.path.join(a.out, "results.partial.json")
    done = []
    if a.resume_partial and os.path.exists(partial_path):
        b.results = json.load(open(partial_path))
        done = b.results.get("_sections_done", [])
        log("resuming %s: %s already done" % (partial_path, ", ".join(done)))
    else:
        b.machine()
    loads = []
    stop = threading.Event()

    def sample_load():
        while not stop.wait(10):
            loads.append(os.getloadavg()[0])
    threading.Thread(target=sample_load, daemon=True).start()
    sections = ["gemm", "train_grid", "vs_pytorch", "inference", "tokenizer", "st_encode", "finetune", "profile",
                "experiments", "fused_attention"]
    only = [s for s in a.only.split(",") if s]
    only_given = list(only)
    if only and "gemm" not in only:
        only = ["gemm"] + only  # MFU needs the ceiling
    timings = {}
    for s in sections:
        if (only and s not in only) or s in done:
            continue
        log("== %s" % s)
        t = time.time()
        getattr(b, s)()
        timings[s] = round(time.time() - t, 1)
        b.results.setdefault("_sections_done", []).append(s)
        os.makedirs(a.out, exist_ok=True)
        with open(partial_path, "w") as f:  # survives a later crash (--resume-partial)
            json.dump(b.results, f)
    stop.set()
    m = b.results["machine"]
    m["load_after"] = os.getloadavg()
    m["load_samples_1min"] = m.get("load_samples_1min", []) + loads
    m["settings"] = vars(a)
    m["section_seconds"] = dict(m.get("section_seconds_before_resume", {}), **timings)
    b.results.pop("_sections_done", None)
    m["total_seconds"] = round(time.time() - started, 1) + m.get("seconds_before_resume", 0)
    b.results["commands"] = LOG
    os.makedirs(a.out, exist_ok=True)
    path = os.path.join(a.out, "results.json")
    if a.merge and os.path.exists(path):
        old = json.load(open(path))
        old.setdefault("merged_runs", []).append({"sections": list(timings), "machine": b.results.pop("machine"),
                                                  "commands": b.results.pop("commands")})
        old.update({k: v for k, v in b.results.items() if k != "gemm" or "gemm" in only_given})
        b.results = old
    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump(b.results, f, indent=1)
    partial = os.path.join(a.out, "results.partial.json")
    if os.path.exists(partial):
        os.unlink(partial)
    log("wrote %s (%.0f s)" % (os.path.join(a.out, "results.json"), time.time() - started))


if __name__ == "__main__":
    main()
