// Bus-level driver of the Verilated chip (rtl/lifchip_top.sv): clock, reset and 32-bit host-bus
// accesses of HOST_ACCESS_CYCLES cycles each, the output-spike exit-cycle side channel, and the
// optional VCD dump (LIFCHIP_RTL_VCD=file.vcd, LIFCHIP_RTL_VCD_STEPS=first:last). Used by the "rtl"
// backend and by the register-level tests; it keeps Verilator's headers out of its users.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "lifchip/backend.h"
#include "lifchip/image.h"

namespace lifchip::rtl {

/// Capacities the model was verilated with: lifchip_top's parameters, the LIFCHIP_RTL_* CMake
/// options (default: the spec's defaults, a 4 x 4 mesh); the "rtl" backend registers them.
const Capacities& rtl_build();
/// The first capacity of this build `image` exceeds ("mesh width 8 > 4", "core (1,0): neurons 300 >
/// 256"), or "" when the build holds it.
std::string exceeds_build(const pb::ChipImage& image);

/// A cycle-accurate host-bus master around one Verilated chip (the bus of docs/rtl.md "Host bus").
///
/// Time model: the chip has one clock; `cycles()` counts rising edges since construction. Every
/// call below advances the clock by exactly the number of cycles it states and returns only after
/// them, so a caller (the "rtl" backend, register-level tests, issue 7's firmware on a host model)
/// can account for every cycle it spends:
///   - read32 / write32: one register access, HOST_ACCESS_CYCLES (= 2) cycles: the request is taken
///     at the first rising edge (the register write, FIFO pop or MEM_DATA increment happens there),
///     acknowledged with the read data in the second cycle.
///   - idle(n): n cycles with no request (the chip runs steps on its own after RUN_STEPS).
///   - reset(n): n cycles with rst_ni low (asynchronous active-low reset: every register, FIFO,
///     counter and the image return to their reset state), then one cycle with it released.
/// Not thread-safe; one model per object (several objects may coexist).
class RtlChip {
 public:
  /// Elaborates a fresh model and resets it (`reset(2)`); `cycles()` is then 3.
  RtlChip();
  ~RtlChip();
  RtlChip(const RtlChip&) = delete;
  RtlChip& operator=(const RtlChip&) = delete;

  /// One register read at byte address `addr` of spec §7; 2 cycles.
  uint32_t read32(uint32_t addr);
  /// One register write; 2 cycles.
  void write32(uint32_t addr, uint32_t value);
  /// Older names of read32/write32.
  uint32_t read(uint32_t addr) { return read32(addr); }
  void write(uint32_t addr, uint32_t value) { write32(addr, value); }
  /// `cycles` clock cycles with no bus access.
  void idle(uint64_t cycles);
  /// Power-on reset: `hold_cycles` (at least 1) cycles in reset, then 1 cycle released.
  void reset(uint32_t hold_cycles = 2);
  /// The exit cycle (spec §10.4) of the output spike the last SPIKE_OUT read popped (a side channel
  /// of the testbench, not a register: SPIKE_OUT itself carries the channel and the step).
  uint32_t spike_out_cycle() const;
  /// Rising clock edges since construction.
  uint64_t cycles() const;
  /// Dumps cycles to the VCD file while on (only if LIFCHIP_RTL_VCD was set at construction).
  void set_tracing(bool on);
  /// The step range of LIFCHIP_RTL_VCD_STEPS (everything when unset); false without a VCD file.
  bool trace_steps(uint32_t* first, uint32_t* last) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lifchip::rtl
