// The host interface: spec §7's register map behind a TLM-2.0 target socket, and the host side of
// the bus (twin of rtl/lifchip_host_if.sv). The register decode is the shared one of host_regs.h;
// this module adds the bus, the timing and the injection of input spikes into the mesh.
#pragma once

#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <tlm>

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "flit.h"
#include "host_regs.h"
#include "lifchip/backend.h"

namespace lifchip::sysc {

class Chip;

/// Host interface: the register map of spec §7 behind a TLM-2.0 target socket.
class HostInterface : public sc_core::sc_module, public EjectIf {
 public:
  SC_HAS_PROCESS(HostInterface);
  HostInterface(sc_core::sc_module_name name, Chip& chip);

  tlm_utils::simple_target_socket<HostInterface> socket;
  sc_core::sc_port<LinkIf> to_mesh;  // router (0,0) west input

  void eject(uint32_t flit, Cycle cycle) override;
  void reset();
  /// Starts pushing the queued input spikes of the step now starting.
  void start_inject();
  std::size_t inject_count() const { return inject_now_.size(); }
  const std::string& last_error() const { return regs_.last_error(); }
  /// Exit cycles of the output spikes popped so far (parallel to SPIKE_OUT reads), for results.
  std::deque<Cycle> popped_cycles;

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  void inject_proc();
  Chip& chip_;
  std::unique_ptr<detail::HostRegisterFile::ChipSide> side_;  // this chip, as the decode sees it
  detail::HostRegisterFile regs_;
  sc_core::sc_event inject_ev_;
  std::vector<uint32_t> inject_now_;
  std::size_t inject_pos_ = 0;
};

/// The host side of the bus: a TLM-2.0 initiator through which software (the backend, later the
/// firmware's HAL) makes 32-bit register accesses. Accumulates the annotated access time.
class HostPort : public sc_core::sc_module {
 public:
  explicit HostPort(sc_core::sc_module_name name) : sc_core::sc_module(name), socket("socket") {}
  tlm_utils::simple_initiator_socket<HostPort> socket;
  /// One register access; returns the value read (or written). Throws on a bus error response.
  uint32_t access(uint32_t addr, uint32_t value, bool is_write);
  sc_core::sc_time bus_time = sc_core::SC_ZERO_TIME;
};

}  // namespace lifchip::sysc
