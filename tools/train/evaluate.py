#!/usr/bin/python3
# Accuracy of a committed trained network, four ways: float (numpy re-implementation of the torch
# model's discrete dynamics), the chip's integer arithmetic in numpy, and the chip itself through the
# lifchip CLI on the functional and SystemC backends (whose output spikes must equal the integer
# model's, sample by sample). Writes tools/examples/<task>_results.json.
#   /usr/bin/python3 tools/train/evaluate.py --task digits --lifchip build/tools/lifchip [--samples N]
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import chiplif  # noqa: E402
import export  # noqa: E402
from tasks import TASKS  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--task", choices=sorted(TASKS), required=True)
    ap.add_argument("--lifchip", default=os.path.join(chiplif.ROOT, "build", "tools", "lifchip"))
    ap.add_argument("--dir", default=os.path.join(chiplif.ROOT, "tools", "examples"))
    ap.add_argument("--samples", type=int, default=0, help="chip runs on the first N test samples (0: all)")
    ap.add_argument("--backends", default="functional,systemc")
    ap.add_argument("--via-mapper", action="store_true",
                    help="map <task>.nir with `lifchip map` (its bindings say where inputs and outputs are) "
                         "instead of using the committed directly built image; results go to <task>_mapped_results.json")
    args = ap.parse_args()

    task = TASKS[args.task]()
    x, y = export.load_test(args.dir, task.name)
    W = export.read_nir_weights(os.path.join(args.dir, f"{task.name}.nir"))
    steps = chiplif.run_steps(len(W), task.t_in)
    res = {"task": task.name, "test_samples": int(len(y)), "steps_per_inference": steps}
    wz = np.load(os.path.join(args.dir, f"{task.name}_weights.npz"))
    res["torch_float_accuracy"] = float(wz["torch_accuracy"])

    out_f = chiplif.simulate_float(W, task.du, task.dv, x, steps)
    res["numpy_float_accuracy"] = float(np.mean(chiplif.decide(out_f.sum(1)) == y))
    layers = export.chip_layers(task, W)
    out_i = chiplif.simulate_int(layers, x, steps)
    pred_i = chiplif.decide(out_i.sum(1))
    res["integer_model_accuracy"] = float(np.mean(pred_i == y))
    res["layers"] = [
        {"neurons": int(l.mant.shape[0]), "inputs": int(l.mant.shape[1]), "weight_exp": l.weight_exp, "vth": l.vth,
         "du": l.du, "dv": l.dv, "synapses": int(np.count_nonzero(l.mant))} for l in layers
    ]
    print(json.dumps({k: v for k, v in res.items() if k != "layers"}))

    n = args.samples or len(y)
    image = os.path.join(args.dir, f"{task.name}.image.txtpb")
    placement, _, _ = chiplif.place(layers, task.n_in)
    input_cores = [(px, py) for (px, py, _, _) in placement[0]]
    res["cores_used"] = sum(len(p) for p in placement)
    targets, channel_output = None, None
    tmp = tempfile.mkdtemp()
    if args.via_mapper:
        image = os.path.join(tmp, f"{task.name}.image.pb")
        bind, rep = os.path.join(tmp, "bindings.json"), os.path.join(tmp, "report.json")
        subprocess.run([args.lifchip, "map", os.path.join(args.dir, f"{task.name}.nir"), "-o", image, "--bindings",
                        bind, "--report", rep], check=True, stdout=subprocess.DEVNULL)
        with open(bind) as f:
            b = json.load(f)
        targets = b["input_targets"]
        channel_output = {}
        for o, terms in enumerate(b["output_terms"]):
            if len(terms) != 1 or terms[0][1] != 1:
                raise SystemExit(f"output {o}: not a plain spike output in the mapper's bindings")
            channel_output[terms[0][0]] = o
        with open(rep) as f:
            res["mapper_report"] = json.load(f)
        res["cores_used"] = len(set((tt[0], tt[1]) for t in targets for tt in t) |
                                set((c["x"], c["y"]) for c in b["channels"]))
    res["chip"] = {}
    for backend in args.backends.split(","):
        t0 = time.time()
        counts, rasters, first, totals = chiplif.lifchip_counts(
            args.lifchip, image, x[:n], input_cores, steps, task.n_classes, backend, input_targets=targets,
            channel_output=channel_output)
        pred = chiplif.decide(counts)
        same = bool(np.array_equal(rasters, out_i[:n]))
        r = {
            "samples": n,
            "accuracy": float(np.mean(pred == y[:n])),
            "integer_model_accuracy_same_samples": float(np.mean(pred_i[:n] == y[:n])),
            "float_accuracy_same_samples": float(np.mean(chiplif.decide(out_f[:n].sum(1)) == y[:n])),
            "spikes_identical_to_integer_model": same,
            "per_inference": {k: totals[k] / n for k in ("syn_ops", "spikes", "packets_sent", "neuron_active",
                                                         "neuron_idle", "chip_cycles") if k in totals},
            "wall_seconds": round(time.time() - t0, 1),
        }
        res["chip"][backend] = r
        print(backend, json.dumps(r))
        sys.stdout.flush()
    suffix = "_mapped_results.json" if args.via_mapper else "_results.json"
    with open(os.path.join(args.dir, task.name + suffix), "w") as f:
        json.dump(res, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
