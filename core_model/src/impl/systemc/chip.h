// The chip: the mesh of routers and cores, the host interface and the step barrier (twin of
// rtl/lifchip_top.sv), spec §10.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "host_if.h"
#include "neuro_core.h"
#include "router.h"

namespace lifchip::sysc {

/// The chip: a W x H mesh of routers and cores, the host interface and the step barrier.
/// Elaborated once per process at the largest mesh; load() configures the W x H corner in use.
class Chip : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Chip);
  explicit Chip(sc_core::sc_module_name name);

  static Chip& instance();
  /// The VCD step range of LIFCHIP_VCD_STEPS ("first:last"; everything when unset). Throws
  /// InputError on a malformed value when LIFCHIP_VCD is set; called before the chip is elaborated.
  static void trace_steps_from_env(unsigned* first = nullptr, unsigned* last = nullptr);

  HostInterface host;
  HostPort host_port;
  std::vector<std::unique_ptr<Router>> routers;
  std::vector<std::unique_ptr<NeuroCore>> cores;
  NoLink no_link;

  /// Waveform (VCD) of the main state, for the steps in [first, last]; configured from the
  /// environment before the chip is elaborated: LIFCHIP_VCD=file.vcd, LIFCHIP_VCD_STEPS=first:last.
  struct Trace {
    sc_core::sc_trace_file* file = nullptr;
    uint32_t first = 0, last = 0xFFFFFFFFu;
    int timestep = 0, inject = 0, flits = 0;
    std::vector<int> core_phase, router_flits;
  } trace;
  bool tracing() const { return trace.file && timestep >= trace.first && timestep <= trace.last; }
  void trace_core(uint32_t index, int phase) {
    if (tracing()) trace.core_phase[index] = phase;
  }
  void trace_router(uint32_t index, int flits) {
    if (tracing()) trace.router_flits[index] = flits;
  }

  // Called by the host interface.
  void configure(const pb::ChipImage& image);
  void run_steps(uint32_t n, sc_core::sc_time after);
  bool busy() const { return steps_left_ > 0 || running_; }
  bool configured() const { return configured_; }
  bool learn_en = false;
  uint32_t timestep = 0;
  detail::FaultSet faults;  // test faults (spec §11); disarmed by configure()
  bool claimed = false;     // one user (a systemc backend or a firmware platform) at a time
  std::array<uint64_t, spec::CNT_CHIP_SLOTS> chip_counters{};
  void clear_counters();
  const ChipShape& shape() const { return shape_; }
  NeuroCore* core_at(uint32_t index) { return cores[index].get(); }

  // Called by blocks during a step.
  Cycle now() const;
  sc_core::sc_time cycles(Cycle n) const { return period_ * static_cast<double>(n); }
  bool inject_phase() const { return inject_phase_; }
  /// A flit was pushed into a FIFO of router r in cycle c: count it, clock the router from c + 1.
  void on_push(Router& r, Cycle c);
  /// The fan-out unit of `core` has work at cycle `at`.
  void schedule_fanout(NeuroCore& core, Cycle at);
  /// `n` flits left their FIFOs in cycle c (granted); the barrier is checked once per mesh cycle.
  void on_grants(Cycle c, uint32_t n) {
    flits_in_mesh_ -= n;
    last_grant_ = c;
    granted_any_ = true;
  }
  void on_inject_ejected(Cycle c);
  void core_done(Cycle c);
  void on_step_packets(uint64_t n) { step_packets_ += n; }
  Cycle step_start() const { return step_start_; }
  std::vector<StepFigure> figures;

 private:
  void control_proc();
  void noc_proc();
  void start_step();
  void open_trace();
  void maybe_end_step();
  void all_cores_start(Cycle t_inj);
  uint32_t index(uint32_t x, uint32_t y) const { return y * spec::MESH_DIM_MAX + x; }

  ChipShape shape_;
  sc_core::sc_time period_{10, sc_core::SC_NS};
  sc_core::sc_time epoch_;  // simulation time of the last configure: cycle 0
  bool configured_ = false, running_ = false, inject_phase_ = false, end_scheduled_ = false;
  uint32_t steps_left_ = 0;
  enum class Ctrl { kStart, kEnd } ctrl_next_ = Ctrl::kStart;
  sc_core::sc_event ctrl_ev_, noc_tick_;
  std::vector<Router*> busy_;        // routers holding flits, clocked by noc_proc
  std::vector<NeuroCore*> fanning_;  // cores whose fan-out unit has work, clocked by noc_proc
  Cycle next_tick_ = ~Cycle{0};
  void schedule_tick(Cycle at);
  Cycle step_start_ = 0, t_inj_ = 0, last_grant_ = 0, done_max_ = 0;
  bool granted_any_ = false;
  uint64_t flits_in_mesh_ = 0, injected_left_ = 0, step_packets_ = 0;
  uint32_t cores_done_ = 0;
  std::vector<uint32_t> active_;  // mesh indices of the W x H cores in use
};

}  // namespace lifchip::sysc
