#!/bin/bash
# The acceptance table of the NIR corpus (docs/nir.md, issue 13): for every tests/nir_corpus/F.nir,
# the producer convention and dt that `lifchip map` detects with default options, then per backend
# `lifchip evaluate F.nir --inputs F_x.npy --labels F_y.npy --json --backend B` (default options):
# cores, decoder, class and output-cell agreement with float, chip and float accuracy. A file the
# flow refuses shows its one-line error. Markdown on stdout.
#   tests/nir_corpus/table.sh [BUILD_DIR] [BACKEND...]     (defaults: build, functional systemc)
set -uo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
shift || true
backends=("$@")
[ ${#backends[@]} -eq 0 ] && backends=(functional systemc)
cli=$build/tools/lifchip
[ -x "$cli" ] || { echo "table.sh: $cli not found: build first (./tools/build.sh)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "| file | producer | dt (s) | mesh | backend | cores | decode | class agreement | output cells equal | chip accuracy | float accuracy |"
echo "|---|---|---|---|---|---:|---|---:|---:|---:|---:|"
for f in tests/nir_corpus/*.nir; do
  b=${f%.nir}
  n=$(basename "$b")
  if ! m=$("$cli" map "$f" -o "$tmp/image.pb" --json 2>"$tmp/err"); then
    echo "| $n | refused by map: $(tail -1 "$tmp/err") |"
    continue
  fi
  head=$(python3 -c '
import json, sys
d = json.load(sys.stdin)
print(" | ".join([d["producer"].split(" (")[0], "%.6g" % d["dt_s"], "%dx%d" % (d["mesh"]["width"], d["mesh"]["height"])]))' <<<"$m")
  for be in "${backends[@]}"; do
    if ! out=$("$cli" evaluate "$f" --inputs "${b}_x.npy" --labels "${b}_y.npy" --json --backend "$be" 2>"$tmp/err"); then
      echo "| $n | $head | $be | refused: $(tail -1 "$tmp/err") |"
      continue
    fi
    python3 -c '
import json, sys
d = json.load(sys.stdin)
pct = lambda x: "%.2f %%" % (100 * x)
print(" | ".join([str(d["cores_used"]), d["decode"], pct(d["class_agreement"]), pct(d["output_spike_agreement"]),
                  pct(d["chip_accuracy"]), pct(d["float_accuracy"])]) + " |")' <<<"$out" | sed "s/^/| $n | $head | $be | /"
  done
done
