# `import lifchip` against the lifchip CLI on the same inputs (bit for bit), its shapes and dtypes,
# every bad-input path, and memory over 1,000 evolve calls. Run by ctest (python_module) with
# PYTHONPATH at the build tree's package and LIFCHIP_CLI the built program.
import json
import os
import subprocess

import h5py
import numpy as np
import pytest

import lifchip

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLES = os.path.join(ROOT, "tools", "examples")
DIGITS = os.path.join(EXAMPLES, "digits.nir")
CLI = os.environ.get("LIFCHIP_CLI", os.path.join(ROOT, "build", "tools", "lifchip"))
N = 12  # samples used against the CLI


def cli(*args, ok=True):
    r = subprocess.run([CLI, *args], capture_output=True, text=True, env={**os.environ, "LIFCHIP_PROGRESS": "never"})
    if ok:
        assert r.returncode == 0, r.stderr
    return r


def cli_error(*args):
    r = cli(*args, ok=False)
    assert r.returncode == 1, r.stderr
    line = r.stderr.strip().splitlines()[-1]
    assert line.startswith("lifchip: error: ")
    return line[len("lifchip: error: "):]


@pytest.fixture(scope="module")
def digits():
    d = np.load(os.path.join(EXAMPLES, "digits_test.npz"))
    x = np.unpackbits(d["x"], axis=-1, count=int(d["shape"][-1])).astype(bool)
    return x[:N], d["y"][:N].astype(np.int64)


@pytest.fixture(scope="module")
def net():
    return lifchip.load_network(DIGITS)


@pytest.fixture(scope="module")
def mapping(net):
    return lifchip.map(net)


def test_load_network(net):
    assert net.path == DIGITS
    assert net.dt == "auto"
    assert net.num_inputs == 64
    kinds = [p["kind"] for p in net.populations]
    assert kinds[0] == "input" and kinds[-1] == "output"
    assert sum(p["size"] for p in net.populations if p["kind"] == "input") == 64
    assert isinstance(net.import_notes, list) and isinstance(net.import_figures, dict)
    with h5py.File(DIGITS, "r") as f:
        assert lifchip.load_network(f).populations == net.populations
    assert lifchip.load_network(DIGITS, dt=0.001).dt == "0.001"


def test_map_equals_cli(tmp_path, mapping):
    img, bind = tmp_path / "d.pb", tmp_path / "b.json"
    r = cli("map", DIGITS, "-o", str(img), "--bindings", str(bind), "--json")
    assert json.loads(r.stdout) == mapping.report
    assert json.loads(bind.read_text()) == mapping.bindings
    assert img.read_bytes() == mapping.image
    assert mapping.fit["fits"] and mapping.num_inputs == 64 and mapping.num_outputs == 10
    mapping.save(str(tmp_path / "again.pb"), str(tmp_path / "again.json"))
    assert (tmp_path / "again.pb").read_bytes() == mapping.image
    # Options as the CLI spells them, and (W, H).
    a = lifchip.map(lifchip.load_network(DIGITS), mesh=(3, 2), partition="greedy", headroom=16)
    r = cli("map", DIGITS, "-o", str(img), "--mesh", "3x2", "--partition", "greedy", "--headroom", "16", "--json")
    assert json.loads(r.stdout) == a.report
    assert a.report["mesh"]["width"] == 3 and a.report["fit"]["cores_available"] == 6


def test_map_samples_equals_cli(tmp_path, net, digits):
    x, _ = digits
    np.save(tmp_path / "s.npy", x.astype(np.uint8))
    r = cli("map", DIGITS, "-o", str(tmp_path / "d.pb"), "--samples", str(tmp_path / "s.npy"), "--json")
    m = lifchip.map(net, samples=x)
    assert json.loads(r.stdout) == m.report
    assert (tmp_path / "d.pb").read_bytes() == m.image
    # One sample [steps, inputs] is a batch of one.
    assert lifchip.map(net, samples=x[0]).report == lifchip.map(net, samples=x[:1]).report


