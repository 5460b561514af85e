"""DeepNet part of gen_model_fixtures.py: torchscale 0.3.0's Encoder with deepnorm=True as the
reference for sentzoo's "deepnet" architecture (REFERENCE.md §3). Writes
tests/fixtures/models/deepnet/{config.json,model.safetensors,expected.safetensors} and
deepnet_init.safetensors (std of torchscale's initial weights, for the init test).

Adapters, all on the fixture side: torchscale's own PositionalEmbedding is fairseq-style (offset
by the padding index), so a plain learned table indexed 0..T-1 is passed as embed_positions;
segment embeddings do not exist in torchscale, so the fixture's segment table is all zeros;
no_scale_embedding=True, layernorm_embedding=True (BERT-like embedding norm). torchscale zeroes
padded positions after the embeddings, so only unpadded positions are compared.
"""
import importlib.machinery
import json
import math
import os
import sys
import types

import safetensors.torch as st
import torch


def _import_torchscale():
    # timm 0.6.13 imports torchvision, which cannot be installed against Debian's torch 1.13;
    # torchscale uses exactly one timm symbol, drop_path, active only when drop_path_rate > 0.
    try:
        import timm.models.layers  # noqa: F401
    except Exception:  # noqa: BLE001
        for k in [k for k in sys.modules if k == "timm" or k.startswith("timm.")]:
            del sys.modules[k]
        timm = types.ModuleType("timm")
        models = types.ModuleType("timm.models")
        layers = types.ModuleType("timm.models.layers")

        def drop_path(x, drop_prob=0.0, training=False):
            assert not drop_prob or not training, "stub: drop_path_rate must be 0"
            return x

        layers.drop_path = drop_path
        # A spec on each stub: transformers asks importlib.util.find_spec("timm"), which raises
        # for a module whose __spec__ is None.
        for module in (timm, models, layers):
            module.__spec__ = importlib.machinery.ModuleSpec(module.__name__, None)
        timm.models, models.layers = models, layers
        sys.modules.update({"timm": timm, "timm.models": models, "timm.models.layers": layers})
    from torchscale.architecture.config import EncoderConfig
    from torchscale.architecture.encoder import Encoder
    return EncoderConfig, Encoder


class LearnedPositions(torch.nn.Module):
    """BERT-style absolute positions 0..T-1 (the torchscale embed_positions call signature)."""

    def __init__(self, n, d):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.zeros(n, d))

    def forward(self, src_tokens, positions=None):
        return self.weight[: src_tokens.shape[1]].unsqueeze(0)


def ts_to_hf(name):
    """torchscale Encoder name -> the HF layout sentzoo reads (models/hf_weights.cpp)."""
    table = {
        "embed_tokens.weight": "embeddings.word_embeddings.weight",
        "embed_positions.weight": "embeddings.position_embeddings.weight",
        "layernorm_embedding.weight": "embeddings.LayerNorm.weight",
        "layernorm_embedding.bias": "embeddings.LayerNorm.bias",
    }
    if name in table:
        return table[name]
    parts = name.split(".")  # layers.{i}.<module>.<leaf>
    i, rest = parts[1], ".".join(parts[2:])
    layer = {
        "self_attn.q_proj": "attention.self.query", "self_attn.k_proj": "attention.self.key",
        "self_attn.v_proj": "attention.self.value", "self_attn.out_proj": "attention.output.dense",
        "self_attn_layer_norm": "attention.output.LayerNorm", "ffn.fc1": "intermediate.dense",
        "ffn.fc2": "output.dense", "final_layer_norm": "output.LayerNorm",
    }
    module, leaf = rest.rsplit(".", 1)
    return f"encoder.layer.{i}.{layer[module]}.{leaf}"


