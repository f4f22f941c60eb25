# `cmake --install` into a temporary prefix, then the installed tree used on its own
# (docs/cpp_library.md, docs/python.md):
#   1. no installed CMake package file or header names the source or the build tree;
#   2. the installed program runs, and `lifchip demo` finds the installed examples;
#   3. a C++ program outside the project (tests/downstream, copied out of the source tree) is
#      configured with find_package(lifchip 0.1) against the prefix alone, built and run, and prints
#      the figures the installed `lifchip evaluate --json` prints on the same files; its compile and
#      link lines name neither tree; a request for another major version is refused;
#   4. with --python, a Python process that sees only the prefix imports lifchip from it, maps the
#      installed digits network and runs it.
#   check_install.py BUILD_DIR SOURCE_DIR [--python]
import json
import os
import shutil
import subprocess
import sys
import tempfile

build, source = os.path.realpath(sys.argv[1]), os.path.realpath(sys.argv[2])
python = "--python" in sys.argv[3:]


def fail(message):
    print("check_install:", message, file=sys.stderr)
    sys.exit(1)


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        fail(f"{' '.join(cmd)} exited {r.returncode}:\n{r.stdout}{r.stderr}")
    return r.stdout


def names_a_tree(path):
    with open(path, errors="replace") as f:
        text = f.read()
    return [t for t in (build, source) if t in text]


with tempfile.TemporaryDirectory() as tmp:
    prefix = os.path.join(tmp, "prefix")
    run(["cmake", "--install", build, "--prefix", prefix])

    # 1. The package files and headers are relocatable: nothing points back at the trees.
    package = os.path.join(prefix, "lib", "cmake", "lifchip")
    for name in ("lifchipConfig.cmake", "lifchipConfigVersion.cmake", "lifchipTargets.cmake"):
        if not os.path.isfile(os.path.join(package, name)):
            fail(f"{package}/{name} was not installed")
    for top in (package, os.path.join(prefix, "include")):
        for d, _, files in os.walk(top):
            for f in files:
                leaked = names_a_tree(os.path.join(d, f))
                if leaked:
                    fail(f"{os.path.join(d, f)} names {leaked[0]}")

    # 2. The program.
    program = os.path.join(prefix, "bin", "lifchip")
    if "functional" not in run([program, "backends"]):
        fail("lifchip backends does not list functional")
    # `lifchip demo` away from the repository finds the installed examples, not the source tree's.
    examples = os.path.join(prefix, "share", "lifchip", "examples")
    demo = json.loads(run([program, "demo", "--backend", "functional", "--samples", "20", "--json",
                           "--report", os.path.join(tmp, "demo.html")], cwd=tmp))
    if demo["network"] != os.path.join(examples, "digits.nir"):
        fail(f"the installed lifchip demo used {demo['network']}, not {examples}/digits.nir")

    # 3. A downstream C++ program against the prefix alone.
    downstream = os.path.join(tmp, "downstream")
    shutil.copytree(os.path.join(source, "tests", "downstream"), downstream)
    ds_build = os.path.join(tmp, "downstream-build")
    env = {k: v for k, v in os.environ.items() if k not in ("CMAKE_PREFIX_PATH", "PYTHONPATH")}
    run(["cmake", "-S", downstream, "-B", ds_build, "-DCMAKE_BUILD_TYPE=Release", f"-DCMAKE_PREFIX_PATH={prefix}",
         "-DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF", "-DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF"], env=env)
    run(["cmake", "--build", ds_build, "-j", "2"], env=env)
    with open(os.path.join(ds_build, "compile_commands.json")) as f:
        for c in json.load(f):
            if build in c["command"] or source in c["command"]:
                fail(f"the downstream compile line names the lifchip trees: {c['command']}")
    for d, _, files in os.walk(ds_build):
        for f in files:
            if f in ("link.txt", "build.ninja") and names_a_tree(os.path.join(d, f)):
                fail(f"the downstream link line names the lifchip trees ({os.path.join(d, f)})")
    got = run([os.path.join(ds_build, "downstream")], env=env, cwd=tmp).strip()
    ev = json.loads(run([program, "evaluate", os.path.join(examples, "digits.nir"),
                         "--inputs", os.path.join(examples, "digits_test_x.npy"),
                         "--labels", os.path.join(examples, "digits_test_y.npy"),
                         "--encoding", "latency", "--steps", "10", "--max", "16", "--json"], cwd=tmp))
    want = (f"samples {ev['samples']} cores {ev['cores_used']} chip_accuracy {ev['chip_accuracy']:.6f} "
            f"float_accuracy {ev['float_accuracy']:.6f} energy_per_inference_j {ev['energy_per_inference_j']:.6e}")
    if got != want:
        fail(f"the downstream program printed\n  {got}\nbut the installed lifchip evaluate gives\n  {want}")
    print("downstream C++ program:", got)
    # Versioning: the installed 0.x package refuses a request for major version 1.
    refuse = os.path.join(tmp, "refuse")
    os.mkdir(refuse)
    with open(os.path.join(refuse, "CMakeLists.txt"), "w") as f:
        f.write("cmake_minimum_required(VERSION 3.25)\nproject(refuse NONE)\nfind_package(lifchip 1 QUIET)\n"
                "if(lifchip_FOUND)\n  message(FATAL_ERROR \"lifchip ${lifchip_VERSION} accepted for 1\")\nendif()\n")
    run(["cmake", "-S", refuse, "-B", os.path.join(refuse, "b"), f"-DCMAKE_PREFIX_PATH={prefix}"], env=env)

    # 4. Python against the prefix alone.
    if python:
        package = os.path.join(prefix, "lib", "python3", "dist-packages")
        script = f"""
import os, numpy as np, lifchip
assert lifchip.__file__.startswith({package!r}), lifchip.__file__
net = lifchip.load_network(os.path.join({examples!r}, "digits.nir"))
x = np.zeros((2, 10, 64), bool); x[:, :, ::3] = True
out, record = lifchip.Chip(lifchip.map(net)).evolve(x)
assert out.shape == (2, 10, 10) and record["counters"]["syn_ops"].sum() > 0
print("installed lifchip works:", lifchip.__file__)
"""
        env["PYTHONPATH"] = package
        r = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, cwd=prefix)
        print(r.stdout, r.stderr, end="")
        if r.returncode != 0:
            sys.exit(r.returncode)
