// The "systemc" backend: the cycle-accurate virtual prototype (impl/systemc/chip_model.h) driven
// only through its TLM-2.0 host socket and the register map of spec §7, as firmware would drive it:
// images load through LOAD_DATA, spikes go in through SPIKE_IN and out through SPIKE_OUT, counters
// and memories are read through CNT_SEL/CNT_LO/CNT_HI and MEM_SEL/MEM_DATA.
#include <algorithm>
#include <map>

#include "lifchip/backend.h"
#include "lifchip/chip_constants.h"
#include "lifchip/image.h"
#include "chip_model.h"

// libsystemc.so's main() calls sc_main; our programs bring their own main(), so this is never run.
__attribute__((weak)) int sc_main(int, char*[]) { return 1; }

namespace lifchip {
namespace {

namespace s = spec;

class SystemCBackend final : public Backend {
 public:
  SystemCBackend() : chip_((sysc::Chip::trace_steps_from_env(), sysc::Chip::instance())) {
    if (chip_.claimed)
      throw InputError(
          "the SystemC model is one chip per process: another systemc backend or platform is alive");
    chip_.claimed = true;
  }
  ~SystemCBackend() override { chip_.claimed = false; }

  std::string name() const override { return "systemc"; }

  void load(const pb::ChipImage& image) override {
    validate_sealed_image(image);  // the precise error message; the chip checks the same again
    const std::vector<uint32_t> words = flat_stream(image);
    write(s::REG_LOAD_CTRL, 1);
    for (uint32_t w : words) write(s::REG_LOAD_DATA, w);
    write(s::REG_LOAD_EXPECT, image.checksum());
    write(s::REG_LOAD_CTRL, 2);
    const uint32_t err = read(s::REG_ERROR);
    if (err != 0) {
      write(s::REG_ERROR, err);
      throw InputError("systemc: image load failed (ERROR 0x" + hex(err) + "): " + chip_.host.last_error());
    }
    shape_ = chip_shape(image.config());
    axons_ = axons_by_core(image);
    host_outputs_ = false;
    for (const pb::Core& c : image.cores())
      for (bool h : c.fanout_to_host()) host_outputs_ = host_outputs_ || h;
    pending_.clear();
    outputs_.clear();
    timestep_ = 0;
    fig_taken_ = 0;
  }

  void set_learning(bool enabled) override {
    const uint32_t ctrl = read(s::REG_CTRL);
    write(s::REG_CTRL, enabled ? (ctrl | 2u) : (ctrl & ~2u));
  }

  void inject(const std::vector<InputSpike>& spikes) override {
    check_input_spikes(spikes, shape_, axons_, timestep_);
    for (const InputSpike& sp : spikes)
      pending_[sp.step].push_back(sp.axon | sp.x << s::PKT_X_LSB | sp.y << s::PKT_Y_LSB);
  }

  void step(uint32_t n) override {
    uint32_t done = 0;
    while (done < n) {
      // Inputs go in before the step they belong to; without inputs or outputs, run a batch.
      auto it = pending_.find(timestep_);
      uint32_t batch = 1;
      if (it != pending_.end()) {
        for (uint32_t pkt : it->second) write(s::REG_SPIKE_IN, pkt);
        pending_.erase(it);
      } else if (!host_outputs_) {
        const auto next = pending_.lower_bound(timestep_);
        batch = n - done;
        if (next != pending_.end()) batch = std::min(batch, next->first - timestep_);
      }
      write(s::REG_RUN_STEPS, batch);
      sc_core::sc_start();
      check_errors();
      timestep_ += batch;
      done += batch;
      drain_fifo();
    }
  }

  std::vector<OutputSpike> drain() override {
    std::vector<OutputSpike> out;
    out.swap(outputs_);
    std::stable_sort(out.begin(), out.end());
    return out;
  }

  CounterSet counters() const override {
    CounterSet cs;
    cs.width = shape_.width;
    cs.height = shape_.height;
    cs.cores.assign(shape_.num_cores(), CoreCounterArray{});
    for (uint32_t core = 0; core < shape_.num_cores(); ++core)
      for (uint32_t id = 0; id < s::CNT_PER_CORE; ++id) cs.cores[core][id] = counter(core << 5 | id);
    for (uint32_t id = 0; id < s::CNT_CHIP_SLOTS; ++id) cs.chip[id] = counter(1u << s::CNT_SEL_CHIP_BIT | id);
    return cs;
  }

