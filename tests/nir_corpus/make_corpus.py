#!/usr/bin/python3
"""Writes the NIR acceptance corpus of issue 13, deterministically (seeded numpy).

Run with Debian's python (numpy + h5py):  /usr/bin/python3 tests/nir_corpus/make_corpus.py
Outputs, committed so that the test (tests/test_nir_corpus.cpp) needs no Python:
  <name>.nir        a network in the file layout and parameter convention of one producer's NIR
                    export (README.md names the export code each follows)
  <name>_x.npy      sample inputs: a spike raster [samples, steps, inputs] of 0/1 (uint8)
  <name>_y.npy      labels (int64), where the samples have classes

The weights are not trained: they are chosen so that the network is active on its samples and
its read-out tells the classes apart (class c = input group c fires more), in the discrete-time
semantics lifchip's float reference uses (docs/mapper.md §2) at the time step lifchip infers.
The HDF5 writer is the one of the importer's tests (mapper/tests/data/make_nir_files.py).
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "mapper", "tests", "data"))
from make_nir_files import graph, write_nir  # noqa: E402  (NIR's HDF5 layout, shared)

F32 = np.float32


def grouped_raster(rng, samples, steps, groups, p_on, p_off):
    """[samples, steps, inputs] 0/1; sample s has class s mod len(groups) (shuffled): the inputs of
    its group fire with probability p_on per step, every other input with p_off."""
    n_in = sum(len(g) for g in groups)
    labels = np.arange(samples) % len(groups)
    rng.shuffle(labels)
    x = np.zeros((samples, steps, n_in), dtype=np.uint8)
    for s, c in enumerate(labels):
        p = np.full(n_in, p_off)
        p[groups[c]] = p_on
        x[s] = (rng.random_sample((steps, n_in)) < p).astype(np.uint8)
    return x, labels.astype(np.int64)


def contiguous_groups(n_classes, per_class):
    return [np.arange(c * per_class, (c + 1) * per_class) for c in range(n_classes)]


def group_weights(rng, n_out, n_in, out_group, in_group, w_own, w_other, jitter):
    """W[out, in]: w_own where the output's group is the input's, else w_other, each with a
    relative jitter."""
    w = np.where(out_group[:, None] == in_group[None, :], w_own, w_other).astype(np.float64)
    return (w * (1 + jitter * rng.uniform(-1, 1, size=(n_out, n_in)))).astype(F32)


def quadrant_groups(side):
    """The flat indices of a [2, side, side] event field, one group per quadrant (the CNNs' class)."""
    half = side // 2
    pix_quad = np.zeros((2, side, side), dtype=int)
    for yy in range(side):
        for xx in range(side):
            pix_quad[:, yy, xx] = (yy // half) * 2 + xx // half
    pix_quad = pix_quad.reshape(-1)
    return [np.nonzero(pix_quad == q)[0] for q in range(4)]


def labels_of(n, n_groups):
    return np.arange(n) % n_groups


def save(name, g, version, x, y, **write_opts):
    write_nir(os.path.join(HERE, name + ".nir"), g, version=version, **write_opts)
    np.save(os.path.join(HERE, name + "_x.npy"), x)
    if y is not None:
        np.save(os.path.join(HERE, name + "_y.npy"), y)


# ---------------------------------------------------------------------------------------------
# snnTorch (snntorch/export_nir.py): nn.Linear -> Affine(weight, bias); Leaky -> LIF(tau =
# dt/(1-beta), r = tau/dt, v_leak = 0, v_threshold, v_reset = 0); Synaptic/RSynaptic ->
# CubaLIF(tau_syn = dt/(1-alpha), tau_mem = dt/(1-beta), r = tau_mem/dt, w_in = tau_syn/dt); dt =
# 1e-4 fixed in the exporter. Nodes are named after the nn.Sequential indices.

SNN_DT = 1e-4


def snn_lif(beta, threshold, n):
    tau = SNN_DT / (1 - np.full(n, beta))
    return {"type": "LIF", "tau": tau.astype(F32), "r": (tau / SNN_DT).astype(F32), "v_leak": np.zeros(n, F32),
            "v_threshold": np.full(n, threshold, F32), "v_reset": np.zeros(n, F32)}


def snn_cubalif(alpha, beta, threshold, n):
    tau_syn = SNN_DT / (1 - np.full(n, alpha))
    tau_mem = SNN_DT / (1 - np.full(n, beta))
    return {"type": "CubaLIF", "tau_syn": tau_syn.astype(F32), "tau_mem": tau_mem.astype(F32),
            "r": (tau_mem / SNN_DT).astype(F32), "v_leak": np.zeros(n, F32), "v_threshold": np.full(n, threshold, F32),
            "v_reset": np.zeros(n, F32), "w_in": (tau_syn / SNN_DT).astype(F32)}


def snntorch_leaky():
    """nn.Sequential(Linear(40, 32), Leaky(0.9), Linear(32, 4), Leaky(0.8)): 4 classes."""
    rng = np.random.RandomState(1301)
    groups = contiguous_groups(4, 10)
    in_group, hid_group = np.repeat(np.arange(4), 10), labels_of(32, 4)
    w1 = group_weights(rng, 32, 40, hid_group, in_group, 0.35, 0.0, 0.5)
    w1 += (0.03 * rng.randn(32, 40)).astype(F32)
    w2 = group_weights(rng, 4, 32, np.arange(4), hid_group, 0.45, -0.15, 0.3)
    g = graph({
        "input": {"type": "Input", "shape": np.array([40])},
        "0": {"type": "Affine", "weight": w1, "bias": (0.01 * rng.randn(32)).astype(F32)},
        "1": snn_lif(0.9, 1.0, 32),
        "2": {"type": "Affine", "weight": w2, "bias": np.zeros(4, F32)},
        "3": snn_lif(0.8, 1.0, 4),
        "output": {"type": "Output", "shape": np.array([4])},
    }, [("input", "0"), ("0", "1"), ("1", "2"), ("2", "3"), ("3", "output")])
    x, y = grouped_raster(rng, 32, 40, groups, 0.3, 0.03)
    save("snntorch_leaky", g, "1.0.6", x, y)


def snntorch_braille():
    """The NIR paper's Braille network's layout: fc1 -> RSynaptic (flattened to the dotted nodes
    'lif1.lif' and 'lif1.w_rec', an edge from w_rec back into lif) -> fc2 -> Synaptic: 12 inputs
    (6 sensor channels x ON/OFF), 36 recurrent CubaLIF, 6 classes."""
    rng = np.random.RandomState(1302)
    groups = contiguous_groups(6, 2)
    in_group = np.repeat(np.arange(6), 2)
    hid_group = labels_of(36, 6)
    w1 = group_weights(rng, 36, 12, hid_group, in_group, 0.12, 0.0, 0.4)
    w_rec = group_weights(rng, 36, 36, hid_group, hid_group, 0.02, -0.01, 0.5)
    np.fill_diagonal(w_rec, 0)
    w2 = group_weights(rng, 6, 36, np.arange(6), hid_group, 0.12, -0.04, 0.3)
    g = graph({
        "input": {"type": "Input", "shape": np.array([12])},
        "fc1": {"type": "Affine", "weight": w1, "bias": np.zeros(36, F32)},
        "lif1.lif": snn_cubalif(0.8, 0.9, 1.0, 36),
        "lif1.w_rec": {"type": "Affine", "weight": w_rec, "bias": np.zeros(36, F32)},
        "fc2": {"type": "Affine", "weight": w2, "bias": np.zeros(6, F32)},
        "lif2": snn_cubalif(0.7, 0.85, 1.0, 6),
        "output": {"type": "Output", "shape": np.array([6])},
    }, [("input", "fc1"), ("fc1", "lif1.lif"), ("lif1.lif", "lif1.w_rec"), ("lif1.w_rec", "lif1.lif"),
        ("lif1.lif", "fc2"), ("fc2", "lif2"), ("lif2", "output")])
    x, y = grouped_raster(rng, 36, 60, groups, 0.4, 0.03)
    save("snntorch_braille", g, "1.0.6", x, y)


def skip_merge():
    """snnTorch convention with a skip connection and a merge: a nested block (Input -> fc -> lif
    -> Output, as an RLeaky-style subgraph), the input also drives lif2 through 'skip' (two edges
    into lif2), and lif2 reaches lif3 through two parallel Linear nodes (a diamond)."""
    rng = np.random.RandomState(1303)
    groups = contiguous_groups(4, 6)
    in_group = np.repeat(np.arange(4), 6)
    h1, h2 = labels_of(16, 4), labels_of(12, 4)
    block = graph({
        "input": {"type": "Input", "shape": np.array([24])},
        "fc": {"type": "Affine", "weight": group_weights(rng, 16, 24, h1, in_group, 0.5, 0.0, 0.4),
               "bias": np.zeros(16, F32)},
        "lif": snn_lif(0.9, 1.0, 16),
        "output": {"type": "Output", "shape": np.array([16])},
    }, [("input", "fc"), ("fc", "lif"), ("lif", "output")])
    g = graph({
        "input": {"type": "Input", "shape": np.array([24])},
        "block1": block,
        "fc2": {"type": "Affine", "weight": group_weights(rng, 12, 16, h2, h1, 0.3, -0.05, 0.4),
                "bias": np.zeros(12, F32)},
        "skip": {"type": "Linear", "weight": group_weights(rng, 12, 24, h2, in_group, 0.15, 0.0, 0.4)},
        "lif2": snn_lif(0.85, 1.0, 12),
        "fc3a": {"type": "Linear", "weight": group_weights(rng, 4, 12, np.arange(4), h2, 0.3, -0.1, 0.3)},
        "fc3b": {"type": "Linear", "weight": group_weights(rng, 4, 12, np.arange(4), h2, 0.2, -0.05, 0.3)},
        "lif3": snn_lif(0.8, 1.0, 4),
        "output": {"type": "Output", "shape": np.array([4])},
    }, [("input", "block1"), ("block1", "fc2"), ("input", "skip"), ("fc2", "lif2"), ("skip", "lif2"),
        ("lif2", "fc3a"), ("lif2", "fc3b"), ("fc3a", "lif3"), ("fc3b", "lif3"), ("lif3", "output")])
    x, y = grouped_raster(rng, 32, 40, groups, 0.3, 0.03)
    save("skip_merge", g, "1.0.6", x, y)


# ---------------------------------------------------------------------------------------------
# Norse (norse/torch/utils/export_nir.py): nn.Linear -> Affine (zero bias when none); LIFCell ->
# CubaLIF(tau_mem = s/tau_mem_inv, tau_syn = s/tau_syn_inv, r = 1, v_leak, v_threshold, w_in = 1)
# with s the time_scaling_factor (1); LIBoxCell -> LI(tau = 1/tau_mem_inv, r = 1, v_leak). Norse's
# defaults: tau_syn_inv = 200/s, tau_mem_inv = 100/s, v_th = 1, dt = 1 ms.


def norse_cubalif(n, tau_syn=0.005, tau_mem=0.01):
    return {"type": "CubaLIF", "tau_syn": np.full(n, tau_syn, F32), "tau_mem": np.full(n, tau_mem, F32),
            "r": np.ones(n, F32), "v_leak": np.zeros(n, F32), "v_threshold": np.ones(n, F32),
            "v_reset": np.zeros(n, F32), "w_in": np.ones(n, F32)}


def norse_net(readout_li):
    rng = np.random.RandomState(1304 if not readout_li else 1305)
    groups = contiguous_groups(4, 5)
    in_group = np.repeat(np.arange(4), 5)
    hid = labels_of(24, 4)
    w1 = group_weights(rng, 24, 20, hid, in_group, 1.2, 0.0, 0.4)
    w2 = group_weights(rng, 4, 24, np.arange(4), hid, 1.5, -0.5, 0.3)
    last = ({"type": "LI", "tau": np.full(4, 0.01, F32), "r": np.ones(4, F32), "v_leak": np.zeros(4, F32)}
            if readout_li else norse_cubalif(4))
    g = graph({
        "input": {"type": "Input", "shape": np.array([20])},
        "0": {"type": "Affine", "weight": w1, "bias": np.zeros(24, F32)},
        "1": norse_cubalif(24),
        "2": {"type": "Affine", "weight": w2, "bias": np.zeros(4, F32)},
        "3": last,
        "output": {"type": "Output", "shape": np.array([4])},
    }, [("input", "0"), ("0", "1"), ("1", "2"), ("2", "3"), ("3", "output")])
    x, y = grouped_raster(rng, 32, 50, groups, 0.4, 0.03)
    save("norse_li_readout" if readout_li else "norse_lif", g, "1.0.6", x, y)


# ---------------------------------------------------------------------------------------------
# Sinabs (sinabs/nir.py): nn.Conv2d -> Conv2d(weight, bias, stride, padding, dilation, groups,
# input_shape); IAF -> IF(r = 1, v_threshold per neuron, v_reset); SumPool2d -> SumPool2d;
# nn.Flatten -> Flatten; nn.Linear -> Affine. Sinabs counts time in steps (IAF: v <- v + x).


def sinabs_cnn(per_neuron):
    """A small version of the NIR paper's Sinabs CNN (scnn_mnist.nir): [2, 16, 16] events ->
    Conv2d(2->4, 3x3, stride 2, padding 1) -> IF -> SumPool2d(2) -> Conv2d(4->8, 3x3, padding 1) ->
    IF -> Flatten -> Affine(128->4) -> IF; class = which quadrant of the field the events are in."""
    rng = np.random.RandomState(1306)  # the same weights and samples in both variants
    k1 = rng.uniform(0.02, 0.3, size=(4, 2, 3, 3)).astype(F32)
    b1 = np.full(4, -0.05, F32)
    k2 = rng.uniform(0.0, 0.12, size=(8, 4, 3, 3)).astype(F32)
    quad = np.zeros((8, 4, 4), dtype=int)  # the quadrant of each feature of the [8, 4, 4] map
    for yy in range(4):
        for xx in range(4):
            quad[:, yy, xx] = (yy // 2) * 2 + xx // 2
    quad = quad.reshape(-1)
    w3 = group_weights(rng, 4, 128, np.arange(4), quad, 0.08, -0.06, 0.3)
    # Sinabs writes IAF's spike_threshold as one value per neuron: the same value in every neuron
    # of a layer (what its export produces), or, in the variant, thresholds that differ per neuron
    # (each distinct threshold is a neuron profile on the chip).
    if per_neuron:
        th1 = rng.uniform(0.8, 1.2, size=(4, 8, 8)).astype(F32)
        th2 = rng.uniform(0.8, 1.2, size=(8, 4, 4)).astype(F32)
    else:
        th1, th2 = np.full((4, 8, 8), 1.0, F32), np.full((8, 4, 4), 1.25, F32)

    def iaf(th):
        return {"type": "IF", "r": np.ones(th.shape, F32), "v_threshold": th, "v_reset": np.zeros(th.shape, F32)}

    g = graph({
        "input": {"type": "Input", "shape": np.array([2, 16, 16])},
        "0": {"type": "Conv2d", "input_shape": np.array([16, 16]), "weight": k1, "bias": b1,
              "stride": np.array([2, 2]), "padding": np.array([1, 1]), "dilation": np.array([1, 1]),
              "groups": np.int64(1)},
        "1": iaf(th1),
        "2": {"type": "SumPool2d", "kernel_size": np.array([2, 2]), "stride": np.array([2, 2]),
              "padding": np.array([0, 0])},
        "3": {"type": "Conv2d", "input_shape": np.array([4, 4]), "weight": k2, "bias": np.zeros(8, F32),
              "stride": np.array([1, 1]), "padding": np.array([1, 1]), "dilation": np.array([1, 1]),
              "groups": np.int64(1)},
        "4": iaf(th2),
        "5": {"type": "Flatten", "start_dim": np.int64(1), "end_dim": np.int64(-1),
              "input_type": np.array([8, 4, 4])},
        "6": {"type": "Affine", "weight": w3, "bias": np.zeros(4, F32)},
        "7": iaf(np.ones(4, F32)),
        "output": {"type": "Output", "shape": np.array([4])},
    }, [("input", "0"), ("0", "1"), ("1", "2"), ("2", "3"), ("3", "4"), ("4", "5"), ("5", "6"), ("6", "7"),
        ("7", "output")])
    groups = quadrant_groups(16)
    x, y = grouped_raster(rng, 32, 30, groups, 0.25, 0.01)
    save("sinabs_cnn_thresholds" if per_neuron else "sinabs_cnn", g, "1.0.6", x, y)


def sinabs_scnn_full():
    """The NIR paper's Sinabs CNN at full size (paper/02_cnn, scnn_mnist.nir): [2, 34, 34] events ->
    Conv2d(2->16, 5x5, stride 2, padding 1) -> IF -> Conv2d(16->16, 3x3, padding 1) -> IF ->
    SumPool2d(2) -> Conv2d(16->8, 3x3, padding 1) -> IF -> SumPool2d(2) -> Flatten ->
    Affine(128->256) -> IF -> Affine(256->4) -> IF: 8,964 neurons, about 1.1 M synapses once the
    convolutions are unrolled (the paper's read-out has 10 classes; here 4, the quadrants). Sinabs
    writes one threshold per neuron, the layer's value in each."""
    rng = np.random.RandomState(3434)
    k1 = rng.uniform(0.0, 0.12, size=(16, 2, 5, 5)).astype(F32)
    k2 = rng.uniform(0.0, 0.016, size=(16, 16, 3, 3)).astype(F32)
    k3 = rng.uniform(0.0, 0.005, size=(8, 16, 3, 3)).astype(F32)
    quad = np.zeros((8, 4, 4), dtype=int)
    for yy in range(4):
        for xx in range(4):
            quad[:, yy, xx] = (yy // 2) * 2 + xx // 2
    quad = quad.reshape(-1)
    hidden_group = np.arange(256) // 64
    w4 = group_weights(rng, 256, 128, hidden_group, quad, 0.009, -0.004, 0.3)
    w5 = group_weights(rng, 4, 256, np.arange(4), hidden_group, 0.02, -0.01, 0.3)

    def iaf(shape, th):
        return {"type": "IF", "r": np.ones(shape, F32), "v_threshold": np.full(shape, th, F32),
                "v_reset": np.zeros(shape, F32)}

    def conv(in_hw, k, stride, bias):
        return {"type": "Conv2d", "input_shape": np.array(in_hw), "weight": k,
                "bias": np.full(k.shape[0], bias, F32), "stride": np.array([stride, stride]),
                "padding": np.array([1, 1]), "dilation": np.array([1, 1]), "groups": np.int64(1)}

    def pool():
        return {"type": "SumPool2d", "kernel_size": np.array([2, 2]), "stride": np.array([2, 2]),
                "padding": np.array([0, 0])}

    g = graph({
        "input": {"type": "Input", "shape": np.array([2, 34, 34])},
        "0": conv([34, 34], k1, 2, -0.05),
        "1": iaf((16, 16, 16), 1.0),
        "2": conv([16, 16], k2, 1, -0.05),
        "3": iaf((16, 16, 16), 1.0),
        "4": pool(),
        "5": conv([8, 8], k3, 1, -0.05),
        "6": iaf((8, 8, 8), 1.0),
        "7": pool(),
        "8": {"type": "Flatten", "start_dim": np.int64(1), "end_dim": np.int64(-1),
              "input_type": np.array([8, 4, 4])},
        "9": {"type": "Affine", "weight": w4, "bias": np.zeros(256, F32)},
        "10": iaf((256,), 1.0),
        "11": {"type": "Affine", "weight": w5, "bias": np.zeros(4, F32)},
        "12": iaf((4,), 1.0),
        "output": {"type": "Output", "shape": np.array([4])},
    }, [("input", "0"), ("0", "1"), ("1", "2"), ("2", "3"), ("3", "4"), ("4", "5"), ("5", "6"),
        ("6", "7"), ("7", "8"), ("8", "9"), ("9", "10"), ("10", "11"), ("11", "12"), ("12", "output")])
    groups = quadrant_groups(34)
    x, y = grouped_raster(rng, 8, 25, groups, 0.25, 0.01)
    save("sinabs_scnn_full", g, "1.0.6", x, y)


# ---------------------------------------------------------------------------------------------
# Rockpool (rockpool/nn/modules/torch/nir.py, _extract_rockpool_module): LinearTorch ->
# Linear(weight.T) (Affine with a bias); LIFTorch -> CubaLIF(tau_syn, tau_mem, r = tau_mem *
# exp(-dt/tau_mem) / dt, v_leak = 0, v_threshold), no w_in (1), arrays broadcast to the layer size.
# Sequential names its modules '<index>_<ClassName>'. LIFTorch's defaults: tau 20 ms, dt 1 ms.


def rockpool_lif():
    rng = np.random.RandomState(1307)
    dt, tau_mem, tau_syn = 1e-3, 0.02, 0.02
    groups = contiguous_groups(4, 4)
    in_group = np.repeat(np.arange(4), 4)
    hid = labels_of(20, 4)

    def lif(n):
        return {"type": "CubaLIF", "tau_syn": np.full(n, tau_syn, F32), "tau_mem": np.full(n, tau_mem, F32),
                "r": np.full(n, tau_mem * np.exp(-dt / tau_mem) / dt, F32), "v_leak": np.zeros(n, F32),
                "v_threshold": np.ones(n, F32)}

    g = graph({
        "input": {"type": "Input", "shape": np.array([16])},
        "0_LinearTorch": {"type": "Linear", "weight": group_weights(rng, 20, 16, hid, in_group, 0.25, 0.0, 0.4)},
        "1_LIFTorch": lif(20),
        "2_LinearTorch": {"type": "Linear", "weight": group_weights(rng, 4, 20, np.arange(4), hid, 0.3, -0.1, 0.3)},
        "3_LIFTorch": lif(4),
        "output": {"type": "Output", "shape": np.array([4])},
    }, [("input", "0_LinearTorch"), ("0_LinearTorch", "1_LIFTorch"), ("1_LIFTorch", "2_LinearTorch"),
        ("2_LinearTorch", "3_LIFTorch"), ("3_LIFTorch", "output")])
    x, y = grouped_raster(rng, 32, 60, groups, 0.4, 0.03)
    save("rockpool_lif", g, "1.0.6", x, y)


# ---------------------------------------------------------------------------------------------
# Lava-DL (lava-dl src/lava/lib/dl/netx/nir.py, read_node / read_cuba_lif): a netx HDF5 network
# (dense CUBA blocks) becomes nodes named '0', '1', ... : Input(shape), then per block Affine or
# Linear(weight) and CubaLIF(tau_syn = 1/iDecay, tau_mem = 1/vDecay, r = 1, v_leak = 0,
# v_threshold = vThMant, w_in = tau_syn), scalars; the last edge (to the next layer) is dropped, so
# there is no Output node. netx stores iDecay/vDecay in 1/4096 units and weights and vThMant as
# the chip's integers (slayer's block.export_hdf5, device_params).


def lava_dl_netx(with_output):
    rng = np.random.RandomState(1308)
    groups = contiguous_groups(4, 4)
    in_group = np.repeat(np.arange(4), 4)
    hid = labels_of(20, 4)
    i_decay, v_decay, vth = 1024, 128, 80  # current_decay 0.25, voltage_decay 0.03125, threshold 1.25 * 64

    def cuba():
        return {"type": "CubaLIF", "tau_syn": np.float64(1.0 / i_decay), "tau_mem": np.float64(1.0 / v_decay),
                "r": np.float64(1.0), "v_leak": np.float64(0.0), "v_threshold": np.float64(vth),
                "w_in": np.float64(1.0 / i_decay)}

    w1 = (2 * np.round(group_weights(rng, 20, 16, hid, in_group, 60, 0, 0.4) / 2)).astype(F32)
    w2 = (2 * np.round(group_weights(rng, 4, 20, np.arange(4), hid, 60, -20, 0.3) / 2)).astype(F32)
    nodes = {
        "0": {"type": "Input", "shape": np.array([16])},
        "1": {"type": "Linear", "weight": w1},
        "2": cuba(),
        "3": {"type": "Linear", "weight": w2},
        "4": cuba(),
    }
    edges = [("0", "1"), ("1", "2"), ("2", "3"), ("3", "4")]
    if with_output:  # the variant: the same file with the Output node a user would add
        nodes["5"] = {"type": "Output", "shape": np.array([4])}
        edges.append(("4", "5"))
    x, y = grouped_raster(rng, 32, 40, groups, 0.4, 0.03)
    save("lava_dl_netx_output" if with_output else "lava_dl_netx", graph(nodes, edges), "0.2.0", x, y)


# ---------------------------------------------------------------------------------------------
# A file as the NIR library itself writes it (nir.write, NIR 1.0.x): root version, metadata groups,
# gzip-compressed arrays, an input with a 2-D shape flattened by a Flatten node, LIF in seconds
# with r = 1 (NIR's own examples), v_reset given.


def nir_plain():
    rng = np.random.RandomState(1309)
    groups = contiguous_groups(3, 8)  # the [3, 8] input: class = which row fires
    in_group = np.repeat(np.arange(3), 8)
    hid = labels_of(18, 3)

    def lif(n, tau):
        return {"type": "LIF", "tau": np.full(n, tau), "r": np.ones(n), "v_leak": np.zeros(n),
                "v_threshold": np.ones(n), "v_reset": np.zeros(n)}

    g = graph({
        "input": {"type": "Input", "shape": np.array([3, 8])},
        "flatten": {"type": "Flatten", "start_dim": np.int64(0), "end_dim": np.int64(-1),
                    "input_type": np.array([3, 8])},
        "affine": {"type": "Affine", "weight": group_weights(rng, 18, 24, hid, in_group, 1.0, 0.0, 0.4).astype(np.float64),
                   "bias": np.zeros(18)},
        "lif": lif(18, 0.01),
        "linear": {"type": "Linear", "weight": group_weights(rng, 3, 18, np.arange(3), hid, 1.2, -0.4, 0.3).astype(np.float64)},
        "lif_1": lif(3, 0.02),
        "output": {"type": "Output", "shape": np.array([3])},
    }, [("input", "flatten"), ("flatten", "affine"), ("affine", "lif"), ("lif", "linear"), ("linear", "lif_1"),
        ("lif_1", "output")])
    g["metadata"] = {"source": np.bytes_(b"nir.write")}
    x, y = grouped_raster(rng, 30, 50, groups, 0.35, 0.03)
    save("nir_plain", g, "1.0.6", x.reshape(30, 50, 24), y, compression="gzip")


# A CubaLI read-out (NIR 1.0's CubaLI: CubaLIF's current and voltage without a threshold), as the
# NIR library writes it (r = 1, w_in = 1, times in seconds): a Norse-style CubaLIF hidden layer.
def cubali_readout():
    rng = np.random.RandomState(1306)
    groups = contiguous_groups(4, 5)
    in_group = np.repeat(np.arange(4), 5)
    hid = labels_of(24, 4)
    w1 = group_weights(rng, 24, 20, hid, in_group, 1.2, 0.0, 0.4)
    w2 = group_weights(rng, 4, 24, np.arange(4), hid, 1.5, -0.5, 0.3)
    g = graph({
        "input": {"type": "Input", "shape": np.array([20])},
        "fc1": {"type": "Affine", "weight": w1, "bias": np.zeros(24, F32)},
        "lif1": norse_cubalif(24),
        "fc2": {"type": "Affine", "weight": w2, "bias": np.zeros(4, F32)},
        "readout": {"type": "CubaLI", "tau_syn": np.full(4, 0.005, F32), "tau_mem": np.full(4, 0.02, F32),
                    "r": np.ones(4, F32), "v_leak": np.zeros(4, F32), "w_in": np.ones(4, F32)},
        "output": {"type": "Output", "shape": np.array([4])},
    }, [("input", "fc1"), ("fc1", "lif1"), ("lif1", "fc2"), ("fc2", "readout"), ("readout", "output")])
    x, y = grouped_raster(rng, 32, 50, groups, 0.4, 0.03)
    save("nir_cubali_readout", g, "1.0.6", x, y)


def main():
    snntorch_leaky()
    snntorch_braille()
    skip_merge()
    norse_net(False)
    norse_net(True)
    sinabs_cnn(False)
    sinabs_cnn(True)
    sinabs_scnn_full()
    rockpool_lif()
    lava_dl_netx(False)
    lava_dl_netx(True)
    nir_plain()
    cubali_readout()


if __name__ == "__main__":
    main()
