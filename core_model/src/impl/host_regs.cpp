// See host_regs.h: spec §7's register decode, once, for every C++ model of the host interface.
#include "host_regs.h"

#include "lifchip/chip_constants.h"

namespace lifchip::detail {

namespace s = spec;

namespace {
constexpr std::size_t kFifoDepth = static_cast<std::size_t>(s::HOST_SPIKE_FIFO_DEPTH);
uint32_t pkt_x(uint32_t p) { return (p >> s::PKT_X_LSB) & ((1u << s::COORD_BITS) - 1); }
uint32_t pkt_y(uint32_t p) { return (p >> s::PKT_Y_LSB) & ((1u << s::COORD_BITS) - 1); }
uint32_t pkt_axon(uint32_t p) { return p & ((1u << s::AXON_INDEX_BITS) - 1); }
bool pkt_host(uint32_t p) { return (p >> s::PKT_HOST_BIT) & 1u; }
}  // namespace

uint32_t HostRegisterFile::read(uint32_t addr) {
  bool ok = true;
  const uint32_t v = read_reg(addr, ok);
  if (!ok) error_ |= static_cast<uint32_t>(s::ERR_BUS);
  return v;
}

void HostRegisterFile::write(uint32_t addr, uint32_t value) {
  bool ok = true;
  write_reg(addr, value, ok);
  if (!ok) error_ |= static_cast<uint32_t>(s::ERR_BUS);
}

std::vector<uint32_t> HostRegisterFile::take_spike_in() {
  std::vector<uint32_t> in(spike_in_.begin(), spike_in_.end());
  spike_in_.clear();
  return in;
}

void HostRegisterFile::push_spike_out(uint32_t channel, uint32_t step, uint64_t cycle) {
  if (spike_out_.size() >= kFifoDepth) {
    error_ |= static_cast<uint32_t>(s::ERR_SPIKE_OUT_OVERFLOW);
    return;
  }
  spike_out_.push_back({channel, step, cycle});
}

void HostRegisterFile::clear_fifos() {
  spike_in_.clear();
  spike_out_.clear();
}

uint32_t HostRegisterFile::read_reg(uint32_t addr, bool& ok) {
  switch (addr) {
    case s::REG_ID:
      return static_cast<uint32_t>(s::REG_ID_VALUE);
    case s::REG_VERSION:
      return static_cast<uint32_t>(s::SPEC_VERSION | s::IMAGE_FORMAT_VERSION << 16);
    case s::REG_CTRL:
      return chip_.learning() ? 2u : 0u;
    case s::REG_STATUS:
      return uint32_t{chip_.busy()} | uint32_t{chip_.configured()} << 1 | uint32_t{loading_} << 2 |
             uint32_t{spike_in_.size() >= kFifoDepth} << 3 | uint32_t{!spike_out_.empty()} << 4 |
             uint32_t{error_ != 0} << 5;
    case s::REG_ERROR:
      return error_;
    case s::REG_TIMESTEP:
      return chip_.timestep();
    case s::REG_LOAD_CRC:
      return crc32_words(load_words_.data(), load_words_.size());
    case s::REG_SPIKE_IN_LEVEL:
      return static_cast<uint32_t>(spike_in_.size());
    case s::REG_SPIKE_OUT: {
      if (spike_out_.empty()) return 0;
      const OutEntry e = spike_out_.front();
      spike_out_.pop_front();
      chip_.spike_popped(e.cycle);
      return e.channel | (e.step & ((1u << 19) - 1)) << 12 | 1u << 31;
    }
    case s::REG_SPIKE_OUT_LEVEL:
      return static_cast<uint32_t>(spike_out_.size());
    case s::REG_CNT_LO: {
      const uint32_t id = cnt_sel_ & 31u, core = (cnt_sel_ >> 5) & 0xFFu;
      uint64_t v = 0;
      if ((cnt_sel_ >> s::CNT_SEL_CHIP_BIT) & 1u) {
        if (id >= s::CNT_CHIP_SLOTS) return ok = false, 0;
        v = chip_.chip_counter(id);
      } else {
        if (!chip_.configured() || core >= chip_.shape().num_cores()) return ok = false, 0;
        v = chip_.core_counter(core, id);
      }
      cnt_hi_ = static_cast<uint32_t>(v >> 32);
      return static_cast<uint32_t>(v);
    }
    case s::REG_CNT_HI:
      return cnt_hi_;
    case s::REG_MEM_DATA: {
      const uint32_t a = mem_sel_ & 0xFFFFu, mem = (mem_sel_ >> 16) & 0xFu, core = (mem_sel_ >> 20) & 0xFFu;
      mem_sel_ = (mem_sel_ & ~0xFFFFu) | ((a + 1) & 0xFFFFu);
      if (!chip_.configured() || core >= chip_.shape().num_cores()) return ok = false, 0;
      try {
        return chip_.read_word(core, mem, a);
      } catch (const InputError&) {
        return ok = false, 0;
      }
    }
    default:
      return ok = false, 0;
  }
}

void HostRegisterFile::write_reg(uint32_t addr, uint32_t value, bool& ok) {
  switch (addr) {
    case s::REG_CTRL:
      if (value & 1u) {  // SOFT_RESET
        chip_.drop_image();
        clear_fifos();
        loading_ = false;
        error_ = 0;
      }
      chip_.set_learning((value >> 1) & 1u);
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
      if (value > 0) chip_.run_steps(value);
      return;
    case s::REG_LOAD_CTRL:
      if (value == 1) {
        chip_.drop_image();
        clear_fifos();
        load_words_.clear();
        loading_ = true;
        last_error_.clear();
      } else if (value == 2 && loading_) {
        commit_load();
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
      if (spike_in_.size() >= kFifoDepth) {
        error_ |= static_cast<uint32_t>(s::ERR_SPIKE_IN_OVERFLOW);
        return;
      }
      const ChipShape& sh = chip_.shape();
      const uint32_t x = pkt_x(value), y = pkt_y(value);
      if (pkt_host(value) || x >= sh.width || y >= sh.height || pkt_axon(value) >= chip_.axons(x, y)) {
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

// LOAD_CTRL commit: the stream must decode, match LOAD_EXPECT and be accepted by the chip.
void HostRegisterFile::commit_load() {
  loading_ = false;
  try {
    pb::ChipImage img = decode_flat_stream(load_words_.data(), load_words_.size());
    if (img.checksum() != load_expect_) {
      error_ |= static_cast<uint32_t>(s::ERR_CHECKSUM);
      last_error_ = "image checksum mismatch: stream CRC differs from LOAD_EXPECT";
      return;
    }
    chip_.configure(img);
    clear_fifos();
  } catch (const InputError& e) {
    error_ |= static_cast<uint32_t>(s::ERR_IMAGE_RANGE);
    last_error_ = e.what();
  }
}

}  // namespace lifchip::detail
