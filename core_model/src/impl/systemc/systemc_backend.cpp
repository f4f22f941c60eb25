// The "systemc" backend: the cycle-accurate virtual prototype (impl/systemc/chip_model.h) driven
// only through its TLM-2.0 host socket and the register map of spec §7, as firmware would drive it.
// The register sequences are the chip library's HostDriver (lifchip/host_driver.h); this file is
// the bus adapter (accesses are TLM transactions; a run is simulated to its end at once) and what is
// not a register: test faults and the model's own per-step figures.
#include <cstdio>

#include "lifchip/backend.h"
#include "lifchip/chip_constants.h"
#include "lifchip/host_driver.h"
#include "chip_model.h"

// libsystemc.so's main() calls sc_main; our programs bring their own main(), so this is never run.
__attribute__((weak)) int sc_main(int, char*[]) { return 1; }

namespace lifchip {
namespace {

namespace s = spec;

// Accesses take no simulated time here: the backend waits only for runs, each simulated to its end.
class SystemCBus final : public HostBus {
 public:
  explicit SystemCBus(sysc::Chip& chip) : chip_(chip) {}
  uint32_t read32(uint32_t addr) override { return chip_.host_port.access(addr, 0, false); }
  void write32(uint32_t addr, uint32_t value) override { chip_.host_port.access(addr, value, true); }
  void advance() override { sc_core::sc_start(); }
  // The exit cycle is the model's own record, kept beside the register FIFO.
  uint64_t popped_exit_cycle() override {
    auto& cycles = chip_.host.popped_cycles;
    const uint64_t cycle = cycles.empty() ? 0 : cycles.front();
    if (!cycles.empty()) cycles.pop_front();
    return cycle;
  }

 private:
  sysc::Chip& chip_;
};

sysc::Chip& claim_chip() {
  sysc::Chip::trace_steps_from_env();
  sysc::Chip& chip = sysc::Chip::instance();
  if (chip.claimed)
    throw InputError("the SystemC model is one chip per process: another systemc backend or platform is alive");
  chip.claimed = true;
  return chip;
}

class SystemCBackend final : public HostDriver {
 public:
  SystemCBackend() : HostDriver(bus_, HostDriverOptions{true}), chip_(claim_chip()), bus_(chip_) {}
  ~SystemCBackend() override { chip_.claimed = false; }

  std::string name() const override { return "systemc"; }

  void inject_fault(const Fault& fault) override {
    if (!has_core(fault.x, fault.y))
      throw InputError("fault: core (" + std::to_string(fault.x) + "," + std::to_string(fault.y) +
                       ") is not in the image");
    chip_.faults.arm(fault, chip_.core_at(fault.y * s::MESH_DIM_MAX + fault.x)->dp, timestep());
  }

  std::vector<FaultEvent> fault_events() const override { return chip_.faults.events(); }

  // Taken figures leave the model, so a long run that takes them as it goes (RunOptions::on_part)
  // holds only the steps since the last take.
  std::vector<StepFigure> take_step_figures() override {
    std::vector<StepFigure> out;
    out.swap(chip_.figures);
    return out;
  }

 protected:
  std::string load_error(uint32_t err) const override {
    char hex[16];
    std::snprintf(hex, sizeof hex, "%X", err);
    return std::string("systemc: image load failed (ERROR 0x") + hex + "): " + chip_.host.last_error();
  }

 private:
  sysc::Chip& chip_;
  SystemCBus bus_;
};

const BackendRegistration kRegistration("systemc", [] { return std::make_unique<SystemCBackend>(); });

}  // namespace
}  // namespace lifchip
