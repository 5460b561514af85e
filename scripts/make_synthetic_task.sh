#!/usr/bin/env bash
# Writes sentzoo's own small synthetic paraphrase task (used by scripts/demo.sh when no real data
# is available): graded pairs 0..5 in 3-column TSV (text1, text2, score), train/dev/test.
# A sentence is "<subject> <verb> <object> <place>"; its paraphrase swaps words for synonyms and
# may reorder; the score counts how many of the four slots keep their meaning (+1 when all do).
#   scripts/make_synthetic_task.sh OUT_DIR [SEED]
set -euo pipefail
out=${1:?usage: make_synthetic_task.sh OUT_DIR [SEED]}
seed=${2:-7}
mkdir -p "$out"
gen() {  # gen COUNT SEED FILE
  awk -v n="$1" -v seed="$2" 'BEGIN {
    srand(seed);
    ns = split("the cat|a kitten;the dog|a puppy;my brother|my sibling;the teacher|the instructor;a farmer|a grower;the child|the kid;an old man|an elderly man;the doctor|the physician", S, ";");
    nv = split("eats|consumes;buys|purchases;watches|observes;carries|holds;cleans|washes;paints|colours;finds|discovers;sells|trades", V, ";");
    no = split("an apple|a fruit;the car|the automobile;a book|a novel;the box|the crate;a picture|an image;the bread|the loaf;a phone|a mobile;the chair|the seat", O, ";");
    np = split("at home|in the house;in the park|at the park;by the river|near the river;in the city|downtown;at school|in class;in the garden|in the yard;on the road|on the street;in the shop|at the store", P, ";");
    for (i = 0; i < n; i++) {
      s = int(rand() * ns) + 1; v = int(rand() * nv) + 1; o = int(rand() * no) + 1; p = int(rand() * np) + 1;
      same = 0; t1 = pick(S[s], 0) " " pick(V[v], 0) " " pick(O[o], 0) " " pick(P[p], 0);
      s2 = keep() ? s : other(s, ns); v2 = keep() ? v : other(v, nv); o2 = keep() ? o : other(o, no); p2 = keep() ? p : other(p, np);
      same = (s2 == s) + (v2 == v) + (o2 == o) + (p2 == p);
      t2 = pick(S[s2], 1) " " pick(V[v2], 1) " " pick(O[o2], 1) " " pick(P[p2], 1);
      if (rand() < 0.3) t2 = pick(P[p2], 1) " " t2;
      printf "%s\t%s\t%d\n", t1, t2, same + (same == 4 ? 1 : 0);
    }
  }
  function keep() { return rand() < 0.6 }
  function other(k, m,   j) { do { j = int(rand() * m) + 1 } while (j == k); return j }
  function pick(pair, paraphrase,   a) { split(pair, a, "|"); return paraphrase && rand() < 0.7 ? a[2] : a[1] }' > "$3"
}
gen 3000 "$seed" "$out/train.tsv"
gen 500 "$((seed + 1))" "$out/dev.tsv"
gen 500 "$((seed + 2))" "$out/test.tsv"
echo "synthetic paraphrase task: $out/{train,dev,test}.tsv (3000/500/500 pairs, scores 0..5)"
