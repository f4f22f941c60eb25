// Bus-level driver of the Verilated chip (rtl/lifchip_top.sv): clock, reset and 32-bit host-bus
// accesses of HOST_ACCESS_CYCLES cycles each, the output-spike exit-cycle side channel, and the
// optional VCD dump (LIFCHIP_RTL_VCD=file.vcd, LIFCHIP_RTL_VCD_STEPS=first:last). Used by the "rtl"
// backend and by the register-level tests; it keeps Verilator's headers out of its users.
#pragma once

#include <cstdint>
#include <memory>

namespace lifchip::rtl {

/// Capacities the model was verilated with: lifchip_top's default parameters.
struct RtlBuild {
  uint32_t mesh_width, mesh_height;
  uint32_t neurons, axons, synapses, fanout, profiles;
};
const RtlBuild& rtl_build();

class RtlChip {
 public:
  /// Elaborates a fresh model and holds it in reset for two cycles.
  RtlChip();
  ~RtlChip();
  RtlChip(const RtlChip&) = delete;
  RtlChip& operator=(const RtlChip&) = delete;

  /// One register access; `addr` is the byte address of spec §7.
  uint32_t read(uint32_t addr);
  void write(uint32_t addr, uint32_t value);
  /// Clock cycles with no bus access.
  void idle(uint64_t cycles);
  /// The exit cycle (spec §10.4) of the output spike the last SPIKE_OUT read popped.
  uint32_t spike_out_cycle() const;
  /// Clock cycles since construction.
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
