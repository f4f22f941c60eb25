// The Verilated chip behind RtlChip (rtl_chip.h): one model per object, clocked one cycle at a time.
#include "rtl_chip.h"

#include <verilated.h>
#include <verilated_vcd_c.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "Vlifchip_top.h"
#include "lifchip/chip_constants.h"
#include "lifchip/image.h"

namespace lifchip::rtl {

// rtl/CMakeLists.txt passes the capacities it verilated the model with (LIFCHIP_RTL_* options).
const Capacities& rtl_build() {
  static const Capacities build{LIFCHIP_RTL_MESH_WIDTH, LIFCHIP_RTL_MESH_HEIGHT, LIFCHIP_RTL_NEURONS,
                                LIFCHIP_RTL_AXONS,      LIFCHIP_RTL_SYNAPSES,    LIFCHIP_RTL_FANOUT,
                                LIFCHIP_RTL_PROFILES};
  return build;
}

struct RtlChip::Impl {
  VerilatedContext ctx;
  std::unique_ptr<Vlifchip_top> top;
  std::unique_ptr<VerilatedVcdC> vcd;
  uint32_t vcd_first = 0, vcd_last = 0xFFFFFFFFu;
  bool tracing = false;
  uint64_t cycles = 0;

  // One clock cycle: falling edge, then the rising edge on which the design acts.
  void tick() {
    top->clk_i = 0;
    top->eval();
    if (tracing) vcd->dump(ctx.time());
    ctx.timeInc(1);
    top->clk_i = 1;
    top->eval();
    if (tracing) vcd->dump(ctx.time());
    ctx.timeInc(1);
    ++cycles;
  }

  // The handshake of lifchip_host_if: the request is taken at the first rising edge, acknowledged
  // (with the read data) in the following cycle, during which it is ignored.
  uint32_t access(uint32_t addr, uint32_t value, bool is_write) {
    top->bus_req_i = 1;
    top->bus_we_i = is_write;
    top->bus_addr_i = addr & 0xFFFu;
    top->bus_wdata_i = value;
    tick();
    if (!top->bus_ack_o) throw std::logic_error("rtl: the host bus did not acknowledge");
    const uint32_t data = top->bus_rdata_o;
    top->bus_req_i = 0;
    tick();
    return data;
  }
};

RtlChip::RtlChip() : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  const char* vcd = std::getenv("LIFCHIP_RTL_VCD");
  const bool trace = vcd && *vcd;
  if (const char* range = trace ? std::getenv("LIFCHIP_RTL_VCD_STEPS") : nullptr) {
    unsigned a = 0, b = 0;
    char end = 0;
    if (std::sscanf(range, "%u:%u%c", &a, &b, &end) != 2 || a > b)
      throw InputError(std::string("LIFCHIP_RTL_VCD_STEPS: '") + range +
                       "' is not first:last (two step numbers, first <= last)");
    m.vcd_first = a, m.vcd_last = b;
  }
  if (trace) m.ctx.traceEverOn(true);
  m.top = std::make_unique<Vlifchip_top>(&m.ctx, "lifchip");
  if (trace) {
    m.vcd = std::make_unique<VerilatedVcdC>();
    m.top->trace(m.vcd.get(), 99);
    m.vcd->open(vcd);
  }
  m.top->clk_i = 0;
  m.top->bus_req_i = 0;
  reset(2);
}

void RtlChip::reset(uint32_t hold_cycles) {
  Impl& m = *impl_;
  m.top->bus_req_i = 0;
  m.top->rst_ni = 0;
  m.top->eval();  // the reset is asynchronous: it acts before the next edge
  for (uint32_t i = 0; i < std::max<uint32_t>(hold_cycles, 1); ++i) m.tick();
  m.top->rst_ni = 1;
  m.tick();
}

RtlChip::~RtlChip() {
  impl_->top->final();
  if (impl_->vcd) impl_->vcd->close();
}

uint32_t RtlChip::read32(uint32_t addr) { return impl_->access(addr, 0, false); }
void RtlChip::write32(uint32_t addr, uint32_t value) { impl_->access(addr, value, true); }
void RtlChip::idle(uint64_t cycles) {
  for (uint64_t i = 0; i < cycles; ++i) impl_->tick();
}
uint32_t RtlChip::spike_out_cycle() const { return impl_->top->spike_out_cycle_o; }
uint64_t RtlChip::cycles() const { return impl_->cycles; }
void RtlChip::set_tracing(bool on) { impl_->tracing = on && impl_->vcd != nullptr; }
bool RtlChip::trace_steps(uint32_t* first, uint32_t* last) const {
  *first = impl_->vcd_first;
  *last = impl_->vcd_last;
  return impl_->vcd != nullptr;
}

std::string exceeds_build(const pb::ChipImage& image) {
  const Capacities& build = rtl_build();
  const uint32_t kMeshW = build.mesh_width, kMeshH = build.mesh_height, kNeurons = build.neurons,
                 kAxons = build.axons, kSynapses = build.synapses, kFanout = build.fanout,
                 kProfiles = build.profiles;
  const ChipShape sh = chip_shape(image.config());
  auto fail = [](const std::string& what, uint64_t value, uint64_t limit) {
    return what + " " + std::to_string(value) + " > " + std::to_string(limit);
  };
  if (sh.width > kMeshW) return fail("mesh width", sh.width, kMeshW);
  if (sh.height > kMeshH) return fail("mesh height", sh.height, kMeshH);
  for (const pb::Core& c : image.cores()) {
    const std::string core = "core (" + std::to_string(c.x()) + "," + std::to_string(c.y()) + "): ";
    if (static_cast<uint32_t>(c.neuron_profile_size()) > kNeurons)
      return fail(core + "neurons", c.neuron_profile_size(), kNeurons);
    if (static_cast<uint32_t>(c.axon_syn_base_size()) > kAxons)
      return fail(core + "axons", c.axon_syn_base_size(), kAxons);
    if (static_cast<uint32_t>(c.syn_neuron_size()) > kSynapses)
      return fail(core + "synapse entries", c.syn_neuron_size(), kSynapses);
    if (static_cast<uint32_t>(c.fanout_axon_size()) > kFanout)
      return fail(core + "fan-out entries", c.fanout_axon_size(), kFanout);
    if (static_cast<uint32_t>(c.profiles_size()) > kProfiles)
      return fail(core + "profiles", c.profiles_size(), kProfiles);
  }
  return {};
}

}  // namespace lifchip::rtl
