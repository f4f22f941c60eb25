#!/usr/bin/python3
# Writes the bundled example network (small_net.image.txtpb, .stimuli.txtpb, .probes.txtpb) as
# annotated text protobuf; the checksum comes from `lifchip image seal`, so the image stays sealed.
#   tools/examples/make_small_net.py build/tools/lifchip [OUT_DIR]
import os
VTH = int(os.environ.get("VTH", "600"))
import random
import re
import subprocess
import sys
import tempfile

HIDDEN = [(0, 0), (1, 0)]  # two hidden-layer cores
OUT = (1, 1)  # the output core; (0, 1) is left empty (its router still carries output spikes)
N_EXC, N_INH, N_IN = 10, 2, 8


def lst(values):
    return "[" + ", ".join(str(v) for v in values) + "]"


def hidden_core(x, y, other, out_offset):
    """A hidden core: 10 excitatory + 2 inhibitory neurons, 8 host axons, recurrence both ways."""
    syn = []  # per axon: list of (neuron, weight, group)
    for i in range(N_IN):  # axons 0..7: host inputs
        e = [((i + k) % N_EXC, w, 0) for k, w in enumerate((70, 50, 30))]
        e.append((N_EXC + i % 2, 20, 0))
        syn.append(e)
    for j in range(4):  # axons 8..11: from the other hidden core's neurons 0..3
        syn.append([(2 * j, 25, 0), (2 * j + 1, 25, 0)])
    syn.append([(n, -40, 1) for n in range(0, 5)])  # axon 12: this core's inhibitory neuron 10
    syn.append([(n, -40, 1) for n in range(5, 10)])  # axon 13: this core's inhibitory neuron 11
    fan = []  # per neuron: list of (to_host, x, y, axon)
    for n in range(N_EXC):
        f = [(False, OUT[0], OUT[1], out_offset + n)]  # feed-forward to the output core
        if n < 4:
            f.append((False, other[0], other[1], 8 + n))  # recurrent link to the other hidden core
        fan.append(f)
    fan.append([(False, x, y, 12)])  # inhibitory neurons: back into their own core (zero hops)
    fan.append([(False, x, y, 13)])
    profiles = [
        "  profiles { du: 2048 dv: 1024 vth: 150 refractory: 1 }  # 0: excitatory",
        "  profiles { du: 3071 dv: 2048 vth: 60 }                 # 1: inhibitory (faster)",
    ]
    groups = [
        "  groups { w_min: -128 w_max: 127 }                # 0: excitatory, weight << 0",
        "  groups { weight_exp: 1 w_min: -128 w_max: 127 }  # 1: inhibitory, weight << 1",
    ]
    neuron_profile = [0] * N_EXC + [1] * N_INH
    return emit_core(x, y, "hidden layer", profiles, groups, None, 1, neuron_profile, syn, fan)


def output_core(rng):
    """The output core: 4 neurons whose input synapses (group 1) learn by STDP."""
    syn = []
    # Axon a carries hidden neuron a % 10 of core (0,0) (a < 10) or (1,0). Output neurons 0 and 1 start
    # with stronger weights from hidden neurons 0-4 (driven by pattern A), 2 and 3 from 5-9 (pattern B).
    for a in range(2 * N_EXC):
        prefers_a = a % N_EXC < 5
        syn.append([(n, rng.randint(30, 40) if (n < 2) == prefers_a else rng.randint(5, 15), 1) for n in range(4)])
    fan = [[(True, 0, 0, k), (True, 0, 0, 4)] for k in range(4)]  # channel k, and channel 4 = any output
    profiles = [f"  profiles {{ du: 2048 dv: 1024 vth: {VTH} reset_mode: RESET_SUBTRACT refractory: 1 }}"]
    groups = [
        "  groups { w_min: -128 w_max: 127 }  # 0: unused",
        "  groups { plastic: true lr_pot_shift: 4 lr_dep_shift: 5 w_min: 0 w_max: 90 }  # 1: STDP",
    ]
    stdp = "  stdp { pre_decay: 600 post_decay: 600 pre_impulse: 80 post_impulse: 80 }"
    return emit_core(OUT[0], OUT[1], "output layer, plastic", profiles, groups, stdp, 0xACE1, [0] * 4, syn, fan)