def test_evolve_shapes_and_dtypes(net, mapping, digits):
    x, _ = digits
    chip = lifchip.Chip(mapping)
    assert chip.backend == "functional"
    out, rec = chip.evolve(x)
    steps = x.shape[1]
    assert out.shape == (N, steps, 10) and out.dtype == np.float64
    assert set(np.unique(out)) <= {0.0, 1.0}
    run_steps = rec["steps"]
    assert run_steps == steps + mapping.latency
    cores = len(rec["cores"])
    for name, a in rec["counters"].items():
        assert a.shape == (N, cores) and a.dtype == np.uint64, name
    assert rec["per_step"]["spikes"].shape == (N, run_steps)
    assert rec["chip"]["timesteps"].tolist() == [run_steps] * N
    # Every integer dtype, a 2-D sample and a strided view give the same outputs.
    for dt in (np.uint8, np.int8, np.int16, np.uint16, np.int32, np.int64, np.uint64):
        assert np.array_equal(chip.evolve(x.astype(dt))[0], out)
    one, _ = chip.evolve(x[3])
    assert np.array_equal(one[0], out[3])
    wide = np.zeros((N, steps, 128), bool)
    wide[:, :, ::2] = x
    assert np.array_equal(chip.evolve(wide[:, :, ::2])[0], out)
    # Probes of the output neurons.
    _, rec = chip.evolve(x[:2], record=["v", "u"])
    keys = [k for k in rec if k.endswith(".v")]
    assert len(keys) == 1
    assert rec[keys[0]].shape == (2, run_steps, 10) and rec[keys[0]].dtype == np.int32
    assert np.any(rec[keys[0]] != 0)
    # Probes of named populations, hidden ones included: every neuron of each.
    pops = [p for p in net.populations if p["kind"] not in ("input", "output")]
    out_pop = keys[0][: -len(".v")]
    hidden = [p for p in pops if p["name"] != out_pop]
    assert hidden, "the digits network has a hidden population"
    _, named = chip.evolve(x[:2], record=["v"], populations=[hidden[0]["name"], out_pop])
    h = named[hidden[0]["name"] + ".v"]
    assert h.shape == (2, run_steps, hidden[0]["size"]) and np.any(h != 0)
    assert np.array_equal(named[out_pop + ".v"], rec[keys[0]])  # the same neurons by either path


def test_li_readout_outputs_are_the_readouts_v():
    corpus = os.path.join(ROOT, "tests", "nir_corpus")
    m = lifchip.map(lifchip.load_network(os.path.join(corpus, "norse_li_readout.nir")))
    x = np.load(os.path.join(corpus, "norse_li_readout_x.npy"))[:8]
    out, _ = lifchip.Chip(m).evolve(x)
    assert not set(np.unique(out)) <= {0.0, 1.0}, "read-out outputs are voltages, not spikes"
    ev = lifchip.evaluate(m, x, decode="max")
    assert ev["chip_class"] == np.argmax(out.max(axis=1), axis=1).tolist()
    ref = lifchip.simulate_float(m, x)
    assert np.corrcoef(out.ravel(), ref.ravel())[0, 1] > 0.95
    assert lifchip.evaluate(m, x)["decode"] == "max"  # auto: read-outs decode by their maximum


def test_evolve_equals_cli_run(tmp_path, mapping, digits):
    x, _ = digits
    img = tmp_path / "d.pb"
    mapping.save(str(img))
    channel_output = {terms[0][0]: o for o, terms in enumerate(mapping.bindings["output_terms"])}
    out, rec = lifchip.Chip(mapping).evolve(x[:4])
    for s in range(4):
        stim = tmp_path / f"s{s}.stimuli.txtpb"
        stim.write_text(mapping.stimuli_text(x[s]))
        r = json.loads(cli("run", str(img), "--stimuli", str(stim), "--json").stdout)
        want = np.zeros((r["steps"], 10))
        for sp in r["spikes"]:
            want[sp["step"], channel_output[sp["channel"]]] = 1
        assert np.array_equal(want[mapping.latency:], out[s])
        for name, total in r["totals"].items():
            assert int(rec["counters"][name][s].sum()) == total, name
        assert [f["spikes"] for f in r["per_step"]] == rec["per_step"]["spikes"][s].tolist()


def test_evaluate_equals_cli(tmp_path, mapping, digits):
    x, y = digits
    np.save(tmp_path / "x.npy", x.astype(np.uint8))
    np.save(tmp_path / "y.npy", y)
    r = json.loads(cli("evaluate", DIGITS, "--inputs", str(tmp_path / "x.npy"), "--labels", str(tmp_path / "y.npy"),
                       "--json").stdout)
    e = lifchip.evaluate(mapping, x, y)
    for d in (r, e):
        d.pop("inputs")
    assert e == r
    assert 0 <= e["chip_accuracy"] <= 1 and len(e["chip_class"]) == N


