#!/usr/bin/python3
"""Writes the NIR test files of the mapper's importer tests, deterministically.

Run with Debian's python (numpy + h5py):  /usr/bin/python3 mapper/tests/data/make_nir_files.py
Outputs (committed, so the tests need no Python):
  nir/<case>.nir           valid NIR files (HDF5) in the layout docs/nir.md describes
  nir/<case>.expect.json   what the importer must produce, computed here with numpy
  nir/broken/*.nir         malformed or unsupported files
  nir/broken/manifest.json the substrings each one's error message must contain

The expectations are written independently of the C++ importer: convolutions and pools become
dense matrices by convolving unit vectors over np.pad-ed arrays, chains are matrix products. Weights
of chains that sum several terms are small dyadic rationals, so every sum is exact and the test can
compare bit for bit.
"""
import json
import os
import shutil

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "nir")
BROKEN = os.path.join(OUT, "broken")

# ---------------------------------------------------------------------------------------------
# Writing the NIR layout: root `version` string, root group `node` (a NIRGraph): `type`, `edges`
# (N x 2 strings), group `nodes` with one group per node (`type` + parameter datasets).


def write_nir(path, graph, version="1.0.6", strings="vlen", compression=None, libver=None):
    kwargs = {"libver": libver} if libver else {}
    with h5py.File(path, "w", track_order=False, **kwargs) as f:
        if version is not None:
            put_string(f, "version", version, strings)
        write_node(f.create_group("node"), graph, strings, compression)


def put_string(group, name, text, strings):
    if strings == "fixed":
        group.create_dataset(name, data=np.bytes_(text.encode()))
    else:
        group.create_dataset(name, data=text, dtype=h5py.string_dtype())


def write_node(group, node, strings="vlen", compression=None):
    for key, value in node.items():
        if key == "nodes":
            sub = group.create_group("nodes")
            for name, child in value.items():
                write_node(sub.create_group(name), child, strings, compression)
        elif key == "edges":
            if len(value) == 0:
                group.create_dataset("edges", data=np.zeros((0,), dtype=np.float64))
            elif strings == "fixed":
                group.create_dataset("edges", data=np.array(value, dtype="S32"))
            else:
                group.create_dataset("edges", data=np.array(value, dtype=object), dtype=h5py.string_dtype())
        elif key == "metadata":
            meta = group.create_group("metadata")
            for k, v in value.items():
                meta.create_dataset(k, data=v)
        elif isinstance(value, str):
            put_string(group, key, value, strings)
        else:
            arr = np.asarray(value)
            if compression and arr.ndim > 0 and arr.size > 1:
                group.create_dataset(key, data=arr, compression=compression)
            else:
                group.create_dataset(key, data=arr)


def graph(nodes, edges):
    return {"type": "NIRGraph", "nodes": nodes, "edges": edges}


# ---------------------------------------------------------------------------------------------
# Reference semantics (numpy), independent of the C++ importer.


def conv_matrix(weight, in_shape, stride, pad_lo, pad_hi, dil, groups):
    """Dense [out, in] matrix of a 1-D or 2-D convolution, column j = conv(e_j)."""
    w = np.asarray(weight, dtype=np.float64)
    two_d = w.ndim == 4
    if not two_d:  # treat 1-D as H = 1
        w = w[:, :, None, :]
        in_shape = (in_shape[0], 1, in_shape[1])
        stride, pad_lo, pad_hi, dil = (1, stride[0]), (0, pad_lo[0]), (0, pad_hi[0]), (1, dil[0])
    c_in, h, wd = in_shape
    c_out, cin_g, kh, kw = w.shape
    cout_g = c_out // groups
    span_h, span_w = dil[0] * (kh - 1) + 1, dil[1] * (kw - 1) + 1
    ho = (h + pad_lo[0] + pad_hi[0] - span_h) // stride[0] + 1
    wo = (wd + pad_lo[1] + pad_hi[1] - span_w) // stride[1] + 1
    n_in = c_in * h * wd
    cols = []
    for j in range(n_in):
        x = np.zeros(n_in)
        x[j] = 1.0
        x = x.reshape(c_in, h, wd)
        xp = np.pad(x, ((0, 0), (pad_lo[0], pad_hi[0]), (pad_lo[1], pad_hi[1])))
        y = np.zeros((c_out, ho, wo))
        for co in range(c_out):
            g = co // cout_g
            chans = xp[g * cin_g:(g + 1) * cin_g]
            for oy in range(ho):
                for ox in range(wo):
                    win = chans[:, oy * stride[0]:oy * stride[0] + span_h:dil[0],
                                ox * stride[1]:ox * stride[1] + span_w:dil[1]]
                    y[co, oy, ox] = np.sum(win * w[co])
        cols.append(y.reshape(-1))
    out_shape = (c_out, ho, wo) if two_d else (c_out, wo)
    return np.stack(cols, axis=1), out_shape


def pool_matrix(in_shape, k, s, p, average):
    c, h, wd = in_shape
    ho = (h + 2 * p[0] - k[0]) // s[0] + 1
    wo = (wd + 2 * p[1] - k[1]) // s[1] + 1
    n_in = c * h * wd
    cols = []
    for j in range(n_in):
        x = np.zeros(n_in)
        x[j] = 1.0
        xp = np.pad(x.reshape(c, h, wd), ((0, 0), (p[0], p[0]), (p[1], p[1])))
        y = np.zeros((c, ho, wo))
        for oy in range(ho):
            for ox in range(wo):
                y[:, oy, ox] = xp[:, oy * s[0]:oy * s[0] + k[0], ox * s[1]:ox * s[1] + k[1]].sum(axis=(1, 2))
        if average:
            y = y / (k[0] * k[1])
        cols.append(y.reshape(-1))
    return np.stack(cols, axis=1), (c, ho, wo)


def f64(values, size):
    a = np.asarray(values, dtype=np.float64).reshape(-1)
    return [float(x) for x in (np.full(size, a[0]) if a.size == 1 else a)]


def pop(name, kind, shape, params=None):
    size = int(np.prod(shape))
    d = {"name": name, "kind": kind, "size": size, "shape": [int(x) for x in shape], "params": {}}
    for k, v in (params or {}).items():
        d["params"][k] = f64(v, size)
    if kind != "input" and "input_bias" not in d["params"]:
        d["params"]["input_bias"] = [0.0] * size
    return d


def lif_params(tau, r, v_leak, v_th, v_reset=0.0):
    return {"tau_mem": tau, "r": r, "v_leak": v_leak, "v_threshold": v_th, "v_reset": v_reset}


