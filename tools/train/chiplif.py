# Shared pieces of the training recipe: the chip's CUBA-LIF step in integer numpy (bit for bit as
# docs/spec.md §2), the float/integer parameter bridge, and writers for chip images and stimuli.
import json
import os
import subprocess
import tempfile

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def constants():
    """The chip constants, read from the one file that defines them."""
    with open(os.path.join(ROOT, "core_model", "spec", "chip_constants.json")) as f:
        return {c["name"]: c["value"] for c in json.load(f)["constants"]}


C = constants()
DECAY_ONE = C["DECAY_ONE"]
IN_SHIFT = C["INPUT_SHIFT"]
THR_SHIFT = C["THRESHOLD_SHIFT"]
A_IN_MAX = (1 << (C["A_IN_BITS"] - 1)) - 1
U_HALF = 1 << (C["STATE_BITS"] - 1)  # 2^23
W_MAX = (1 << (C["WEIGHT_BITS"] - 1)) - 1  # 127
VTH_MAX = (1 << C["VTH_BITS"]) - 1
NEURONS_PER_CORE = C["NEURONS_PER_CORE_DEFAULT"]
AXONS_PER_CORE = C["AXONS_PER_CORE_DEFAULT"]
SYNAPSES_PER_CORE = C["SYNAPSES_PER_CORE_DEFAULT"]


def alpha_of(du):
    """The float factor the chip applies to u per step: (4096 - (du + 1)) / 4096 (spec §2.4)."""
    return (DECAY_ONE - (du + 1)) / DECAY_ONE


def beta_of(dv):
    return (DECAY_ONE - dv) / DECAY_ONE


# ---------------------------------------------------------------------------------------------
# Integer network: layers of CUBA-LIF neurons, each fed by the previous layer (or the input).


class ChipLayer:
    """One fully connected layer on the chip's grid: weight = mant << exp, threshold vth << 6."""

    def __init__(self, mant, weight_exp, du, dv, vth):
        self.mant = np.asarray(mant, dtype=np.int64)  # [out, in], -128..127
        self.weight_exp = int(weight_exp)
        self.du, self.dv, self.vth = int(du), int(dv), int(vth)
        assert self.mant.min() >= -W_MAX - 1 and self.mant.max() <= W_MAX
        assert 0 <= self.vth <= VTH_MAX and C["WEIGHT_EXP_MIN"] <= self.weight_exp <= C["WEIGHT_EXP_MAX"]

    def scaled(self):
        e = self.weight_exp
        return self.mant << e if e >= 0 else self.mant >> -e  # arithmetic shift, as spec §2.3


def trunc0_decay(x, keep):
    """trunc0(x * keep / 4096) with a 64-bit product (spec notation)."""
    p = x * keep
    return np.sign(p) * (np.abs(p) >> 12)


def simulate_int(layers, in_spikes, steps):
    """Runs the integer chip dynamics on a batch. in_spikes: bool [B, T_in, n_in], delivered in the
    step they are listed for; a layer's spikes of step t reach the next layer in step t+1.
    Returns the output layer's spikes, bool [B, steps, n_out]."""
    B = in_spikes.shape[0]
    W = [l.scaled() for l in layers]
    u = [np.zeros((B, l.mant.shape[0]), np.int64) for l in layers]
    v = [np.zeros_like(x) for x in u]
    prev = [np.zeros((B, l.mant.shape[1]), bool) for l in layers]  # spikes arriving this step
    out = np.zeros((B, steps, layers[-1].mant.shape[0]), bool)
    for t in range(steps):
        x_in = in_spikes[:, t, :] if t < in_spikes.shape[1] else np.zeros(in_spikes[:, 0, :].shape, bool)
        arriving = [x_in] + prev[1:]
        new_prev = [None] * len(layers)
        for k, l in enumerate(layers):
            acc = arriving[k].astype(np.int64) @ W[k].T
            a_in = np.clip(acc, -A_IN_MAX - 1, A_IN_MAX)
            u1 = trunc0_decay(u[k], DECAY_ONE - (l.du + 1)) + (a_in << IN_SHIFT)
            u1 = np.where(u1 > U_HALF, u1 - 2 * U_HALF, u1)
            u1 = np.where(u1 <= -U_HALF, u1 + 2 * U_HALF, u1)
            v1 = trunc0_decay(v[k], DECAY_ONE - l.dv) + u1
            v1 = np.clip(v1, -(U_HALF - 1), U_HALF - 1)
            s = v1 > (l.vth << THR_SHIFT)
            v1 = np.where(s, 0, v1)
            u[k], v[k] = u1, v1
            if k + 1 < len(layers):
                new_prev[k + 1] = s
            else:
                out[:, t, :] = s
        prev = new_prev
    return out


