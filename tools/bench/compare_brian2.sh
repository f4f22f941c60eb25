#!/bin/bash
# Issue 16's speed target: the functional model runs the CUBA benchmark at least 5x faster than Brian2
# cpp_standalone on the same machine, at 1 thread and at 2 threads (Brian2 with OpenMP, lifchip with
# threads over cores). Builds bench_functional, runs both sides, prints a table.
#
# Usage: tools/bench/compare_brian2.sh [BUILD_DIR]     (default ./build; configured if empty)
#   LIFCHIP_BENCH_STRICT=1  exit 1 when a size misses the target
#   BRIAN2_REPEATS=N        runs of each compiled Brian2 binary (default 3; the best counts)
#   LIFCHIP_BENCH_THREADS="1 2"  thread counts compared (each must be a BM_Cuba argument)
# Both sides are timed without set-up: lifchip from loaded image to the end of 10,000 steps,
# Brian2 by its own Network::run timer (no code generation, compilation or synapse creation).
# The figure compared is the best run of each side: load from other jobs only adds time.
set -euo pipefail

build=${1:-./build}
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
python=/usr/bin/python3  # Debian's interpreter: the one that sees python3-brian
work=$(mktemp -d "${TMPDIR:-/tmp}/lifchip_cmp.XXXXXX")
trap 'rm -rf "$work"' EXIT

if [[ ! -f "$build/CMakeCache.txt" ]]; then
  echo "== configuring $build (Release)" >&2
  cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >&2
fi
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt")
if [[ "$build_type" != "Release" ]]; then
  echo "warning: $build is a '$build_type' build; figures are meaningful only for Release" >&2
fi
echo "== building bench_functional in $build" >&2
cmake --build "$build" -j2 --target bench_functional >&2

echo "== lifchip functional model (bench_functional, BM_Cuba)" >&2
"$build/tests/bench_functional" --benchmark_filter='BM_Cuba' --benchmark_format=json \
  >"$work/lifchip.json"

threads_list=${LIFCHIP_BENCH_THREADS:-1 2}
for t in $threads_list; do
  echo "== Brian2 cpp_standalone, $t thread(s) (compiles each size first, ~15 s each)" >&2
  "$python" "$src/tools/bench/cuba_brian2.py" --json --threads "$t" --repeats "${BRIAN2_REPEATS:-3}" \
    >"$work/brian2_$t.json"
done
"$python" -c 'import json,sys; print(json.dumps([r for f in sys.argv[1:] for r in json.load(open(f))]))' \
  "$work"/brian2_*.json >"$work/brian2.json"

"$python" - "$work/lifchip.json" "$work/brian2.json" <<'EOF'
import json
import os
import sys

TARGET = 5.0
lif = json.load(open(sys.argv[1]))
brian = {(r['neurons'], r.get('threads', 1)): r for r in json.load(open(sys.argv[2]))}
ctx = lif.get('context', {})
print(f"machine: {ctx.get('num_cpus', '?')} CPUs at {ctx.get('mhz_per_cpu', '?')} MHz; "
      f"lifchip: best of its iterations; Brian2: best of its runs (Network::run timer)")
head = f"{'neurons':>8} {'threads':>7} {'Brian2 s':>9} {'lifchip s':>10} {'ratio':>7} {'target':>7} {'result':>6}"
print(head)
print('-' * len(head))
failed = False
rows = []
best = {}
for b in lif['benchmarks']:
    if not b['name'].startswith('BM_Cuba') or b.get('run_type') == 'aggregate':
        continue
    n, t = int(b['neurons']), int(b.get('threads', 1))
    best[(n, t)] = b['best_s_per_10k_steps']
    r = brian.get((n, t))
    if r is None:
        continue
    ours, theirs = b['best_s_per_10k_steps'], r['network_s']
    ratio = theirs / ours
    ok = ratio >= TARGET
    failed |= not ok
    rows.append((n, t, b, r, ours, theirs))
    print(f"{n:>8} {t:>7} {theirs:>9.4f} {ours:>10.4f} {ratio:>6.2f}x {TARGET:>6.1f}x {'PASS' if ok else 'FAIL':>6}")
print()
for (n, t), s in sorted(best.items()):
    if t > 1 and (n, 1) in best:
        b1 = brian.get((n, 1)), brian.get((n, t))
        theirs = (f"; Brian2 {b1[0]['network_s'] / b1[1]['network_s']:.2f}x" if b1[0] and b1[1] else '')
        print(f"self-speed-up at {t} threads, {n} neurons: lifchip {best[(n, 1)] / s:.2f}x{theirs}")
print()
head = (f"{'neurons':>8} {'threads':>7} {'side':>8} {'rate Hz':>8} {'syn events':>11} {'syn ev/s':>10} {'ns/neuron upd':>14}")
print(head)
print('-' * len(head))
for n, t, b, r, ours, theirs in rows:
    print(f"{n:>8} {t:>7} {'Brian2':>8} {r['rate_hz']:>8.2f} {r['syn_events']:>11} {r['syn_events'] / theirs / 1e6:>9.1f}M"
          f" {theirs * 1e9 / (n * 10000):>14.3f}")
    print(f"{n:>8} {t:>7} {'lifchip':>8} {b['rate_hz']:>8.2f} {int(b['syn_events']):>11} {b['syn_events'] / ours / 1e6:>9.1f}M"
          f" {ours * 1e9 / (n * 10000):>14.3f}")
print("(syn ev/s and ns/neuron upd from each side's best time; ns/neuron upd = time / (N * 10,000 steps))")
if failed and os.environ.get('LIFCHIP_BENCH_STRICT') == '1':
    sys.exit(1)
EOF
