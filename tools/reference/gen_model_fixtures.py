#!/usr/bin/env python3
"""Golden fixtures for the model zoo (sentzoo issue #3): tiny random BERT, RoFormer, RoFormerV2
and DeepNet models with deliberately odd sizes, their weights in Hugging Face layout
(config.json + model.safetensors) and every output the C++ tests compare against.

Run from the repository root with the reference venv:
    .venv-ref/bin/python tools/reference/gen_model_fixtures.py
Writes tests/fixtures/models/<arch>/{config.json,model.safetensors,expected.safetensors}.
Independent references: transformers 4.41.2 (BertForMaskedLM, BertForSequenceClassification,
RoFormerForMaskedLM), JunnYu's roformer 0.4.3 (RoFormerV2 mode: norm_type != "layer_norm",
use_bias=False), torchscale 0.3.0 (DeepNorm encoder), sentence-transformers 3.0.1 (Pooling,
Dense, Normalize). ctest never runs this script.
"""
import json
import os
import sys

import numpy as np
import safetensors
import safetensors.torch as st
import sentence_transformers
import torch
import transformers
from sentence_transformers import models as st_models

SEED = 0
OUT = os.path.join("tests", "fixtures", "models")
SIZES = dict(vocab_size=101, hidden_size=48, num_hidden_layers=3, num_attention_heads=4,
             intermediate_size=37, max_position_embeddings=64, type_vocab_size=2,
             hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0, pad_token_id=0)
POOLINGS = ["cls", "mean", "max", "weightedmean", "lasttoken"]


def versions():
    v = dict(torch=torch.__version__, transformers=transformers.__version__,
             sentence_transformers=sentence_transformers.__version__,
             safetensors=safetensors.__version__, numpy=np.__version__)
    for name in ("roformer", "torchscale"):
        try:
            from importlib.metadata import version
            v[name] = version(name)
        except Exception:  # noqa: BLE001
            pass
    return v


