// The host-side driver of spec §7: a Backend that drives a chip only through its register map —
// images load by the flat stream (LOAD_CTRL/LOAD_DATA/LOAD_EXPECT), spikes go in through SPIKE_IN
// and out through SPIKE_OUT, counters are read through CNT_SEL/CNT_LO/CNT_HI and memories through the
// MEM_SEL/MEM_DATA window, ERROR is checked after every run. It knows no model: each cycle-level
// backend (systemc, rtl) supplies a HostBus over its own chip and derives from HostDriver.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "lifchip/backend.h"
#include "lifchip/image.h"

namespace lifchip {

/// One chip's host bus as the driver sees it: 32-bit register accesses at the byte addresses of
/// spec §7, and the clock while a run is in progress. A bus adapter decides what an access costs in
/// simulated time; the driver only orders the accesses.
class HostBus {
 public:
  virtual ~HostBus() = default;
  virtual uint32_t read32(uint32_t addr) = 0;
  virtual void write32(uint32_t addr, uint32_t value) = 0;
  /// Lets the chip run after RUN_STEPS: called before each read of STATUS while the driver waits for
  /// BUSY to clear (a model that runs a whole run at once does so on the first call).
  virtual void advance() = 0;
  /// The exit cycle (spec §10.4) of the output spike the last SPIKE_OUT read popped: a side channel
  /// of the model, not a register.
  virtual uint64_t popped_exit_cycle() = 0;
  /// Around one run, from just before its RUN_STEPS write until BUSY is clear (waveform windows).
  virtual void run_begin(uint32_t first_step) { (void)first_step; }
  virtual void run_end() {}
};

/// How a backend wants its runs driven.
struct HostDriverOptions {
  /// true: steps with no host input and no possible host output go in one RUN_STEPS, and the
  /// model reports per-step figures itself (take_step_figures is the derived backend's).
  /// false: one RUN_STEPS per step, and the per-step figures are counter deltas around each step.
  bool batch_runs = false;
};

/// The Backend contract over a HostBus (spec §7). Derived backends name themselves, own the bus,
/// and add what is not a register (test faults, the model's own step figures).
class HostDriver : public Backend {
 public:
  HostDriver(HostBus& bus, HostDriverOptions options) : bus_(bus), opt_(options) {}

  void load(const pb::ChipImage& image) override;
  void set_learning(bool enabled) override;
  void inject(const std::vector<InputSpike>& spikes) override;
  void step(uint32_t n) override;
  std::vector<OutputSpike> drain() override;
  CounterSet counters() const override;
  void clear_counters() override;
  uint32_t timestep() const override { return timestep_; }
  /// The window auto-increments, so a run of consecutive addresses costs one MEM_DATA read each; an
  /// address outside the core's memory is refused before any access, with the model's own message.
  uint32_t read_word(uint32_t x, uint32_t y, uint32_t mem, uint32_t addr) const override;
  /// Counter deltas around each step (with batch_runs false).
  std::vector<StepFigure> take_step_figures() override;

 protected:
  /// Throws InputError when this chip cannot hold `image` (after the image itself was validated).
  virtual void check_capacity(const pb::ChipImage& image) const { (void)image; }
  /// The message of a load the chip refused with ERROR bits `err`.
  virtual std::string load_error(uint32_t err) const = 0;
  /// True when core (x, y) is in the loaded image.
  bool has_core(uint32_t x, uint32_t y) const;

 private:
  struct CoreCounts {
    bool present = false;
    uint32_t P = 0, N = 0, A = 0, S = 0, F = 0;
  };
  static uint64_t window_limit(const CoreCounts& k, uint32_t mem, uint32_t addr);
  uint32_t rd(int64_t addr) const { return bus_.read32(static_cast<uint32_t>(addr)); }
  void wr(int64_t addr, uint32_t v) const { bus_.write32(static_cast<uint32_t>(addr), v); }
  uint64_t counter(uint32_t sel) const;
  uint32_t counter_lo(uint32_t sel) const;
  void run(uint32_t steps);
  void drain_fifo();
  void record_figure();

  HostBus& bus_;
  HostDriverOptions opt_;
  ChipShape shape_;
  std::vector<CoreCounts> counts_;  // per core index y * W + x
  std::vector<int64_t> axons_;      // per core index: the core's axon count, -1 if not in the image
  bool host_outputs_ = false;
  std::map<uint32_t, std::vector<uint32_t>> pending_;  // SPIKE_IN packets by step
  std::vector<OutputSpike> outputs_;
  std::vector<StepFigure> figures_;
  std::vector<uint32_t> snapshot_;  // counter low words after the last step
  uint32_t timestep_ = 0;
  mutable uint32_t mem_sel_ = 0;
  mutable bool mem_sel_valid_ = false;
};

}  // namespace lifchip
