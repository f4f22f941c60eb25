"""lifchip from Python: map a trained spiking network onto the chip, run it, price it (docs/python.md).

    net = lifchip.load_network("model.nir")
    m = lifchip.map(net, samples=raster)
    out, record = lifchip.Chip(m).evolve(raster)

The work is done by lifchip's C++ mapper and flow layer (the same functions as the ``lifchip`` CLI,
so results are bit for bit the CLI's); this package converts arguments and results. Bad input raises
``lifchip.InputError`` (a ``ValueError``) with the CLI's one-line message.
"""
import json as _json
import os as _os

import numpy as _np

from . import _lifchip
from ._lifchip import Image, InputError, Network

__all__ = ["InputError", "Network", "Image", "load_image", "seal_image", "Mapping", "Chip", "Record", "load_network", "map", "simulate_float",
           "evaluate", "estimate", "neurobench", "backends"]


def load_network(source, dt="auto"):
    """A network from a NIR file (.nir/.h5/.hdf5), an open ``h5py.File`` of one, or our protobuf network
    (.pb/.txtpb). ``dt``: "auto" (the network's, else its producer's convention) or seconds; ``map``
    uses it unless given its own. Returns a Network (populations, sizes, import notes)."""
    path = getattr(source, "filename", source)  # h5py.File: its file name
    if hasattr(path, "__fspath__"):
        path = path.__fspath__()
    if not isinstance(path, str):
        raise InputError(f"source: {type(source).__name__} is not a path or an h5py.File")
    if not isinstance(dt, str):
        dt = repr(float(dt))
    return _lifchip.load_network(path, dt)


def load_image(path):
    """A chip image file (``lifchip map -o``, or built by hand), checked as ``lifchip image check``
    does; ``Chip(image).run(stimuli)`` runs it."""
    return _lifchip.load_image(str(path))


def seal_image(path, out=None):
    """Validates a chip image file and sets its checksum, as ``lifchip image seal PATH -o OUT`` (OUT:
    PATH itself unless given; text for .txtpb/.pbtxt/.textproto, else binary), byte for byte the
    CLI's file. Returns the checksum."""
    path = _os.fspath(path)
    out = path if out is None else _os.fspath(out)
    data, checksum = _lifchip.seal_image(path, out)
    tmp = f"{out}.tmp.{_os.getpid()}"
    try:
        with open(tmp, "wb") as f:
            f.write(data)
        _os.replace(tmp, out)
    except OSError as e:
        if _os.path.exists(tmp):
            _os.remove(tmp)
        raise InputError(f"{out}: cannot write: {e.strerror}") from None
    return checksum


class Mapping:
    """A network mapped onto the chip: ``image`` (the sealed chip image, bytes), ``report`` (the
    mapping report as ``lifchip map --json`` prints it), ``bindings`` (``lifchip map --bindings``),
    ``fit``, ``warnings``, ``dt``."""

    def __init__(self, core, network):
        self._core = core
        self.network = network
        self.report = _json.loads(core.report_json)
        self.bindings = _json.loads(core.bindings_json)

    @property
    def fit(self):
        return self.report["fit"]

    @property
    def warnings(self):
        return list(self._core.warnings)

    @property
    def dt(self):
        return self._core.dt

    @property
    def image(self):
        return self._core.image_bytes()

    @property
    def num_inputs(self):
        return self._core.num_inputs

    @property
    def num_outputs(self):
        return self._core.num_outputs

    @property
    def latency(self):
        return self._core.latency

    def table(self):
        """The report as ``lifchip map`` prints it."""
        return self._core.report_table

    def save(self, image_path, bindings_path=None):
        """Writes the image (text format for .txtpb/.pbtxt/.textproto, else binary) and the bindings."""
        text = str(image_path).endswith((".txtpb", ".pbtxt", ".textproto"))
        with open(image_path, "w" if text else "wb") as f:
            f.write(self._core.image_text() if text else self._core.image_bytes())
        if bindings_path is not None:
            with open(bindings_path, "w") as f:
                f.write(self._core.bindings_json)

    def stimuli_text(self, raster):
        """One sample's host spikes [steps, inputs] as a Stimuli message (``lifchip run --stimuli``)."""
        return self._core.stimuli_text(raster)


def map(net, mesh="auto", partition="auto", headroom=0.0, samples=None, **options):
    """Maps a Network onto the chip, as ``lifchip map``: mesh "auto" or "WxH" (or (W, H)); partition
    "auto" | "greedy" | "optimise"; headroom in thresholds (0: calibrated on ``samples``, else 32);
    samples a spike raster [samples, steps, inputs] that calibrates the ranges and weights the traffic.
    Further keywords: place, dt, reset, seed, strict, neurons_per_core, axons_per_core,
    synapses_per_core, fanout_per_core, profiles_per_core."""
    if not isinstance(net, Network):
        raise InputError(f"net: {type(net).__name__} is not a lifchip.Network (lifchip.load_network)")
    if isinstance(mesh, (tuple, list)):
        if len(mesh) != 2:
            raise InputError(f"mesh: {mesh!r} is not (width, height)")
        mesh = f"{mesh[0]}x{mesh[1]}"
    if "dt" in options and options["dt"] is not None and not isinstance(options["dt"], str):
        options["dt"] = repr(float(options["dt"]))
    if samples is not None:
        samples = _raster(samples, "samples", batched=True)
    return Mapping(_lifchip.map(net, mesh=mesh, partition=partition, headroom=float(headroom), samples=samples,
                                **options), net)


