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
uint32_t pkt_x(uint32_t p) { return (p >> s::PKT_X_LSB) & ((1u << s::COORD_BITS) - 1); }
uint32_t pkt_y(uint32_t p) { return (p >> s::PKT_Y_LSB) & ((1u << s::COORD_BITS) - 1); }
}  // namespace

RegisterAdapter::RegisterAdapter(std::unique_ptr<Backend> backend)
    : backend_(std::move(backend)), regs_(*this) {}

uint32_t RegisterAdapter::axons(uint32_t x, uint32_t y) const {
  const int64_t a = axons_[shape_.core_index(x, y)];
  return a < 0 ? 0 : static_cast<uint32_t>(a);
}

void RegisterAdapter::drop_image() {
  valid_ = false;
  counters_valid_ = false;
  learn_ = false;  // LEARN_EN reads 0 until a commit, as in the SystemC model and the RTL (spec §7)
}

void RegisterAdapter::configure(const pb::ChipImage& image) {
  backend_->load(image);
  shape_ = chip_shape(image.config());
  axons_ = axons_by_core(image);
  learn_ = image.learning_enabled();
  valid_ = true;
  counters_valid_ = false;
}

void RegisterAdapter::set_learning(bool enabled) {
  learn_ = enabled;
  if (valid_) backend_->set_learning(learn_);
}

void RegisterAdapter::clear_counters() {
  if (!valid_) return;  // the backend's counters start at zero with the next image
  backend_->clear_counters();
  counters_valid_ = false;
}

const CounterSet& RegisterAdapter::counters() {
  if (!counters_valid_) {
    counters_ = backend_->counters();
    counters_valid_ = true;
  }
  return counters_;
}

// Chip counters exist without an image (as in the SystemC model): they read 0 then.
uint64_t RegisterAdapter::chip_counter(uint32_t id) { return valid_ ? counters().chip[id] : 0; }
uint64_t RegisterAdapter::core_counter(uint32_t core, uint32_t id) { return counters().cores[core][id]; }

// A mesh core the image does not list is an empty core on the chip (spec §7): only its 8 group words
// exist, each the default group. (The backend API refuses such a core instead, spec §8.1; the
// functional register adapter once passed that refusal on as ERR_BUS where the SystemC model and
// the RTL answer the word: found by the host_if fuzz target.)
uint32_t RegisterAdapter::read_word(uint32_t core, uint32_t mem, uint32_t addr) {
  if (axons_[core] >= 0) return backend_->read_word(core % shape_.width, core / shape_.width, mem, addr);
  if (mem != s::MEM_GROUP || addr >= s::SYN_GROUPS_PER_CORE)
    throw InputError("read_word: core " + std::to_string(core) + " is empty: only its group words exist");
  return layout::group_word(default_group());
}

// RUN_STEPS: the FIFO's inputs belong to the first step run; outputs go to the output FIFO.
void RegisterAdapter::run_steps(uint32_t steps) {
  std::vector<InputSpike> in;
  const uint32_t t = backend_->timestep();
  for (uint32_t p : regs_.take_spike_in())
    in.push_back({t, pkt_x(p), pkt_y(p), p & ((1u << s::AXON_INDEX_BITS) - 1)});
  backend_->inject(in);
  for (uint32_t i = 0; i < steps; ++i) {
    backend_->step(1);
    for (const OutputSpike& o : backend_->drain()) regs_.push_spike_out(o.channel, o.step, 0);
  }
  counters_valid_ = false;
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
