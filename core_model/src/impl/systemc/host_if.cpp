// See host_if.h.
#include "host_if.h"

#include <algorithm>

#include "chip.h"
#include "lifchip/image.h"

namespace lifchip::sysc {

using sc_core::sc_time;

HostInterface::HostInterface(sc_core::sc_module_name name, Chip& chip)
    : sc_core::sc_module(name), socket("socket"), chip_(chip) {
  socket.register_b_transport(this, &HostInterface::b_transport);
  SC_METHOD(inject_proc);
  sensitive << inject_ev_;
  dont_initialize();
}

void HostInterface::reset() {
  spike_in_.clear();
  spike_out_.clear();
  inject_now_.clear();
  inject_pos_ = 0;
  popped_cycles.clear();
  inject_ev_.cancel();
}

void HostInterface::start_inject() {
  inject_now_.assign(spike_in_.begin(), spike_in_.end());
  spike_in_.clear();
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
  if (spike_out_.size() >= static_cast<std::size_t>(s::HOST_SPIKE_FIFO_DEPTH)) {
    error_ |= static_cast<uint32_t>(s::ERR_SPIKE_OUT_OVERFLOW);
    return;
  }
  spike_out_.push_back({pkt_axon(flit), chip_.timestep, cycle - chip_.step_start()});
}

void HostInterface::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  delay += chip_.cycles(s::HOST_ACCESS_CYCLES);
  const uint64_t addr = trans.get_address();
  if (trans.get_data_length() != 4 || (addr & 3) != 0 || trans.get_byte_enable_ptr() != nullptr) {
    trans.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    return;
  }
  uint32_t* data = reinterpret_cast<uint32_t*>(trans.get_data_ptr());
  bool ok = true;
  if (trans.is_read()) {
    *data = read_reg(static_cast<uint32_t>(addr), ok);
  } else if (trans.is_write()) {
    write_reg(static_cast<uint32_t>(addr), *data, ok);
  }
  if (!ok) error_ |= static_cast<uint32_t>(s::ERR_BUS);
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

uint32_t HostInterface::read_reg(uint32_t addr, bool& ok) {
  const ChipShape& sh = chip_.shape();
  switch (addr) {
    case s::REG_ID:
      return static_cast<uint32_t>(s::REG_ID_VALUE);
    case s::REG_VERSION:
      return static_cast<uint32_t>(s::SPEC_VERSION | s::IMAGE_FORMAT_VERSION << 16);
    case s::REG_CTRL:
      return chip_.learn_en ? 2u : 0u;
    case s::REG_STATUS:
      return uint32_t{chip_.busy()} | uint32_t{chip_.configured()} << 1 | uint32_t{loading_} << 2 |
             uint32_t{spike_in_.size() >= static_cast<std::size_t>(s::HOST_SPIKE_FIFO_DEPTH)} << 3 |
             uint32_t{!spike_out_.empty()} << 4 | uint32_t{error_ != 0} << 5;
    case s::REG_ERROR:
      return error_;
    case s::REG_TIMESTEP:
      return chip_.timestep;
    case s::REG_LOAD_CRC:
      return crc32_words(load_words_.data(), load_words_.size());
    case s::REG_SPIKE_IN_LEVEL:
      return static_cast<uint32_t>(spike_in_.size());
    case s::REG_SPIKE_OUT: {
      if (spike_out_.empty()) return 0;
      const OutEntry e = spike_out_.front();
      spike_out_.pop_front();
      popped_cycles.push_back(e.cycle);
      return e.channel | (e.step & ((1u << 19) - 1)) << 12 | 1u << 31;
    }
    case s::REG_SPIKE_OUT_LEVEL:
      return static_cast<uint32_t>(spike_out_.size());
    case s::REG_CNT_LO: {
      const uint32_t id = cnt_sel_ & 31u, core = (cnt_sel_ >> 5) & 0xFFu;
      uint64_t v = 0;
      if ((cnt_sel_ >> s::CNT_SEL_CHIP_BIT) & 1u) {
        if (id >= s::CNT_CHIP_SLOTS) return ok = false, 0;
        v = chip_.chip_counters[id];
      } else {
        if (!chip_.configured() || core >= sh.num_cores()) return ok = false, 0;
        const uint32_t x = core % sh.width, y = core / sh.width;
        v = chip_.core_at(y * s::MESH_DIM_MAX + x)->dp.cnt[id];
      }
      cnt_hi_ = static_cast<uint32_t>(v >> 32);
      return static_cast<uint32_t>(v);
    }
    case s::REG_CNT_HI:
      return cnt_hi_;
    case s::REG_MEM_DATA: {
      const uint32_t a = mem_sel_ & 0xFFFFu, mem = (mem_sel_ >> 16) & 0xFu, core = (mem_sel_ >> 20) & 0xFFu;
      mem_sel_ = (mem_sel_ & ~0xFFFFu) | ((a + 1) & 0xFFFFu);
      if (!chip_.configured() || core >= sh.num_cores()) return ok = false, 0;
      try {
        return chip_.core_at((core / sh.width) * s::MESH_DIM_MAX + core % sh.width)->dp.read_word(mem, a);
      } catch (const InputError&) {
        return ok = false, 0;
      }
    }
    default:
      return ok = false, 0;
  }
}

void HostInterface::write_reg(uint32_t addr, uint32_t value, bool& ok) {
  switch (addr) {
    case s::REG_CTRL:
      if (value & 1u) {  // SOFT_RESET
        chip_.configure(pb::ChipImage{});
        loading_ = false;
        error_ = 0;
      }
      chip_.learn_en = (value >> 1) & 1u;
      if (value & 4u) chip_.clear_counters();
      return;
    case s::REG_ERROR:
      error_ &= ~value;
      return;
    case s::REG_RUN_STEPS:
      if (!chip_.configured() || chip_.busy()) {
        error_ |= static_cast<uint32_t>(s::ERR_NOT_READY);
        return;
      }
      if (value > 0) chip_.run_steps(value, chip_.cycles(s::HOST_ACCESS_CYCLES));
      return;
    case s::REG_LOAD_CTRL:
      if (value == 1) {
        chip_.configure(pb::ChipImage{});
        load_words_.clear();
        loading_ = true;
        last_error_.clear();
      } else if (value == 2 && loading_) {
        loading_ = false;
        try {
          pb::ChipImage img = decode_flat_stream(load_words_.data(), load_words_.size());
          if (img.checksum() != load_expect_) {
            error_ |= static_cast<uint32_t>(s::ERR_CHECKSUM);
            last_error_ = "image checksum mismatch: stream CRC differs from LOAD_EXPECT";
            return;
          }
          chip_.configure(img);
          spike_in_.clear();
          spike_out_.clear();
          popped_cycles.clear();
        } catch (const InputError& e) {
          error_ |= static_cast<uint32_t>(s::ERR_IMAGE_RANGE);
          last_error_ = e.what();
        }
      } else {
        ok = false;
      }
      return;
    case s::REG_LOAD_DATA:
      if (!loading_) {
        error_ |= static_cast<uint32_t>(s::ERR_NOT_READY);
        return;
      }
      load_words_.push_back(value);
      return;
    case s::REG_LOAD_EXPECT:
      load_expect_ = value;
      return;
    case s::REG_SPIKE_IN: {
      if (!chip_.configured() || chip_.busy()) {
        error_ |= static_cast<uint32_t>(s::ERR_NOT_READY);
        return;
      }
      if (spike_in_.size() >= static_cast<std::size_t>(s::HOST_SPIKE_FIFO_DEPTH)) {
        error_ |= static_cast<uint32_t>(s::ERR_SPIKE_IN_OVERFLOW);
        return;
      }
      const ChipShape& sh = chip_.shape();
      const uint32_t x = pkt_x(value), y = pkt_y(value);
      if (pkt_host(value) || x >= sh.width || y >= sh.height ||
          pkt_axon(value) >= chip_.core_at(y * s::MESH_DIM_MAX + x)->dp.A) {
        ok = false;
        return;
      }
      spike_in_.push_back(value & ((1u << s::PKT_BITS) - 1));
      return;
    }
    case s::REG_CNT_SEL:
      cnt_sel_ = value;
      return;
    case s::REG_MEM_SEL:
      mem_sel_ = value;
      return;
    default:
      ok = false;
      return;
  }
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