def _raster(a, name, batched=False):
    if not isinstance(a, _np.ndarray):
        a = _np.asarray(a)
    if batched and a.ndim == 2:
        a = a[None]  # a view: one sample
    return a


class Record(dict):
    """What a run recorded: ``"POPULATION.VAR"`` probes [samples, steps, neurons] (int32, the chip's
    fixed-point state), ``"counters"`` {name: [samples, cores]} (uint64, spec §8), ``"chip"``
    {name: [samples]}, ``"per_step"`` {spikes, syn_ops, packets, cycles: [samples, steps]}, ``"cores"``
    [(x, y)], ``"backend"``, ``"steps"``. ``lifchip.estimate(record)`` prices it."""

    def __init__(self, d, run):
        super().__init__(d)
        self.run = run


class Chip:
    """A chip model ("functional", "systemc", "rtl") loaded with a Mapping (``evolve`` speaks the
    network's inputs and outputs) or an Image (``run`` speaks host packets)."""

    def __init__(self, m, backend="functional"):
        if isinstance(m, Mapping):
            self.mapping = m
            self._chip = _lifchip.Chip(m._core, backend)
        elif isinstance(m, Image):
            self.mapping = None
            self._chip = _lifchip.Chip(m, backend)
        else:
            raise InputError(f"m: {type(m).__name__} is not a lifchip.Mapping (lifchip.map) or Image (load_image)")

    @property
    def backend(self):
        return self._chip.backend

    def evolve(self, raster, record=(), populations=None):
        """Runs a raster [steps, inputs] or [samples, steps, inputs] (bool or integer 0/1), each sample
        from a freshly loaded chip. Returns (out, record): out the network's outputs [samples, steps,
        outputs] (float64; 1.0 on a spike for spiking outputs, the read-out's v for LI/CubaLI
        read-outs), the latency removed so step t lines up with the float reference; record a Record
        with the probes of ``record`` (variables among u, v, ref, post, [samples, steps + latency,
        neurons] per population: every neuron of each population named in ``populations``, hidden
        ones included, or by default the output-driving neurons) and the counters."""
        if isinstance(record, str):
            record = [record]
        if isinstance(populations, str):
            populations = [populations]
        out, rec, run = self._chip.evolve(_raster(raster, "raster"), list(record), list(populations or ()))
        return out, Record(rec, run)

    def run(self, stimuli, steps=0, probes=""):
        """One run of a Stimuli message (text format, as ``lifchip run --stimuli`` reads) from a
        freshly loaded chip: (spikes, record), spikes [n, 3] uint64 rows (step, channel, cycle) and
        record as ``evolve``'s for one sample. ``steps`` 0: the stimuli's. ``probes``: a ProbeSpec
        message (text format, as ``lifchip run --probes`` reads); record["probes"] then maps each
        probe's label (as ``lifchip run --json`` names it) to its values per step (int32)."""
        spikes, rec, run = self._chip.run(stimuli, int(steps), probes)
        return spikes, Record(rec, run)

    def compare(self, other_backend, raster):
        """Runs both backends through the firmware on every sample; a dict with ``identical`` and, when
        not, the sample, step, core, neuron or synapse, variable, phase and both values of the first
        divergence (``text`` is ``lifchip compare``'s line)."""
        return self._chip.compare(other_backend, _raster(raster, "raster"))


def simulate_float(m, raster):
    """The float reference (the network in double precision at the mapping's dt, the chip's timing) on
    a raster: outputs [samples, steps, outputs], lined up with ``Chip.evolve``'s."""
    if not isinstance(m, Mapping):
        raise InputError(f"m: {type(m).__name__} is not a lifchip.Mapping (lifchip.map)")
    return _lifchip.simulate_float(m._core, _raster(raster, "raster"))


def evaluate(m, raster, labels=None, backend="functional", decode="auto", model="loihi1"):
    """Chip against float on every sample, as ``lifchip evaluate --json`` (the same keys and figures)."""
    if not isinstance(m, Mapping):
        raise InputError(f"m: {type(m).__name__} is not a lifchip.Mapping (lifchip.map)")
    if labels is not None:
        labels = _np.asarray(labels)
        if labels.dtype.kind not in "iub":
            raise InputError(f"labels: dtype {labels.dtype} is not integer; expected one class per sample")
    return _lifchip.evaluate(m._core, _raster(raster, "raster"), labels, backend, decode, model)


def estimate(record, model="loihi1", inference_steps=0, step_rate=1000.0, static_all_cores=False):
    """Energy and latency of a recorded run (every sample back to back, one inference each unless
    ``inference_steps`` says otherwise), as ``lifchip estimate --json``: a dict with the breakdowns
    per component, core and link."""
    if not isinstance(record, Record):
        raise InputError(f"record: {type(record).__name__} is not a lifchip.Record (Chip.evolve)")
    return _lifchip.estimate(record.run, model, int(inference_steps), float(step_rate), bool(static_all_cores))


def neurobench(record):
    """NeuroBench's metrics (Yik et al., Nature Communications 2025) from a recorded run's exact
    counters, per inference (one per sample): Footprint, ConnectionSparsity, ActivationSparsity,
    SynapticOperations (Effective_MACs, Effective_ACs, Dense), MembraneUpdates, NeuronOperations, as
    ``lifchip estimate --neurobench --json`` (docs/estimate.md says how each maps onto the chip)."""
    if not isinstance(record, Record):
        raise InputError(f"record: {type(record).__name__} is not a lifchip.Record (Chip.evolve)")
    return _lifchip.neurobench(record.run)


def backends():
    """The chip models this build has."""
    return list(_lifchip.backends())
