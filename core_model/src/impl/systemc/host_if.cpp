// See host_if.h.
#include "host_if.h"

#include <algorithm>

#include "chip.h"
#include "lifchip/image.h"

namespace lifchip::sysc {

using sc_core::sc_time;

namespace {

// The chip behind the registers, as the shared decode (host_regs.h) sees it.
class Side final : public detail::HostRegisterFile::ChipSide {
 public:
  Side(Chip& chip, std::deque<Cycle>& popped) : chip_(chip), popped_(popped) {}
  bool configured() const override { return chip_.configured(); }
  bool busy() const override { return chip_.busy(); }
  bool learning() const override { return chip_.learn_en; }
  uint32_t timestep() const override { return chip_.timestep; }
  const ChipShape& shape() const override { return chip_.shape(); }
  uint32_t axons(uint32_t x, uint32_t y) const override { return core(x, y).A; }
  void drop_image() override { chip_.configure(pb::ChipImage{}); }
  void configure(const pb::ChipImage& image) override { chip_.configure(image); }
  void set_learning(bool enabled) override { chip_.learn_en = enabled; }
  void clear_counters() override { chip_.clear_counters(); }
  void run_steps(uint32_t steps) override { chip_.run_steps(steps, chip_.cycles(s::HOST_ACCESS_CYCLES)); }
  uint64_t chip_counter(uint32_t id) override { return chip_.chip_counters[id]; }
  uint64_t core_counter(uint32_t c, uint32_t id) override { return core_of(c).cnt[id]; }
  uint32_t read_word(uint32_t c, uint32_t mem, uint32_t addr) override { return core_of(c).read_word(mem, addr); }
  void spike_popped(uint64_t cycle) override { popped_.push_back(cycle); }

 private:
  const detail::CoreDatapath& core(uint32_t x, uint32_t y) const {
    return chip_.core_at(y * s::MESH_DIM_MAX + x)->dp;
  }
  // A core index of the mesh in use (y * W + x).
  const detail::CoreDatapath& core_of(uint32_t c) const {
    return core(c % chip_.shape().width, c / chip_.shape().width);
  }
  Chip& chip_;
  std::deque<Cycle>& popped_;
};

}  // namespace


HostInterface::HostInterface(sc_core::sc_module_name name, Chip& chip)
    : sc_core::sc_module(name), socket("socket"), chip_(chip),
      side_(std::make_unique<Side>(chip, popped_cycles)), regs_(*side_) {
  socket.register_b_transport(this, &HostInterface::b_transport);
  SC_METHOD(inject_proc);
  sensitive << inject_ev_;
  dont_initialize();
}

void HostInterface::reset() {
  regs_.clear_fifos();
  inject_now_.clear();
  inject_pos_ = 0;
  popped_cycles.clear();
  inject_ev_.cancel();
}

void HostInterface::start_inject() {
  inject_now_ = regs_.take_spike_in();
  inject_pos_ = 0;
  if (!inject_now_.empty()) inject_proc();
}

// INJECT (spec §10.4): one input packet per cycle into router (0,0)'s west FIFO while it has room.
void HostInterface::inject_proc() {
  const Cycle c = chip_.now();
  if (to_mesh->occupancy(c) < kDepth) {
    to_mesh->push(inject_now_[inject_pos_++], c);
    ++chip_.chip_counters[s::CNT_CHIP_HOST_IN];
  }
  if (inject_pos_ < inject_now_.size()) inject_ev_.notify(chip_.cycles(1));
}

void HostInterface::eject(uint32_t flit, Cycle cycle) {
  ++chip_.chip_counters[s::CNT_CHIP_HOST_OUT];
  regs_.push_spike_out(pkt_axon(flit), chip_.timestep, cycle - chip_.step_start());
}

void HostInterface::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  delay += chip_.cycles(s::HOST_ACCESS_CYCLES);
  const uint64_t addr = trans.get_address();
  // A transfer that is not one whole 32-bit word, or beyond the 32-bit address space, is a TLM protocol
  // error; a word at any other address that is no register's (unaligned ones too) is unmapped: it
  // reads 0 and sets ERR_BUS in the register decode (spec §7).
  if (trans.get_data_length() != 4 || trans.get_byte_enable_ptr() != nullptr || addr > UINT32_MAX) {
    trans.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    return;
  }
  uint32_t* data = reinterpret_cast<uint32_t*>(trans.get_data_ptr());
  if (trans.is_read()) {
    *data = regs_.read(static_cast<uint32_t>(addr));
  } else if (trans.is_write()) {
    regs_.write(static_cast<uint32_t>(addr), *data);
  }
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

uint32_t HostPort::access(uint32_t addr, uint32_t value, bool is_write) {
  tlm::tlm_generic_payload t;
  sc_time delay = sc_core::SC_ZERO_TIME;
  t.set_command(is_write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
  t.set_address(addr);
  t.set_data_ptr(reinterpret_cast<unsigned char*>(&value));
  t.set_data_length(4);
  t.set_streaming_width(4);
  t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  socket->b_transport(t, delay);
  bus_time += delay;
  if (!t.is_response_ok())
    throw std::runtime_error("systemc: host bus error response at address " + std::to_string(addr));
  return value;
}

}  // namespace lifchip::sysc