def ts_config(EncoderConfig, sizes, layers, hidden, heads, ffn):
    return EncoderConfig(encoder_embed_dim=hidden, encoder_attention_heads=heads,
                         encoder_ffn_embed_dim=ffn, encoder_layers=layers, deepnorm=True,
                         activation_fn="gelu", dropout=0.0, attention_dropout=0.0,
                         no_scale_embedding=True, layernorm_embedding=True, layernorm_eps=1e-5,
                         no_output_layer=True, vocab_size=sizes["vocab_size"])


@torch.no_grad()
def make_deepnet(gen, sizes, out_dir, base_meta, inputs, randomize, pooling_outputs):
    EncoderConfig, Encoder = _import_torchscale()
    h, L, H, F = (sizes["hidden_size"], sizes["num_hidden_layers"], sizes["num_attention_heads"],
                  sizes["intermediate_size"])
    emb = torch.nn.Embedding(sizes["vocab_size"], h)
    pos = LearnedPositions(sizes["max_position_embeddings"], h)
    model = Encoder(ts_config(EncoderConfig, sizes, L, h, H, F), embed_tokens=emb, embed_positions=pos).eval()
    randomize(model, gen)
    ids, mask, seg = inputs(gen)
    seg = torch.zeros_like(seg)
    o = model(src_tokens=ids, encoder_padding_mask=(mask == 0), return_all_hiddens=True)
    states = o["encoder_states"]
    assert len(states) == L + 1
    out = dict(input_ids=ids, attention_mask=mask, token_type_ids=seg)
    for i, s in enumerate(states):
        out[f"hidden.{i}"] = s * mask.unsqueeze(-1)  # compare unpadded positions only
    pooling_outputs(states, mask, gen, out)

    d = os.path.join(out_dir, "deepnet")
    os.makedirs(d, exist_ok=True)
    weights = {ts_to_hf(k): v.contiguous() for k, v in model.state_dict().items()}
    weights["embeddings.token_type_embeddings.weight"] = torch.zeros(1, h)
    st.save_file(weights, os.path.join(d, "model.safetensors"), metadata={"format": "pt"})
    config = {"sentzoo": {
        "architecture": "deepnet", "vocab_size": sizes["vocab_size"], "hidden_size": h,
        "num_layers": L, "num_heads": H, "intermediate_size": F,
        "max_position_embeddings": sizes["max_position_embeddings"], "type_vocab_size": 1,
        "hidden_act": "gelu", "position_embedding": "absolute", "use_bias": True,
        "norm_type": "layer_norm", "norm_eps": 1e-5, "norm_position": "post",
        "embedding_norm": True, "deepnorm": True, "deepnorm_constants": "paper",
        "deepnorm_init": "torchscale", "with_pooler": False, "with_mlm_head": False,
        "hidden_dropout": 0.0, "attention_dropout": 0.0}}
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(config, f, indent=2, sort_keys=True)
    meta = base_meta("deepnet", "torchscale 0.3.0 Encoder(deepnorm=True)")
    st.save_file({k: v.contiguous() for k, v in out.items()}, os.path.join(d, "expected.safetensors"),
                 metadata={k: (v if isinstance(v, str) else json.dumps(v)) for k, v in meta.items()})

    # Init statistics of an untouched torchscale DeepNet (N=6, h=256, ffn=512): std per weight.
    torch.manual_seed(1)
    big = Encoder(ts_config(EncoderConfig, sizes, 6, 256, 4, 512),
                  embed_tokens=torch.nn.Embedding(10, 256)).eval()
    stats = {}
    for name, p in big.named_parameters():
        if name.startswith("layers."):
            stats[ts_to_hf(name)] = torch.tensor([p.std().item(), p.abs().max().item()])
    meta = base_meta("deepnet_init", "torchscale 0.3.0 Encoder(deepnorm=True), N=6, h=256, ffn=512, "
                                     "seed 1: [std, max|w|] per parameter")
    st.save_file(stats, os.path.join(d, "init_stats.safetensors"),
                 metadata={k: (v if isinstance(v, str) else json.dumps(v)) for k, v in meta.items()})
    return math.pow(2.0 * L, 0.25)
