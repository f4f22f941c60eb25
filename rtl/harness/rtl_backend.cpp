// The "rtl" backend: the Verilated RTL (rtl/lifchip_top.sv) driven only through its host bus and
// the register map of spec §7, as firmware would drive it: images load through LOAD_DATA, spikes go
// in through SPIKE_IN and out through SPIKE_OUT, counters and memories are read through
// CNT_SEL/CNT_LO/CNT_HI and MEM_SEL/MEM_DATA (the bus driver is rtl_chip.h).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "lifchip/backend.h"
#include "lifchip/chip_constants.h"
#include "lifchip/image.h"
#include "rtl_chip.h"

namespace lifchip {
namespace {

namespace s = spec;

constexpr uint32_t kStepMask = (1u << 19) - 1;  // SPIKE_OUT carries the step modulo 2^19

std::string hex(uint32_t v) {
  char b[16];
  std::snprintf(b, sizeof b, "%X", v);
  return b;
}

// Throws InputError naming the first limit of this build the image exceeds.
void check_fits_build(const pb::ChipImage& image) {
  const std::string why = rtl::exceeds_build(image);
  if (!why.empty()) throw InputError("rtl build: " + why);
}

class RtlBackend final : public Backend {
 public:
  RtlBackend() { have_vcd_ = chip_.trace_steps(&vcd_first_, &vcd_last_); }

  std::string name() const override { return "rtl"; }

  void load(const pb::ChipImage& image) override {
    validate_sealed_image(image);  // the precise error message; the chip checks a subset again
    check_fits_build(image);
    const std::vector<uint32_t> words = flat_stream(image);
    write(s::REG_ERROR, ~0u);
    write(s::REG_LOAD_CTRL, 1);
    for (uint32_t w : words) write(s::REG_LOAD_DATA, w);
    write(s::REG_LOAD_EXPECT, image.checksum());
    write(s::REG_LOAD_CTRL, 2);
    const uint32_t err = read(s::REG_ERROR);
    if (err != 0) {
      write(s::REG_ERROR, err);
      throw InputError("rtl: image load failed (ERROR 0x" + hex(err) +
                       "; bit1: checksum, bit2: stream or range check of the hardware loader)");
    }
    shape_ = chip_shape(image.config());
    counts_.assign(shape_.num_cores(), CoreCounts{});
    host_outputs_ = false;
    for (const pb::Core& c : image.cores()) {
      CoreCounts& k = counts_[shape_.core_index(c.x(), c.y())];
      k.present = true;
      k.P = static_cast<uint32_t>(c.profiles_size());
      k.N = static_cast<uint32_t>(c.neuron_profile_size());
      k.A = static_cast<uint32_t>(c.axon_syn_base_size());
      k.S = static_cast<uint32_t>(c.syn_neuron_size());
      k.F = static_cast<uint32_t>(c.fanout_axon_size());
      for (bool h : c.fanout_to_host()) host_outputs_ = host_outputs_ || h;
    }
    pending_.clear();
    outputs_.clear();
    figures_.clear();
    timestep_ = 0;
    mem_sel_valid_ = false;
    snapshot_.assign(kSnapSlots + kPerCore * shape_.num_cores(), 0);
  }

  void set_learning(bool enabled) override {
    const uint32_t ctrl = read(s::REG_CTRL);
    write(s::REG_CTRL, enabled ? (ctrl | 2u) : (ctrl & ~2u));
  }

  void inject(const std::vector<InputSpike>& spikes) override {
    for (std::size_t i = 0; i < spikes.size(); ++i) {
      const InputSpike& sp = spikes[i];
      const std::string where = "input spike " + std::to_string(i) + " (step " + std::to_string(sp.step) +
                                ", core (" + std::to_string(sp.x) + "," + std::to_string(sp.y) + "), axon " +
                                std::to_string(sp.axon) + "): ";
      if (sp.step < timestep_)
        throw InputError(where + "step is in the past (the chip is at step " + std::to_string(timestep_) +
                         ")");
      if (sp.x >= shape_.width || sp.y >= shape_.height)
        throw InputError(where + "core is outside the " + std::to_string(shape_.width) + "x" +
                         std::to_string(shape_.height) + " mesh");
      const CoreCounts& k = counts_[shape_.core_index(sp.x, sp.y)];
      if (!k.present) throw InputError(where + "core is not in the image");
      if (sp.axon >= k.A) throw InputError(where + "axon >= the core's " + std::to_string(k.A) + " axons");
    }
    for (const InputSpike& sp : spikes)
      pending_[sp.step].push_back(sp.axon | sp.x << s::PKT_X_LSB | sp.y << s::PKT_Y_LSB);
  }

