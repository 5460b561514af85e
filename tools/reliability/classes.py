#!/usr/bin/env python3
"""Issue #14's failure classes, reproduced through the command-line tools of one build.

    tools/reliability/classes.py BUILD_DIR [--shim build/libsentzoo_write_fault.so] [--json OUT]

Each class is one hostile input or fault, tried as a user would meet it; the row says whether the
build handled it ("ok": refused with a message naming the file/key, or kept the last good state)
or not ("BAD": accepted silently, hung, crashed, lost data). Run it against a build of the code
before the fix and after it to get the before/after table of the closing note. The ctest suite
holds the same classes as unit and process tests (tests/train/reliability_test.cpp,
tests/train/fault_injection_test.cpp, tests/io/, tests/core/json_text_test.cpp, ...); this script
needs no Python package and is never run by ctest.
"""
import argparse
import json
import os
import shutil
import stat
import struct
import subprocess
import sys
import tempfile
import time

PAIRS = [("我喜欢吃苹果", "我爱吃苹果", 5), ("今天天气很好", "今天天气不错", 4),
         ("他在看书", "他在读书", 4), ("猫在睡觉", "狗在跑步", 0), ("我要去北京", "我要去上海", 2),
         ("这个很便宜", "那个很贵", 1), ("你好吗", "你好", 3), ("火车很快", "飞机很慢", 1)]


def write(path, text, mode="w"):
    with open(path, mode, encoding=None if "b" in mode else "utf-8") as f:
        f.write(text)


