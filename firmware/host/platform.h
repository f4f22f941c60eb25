// Firmware platforms: the same C firmware (firmware/src/lifchip_fw.c) runs on each through its HAL.
// "functional": a register-level adapter implementing spec §7 over the functional backend;
// "systemc": HAL accesses are TLM-2.0 transactions on the SystemC model's host socket, with their
// annotated time (simulated time advances per access and per poll); "rtl": the Verilated RTL's host
// bus (only with -DLIFCHIP_BUILD_RTL=ON, when the RTL exposes its bus).
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "host_regs.h"
#include "lifchip/backend.h"
#include "lifchip_fw.h"

namespace lifchip::hil {

class Platform {
 public:
  Platform();
  virtual ~Platform() = default;
  Platform(const Platform&) = delete;
  Platform& operator=(const Platform&) = delete;

  virtual std::string name() const = 0;
  /// True for cycle-level platforms: timing counters, per-step cycles and output exit cycles.
  virtual bool has_timing() const = 0;
  /// Arms a test fault in the model behind the bus (spec §11), after the firmware booted the image.
  virtual void inject_fault(const Fault& fault) = 0;
  virtual std::vector<FaultEvent> fault_events() const = 0;
  /// Why this platform cannot run `image` (with test faults when `faults`), or "" when it can: a
  /// regression case it cannot run is skipped with this reason rather than aborting the suite.
  virtual std::string cannot_run(const pb::ChipImage& image, bool faults) const {
    (void)image;
    (void)faults;
    return {};
  }
  /// Exit cycles of the output spikes popped from SPIKE_OUT since the last call (timing platforms).
  virtual std::vector<uint64_t> take_output_cycles() { return {}; }
  /// Simulated host-bus time so far, in chip cycles (0 where the platform has no time).
  virtual uint64_t bus_cycles() const { return 0; }

  const lc_hal_t* hal() const { return &hal_; }
  uint64_t accesses() const { return accesses_; }
  /// Polls allowed while waiting for one run before the firmware reports a timeout.
  void set_poll_limit(uint32_t polls) { poll_limit_ = polls; }

 protected:
  virtual uint32_t read32(uint32_t addr) = 0;
  virtual void write32(uint32_t addr, uint32_t value) = 0;
  /// Lets time pass while the firmware waits; false to give up.
  virtual bool poll(uint32_t iteration) = 0;
  uint32_t poll_limit_ = 1u << 20;

 private:
  static uint32_t hal_read(void* ctx, uint32_t addr);
  static void hal_write(void* ctx, uint32_t addr, uint32_t value);
  static bool hal_poll(void* ctx, uint32_t iteration);
  lc_hal_t hal_{};
  uint64_t accesses_ = 0;
};

/// The register map of spec §7 over any Backend (used with the functional model): the shared
/// register decode of the C++ models (host_regs.h, as the SystemC host interface uses it) with the
/// backend behind it. Runs are synchronous: BUSY is never seen set.
class RegisterAdapter : public Platform, private detail::HostRegisterFile::ChipSide {
 public:
  explicit RegisterAdapter(std::unique_ptr<Backend> backend);
  std::string name() const override { return backend_->name(); }
  bool has_timing() const override { return false; }
  void inject_fault(const Fault& fault) override { backend_->inject_fault(fault); }
  std::vector<FaultEvent> fault_events() const override { return backend_->fault_events(); }
  Backend& backend() { return *backend_; }

 protected:
  uint32_t read32(uint32_t addr) override { return regs_.read(addr); }
  void write32(uint32_t addr, uint32_t value) override { regs_.write(addr, value); }
  bool poll(uint32_t iteration) override { return iteration < poll_limit_; }

 private:
  // The chip behind the registers: the backend.
  bool configured() const override { return valid_; }
  bool busy() const override { return false; }
  bool learning() const override { return learn_; }
  uint32_t timestep() const override { return valid_ ? backend_->timestep() : 0; }
  const ChipShape& shape() const override { return shape_; }
  uint32_t axons(uint32_t x, uint32_t y) const override;
  void drop_image() override;
  void configure(const pb::ChipImage& image) override;
  void set_learning(bool enabled) override;
  void clear_counters() override;
  void run_steps(uint32_t steps) override;
  uint64_t chip_counter(uint32_t id) override;
  uint64_t core_counter(uint32_t core, uint32_t id) override;
  uint32_t read_word(uint32_t core, uint32_t mem, uint32_t addr) override;
  const CounterSet& counters();

  std::unique_ptr<Backend> backend_;
  detail::HostRegisterFile regs_;
  bool valid_ = false, learn_ = false;
  ChipShape shape_;
  std::vector<int64_t> axons_;
  CounterSet counters_;
  bool counters_valid_ = false;
};

/// Creates the platform named like its backend: "functional", "systemc" (or "rtl" when built).
/// Throws InputError naming the known platforms.
std::unique_ptr<Platform> make_platform(const std::string& name);
std::vector<std::string> platform_names();

}  // namespace lifchip::hil