def cuba_params(tau_syn, tau_mem, r, v_leak, v_th, v_reset=0.0, w_in=1.0):
    return {"tau_syn": tau_syn, "tau_mem": tau_mem, "r": r, "v_leak": v_leak, "v_threshold": v_th,
            "v_reset": v_reset, "w_in": w_in}


def proj(source, target, matrix, name, nodes, kernel_classes=None):
    m32 = np.asarray(matrix, dtype=np.float64).astype(np.float32)
    post, pre = np.nonzero(m32)
    return {"source": source, "target": target, "name": name, "nodes": nodes,
            "pre": [int(x) for x in pre], "post": [int(x) for x in post],
            "weight": [float(m32[o, i]) for o, i in zip(post, pre)],
            "kernel_classes": kernel_classes}


def dyadic(rng, shape, denom=8, span=8):
    """Small dyadic rationals: sums and products of a few of them are exact in float32."""
    return (rng.randint(-span, span + 1, size=shape) / denom).astype(np.float32)


def used_kernel_entries(weight, matrix_fn):
    """How many distinct kernel entries a direct convolution actually uses (nonzero and in range)."""
    w = np.asarray(weight, dtype=np.float64)
    used = 0
    for idx in range(w.size):
        if w.reshape(-1)[idx] == 0:
            continue
        probe = np.zeros(w.size)
        probe[idx] = 1.0
        if np.any(matrix_fn(probe.reshape(w.shape)) != 0):
            used += 1
    return used


# ---------------------------------------------------------------------------------------------
# Valid cases: each returns (graph, write options, expectations).


def case_affine_lif_v1():
    rng = np.random.RandomState(1)
    w = rng.randn(3, 4).astype(np.float32)
    w[1, 2] = 0.0  # an exact zero makes no synapse
    b = rng.randn(3).astype(np.float32)
    tau = np.array([0.01, 0.02, 0.03], dtype=np.float32)
    g = graph({
        "input": {"type": "Input", "shape": np.array([4])},
        "fc": {"type": "Affine", "weight": w, "bias": b},
        "lif": {"type": "LIF", "tau": tau, "r": np.ones(3, np.float32), "v_leak": np.zeros(3, np.float32),
                "v_threshold": np.full(3, 1.5, np.float32), "v_reset": np.full(3, -0.25, np.float32)},
        "output": {"type": "Output", "shape": np.array([3])},
    }, [("input", "fc"), ("fc", "lif"), ("lif", "output")])
    p = lif_params(tau, 1.0, 0.0, 1.5, -0.25)
    p["input_bias"] = b
    exp = {
        "version": "1.0.6",
        "populations": [pop("input", "input", [4]), pop("lif", "LIF", [3], p), pop("output", "output", [3])],
        "projections": [proj("input", "lif", w, "fc", ["fc"]),
                        proj("lif", "output", np.eye(3), "lif->output", [])],
    }
    return g, {"version": "1.0.6"}, exp


def case_linear_cubalif_v020():
    rng = np.random.RandomState(2)
    w = rng.randn(6, 5)  # float64 weights
    rec = rng.randn(6, 6)
    tau_syn = rng.uniform(0.001, 0.01, 6)
    tau_mem = rng.uniform(0.01, 0.05, 6)
    w_in = rng.uniform(0.5, 2.0, 6)
    g = graph({
        "in": {"type": "Input", "shape": np.array([5])},
        "lin": {"type": "Linear", "weight": w},
        "rec": {"type": "Linear", "weight": rec},
        "cuba": {"type": "CubaLIF", "tau_syn": tau_syn, "tau_mem": tau_mem, "r": np.full(6, 2.0),
                 "v_leak": np.full(6, 0.1), "v_threshold": np.full(6, 1.0), "w_in": w_in},
        # Declared [1, 6]: a batch axis the data does not have (same count, tolerated silently).
        "out": {"type": "Output", "shape": np.array([1, 6])},
    }, [("in", "lin"), ("lin", "cuba"), ("cuba", "rec"), ("rec", "cuba"), ("cuba", "out")])
    exp = {
        "version": "0.2.0",
        "populations": [pop("in", "input", [5]),
                        pop("cuba", "CubaLIF", [6], cuba_params(tau_syn, tau_mem, 2.0, 0.1, 1.0, 0.0, w_in)),
                        pop("out", "output", [6])],
        "projections": [proj("in", "cuba", w, "lin", ["lin"]),
                        proj("cuba", "cuba", rec, "rec", ["rec"]),
                        proj("cuba", "out", np.eye(6), "cuba->out", [])],
        "notes": ["v_reset = 0"],
    }
    return g, {"version": "0.2.0"}, exp


def case_if_li_scale_v011():
    rng = np.random.RandomState(3)
    w1 = dyadic(rng, (4, 3))
    s = dyadic(rng, (4,), denom=4, span=4)
    s[s == 0] = 0.5
    w2 = dyadic(rng, (2, 4))
    b2 = dyadic(rng, (2,))
    g = graph({
        "x": {"type": "Input", "shape": np.array([3])},
        "l1": {"type": "Linear", "weight": w1},
        "s1": {"type": "Scale", "scale": s},
        "if1": {"type": "IF", "r": np.float32(1.5), "v_threshold": np.float32(0.75)},  # rank-0 scalars
        "a2": {"type": "Affine", "weight": w2, "bias": b2},
        "li": {"type": "LI", "tau": np.array([0.02]), "r": np.array([1.0]), "v_leak": np.array([0.0])},
        "y": {"type": "Output", "shape": np.array([2])},
    }, [("x", "l1"), ("l1", "s1"), ("s1", "if1"), ("if1", "a2"), ("a2", "li"), ("li", "y")])
    li = {"tau_mem": 0.02, "r": 1.0, "v_leak": 0.0, "input_bias": b2}
    exp = {
        "version": "0.1.1",
        "populations": [pop("x", "input", [3]),
                        pop("if1", "IF", [4], {"r": 1.5, "v_threshold": 0.75, "v_reset": 0.0}),
                        pop("li", "LI", [2], li), pop("y", "output", [2])],
        "projections": [proj("x", "if1", np.diag(s.astype(np.float64)) @ w1, "l1+s1", ["l1", "s1"]),
                        proj("if1", "li", w2, "a2", ["a2"]),
                        proj("li", "y", np.eye(2), "li->y", [])],
    }
    return g, {"version": "0.1.1"}, exp


