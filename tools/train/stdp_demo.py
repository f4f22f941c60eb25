#!/usr/bin/python3
# On-chip STDP demo (after Masquelier, Guyonneau & Thorpe 2008): a repeating spatio-temporal spike
# pattern hides in Poisson noise; a few neurons with plastic input synapses and lateral inhibition,
# run entirely on the chip model with learning on, learn to fire when it appears. Writes the image,
# the stimuli and probe list (text protobuf), runs them through `import lifchip` (Chip.run with the
# probes; --use-cli: `lifchip run --probes --json`, the same numbers), and plots the weight
# evolution and the detection latency over presentations as SVG (written by hand, no matplotlib).
#   /usr/bin/python3 tools/train/stdp_demo.py [--steps 20000] [--out DIR] [--use-cli --lifchip build/tools/lifchip]
import argparse
import json
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import chiplif  # noqa: E402
import svg  # noqa: E402

N_AFF = 200  # afferents (host input axons 0..199)
N_PAT = 100  # afferents 0..99 take part in the pattern
K = 3  # learning neurons
PAT_LEN = 40  # pattern length, steps (1 step = 1 ms)
RATE = 0.025  # noise spike probability per afferent per step (25 Hz at 1 ms)
JITTER = 0.005  # extra random spikes during a pattern too
GAP = (60, 200)  # steps of pure noise between presentations
W0 = (40, 80)  # initial plastic weights


class Demo:
    """The network and its parameters, all in chip units (spec §2, §4)."""

    du, dv, vth = 2047, 300, 5000  # u: half per step; v: tau ~ 14 steps
    refractory = 5
    # Traces: tau ~ 16 (pre) and 32 (post) steps. Potentiation x >> 3, depression y >> 3: the window's
    # depression area (44/8 * 32) exceeds its potentiation area (60/8 * 16) by 1.5x, as in
    # Masquelier et al. (1.7x), so uncorrelated afferents are depressed and only afferents that
    # fire consistently just before the post spike (the pattern's early ones) grow.
    pre_decay, post_decay = 256, 128
    pre_impulse, post_impulse = 60, 44
    lr_pot, lr_dep = 3, 3
    inhib_w, inhib_exp = -128, 3
    seed = 0xACE1


def image_text(d):
    """Core (0,0): K neurons; axons 0..N_AFF-1 from the host onto every neuron (group 0, plastic);
    axon N_AFF + k carries neuron k back into the core and inhibits the others (group 1)."""
    rng = np.random.default_rng(7)
    sn, sw, sg, base, cnt = [], [], [], [], []
    for a in range(N_AFF):
        base.append(len(sn)), cnt.append(K)
        for k in range(K):
            sn.append(k), sw.append(int(rng.integers(W0[0], W0[1] + 1))), sg.append(0)
    for k in range(K):
        others = [j for j in range(K) if j != k]
        base.append(len(sn)), cnt.append(len(others))
        for j in others:
            sn.append(j), sw.append(d.inhib_w), sg.append(1)
    fb, fc, fh, fa = [], [], [], []
    for k in range(K):
        fb.append(len(fh)), fc.append(2)
        fh += ["true", "false"]
        fa += [k, N_AFF + k]  # host channel k; own axon N_AFF + k
    L = chiplif.lst
    return "\n".join([
        'name: "stdp pattern demo (tools/train/stdp_demo.py)"',
        "config { mesh_width: 1 mesh_height: 1 }",
        "learning_enabled: true",
        "cores {",
        f"  profiles {{ du: {d.du} dv: {d.dv} vth: {d.vth} refractory: {d.refractory} }}",
        f"  groups {{ weight_exp: 0 plastic: true lr_pot_shift: {d.lr_pot} lr_dep_shift: {d.lr_dep} w_min: 0 w_max: 127 }}",
        f"  groups {{ weight_exp: {d.inhib_exp} w_min: -128 w_max: 127 }}",
        f"  stdp {{ pre_decay: {d.pre_decay} post_decay: {d.post_decay} pre_impulse: {d.pre_impulse} "
        f"post_impulse: {d.post_impulse} }}",
        f"  lfsr_seed: {d.seed}",
        f"  neuron_profile: {L([0] * K)}",
        f"  neuron_bias_mant: {L([0] * K)}",
        f"  neuron_u: {L([0] * K)}",
        f"  neuron_v: {L([0] * K)}",
        f"  neuron_fanout_base: {L(fb)}",
        f"  neuron_fanout_count: {L(fc)}",
        f"  axon_syn_base: {L(base)}",
        f"  axon_syn_count: {L(cnt)}",
        f"  syn_neuron: {L(sn)}",
        f"  syn_weight: {L(sw)}",
        f"  syn_group: {L(sg)}",
        f"  fanout_to_host: [{', '.join(fh)}]",
        f"  fanout_x: {L([0] * len(fh))}",
        f"  fanout_y: {L([0] * len(fh))}",
        f"  fanout_axon: {L(fa)}",
        "}",
    ]) + "\n"


