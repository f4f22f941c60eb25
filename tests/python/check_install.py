# `cmake --install` into a temporary prefix, then the installed tree used on its own: the program
# runs, and a Python process that sees only the prefix (not the build tree) imports lifchip from it,
# maps the bundled digits network and runs it.
#   check_install.py BUILD_DIR SOURCE_DIR
import os
import subprocess
import sys
import tempfile

build, source = sys.argv[1], sys.argv[2]
with tempfile.TemporaryDirectory() as prefix:
    subprocess.run(["cmake", "--install", build, "--prefix", prefix], check=True, stdout=subprocess.DEVNULL)
    program = os.path.join(prefix, "bin", "lifchip")
    out = subprocess.run([program, "backends"], check=True, capture_output=True, text=True).stdout
    assert "functional" in out, out
    package = os.path.join(prefix, "lib", "python3", "dist-packages")
    script = f"""
import os, numpy as np, lifchip
assert lifchip.__file__.startswith({package!r}), lifchip.__file__
net = lifchip.load_network(os.path.join({source!r}, "tools", "examples", "digits.nir"))
x = np.zeros((2, 10, 64), bool); x[:, :, ::3] = True
out, record = lifchip.Chip(lifchip.map(net)).evolve(x)
assert out.shape == (2, 10, 10) and record["counters"]["syn_ops"].sum() > 0
print("installed lifchip works:", lifchip.__file__)
"""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = package
    r = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, cwd=prefix)
    print(r.stdout, r.stderr, end="")
    sys.exit(r.returncode)