def case_v01_noversion():
    """NIR 0.1 layout: no version dataset, no Conv input_shape, no Flatten input_type, no w_in/v_reset."""
    rng = np.random.RandomState(4)
    k = rng.randn(2, 2, 3, 3).astype(np.float32)
    conv, cshape = conv_matrix(k, (2, 5, 5), (2, 2), (1, 1), (1, 1), (1, 1), 1)
    n_conv = int(np.prod(cshape))
    wf = rng.randn(3, n_conv).astype(np.float32)
    bf = np.zeros(3, np.float32)
    g = graph({
        "input": {"type": "Input", "shape": np.array([2, 5, 5])},
        "conv": {"type": "Conv2d", "weight": k, "stride": np.array([2, 2]), "padding": np.array([1, 1]),
                 "dilation": np.array([1, 1]), "groups": np.int64(1), "bias": np.zeros(2, np.float32)},
        "cuba": {"type": "CubaLIF", "tau_syn": np.full(cshape, 0.005), "tau_mem": np.full(cshape, 0.02),
                 "r": np.full(cshape, 1.0), "v_leak": np.zeros(cshape), "v_threshold": np.full(cshape, 1.0)},
        "flat": {"type": "Flatten", "start_dim": np.int64(0), "end_dim": np.int64(-1)},
        "fc": {"type": "Affine", "weight": wf, "bias": bf},
        "lif": {"type": "LIF", "tau": np.full(3, 0.03), "r": np.ones(3), "v_leak": np.zeros(3),
                "v_threshold": np.ones(3)},
        "output": {"type": "Output", "shape": np.array([3])},
    }, [("input", "conv"), ("conv", "cuba"), ("cuba", "flat"), ("flat", "fc"), ("fc", "lif"), ("lif", "output")])
    classes = used_kernel_entries(k, lambda kk: conv_matrix(kk, (2, 5, 5), (2, 2), (1, 1), (1, 1), (1, 1), 1)[0])
    exp = {
        "version": None,
        "populations": [pop("input", "input", [2, 5, 5]),
                        pop("cuba", "CubaLIF", cshape, cuba_params(0.005, 0.02, 1.0, 0.0, 1.0)),
                        pop("lif", "LIF", [3], lif_params(0.03, 1.0, 0.0, 1.0)),
                        pop("output", "output", [3])],
        "projections": [proj("input", "cuba", conv, "conv", ["conv"], classes),
                        proj("cuba", "lif", wf, "flat+fc", ["flat", "fc"]),
                        proj("lif", "output", np.eye(3), "lif->output", [])],
        "notes": ["w_in = 1", "v_reset = 0"],
    }
    return g, {"version": None}, exp


def case_conv2d_pool():
    rng = np.random.RandomState(5)
    k1 = rng.randn(3, 2, 3, 3).astype(np.float32)
    k1[0, 0, 1, 1] = 0.0
    b1 = rng.randn(3).astype(np.float32)
    c1, s1 = conv_matrix(k1, (2, 6, 6), (1, 1), (1, 1), (1, 1), (1, 1), 1)  # -> [3, 6, 6]
    p1, ps1 = pool_matrix(s1, (2, 2), (2, 2), (0, 0), False)  # -> [3, 3, 3]
    k2 = dyadic(rng, (2, 3, 2, 2))
    c2, s2 = conv_matrix(k2, ps1, (1, 1), (0, 0), (0, 0), (1, 1), 1)  # -> [2, 2, 2]
    classes1 = used_kernel_entries(k1, lambda kk: conv_matrix(kk, (2, 6, 6), (1, 1), (1, 1), (1, 1), (1, 1), 1)[0])
    g = graph({
        "input": {"type": "Input", "shape": np.array([2, 6, 6])},
        "0": {"type": "Conv2d", "input_shape": np.array([6, 6]), "weight": k1, "stride": np.array([1, 1]),
              "padding": np.array([1, 1]), "dilation": np.array([1, 1]), "groups": np.int64(1), "bias": b1},
        "1": {"type": "IF", "r": np.ones(s1, np.float32), "v_threshold": np.ones(s1, np.float32)},
        "2": {"type": "SumPool2d", "kernel_size": np.array([2, 2]), "stride": np.array([2, 2]),
              "padding": np.array([0, 0])},
        "3": {"type": "Conv2d", "input_shape": np.array([3, 3]), "weight": k2, "stride": np.array([1, 1]),
              "padding": np.array([0, 0]), "dilation": np.array([1, 1]), "groups": np.int64(1),
              "bias": np.zeros(2, np.float32)},
        "10": {"type": "IF", "r": np.ones(s2, np.float32), "v_threshold": np.ones(s2, np.float32)},
        "output": {"type": "Output", "shape": np.array(list(s2))},
    }, [("input", "0"), ("0", "1"), ("1", "2"), ("2", "3"), ("3", "10"), ("10", "output")])
    bias1 = np.repeat(b1.astype(np.float64), 36)
    exp = {
        "version": "1.0.6",
        "populations": [pop("input", "input", [2, 6, 6]),
                        pop("1", "IF", s1, {"r": 1.0, "v_threshold": 1.0, "v_reset": 0.0, "input_bias": bias1}),
                        pop("10", "IF", s2, {"r": 1.0, "v_threshold": 1.0, "v_reset": 0.0}),
                        pop("output", "output", s2)],
        "projections": [proj("input", "1", c1, "0", ["0"], classes1),
                        proj("1", "10", c2 @ p1, "2+3", ["2", "3"]),
                        proj("10", "output", np.eye(int(np.prod(s2))), "10->output", [])],
    }
    return g, {}, exp


def case_conv1d_groups():
    rng = np.random.RandomState(6)
    k = rng.randn(6, 2, 3).astype(np.float32)
    b = rng.randn(6).astype(np.float32)
    m, shape = conv_matrix(k, (4, 10), (1,), (2,), (2,), (2,), 2)  # groups 2, dilation 2, padding 2
    classes = used_kernel_entries(k, lambda kk: conv_matrix(kk, (4, 10), (1,), (2,), (2,), (2,), 2)[0])
    g = graph({
        "input": {"type": "Input", "shape": np.array([4, 10])},
        "conv": {"type": "Conv1d", "input_shape": np.int64(10), "weight": k, "stride": np.int64(1),
                 "padding": np.int64(2), "dilation": np.int64(2), "groups": np.int64(2), "bias": b},
        "lif": {"type": "LIF", "tau": np.float64(0.01), "r": np.float64(1.0), "v_leak": np.float64(0.0),
                "v_threshold": np.float64(1.0)},
        "output": {"type": "Output", "shape": np.array(list(shape))},
    }, [("input", "conv"), ("conv", "lif"), ("lif", "output")])
    p = lif_params(0.01, 1.0, 0.0, 1.0)
    p["input_bias"] = np.repeat(b.astype(np.float64), shape[1])
    n = int(np.prod(shape))
    exp = {
        "version": "1.0.6",
        "populations": [pop("input", "input", [4, 10]), pop("lif", "LIF", shape, p), pop("output", "output", shape)],
        "projections": [proj("input", "lif", m, "conv", ["conv"], classes),
                        proj("lif", "output", np.eye(n), "lif->output", [])],
    }
    return g, {}, exp