def test_simulate_float(mapping, digits):
    x, y = digits
    f = lifchip.simulate_float(mapping, x)
    assert f.shape == (N, x.shape[1], 10) and f.dtype == np.float64
    e = lifchip.evaluate(mapping, x, y)
    assert np.argmax(f.sum(1), axis=-1).tolist() == e["float_class"]


def test_estimate_equals_evaluate(mapping, digits):
    x, y = digits
    _, rec = lifchip.Chip(mapping).evolve(x)
    est = lifchip.estimate(rec)
    assert est == lifchip.evaluate(mapping, x, y)["estimate"]
    assert est["inferences"] == N and est["energy"]["per_inference_j"] > 0
    assert lifchip.estimate(rec, model="truenorth")["model"] == "truenorth"


def test_compare(mapping, digits):
    x, _ = digits
    chip = lifchip.Chip(mapping)
    c = chip.compare("systemc", x[:2])
    assert c["identical"] is True and c["samples"] == 2


def test_backends():
    assert {"functional", "systemc"} <= set(lifchip.backends())


# ---- Bad input: InputError (a ValueError) with the CLI's message --------------------------------

def test_errors_match_cli(tmp_path):
    missing = str(tmp_path / "missing.nir")
    with pytest.raises(lifchip.InputError) as e:
        lifchip.load_network(missing)
    assert str(e.value) == cli_error("import", missing)
    assert isinstance(e.value, ValueError)
    with pytest.raises(lifchip.InputError) as e:
        lifchip.load_network(str(tmp_path))
    assert str(e.value) == cli_error("import", str(tmp_path))
    with pytest.raises(lifchip.InputError) as e:
        lifchip.map(lifchip.load_network(DIGITS), mesh="1x1", neurons_per_core=16)
    assert str(e.value) == cli_error("map", DIGITS, "-o", str(tmp_path / "x.pb"), "--mesh", "1x1",
                                     "--neurons-per-core", "16")
    with pytest.raises(lifchip.InputError) as e:
        lifchip.map(lifchip.load_network(DIGITS), partition="best")
    assert str(e.value) == cli_error("map", DIGITS, "-o", str(tmp_path / "x.pb"), "--partition", "best")


@pytest.mark.parametrize("bad, words", [
    (np.zeros((10, 64), np.float64), ["raster", "float64", "[steps, 64]"]),
    (np.zeros((10, 63), bool), ["raster", "63 inputs", "[samples, steps, 64]"]),
    (np.zeros((2, 2, 10, 64), bool), ["raster", "4 dimensions"]),
    (np.zeros(64, bool), ["raster", "1 dimensions"]),
    (np.full((10, 64), 2, np.int32), ["raster", "element [0, 0] is 2"]),
    (np.zeros((0, 10, 64), bool), ["raster", "no samples"]),
])
def test_bad_rasters(mapping, bad, words):
    for f in (lambda: lifchip.Chip(mapping).evolve(bad), lambda: lifchip.simulate_float(mapping, bad),
              lambda: lifchip.evaluate(mapping, bad), lambda: lifchip.Chip(mapping).compare("systemc", bad)):
        with pytest.raises(ValueError) as e:
            f()
        for w in words:
            assert w in str(e.value)


