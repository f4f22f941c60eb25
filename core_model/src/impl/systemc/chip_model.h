// The cycle-accurate SystemC model of the chip (spec §10): a module per hardware block (router,
// neuro-core, host interface, the chip with its barrier), connected by ports. Every clocked process
// is an SC_METHOD that runs at the first delta of a cycle's time and wakes only when something can
// change; a core's computable stretches (a delivery of D cycles, N neuron issues) are skipped in one
// timed wait, while the fan-out unit and the routers run cycle by cycle while they hold flits.
#pragma once

#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <systemc>
#include <tlm>

#include <array>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "../core_datapath.h"
#include "../fault_apply.h"
#include "lifchip/backend.h"

namespace lifchip::sysc {

using Cycle = uint64_t;
inline constexpr int kPorts = static_cast<int>(spec::ROUTER_PORTS);

class Chip;

/// The receiving side of a router output: a neighbour's input FIFO.
struct LinkIf : virtual sc_core::sc_interface {
  /// Occupancy at the start of cycle `c` (spec §10.2), whatever was pushed or popped during `c`.
  virtual std::size_t occupancy(Cycle c) const = 0;
  /// A push in cycle `c`: the flit is in the FIFO from the start of cycle c + 1.
  virtual void push(uint32_t flit, Cycle c) = 0;
};

/// Where ejected flits go: a core's axons or the host output FIFO.
struct EjectIf : virtual sc_core::sc_interface {
  virtual void eject(uint32_t flit, Cycle cycle) = 0;
};

class Router;
class NeuroCore;

/// A router input FIFO with synchronous semantics. Each entry carries the cycle from which it is
/// visible and the FIFO remembers the cycle of its last push and pop, so every reader sees the
/// start-of-cycle contents whatever order the blocks of a cycle are evaluated in.
class FlitFifo : public sc_core::sc_object, public LinkIf {
 public:
  FlitFifo(const char* name, Chip& chip, Router& owner)
      : sc_core::sc_object(name), chip_(chip), owner_(owner) {}
  std::size_t occupancy(Cycle c) const override {
    return count_ + (popped_at_ == c ? 1 : 0) - (pushed_at_ == c ? 1 : 0);
  }
  void push(uint32_t flit, Cycle c) override;
  /// True when a flit is at the head at the start of cycle c.
  bool ready(Cycle c) const { return count_ > 0 && buf_[head_].visible <= c; }
  uint32_t head() const { return buf_[head_].flit; }
  void pop(Cycle c) {
    head_ = (head_ + 1) % buf_.size();
    --count_;
    popped_at_ = c;
  }
  std::size_t stored() const { return count_; }
  void clear() { head_ = count_ = 0, pushed_at_ = popped_at_ = ~Cycle{0}; }

 private:
  struct Entry {
    uint32_t flit;
    Cycle visible;
  };
  Chip& chip_;
  Router& owner_;
  std::array<Entry, spec::ROUTER_BUF_DEPTH> buf_{};
  std::size_t head_ = 0, count_ = 0;
  Cycle pushed_at_ = ~Cycle{0}, popped_at_ = ~Cycle{0};
};

/// Binds router outputs at the mesh edge; XY routing never uses them.
class NoLink : public sc_core::sc_object, public LinkIf, public EjectIf {
 public:
  NoLink() : sc_core::sc_object("no_link") {}
  std::size_t occupancy(Cycle) const override { return 0; }
  void push(uint32_t, Cycle) override;
  void eject(uint32_t, Cycle) override;
};

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
  const std::string& last_error() const { return last_error_; }
  /// Exit cycles of the output spikes popped so far (parallel to SPIKE_OUT reads), for results.
  std::deque<Cycle> popped_cycles;

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  uint32_t read_reg(uint32_t addr, bool& ok);
  void write_reg(uint32_t addr, uint32_t value, bool& ok);
  void inject_proc();
  Chip& chip_;
  sc_core::sc_event inject_ev_;
  std::vector<uint32_t> load_words_;
  uint32_t load_expect_ = 0;
  bool loading_ = false;
  std::deque<uint32_t> spike_in_;  // packets for the next step to run
  std::vector<uint32_t> inject_now_;
  std::size_t inject_pos_ = 0;
  struct OutEntry {
    uint32_t channel;
    uint32_t step;
    Cycle cycle;
  };
  std::deque<OutEntry> spike_out_;
  uint32_t cnt_sel_ = 0, cnt_hi_ = 0, mem_sel_ = 0, error_ = 0;
  std::string last_error_;
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