def case_conv2d_same_avgpool():
    """padding 'same' (a string), groups 2, a broadcast Scale after the conv (sharing survives it),
    then an AvgPool2d into a CubaLIF."""
    rng = np.random.RandomState(7)
    k = dyadic(rng, (4, 1, 3, 3))
    m, shape = conv_matrix(k, (2, 4, 4), (1, 1), (1, 1), (1, 1), (1, 1), 2)  # 'same': pad 1 each side
    classes = used_kernel_entries(k, lambda kk: conv_matrix(kk, (2, 4, 4), (1, 1), (1, 1), (1, 1), (1, 1), 2)[0])
    pm, pshape = pool_matrix(shape, (2, 2), (2, 2), (0, 0), True)
    g = graph({
        "input": {"type": "Input", "shape": np.array([2, 4, 4])},
        "conv": {"type": "Conv2d", "input_shape": np.array([4, 4]), "weight": k, "stride": np.array([1, 1]),
                 "padding": "same", "dilation": np.array([1, 1]), "groups": np.int64(2),
                 "bias": np.zeros(4, np.float32)},
        "scale": {"type": "Scale", "scale": np.array([0.5])},
        "lif": {"type": "LIF", "tau": np.full(shape, 0.02), "r": np.ones(shape), "v_leak": np.zeros(shape),
                "v_threshold": np.ones(shape), "v_reset": np.zeros(shape)},
        "pool": {"type": "AvgPool2d", "kernel_size": np.array([2, 2]), "stride": np.array([2, 2]),
                 "padding": np.array([0, 0])},
        "cuba": {"type": "CubaLIF", "tau_syn": np.float64(0.005), "tau_mem": np.float64(0.02), "r": np.float64(1.0),
                 "v_leak": np.float64(0.0), "v_threshold": np.float64(1.0), "v_reset": np.float64(0.0),
                 "w_in": np.float64(1.0)},
        "output": {"type": "Output", "shape": np.array(list(pshape))},
    }, [("input", "conv"), ("conv", "scale"), ("scale", "lif"), ("lif", "pool"), ("pool", "cuba"),
        ("cuba", "output")])
    g["metadata"] = {"source": np.bytes_(b"make_nir_files.py")}  # metadata groups are skipped
    n = int(np.prod(pshape))
    exp = {
        "version": "1.0.6",
        "populations": [pop("input", "input", [2, 4, 4]), pop("lif", "LIF", shape, lif_params(0.02, 1.0, 0.0, 1.0)),
                        pop("cuba", "CubaLIF", pshape, cuba_params(0.005, 0.02, 1.0, 0.0, 1.0)),
                        pop("output", "output", pshape)],
        "projections": [proj("input", "lif", 0.5 * m, "conv+scale", ["conv", "scale"], classes),
                        proj("lif", "cuba", pm, "pool", ["pool"]),
                        proj("cuba", "output", np.eye(n), "cuba->output", [])],
    }
    return g, {}, exp


def case_nested():
    """A recurrent CubaLIF layer inside a subgraph, entered and left through its Input/Output."""
    rng = np.random.RandomState(8)
    w1 = rng.randn(4, 3).astype(np.float32)
    b1 = rng.randn(4).astype(np.float32)
    rec = rng.randn(4, 4).astype(np.float32)
    w2 = rng.randn(2, 4).astype(np.float32)
    b2 = np.zeros(2, np.float32)
    sub = graph({
        "in": {"type": "Input", "shape": np.array([4])},
        "lif": {"type": "CubaLIF", "tau_syn": np.full(4, 0.004, np.float32), "tau_mem": np.full(4, 0.01, np.float32),
                "r": np.ones(4, np.float32), "v_leak": np.zeros(4, np.float32),
                "v_threshold": np.ones(4, np.float32), "w_in": np.full(4, 2.0, np.float32)},
        "rec": {"type": "Affine", "weight": rec, "bias": np.zeros(4, np.float32)},
        "out": {"type": "Output", "shape": np.array([4])},
    }, [("in", "lif"), ("lif", "rec"), ("rec", "lif"), ("lif", "out")])
    g = graph({
        "input": {"type": "Input", "shape": np.array([3])},
        "fc1": {"type": "Affine", "weight": w1, "bias": b1},
        "rnn": sub,
        "fc2": {"type": "Affine", "weight": w2, "bias": b2},
        "readout": {"type": "LI", "tau": np.full(2, 0.02, np.float32), "r": np.ones(2, np.float32),
                    "v_leak": np.zeros(2, np.float32)},
        "output": {"type": "Output", "shape": np.array([2])},
    }, [("input", "fc1"), ("fc1", "rnn"), ("rnn", "fc2"), ("fc2", "readout"), ("readout", "output")])
    c = cuba_params(np.float32(0.004), np.float32(0.01), 1.0, 0.0, 1.0, 0.0, 2.0)
    c["input_bias"] = b1
    exp = {
        "version": "1.0.6",
        "populations": [pop("input", "input", [3]), pop("rnn.lif", "CubaLIF", [4], c),
                        pop("readout", "LI", [2], {"tau_mem": np.float32(0.02), "r": 1.0, "v_leak": 0.0}),
                        pop("output", "output", [2])],
        "projections": [proj("input", "rnn.lif", w1, "fc1", ["fc1"]),
                        proj("rnn.lif", "rnn.lif", rec, "rnn.rec", ["rnn.rec"]),
                        proj("rnn.lif", "readout", w2, "fc2", ["fc2"]),
                        proj("readout", "output", np.eye(2), "readout->output", [])],
    }
    return g, {}, exp


