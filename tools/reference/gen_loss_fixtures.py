#!/usr/bin/env python3
"""Golden values for sentzoo's losses from sentence-transformers' own loss classes.

Writes tests/fixtures/losses/st_losses.json. Each loss object is built around a dummy
"model" that returns precomputed embeddings, so forward() runs the library's exact
embedding-level math: model(features) -> {"sentence_embedding": features["emb"]}.
All tensors are float64 (float32 for CosineSimilarityLoss, see below); the loss value and d(loss)/d(first embedding) are recorded.

Run: .venv-ref/bin/python tools/reference/gen_loss_fixtures.py
"""
import json
import os
import sys

import numpy as np
import sentence_transformers
import torch
from sentence_transformers import losses

SEED = 1234
B, D = 8, 6  # D even for AnglE's complex split
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "fixtures", "losses", "st_losses.json")


class EmbeddingModel(torch.nn.Module):
    """Stands in for SentenceTransformer: the features dict already holds the embedding."""

    device = torch.device("cpu")

    def forward(self, features):
        return {"sentence_embedding": features["emb"]}


def main():
    torch.manual_seed(SEED)
    u = torch.randn(B, D, dtype=torch.float64)
    v = u + 0.9 * torch.randn(B, D, dtype=torch.float64)  # correlated pairs: varied cosines
    w = torch.randn(B, D, dtype=torch.float64)
    sts = torch.tensor([0.0, 1.0, 2.5, 2.5, 3.0, 4.2, 5.0, 1.0], dtype=torch.float64)  # ties on purpose
    binary = torch.tensor([1, 0, 1, 1, 0, 0, 1, 0], dtype=torch.int64)
    classes = torch.tensor([0, 2, 1, 1, 0, 2, 2, 1], dtype=torch.int64)
    model = EmbeddingModel()
    cases = []

    def run(name, loss, embs, labels, params, head=None, dtype=torch.float64):
        embs = [e.to(dtype).clone().requires_grad_(True) for e in embs]
        value = loss([{"emb": e} for e in embs], labels)
        value.backward()
        case = {
            "name": name,
            "params": params,
            "inputs": len(embs),
            "dtype": str(dtype).replace("torch.", ""),
            "value": value.item(),
            "grad_first": embs[0].grad.reshape(-1).tolist(),
        }
        if head is not None:
            case["head_weight"] = head.weight.detach().reshape(-1).tolist()
            case["head_bias"] = head.bias.detach().tolist()
        cases.append(case)

    M = losses.SiameseDistanceMetric
    T = losses.TripletDistanceMetric
    run("cosent", losses.CoSENTLoss(model), [u, v], sts, {"scale": 20.0})
    run("angle", losses.AnglELoss(model), [u, v], sts, {"scale": 20.0})
    # CosineSimilarityLoss casts labels with .float(), so its backward needs float32 embeddings.
    run("cosine_mse", losses.CosineSimilarityLoss(model), [u, v], sts / 5.0, {"label_scale": 1.0},
        dtype=torch.float32)
    for mult in (False, True):
        sm = losses.SoftmaxLoss(model, D, 3, concatenation_sent_multiplication=mult).double()
        run("softmax", sm, [u, v], classes,
            {"dim": D, "num_labels": 3, "concatenation_sent_multiplication": mult}, head=sm.classifier)
    run("mnrl", losses.MultipleNegativesRankingLoss(model), [u, v], None, {"scale": 20.0})
    run("mnrl", losses.MultipleNegativesRankingLoss(model), [u, v, w], None, {"scale": 20.0})
    run("mnrl_symmetric", losses.MultipleNegativesSymmetricRankingLoss(model), [u, v], None, {"scale": 20.0})
    run("mnrl_symmetric", losses.MultipleNegativesSymmetricRankingLoss(model), [u, v, w], None, {"scale": 20.0})
    run("contrastive", losses.ContrastiveLoss(model), [u, v], binary, {"margin": 0.5, "distance": "cosine"})
    run("contrastive", losses.ContrastiveLoss(model, distance_metric=M.EUCLIDEAN, margin=3.0), [u, v], binary,
        {"margin": 3.0, "distance": "euclidean"})
    run("online_contrastive", losses.OnlineContrastiveLoss(model), [u, v], binary,
        {"margin": 0.5, "distance": "cosine"})
    run("online_contrastive", losses.OnlineContrastiveLoss(model, distance_metric=M.EUCLIDEAN, margin=3.0),
        [u, v], binary, {"margin": 3.0, "distance": "euclidean"})
    run("triplet", losses.TripletLoss(model), [u, v, w], None, {"margin": 5.0, "distance": "euclidean"})
    run("triplet", losses.TripletLoss(model, distance_metric=T.COSINE, triplet_margin=0.5), [u, v, w], None,
        {"margin": 0.5, "distance": "cosine"})

    out = {
        "version": 1,
        "made_by": (
            "tools/reference/gen_loss_fixtures.py: sentence_transformers.losses.<Loss>(model).forward() with a "
            "dummy model returning precomputed embeddings, float64 except CosineSimilarityLoss in float32 (it casts labels with .float()) (features['emb'] -> sentence_embedding); "
            f"seed {SEED}; sentence-transformers {sentence_transformers.__version__}, torch {torch.__version__}, "
            f"numpy {np.__version__}, python {sys.version.split()[0]}"
        ),
        "batch": B,
        "dim": D,
        "u": u.reshape(-1).tolist(),
        "v": v.reshape(-1).tolist(),
        "w": w.reshape(-1).tolist(),
        "sts": sts.tolist(),
        "binary": binary.tolist(),
        "classes": classes.tolist(),
        "cases": cases,
    }
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"wrote {len(cases)} cases to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
