#!/usr/bin/python3
# Writes the NIR files of the limit tests (tests/test_limits.cpp, docs/reliability.md "Limits"):
# each is a small valid-looking NIR graph that declares one size beyond a documented limit.
#   /usr/bin/python3 tests/corpus/limits/make_limits.py
import os

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def text(group, name, value):
    group.create_dataset(name, data=value, dtype=h5py.string_dtype())


def graph(group, nodes, edges):
    text(group, "type", "NIRGraph")
    group.create_dataset("edges", data=np.array(edges, dtype=object), dtype=h5py.string_dtype())
    return group.create_group("nodes")


def io(nodes, name, kind, n):
    g = nodes.create_group(name)
    text(g, "type", kind)
    g.create_dataset("shape", data=np.array([n], dtype=np.int64))


def affine(nodes, name, weight):
    g = nodes.create_group(name)
    text(g, "type", "Affine")
    if isinstance(weight, tuple):  # declared, never written: no storage (h5py allocates chunks lazily)
        g.create_dataset("weight", shape=weight, dtype="f4", chunks=(1, 1024))
        g.create_dataset("bias", data=np.zeros(2, dtype=np.float32))
    else:
        g.create_dataset("weight", data=weight)
        g.create_dataset("bias", data=np.zeros(weight.shape[0], dtype=np.float32))


def write(name, build):
    with h5py.File(os.path.join(HERE, name), "w") as f:
        text(f, "version", "1.0.6")
        build(f.create_group("node"))


def too_many_values(root):
    nodes = graph(root, None, [["input", "lin"], ["lin", "output"]])
    io(nodes, "input", "Input", 2)
    affine(nodes, "lin", (2, 1 << 27))  # 2^28 values: beyond the 2^27 of one dataset
    io(nodes, "output", "Output", 2)


def unstored(root):
    nodes = graph(root, None, [["input", "lin"], ["lin", "output"]])
    io(nodes, "input", "Input", 4096)
    affine(nodes, "lin", (2, 4096))  # legal size, but the file stores none of it
    io(nodes, "output", "Output", 2)


def too_many_chunks(root):
    nodes = graph(root, None, [["input", "lin"], ["lin", "output"]])
    io(nodes, "input", "Input", 70000)
    g = nodes.create_group("lin")
    text(g, "type", "Affine")
    g.create_dataset("weight", shape=(1, 70000), dtype="f4", chunks=(1, 1))  # 70000 chunks, none stored
    g.create_dataset("bias", data=np.zeros(1, dtype=np.float32))
    io(nodes, "output", "Output", 1)


def expanding_product(root):
    # Affine 16384 -> 1, then Affine 1 -> 16384 with no neuron between: folded into one projection
    # of 16384 x 16384 = 2^28 synapses from 32768 weights, beyond the 2^27 terms of one import.
    nodes = graph(root, None, [["input", "a"], ["a", "b"], ["b", "output"]])
    io(nodes, "input", "Input", 16384)
    affine(nodes, "a", np.ones((1, 16384), dtype=np.float32))
    affine(nodes, "b", np.ones((16384, 1), dtype=np.float32))
    io(nodes, "output", "Output", 16384)


def too_many_neurons(root):
    # Input(2^24) straight to Output(2^24): 2^25 neurons, beyond the 2^24 of one network.
    nodes = graph(root, None, [["input", "output"]])
    io(nodes, "input", "Input", 1 << 24)
    io(nodes, "output", "Output", 1 << 24)


def nested(depth):
    def build(root):
        g = root
        for level in range(depth):
            nodes = graph(g, None, [])
            g = nodes.create_group(f"g{level}")
        text(g, "type", "Input")
        g.create_dataset("shape", data=np.array([1], dtype=np.int64))
    return build


write("nir_dataset_too_many_values.nir", too_many_values)
write("nir_dataset_unstored.nir", unstored)
write("nir_nested_too_deep.nir", nested(34))
write("nir_dataset_too_many_chunks.nir", too_many_chunks)
write("nir_import_too_many_terms.nir", expanding_product)
write("nir_network_too_many_neurons.nir", too_many_neurons)
print("written to", HERE)