def stimuli(steps, seed):
    """Noise everywhere; a frozen PAT_LEN-step noise pattern over afferents 0..N_PAT-1 pasted in at
    random gaps. Returns the raster bool [steps, N_AFF] and the pattern onsets."""
    rng = np.random.default_rng(seed)
    pattern = rng.uniform(0, 1, (PAT_LEN, N_PAT)) < RATE
    x = rng.uniform(0, 1, (steps, N_AFF)) < RATE
    onsets = []
    t = int(rng.integers(*GAP))
    while t + PAT_LEN <= steps:
        onsets.append(t)
        x[t : t + PAT_LEN, :N_PAT] = pattern | (rng.uniform(0, 1, (PAT_LEN, N_PAT)) < JITTER)
        t += PAT_LEN + int(rng.integers(*GAP))
    return x, onsets


def probes_text():
    """The weight of every plastic synapse: axon a's entry for neuron k is at address a*K + k."""
    return "".join(f"synapses {{ address: {a * K + k} }}\n" for a in range(N_AFF) for k in range(K))


def analyse(spikes, onsets, steps):
    """Per presentation: the first neuron to fire inside the pattern window and its latency
    from the onset (None when none fires); and the rate of spikes outside patterns."""
    by_step = {}
    for s in spikes:
        by_step.setdefault(s["step"], []).append(s["channel"])
    det = []
    inside = np.zeros(steps, bool)
    for t0 in onsets:
        inside[t0 : t0 + PAT_LEN] = True
        hit = None
        for t in range(t0, t0 + PAT_LEN):
            if t in by_step:
                hit = (t - t0, min(by_step[t]))
                break
        det.append(hit)
    false_alarms = sum(len(v) for t, v in by_step.items() if not inside[t])
    return det, false_alarms


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--lifchip", default=os.path.join(chiplif.ROOT, "build", "tools", "lifchip"),
                    help="the lifchip program (with --use-cli)")
    ap.add_argument("--python-path", default=os.path.join(chiplif.ROOT, "build", "tools", "python"),
                    help="where the built package lifchip is (the build tree's tools/python)")
    ap.add_argument("--use-cli", action="store_true", help="run through the lifchip CLI instead of `import lifchip`")
    ap.add_argument("--steps", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--backend", default="functional")
    ap.add_argument("--out", default=os.path.join(chiplif.ROOT, "tools", "examples"))
    ap.add_argument("--figures", default=os.path.join(chiplif.ROOT, "docs", "figures"))
    ap.add_argument("--ci-steps", type=int, default=2000, help="length of the committed CI stimuli")
    ap.add_argument("--set", action="append", default=[], help="override a Demo parameter: NAME=INT")
    args = ap.parse_args()
    if args.use_cli:
        chip_lib = args.lifchip
    else:
        sys.path.insert(0, args.python_path)
        import lifchip as chip_lib

    d = Demo()
    for kv in args.set:
        k, v = kv.split("=")
        setattr(d, k, int(v))
    os.makedirs(args.out, exist_ok=True)
    os.makedirs(args.figures, exist_ok=True)
    img = os.path.join(args.out, "stdp_demo.image.txtpb")
    chiplif.seal(chip_lib, image_text(d), img)
    x, onsets = stimuli(args.steps, args.seed)
    stim_full = os.path.join(args.out, "stdp_demo.stimuli.txtpb")
    # The committed stimuli: the first --ci-steps steps (the CI test's shortened run).
    with open(os.path.join(args.out, "stdp_demo_ci.stimuli.txtpb"), "w") as f:
        f.write(chiplif.stimuli_text(x[: args.ci_steps], [(0, 0)], args.ci_steps, "stdp demo, CI part"))
    tmp_stim = "/tmp/stdp_demo_full.stimuli.txtpb"
    with open(tmp_stim, "w") as f:
        f.write(chiplif.stimuli_text(x, [(0, 0)], args.steps, "stdp demo"))
    probes = os.path.join(args.out, "stdp_demo.probes.txtpb")
    with open(probes, "w") as f:
        f.write(probes_text())
    if args.use_cli:
        r = subprocess.run([args.lifchip, "run", img, "--stimuli", tmp_stim, "--probes", probes, "--backend",
                            args.backend, "--json"], check=True, capture_output=True, text=True)
        res = json.loads(r.stdout)
        w = np.array([p["values"] for p in res["probes"]]).reshape(N_AFF, K, -1)  # [afferent, neuron, step]
        out_spikes, stdp_updates = res["spikes"], res["totals"].get("stdp_updates", 0)
    else:
        with open(tmp_stim) as f:
            spikes, rec = chip_lib.Chip(chip_lib.load_image(img), backend=args.backend).run(
                f.read(), probes=probes_text())
        # The probes in ProbeSpec order (dicts keep insertion order): [afferent, neuron, step].
        w = np.array(list(rec["probes"].values())).reshape(N_AFF, K, -1)
        out_spikes = [{"step": int(s), "channel": int(c)} for s, c, _ in spikes]
        stdp_updates = int(rec["counters"]["stdp_updates"].sum())
    det, fa = analyse(out_spikes, onsets, args.steps)
    # The neuron that detects the pattern most often in the last third of the presentations.
    last = [h for h in det[2 * len(det) // 3 :] if h is not None]
    winner = int(np.bincount([h[1] for h in last], minlength=K).argmax()) if last else 0
    hits = [h is not None for h in det]
    third = len(det) // 3
    summary = {
        "steps": args.steps,
        "presentations": len(onsets),
        "detected_first_third": float(np.mean(hits[:third])) if third else 0.0,
        "detected_last_third": float(np.mean(hits[-third:])) if third else 0.0,
        "mean_latency_last_third": float(np.mean([h[0] for h in det[-third:] if h is not None] or [np.nan])),
        "false_alarm_spikes": fa,
        "false_alarms_per_1000_noise_steps": 1000.0 * fa / max(1, args.steps - len(onsets) * PAT_LEN),
        "winner": winner,
        "winner_mean_w_pattern_end": float(w[:N_PAT, winner, -1].mean()),
        "winner_mean_w_noise_end": float(w[N_PAT:, winner, -1].mean()),
        "winner_strong_pattern_afferents": int((w[:N_PAT, winner, -1] >= 96).sum()),
        "winner_strong_noise_afferents": int((w[N_PAT:, winner, -1] >= 96).sum()),
        "winner_weak_noise_afferents": int((w[N_PAT:, winner, -1] <= 16).sum()),
        "stdp_updates": stdp_updates,
        # Per presentation: [latency in steps, first neuron to fire], or null when it was missed.
        "detections": [list(map(int, h)) if h else None for h in det],
    }
    print(json.dumps({k: v for k, v in summary.items() if k != "detections"}, indent=1))
    with open(os.path.join(args.out, "stdp_demo_results.json"), "w") as f:
        json.dump(summary, f, indent=1)
        f.write("\n")

    # Figure 1: the winner's weights from pattern and noise afferents over time (mean and a few).
    tt = np.arange(args.steps)
    series = [(tt, w[:N_PAT, winner].mean(0), "#c0392b", 2.5, "mean, pattern afferents"),
              (tt, w[N_PAT:, winner].mean(0), "#2c3e50", 2.5, "mean, noise-only afferents")]
    for a in range(0, N_PAT, 20):
        series.append((tt, w[a, winner], "#e6b0aa", 0.8, None))
    for a in range(N_PAT, N_AFF, 20):
        series.append((tt, w[a, winner], "#aab7b8", 0.8, None))
    svg.line_plot(os.path.join(args.figures, "stdp_weights.svg"), series[2:] + series[:2],
                  f"Neuron {winner}: plastic weights during on-chip learning", "time step", "weight (mantissa)",
                  y_range=(0, 127))
    # Figure 2: detection latency per presentation (misses drawn at the top).
    pts = [(i, h[0] if h else PAT_LEN, "#c0392b" if h else "#95a5a6") for i, h in enumerate(det)]
    svg.scatter_plot(os.path.join(args.figures, "stdp_latency.svg"), pts,
                     "Detection latency from pattern onset (grey at top: missed)", "presentation",
                     "latency (steps)", y_range=(0, PAT_LEN))


if __name__ == "__main__":
    main()
