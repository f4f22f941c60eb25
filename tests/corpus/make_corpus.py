#!/usr/bin/python3
# Regenerates the corpus of broken input files and expected_errors.txt (file, kind, a substring the
# error must contain). Each broken file is the valid base with one defect, so the error it must
# give is known exactly.   tests/corpus/make_corpus.py build/tools/lifchip
import os
import random
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# A 2x2 mesh with cores (0,0) and (1,0); (0,1) and (1,1) are not in the image.
BASE = """# Valid base of the broken-input corpus (see make_corpus.py).
format_version: 1
name: "corpus_base"
config {
  mesh_width: 2
  mesh_height: 2
  neurons_per_core: 4
  axons_per_core: 4
  synapses_per_core: 8
  fanout_per_core: 4
  profiles_per_core: 2
}
learning_enabled: true
checksum: CHECKSUM
cores {
  x: 0
  y: 0
  profiles { du: 100 dv: 200 vth: 10 }
  groups { weight_exp: 0 plastic: true lr_pot_shift: 2 lr_dep_shift: 3 w_min: -100 w_max: 100 }
  stdp { pre_decay: 300 post_decay: 400 pre_impulse: 50 post_impulse: 60 }
  lfsr_seed: 1
  neuron_profile: [0, 0]
  neuron_bias_mant: [0, 5]
  neuron_u: [0, 0]
  neuron_v: [0, 0]
  neuron_fanout_base: [0, 1]
  neuron_fanout_count: [1, 1]
  axon_syn_base: [0, 1]
  axon_syn_count: [2, 1]
  syn_neuron: [0, 1, 1]
  syn_weight: [50, -20, 9]
  syn_group: [0, 0, 0]
  fanout_to_host: [false, true]
  fanout_x: [1, 0]
  fanout_y: [0, 0]
  fanout_axon: [0, 3]
}
cores {
  x: 1
  y: 0
  profiles { du: 4095 dv: 0 vth: 0 reset_mode: RESET_SUBTRACT refractory: 2 }
  lfsr_seed: 7
  neuron_profile: [0]
  neuron_bias_mant: [0]
  neuron_u: [0]
  neuron_v: [0]
  neuron_fanout_base: [0]
  neuron_fanout_count: [1]
  axon_syn_base: [0]
  axon_syn_count: [1]
  syn_neuron: [0]
  syn_weight: [1]
  syn_group: [0]
  fanout_to_host: [true]
  fanout_x: [0]
  fanout_y: [0]
  fanout_axon: [5]
}
"""

STIMULI = """name: "corpus stimuli"
num_steps: 6
steps { step: 0 x: [0, 1] y: [0, 0] axon: [0, 0] }
steps { step: 2 x: [0] y: [0] axon: [1] }
"""

PROBES = """neurons { x: 0 y: 0 neuron: 1 }
axons { x: 0 y: 0 axon: 1 }
synapses { x: 0 y: 0 address: 2 }
"""


def sub(text, old, new, count=1):
    """Replaces `old` exactly `count` times (a defect must land where intended)."""
    if text.count(old) != count:
        raise SystemExit(f"make_corpus: '{old}' occurs {text.count(old)} times, expected {count}")
    return text.replace(old, new)