def case_nested_dotted():
    """Dotted names: top-level node names containing dots, edges into a subgraph's inner node by
    path ("sub.inner.lif"), two levels of nesting, and a subgraph with two Inputs (fine when edges
    name the node)."""
    rng = np.random.RandomState(9)
    wa = dyadic(rng, (3, 2))
    wb = dyadic(rng, (3, 3))
    inner = graph({
        "lif": {"type": "LIF", "tau": np.full(3, 0.01), "r": np.ones(3), "v_leak": np.zeros(3),
                "v_threshold": np.ones(3)},
        "o": {"type": "Output", "shape": np.array([3])},
    }, [("lif", "o")])
    sub = graph({
        "i1": {"type": "Input", "shape": np.array([3])},
        "i2": {"type": "Input", "shape": np.array([3])},
        "inner": inner,
        "out": {"type": "Output", "shape": np.array([3])},
    }, [("i1", "inner.lif"), ("i2", "inner.lif"), ("inner", "out")])
    g = graph({
        "input": {"type": "Input", "shape": np.array([2])},
        "lin.a": {"type": "Linear", "weight": wa},
        "sub": sub,
        "lin.b": {"type": "Linear", "weight": wb},
        "lif.2": {"type": "LIF", "tau": np.full(3, 0.01), "r": np.ones(3), "v_leak": np.zeros(3),
                  "v_threshold": np.ones(3)},
        "output": {"type": "Output", "shape": np.array([3])},
    }, [("input", "lin.a"), ("lin.a", "sub.i1"), ("lin.a", "sub.inner.lif"), ("sub", "lin.b"),
        ("lin.b", "lif.2"), ("lif.2", "output")])
    exp = {
        "version": "1.0.6",
        "populations": [pop("input", "input", [2]), pop("sub.inner.lif", "LIF", [3], lif_params(0.01, 1.0, 0.0, 1.0)),
                        pop("lif.2", "LIF", [3], lif_params(0.01, 1.0, 0.0, 1.0)), pop("output", "output", [3])],
        # lin.a reaches sub.inner.lif twice (through sub.i1 and directly): the two paths add up.
        "projections": [proj("input", "sub.inner.lif", 2 * wa.astype(np.float64), "lin.a", ["lin.a"]),
                        proj("sub.inner.lif", "lif.2", wb, "lin.b", ["lin.b"]),
                        proj("lif.2", "output", np.eye(3), "lif.2->output", [])],
    }
    return g, {}, exp


def case_broadcast_scalars():
    rng = np.random.RandomState(10)
    w = dyadic(rng, (5, 3))
    w2 = dyadic(rng, (2, 5))
    g = graph({
        "input": {"type": "Input", "shape": np.array([3])},
        "fc": {"type": "Affine", "weight": w, "bias": np.float32(0.25)},  # a scalar bias
        "lif": {"type": "LIF", "tau": np.float32(0.02), "r": np.float32(3.0), "v_leak": np.float32(-0.5),
                "v_threshold": np.float32(2.0), "v_reset": np.float32(-1.0)},  # all rank-0: size from input
        "fc2": {"type": "Linear", "weight": w2},
        "cuba": {"type": "CubaLIF", "tau_syn": np.array([0.005]), "tau_mem": np.array([0.02]),
                 "r": np.array([1.0]), "v_leak": np.array([0.0]), "v_threshold": np.array([1.0, 2.0]),
                 "w_in": np.array([0.5])},  # [1]-arrays broadcast to the one 2-array
        "output": {"type": "Output", "shape": np.array([2])},
    }, [("input", "fc"), ("fc", "lif"), ("lif", "fc2"), ("fc2", "cuba"), ("cuba", "output")])
    p = lif_params(np.float32(0.02), 3.0, -0.5, 2.0, -1.0)
    p["input_bias"] = 0.25
    exp = {
        "version": "1.0.6",
        "populations": [pop("input", "input", [3]), pop("lif", "LIF", [5], p),
                        pop("cuba", "CubaLIF", [2], cuba_params(0.005, 0.02, 1.0, 0.0, [1.0, 2.0], 0.0, 0.5)),
                        pop("output", "output", [2])],
        "projections": [proj("input", "lif", w, "fc", ["fc"]), proj("lif", "cuba", w2, "fc2", ["fc2"]),
                        proj("cuba", "output", np.eye(2), "cuba->output", [])],
    }
    return g, {}, exp


def case_inconsistent_shapes():
    """Declared shapes that disagree with the data, as trained exports carry them."""
    rng = np.random.RandomState(11)
    k = dyadic(rng, (2, 2, 3, 3))
    m, shape = conv_matrix(k, (2, 4, 4), (1, 1), (0, 0), (0, 0), (1, 1), 1)  # -> [2, 2, 2]
    wf = dyadic(rng, (4, 8))
    g = graph({
        "input": {"type": "Input", "shape": np.array([1, 2, 4, 4])},  # a batch axis
        "conv": {"type": "Conv2d", "input_shape": np.array([5, 5]), "weight": k, "stride": np.array([1, 1]),
                 "padding": np.array([0, 0]), "dilation": np.array([1, 1]), "groups": np.int64(1),
                 "bias": np.zeros(2, np.float32)},  # declared [5, 5] does not fit 2 x 4 x 4
        "if": {"type": "IF", "r": np.ones(8), "v_threshold": np.ones(8)},  # flat params for a [2, 2, 2] input
        "flat": {"type": "Flatten", "start_dim": np.int64(1), "end_dim": np.int64(-1),
                 "input_type": np.array([3, 3])},  # declared 9 values, the data has 8
        "fc": {"type": "Linear", "weight": wf},
        "lif": {"type": "LIF", "tau": np.full(4, 0.01), "r": np.ones(4), "v_leak": np.zeros(4),
                "v_threshold": np.ones(4)},
        "output": {"type": "Output", "shape": np.array([7])},  # declared 7, the data has 4
    }, [("input", "conv"), ("conv", "if"), ("if", "flat"), ("flat", "fc"), ("fc", "lif"), ("lif", "output")])
    exp = {
        "version": "1.0.6",
        "populations": [pop("input", "input", [1, 2, 4, 4]),
                        pop("if", "IF", [8], {"r": 1.0, "v_threshold": 1.0, "v_reset": 0.0}),
                        pop("lif", "LIF", [4], lif_params(0.01, 1.0, 0.0, 1.0)), pop("output", "output", [4])],
        "projections": [proj("input", "if", m, "conv", ["conv"], used_kernel_entries(
                            k, lambda kk: conv_matrix(kk, (2, 4, 4), (1, 1), (0, 0), (0, 0), (1, 1), 1)[0])),
                        proj("if", "lif", wf, "flat+fc", ["flat", "fc"]),
                        proj("lif", "output", np.eye(4), "lif->output", [])],
        "notes": ["declared input_shape [5, 5]", "declared input_type [3, 3]", "declared shape [7]"],
    }
    return g, {}, exp


