#!/usr/bin/python3
"""Peak resident memory of `lifchip run` over a growing number of steps (docs/benchmarks.md,
"Long runs in constant memory"): runs IMAGE for each step count on each backend, writing the
RunResult with -o (streamed to the file), and prints the peak RSS of each run, measured by the
kernel for the finished child (getrusage RUSAGE_CHILDREN, so one run per fresh process).

  tools/bench/peak_memory.py [--lifchip BUILD/tools/lifchip] [--image IMAGE] [--steps N ...]
                             [--backend B ...] [--no-output]
"""
import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def peak_of(cmd, env=None):
    """Runs cmd in a fresh process (through a forked helper, so RUSAGE_CHILDREN is its own):
    (exit code, peak RSS in KiB, wall seconds)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        t0 = time.monotonic()
        rc = subprocess.call(cmd, stdout=subprocess.DEVNULL, env=dict(os.environ, LIFCHIP_PROGRESS="never", **(env or {})))
        dt = time.monotonic() - t0
        kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        os.write(w, f"{rc} {kb} {dt}".encode())
        os._exit(0)
    os.close(w)
    out = b""
    while True:
        chunk = os.read(r, 4096)
        if not chunk:
            break
        out += chunk
    os.waitpid(pid, 0)
    rc, kb, dt = out.decode().split()
    return int(rc), int(kb), float(dt)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lifchip", default=os.path.join(ROOT, "build", "tools", "lifchip"))
    ap.add_argument("--image", default=os.path.join(ROOT, "tools", "examples", "small_net.image.txtpb"))
    ap.add_argument("--stimuli", default=os.path.join(ROOT, "tools", "examples", "small_net.stimuli.txtpb"))
    ap.add_argument("--steps", type=int, nargs="+", default=[10**4, 10**5, 10**6])
    ap.add_argument("--backend", nargs="+", default=["functional", "systemc"])
    ap.add_argument("--no-output", action="store_true", help="no -o: only the printed summary")
    a = ap.parse_args()
    print(f"peak resident memory of `lifchip run {os.path.relpath(a.image, ROOT)} --stimuli ... --steps N"
          f"{'' if a.no_output else ' -o FILE'}`")
    print("| backend | steps | peak RSS (MB) | output file (MB) | wall (s) |")
    print("|---|---:|---:|---:|---:|")
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for backend in a.backend:
            for steps in a.steps:
                out = os.path.join(tmp, "result.pb")
                cmd = [a.lifchip, "run", a.image, "--stimuli", a.stimuli, "--steps", str(steps),
                       "--backend", backend]
                if not a.no_output:
                    cmd += ["-o", out]
                rc, kb, dt = peak_of(cmd)
                size = os.path.getsize(out) / 1e6 if os.path.exists(out) else 0.0
                if rc != 0:
                    failed = 1
                print(f"| {backend} | {steps:,} | {kb / 1024:.0f} | {size:.0f} | {dt:.1f} |"
                      + ("" if rc == 0 else f" exit {rc}"), flush=True)
                if os.path.exists(out):
                    os.remove(out)
    return failed


if __name__ == "__main__":
    sys.exit(main())
