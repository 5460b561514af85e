#!/usr/bin/env python3
"""Prints the scalars of TensorBoard event files (a file or a log directory) as TensorBoard
itself reads them, to check files written by sentzoo's io/tensorboard.cpp by hand:
    .venv-ref/bin/python tools/reference/read_tfevents.py runs/exp1
"""
import sys

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator


def main(path):
    acc = EventAccumulator(path)
    acc.Reload()
    for tag in acc.Tags()["scalars"]:
        for e in acc.Scalars(tag):
            print(f"{tag}\t{e.step}\t{e.wall_time:.6f}\t{e.value!r}")


if __name__ == "__main__":
    main(sys.argv[1])
