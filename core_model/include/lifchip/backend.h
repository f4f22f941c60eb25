// The backend interface: one contract, implemented by the functional model, the SystemC model and
// the Verilated RTL. Everything above it (the CLI, the run loop, tests) uses only this header.
//
// Contract:
//  - load(image) validates the image (spec §9.4, checksum included) and resets the chip to it:
//    time step 0, counters 0, traces 0, LEARN_EN = image.learning_enabled; queued input spikes
//    and undrained output spikes are dropped. Throws InputError (the chip is then unchanged).
//  - inject(spikes) queues host input spikes; each names the time step it enters (>= timestep()),
//    and a core and axon that exist in the image (else InputError, nothing queued).
//  - step(n) runs n whole time steps (spec §5).
//  - drain() returns the output spikes produced since the last drain, sorted by (step, channel).
//  - counters() are the spec §8 counters; ids 0..20 and the chip counters agree across backends.
//  - read_word(x, y, mem, addr) reads a memory word exactly as the MEM_SEL/MEM_DATA window
//    (spec §7, layouts §9.2) would; out-of-range reads throw InputError.
//  - set_threads(n) changes speed only, never a result: spikes, counters, figures and errors are
//    bit-identical for any n.
//  - inject_fault(fault) arms a test fault (spec §11, not chip behaviour) after load(); load()
//    disarms every fault. Backends without fault injection throw InputError (the default).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "lifchip/chip_constants.h"
#include "lifchip/image.h"

