// The firmware platforms (see platform.h): the functional register adapter and the SystemC HAL.
#include "platform.h"

#include <algorithm>
#include <sstream>

#include "impl/systemc/chip_model.h"
#include "lifchip/chip_constants.h"
#include "lifchip/image.h"

namespace lifchip::hil {

namespace s = spec;

Platform::Platform() {
  hal_ = lc_hal_t{&Platform::hal_read, &Platform::hal_write, &Platform::hal_poll, this};
}

uint32_t Platform::hal_read(void* ctx, uint32_t addr) {
  auto* p = static_cast<Platform*>(ctx);
  ++p->accesses_;
  return p->read32(addr);
}
void Platform::hal_write(void* ctx, uint32_t addr, uint32_t value) {
  auto* p = static_cast<Platform*>(ctx);
  ++p->accesses_;
  p->write32(addr, value);
}
bool Platform::hal_poll(void* ctx, uint32_t iteration) {
  return static_cast<Platform*>(ctx)->poll(iteration);
}

// ---------------------------------------------------------------- RegisterAdapter

namespace {
constexpr uint32_t kOutStepMask = (1u << 19) - 1;
uint32_t pkt_x(uint32_t p) { return (p >> s::PKT_X_LSB) & ((1u << s::COORD_BITS) - 1); }
uint32_t pkt_y(uint32_t p) { return (p >> s::PKT_Y_LSB) & ((1u << s::COORD_BITS) - 1); }
}  // namespace

RegisterAdapter::RegisterAdapter(std::unique_ptr<Backend> backend) : backend_(std::move(backend)) {}

void RegisterAdapter::soft_reset() {
  valid_ = loading_ = false;
  spike_in_.clear();
  spike_out_.clear();
  load_words_.clear();
  error_ = 0;
  counters_valid_ = false;
}

const CounterSet& RegisterAdapter::counters() {
  if (!counters_valid_) {
    counters_ = backend_->counters();
    counters_valid_ = true;
  }
  return counters_;
}

// RUN_STEPS: the FIFO's inputs belong to the first step run; outputs go to the output FIFO.
void RegisterAdapter::run(uint32_t steps) {
  std::vector<InputSpike> in;
  const uint32_t t = backend_->timestep();
  for (uint32_t p : spike_in_) in.push_back({t, pkt_x(p), pkt_y(p), p & ((1u << s::AXON_INDEX_BITS) - 1)});
  spike_in_.clear();
  backend_->inject(in);
  for (uint32_t i = 0; i < steps; ++i) {
    backend_->step(1);
    for (const OutputSpike& o : backend_->drain()) {
      if (spike_out_.size() >= static_cast<std::size_t>(s::HOST_SPIKE_FIFO_DEPTH)) {
        error_ |= static_cast<uint32_t>(s::ERR_SPIKE_OUT_OVERFLOW);
        continue;
      }
      spike_out_.push_back({o.channel, o.step});
    }
  }
  counters_valid_ = false;
}

uint32_t RegisterAdapter::read32(uint32_t addr) {
  switch (addr) {
    case s::REG_ID:
      return static_cast<uint32_t>(s::REG_ID_VALUE);
    case s::REG_VERSION:
      return static_cast<uint32_t>(s::SPEC_VERSION | s::IMAGE_FORMAT_VERSION << 16);
    case s::REG_CTRL:
      return learn_ ? 2u : 0u;
    case s::REG_STATUS:
      return uint32_t{valid_} << 1 | uint32_t{loading_} << 2 |
             uint32_t{spike_in_.size() >= static_cast<std::size_t>(s::HOST_SPIKE_FIFO_DEPTH)} << 3 |
             uint32_t{!spike_out_.empty()} << 4 | uint32_t{error_ != 0} << 5;
    case s::REG_ERROR:
      return error_;
    case s::REG_TIMESTEP:
      return valid_ ? backend_->timestep() : 0;
    case s::REG_LOAD_CRC:
      return crc32_words(load_words_.data(), load_words_.size());
    case s::REG_SPIKE_IN_LEVEL:
      return static_cast<uint32_t>(spike_in_.size());
    case s::REG_SPIKE_OUT: {
      if (spike_out_.empty()) return 0;
      const Out o = spike_out_.front();
      spike_out_.pop_front();
      return o.channel | (o.step & kOutStepMask) << 12 | 1u << 31;
    }
    case s::REG_SPIKE_OUT_LEVEL:
      return static_cast<uint32_t>(spike_out_.size());
    case s::REG_CNT_LO: {
      const uint32_t id = cnt_sel_ & 31u, core = (cnt_sel_ >> 5) & 0xFFu;
      uint64_t v = 0;
      if ((cnt_sel_ >> s::CNT_SEL_CHIP_BIT) & 1u) {
        if (id >= s::CNT_CHIP_SLOTS) break;
        v = valid_ ? counters().chip[id] : 0;  // chip counters exist without an image (as in the SystemC model)
      } else {
        if (!valid_ || core >= shape_.num_cores()) break;
        v = counters().cores[core][id];
      }
      cnt_hi_ = static_cast<uint32_t>(v >> 32);
      return static_cast<uint32_t>(v);
    }
    case s::REG_CNT_HI:
      return cnt_hi_;
    case s::REG_MEM_DATA: {
      const uint32_t a = mem_sel_ & 0xFFFFu, mem = (mem_sel_ >> 16) & 0xFu, core = (mem_sel_ >> 20) & 0xFFu;
      mem_sel_ = (mem_sel_ & ~0xFFFFu) | ((a + 1) & 0xFFFFu);
      if (!valid_ || core >= shape_.num_cores()) break;
      try {
        return backend_->read_word(core % shape_.width, core / shape_.width, mem, a);
      } catch (const InputError&) {
        break;
      }
    }
    default:
      break;
  }
  error_ |= static_cast<uint32_t>(s::ERR_BUS);  // unmapped, write-only, or a selection that does not exist
  return 0;
}

void RegisterAdapter::write32(uint32_t addr, uint32_t value) {
  switch (addr) {
    case s::REG_CTRL:
      if (value & 1u) soft_reset();
      learn_ = (value >> 1) & 1u;
      if (valid_) backend_->set_learning(learn_);
      if ((value & 4u) && valid_) {
        backend_->clear_counters();
        counters_valid_ = false;
      }
      return;
    case s::REG_ERROR:
      error_ &= ~value;
      return;
    case s::REG_RUN_STEPS:
      if (!valid_) {
        error_ |= static_cast<uint32_t>(s::ERR_NOT_READY);
        return;
      }
      if (value > 0) run(value);
      return;
    case s::REG_LOAD_CTRL:
      if (value == 1) {
        soft_reset();
        loading_ = true;
      } else if (value == 2 && loading_) {
        loading_ = false;
        try {
          pb::ChipImage img = decode_flat_stream(load_words_.data(), load_words_.size());
          if (img.checksum() != load_expect_) {
            error_ |= static_cast<uint32_t>(s::ERR_CHECKSUM);
            return;
          }
          backend_->load(img);
          shape_ = chip_shape(img.config());
          axons_ = axons_by_core(img);
          learn_ = img.learning_enabled();
          valid_ = true;
          counters_valid_ = false;
        } catch (const InputError&) {
          error_ |= static_cast<uint32_t>(s::ERR_IMAGE_RANGE);
        }
      } else {
        error_ |= static_cast<uint32_t>(s::ERR_BUS);
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
      if (!valid_) {
        error_ |= static_cast<uint32_t>(s::ERR_NOT_READY);
        return;
      }
      if (spike_in_.size() >= static_cast<std::size_t>(s::HOST_SPIKE_FIFO_DEPTH)) {
        error_ |= static_cast<uint32_t>(s::ERR_SPIKE_IN_OVERFLOW);
        return;
      }
      const uint32_t x = pkt_x(value), y = pkt_y(value), axon = value & ((1u << s::AXON_INDEX_BITS) - 1);
      if ((value >> s::PKT_HOST_BIT) & 1u || x >= shape_.width || y >= shape_.height ||
          axons_[shape_.core_index(x, y)] <= static_cast<int64_t>(axon)) {
        error_ |= static_cast<uint32_t>(s::ERR_BUS);
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
      error_ |= static_cast<uint32_t>(s::ERR_BUS);
      return;
  }
}

// ---------------------------------------------------------------- SystemC

namespace {

// HAL accesses are b_transport calls on the model's host socket; after each, simulated time advances
// by the access's annotated delay, and each poll lets the chip run for kPollCycles cycles.
class SystemCPlatform final : public Platform {
 public:
  SystemCPlatform() : chip_(sysc::Chip::instance()) {
    if (chip_.claimed)
      throw InputError(
          "the SystemC model is one chip per process: another systemc backend or platform is alive");
    chip_.claimed = true;
    chip_.host.popped_cycles.clear();
  }
  ~SystemCPlatform() override { chip_.claimed = false; }
  std::string name() const override { return "systemc"; }
  bool has_timing() const override { return true; }

  void inject_fault(const Fault& f) override {
    const ChipShape& sh = chip_.shape();
    if (!chip_.configured() || f.x >= sh.width || f.y >= sh.height)
      throw InputError("fault: core (" + std::to_string(f.x) + "," + std::to_string(f.y) +
                       ") is not in the image");
    chip_.faults.arm(f, chip_.core_at(f.y * s::MESH_DIM_MAX + f.x)->dp, chip_.timestep);
  }
  std::vector<FaultEvent> fault_events() const override { return chip_.faults.events(); }

  std::vector<uint64_t> take_output_cycles() override {
    std::vector<uint64_t> out(chip_.host.popped_cycles.begin(), chip_.host.popped_cycles.end());
    chip_.host.popped_cycles.clear();
    return out;
  }
  uint64_t bus_cycles() const override { return cycles_; }

 protected:
  uint32_t read32(uint32_t addr) override { return access(addr, 0, false); }
  void write32(uint32_t addr, uint32_t value) override { access(addr, value, true); }
  bool poll(uint32_t iteration) override {
    if (iteration >= poll_limit_) return false;
    advance(kPollCycles);
    return true;
  }

 private:
  static constexpr uint64_t kPollCycles = 64;
  uint32_t access(uint32_t addr, uint32_t value, bool is_write) {
    const uint32_t v = chip_.host_port.access(addr, value, is_write);
    advance(static_cast<uint64_t>(s::HOST_ACCESS_CYCLES));
    return v;
  }
  void advance(uint64_t n) {
    cycles_ += n;
    sc_core::sc_start(chip_.cycles(n));
  }
  sysc::Chip& chip_;
  uint64_t cycles_ = 0;
};

}  // namespace

#ifdef LIFCHIP_HAVE_RTL
std::unique_ptr<Platform> make_rtl_platform();  // rtl_platform.cpp
#endif

std::vector<std::string> platform_names() {
#ifdef LIFCHIP_HAVE_RTL
  return {"functional", "systemc", "rtl"};
#else
  return {"functional", "systemc"};
#endif
}

std::unique_ptr<Platform> make_platform(const std::string& name) {
  if (name == "functional") return std::make_unique<RegisterAdapter>(BackendRegistry::create("functional"));
  if (name == "systemc") return std::make_unique<SystemCPlatform>();
#ifdef LIFCHIP_HAVE_RTL
  if (name == "rtl") return make_rtl_platform();
#endif
  std::string known;
  for (const std::string& n : platform_names()) known += (known.empty() ? "" : ", ") + n;
  throw InputError("unknown firmware platform '" + name + "' (known: " + known + ")");
}

}  // namespace lifchip::hil
