// The five-port XY router (twin of rtl/lifchip_router.sv), spec §10.3.
#pragma once

#include <array>

#include "fifo.h"
#include "lifchip/backend.h"

namespace lifchip::sysc {

class Chip;

/// Five-port XY router with round-robin output arbitration (spec §10.3). Its clocked logic,
/// cycle(), is run by the mesh clock (Chip::noc_proc) in every cycle in which it holds a flit.
class Router : public sc_core::sc_module {
 public:
  Router(sc_core::sc_module_name name, Chip& chip, uint32_t x, uint32_t y);

  std::array<std::unique_ptr<FlitFifo>, kPorts> in;
  std::array<sc_core::sc_port<LinkIf>, kPorts> out;  // N, E, S, W used; L goes to `to_core`
  sc_core::sc_port<EjectIf> to_core;
  sc_core::sc_port<EjectIf> to_host;  // bound to the host at (0,0), to NoLink elsewhere

  void reset(CoreCounterArray* counters);
  void cycle(Cycle c);
  std::size_t stored() const;
  CoreCounterArray* counters = nullptr;
  uint32_t index = 0;  // mesh position y * MESH_DIM_MAX + x
  bool busy_listed = false;

 private:
  void end_of_elaboration() override;
  Chip& chip_;
  uint32_t x_, y_;
  std::array<uint8_t, kPorts> rr_{};
  std::array<LinkIf*, kPorts> link_{};  // resolved ports, for speed
  std::array<FlitFifo*, kPorts> fifo_{};
  std::array<FlitFifo*, kPorts> next_{};  // the neighbour FIFO behind each output, if any
  NeuroCore* core_model_ = nullptr;
  EjectIf* core_ = nullptr;
  EjectIf* host_ = nullptr;
};

}  // namespace lifchip::sysc