def case_compressed_fixedstr():
    """gzip-compressed datasets (NIR's writer compresses since 2026), fixed-length strings, metadata."""
    rng = np.random.RandomState(12)
    w = rng.randn(8, 6).astype(np.float32)
    g = graph({
        "input": {"type": "Input", "shape": np.array([6])},
        "fc": {"type": "Affine", "weight": w, "bias": np.zeros(8, np.float32), "metadata": {"origin": np.int64(1)}},
        "lif": {"type": "LIF", "tau": np.full(8, 0.01, np.float32), "r": np.ones(8, np.float32),
                "v_leak": np.zeros(8, np.float32), "v_threshold": np.ones(8, np.float32),
                "v_reset": np.zeros(8, np.float32)},
        "output": {"type": "Output", "shape": np.array([8])},
    }, [("input", "fc"), ("fc", "lif"), ("lif", "output")])
    exp = {
        "version": "1.0.7",
        "populations": [pop("input", "input", [6]), pop("lif", "LIF", [8], lif_params(np.float32(0.01), 1.0, 0.0, 1.0)),
                        pop("output", "output", [8])],
        "projections": [proj("input", "lif", w, "fc", ["fc"]), proj("lif", "output", np.eye(8), "lif->output", [])],
    }
    return g, {"version": "1.0.7", "strings": "fixed", "compression": "gzip"}, exp


def case_multi_input_sum():
    """Two inputs into one population (two projections, biases added) and a diamond from one source
    (two paths summed into one projection)."""
    rng = np.random.RandomState(13)
    wa = dyadic(rng, (3, 2))
    wb = dyadic(rng, (3, 4))
    ba = dyadic(rng, (3,))
    bb = dyadic(rng, (3,))
    g = graph({
        "a": {"type": "Input", "shape": np.array([2])},
        "b": {"type": "Input", "shape": np.array([4])},
        "fa": {"type": "Affine", "weight": wa, "bias": ba},
        "fb": {"type": "Affine", "weight": wb, "bias": bb},
        "s1": {"type": "Scale", "scale": np.array([0.5, 0.25, 2.0])},
        "s2": {"type": "Scale", "scale": np.array([1.0, -1.0, 0.5])},
        "lif": {"type": "LIF", "tau": np.full(3, 0.01), "r": np.ones(3), "v_leak": np.zeros(3),
                "v_threshold": np.ones(3)},
        "output": {"type": "Output", "shape": np.array([3])},
    }, [("a", "fa"), ("fa", "lif"), ("b", "fb"), ("fb", "s1"), ("fb", "s2"), ("s1", "lif"), ("s2", "lif"),
        ("lif", "output")])
    s1 = np.diag([0.5, 0.25, 2.0])
    s2 = np.diag([1.0, -1.0, 0.5])
    p = lif_params(0.01, 1.0, 0.0, 1.0)
    p["input_bias"] = ba.astype(np.float64) + s1 @ bb + s2 @ bb
    exp = {
        "version": "1.0.6",
        "populations": [pop("a", "input", [2]), pop("b", "input", [4]), pop("lif", "LIF", [3], p),
                        pop("output", "output", [3])],
        "projections": [proj("a", "lif", wa, "fa", ["fa"]),
                        proj("b", "lif", (s1 + s2) @ wb, "fb+s1+s2", ["fb", "s1", "s2"]),
                        proj("lif", "output", np.eye(3), "lif->output", [])],
    }
    return g, {}, exp


def case_direct_edges():
    g = graph({
        "input": {"type": "Input", "shape": np.array([3])},
        "lif": {"type": "LIF", "tau": np.full(3, 0.01), "r": np.ones(3), "v_leak": np.zeros(3),
                "v_threshold": np.ones(3)},
        "dead": {"type": "Linear", "weight": np.ones((3, 3))},  # no input: ignored with a note
        "output": {"type": "Output", "shape": np.array([3])},
    }, [("input", "lif"), ("dead", "lif"), ("lif", "output")])
    exp = {
        "version": "1.0.6",
        "populations": [pop("input", "input", [3]), pop("lif", "LIF", [3], lif_params(0.01, 1.0, 0.0, 1.0)),
                        pop("output", "output", [3])],
        "projections": [proj("input", "lif", np.eye(3), "input->lif", []),
                        proj("lif", "output", np.eye(3), "lif->output", [])],
        "notes": ["node 'dead' (Linear) gets no input"],
    }
    return g, {}, exp


VALID = {
    "affine_lif_v1": case_affine_lif_v1,
    "linear_cubalif_v020": case_linear_cubalif_v020,
    "if_li_scale_v011": case_if_li_scale_v011,
    "v01_noversion": case_v01_noversion,
    "conv2d_pool": case_conv2d_pool,
    "conv1d_groups": case_conv1d_groups,
    "conv2d_same_avgpool": case_conv2d_same_avgpool,
    "nested": case_nested,
    "nested_dotted": case_nested_dotted,
    "broadcast_scalars": case_broadcast_scalars,
    "inconsistent_shapes": case_inconsistent_shapes,
    "compressed_fixedstr": case_compressed_fixedstr,
    "multi_input_sum": case_multi_input_sum,
    "direct_edges": case_direct_edges,
}

# ---------------------------------------------------------------------------------------------
# Broken files: (name, graph or raw bytes, substrings the error must contain).


def small():
    """A small valid graph the broken cases start from."""
    return graph({
        "input": {"type": "Input", "shape": np.array([4])},
        "fc": {"type": "Affine", "weight": np.ones((3, 4), np.float32), "bias": np.zeros(3, np.float32)},
        "lif": {"type": "LIF", "tau": np.full(3, 0.01), "r": np.ones(3), "v_leak": np.zeros(3),
                "v_threshold": np.ones(3)},
        "output": {"type": "Output", "shape": np.array([3])},
    }, [("input", "fc"), ("fc", "lif"), ("lif", "output")])