def emit_core(x, y, title, profiles, groups, stdp, seed, neuron_profile, syn, fan):
    lines = [f"cores {{  # ({x},{y}): {title}", f"  x: {x}", f"  y: {y}"]
    lines += profiles + groups
    if stdp:
        lines.append(stdp)
    lines.append(f"  lfsr_seed: {seed}")
    n = len(neuron_profile)
    fbase, fcount, flat_fan = [], [], []
    for f in fan:
        fbase.append(len(flat_fan))
        fcount.append(len(f))
        flat_fan += f
    lines += [
        f"  # {n} neurons (structure of arrays: entry i of each list is neuron i)",
        f"  neuron_profile: {lst(neuron_profile)}",
        f"  neuron_bias_mant: {lst([0] * n)}",
        f"  neuron_u: {lst([0] * n)}",
        f"  neuron_v: {lst([0] * n)}",
        f"  neuron_fanout_base: {lst(fbase)}",
        f"  neuron_fanout_count: {lst(fcount)}",
    ]
    sbase, scount, flat_syn = [], [], []
    for s in syn:
        sbase.append(len(flat_syn))
        scount.append(len(s))
        flat_syn += s
    lines += [
        f"  # {len(syn)} input axons: axon a owns synapse entries [base, base + count)",
        f"  axon_syn_base: {lst(sbase)}",
        f"  axon_syn_count: {lst(scount)}",
        f"  # {len(flat_syn)} synapse entries",
        f"  syn_neuron: {lst(e[0] for e in flat_syn)}",
        f"  syn_weight: {lst(e[1] for e in flat_syn)}",
        f"  syn_group: {lst(e[2] for e in flat_syn)}",
        f"  # {len(flat_fan)} fan-out entries: one packet per entry per spike",
        f"  fanout_to_host: {lst('true' if e[0] else 'false' for e in flat_fan)}",
        f"  fanout_x: {lst(e[1] for e in flat_fan)}",
        f"  fanout_y: {lst(e[2] for e in flat_fan)}",
        f"  fanout_axon: {lst(e[3] for e in flat_fan)}",
        "}",
    ]
    return "\n".join(lines) + "\n"


def image_text(checksum):
    rng = random.Random(2024)
    head = f"""# lifchip example: a small recurrent network with on-chip STDP on a 2x2 mesh (see README.md).
# Generated by make_small_net.py; sealed by `lifchip image seal` (edit, then re-seal).
format_version: 1
name: "small_net"
config {{
  mesh_width: 2
  mesh_height: 2
  neurons_per_core: 32
  axons_per_core: 64
  synapses_per_core: 1024
  fanout_per_core: 256
  profiles_per_core: 4
}}
learning_enabled: true
checksum: {checksum}
"""
    body = hidden_core(0, 0, HIDDEN[1], 0) + hidden_core(1, 0, HIDDEN[0], N_EXC) + output_core(rng)
    return head + body


def stimuli_text():
    rng = random.Random(7)
    lines = [
        "# Input spikes for small_net.image.txtpb: pattern A (axons 0-3 of both hidden cores) on even",
        "# steps 0-18, pattern B (axons 4-7) every third step 21-39, sparse noise, then 8 quiet steps.",
        'name: "small_net stimuli"',
        "num_steps: 48",
    ]
    for t in range(48):
        spikes = []
        if t < 20 and t % 2 == 0:
            spikes += [(x, y, a) for (x, y) in HIDDEN for a in range(4)]
        if 20 < t < 40 and t % 3 == 0:
            spikes += [(x, y, a) for (x, y) in HIDDEN for a in range(4, 8)]
        if t < 40 and rng.random() < 0.3:
            x, y = rng.choice(HIDDEN)
            spikes.append((x, y, rng.randrange(N_IN)))
        spikes = sorted(set(spikes))
        if spikes:
            lines.append(f"steps {{ step: {t} x: {lst(s[0] for s in spikes)} y: {lst(s[1] for s in spikes)} "
                         f"axon: {lst(s[2] for s in spikes)} }}")
    return "\n".join(lines) + "\n"


PROBES = """# What `lifchip run --probes` records every step for small_net: the output neuron 0 of core (1,1)
# (u, v, refractory counter, post-trace), the pre-trace of its axon 0, and two plastic weights.
neurons { x: 1 y: 1 neuron: 0 }
axons { x: 1 y: 1 axon: 0 }
synapses { x: 1 y: 1 address: 0 }
synapses { x: 1 y: 1 address: 4 }
"""


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: make_small_net.py LIFCHIP_BINARY [OUT_DIR]")
    lifchip = sys.argv[1]
    out_dir = sys.argv[2] if len(sys.argv) > 2 else os.path.dirname(os.path.abspath(__file__))
    with tempfile.TemporaryDirectory() as tmp:
        raw, sealed = os.path.join(tmp, "raw.txtpb"), os.path.join(tmp, "sealed.txtpb")
        with open(raw, "w") as f:
            f.write(image_text(0))
        subprocess.run([lifchip, "image", "seal", raw, "-o", sealed], check=True, stdout=subprocess.DEVNULL)
        with open(sealed) as f:
            checksum = int(re.search(r"^checksum: (\d+)$", f.read(), re.M).group(1))
    files = {
        "small_net.image.txtpb": image_text(checksum),
        "small_net.stimuli.txtpb": stimuli_text(),
        "small_net.probes.txtpb": PROBES,
    }
    for name, text in files.items():
        with open(os.path.join(out_dir, name), "w") as f:
            f.write(text)
    subprocess.run([lifchip, "image", "check", os.path.join(out_dir, "small_net.image.txtpb")], check=True)


if __name__ == "__main__":
    main()
