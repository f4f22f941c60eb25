// A neuro-core: the shared datapath, the phase sequencer and the fan-out unit (twin of
// rtl/lifchip_core.sv), spec §10.4.
#pragma once

#include <memory>
#include <vector>

#include "../core_datapath.h"
#include "../fault_apply.h"
#include "fifo.h"

namespace lifchip::sysc {

class Chip;

/// A neuro-core: the shared datapath plus the phase timing and the fan-out unit (spec §10.4).
class NeuroCore : public sc_core::sc_module, public EjectIf {
 public:
  SC_HAS_PROCESS(NeuroCore);
  NeuroCore(sc_core::sc_module_name name, Chip& chip);

  sc_core::sc_port<LinkIf> to_router;  // the router's local input FIFO
  detail::CoreDatapath dp;

  void reset();
  /// The fan-out unit's work in cycle c (run by the mesh clock when c == fanout_next).
  void fanout_step(Cycle c);
  Cycle fanout_next = ~Cycle{0};  // cycle of the fan-out unit's next action; ~0 when idle
  /// Starts the step's DELIVER phase at cycle `t_inj` (absolute, > now or == now at delta 0).
  void start(Cycle t_inj);
  void eject(uint32_t flit, Cycle cycle) override;
  Cycle done_cycle() const { return done_; }
  uint32_t index = 0;  // mesh position y * MESH_DIM_MAX + x
  uint32_t step_spikes = 0;
  uint64_t step_ops = 0, step_packets = 0;
  CorePhaseCycles step_phases;  // this step's phase lengths

 private:
  enum class Phase { kIdle, kDeliver, kUpdate, kFanout, kLearn, kDone };
  void phase_proc();
  void end_of_elaboration() override;
  FlitFifo* to_router_fifo_ = nullptr;  // the resolved `to_router` port
  Chip& chip_;
  sc_core::sc_event phase_ev_;
  Phase phase_ = Phase::kIdle;
  Cycle t_inj_ = 0, u0_ = 0, neuron_end_ = 0, u_end_ = 0, done_ = 0, last_push_ = 0;
  bool pushed_any_ = false;
  // Fan-out unit work: spikes in neuron order, the entry being sent.
  std::size_t spike_idx_ = 0;
  uint32_t entry_ = 0, entry_end_ = 0;
  bool dup_pending_ = false;  // a duplicate-packet fault: push entry_ once more before moving on
};

}  // namespace lifchip::sysc
