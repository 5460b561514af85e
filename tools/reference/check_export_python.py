#!/usr/bin/env python3
"""Loads a sentzoo-export TorchScript file with Python's torch.jit.load and checks its outputs.

Usage: check_export_python.py MODEL.pt CASE.json
CASE.json: {"input_ids": [[...]], "attention_mask": [[...]], "expected": [[...]], "tol": 1e-5}
(written by the C++ test tests/eval/export_python_test.cpp from the native model).
Exit 0 when max |python - expected| <= tol and metadata.json/config.json are inside, else 1.
Needs only torch (Debian's python3-torch 1.13 works); run by ctest through /usr/bin/python3.
"""
import json
import sys

import torch


def main() -> int:
    model_path, case_path = sys.argv[1], sys.argv[2]
    with open(case_path) as f:
        case = json.load(f)
    extra = {"metadata.json": "", "config.json": "", "vocab.txt": ""}
    module = torch.jit.load(model_path, map_location="cpu", _extra_files=extra)
    module.eval()
    meta = json.loads(extra["metadata.json"] or "{}")
    if meta.get("kind") not in ("dual", "cross") or not extra["config.json"]:
        print(f"{model_path}: metadata.json/config.json missing or wrong: {meta}")
        return 1
    ids = torch.tensor(case["input_ids"], dtype=torch.long)
    mask = torch.tensor(case["attention_mask"], dtype=torch.long)
    with torch.no_grad():
        out = module(ids, mask)
    expected = torch.tensor(case["expected"], dtype=torch.float32)
    diff = (out.float() - expected).abs().max().item()
    print(f"torch {torch.__version__}: kind {meta['kind']}, shape {tuple(out.shape)}, "
          f"max diff {diff:.3g}")
    return 0 if diff <= case.get("tol", 1e-5) else 1


if __name__ == "__main__":
    sys.exit(main())