def toy(root):
    chars = sorted({c for a, b, _ in PAIRS for c in a + b})
    write(f"{root}/vocab.txt", "\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + chars) + "\n")
    write(f"{root}/graded.tsv", "".join(f"{a}\t{b}\t{y}\n" for a, b, y in PAIRS))
    write(f"{root}/constant.tsv", "".join(f"{a}\t{b}\t1\n" for a, b, _ in PAIRS[:3]))
    write(f"{root}/cr_only.tsv", "".join(f"{a}\t{b}\t{y}\r" for a, b, y in PAIRS))
    write(f"{root}/big_label.tsv", "".join(f"{a}\t{b}\t{y}e300\n" for a, b, y in PAIRS))


def config(root, **train):
    t = {"max_steps": 2, "seed": 7, "schedule": "constant", "log_every": 1}
    t.update(train)
    return {"objective": "dual",
            "model": {"preset": "roformer_v2_tiny",
                      "encoder": {"hidden_size": 32, "num_layers": 1, "num_heads": 2,
                                  "intermediate_size": 64},
                      "pooling": {"mode": "mean"}},
            "tokenizer": {"vocab": f"{root}/vocab.txt", "max_length": 16},
            "data": {"train": f"tsv:{root}/graded.tsv", "batch_size": 8},
            "loss": {"name": "cosent"}, "optim": {"lr": 3e-3}, "train": t}


class Runner:
    def __init__(self, build, shim, root):
        self.build, self.shim, self.root = build, shim, root
        self.n = 0

    def run(self, tool, args, env=None, timeout=60):
        full_env = dict(os.environ, SENTZOO_DATA="", OMP_NUM_THREADS="1")
        full_env.update(env or {})
        start = time.time()
        try:
            p = subprocess.run([f"{self.build}/{tool}", "--threads", "1"] + args, env=full_env,
                               capture_output=True, text=True, timeout=timeout,
                               preexec_fn=lambda: __import__("resource").setrlimit(
                                   __import__("resource").RLIMIT_AS, (8 << 30, 8 << 30)))
            return p.returncode, p.stdout + p.stderr, time.time() - start
        except subprocess.TimeoutExpired:
            return "timeout", "", time.time() - start

    def config_file(self, cfg, raw=None):
        self.n += 1
        path = f"{self.root}/cfg{self.n}.json"
        write(path, raw if raw is not None else json.dumps(cfg, indent=1))
        return path

    def train(self, cfg=None, raw=None, extra=(), out=None, **kw):
        out = out or f"{self.root}/out{self.n + 1}"
        path = self.config_file(cfg or config(self.root), raw)
        return self.run("sentzoo-train", ["--config", path, "--output", out] + list(extra), **kw), out


def last_line(text):
    """The error line when there is one (usage errors print the help after it), else the last."""
    lines = [l for l in text.strip().splitlines() if l.strip()]
    errors = [l for l in lines if "[error]" in l or l.startswith("sentzoo-")]
    pick = errors[0] if errors else (lines[-1] if lines else "")
    return pick[:200]


def classes(r, root):
    rows = []

    def refused(res, names=""):
        """Exit 1 (failure) or 2 (usage) with a message naming `names` (the key or problem),
        never 0, a hang or a signal."""
        return res[0] in (1, 2) and names in last_line(res[1])

    def row(name, good, result, detail):
        rows.append({"class": name, "ok": bool(good), "exit": result[0], "detail": detail})

    # --- disk full while writing a checkpoint -----------------------------------------------
    out = f"{root}/full_disk"
    cfg = r.config_file(config(root, max_steps=2, checkpoint_every=2))
    for pattern, after in (("checkpoints/step-4", "0"), ("checkpoints/step-4", "3000"),
                           ("optimizer.pt", "0"), ("optimizer.pt", "5000"), ("state.json", "0")):
        shutil.rmtree(out, ignore_errors=True)
        r.run("sentzoo-train", ["--config", cfg, "--output", out])
        res = r.run("sentzoo-train", ["--config", cfg, "--output", out, "--resume", "--set",
                                      "train.max_steps=4"],
                    env={"LD_PRELOAD": r.shim, "SENTZOO_FAULT_PATH": pattern,
                         "SENTZOO_FAULT_AFTER_BYTES": after})
        step2 = os.path.exists(f"{out}/checkpoints/step-2/model.safetensors")
        step4 = os.path.exists(f"{out}/checkpoints/step-4")
        resumed = r.run("sentzoo-train", ["--config", cfg, "--output", out, "--resume", "--set",
                                          "train.max_steps=4"])
        good = res[0] == 1 and step2 and not step4 and resumed[0] == 0
        row(f"disk full writing a checkpoint ({pattern}, after {after} bytes)", good, res,
            f"exit {res[0]}, step-2 kept {step2}, broken step-4 committed {step4}, "
            f"resume exit {resumed[0]}: {last_line(res[1])}")

    # --- outputs that are not regular files --------------------------------------------------
    link_dir = f"{root}/links"
    os.makedirs(link_dir, exist_ok=True)
    write(f"{link_dir}/real.pt", "old")
    if os.path.lexists(f"{link_dir}/model.pt"):
        os.remove(f"{link_dir}/model.pt")
    os.symlink("real.pt", f"{link_dir}/model.pt")
    res = r.run("sentzoo-export", ["--checkpoint", out, "--output", f"{link_dir}/model.pt"])
    still_link = os.path.islink(f"{link_dir}/model.pt")
    row("--output is a symlink", res[0] == 0 and still_link, res,
        f"exit {res[0]}, still a symlink: {still_link}")
    fifo = f"{link_dir}/fifo.pt"
    if os.path.exists(fifo):
        os.remove(fifo)
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", fifo], stdout=subprocess.PIPE)
    res = r.run("sentzoo-export", ["--checkpoint", out, "--output", fifo], timeout=60)
    try:  # a build that renamed a file over the FIFO left the reader without a writer
        got = reader.communicate(timeout=10)[0] if res[0] != "timeout" else b""
    except subprocess.TimeoutExpired:
        got = b""
    if reader.poll() is None:
        reader.kill()
        reader.wait()
    still_fifo = os.path.exists(fifo) and stat.S_ISFIFO(os.lstat(fifo).st_mode)
    row("--output is a FIFO (as /dev/null or /dev/stdout)", res[0] == 0 and still_fifo and got,
        res, f"exit {res[0]}, still a FIFO: {still_fifo}, {len(got)} bytes through it")

    # --- two trainers in one folder ----------------------------------------------------------
    busy = f"{root}/busy"
    long_cfg = r.config_file(config(root, max_steps=10000000, checkpoint_every=10000000))
    first = subprocess.Popen([f"{r.build}/sentzoo-train", "--threads", "1", "--config", long_cfg,
                              "--output", busy], env=dict(os.environ, SENTZOO_DATA=""),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(4)
    res = r.run("sentzoo-train", ["--config", long_cfg, "--output", busy, "--resume"], timeout=120)
    first.kill()
    first.wait()
    row("a second trainer in a running folder", res[0] == 1 and "in use" in res[1], res,
        last_line(res[1]))

    # --- hangs and unbounded allocation ------------------------------------------------------
    c = config(root)
    c["data"]["bucket_batches"] = 1 << 40
    c["data"]["batch_size"] = 1 << 40
    (res, _) = r.train(c, timeout=30)
    row("bucket_batches x batch_size overflows", refused(res, "bucket_batches"), res, f"exit {res[0]}: {last_line(res[1])}")
    c = config(root)
    c["model"]["encoder"]["num_layers"] = 100000000
    (res, _) = r.train(c, timeout=30)
    row("num_layers 1e8 (config)", refused(res, "num_layers"), res, f"exit {res[0]}: {last_line(res[1])}")

    # --- silent acceptance -------------------------------------------------------------------
    base = json.dumps(config(root), indent=1)
    (res, _) = r.train(raw=base.replace('"max_steps": 2,', '"max_steps": 2, "max_steps": 3,'))
    row("duplicate JSON key", refused(res, "twice"), res, f"exit {res[0]}: {last_line(res[1])}")
    c = config(root)
    c["train"]["max_steps"] = 2.7
    (res, _) = r.train(c)
    row("8.7-style float for an integer", refused(res, "max_steps"), res, f"exit {res[0]}: {last_line(res[1])}")
    c = config(root)
    c["train"]["seed"] = -1
    (res, _) = r.train(c)
    row("-1 for an unsigned seed", refused(res, "seed"), res, f"exit {res[0]}: {last_line(res[1])}")
    (res, _) = r.train(extra=["--set", "optim.lr=inf"])
    row("lr inf through --set", refused(res, "optim.lr"), res, f"exit {res[0]}: {last_line(res[1])}")
    c = config(root)
    c["model"]["encoder"]["rope_theta"] = 0.0
    (res, _) = r.train(c)
    row("rope_theta 0", refused(res, "rope_theta"), res, f"exit {res[0]}: {last_line(res[1])}")
    c = config(root)
    c["model"]["head_dropout"] = 1.5
    c["objective"] = "cross"
    c["loss"] = {"name": "cosent_cross"}
    (res, _) = r.train(c)
    row("head_dropout 1.5", refused(res, "head_dropout"), res, f"exit {res[0]}: {last_line(res[1])}")
    c = config(root)
    c["data"]["train"] = f"tsv:{root}/cr_only.tsv"
    (res, _) = r.train(c)
    n_examples = "8 examples" in res[1]
    row("CR-only line endings", res[0] == 0 and n_examples, res,
        f"exit {res[0]}: read as 8 records: {n_examples}")
    c = config(root)
    c["data"]["train"] = f"tsv:{root}/big_label.tsv?label_scale=1e300"
    (res, _) = r.train(c)
    row("labels scaled to inf", res[0] == 1 and "finite" in res[1], res,
        f"exit {res[0]}: {last_line(res[1])}")
    c = config(root)
    c["data"]["dev"] = f"tsv:{root}/constant.tsv"
    (res, dev_out) = r.train(c)
    trained = os.path.exists(f"{dev_out}/checkpoints")
    row("dev set that cannot be scored (constant labels)", res[0] == 1 and not trained, res,
        f"exit {res[0]}, trained first: {trained}: {last_line(res[1])}")

    # --- damaged files -----------------------------------------------------------------------
    cfg = r.config_file(config(root, max_steps=4, checkpoint_every=2, keep_checkpoints=3))
    flip = f"{root}/flip"
    r.run("sentzoo-train", ["--config", cfg, "--output", flip])
    model = f"{flip}/checkpoints/step-4/model.safetensors"
    data = bytearray(open(model, "rb").read())
    data[-5] ^= 0x10
    open(model, "wb").write(data)
    res = r.run("sentzoo-train", ["--config", cfg, "--output", flip, "--resume", "--set",
                                  "train.max_steps=6"])
    row("a bit flip in the newest checkpoint, then --resume",
        res[0] == 0 and "resumed from" in res[1] and "step-2" in res[1], res,
        f"exit {res[0]}: {[l for l in res[1].splitlines() if 'resumed' in l][:1]}")
    best = f"{flip}/best"
    if os.path.isdir(best):
        hidden = f"{root}/nosj"
        shutil.rmtree(hidden, ignore_errors=True)
        shutil.copytree(best, hidden)
        os.remove(f"{hidden}/sentzoo.json")
        res = r.run("sentzoo-export", ["--checkpoint", hidden, "--output", f"{root}/nosj.pt"])
        row("export of a training output without sentzoo.json", refused(res, "sentzoo.json"), res,
            f"exit {res[0]}: {last_line(res[1])}")

        def rewrite_header(path, edit):
            raw = open(path, "rb").read()
            n = struct.unpack("<Q", raw[:8])[0]
            header = json.loads(raw[8:8 + n])
            edit(header)
            text = json.dumps(header, separators=(",", ":"))
            text += " " * (n - len(text))
            assert len(text) == n
            open(path, "wb").write(raw[:8] + text.encode() + raw[8 + n:])

        def alias_two_tensors(h):
            # Two tensors of one byte size made to share the first one's bytes.
            by_size = {}
            for k, v in sorted(h.items()):
                if k == "__metadata__":
                    continue
                size = v["data_offsets"][1] - v["data_offsets"][0]
                if size in by_size:
                    v["data_offsets"] = list(h[by_size[size]]["data_offsets"])
                    return
                by_size[size] = k
            raise SystemExit("no two tensors of one size")

        for name, edit in (
                ("overlapping safetensors offsets", alias_two_tensors),
                ("F32 tensors relabelled I32",
                 lambda h: [v.update(dtype="I32") for k, v in h.items()
                            if k != "__metadata__" and v["dtype"] == "F32"])):
            bad = f"{root}/bad_{len(rows)}"
            shutil.rmtree(bad, ignore_errors=True)
            shutil.copytree(best, bad)
            rewrite_header(f"{bad}/model.safetensors", edit)
            res = r.run("sentzoo-export", ["--checkpoint", bad, "--output", f"{bad}.pt"])
            row(name, refused(res), res, f"exit {res[0]}: {last_line(res[1])}")
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("build")
    ap.add_argument("--shim", default=os.path.join(os.path.dirname(__file__), "../../build/libsentzoo_write_fault.so"))
    ap.add_argument("--json")
    a = ap.parse_args()
    root = tempfile.mkdtemp(prefix="sentzoo_classes_")
    toy(root)
    rows = classes(Runner(os.path.abspath(a.build), os.path.abspath(a.shim), root), root)
    for x in rows:
        print(f"{'ok ' if x['ok'] else 'BAD'} | {x['class']} | {x['detail']}")
    print(f"{sum(x['ok'] for x in rows)}/{len(rows)} classes handled")
    if a.json:
        json.dump(rows, open(a.json, "w"), indent=1, ensure_ascii=False)
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
