#!/usr/bin/python3
"""Peak memory of reading the largest legal NIR file (docs/reliability.md, "Limits"): writes a NIR
graph Input(16384) -> Affine -> Output(8192) whose weight is one float32 dataset at the element limit
(2^27 values, 512 MiB), then runs `lifchip import` on it twice: as shipped (libhdf5 in the reader
process: the figure is lifchip's own process) and with LIFCHIP_NIR_IN_PROCESS=1 (the reader's work
and the import in one process, which bounds the reader's share). Needs h5py and ~1 GiB in /tmp.

  tools/bench/nir_peak_memory.py [--lifchip BUILD/tools/lifchip] [--rows R] [--cols C]
"""
import argparse
import os
import sys
import tempfile

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peak_memory import ROOT, peak_of  # noqa: E402


def write_nir(path, rows, cols):
    def text(group, name, value):
        group.create_dataset(name, data=value, dtype=h5py.string_dtype())

    with h5py.File(path, "w") as f:
        text(f, "version", "1.0.6")
        root = f.create_group("node")
        text(root, "type", "NIRGraph")
        root.create_dataset("edges", data=np.array([["input", "lin"], ["lin", "output"]], dtype=object),
                            dtype=h5py.string_dtype())
        nodes = root.create_group("nodes")
        for name, kind, n in (("input", "Input", cols), ("output", "Output", rows)):
            g = nodes.create_group(name)
            text(g, "type", kind)
            g.create_dataset("shape", data=np.array([n], dtype=np.int64))
        g = nodes.create_group("lin")
        text(g, "type", "Affine")
        w = g.create_dataset("weight", shape=(rows, cols), dtype="f4")
        rng = np.random.default_rng(1)
        step = max(1, (1 << 24) // cols)
        for r in range(0, rows, step):  # written in slabs: this script stays small too
            w[r:r + step] = rng.standard_normal((min(step, rows - r), cols), dtype=np.float32)
        g.create_dataset("bias", data=np.zeros(rows, dtype=np.float32))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lifchip", default=os.path.join(ROOT, "build", "tools", "lifchip"))
    ap.add_argument("--rows", type=int, default=8192)
    ap.add_argument("--cols", type=int, default=16384)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "largest.nir")
        write_nir(path, a.rows, a.cols)
        print(f"`lifchip import` of a NIR file with one {a.rows} x {a.cols} float32 weight "
              f"({a.rows * a.cols:,} values; file {os.path.getsize(path) / 2**20:.0f} MiB)")
        print("| reading | exit | peak RSS (MiB) | wall (s) |")
        print("|---|---:|---:|---:|")
        failed = 0
        for label, env in (("reader process (as shipped): lifchip's own process", {}),
                           ("in-process (LIFCHIP_NIR_IN_PROCESS=1)", {"LIFCHIP_NIR_IN_PROCESS": "1"})):
            rc, kb, dt = peak_of([a.lifchip, "import", path], env)
            failed |= rc != 0
            print(f"| {label} | {rc} | {kb / 1024:.0f} | {dt:.1f} |", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