namespace lifchip {

struct InputSpike {
  uint32_t step = 0;
  uint32_t x = 0, y = 0;
  uint32_t axon = 0;
};

struct OutputSpike {
  uint32_t step = 0;
  uint32_t channel = 0;
  /// Cycle-level models: the cycle of its step (spec §10.4, from the step's cycle 0) in which the
  /// spike left the chip; 0 in the functional model. Timing, not function: equality ignores it.
  uint64_t cycle = 0;
  friend bool operator==(const OutputSpike& a, const OutputSpike& b) {
    return a.step == b.step && a.channel == b.channel;
  }
  friend bool operator<(const OutputSpike& a, const OutputSpike& b) {
    return a.step != b.step ? a.step < b.step : a.channel < b.channel;
  }
};

using CoreCounterArray = std::array<uint64_t, spec::CNT_PER_CORE>;
using ChipCounterArray = std::array<uint64_t, spec::CNT_CHIP_SLOTS>;

struct CounterSet {
  uint32_t width = 0, height = 0;
  std::vector<CoreCounterArray> cores;  // index y * width + x
  ChipCounterArray chip{};
  uint64_t total(int id) const;
};

/// Cycles one core spent in each phase of one step (spec §10.4), cycle-level models only.
struct CorePhaseCycles {
  uint32_t x = 0, y = 0;
  uint32_t deliver = 0, update = 0, learn = 0, wait = 0;
  friend bool operator==(const CorePhaseCycles& a, const CorePhaseCycles& b) {
    return a.x == b.x && a.y == b.y && a.deliver == b.deliver && a.update == b.update && a.learn == b.learn &&
           a.wait == b.wait;
  }
};

/// Per-step figures every backend reports (cycles and phases only from cycle-level models).
struct StepFigure {
  uint32_t step = 0;
  uint32_t spikes = 0;
  uint64_t syn_ops = 0;
  uint64_t packets = 0;
  uint64_t cycles = 0;
  std::vector<CorePhaseCycles> phases;  // one per core of the mesh, y-major; empty without timing
};

/// A test fault (spec §11): a deliberate corruption of the model, for mutation testing of the
/// regression runner. Not chip behaviour.
struct Fault {
  enum class Kind {
    kFlipU,            // flip bit `bit` of neuron `index`'s u at the end of step `step`
    kFlipV,            // the same for v
    kFlipWeight,       // flip bit `bit` (0..7) of synapse entry `index`'s weight at the end of `step`
    kStuckFire,        // neuron `index` spikes in every update from step `step` on
    kStuckSilent,      // neuron `index` never spikes from step `step` on
    kDropPacket,       // the packet of fan-out entry `index` is lost in step `step`
    kDuplicatePacket,  // the packet of fan-out entry `index` is delivered twice in step `step`
  };
  Kind kind = Kind::kFlipU;
  uint32_t step = 0;
  uint32_t x = 0, y = 0;  // the core holding the neuron, synapse or (sending) fan-out entry
  uint32_t index = 0;
  uint32_t bit = 0;
};

/// Where a fault first changed the model's behaviour (its activation), as the injecting model saw it:
/// the place a regression comparison must name. `variable` is "u", "v", "ref", "weight" (index =
/// synapse), "spike" (index = neuron; a spike without a state change), "packets_received" (x, y =
/// receiving core) or "output spikes".
struct FaultEvent {
  std::size_t fault = 0;  // index in injection order
  uint32_t step = 0;
  uint32_t x = 0, y = 0;
  uint32_t index = 0;
  std::string variable;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;
  virtual void load(const pb::ChipImage& image) = 0;
  virtual void set_learning(bool enabled) = 0;
  /// Threads the backend may use within a time step (0 or 1: one). Results are identical for every
  /// count (a backend that cannot use threads ignores it; today only the functional model does).
  virtual void set_threads(unsigned threads) { (void)threads; }
  /// Returns the chip to the state its last load() left it in, as load() of the same image again
  /// but without reading and validating it again. False when the backend cannot (or nothing was
  /// loaded): the caller then calls load().
  virtual bool reload() { return false; }
  /// True when several instances of this backend may run at once, one per thread, in one process
  /// (false for SystemC: one elaboration per process).
  virtual bool concurrent_instances() const { return false; }
  virtual void inject(const std::vector<InputSpike>& spikes) = 0;
  virtual void step(uint32_t n) = 0;
  virtual std::vector<OutputSpike> drain() = 0;
  virtual CounterSet counters() const = 0;
  virtual void clear_counters() = 0;
  virtual uint32_t timestep() const = 0;
  virtual uint32_t read_word(uint32_t x, uint32_t y, uint32_t mem, uint32_t addr) const = 0;
  /// Figures of the steps run since load (or since the last call), oldest first.
  virtual std::vector<StepFigure> take_step_figures() = 0;
  /// Arms a test fault (spec §11) after load(); throws InputError when the fault names something the
  /// image does not have. Default: this backend does not support fault injection.
  virtual void inject_fault(const Fault& fault) {
    (void)fault;
    throw InputError("backend " + name() + " does not support fault injection");
  }
  /// Activations of the armed faults so far, in the order they happened.
  virtual std::vector<FaultEvent> fault_events() const { return {}; }
};

/// Axon counts of an image's cores by mesh index (y * W + x); -1 where the image has no core.
std::vector<int64_t> axons_by_core(const pb::ChipImage& image);

/// The Backend::inject contract, shared by every backend: throws InputError naming the first
/// spike that is for a past step, outside the mesh, to a core not in the image or to a missing axon.
void check_input_spikes(const std::vector<InputSpike>& spikes, const ChipShape& shape,
                        const std::vector<int64_t>& axons_by_core, uint32_t timestep);

/// The one message of a chip ERROR register (spec §7) seen by a backend during `step`:
/// "<backend>: the chip reported ERROR 0x8 in step 5: input spike FIFO overflow (more than 4096
/// host packets for one step)". Every model throws InputError with it, so they agree on errors.
std::string chip_error_message(const std::string& backend, uint32_t error_bits, uint32_t step);

/// What a backend's chip holds: its largest mesh and each core's memories. An image that needs more
/// is refused by the backend's load, naming the capacity and these numbers.
struct Capacities {
  uint32_t mesh_width = 0, mesh_height = 0;
  uint32_t neurons = 0, axons = 0, synapses = 0, fanout = 0, profiles = 0;  // per core
};
/// The spec's maxima (chip_constants.json *_MAX): what the functional and SystemC models hold.
Capacities spec_capacities();

/// Registry of backends by name (`--backend NAME`). Implementations register themselves with a
/// static BackendRegistration in their own file under core_model/src/impl/.
class BackendRegistry {
 public:
  using Factory = std::function<std::unique_ptr<Backend>()>;
  static void add(const std::string& name, Factory factory, const Capacities& capacities = spec_capacities());
  /// Throws InputError naming the known backends when `name` is unknown.
  static std::unique_ptr<Backend> create(const std::string& name);
  static std::vector<std::string> names();
  /// The capacities `name` registered with (no backend is made); InputError when unknown.
  static Capacities capacities(const std::string& name);
};

struct BackendRegistration {
  BackendRegistration(const std::string& name, BackendRegistry::Factory factory,
                      const Capacities& capacities = spec_capacities()) {
    BackendRegistry::add(name, std::move(factory), capacities);
  }
};

}  // namespace lifchip
