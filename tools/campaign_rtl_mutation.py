#!/usr/bin/python3
"""Mutation campaign for the RTL: do the RTL tests notice a wrong chip?

Each mutant in tools/rtl_mutants.json is one small, plausible bug in rtl/*.sv (an off-by-one
comparison, a missing rounding term, a wrong random draw, a broken arbiter). For each, the script
edits the source, rebuilds the Verilated model and the RTL test programs in BUILD, runs them, and
restores the file. A mutant is *killed* when a test fails (or hangs past --timeout), *survives*
when every test passes, and is *invalid* when it does not build (fix the mutant then). Exit code
0 only when every valid mutant is killed.

Too slow for CI (one model rebuild per mutant, about two minutes each); run it after changing the
RTL or its tests:

    cmake -S . -B build-mut -G Ninja -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS=-O1 -DLIFCHIP_BUILD_RTL=ON
    /usr/bin/python3 tools/campaign_rtl_mutation.py --build build-mut

It edits the source tree it lives in: use a clean checkout or worktree, not one you are editing.
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TESTS = ["test_rtl_equivalence", "test_rtl_datapath", "test_rtl_timing", "test_rtl_host_if"]


def build(build_dir, log):
    r = subprocess.run(["ninja", "-C", build_dir] + TESTS, stdout=log, stderr=subprocess.STDOUT)
    return r.returncode == 0


def run_tests(build_dir, timeout):
    """Returns (all passed, first failing test or '')."""
    for t in TESTS:
        exe = os.path.join(build_dir, "tests", t)
        try:
            r = subprocess.run([exe, "--gtest_brief=1"], capture_output=True, text=True, timeout=timeout,
                               env=dict(os.environ, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1"))
        except subprocess.TimeoutExpired:
            return False, t + " (timeout)"
        if r.returncode != 0:
            failed = [ln.split()[3] for ln in r.stdout.splitlines()
                      if ln.startswith("[  FAILED  ]") and len(ln.split()) > 3 and "." in ln.split()[3]]
            return False, failed[0] if failed else t
    return True, ""


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", required=True, help="a build directory of this tree with LIFCHIP_BUILD_RTL=ON")
    ap.add_argument("--mutants", default=os.path.join(ROOT, "tools", "rtl_mutants.json"))
    ap.add_argument("--only", default="", help="comma-separated mutant ids")
    ap.add_argument("--timeout", type=int, default=900, help="seconds per test program")
    args = ap.parse_args()
    # A kill must still restore the mutated file (the finally below): turn SIGTERM into an exit.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    with open(args.mutants) as f:
        mutants = json.load(f)
    if args.only:
        keep = set(args.only.split(","))
        mutants = [m for m in mutants if m["id"] in keep]
    log_path = os.path.join(args.build, "rtl_mutation.log")
    results = []
    with open(log_path, "w") as log:
        print("baseline: building and running the unmutated RTL ...", flush=True)
        if not build(args.build, log):
            sys.exit(f"the unmutated tree does not build (see {log_path})")
        ok, what = run_tests(args.build, args.timeout)
        if not ok:
            sys.exit(f"the unmutated tree fails {what}: fix that first")
        for m in mutants:
            path = os.path.join(ROOT, m["file"])
            with open(path) as f:
                original = f.read()
            if original.count(m["old"]) != 1:
                sys.exit(f"mutant {m['id']}: its 'old' text occurs {original.count(m['old'])} times in {m['file']} "
                         "(must be exactly once): update tools/rtl_mutants.json")
            t0 = time.time()
            try:
                with open(path, "w") as f:
                    f.write(original.replace(m["old"], m["new"]))
                log.write(f"\n==== mutant {m['id']}\n")
                log.flush()
                if not build(args.build, log):
                    verdict, by = "invalid", "does not build"
                else:
                    ok, what = run_tests(args.build, args.timeout)
                    verdict, by = ("survived", "") if ok else ("killed", what)
            finally:
                with open(path, "w") as f:
                    f.write(original)
            results.append((m, verdict, by))
            print(f"{m['id']:<24} {verdict:<9} {by:<55} {time.time() - t0:5.0f} s  {m['what']}", flush=True)
        build(args.build, log)  # leave the build matching the restored source
    valid = [r for r in results if r[1] != "invalid"]
    killed = sum(r[1] == "killed" for r in valid)
    print(f"\nRTL mutants killed: {killed} of {len(valid)} valid ({len(results) - len(valid)} invalid)")
    sys.exit(0 if killed == len(valid) and len(valid) == len(results) else 1)


if __name__ == "__main__":
    main()