def test_bad_arguments(net, mapping, digits):
    x, y = digits
    cases = [
        (lambda: lifchip.Chip(mapping, backend="fpga"), "fpga"),
        (lambda: lifchip.Chip(net), "not a lifchip.Mapping"),
        (lambda: lifchip.map(mapping), "not a lifchip.Network"),
        (lambda: lifchip.map(net, mesh="3by3"), "option 'mesh': '3by3' is not auto or WxH"),
        (lambda: lifchip.map(net, mesh=(3,)), "mesh"),
        (lambda: lifchip.map(net, dt="soon"), "option 'dt': 'soon'"),
        (lambda: lifchip.load_network(DIGITS, dt="soon"), "option 'dt': 'soon'"),
        (lambda: lifchip.map(net, reset="maybe"), "option 'reset': 'maybe'"),
        (lambda: lifchip.map(net, samples=np.zeros((1, 5, 3), bool)), "samples: shape [1, 5, 3]"),
        (lambda: lifchip.load_network(42), "source: int"),
        (lambda: lifchip.evaluate(mapping, x, y[:3]), "labels: expected one class per sample, shape [12]"),
        (lambda: lifchip.evaluate(mapping, x, y.astype(float)), "labels: dtype float64"),
        (lambda: lifchip.evaluate(mapping, x, -1 - y), "labels: element 0 is"),
        (lambda: lifchip.evaluate(mapping, x, decode="vote"), "vote"),
        (lambda: lifchip.evaluate(mapping, x, model="nomodel"), "nomodel"),
        (lambda: lifchip.Chip(mapping).evolve(x, record=["w"]), "record: 'w' is not a neuron variable"),
        (lambda: lifchip.estimate({}), "record: dict is not a lifchip.Record"),
        (lambda: lifchip.estimate(lifchip.Chip(mapping).evolve(x[:1])[1], model="nomodel"), "nomodel"),
        (lambda: lifchip.estimate(lifchip.Chip(mapping).evolve(x[:1])[1], step_rate=0), "step_rate"),
        (lambda: lifchip.Chip(mapping).compare("fpga", x[:1]), "fpga"),
    ]
    for f, words in cases:
        with pytest.raises(lifchip.InputError) as e:
            f()
        assert words in str(e.value), (words, str(e.value))
        assert "\n" not in str(e.value)


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def test_memory_does_not_grow_over_1000_evolve_calls(mapping, digits):
    x, _ = digits
    chip = lifchip.Chip(mapping)
    for _ in range(100):  # warm up the allocator
        chip.evolve(x[0], record=["v"])
    before = rss_bytes()
    for _ in range(1000):
        out, rec = chip.evolve(x[0], record=["v"])
    grown = rss_bytes() - before
    # One call's results are a few kB; a leak of them (or of a run) would be megabytes.
    assert grown < 8 * 1024 * 1024, f"RSS grew by {grown} bytes over 1,000 evolve calls"


# ---- NeuroBench metrics (Yik et al., Nature Communications 2025) from the counters ---------------

def test_neurobench_from_counters(mapping, digits):
    x, _ = digits
    _, rec = lifchip.Chip(mapping).evolve(x)
    nb = lifchip.neurobench(rec)
    c = rec["counters"]
    steps = rec["steps"]
    assert nb["inferences"] == N and nb["steps_per_inference"] == steps
    assert nb["SynapticOperations"]["Effective_ACs"] == c["syn_ops"].sum() / N
    assert nb["SynapticOperations"]["Effective_MACs"] == 0
    assert nb["MembraneUpdates"] == c["neuron_active"].sum() / N
    neurons = nb["chip"]["neurons"]
    assert neurons == 64 + 10
    assert nb["ActivationSparsity"] == pytest.approx(1 - c["spikes"].sum() / (neurons * steps * N), abs=1e-15)
    # snnTorch "Synaptic" (CUBA) neurons with reset to zero: 8 operations per update.
    assert nb["NeuronOperations"]["Effective"] == 8 * c["neuron_active"].sum() / N
    assert nb["NeuronOperations"]["Dense"] == 8 * (c["neuron_active"].sum() + c["neuron_idle"].sum()) / N
    # Dense connections: the NIR file's weight matrices into neuron populations.
    with h5py.File(DIGITS, "r") as f:
        dense = sum(f[f"node/nodes/{k}/weight"].size for k in ("fc1", "fc2"))
        nonzero = sum(int((f[f"node/nodes/{k}/weight"][()] != 0).sum()) for k in ("fc1", "fc2"))
    assert nb["chip"]["dense_connections"] == dense
    assert nb["SynapticOperations"]["Dense"] == dense * steps
    assert 0 < nb["chip"]["synapses"] <= nonzero
    assert nb["ConnectionSparsity"] == pytest.approx(1 - nb["chip"]["synapses"] / dense, abs=1e-15)
    assert nb["Footprint"] > 4 * nb["chip"]["synapses"]


