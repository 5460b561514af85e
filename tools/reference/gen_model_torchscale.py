#!/usr/bin/env python3
"""torchscale checkpoints as torchscale itself writes them (issue #15): tiny DeepNorm encoders of
torchscale 0.3.0 with its own PositionalEmbedding (rows read from 2) and embed_scale, saved as
config.json (`vars(EncoderConfig)`) + model.safetensors (the state dict under torchscale's
names), and their outputs for fixed inputs. sentzoo's torchscale loader
(models/torchscale_weights.h) must reproduce them; tests/models/torchscale_test.cpp.

Run from the repository root with the reference venv (requirements-models.txt):
    .venv-ref/bin/python tools/reference/gen_model_torchscale.py
Writes tests/fixtures/models/torchscale{,_fairseq}/{config.json,model.safetensors,expected.safetensors}.

  torchscale/          Encoder(deepnorm, layernorm_embedding, embed_scale sqrt(d), gelu) with its
                       output layer (output_projection.weight: a head key sentzoo skips)
  torchscale_fairseq/  the same state dict under "encoder." (torchscale's fairseq BertModel),
                       no layernorm_embedding, no_scale_embedding, relu
"""
import json
import os
import sys

import safetensors.torch as st
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_model_deepnet  # noqa: E402  (the timm stub torchscale's import needs)
import gen_model_fixtures as gm  # noqa: E402  (inputs, randomize, versions)

SEED = 15
OUT = os.path.join("tests", "fixtures", "models")
VARIANTS = {
    "torchscale": dict(layernorm_embedding=True, no_scale_embedding=False, activation_fn="gelu",
                       no_output_layer=False, prefix=""),
    "torchscale_fairseq": dict(layernorm_embedding=False, no_scale_embedding=True,
                               activation_fn="relu", no_output_layer=True, prefix="encoder."),
}


@torch.no_grad()
def make(name, variant, gen):
    EncoderConfig, Encoder = gen_model_deepnet._import_torchscale()
    from torchscale.component.embedding import PositionalEmbedding
    s = gm.SIZES
    v = dict(variant)
    prefix = v.pop("prefix")
    cfg = EncoderConfig(encoder_embed_dim=s["hidden_size"], encoder_attention_heads=s["num_attention_heads"],
                        encoder_ffn_embed_dim=s["intermediate_size"], encoder_layers=s["num_hidden_layers"],
                        deepnorm=True, dropout=0.0, attention_dropout=0.0, layernorm_eps=1e-5,
                        max_source_positions=s["max_position_embeddings"], vocab_size=s["vocab_size"], **v)
    model = Encoder(cfg, embed_tokens=torch.nn.Embedding(s["vocab_size"], s["hidden_size"]),
                    embed_positions=PositionalEmbedding(cfg.max_source_positions, s["hidden_size"])).eval()
    gm.randomize(model, gen)
    ids, mask, _ = gm.inputs(gen)
    o = model(src_tokens=ids, encoder_padding_mask=(mask == 0), return_all_hiddens=True)
    keep = mask.unsqueeze(-1).to(torch.float32)  # torchscale zeroes padded rows: compare tokens
    out = dict(input_ids=ids, attention_mask=mask)
    for i, h in enumerate(o["encoder_states"]):
        out[f"hidden.{i}"] = h * keep
    out["mean"] = gm.masked_mean(o["encoder_states"][-1], mask)  # encoder_out: logits here
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(vars(cfg), f, indent=2, sort_keys=True)
    st.save_file({prefix + k: t.contiguous() for k, t in model.state_dict().items()},
                 os.path.join(d, "model.safetensors"), metadata={"format": "pt"})
    meta = {"version": "1", "arch": name, "seed": str(SEED), "made_by": "tools/reference/gen_model_torchscale.py",
            "reference": f"torchscale 0.3.0 Encoder({json.dumps(variant)}) with PositionalEmbedding",
            "versions": json.dumps(gm.versions())}
    st.save_file({k: t.detach().contiguous() for k, t in out.items()},
                 os.path.join(d, "expected.safetensors"), metadata=meta)
    print(f"wrote {d}: {len(model.state_dict())} tensors")


def main():
    gen = torch.Generator().manual_seed(SEED)
    torch.manual_seed(SEED)
    for name, variant in VARIANTS.items():
        make(name, variant, gen)


if __name__ == "__main__":
    main()
