// The "rtl" firmware platform (built with -DLIFCHIP_BUILD_RTL=ON): HAL accesses drive the Verilated
// chip's host bus through rtl/harness/rtl_chip.h, each taking its HOST_ACCESS_CYCLES clock cycles;
// a poll idles the clock 64 cycles. The RTL has no test faults (spec §11 is a C++-model feature).
#include "rtl_chip.h"

#include "lifchip/chip_constants.h"
#include "platform.h"

namespace lifchip::hil {

namespace {

class RtlPlatform final : public Platform {
 public:
  std::string name() const override { return "rtl"; }
  bool has_timing() const override { return true; }
  void inject_fault(const Fault&) override {
    throw InputError("platform rtl does not support fault injection");
  }
  std::vector<FaultEvent> fault_events() const override { return {}; }
  std::string cannot_run(const pb::ChipImage& image, bool faults) const override {
    if (faults) return "the rtl platform has no test faults (spec §11 is a C++-model feature)";
    const std::string why = rtl::exceeds_build(image);
    return why.empty() ? why : "the rtl build's capacity: " + why;
  }
  std::vector<uint64_t> take_output_cycles() override {
    std::vector<uint64_t> out;
    out.swap(cycles_);
    return out;
  }
  uint64_t bus_cycles() const override { return chip_.cycles(); }

 protected:
  uint32_t read32(uint32_t addr) override {
    const uint32_t v = chip_.read(addr);
    if (addr == static_cast<uint32_t>(spec::REG_SPIKE_OUT) && (v >> 31))
      cycles_.push_back(chip_.spike_out_cycle());
    return v;
  }
  void write32(uint32_t addr, uint32_t value) override { chip_.write(addr, value); }
  bool poll(uint32_t iteration) override {
    if (iteration >= poll_limit_) return false;
    chip_.idle(64);
    return true;
  }

 private:
  rtl::RtlChip chip_;
  std::vector<uint64_t> cycles_;
};

}  // namespace

std::unique_ptr<Platform> make_rtl_platform() { return std::make_unique<RtlPlatform>(); }

}  // namespace lifchip::hil
