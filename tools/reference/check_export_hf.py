#!/usr/bin/env python3
"""Python half of the --format huggingface round trip (tests/eval/export_hf_test.cpp
ExportEveryArchitecture.ReferencePackagesLoadAFreshExport): a folder written by sentzoo-export is
loaded by the reference packages with no missing or unexpected key, and sentence-transformers
3.0.1 encodes the case's sentences as sentzoo did.

  check_export_hf.py FOLDER CASE.json     (CASE: {"sentences": [...], "embeddings": [[...]]})

The encoder at the root: BERT -> transformers BertModel; RoFormer / RoFormerV2 -> roformer 0.4.3
RoFormerModel; DeepNet -> torchscale 0.3.0 Encoder (strict load_state_dict inside
FOLDER/sentzoo_st.py). Exit 1 when a key is off or max |ST - sentzoo| > 1e-5.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def load_reference(folder):
    """SentenceTransformer(folder), the way docs/LAYOUTS.md tells a user to."""
    sys.path.insert(0, HERE)
    import gen_model_deepnet  # the timm stub torchscale's import needs in this venv

    gen_model_deepnet._import_torchscale()
    sys.path.insert(0, folder)  # sentzoo_st.py, module 0 of RoFormerV2 / DeepNet folders
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(folder, device="cpu")


def key_problems(folder):
    """Missing / unexpected keys when the reference package loads the root encoder."""
    with open(os.path.join(folder, "config.json")) as f:
        config = json.load(f)
    if "encoder_embed_dim" in config:
        return []  # torchscale: sentzoo_st.py loads it with strict=True (raises otherwise)
    from safetensors.torch import load_file

    pooler = "pooler.dense.weight" in load_file(os.path.join(folder, "model.safetensors"))
    if config["model_type"] == "bert":
        import transformers

        _, info = transformers.BertModel.from_pretrained(folder, add_pooling_layer=pooler,
                                                         output_loading_info=True)
    else:
        import roformer

        _, info = roformer.RoFormerModel.from_pretrained(folder, add_pooling_layer=pooler,
                                                         output_loading_info=True)
    return [f"{k}: {v}" for k, v in info.items() if v and k in ("missing_keys", "unexpected_keys")]


def main():
    import numpy as np

    folder, case_path = sys.argv[1:3]
    case = json.load(open(case_path, encoding="utf-8"))
    problems = key_problems(folder)
    model = load_reference(folder)
    ref = model.encode(case["sentences"], convert_to_numpy=True, batch_size=2)
    diff = float(np.abs(ref - np.array(case["embeddings"])).max())
    modules = [type(m).__name__ for m in model]
    print(f"{folder}: modules {modules}, max |ST - sentzoo| {diff:.3g}, key problems {problems}")
    return 0 if diff <= 1e-5 and not problems else 1


if __name__ == "__main__":
    sys.exit(main())