def broken_cases():
    cases = []

    def add(name, g, contains):
        cases.append((name, g, contains))

    g = small(); del g["nodes"]["fc"]["weight"]
    add("missing_weight", g, ["node 'fc' (Affine)", "field 'weight'", "missing"])
    g = small(); del g["nodes"]["fc"]["bias"]
    add("missing_bias", g, ["node 'fc' (Affine)", "field 'bias'", "missing"])
    g = small(); del g["nodes"]["fc"]["type"]
    add("missing_type", g, ["node 'fc'", "field 'type'", "missing"])
    g = small(); del g["nodes"]["lif"]["tau"]
    add("missing_tau", g, ["node 'lif' (LIF)", "field 'tau'", "missing"])
    g = small(); del g["nodes"]["output"]["shape"]
    add("missing_output_shape", g, ["node 'output' (Output)", "field 'shape'", "missing"])
    g = small(); del g["edges"]
    add("missing_edges", g, ["root graph", "field 'edges'", "missing"])
    g = small(); del g["nodes"]
    add("missing_nodes", g, ["root graph", "field 'nodes'", "missing"])
    g = small(); g["nodes"]["fc"]["weight"] = "not numbers"
    add("wrong_dtype_weight", g, ["node 'fc' (Affine)", "field 'weight'", "expected numbers", "string"])
    g = small(); g["nodes"]["lif"]["v_threshold"] = "1.0"
    add("wrong_dtype_threshold", g, ["node 'lif' (LIF)", "field 'v_threshold'", "expected numbers"])
    g = small(); g["nodes"]["fc"]["type"] = np.int64(3)
    add("wrong_dtype_type", g, ["node 'fc'", "field 'type'", "expected one string"])
    g = small(); g["edges"] = None
    add("wrong_dtype_edges", g, ["root graph", "field 'edges'", "expected N x 2 node names"])
    g = small(); g["nodes"]["fc"]["weight"] = np.ones((3, 4, 1), np.float32)
    add("wrong_shape_weight3d", g, ["node 'fc' (Affine)", "field 'weight'", "expected [out, in]"])
    g = small(); g["nodes"]["fc"]["weight"] = np.ones((3, 5), np.float32)
    add("wrong_shape_columns", g, ["node 'fc' (Affine)", "field 'weight'", "takes 5 inputs", "carries 4"])
    g = small(); g["nodes"]["fc"]["bias"] = np.zeros(2, np.float32)
    add("wrong_shape_bias", g, ["node 'fc' (Affine)", "field 'bias'", "2 values, expected 1 or 3"])
    g = small(); g["nodes"]["lif"]["v_threshold"] = np.ones(4)
    add("wrong_shape_params", g, ["node 'lif' (LIF)", "field 'v_threshold'", "4 values"])
    g = small(); g["nodes"]["lif"]["tau"] = np.full(5, 0.01); g["nodes"]["lif"]["r"] = np.ones(5)
    g["nodes"]["lif"]["v_leak"] = np.zeros(5); g["nodes"]["lif"]["v_threshold"] = np.ones(5)
    add("wrong_size_neurons", g, ["node 'lif' (LIF)", "carries 3 values", "5 neurons"])
    g = small(); g["nodes"]["input"]["shape"] = np.array([2.5])
    add("bad_input_shape", g, ["node 'input' (Input)", "field 'shape'", "2.5"])
    g = small(); g["nodes"]["fc"]["weight"] = np.array([[1, 2, np.nan, 4]] * 3, np.float32)
    add("nan_weight", g, ["node 'fc' (Affine)", "field 'weight'", "not finite"])
    g = small(); g["nodes"]["lif"]["tau"] = np.array([0.01, -0.01, 0.01])
    add("negative_tau", g, ["node 'lif' (LIF)", "field 'tau'", "neuron 1", "must be > 0"])
    g = small(); g["nodes"]["foo"] = {"type": "Foo", "x": np.ones(3)}
    add("unknown_type", g, ["node 'foo'", "field 'type'", "unsupported NIR node type 'Foo'"])
    g = small(); g["nodes"]["d"] = {"type": "Delay", "delay": np.ones(3)}
    add("delay_node", g, ["node 'd'", "'Delay'", "no synaptic delays"])
    g = small(); g["edges"] = [("input", "fc"), ("fc", "lif1"), ("lif", "output")]
    add("bad_edge_name", g, ["root graph", "field 'edges'", "edge 1", "no node 'lif1'"])
    # As a file in the wild does it: a subgraph whose edges name "lif" for its node "lif1".
    sub = graph({"input": {"type": "Input", "shape": np.array([3])},
                 "lif1": {"type": "LIF", "tau": np.full(3, 0.01), "r": np.ones(3), "v_leak": np.zeros(3),
                          "v_threshold": np.ones(3)},
                 "output": {"type": "Output", "shape": np.array([3])}},
                [("input", "lif"), ("lif", "output")])
    g = small(); g["nodes"]["sub"] = sub; g["edges"] = [("input", "fc"), ("fc", "sub"), ("sub", "lif"),
                                                       ("lif", "output")]
    add("bad_edge_name_nested", g, ["graph 'sub'", "field 'edges'", "no node 'lif'"])
    sub2 = graph({"i1": {"type": "Input", "shape": np.array([3])}, "i2": {"type": "Input", "shape": np.array([3])},
                  "o": {"type": "Output", "shape": np.array([3])}}, [("i1", "o"), ("i2", "o")])
    g = small(); g["nodes"]["sub"] = sub2; g["edges"] = [("input", "fc"), ("fc", "sub"), ("sub", "lif"),
                                                        ("lif", "output")]
    add("ambiguous_subgraph", g, ["field 'edges'", "subgraph 'sub' has 2 Input nodes"])
    g = small(); g["nodes"]["fc2"] = {"type": "Linear", "weight": np.ones((3, 3))}
    g["nodes"]["fc3"] = {"type": "Linear", "weight": np.ones((3, 3))}
    g["edges"] += [("lif", "fc2"), ("fc2", "fc3"), ("fc3", "fc2")]
    add("algebraic_loop", g, ["node 'fc", "loop"])
    g = small(); g["edges"] = [("input", "fc"), ("fc", "lif"), ("lif", "output"), ("lif", "input")]
    add("input_with_inputs", g, ["node 'input' (Input)", "incoming edges"])
    g = small(); g["edges"] = [("input", "fc"), ("fc", "lif"), ("lif", "output"), ("output", "fc")]
    add("output_with_outputs", g, ["node 'output' (Output)", "outgoing edges"])
    g = small(); g["nodes"]["fc"]["weight"] = np.ones((8, 4), np.float32); g["nodes"]["fc"]["bias"] = np.zeros(8)
    g["nodes"]["conv"] = {"type": "Conv2d", "weight": np.ones((1, 2, 2, 2)), "stride": np.array([1, 1]),
                          "padding": np.array([0, 0]), "dilation": np.array([1, 1]), "groups": np.int64(1),
                          "bias": np.zeros(1)}
    g["edges"] = [("input", "fc"), ("fc", "conv"), ("conv", "lif"), ("lif", "output")]
    add("conv_no_input_shape", g, ["node 'conv' (Conv2d)", "field 'input_shape'", "cannot tell"])
    g = small(); g["nodes"]["input"]["shape"] = np.array([2, 2, 2])
    g["nodes"]["conv"] = {"type": "Conv2d", "input_shape": np.array([2, 2]), "weight": np.ones((1, 2, 2)),
                          "stride": np.array([1, 1]), "padding": np.array([0, 0]), "dilation": np.array([1, 1]),
                          "groups": np.int64(1), "bias": np.zeros(1)}
    g["edges"] = [("input", "conv"), ("conv", "output")]
    add("wrong_shape_conv_weight", g, ["node 'conv' (Conv2d)", "field 'weight'", "expected [C_out"])
    g = small(); g["nodes"]["input"]["shape"] = np.array([2, 3, 3])
    g["nodes"]["conv"] = {"type": "Conv2d", "input_shape": np.array([3, 3]), "weight": np.ones((2, 1, 2, 2)),
                          "stride": np.array([1, 1]), "padding": "full", "dilation": np.array([1, 1]),
                          "groups": np.int64(2), "bias": np.zeros(2)}
    g["edges"] = [("input", "conv"), ("conv", "output")]
    add("bad_padding_string", g, ["node 'conv' (Conv2d)", "field 'padding'", "'full'"])
    g = small(); g["nodes"]["input"]["shape"] = np.array([3, 3, 3])
    g["nodes"]["conv"] = {"type": "Conv2d", "input_shape": np.array([3, 3]), "weight": np.ones((2, 1, 2, 2)),
                          "stride": np.array([1, 1]), "padding": np.array([0, 0]), "dilation": np.array([1, 1]),
                          "groups": np.int64(3), "bias": np.zeros(2)}
    g["edges"] = [("input", "conv"), ("conv", "output")]
    add("groups_mismatch", g, ["node 'conv' (Conv2d)", "field 'groups'"])
    g = small(); g["nodes"]["input"]["shape"] = np.array([1, 2, 2])
    g["nodes"]["conv"] = {"type": "Conv2d", "input_shape": np.array([2, 2]), "weight": np.ones((1, 1, 3, 3)),
                          "stride": np.array([1, 1]), "padding": np.array([0, 0]), "dilation": np.array([1, 1]),
                          "groups": np.int64(1), "bias": np.zeros(1)}
    g["edges"] = [("input", "conv"), ("conv", "output")]
    add("kernel_too_large", g, ["node 'conv' (Conv2d)", "field 'weight'", "larger than the padded input"])
    g = small(); g["nodes"]["pool"] = {"type": "SumPool2d", "kernel_size": np.array([2, 2]),
                                       "stride": np.array([2, 2]), "padding": np.array([0, 0])}
    g["edges"] = [("input", "pool"), ("pool", "output")]
    add("pool_on_vector", g, ["node 'pool' (SumPool2d)", "field 'input'", "[C, H, W]"])
    g = small(); g["nodes"]["pool"] = {"type": "SumPool2d", "kernel_size": np.array([2, 2, 2]),
                                       "stride": np.array([2, 2]), "padding": np.array([0, 0])}
    g["edges"] = [("input", "pool"), ("pool", "output")]
    add("pool_bad_kernel", g, ["node 'pool' (SumPool2d)", "field 'kernel_size'", "3 values"])
    g = small(); g["nodes"]["input"]["shape"] = np.array([1, 4, 4])
    g["nodes"]["pool"] = {"type": "AvgPool2d", "kernel_size": np.array([2, 2]), "stride": np.array([2, 2]),
                          "padding": np.array([0, 1048576])}
    g["edges"] = [("input", "pool"), ("pool", "output")]
    add("pool_huge_padding", g, ["node 'pool' (AvgPool2d)", "field 'padding'", "more than half the kernel"])
    g = small(); g["nodes"]["s"] = {"type": "Scale", "scale": np.ones(2)}
    g["edges"] = [("input", "s"), ("s", "output")]
    add("scale_wrong_size", g, ["node 's' (Scale)", "field 'scale'", "2 values"])
    g = small(); g["nodes"]["fl"] = {"type": "Flatten", "start_dim": np.float64(0.5), "end_dim": np.int64(-1)}
    g["edges"] = [("input", "fl"), ("fl", "output")]
    add("flatten_bad_dim", g, ["node 'fl' (Flatten)", "field 'start_dim'"])
    g = small(); g["nodes"]["b"] = {"type": "Input", "shape": np.array([5])}
    g["edges"].append(("b", "fc"))
    add("inputs_disagree", g, ["node 'fc' (Affine)", "different sizes"])
    return cases