def varint(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        out.append(b | (0x80 if v else 0))
        if not v:
            return bytes(out)


def field(num, wire, payload):
    key = varint(num << 3 | wire)
    return key + (varint(len(payload)) + payload if wire == 2 else payload)


def packed(values):
    return b"".join(varint(v) for v in values)


def stimuli_binary():
    # Stimuli{name: "b", num_steps: 6, steps: [{step 0, x [0], y [0], axon [1]}, {step 3, x [1], y [0], axon [0]}]}
    s0 = field(1, 0, varint(0)) + field(2, 2, packed([0])) + field(3, 2, packed([0])) + field(4, 2, packed([1]))
    s1 = field(1, 0, varint(3)) + field(2, 2, packed([1])) + field(3, 2, packed([0])) + field(4, 2, packed([0]))
    return field(1, 2, b"b") + field(2, 0, varint(6)) + field(3, 2, s0) + field(3, 2, s1)


def probes_binary():
    n = field(1, 0, varint(1)) + field(2, 0, varint(0)) + field(3, 0, varint(0))
    return field(1, 2, n)


def main():
    lifchip = sys.argv[1]
    valid_dir = os.path.join(HERE, "valid")
    os.makedirs(valid_dir, exist_ok=True)
    raw = os.path.join(valid_dir, "base.image.txtpb")
    with open(raw, "w") as f:
        f.write(BASE.replace("CHECKSUM", "0"))
    subprocess.run([lifchip, "image", "seal", raw, "-o", raw + ".sealed.txtpb"], check=True, stdout=subprocess.DEVNULL)
    with open(raw + ".sealed.txtpb") as f:
        checksum = int(re.search(r"^checksum: (\d+)$", f.read(), re.M).group(1))
    os.remove(raw + ".sealed.txtpb")
    base = BASE.replace("CHECKSUM", str(checksum))
    with open(raw, "w") as f:
        f.write(base)
    base_pb = os.path.join(valid_dir, "base.image.pb")
    subprocess.run([lifchip, "image", "convert", raw, "-o", base_pb], check=True, stdout=subprocess.DEVNULL)
    with open(base_pb, "rb") as f:
        image_pb = f.read()
    with open(os.path.join(valid_dir, "base.stimuli.txtpb"), "w") as f:
        f.write(STIMULI)
    with open(os.path.join(valid_dir, "base.probes.txtpb"), "w") as f:
        f.write(PROBES)
    stim_pb, probe_pb = stimuli_binary(), probes_binary()
    with open(os.path.join(valid_dir, "base.stimuli.pb"), "wb") as f:
        f.write(stim_pb)
    rng = random.Random(12345)

    cases = []  # (file name, kind, content (str or bytes), expected substring)

    def img(name, old, new, expect, count=1):
        cases.append((f"image_{name}.txtpb", "image", sub(base, old, new, count), expect))

    # --- images: text syntax and types ---
    img("syntax_error", "  fanout_axon: [5]\n}\n", "  fanout_axon: [5]\n", "not a valid text ChipImage")
    img("wrong_type_string", "mesh_width: 2", 'mesh_width: "two"', "line 5:15: Expected integer")
    img("wrong_type_float", "vth: 10 }", "vth: 10.5 }", "line 18:35: Expected integer, got: 10.5")
    img("wrong_type_bool", "fanout_to_host: [false, true]", "fanout_to_host: [false, 2]", "line 33:27")
    img("wrong_type_message", "stdp { pre_decay: 300", "stdp: 300 stdp { pre_decay: 300", "line 20:9")
    img("unknown_field", "lfsr_seed: 7", "lfsr_seed: 7\n  colour: 3", "colour")
    img("unknown_enum", "RESET_SUBTRACT", "RESET_SOMETIMES", "RESET_SOMETIMES")
    img("negative_unsigned", "mesh_width: 2", "mesh_width: -2", "line 5:15")
    img("uint32_overflow", "vth: 10 }", "vth: 4294967296 }", "line 18:35: Integer out of range")
    img("sint32_overflow", "syn_weight: [50, -20, 9]", "syn_weight: [50, -2147483649, 9]", "line 31:21: Integer out of range")
    cases.append(("image_empty.txtpb", "image", "", "format_version = 0"))
    cases.append(("image_empty.pb", "image", b"", "empty file"))
    # --- images: binary damage ---
    cases.append(("image_truncated_half.pb", "image", image_pb[: len(image_pb) // 2], "not a valid binary ChipImage"))
    cases.append(("image_truncated_last_byte.pb", "image", image_pb[:-1], "not a valid binary ChipImage"))
    cases.append(("image_random_bytes.pb", "image", bytes(rng.randrange(256) for _ in range(300)), "image_random_bytes.pb"))
    cases.append(("image_text_as_binary.pb", "image", base.encode(), "image_text_as_binary.pb"))
    cases.append(("image_unknown_field_99.pb", "image", image_pb + field(99, 0, varint(1)), "unknown field number 99"))
    cases.append(("image_stimuli_as_image.pb", "image", stim_pb, "unknown field"))
    cases.append(("image_huge_length.pb", "image", image_pb + field(4, 2, b"")[:1] + varint(2**31), "not a valid binary ChipImage"))
    # --- images: configuration ---
    img("format_version", "format_version: 1", "format_version: 2", "format_version = 2")
    img("mesh_too_wide", "mesh_width: 2", "mesh_width: 17", "mesh_width = 17 exceeds the limit 16")
    img("mesh_too_high", "mesh_height: 2", "mesh_height: 4000000000", "mesh_height = 4000000000 exceeds the limit 16")
    img("neurons_capacity_huge", "neurons_per_core: 4", "neurons_per_core: 4294967295", "neurons_per_core = 4294967295 exceeds the limit 1024")
    img("axons_capacity", "axons_per_core: 4", "axons_per_core: 4097", "axons_per_core = 4097 exceeds the limit 4096")
    img("synapses_capacity", "synapses_per_core: 8", "synapses_per_core: 65537", "synapses_per_core = 65537 exceeds the limit 65536")
    img("fanout_capacity", "fanout_per_core: 4", "fanout_per_core: 16385", "fanout_per_core = 16385 exceeds the limit 16384")
    img("profiles_capacity", "profiles_per_core: 2", "profiles_per_core: 17", "profiles_per_core = 17 exceeds the limit 16")
    img("clock_negative", "profiles_per_core: 2", "profiles_per_core: 2\n  clock_hz: -1", "clock_hz")
    img("clock_nan", "profiles_per_core: 2", "profiles_per_core: 2\n  clock_hz: nan", "clock_hz")
    img("clock_inf", "profiles_per_core: 2", "profiles_per_core: 2\n  clock_hz: inf", "clock_hz")
    # --- images: cores and counts ---
    img("core_outside_mesh", "  x: 1\n  y: 0", "  x: 1\n  y: 2", "core (1,2) is outside the 2x2 mesh")
    img("duplicate_core", "  x: 1\n  y: 0", "  x: 0\n  y: 0", "core (0,0) is listed twice")
    img("too_many_neurons", "neurons_per_core: 4", "neurons_per_core: 1", "neurons 2 > neurons_per_core 1")
    img("too_many_axons", "axons_per_core: 4", "axons_per_core: 1", "axons 2 > axons_per_core 1")
    img("too_many_synapses", "synapses_per_core: 8", "synapses_per_core: 2", "synapse entries 3 > synapses_per_core 2")
    img("too_many_fanout", "fanout_per_core: 4", "fanout_per_core: 1", "fan-out entries 2 > fanout_per_core 1")
    img("too_many_profiles", "profiles { du: 100 dv: 200 vth: 10 }", "profiles { du: 100 dv: 200 vth: 10 }\n" * 3, "profiles 3 > profiles_per_core 2")
    img("too_many_groups", "  stdp {", "  groups { }\n" * 8 + "  stdp {", "groups 9 > synapse groups per core 8")
    img("no_profile", "  profiles { du: 4095 dv: 0 vth: 0 reset_mode: RESET_SUBTRACT refractory: 2 }\n", "", "has 1 neurons but no profile")
    img("neuron_arrays_differ", "neuron_u: [0, 0]", "neuron_u: [0]", "neuron_u has 1, expected 2")
    img("axon_arrays_differ", "axon_syn_count: [2, 1]", "axon_syn_count: [2, 1, 1]", "axon_syn_count has 3, expected 2")
    img("synapse_arrays_differ", "syn_group: [0, 0, 0]", "syn_group: [0, 0]", "syn_group has 2, expected 3")
    img("fanout_arrays_differ", "fanout_y: [0, 0]", "fanout_y: [0]", "fanout_y has 1, expected 2")
    # --- images: every field class out of range ---
    img("du_range", "du: 100", "du: 4096", "profile 0: du = 4096 is out of range [0, 4095]")
    img("dv_range", "dv: 200", "dv: 5000", "profile 0: dv = 5000 is out of range [0, 4095]")
    img("vth_range", "vth: 10 }", "vth: 131072 }", "profile 0: vth = 131072 is out of range [0, 131071]")
    img("bias_exp_high", "vth: 10 }", "vth: 10 bias_exp: 8 }", "bias_exp = 8 is out of range [-8, 7]")
    img("bias_exp_low", "vth: 10 }", "vth: 10 bias_exp: -9 }", "bias_exp = -9 is out of range [-8, 7]")
    img("reset_mode_numeric", "reset_mode: RESET_SUBTRACT", "reset_mode: 2", "reset_mode")
    img("refractory_range", "refractory: 2", "refractory: 64", "refractory = 64 is out of range [0, 63]")
    img("weight_exp_high", "weight_exp: 0", "weight_exp: 8", "group 0: weight_exp = 8 is out of range [-8, 7]")
    img("weight_exp_low", "weight_exp: 0", "weight_exp: -9", "group 0: weight_exp = -9 is out of range [-8, 7]")
    img("lr_pot_shift_range", "lr_pot_shift: 2", "lr_pot_shift: 16", "lr_pot_shift = 16 is out of range [0, 15]")
    img("lr_dep_shift_range", "lr_dep_shift: 3", "lr_dep_shift: 99", "lr_dep_shift = 99 is out of range [0, 15]")
    img("w_min_range", "w_min: -100", "w_min: -129", "w_min = -129 is out of range [-128, 127]")
    img("w_max_range", "w_max: 100", "w_max: 128", "w_max = 128 is out of range [-128, 127]")
    img("w_min_above_w_max", "w_min: -100 w_max: 100", "w_min: 10 w_max: 9", "w_min = 10 > w_max = 9")
    img("pre_decay_range", "pre_decay: 300", "pre_decay: 4096", "stdp.pre_decay = 4096 is out of range [0, 4095]")
    img("post_decay_range", "post_decay: 400", "post_decay: 70000", "stdp.post_decay = 70000")
    img("pre_impulse_range", "pre_impulse: 50", "pre_impulse: 256", "stdp.pre_impulse = 256 is out of range [0, 255]")
    img("post_impulse_range", "post_impulse: 60", "post_impulse: 1000", "stdp.post_impulse = 1000")
    img("lfsr_seed_zero", "lfsr_seed: 1\n", "lfsr_seed: 0\n", "lfsr_seed = 0 is out of range [1, 65535]")
    img("lfsr_seed_range", "lfsr_seed: 7", "lfsr_seed: 65536", "lfsr_seed = 65536 is out of range [1, 65535]")
    img("neuron_profile_range", "neuron_profile: [0, 0]", "neuron_profile: [0, 1]", "neuron 1: profile 1 >= profiles 1")
    img("bias_mant_high", "neuron_bias_mant: [0, 5]", "neuron_bias_mant: [0, 4096]", "neuron 1: bias_mant = 4096 is out of range [-4096, 4095]")
    img("bias_mant_low", "neuron_bias_mant: [0, 5]", "neuron_bias_mant: [-4097, 5]", "neuron 0: bias_mant = -4097")
    img("u_minus_2_23", "neuron_u: [0, 0]", "neuron_u: [0, -8388608]", "neuron 1: u = -8388608 is out of range [-8388607, 8388608]")
    img("u_high", "neuron_u: [0, 0]", "neuron_u: [8388609, 0]", "neuron 0: u = 8388609")
    img("v_high", "neuron_v: [0, 0]", "neuron_v: [8388608, 0]", "neuron 0: v = 8388608 is out of range [-8388607, 8388607]")
    img("v_low", "neuron_v: [0, 0]", "neuron_v: [0, -8388608]", "neuron 1: v = -8388608")
    img("fanout_count_range", "neuron_fanout_count: [1, 1]", "neuron_fanout_count: [16384, 1]", "fanout_count = 16384 is out of range [0, 16383]")
    img("fanout_range_beyond_f", "neuron_fanout_base: [0, 1]", "neuron_fanout_base: [0, 2]", "fan-out range [2, 3) exceeds the 2 fan-out entries")
    img("fanout_base_huge", "neuron_fanout_base: [0, 1]", "neuron_fanout_base: [4294967295, 1]", "neuron 0: fan")  # names the base or the range
    img("syn_count_range", "axon_syn_count: [2, 1]", "axon_syn_count: [65536, 1]", "axon 0: syn_count = 65536 is out of range [0, 65535]")
    img("syn_range_beyond_s", "axon_syn_base: [0, 1]", "axon_syn_base: [0, 3]", "axon 1: synapse range [3, 4) exceeds the 3 synapse entries")
    img("syn_base_huge", "axon_syn_base: [0, 1]", "axon_syn_base: [0, 4294967295]", "axon 1: syn")  # names the base or the range
    img("synapse_neuron_range", "syn_neuron: [0, 1, 1]", "syn_neuron: [0, 2, 1]", "synapse 1: neuron 2 >= neurons 2")
    img("weight_high", "syn_weight: [50, -20, 9]", "syn_weight: [128, -20, 9]", "synapse 0: weight = 128 is out of range [-128, 127]")
    img("weight_low", "syn_weight: [50, -20, 9]", "syn_weight: [50, -129, 9]", "synapse 1: weight = -129")
    img("synapse_group_range", "syn_group: [0, 0, 0]", "syn_group: [0, 0, 8]", "synapse 2: group = 8 is out of range [0, 7]")
    img("fanout_missing_core", "fanout_y: [0, 0]", "fanout_y: [1, 0]", "fan-out 0: destination core (1,1) is not in the image")
    img("fanout_outside_mesh", "fanout_x: [1, 0]", "fanout_x: [2, 0]", "fan-out 0: destination core (2,0) is outside the 2x2 mesh")
    img("fanout_axon_range", "fanout_axon: [0, 3]", "fanout_axon: [1, 3]", "destination axon 1 >= core (1,0) axons 1")
    img("host_channel_range", "fanout_axon: [5]", "fanout_axon: [4096]", "host channel = 4096 is out of range [0, 4095]")
    img("host_entry_xy", "fanout_x: [1, 0]", "fanout_x: [1, 1]", "host entry has x = 1")
    img("wrong_checksum", f"checksum: {checksum}", f"checksum: {checksum ^ 1}", "does not match the image contents")
    img("unsealed", f"checksum: {checksum}", "checksum: 0", "checksum 0x0 does not match")
    img("edited_after_seal", "syn_weight: [1]", "syn_weight: [2]", "lifchip image seal")

    # --- stimuli (checked against valid/base.image.txtpb) ---
    def stim(name, old, new, expect, kind="stimuli"):
        cases.append((f"stimuli_{name}.txtpb", kind, sub(STIMULI, old, new), expect))

    stim("unordered", "step: 2", "step: 0", "steps[1] (step 0): steps must be in increasing order")
    stim("length_mismatch", "x: [0, 1] y: [0, 0]", "x: [0, 1] y: [0]", "x, y and axon lists differ in length (2, 1, 2)")
    stim("missing_core", "x: [0] y: [0]", "x: [0] y: [1]", "core (0,1), axon 1): core is not in the image")
    stim("outside_mesh", "x: [0] y: [0]", "x: [7] y: [0]", "core is outside the 2x2 mesh")
    stim("axon_range", "x: [0, 1] y: [0, 0] axon: [0, 0]", "x: [0, 1] y: [0, 0] axon: [0, 1]", "axon >= the core's 1 axons")
    stim("axon_huge", "axon: [1]", "axon: [4294967295]", "axon 4294967295): axon >= the core's 2 axons")
    stim("unknown_field", "num_steps: 6", "num_steps: 6\nspeed: 3", "speed")
    stim("wrong_type", "num_steps: 6", 'num_steps: "many"', "line 2")
    stim("negative_step", "step: 2", "step: -2", "line 4")
    cases.append(("stimuli_huge_step.txtpb", "stimuli_cli",
                  sub(sub(STIMULI, "num_steps: 6\n", ""), "step: 2", "step: 4294967295"),
                  "ask for 4294967296 steps"))
    stim("huge_num_steps", "num_steps: 6", "num_steps: 4000000000", "limit 16777216", kind="stimuli_cli")
    cases.append(("stimuli_empty.pb", "stimuli", b"", "empty file"))
    cases.append(("stimuli_truncated.pb", "stimuli", stim_pb[:-3], "not a valid binary Stimuli"))
    cases.append(("stimuli_random_bytes.pb", "stimuli", bytes(rng.randrange(256) for _ in range(64)), "stimuli_random_bytes.pb"))
    cases.append(("stimuli_image_as_stimuli.pb", "stimuli", image_pb, "stimuli_image_as_stimuli.pb"))

    # --- probes (checked against valid/base.image.txtpb) ---
    def probe(name, old, new, expect, kind="probes", cli_expect=None):
        cases.append((f"probes_{name}.txtpb", kind, sub(PROBES, old, new), expect, cli_expect))

    probe("neuron_range", "neuron: 1", "neuron: 2", "read_word: core (0,0)",
          cli_expect="neurons[0]: neuron 2 >= core (0,0)'s 2 neurons")
    probe("axon_range", "axon: 1", "axon: 9", "read_word: core (0,0)",
          cli_expect="axons[0]: axon 9 >= core (0,0)'s 2 axons")
    probe("synapse_range", "address: 2", "address: 3", "read_word: core (0,0)",
          cli_expect="synapses[0]: synapse address 3 >= core (0,0)'s 3 synapse entries")
    probe("missing_core", "neurons { x: 0 y: 0", "neurons { x: 1 y: 1", "core (1,1) is not in the image")
    probe("outside_mesh", "synapses { x: 0 y: 0", "synapses { x: 9 y: 0", "core (9,0) is not in the image")
    probe("neuron_index_wraps", "neuron: 1", "neuron: 1431655766", "index 1431655766 >= 1024",
          cli_expect="neurons[0]: neuron 1431655766 >= core (0,0)'s 2 neurons")
    probe("unknown_field", "axon: 1 }", "axon: 1 trace: 2 }", "trace")
    probe("wrong_type", "address: 2", "address: two", "line 3")
    cases.append(("probes_truncated.pb", "probes", probes_binary()[:-1], "not a valid binary ProbeSpec"))
    cases.append(("probes_random_bytes.pb", "probes", bytes(rng.randrange(256) for _ in range(40)), "probes_random_bytes.pb"))

    for old in os.listdir(HERE):
        if re.match(r"^(image|stimuli|probes)_", old):
            os.remove(os.path.join(HERE, old))
    lines = ["# file<TAB>kind<TAB>substring of the library's error[<TAB>substring of lifchip's error if it differs]",
             "# Generated by make_corpus.py; kinds ending in _cli are rejected only by the lifchip program."]
    for name, kind, content, expect, *cli in cases:
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(content.encode() if isinstance(content, str) else content)
        lines.append(f"{name}\t{kind}\t{expect}" + (f"\t{cli[0]}" if cli and cli[0] else ""))
    with open(os.path.join(HERE, "expected_errors.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"{len(cases)} broken files written to {HERE}")


if __name__ == "__main__":
    main()
