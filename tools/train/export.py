# Export of a trained network: the NIR file (h5py, NIR's HDF5 layout as docs/nir.md reads it), the
# float weights' chip image built directly (tools/train/chiplif.py), the test set, and the small
# test subset with the bit-exact expected outputs that the CI test (tests/test_train_models.cpp) checks.
import os

import h5py
import numpy as np

import chiplif

DT = 1e-3  # seconds per chip time step, recorded in the NIR metadata
CI_SAMPLES = {"digits": 100, "ipd": 40}
# The committed test sets: all 360 digits; the first 400 of the 1,000 generated IPD samples (the
# whole set is tasks.IPD().splits()[1], regenerated from its seed).
TEST_SAMPLES = {"digits": None, "ipd": 400}


def nir_cuba_params(n, du, dv):
    """CubaLIF parameters whose forward-Euler discretisation at DT is the chip's step exactly:
    u decays by (du + 1)/4096 -> tau_syn = 4096 DT / (du + 1); v by dv/4096 -> tau_mem = 4096 DT / dv;
    input gains of 1: w_in = tau_syn / DT, r = tau_mem / DT; threshold 1 (the weights are in threshold
    units), reset to 0, no leak potential."""
    tau_syn = 4096 * DT / (du + 1)
    tau_mem = 4096 * DT / dv
    full = lambda x: np.full(n, x, dtype=np.float64)  # noqa: E731
    return {
        "tau_syn": full(tau_syn),
        "tau_mem": full(tau_mem),
        "r": full(tau_mem / DT),
        "w_in": full(tau_syn / DT),
        "v_leak": full(0.0),
        "v_threshold": full(1.0),
        "v_reset": full(0.0),
    }


def write_nir(path, task, weights):
    """input -> fc1 (Linear) -> lif1 (CubaLIF) -> fc2 -> lif2 -> output, NIR 1.0 layout."""
    str_t = h5py.string_dtype("utf-8")
    with h5py.File(path, "w") as f:
        f.create_dataset("version", data="1.0.0", dtype=str_t)
        g = f.create_group("node")
        g.create_dataset("type", data="NIRGraph", dtype=str_t)
        edges = [("input", "fc1"), ("fc1", "lif1"), ("lif1", "fc2"), ("fc2", "lif2"), ("lif2", "output")]
        g.create_dataset("edges", data=np.array(edges, dtype=object), dtype=str_t)
        meta = g.create_group("metadata")
        meta.create_dataset("dt", data=DT)
        meta.create_dataset("discretisation", data="forward-euler, Loihi CUBA order (u then v)", dtype=str_t)
        nodes = g.create_group("nodes")

        def node(name, typ, **fields):
            n = nodes.create_group(name)
            n.create_dataset("type", data=typ, dtype=str_t)
            for k, v in fields.items():
                n.create_dataset(k, data=v)

        node("input", "Input", shape=np.array([task.n_in], dtype=np.int64))
        node("fc1", "Linear", weight=weights[0].astype(np.float64))
        node("lif1", "CubaLIF", **nir_cuba_params(weights[0].shape[0], task.du, task.dv))
        node("fc2", "Linear", weight=weights[1].astype(np.float64))
        node("lif2", "CubaLIF", **nir_cuba_params(weights[1].shape[0], task.du, task.dv))
        node("output", "Output", shape=np.array([task.n_classes], dtype=np.int64))


def read_nir_weights(path):
    """The two Linear weights of a file write_nir made (used by the evaluation on committed assets)."""
    with h5py.File(path, "r") as f:
        n = f["node/nodes"]
        return [n["fc1/weight"][()], n["fc2/weight"][()]]


def chip_layers(task, weights):
    return [chiplif.quantise_layer(w, task.du, task.dv) for w in weights]


def write_ci_subset(path, task, x, y, layers, steps):
    """Input i goes to axon i of every core of the first layer (the x = 0 column). A comment line,
    then "samples steps inputs outputs t_in", then one line per sample: label, expected class, the
    expected output spike counts (from the integer model, which the chip must match exactly), and
    t_in hex words, one per input step: the inputs that spike in it as bits (np.packbits order:
    input i is bit 7 - i % 8 of byte i / 8)."""
    counts = chiplif.simulate_int(layers, x, steps).sum(1)
    with open(path, "w") as f:
        f.write(f"# {task.name}: {len(y)} test samples, {steps} steps, {task.n_in} inputs, {task.n_classes} outputs\n")
        f.write(f"{len(y)} {steps} {task.n_in} {task.n_classes} {x.shape[1]}\n")
        for b in range(len(y)):
            words = " ".join(np.packbits(x[b, t]).tobytes().hex() for t in range(x.shape[1]))
            f.write(f"{y[b]} {chiplif.decide(counts[b])} {' '.join(map(str, counts[b]))} {words}\n")


def export_all(task, weights, xte, yte, out, lifchip):
    """`lifchip`: the package lifchip or the path of the lifchip program (chiplif.seal)."""
    steps = chiplif.run_steps(len(weights), task.t_in)
    write_nir(os.path.join(out, f"{task.name}.nir"), task, weights)
    m = TEST_SAMPLES[task.name] or len(yte)
    np.savez_compressed(os.path.join(out, f"{task.name}_test.npz"), x=np.packbits(xte[:m], axis=-1), y=yte[:m],
                        shape=np.array(xte[:m].shape))
    layers = chip_layers(task, weights)
    text, _ = chiplif.image_text(layers, task.n_in, f"{task.name} (trained, built by tools/train)")
    chiplif.seal(lifchip, text, os.path.join(out, f"{task.name}.image.txtpb"))
    n = CI_SAMPLES[task.name]
    write_ci_subset(os.path.join(out, f"{task.name}_ci.txt"), task, xte[:n], yte[:n], layers, steps)


def load_test(out, name):
    d = np.load(os.path.join(out, f"{name}_test.npz"))
    shape = tuple(d["shape"])
    x = np.unpackbits(d["x"], axis=-1, count=shape[-1]).astype(bool)
    return x, d["y"]
