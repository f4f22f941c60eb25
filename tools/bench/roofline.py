#!/usr/bin/python3
"""The functional model's roofline (docs/benchmarks.md §10): this machine's bounds, measured by
bench_machine in the same run, against the CUBA benchmark measured by bench_functional.

Per neuron update the kernel reads and writes u, v, ref and the accumulator (4 x 4 bytes each
way: 32 bytes); per synaptic event direct delivery reads one row entry (4-byte accumulator index,
4-byte weight) and adds into one accumulator, scattered over the chip's 4 x N bytes of them. So a
step of N neurons and E events cannot take less than

    N * max(compute, 32 B / update bandwidth at the state's size)
  + E * max(1 / scatter rate at the accumulators' size, 8 B / read bandwidth)

where compute is the kernel's own time per update with its state in L1: BM_CoreUpdateStep's step
time at 256 neurons less that at 128, over the 128 neurons between (a step's fixed cost cancels), update bandwidth is BM_StreamUpdate's and
the scatter rate BM_ScatterAdd's, each at the working set nearest above the one it touches (state
16 B a neuron, rows 8 B a synapse, accumulators 4 B a neuron; the sizes go by factors of 4). The figure printed per network is measured / bound; 1.0 would be at the roof.

  tools/bench/roofline.py [--build BUILD] [--min-time S]
"""
import argparse
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BYTES_PER_UPDATE = 32  # u, v, ref, acc: read and written, 4 bytes each
STATE_BYTES_PER_NEURON = 16
ROW_BYTES_PER_EVENT = 8  # accumulator index + weight
ACC_BYTES_PER_NEURON = 4


def bench(binary, filt, min_time, repeats=3):
    """Each benchmark's best of `repeats` runs (other work on a shared machine only slows a run)."""
    out = subprocess.run([binary, f"--benchmark_filter={filt}", "--benchmark_format=json",
                          f"--benchmark_min_time={min_time}", f"--benchmark_repetitions={repeats}"],
                         check=True, capture_output=True, text=True)
    best = {}
    for r in json.loads(out.stdout)["benchmarks"]:
        if r.get("run_type") != "iteration":
            continue
        name = r["run_name"] if "run_name" in r else r["name"]
        if name not in best or r["real_time"] < best[name]["real_time"]:
            best[name] = r
    return list(best.values())


def at_size(rows, name, size, field):
    """The benchmark `name`'s `field` at the smallest working set >= size (bytes)."""
    sized = sorted((int(r["name"].split("/")[1]), r[field]) for r in rows if r["name"].startswith(name + "/"))
    for s, v in sized:
        if s >= size:
            return s, v
    return sized[-1]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--min-time", default="0.5", help="seconds per machine benchmark")
    a = ap.parse_args()
    machine = os.path.join(a.build, "tests", "bench_machine")
    functional = os.path.join(a.build, "tests", "bench_functional")
    for b in (machine, functional):
        if not os.path.exists(b):
            sys.exit(f"roofline.py: {b} is missing: build it (cmake --build {a.build} --target "
                     f"{os.path.basename(b)})")
    m = bench(machine, "BM_", a.min_time)
    core = {int(r["neurons"]): r["s_per_neuron_update"] * r["neurons"]
            for r in bench(functional, "BM_CoreUpdateStep", a.min_time)}  # seconds per step
    (n_small, t_small), (n_full, t_full) = sorted(core.items())
    compute_s = (t_full - t_small) / (n_full - n_small)  # the kernel's own time per update
    overhead_s = t_small - n_small * compute_s            # per step of one core
    cuba = bench(functional, "BM_Cuba/neurons:[0-9]+/threads:1/", "2.0", repeats=1)  # has its own best

    print("machine (bench_machine, one core):")
    print("| working set | read GB/s | read+write GB/s | scattered adds /s |")
    print("|---:|---:|---:|---:|")
    for r in (x for x in m if x["name"].startswith("BM_StreamRead/")):
        size = int(r["name"].split("/")[1])
        upd = at_size(m, "BM_StreamUpdate", size, "bytes_per_second")[1]
        sc = at_size(m, "BM_ScatterAdd", size, "items_per_second")[1]
        print(f"| {size >> 10} KiB | {r['bytes_per_second'] / 1e9:.1f} | {upd / 1e9:.1f} | {sc / 1e9:.2f} G |")
    print(f"\nBM_CoreUpdateStep: {t_small * 1e9:.0f} ns a step at {n_small} neurons, {t_full * 1e9:.0f} ns at "
          f"{n_full}: the kernel's compute bound {compute_s * 1e9:.3f} ns per update (state in L1), "
          f"{overhead_s * 1e9:.0f} ns a step of one core besides\n")

    print("| network | steps | neuron updates | synaptic events | measured s | update bound s | event bound s "
          "| bound s | measured / bound |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in cuba:
        n = int(r["neurons"])
        steps = 10000
        events = r["syn_events"]
        updates = n * steps
        _, upd_bw = at_size(m, "BM_StreamUpdate", n * STATE_BYTES_PER_NEURON, "bytes_per_second")
        spikes = r["rate_hz"] * n * steps * 1e-4  # 10,000 steps of 0.1 ms
        fanout = events / spikes if spikes else 0
        rows_bytes = n * fanout * ROW_BYTES_PER_EVENT  # every neuron's row: the stream of events
        _, read_bw = at_size(m, "BM_StreamRead", rows_bytes, "bytes_per_second")
        _, scatter = at_size(m, "BM_ScatterAdd", n * ACC_BYTES_PER_NEURON, "items_per_second")
        t_upd = updates * max(compute_s, BYTES_PER_UPDATE / upd_bw)
        t_ev = events * max(1.0 / scatter, ROW_BYTES_PER_EVENT / read_bw)
        measured = r["best_s_per_10k_steps"]
        bound = t_upd + t_ev
        print(f"| CUBA {n:,} | {steps:,} | {updates:,.0f} | {events:,.0f} | {measured:.4f} | {t_upd:.4f} | "
              f"{t_ev:.4f} | {bound:.4f} | {measured / bound:.2f} |")


if __name__ == "__main__":
    main()