def inputs(gen):
    """(B=3, T=9) ids with right padding (lengths 9, 6, 3), pad id 0, mixed segment ids."""
    B, T = 3, 9
    lengths = [9, 6, 3]
    ids = torch.randint(1, SIZES["vocab_size"], (B, T), generator=gen)
    mask = torch.zeros(B, T, dtype=torch.long)
    seg = torch.zeros(B, T, dtype=torch.long)
    for b, n in enumerate(lengths):
        mask[b, :n] = 1
        ids[b, n:] = 0
        seg[b, n // 2:n] = 1
    return ids, mask, seg


def randomize(model, gen):
    """Non-default values for every parameter, so a wrong name map cannot pass (LN 1/0 would)."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "embed_positions" in name:  # the fixed sinusoidal RoPE table, not a weight
                continue
            if "LayerNorm.weight" in name or "layernorm.weight" in name.lower() and p.dim() == 1:
                p.copy_(1.0 + 0.2 * torch.randn(p.shape, generator=gen))
            elif p.dim() == 1:
                p.copy_(0.2 * torch.randn(p.shape, generator=gen))
            else:
                p.copy_(torch.randn(p.shape, generator=gen) / np.sqrt(p.shape[-1]) * 1.5)


def st_pool(mode, hidden, mask):
    pool = st_models.Pooling(hidden.shape[-1], pooling_mode=mode)
    return pool({"token_embeddings": hidden.clone(), "attention_mask": mask})["sentence_embedding"]


def masked_mean(h, mask):
    m = mask.unsqueeze(-1).to(h.dtype)
    return (h * m).sum(1) / m.sum(1).clamp(min=1e-9)


def pooling_outputs(hs, mask, gen, out):
    """Each pooling of the last layer, first-last-avg (bert4keras: block 1 output, REFERENCE §7),
    and a dual-encoder head: mean -> Dense(tanh) -> Normalize, with cosines of rows (0,1),(1,2)."""
    last = hs[-1]
    for mode in POOLINGS:
        out[f"pool.{mode}"] = st_pool(mode, last, mask)
    out["pool.first_last_avg"] = (masked_mean(hs[1], mask) + masked_mean(hs[-1], mask)) / 2
    dense = st_models.Dense(last.shape[-1], 5, activation_function=torch.nn.Tanh())
    with torch.no_grad():
        dense.linear.weight.copy_(torch.randn(5, last.shape[-1], generator=gen) * 0.3)
        dense.linear.bias.copy_(torch.randn(5, generator=gen) * 0.3)
    feats = {"sentence_embedding": st_pool("mean", last, mask)}
    feats = st_models.Normalize()(dense(feats))
    out["dual.dense.weight"] = dense.linear.weight.detach().clone()
    out["dual.dense.bias"] = dense.linear.bias.detach().clone()
    out["dual.embedding"] = feats["sentence_embedding"]


def save(arch, model, config_dict, tensors, meta):
    d = os.path.join(OUT, arch)
    os.makedirs(d, exist_ok=True)
    if type(model).__module__.startswith("transformers."):  # transformers: its own writer
        model.save_pretrained(d, safe_serialization=True)
    else:  # roformer 0.4.3 predates tied-key metadata: config + safetensors without the tie
        model.config.save_pretrained(d)
        sd = {k: v.contiguous() for k, v in model.state_dict().items()
              if k not in ("cls.predictions.decoder.weight", "roformer.encoder.embed_positions.weight")}
        st.save_file(sd, os.path.join(d, "model.safetensors"), metadata={"format": "pt"})
    if os.path.exists(os.path.join(d, "generation_config.json")):
        os.remove(os.path.join(d, "generation_config.json"))
    if config_dict is not None:
        with open(os.path.join(d, "config.json"), "w") as f:
            json.dump(config_dict, f, indent=2, sort_keys=True)
    tensors = {k: v.detach().contiguous().clone() for k, v in tensors.items()}
    st.save_file(tensors, os.path.join(d, "expected.safetensors"),
                 metadata={k: (v if isinstance(v, str) else json.dumps(v)) for k, v in meta.items()})


def base_meta(arch, ref):
    return {"version": "1", "arch": arch, "seed": str(SEED), "reference": ref,
            "made_by": "tools/reference/gen_model_fixtures.py", "versions": versions()}


@torch.no_grad()
def make_bert(gen):
    cfg = transformers.BertConfig(hidden_act="gelu", layer_norm_eps=1e-12, **SIZES)
    model = transformers.BertForMaskedLM(cfg).eval()
    # BertForMaskedLM drops the pooler; build it with one so the pooler mapping is tested too.
    model.bert = transformers.BertModel(cfg, add_pooling_layer=True).eval()
    model.tie_weights()
    randomize(model, gen)
    ids, mask, seg = inputs(gen)
    o = model.bert(input_ids=ids, attention_mask=mask, token_type_ids=seg, output_hidden_states=True)
    out = dict(input_ids=ids, attention_mask=mask, token_type_ids=seg, pooler_output=o.pooler_output,
               mlm_logits=model(input_ids=ids, attention_mask=mask, token_type_ids=seg).logits)
    for i, h in enumerate(o.hidden_states):
        out[f"hidden.{i}"] = h
    pooling_outputs(o.hidden_states, mask, gen, out)
    # Cross encoder: HF BertForSequenceClassification = pooler -> dropout -> Linear(K).
    for k in (1, 3):
        cls = transformers.BertForSequenceClassification(
            transformers.BertConfig(num_labels=k, hidden_act="gelu", **SIZES)).eval()
        cls.bert.load_state_dict(model.bert.state_dict())
        cls.classifier.weight.copy_(torch.randn(k, SIZES["hidden_size"], generator=gen) * 0.3)
        cls.classifier.bias.copy_(torch.randn(k, generator=gen) * 0.3)
        out[f"cross{k}.weight"] = cls.classifier.weight.clone()
        out[f"cross{k}.bias"] = cls.classifier.bias.clone()
        out[f"cross{k}.logits"] = cls(input_ids=ids, attention_mask=mask, token_type_ids=seg).logits
    save("bert", model, None, out, base_meta("bert", "transformers BertForMaskedLM (+pooler), "
                                                     "BertForSequenceClassification"))


@torch.no_grad()
def make_roformer(gen):
    cfg = transformers.RoFormerConfig(hidden_act="gelu", layer_norm_eps=1e-12, **SIZES)
    model = transformers.RoFormerForMaskedLM(cfg).eval()
    randomize(model, gen)
    ids, mask, seg = inputs(gen)
    o = model.roformer(input_ids=ids, attention_mask=mask, token_type_ids=seg, output_hidden_states=True)
    out = dict(input_ids=ids, attention_mask=mask, token_type_ids=seg,
               mlm_logits=model(input_ids=ids, attention_mask=mask, token_type_ids=seg).logits)
    for i, h in enumerate(o.hidden_states):
        out[f"hidden.{i}"] = h
    pooling_outputs(o.hidden_states, mask, gen, out)
    save("roformer", model, None, out, base_meta("roformer", "transformers RoFormerForMaskedLM"))


@torch.no_grad()
def make_roformer_v2(gen):
    import roformer  # JunnYu's package, installed with --no-deps
    cfg = roformer.RoFormerConfig(hidden_act="relu", layer_norm_eps=1e-12, norm_type="rms_norm",
                                  use_bias=False, **SIZES)
    model = roformer.RoFormerForMaskedLM(cfg).eval()
    randomize(model, gen)
    assert model.cls.predictions.decoder.weight is model.roformer.embeddings.word_embeddings.weight
    ids, mask, seg = inputs(gen)
    o = model.roformer(input_ids=ids, attention_mask=mask, token_type_ids=seg, output_hidden_states=True)
    out = dict(input_ids=ids, attention_mask=mask, token_type_ids=seg,
               mlm_logits=model(input_ids=ids, attention_mask=mask, token_type_ids=seg).logits)
    for i, h in enumerate(o.hidden_states):
        out[f"hidden.{i}"] = h
    pooling_outputs(o.hidden_states, mask, gen, out)
    save("roformer_v2", model, None, out, base_meta("roformer_v2", "roformer 0.4.3 RoFormerForMaskedLM "
                                                                   "(norm_type=rms_norm, use_bias=False)"))


POOLER_ACTS = ["tanh", "linear", "relu", "gelu", "gelu_new", "sigmoid"]


@torch.no_grad()
def make_roformer_pooler(gen):
    """JunnYu's roformer 0.4.3 full model: RoFormerModel(add_pooling_layer=True), whose pooler is
    ACT2FN[config.pooler_activation](dense(x[:, 0])) with a bias even when use_bias=False (issue
    #15). v1 (layer_norm, biases, gelu) and V2 (rms_norm, no biases, relu); the folder's config
    names one activation, `pooler.<act>` holds the pooled output under each of POOLER_ACTS."""
    import roformer
    from transformers.activations import ACT2FN
    variants = {"roformer_pooler": dict(hidden_act="gelu", pooler_activation="linear"),
                "roformer_v2_pooler": dict(hidden_act="relu", norm_type="rms_norm", use_bias=False,
                                           pooler_activation="gelu")}
    for name, kw in variants.items():
        cfg = roformer.RoFormerConfig(layer_norm_eps=1e-12, **kw, **SIZES)
        model = roformer.RoFormerModel(cfg, add_pooling_layer=True).eval()
        randomize(model, gen)
        assert model.pooler.dense.bias is not None
        ids, mask, seg = inputs(gen)
        o = model(input_ids=ids, attention_mask=mask, token_type_ids=seg, output_hidden_states=True)
        out = dict(input_ids=ids, attention_mask=mask, token_type_ids=seg,
                   last_hidden=o.last_hidden_state, pooler_output=o.pooler_output)
        for act in POOLER_ACTS:
            model.pooler.activation = ACT2FN[act]
            out[f"pooler.{act}"] = model(input_ids=ids, attention_mask=mask, token_type_ids=seg).pooler_output
        save(name, model, None, out, base_meta(name, f"roformer 0.4.3 RoFormerModel({kw}, "
                                                     "add_pooling_layer=True)"))


def make_bin_fixtures():
    """Two tiny pytorch_model.bin files: a plain dict (what torch::pickle_load reads) and the
    OrderedDict that model.state_dict() gives (which it cannot read; TOOLCHAIN.md §6)."""
    import collections
    sd = collections.OrderedDict([("a.weight", torch.arange(6, dtype=torch.float32).view(2, 3)),
                                  ("b.bias", torch.ones(3, dtype=torch.bfloat16))])
    for name, obj in (("bin_plain", dict(sd)), ("bin_ordered", sd)):
        d = os.path.join(OUT, name)
        os.makedirs(d, exist_ok=True)
        torch.save(obj, os.path.join(d, "pytorch_model.bin"))


@torch.no_grad()
def check_cpp_export(export_dir):
    """The Python half of the C++ -> HF round trip: folders written by sentzoo's save_hf_encoder
    (run `SENTZOO_MODELS_EXPORT_DIR=<dir> build/tests/sentzoo_tests
    --gtest_filter=HfWeights.SaveThenLoad*` first) load into transformers / roformer and
    reproduce the fixtures' outputs."""
    import roformer
    classes = {"bert": transformers.BertForMaskedLM, "roformer": transformers.RoFormerForMaskedLM,
               "roformer_v2": roformer.RoFormerForMaskedLM}
    for arch, cls in classes.items():
        model = cls.from_pretrained(os.path.join(export_dir, arch)).eval()
        e = st.load_file(os.path.join(OUT, arch, "expected.safetensors"))
        base = getattr(model, "bert", None) or model.roformer
        o = base(input_ids=e["input_ids"], attention_mask=e["attention_mask"],
                 token_type_ids=e["token_type_ids"], output_hidden_states=True)
        diff = max((h - e[f"hidden.{i}"]).abs().max().item() for i, h in enumerate(o.hidden_states))
        logits = model(input_ids=e["input_ids"], attention_mask=e["attention_mask"],
                       token_type_ids=e["token_type_ids"]).logits
        diff = max(diff, (logits - e["mlm_logits"]).abs().max().item())
        print(f"check-export {arch}: {cls.__module__}.{cls.__name__} max abs diff {diff:.2e}")
        assert diff <= 1e-5, arch


def main():
    if "--check-export" in sys.argv:
        check_cpp_export(sys.argv[sys.argv.index("--check-export") + 1])
        return
    if "--only-pooler" in sys.argv:  # issue #15 fixtures alone, the others left as they are
        gen = torch.Generator().manual_seed(SEED + 1)
        make_roformer_pooler(gen)
        return
    gen = torch.Generator().manual_seed(SEED)
    torch.manual_seed(SEED)
    make_bert(gen)
    make_roformer(gen)
    make_roformer_v2(gen)
    make_bin_fixtures()
    make_roformer_pooler(torch.Generator().manual_seed(SEED + 1))
    if "--no-deepnet" not in sys.argv:
        import gen_model_deepnet  # torchscale part, separate file
        gen_model_deepnet.make_deepnet(gen, SIZES, OUT, base_meta, inputs, randomize, pooling_outputs)


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    main()
