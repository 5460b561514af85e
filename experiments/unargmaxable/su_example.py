"""Writes Su's 2-D example (blog 9046) as a safetensors file: weight (5, 2) float64 with rows
(1,2), (2,1), (1,0), (0,1), (1,1), and lifted_bias (5) = (0, 0, 0, 0, 1). Standard library only."""
import json
import struct
import sys

rows = [(1, 2), (2, 1), (1, 0), (0, 1), (1, 1)]
weight = struct.pack("<10d", *[v for row in rows for v in row])
bias = struct.pack("<5d", 0, 0, 0, 0, 1)
header = json.dumps({
    "weight": {"dtype": "F64", "shape": [5, 2], "data_offsets": [0, len(weight)]},
    "lifted_bias": {"dtype": "F64", "shape": [5],
                    "data_offsets": [len(weight), len(weight) + len(bias)]},
}).encode()
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<Q", len(header)) + header + weight + bias)