def run_steps(n_layers, t_in):
    """Steps needed so the last input spike can reach the output layer and make it spike."""
    return t_in + n_layers


# ---------------------------------------------------------------------------------------------
# Float -> integer bridge.


# Every exported layer has threshold vth = VTH_EXPORT, so thr = vth << 6 = 2^18 and the chip's 24-bit
# ranges are fixed multiples of the float threshold: v saturates at -(2^23 - 1) / 2^18 ~ -32 (the
# float model clamps v there too), u wraps beyond +-32 (training keeps |u| under U_SAFE), a_in
# saturates at 32 thresholds per step.
VTH_EXPORT = 4096
V_SAT = (U_HALF - 1) / (VTH_EXPORT << THR_SHIFT)
U_SAFE = 24.0


def weight_grid(w_absmax):
    """The weight exponent e and grid step 2^e / (vth << 6 >> 6) of a layer whose largest |w| is
    w_absmax (threshold units): the smallest e whose 8-bit mantissa still holds w_absmax."""
    e = C["WEIGHT_EXP_MIN"]
    while e < C["WEIGHT_EXP_MAX"] and w_absmax * VTH_EXPORT / 2.0**e > W_MAX + 0.49:
        e += 1
    return e, 2.0**e / VTH_EXPORT


def quantise_layer(w, du, dv):
    """Maps a float layer (threshold 1) onto the chip: vth = VTH_EXPORT, weight = mant << e with
    mant = round(w / step). Training keeps w on that grid (quantisation-aware), so this is exact."""
    w = np.asarray(w, dtype=np.float64)
    e, step = weight_grid(np.abs(w).max())
    mant = np.clip(np.round(w / step), -W_MAX - 1, W_MAX).astype(np.int64)
    return ChipLayer(mant, e, du, dv, VTH_EXPORT)


# ---------------------------------------------------------------------------------------------
# Chip image and stimuli (text protobuf, docs/formats.md).


def lst(values):
    return "[" + ", ".join(str(int(v)) for v in values) + "]"


def place(layers, n_in):
    """Splits each layer into chunks of consecutive neurons that fit one core (neurons, synapse
    entries); chunk j of layer k goes to core (k, j) — layer order along x, so packets flow east
    from the host port at (0,0), and the input layer's cores are the x = 0 column.
    Returns per layer a list of (x, y, first_neuron, count), and the mesh width and height used."""
    placement = []
    for k, l in enumerate(layers):
        if l.mant.shape[1] > AXONS_PER_CORE:
            raise ValueError(f"layer {k}: {l.mant.shape[1]} inputs > {AXONS_PER_CORE} axons per core")
        per_neuron = np.count_nonzero(l.mant, axis=1)
        chunks, s = [], 0
        while s < len(per_neuron):
            c, syn = 0, 0
            while s + c < len(per_neuron) and c < NEURONS_PER_CORE and syn + per_neuron[s + c] <= SYNAPSES_PER_CORE:
                syn += per_neuron[s + c]
                c += 1
            chunks.append((k, len(chunks), s, c))
            s += c
        placement.append(chunks)
    width = len(layers)
    height = max(len(p) for p in placement)
    return placement, width, height