  void clear_counters() override { write(s::REG_CTRL, read(s::REG_CTRL) | 4u); }

  uint32_t timestep() const override { return timestep_; }

  uint32_t read_word(uint32_t x, uint32_t y, uint32_t mem, uint32_t addr) const override {
    if (x >= shape_.width || y >= shape_.height || axons_[shape_.core_index(x, y)] < 0)
      throw InputError("read_word: core (" + std::to_string(x) + "," + std::to_string(y) +
                       ") is not in the image");
    write(s::REG_MEM_SEL, (addr & 0xFFFFu) | (mem & 0xFu) << 16 | shape_.core_index(x, y) << 20);
    const uint32_t v = read(s::REG_MEM_DATA);
    const uint32_t err = read(s::REG_ERROR);
    if (err & s::ERR_BUS) {
      write(s::REG_ERROR, err);
      throw InputError("read_word: core (" + std::to_string(x) + "," + std::to_string(y) + ") memory " +
                       std::to_string(mem) + ": address " + std::to_string(addr) + " is out of range");
    }
    return v;
  }

  void inject_fault(const Fault& fault) override {
    if (fault.x >= shape_.width || fault.y >= shape_.height ||
        axons_[shape_.core_index(fault.x, fault.y)] < 0)
      throw InputError("fault: core (" + std::to_string(fault.x) + "," + std::to_string(fault.y) +
                       ") is not in the image");
    chip_.faults.arm(fault, chip_.core_at(fault.y * s::MESH_DIM_MAX + fault.x)->dp, timestep_);
  }

  std::vector<FaultEvent> fault_events() const override { return chip_.faults.events(); }

  std::vector<StepFigure> take_step_figures() override {
    std::vector<StepFigure> out(chip_.figures.begin() + static_cast<std::ptrdiff_t>(fig_taken_),
                                chip_.figures.end());
    fig_taken_ = chip_.figures.size();
    return out;
  }

 private:
  static std::string hex(uint32_t v) {
    char b[16];
    std::snprintf(b, sizeof b, "%X", v);
    return b;
  }

  uint32_t transport(uint32_t addr, uint32_t value, bool is_write) const {
    return chip_.host_port.access(addr, value, is_write);
  }
  uint32_t read(int64_t addr) const { return transport(static_cast<uint32_t>(addr), 0, false); }
  void write(int64_t addr, uint32_t v) const { transport(static_cast<uint32_t>(addr), v, true); }
  uint64_t counter(uint32_t sel) const {
    write(s::REG_CNT_SEL, sel);
    const uint64_t lo = read(s::REG_CNT_LO);
    return lo | uint64_t{read(s::REG_CNT_HI)} << 32;
  }

  void check_errors() {
    const uint32_t err = read(s::REG_ERROR);
    if (err == 0) return;
    write(s::REG_ERROR, err);
    throw InputError(chip_error_message("systemc", err, timestep_));
  }

  void drain_fifo() {
    uint32_t level = read(s::REG_SPIKE_OUT_LEVEL);
    while (level-- > 0) {
      const uint32_t w = read(s::REG_SPIKE_OUT);
      if (!(w >> 31)) break;
      // The register carries the step modulo 2^19; the host knows the steps just run.
      const uint32_t low = (w >> 12) & ((1u << 19) - 1);
      uint32_t step = (timestep_ & ~((1u << 19) - 1)) | low;
      if (step >= timestep_) step -= 1u << 19;
      // The exit cycle is the model's own record, kept beside the register FIFO.
      auto& cycles = chip_.host.popped_cycles;
      const uint64_t cycle = cycles.empty() ? 0 : cycles.front();
      if (!cycles.empty()) cycles.pop_front();
      outputs_.push_back({step, w & 0xFFFu, cycle});
    }
  }

  sysc::Chip& chip_;
  ChipShape shape_;
  std::vector<int64_t> axons_;  // per mesh index: the core's axon count, -1 if not in the image
  bool host_outputs_ = false;
  std::map<uint32_t, std::vector<uint32_t>> pending_;
  std::vector<OutputSpike> outputs_;
  uint32_t timestep_ = 0;
  std::size_t fig_taken_ = 0;
};

const BackendRegistration kRegistration("systemc", [] { return std::make_unique<SystemCBackend>(); });

}  // namespace
}  // namespace lifchip
