#!/bin/bash
# Long randomised equivalence campaigns, outside CI: every preset of the seeded generator
# (tests/support/random_network.h) with N seeds each, on every model pair that is built.
#   tools/campaign_equivalence.sh [SEEDS_PER_PRESET] [BUILD_DIR] [MODE]   (default 2000, ./build, all)
# MODE: all; reference (functional vs reference model); systemc (SystemC vs functional); rtl (the
# Verilated RTL vs SystemC, cycle- and bit-exact; about 1 s per seed and preset, so e.g. 200 seeds
# take about an hour). A failure prints the preset, the seed and the first divergence (step, core,
# neuron, variable); rerun one preset with --gtest_filter, e.g. LIFCHIP_RTL_CAMPAIGN_SEEDS=200
# build/tests/test_rtl_equivalence --gtest_filter='*Plastic'.
set -euo pipefail
seeds=${1:-2000}
build=${2:-./build}
mode=${3:-all}
case $mode in
  all) tests=(test_equivalence_reference test_equivalence_systemc test_rtl_equivalence) ;;
  reference) tests=(test_equivalence_reference) ;;
  systemc) tests=(test_equivalence_systemc) ;;
  rtl) tests=(test_rtl_equivalence) ;;
  *) echo "campaign_equivalence: MODE '$mode' is not one of all, reference, systemc, rtl" >&2; exit 2 ;;
esac
if ! [[ $seeds =~ ^[1-9][0-9]*$ ]]; then
  echo "campaign_equivalence: SEEDS_PER_PRESET '$seeds' is not a positive integer" >&2
  exit 2
fi
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 LIFCHIP_CAMPAIGN_SEEDS="$seeds" LIFCHIP_RTL_CAMPAIGN_SEEDS="$seeds"
status=0
for t in "${tests[@]}"; do
  bin="$build/tests/$t"
  if [[ ! -x "$bin" ]]; then
    echo "== $t: not built, skipped"
    [[ $mode == all ]] || status=1
    continue
  fi
  echo "== $t ($seeds seeds per preset)"
  start=$(date +%s)
  if "$bin" --gtest_brief=1; then r=ok; else r=FAILED; status=1; fi
  echo "== $t: $r in $(($(date +%s) - start)) s"
done
exit $status