def test_neurobench_equals_cli(tmp_path, mapping, digits):
    x, _ = digits
    img, stim = tmp_path / "d.pb", tmp_path / "s.stimuli.txtpb"
    mapping.save(str(img))
    stim.write_text(mapping.stimuli_text(x[0]))
    r = json.loads(cli("estimate", "--image", str(img), "--stimuli", str(stim), "--model", "loihi1", "--neurobench",
                       "--network", DIGITS, "--json").stdout)
    _, rec = lifchip.Chip(mapping).evolve(x[:1])
    assert lifchip.neurobench(rec) == r["neurobench"]
    del r["neurobench"]
    assert lifchip.estimate(rec) == r
    text = cli("estimate", "--image", str(img), "--stimuli", str(stim), "--neurobench").stdout
    assert "ConnectionSparsity               - (needs the network: --network)" in text
    assert cli_error("estimate", "--image", str(img), "--stimuli", str(stim), "--network", DIGITS) == \
        "option '--network': needs --neurobench"
    with pytest.raises(lifchip.InputError):
        lifchip.neurobench({})


def test_image_run_equals_cli(tmp_path, mapping, digits):
    x, _ = digits
    img, stim = tmp_path / "d.pb", tmp_path / "s.stimuli.txtpb"
    mapping.save(str(img))
    stim.write_text(mapping.stimuli_text(x[1]))
    image = lifchip.load_image(str(img))
    assert image.cores_used == 1 and image.name == "digits.nir"
    chip = lifchip.Chip(image, backend="systemc")
    spikes, rec = chip.run(stim.read_text())
    r = json.loads(cli("run", str(img), "--stimuli", str(stim), "--backend", "systemc", "--json").stdout)
    assert spikes.dtype == np.uint64 and spikes.shape == (len(r["spikes"]), 3)
    assert spikes.tolist() == [[s["step"], s["channel"], s["cycle"]] for s in r["spikes"]]
    for name, total in r["totals"].items():
        assert int(rec["counters"][name].sum()) == total, name
    assert rec["chip"]["cycles"].tolist() == [r["chip"]["cycles"]]
    assert lifchip.estimate(rec) == json.loads(cli("estimate", "--image", str(img), "--stimuli", str(stim), "--backend",
                                                   "systemc", "--model", "loihi1", "--json").stdout)
    assert chip.run(stim.read_text(), steps=3)[1]["steps"] == 3
    missing = str(tmp_path / "missing.pb")
    with pytest.raises(lifchip.InputError) as e:
        lifchip.load_image(missing)
    assert str(e.value) == cli_error("run", missing, "--steps", "1")
    for f, words in [(lambda: chip.evolve(x), "evolve: this chip was loaded from an image file"),
                     (lambda: chip.compare("functional", x), "compare: this chip was loaded from an image file"),
                     (lambda: chip.run("steps {"), "stimuli: not a Stimuli message"),
                     (lambda: chip.run(""), "stimuli: nothing to run")]:
        with pytest.raises(lifchip.InputError) as e:
            f()
        assert words in str(e.value)


def test_seal_image_equals_cli(tmp_path):
    # An image with its checksum cleared, sealed by the module and by `lifchip image seal`: the same
    # bytes, text and binary, in place and to another file; bad input gives the CLI's line.
    text = open(os.path.join(EXAMPLES, "small_net.image.txtpb")).read()
    unsealed = "\n".join(l for l in text.splitlines() if not l.strip().startswith("checksum:")) + "\n"
    assert unsealed != text
    for out in ("a.image.txtpb", "a.image.pb"):
        src = tmp_path / "in.image.txtpb"
        src.write_text(unsealed)
        checksum = lifchip.seal_image(src, tmp_path / out)
        cli("image", "seal", str(src), "-o", str(tmp_path / ("cli." + out)))
        assert (tmp_path / out).read_bytes() == (tmp_path / ("cli." + out)).read_bytes(), out
        assert lifchip.load_image(str(tmp_path / out)).cores_used == 3
        assert isinstance(checksum, int) and checksum != 0
    lifchip.seal_image(src)  # in place: now as the CLI wrote it
    assert src.read_bytes() == (tmp_path / "cli.a.image.txtpb").read_bytes()
    bad = tmp_path / "bad.image.txtpb"
    bad.write_text(unsealed.replace("lfsr_seed", "lfsr_sed", 1))
    with pytest.raises(lifchip.InputError) as e:
        lifchip.seal_image(bad)
    assert str(e.value) == cli_error("image", "seal", str(bad), "-o", str(tmp_path / "x.txtpb"))
    with pytest.raises(lifchip.InputError) as e:
        lifchip.seal_image(tmp_path)
    assert str(e.value) == cli_error("image", "seal", str(tmp_path), "-o", str(tmp_path / "x.txtpb"))