def write_broken():
    manifest = []
    for name, g, contains in broken_cases():
        path = os.path.join(BROKEN, name + ".nir")
        if g is not None and g.get("edges", []) is None:
            g = dict(g)
            del g["edges"]
            write_nir(path, g)
            with h5py.File(path, "a") as f:
                f["node"].create_dataset("edges", data=np.ones((2, 2)))
        else:
            write_nir(path, g)
        manifest.append({"file": name + ".nir", "contains": contains})
    # No `node` group: an HDF5 file, but not NIR.
    path = os.path.join(BROKEN, "no_node_group.nir")
    with h5py.File(path, "w") as f:
        f.create_dataset("version", data="1.0.6", dtype=h5py.string_dtype())
        f.create_group("graph")
    manifest.append({"file": "no_node_group.nir", "contains": ["no group 'node'"]})
    # The root is not a graph.
    write_nir(os.path.join(BROKEN, "root_not_graph.nir"), {"type": "LIF", "tau": np.ones(1)})
    manifest.append({"file": "root_not_graph.nir", "contains": ["root graph", "field 'type'", "'LIF'"]})
    # Truncated: the first 60 % of a valid file.
    whole = os.path.join(BROKEN, "whole.tmp")
    write_nir(whole, small())
    data = open(whole, "rb").read()
    os.remove(whole)
    open(os.path.join(BROKEN, "truncated.nir"), "wb").write(data[:len(data) * 6 // 10])
    manifest.append({"file": "truncated.nir", "contains": ["truncated"]})
    rng = np.random.RandomState(99)
    open(os.path.join(BROKEN, "random_bytes.nir"), "wb").write(rng.bytes(4096))
    manifest.append({"file": "random_bytes.nir", "contains": ["not an HDF5 file"]})
    open(os.path.join(BROKEN, "empty.nir"), "wb").write(b"")
    manifest.append({"file": "empty.nir", "contains": ["empty file"]})
    open(os.path.join(BROKEN, "text.nir"), "wb").write(b"input -> lif -> output\n")
    manifest.append({"file": "text.nir", "contains": ["not an HDF5 file"]})
    with open(os.path.join(BROKEN, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")


def main():
    for d in (OUT,):
        if os.path.isdir(d):
            shutil.rmtree(d)
    os.makedirs(BROKEN)
    for name, fn in VALID.items():
        g, opts, exp = fn()
        version = opts.get("version", "1.0.6")
        write_nir(os.path.join(OUT, name + ".nir"), g, version=version, strings=opts.get("strings", "vlen"),
                  compression=opts.get("compression"))
        exp["file"] = name + ".nir"
        with open(os.path.join(OUT, name + ".expect.json"), "w") as f:
            json.dump(exp, f, separators=(",", ":"))
            f.write("\n")
    write_broken()


if __name__ == "__main__":
    main()
