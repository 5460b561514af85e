"""Prior losses of the three tasks of experiments/multitask_weighting (the series' "prior"
normalisation, blog 8870, REFERENCE.md §10 item 2: the loss of the best prediction that ignores
the input), in nats, in task order [stsb, afqmc, mlm], printed as one JSON list.
  stsb   CoSENT of a constant score: every pair gets the same cosine, so each batch's loss is
         log(1 + #{(i, j): y_i > y_j}); the mean over BATCHES random batches of BATCH training
         pairs (seed 0). (The series gives no prior for CoSENT; this is its definition applied.)
  afqmc  cross-entropy of the label prior: the entropy of the training labels.
  mlm    cross-entropy of the unigram prior: the entropy of the characters the model is trained
         on: bert-base-chinese splits Chinese into characters, spaces are not tokens, and each
         paragraph is cut to MAX_LENGTH - 2 tokens ([CLS] and [SEP]).
Standard library only.
    python3 priors.py STSB_TRAIN AFQMC_TRAIN MLM_TRAIN BATCH MAX_LENGTH"""
import collections
import json
import math
import random
import sys

BATCHES = 4000


def entropy(counts):
    total = sum(counts.values())
    return -sum(c / total * math.log(c / total) for c in counts.values() if c)


def tsv_labels(path):
    with open(path, encoding="utf-8") as f:
        return [float(line.rstrip("\n").split("\t")[2]) for line in f if line.strip()]


def constant_cosent(labels, batch, rng):
    total = 0.0
    for _ in range(BATCHES):
        ys = rng.sample(labels, batch)
        ordered = sum(1 for a in ys for b in ys if a > b)
        total += math.log1p(ordered)
    return total / BATCHES


def main():
    stsb, afqmc, mlm = sys.argv[1:4]
    batch, max_length = int(sys.argv[4]), int(sys.argv[5])
    rng = random.Random(0)
    with open(mlm, encoding="utf-8") as f:
        chars = collections.Counter(c for line in f
                                    for c in [c for c in line if not c.isspace()][:max_length - 2])
    priors = [constant_cosent(tsv_labels(stsb), batch, rng),
              entropy(collections.Counter(tsv_labels(afqmc))),
              entropy(chars)]
    print(json.dumps([round(p, 4) for p in priors]))


if __name__ == "__main__":
    main()
