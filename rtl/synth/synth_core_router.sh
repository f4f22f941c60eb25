#!/bin/sh
# Generic Yosys synthesis (Yosys 0.23 `synth`) of one lifchip_core and one lifchip_router, printing
# cell and flip-flop counts (docs/rtl.md records them). Memories are plain arrays, so generic
# synthesis maps them to flip-flops; the core is therefore synthesised with reduced capacities
# (override with the environment variables below) to keep the run short. `-noshare`: Yosys 0.23's
# SAT-based resource sharing merges the trace unit's adders into a structural (not functional)
# combinational loop; the design before that pass checks clean (`check` reports 0 problems).
# Usage: rtl/synth/synth_core_router.sh <path to generated lifchip_pkg.sv> [output dir]
set -eu
PKG=${1:?usage: synth_core_router.sh <lifchip_pkg.sv> [outdir]}
OUT=${2:-.}
RTL=$(cd "$(dirname "$0")/.." && pwd)
N=${LIFCHIP_SYNTH_NEURONS:-16}
A=${LIFCHIP_SYNTH_AXONS:-64}
S=${LIFCHIP_SYNTH_SYNAPSES:-256}
F=${LIFCHIP_SYNTH_FANOUT:-64}
P=${LIFCHIP_SYNTH_PROFILES:-2}
mkdir -p "$OUT"
SRCS="$PKG $RTL/lifchip_fifo.sv $RTL/lifchip_lfsr.sv $RTL/lifchip_neuron_dp.sv $RTL/lifchip_core.sv"
yosys -q -l "$OUT/synth_core.log" -p "read_verilog -sv $SRCS; \
  chparam -set Neurons $N -set Axons $A -set Synapses $S -set Fanout $F -set Profiles $P lifchip_core; \
  synth -flatten -noshare -top lifchip_core; check -assert; tee -o $OUT/synth_core_stat.txt stat"
yosys -q -l "$OUT/synth_router.log" -p "read_verilog -sv $PKG $RTL/lifchip_fifo.sv $RTL/lifchip_router.sv; \
  synth -flatten -noshare -top lifchip_router; check -assert; tee -o $OUT/synth_router_stat.txt stat"
for m in core router; do
  cells=$(grep -m1 "Number of cells:" "$OUT/synth_${m}_stat.txt" | awk '{print $4}')
  ffs=$(grep -E '^ +\$_[A-Z]*DFF[A-Z0-9_]* +[0-9]+' "$OUT/synth_${m}_stat.txt" | awk '{s += $2} END {print s + 0}')
  latches=$(grep -cE '^ +\$_[A-Z]*LATCH' "$OUT/synth_${m}_stat.txt" || true)
  echo "lifchip_${m}: cells $cells, flip-flops $ffs, latch types $latches"
done