def image_text(layers, n_in, name):
    """The chip image of a feed-forward network: input i is axon i of every core of layer 0; output
    neuron k fans out to host channel k. Zero weights make no synapse entry."""
    placement, width, height = place(layers, n_in)
    mesh_w, mesh_h = max(width, C["MESH_WIDTH_DEFAULT"]), max(height, C["MESH_HEIGHT_DEFAULT"])
    out = [f'name: "{name}"', f"config {{ mesh_width: {mesh_w} mesh_height: {mesh_h} }}", "learning_enabled: false"]
    for k, l in enumerate(layers):
        for (x, y, s, c) in placement[k]:
            base, cnt, sn, sw = [], [], [], []
            for a in range(l.mant.shape[1]):
                tgt = np.nonzero(l.mant[s : s + c, a])[0]
                base.append(len(sn))
                cnt.append(len(tgt))
                sn += list(tgt)
                sw += list(l.mant[s + tgt, a])
            fb, fc, fh, fx, fy, fa = [], [], [], [], [], []
            for n in range(c):
                fb.append(len(fh))
                if k + 1 == len(layers):
                    fh.append("true"), fx.append(0), fy.append(0), fa.append(s + n)
                    fc.append(1)
                else:
                    dests = placement[k + 1]
                    for (dx, dy, _, _) in dests:
                        fh.append("false"), fx.append(dx), fy.append(dy), fa.append(s + n)
                    fc.append(len(dests))
            out += [
                "cores {",
                f"  x: {x} y: {y}",
                f"  profiles {{ du: {l.du} dv: {l.dv} vth: {l.vth} }}",
                f"  groups {{ weight_exp: {l.weight_exp} w_min: -128 w_max: 127 }}",
                "  lfsr_seed: 1",
                f"  neuron_profile: {lst([0] * c)}",
                f"  neuron_bias_mant: {lst([0] * c)}",
                f"  neuron_u: {lst([0] * c)}",
                f"  neuron_v: {lst([0] * c)}",
                f"  neuron_fanout_base: {lst(fb)}",
                f"  neuron_fanout_count: {lst(fc)}",
                f"  axon_syn_base: {lst(base)}",
                f"  axon_syn_count: {lst(cnt)}",
                f"  syn_neuron: {lst(sn)}",
                f"  syn_weight: {lst(sw)}",
                f"  syn_group: {lst([0] * len(sn))}",
                f"  fanout_to_host: [{', '.join(fh)}]",
                f"  fanout_x: {lst(fx)}",
                f"  fanout_y: {lst(fy)}",
                f"  fanout_axon: {lst(fa)}",
                "}",
            ]
    return "\n".join(out) + "\n", placement


def stimuli_text(in_spikes_one, input_cores, steps, name="", input_targets=None):
    """Stimuli of one sample: in_spikes_one bool [T, n_in]. Input i goes to axon i of every core in
    input_cores (the cores of layer 0), or, when input_targets is given (the mapper's bindings), to
    every (x, y, axon) of input_targets[i]."""
    lines = [f'name: "{name}"', f"num_steps: {steps}"]
    for t in range(in_spikes_one.shape[0]):
        idx = np.nonzero(in_spikes_one[t])[0]
        if len(idx) == 0:
            continue
        xs, ys, ax = [], [], []
        if input_targets is None:
            for (x, y) in input_cores:
                xs += [x] * len(idx)
                ys += [y] * len(idx)
                ax += list(idx)
        else:
            for i in idx:
                for (x, y, a) in input_targets[i]:
                    xs.append(x), ys.append(y), ax.append(a)
        lines.append(f"steps {{ step: {t} x: {lst(xs)} y: {lst(ys)} axon: {lst(ax)} }}")
    return "\n".join(lines) + "\n"


def seal(lifchip, text, path):
    """Writes an image and seals it (validated, checksum set): `lifchip` is the package lifchip
    (``lifchip.seal_image``) or the path of the lifchip program (``lifchip image seal``); the file is
    the same either way."""
    with open(path, "w") as f:
        f.write(text)
    if isinstance(lifchip, str):
        subprocess.run([lifchip, "image", "seal", path, "-o", path], check=True, stdout=subprocess.DEVNULL)
    else:
        lifchip.seal_image(path)


def lifchip_counts(lifchip, image, in_spikes, input_cores, steps, n_out, backend, extra=None, input_targets=None,
                   channel_output=None, estimate=None):
    """Runs every sample through `lifchip run --json` (one run per sample: loading the image resets
    the chip). Returns spike counts [B, n_out], spike rasters [B, steps, n_out], the JSON of the
    first run, and the counters summed over the samples. With `estimate` (extra arguments of
    `lifchip estimate`, e.g. ["--model", "loihi1"]) each run is also priced: the totals gain
    energy_j and latency_s (summed), latency_cycle_accurate and the estimate's latency method."""
    counts = np.zeros((in_spikes.shape[0], n_out), np.int64)
    rasters = np.zeros((in_spikes.shape[0], steps, n_out), bool)
    first = None
    totals = {}
    with tempfile.TemporaryDirectory() as tmp:
        stim = os.path.join(tmp, "s.stimuli.txtpb")
        run_pb = os.path.join(tmp, "run.pb")
        for b in range(in_spikes.shape[0]):
            with open(stim, "w") as f:
                f.write(stimuli_text(in_spikes[b], input_cores, steps, input_targets=input_targets))
            cmd = [lifchip, "run", image, "--stimuli", stim, "--backend", backend, "--json"] + (extra or [])
            if estimate is not None:
                cmd += ["-o", run_pb]
            r = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
            for sp in r["spikes"]:
                o = sp["channel"] if channel_output is None else channel_output[sp["channel"]]
                counts[b, o] += 1
                rasters[b, sp["step"], o] = True
            for key, val in r["totals"].items():
                totals[key] = totals.get(key, 0) + val
            totals["chip_cycles"] = totals.get("chip_cycles", 0) + r["chip"].get("cycles", 0)
            if estimate is not None:
                e = json.loads(subprocess.run([lifchip, "estimate", run_pb, "--image", image, "--json"] + estimate,
                                              check=True, capture_output=True, text=True).stdout)
                totals["energy_j"] = totals.get("energy_j", 0) + e["energy"]["per_inference_j"]
                totals["latency_s"] = totals.get("latency_s", 0) + e["latency"]["inference_s"]
                totals["latency_cycle_accurate"] = e["latency"]["cycle_accurate"]
                totals["latency_method"] = e["latency"]["method"]
                totals["estimate_model"] = e["model"]
            if first is None:
                first = r
    return counts, rasters, first, totals


