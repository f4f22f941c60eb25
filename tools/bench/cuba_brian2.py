#!/usr/bin/python3
# Brian2 cpp_standalone run of the CUBA benchmark (Vogels & Abbott 2005, Brian2's examples/CUBA.py),
# one thread, timed without code generation or compilation; the reference for compare_brian2.sh.
"""Run Brian2's CUBA network in cpp_standalone mode and print its run time.

For each size: 80 % excitatory, 20 % inhibitory, 80 synapses per neuron on average
(p = 80 / N), 1 s of biological time at dt = 0.1 ms, one thread. The project is generated and
compiled first; then the compiled binary runs and two times are reported:
  network_s  the time Brian2's Network::run measures inside the binary (the simulation loop only;
             excludes synapse creation and file output) -- the figure compared with lifchip;
  binary_s   wall-clock time of the whole binary (includes building 3.2 M synapses etc.).
Each size runs in its own Python process (one standalone device per process).
Run with Debian's interpreter: /usr/bin/python3 tools/bench/cuba_brian2.py [--json]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time


def run_one(neurons, seed, repeats, keep_dir=None, threads=1):
    """Builds CUBA with `neurons` neurons in a temporary directory and times `repeats` runs."""
    import brian2 as b2
    from brian2 import ms, mV, second

    # threads 1: no OpenMP at all (openmp_threads 0); more: Brian2's OpenMP code with that many threads
    b2.prefs.devices.cpp_standalone.openmp_threads = 0 if threads <= 1 else threads
    b2.prefs.logging.console_log_level = 'WARNING'
    workdir = keep_dir or tempfile.mkdtemp(prefix='cuba_brian2_')
    b2.set_device('cpp_standalone', build_on_run=False, directory=workdir)
    b2.seed(seed)
    b2.defaultclock.dt = 0.1 * ms

    taum, taue, taui = 20 * ms, 5 * ms, 10 * ms
    vt, vr, el = -50 * mV, -60 * mV, -49 * mV
    eqs = '''
    dv/dt  = (ge+gi-(v-El))/taum : volt (unless refractory)
    dge/dt = -ge/taue : volt
    dgi/dt = -gi/taui : volt
    '''
    namespace = dict(taum=taum, taue=taue, taui=taui, Vt=vt, Vr=vr, El=el)
    group = b2.NeuronGroup(neurons, eqs, threshold='v>Vt', reset='v = Vr', refractory=5 * ms,
                           method='exact', namespace=namespace)
    group.v = 'Vr + rand() * (Vt - Vr)'
    group.ge = 0 * mV
    group.gi = 0 * mV
    we = (60 * 0.27 / 10) * mV
    wi = (-20 * 4.5 / 10) * mV
    exc = neurons * 4 // 5
    p = 80.0 / neurons
    ce = b2.Synapses(group, group, on_pre='ge += we', namespace=dict(we=we))
    ci = b2.Synapses(group, group, on_pre='gi += wi', namespace=dict(wi=wi))
    ce.connect(condition=f'i<{exc}', p=p)
    ci.connect(condition=f'i>={exc}', p=p)
    spikes = b2.SpikeMonitor(group, record=False)  # counts only
    b2.run(1 * second)

    t0 = time.perf_counter()
    b2.device.build(directory=workdir, compile=True, run=False, with_output=False)
    compile_s = time.perf_counter() - t0

    network, binary = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        b2.device.run(directory=workdir, with_output=False, run_args=[])
        binary.append(time.perf_counter() - t0)
        network.append(float(b2.device._last_run_time))
    import numpy as np
    count = int(spikes.num_spikes)
    syn_e, syn_i = len(ce), len(ci)
    rate = count / neurons / 1.0
    # Synaptic events: each neuron's spike count times its out-degree.
    out_degree = np.bincount(np.concatenate([np.asarray(ce.i[:]), np.asarray(ci.i[:])]), minlength=neurons)
    events = int(np.dot(np.asarray(spikes.count[:], dtype=np.int64), out_degree))
    best = min(network)
    return dict(neurons=neurons, synapses=syn_e + syn_i, spikes=count, rate_hz=rate,
                network_s=best, network_s_all=network, binary_s=min(binary),
                compile_s=compile_s, syn_events=events, syn_events_per_s=events / best,
                ns_per_neuron_update=best * 1e9 / (neurons * 10000), workdir=workdir)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--neurons', type=int, nargs='*', default=[4000, 40000])
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--repeats', type=int, default=3, help='runs of the compiled binary; the best counts')
    ap.add_argument('--json', action='store_true', help='print one JSON list instead of a table')
    ap.add_argument('--threads', type=int, default=1, help='OpenMP threads (devices.cpp_standalone.openmp_threads)')
    ap.add_argument('--single', type=int, help=argparse.SUPPRESS)  # internal: one size, JSON out
    ap.add_argument('--keep', action='store_true', help='keep the generated project directories')
    args = ap.parse_args()

    if args.single:
        result = run_one(args.single, args.seed, args.repeats, threads=args.threads)
        result['threads'] = args.threads
        if not args.keep:
            import shutil
            shutil.rmtree(result['workdir'], ignore_errors=True)
        print('RESULT ' + json.dumps(result))
        return 0

    results = []
    for n in args.neurons:
        cmd = [sys.executable, os.path.abspath(__file__), '--single', str(n), '--seed', str(args.seed),
               '--repeats', str(args.repeats), '--threads', str(args.threads)] + (['--keep'] if args.keep else [])
        proc = subprocess.run(cmd, capture_output=True, text=True)
        line = [ln for ln in proc.stdout.splitlines() if ln.startswith('RESULT ')]
        if proc.returncode != 0 or not line:
            sys.stderr.write(proc.stdout + proc.stderr)
            sys.stderr.write(f'cuba_brian2: the {n}-neuron run failed\n')
            return 1
        results.append(json.loads(line[-1][len('RESULT '):]))

    if args.json:
        print(json.dumps(results, indent=1))
        return 0
    print(f"{'neurons':>8} {'synapses':>10} {'rate Hz':>8} {'network s':>10} {'binary s':>9} "
          f"{'compile s':>9} {'syn ev/s':>10} {'ns/neuron upd':>13}")
    for r in results:
        print(f"{r['neurons']:>8} {r['synapses']:>10} {r['rate_hz']:>8.2f} {r['network_s']:>10.4f} "
              f"{r['binary_s']:>9.3f} {r['compile_s']:>9.1f} {r['syn_events_per_s'] / 1e6:>9.1f}M "
              f"{r['ns_per_neuron_update']:>13.2f}")
    return 0


if __name__ == '__main__':
    sys.exit(main())