  // One RUN_STEPS per step: the per-step figures are counter deltas around each step.
  void step(uint32_t n) override {
    for (uint32_t done = 0; done < n; ++done) {
      auto it = pending_.find(timestep_);
      if (it != pending_.end()) {
        for (uint32_t pkt : it->second) write(s::REG_SPIKE_IN, pkt);
        pending_.erase(it);
      }
      chip_.set_tracing(have_vcd_ && timestep_ >= vcd_first_ && timestep_ <= vcd_last_);
      write(s::REG_RUN_STEPS, 1);
      while (read(s::REG_STATUS) & 1u) {
      }
      chip_.set_tracing(false);
      check_errors();
      ++timestep_;
      if (host_outputs_) drain_fifo();
      record_figure();
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

  void clear_counters() override {
    write(s::REG_CTRL, read(s::REG_CTRL) | 4u);
    std::fill(snapshot_.begin(), snapshot_.end(), 0);
  }

  uint32_t timestep() const override { return timestep_; }

  // The window auto-increments, so a run of consecutive addresses costs one MEM_DATA read each.
  uint32_t read_word(uint32_t x, uint32_t y, uint32_t mem, uint32_t addr) const override {
    if (x >= shape_.width || y >= shape_.height || !counts_[shape_.core_index(x, y)].present)
      throw InputError("read_word: core (" + std::to_string(x) + "," + std::to_string(y) +
                       ") is not in the image");
    const uint64_t limit = window_limit(counts_[shape_.core_index(x, y)], mem, addr);
    if (addr >= limit)
      throw InputError("read_word: core (" + std::to_string(x) + "," + std::to_string(y) + ") memory " +
                       std::to_string(mem) + ": address " + std::to_string(addr) + " is out of range");
    const uint32_t sel = (addr & 0xFFFFu) | (mem & 0xFu) << 16 | shape_.core_index(x, y) << 20;
    if (!mem_sel_valid_ || sel != mem_sel_) write(s::REG_MEM_SEL, sel);
    const uint32_t v = read(s::REG_MEM_DATA);
    mem_sel_ = (sel & ~0xFFFFu) | ((addr + 1) & 0xFFFFu);
    mem_sel_valid_ = true;
    return v;
  }

  std::vector<StepFigure> take_step_figures() override {
    std::vector<StepFigure> out;
    out.swap(figures_);
    return out;
  }

 private:
  struct CoreCounts {
    bool present = false;
    uint32_t P = 0, N = 0, A = 0, S = 0, F = 0;
  };

  // Words of the MEM_SEL window (spec §7, §9.2); an address at or above the limit is out of range.
  static uint64_t window_limit(const CoreCounts& k, uint32_t mem, uint32_t addr) {
    switch (mem) {
      case s::MEM_PROFILE:
        return 2ull * k.P;
      case s::MEM_GROUP:
        return s::SYN_GROUPS_PER_CORE;
      case s::MEM_NEURON_CFG:
        return 2ull * k.N;
      case s::MEM_NEURON_STATE:
        return 3ull * k.N;
      case s::MEM_AXON:
        return k.A;
      case s::MEM_SYNAPSE:
        return k.S;
      case s::MEM_FANOUT:
        return k.F;
      case s::MEM_TRACE:
        if (addr < k.A) return k.A;
        if (addr >= s::AXONS_PER_CORE_MAX) return s::AXONS_PER_CORE_MAX + k.N;
        return 0;
      default:
        return 0;
    }
  }

  uint32_t read(int64_t addr) const { return chip_.read(static_cast<uint32_t>(addr)); }
  void write(int64_t addr, uint32_t v) const { chip_.write(static_cast<uint32_t>(addr), v); }
  uint64_t counter(uint32_t sel) const {
    write(s::REG_CNT_SEL, sel);
    const uint64_t lo = read(s::REG_CNT_LO);
    return lo | uint64_t{read(s::REG_CNT_HI)} << 32;
  }
  // The low word of a counter: enough for per-step deltas (far below 2^32 per step).
  uint32_t counter_lo(uint32_t sel) const {
    write(s::REG_CNT_SEL, sel);
    return read(s::REG_CNT_LO);
  }

  void check_errors() {
    const uint32_t err = read(s::REG_ERROR);
    if (err == 0) return;
    write(s::REG_ERROR, err);
    throw InputError(chip_error_message("rtl", err, timestep_));
  }

  void drain_fifo() {
    uint32_t level = read(s::REG_SPIKE_OUT_LEVEL);
    while (level-- > 0) {
      const uint32_t w = read(s::REG_SPIKE_OUT);
      if (!(w >> 31)) break;
      // The register carries the step modulo 2^19; the host knows the steps just run.
      const uint32_t low = (w >> 12) & kStepMask;
      uint32_t step = (timestep_ & ~kStepMask) | low;
      if (step >= timestep_) step -= kStepMask + 1;
      outputs_.push_back({step, w & 0xFFFu, chip_.spike_out_cycle()});
    }
  }

  // Per-step figures from counter deltas: E (chip CYCLES), spikes, synaptic operations, the packets
  // of the step (host inputs plus packets the cores sent), and every mesh core's phase cycles
  // (CYCLES_DELIVER/UPDATE/LEARN/WAIT), as the SystemC model reports them (y-major, all cores).
  static constexpr std::size_t kSnapSlots = 2;
  static constexpr std::size_t kPerCore = 7;
  static constexpr int64_t kCoreIds[kPerCore] = {
      s::CNT_SPIKES,        s::CNT_SYN_OPS,      s::CNT_PACKETS_SENT, s::CNT_CYCLES_DELIVER,
      s::CNT_CYCLES_UPDATE, s::CNT_CYCLES_LEARN, s::CNT_CYCLES_WAIT};
  void record_figure() {
    std::vector<uint32_t> now(snapshot_.size());
    now[0] = counter_lo(1u << s::CNT_SEL_CHIP_BIT | s::CNT_CHIP_CYCLES);
    now[1] = counter_lo(1u << s::CNT_SEL_CHIP_BIT | s::CNT_CHIP_HOST_IN);
    for (uint32_t core = 0; core < shape_.num_cores(); ++core)
      for (std::size_t k = 0; k < kPerCore; ++k)
        now[kSnapSlots + kPerCore * core + k] = counter_lo(core << 5 | static_cast<uint32_t>(kCoreIds[k]));
    // Counter low words: a step adds far less than 2^32, so the unsigned difference is exact.
    auto delta = [&](std::size_t i) { return now[i] - snapshot_[i]; };
    StepFigure f;
    f.step = timestep_ - 1;
    f.cycles = delta(0);
    f.packets = delta(1);
    for (uint32_t core = 0; core < shape_.num_cores(); ++core) {
      const std::size_t i = kSnapSlots + kPerCore * core;
      f.spikes += delta(i);
      f.syn_ops += delta(i + 1);
      f.packets += delta(i + 2);
      CorePhaseCycles ph;
      ph.x = core % shape_.width;
      ph.y = core / shape_.width;
      ph.deliver = delta(i + 3);
      ph.update = delta(i + 4);
      ph.learn = delta(i + 5);
      ph.wait = delta(i + 6);
      f.phases.push_back(ph);
    }
    figures_.push_back(f);
    snapshot_.swap(now);
  }

  mutable rtl::RtlChip chip_;  // const methods read registers, which clocks the model
  bool have_vcd_ = false;
  uint32_t vcd_first_ = 0, vcd_last_ = 0;
  ChipShape shape_;
  std::vector<CoreCounts> counts_;  // per core index y * W + x
  bool host_outputs_ = false;
  std::map<uint32_t, std::vector<uint32_t>> pending_;
  std::vector<OutputSpike> outputs_;
  std::vector<StepFigure> figures_;
  std::vector<uint32_t> snapshot_;  // counter low words after the last step
  uint32_t timestep_ = 0;
  mutable uint32_t mem_sel_ = 0;
  mutable bool mem_sel_valid_ = false;
};

const BackendRegistration kRegistration("rtl", [] { return std::make_unique<RtlBackend>(); });

}  // namespace
}  // namespace lifchip
