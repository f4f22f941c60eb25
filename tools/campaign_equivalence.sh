#!/bin/bash
# Long randomised equivalence campaigns, outside CI: every preset of the seeded generator
# (tests/support/random_network.h) with N seeds each, on every model pair that is built.
#   tools/campaign_equivalence.sh [SEEDS_PER_PRESET] [BUILD_DIR]      (default 2000, ./build)
# A failure prints the preset, the seed and the first divergence (step, core, neuron, variable).
set -euo pipefail
seeds=${1:-2000}
build=${2:-./build}
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 LIFCHIP_CAMPAIGN_SEEDS="$seeds" LIFCHIP_RTL_CAMPAIGN_SEEDS="$seeds"
status=0
for t in test_equivalence_reference test_equivalence_systemc test_rtl_equivalence; do
  bin="$build/tests/$t"
  [[ -x "$bin" ]] || { echo "== $t: not built, skipped"; continue; }
  echo "== $t ($seeds seeds per preset)"
  start=$(date +%s)
  if "$bin" --gtest_brief=1; then r=ok; else r=FAILED; status=1; fi
  echo "== $t: $r in $(( $(date +%s) - start )) s"
done
exit $status