def module_counts(chip, in_spikes, input_cores, steps, n_out, input_targets=None, channel_output=None,
                  energy_model=None):
    """lifchip_counts through `import lifchip` (docs/python.md) instead of the CLI: the same runs (one
    per sample from a freshly loaded chip, the same Stimuli messages), the same figures, no processes
    and no files. `chip` is a lifchip.Chip; `energy_model` (e.g. "loihi1") prices every run."""
    import lifchip
    counts = np.zeros((in_spikes.shape[0], n_out), np.int64)
    rasters = np.zeros((in_spikes.shape[0], steps, n_out), bool)
    totals = {}
    for b in range(in_spikes.shape[0]):
        spikes, rec = chip.run(stimuli_text(in_spikes[b], input_cores, steps, input_targets=input_targets))
        ch = spikes[:, 1] if channel_output is None else np.array([channel_output[c] for c in spikes[:, 1]], int)
        np.add.at(counts[b], ch, 1)
        rasters[b, spikes[:, 0].astype(int), ch] = True
        for key, val in rec["counters"].items():
            totals[key] = totals.get(key, 0) + int(val.sum())
        totals["chip_cycles"] = totals.get("chip_cycles", 0) + int(rec["chip"]["cycles"][0])
        if energy_model is not None:
            e = lifchip.estimate(rec, model=energy_model)
            totals["energy_j"] = totals.get("energy_j", 0) + e["energy"]["per_inference_j"]
            totals["latency_s"] = totals.get("latency_s", 0) + e["latency"]["inference_s"]
            totals["latency_cycle_accurate"] = e["latency"]["cycle_accurate"]
            totals["latency_method"] = e["latency"]["method"]
            totals["estimate_model"] = e["model"]
    return counts, rasters, None, totals


def decide(counts):
    """The class: most output spikes, lowest index on a tie (the same rule everywhere)."""
    return np.argmax(counts, axis=-1)


def simulate_float(weights, du, dv, in_spikes, steps):
    """The same discrete dynamics in float64 with threshold 1 (what the torch model computes):
    u = alpha u + W s;  v = beta v + u;  spike when v > 1, then v = 0. Returns output spikes."""
    alpha, beta = alpha_of(du), beta_of(dv)
    B = in_spikes.shape[0]
    u = [np.zeros((B, w.shape[0])) for w in weights]
    v = [np.zeros_like(x) for x in u]
    prev = [np.zeros((B, w.shape[1]), bool) for w in weights]
    out = np.zeros((B, steps, weights[-1].shape[0]), bool)
    for t in range(steps):
        x_in = in_spikes[:, t, :] if t < in_spikes.shape[1] else np.zeros(in_spikes[:, 0, :].shape, bool)
        arriving = [x_in] + prev[1:]
        new_prev = [None] * len(weights)
        for k, w in enumerate(weights):
            u[k] = alpha * u[k] + arriving[k].astype(np.float64) @ w.T
            v[k] = np.maximum(beta * v[k] + u[k], -V_SAT)  # the chip's saturation
            s = v[k] > 1.0
            v[k] = np.where(s, 0.0, v[k])
            if k + 1 < len(weights):
                new_prev[k + 1] = s
            else:
                out[:, t, :] = s
        prev = new_prev
    return out
