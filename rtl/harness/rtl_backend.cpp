// The "rtl" backend: the Verilated RTL (rtl/lifchip_top.sv) driven only through its host bus and
// the register map of spec §7, as firmware would drive it. The register sequences are the chip
// library's HostDriver (lifchip/host_driver.h); this file is the bus adapter over rtl_chip.h (every
// access costs its HOST_ACCESS_CYCLES clock cycles; the VCD window opens around the runs it names).
#include <cstdio>
#include <memory>
#include <string>

#include "lifchip/backend.h"
#include "lifchip/host_driver.h"
#include "rtl_chip.h"

namespace lifchip {
namespace {

class RtlBus final : public HostBus {
 public:
  RtlBus() { have_vcd_ = chip_.trace_steps(&vcd_first_, &vcd_last_); }
  uint32_t read32(uint32_t addr) override { return chip_.read32(addr); }
  void write32(uint32_t addr, uint32_t value) override { chip_.write32(addr, value); }
  void advance() override {}  // the clock runs with each STATUS read
  uint64_t popped_exit_cycle() override { return chip_.spike_out_cycle(); }
  void run_begin(uint32_t first_step) override {
    chip_.set_tracing(have_vcd_ && first_step >= vcd_first_ && first_step <= vcd_last_);
  }
  void run_end() override { chip_.set_tracing(false); }

 private:
  rtl::RtlChip chip_;
  bool have_vcd_ = false;
  uint32_t vcd_first_ = 0, vcd_last_ = 0;
};

// One RUN_STEPS per step: the per-step figures are counter deltas around each step.
class RtlBackend final : public HostDriver {
 public:
  RtlBackend() : HostDriver(bus_, HostDriverOptions{false}) {}
  std::string name() const override { return "rtl"; }

 protected:
  // Throws InputError naming the first limit of this build the image exceeds.
  void check_capacity(const pb::ChipImage& image) const override {
    const std::string why = rtl::exceeds_build(image);
    if (!why.empty()) throw InputError("rtl build: " + why);
  }
  std::string load_error(uint32_t err) const override {
    char hex[16];
    std::snprintf(hex, sizeof hex, "%X", err);
    return std::string("rtl: image load failed (ERROR 0x") + hex +
           "; bit1: checksum, bit2: stream or range check of the hardware loader)";
  }

 private:
  RtlBus bus_;
};

// What this build holds (rtl/CMakeLists.txt's LIFCHIP_RTL_* options), for `lifchip backends`.
const BackendRegistration kRegistration(
    "rtl", [] { return std::make_unique<RtlBackend>(); }, rtl::rtl_build());

}  // namespace
}  // namespace lifchip
