// See host_driver.h: the register sequences of spec §7, once, for every backend behind a host bus.
#include "lifchip/host_driver.h"

#include <algorithm>

#include "lifchip/chip_constants.h"

namespace lifchip {

namespace s = spec;

namespace {
constexpr uint32_t kStepMask = (1u << 19) - 1;  // SPIKE_OUT carries the step modulo 2^19
constexpr uint32_t kStatusBusy = 1u, kCtrlLearnEn = 2u, kCtrlCounterClear = 4u;
constexpr uint32_t kLoadBegin = 1u, kLoadCommit = 2u;
}  // namespace

void HostDriver::load(const pb::ChipImage& image) {
  validate_sealed_image(image);  // the precise error message; the chip checks (a subset) again
  check_capacity(image);
  const std::vector<uint32_t> words = flat_stream(image);
  wr(s::REG_ERROR, ~0u);
  wr(s::REG_LOAD_CTRL, kLoadBegin);
  for (uint32_t w : words) wr(s::REG_LOAD_DATA, w);
  wr(s::REG_LOAD_EXPECT, image.checksum());
  wr(s::REG_LOAD_CTRL, kLoadCommit);
  const uint32_t err = rd(s::REG_ERROR);
  if (err != 0) {
    wr(s::REG_ERROR, err);
    throw InputError(load_error(err));
  }
  shape_ = chip_shape(image.config());
  counts_.assign(shape_.num_cores(), CoreCounts{});
  axons_ = axons_by_core(image);
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
  snapshot_.assign(opt_.batch_runs ? 0 : 2 + 7 * shape_.num_cores(), 0);
}

bool HostDriver::has_core(uint32_t x, uint32_t y) const {
  return x < shape_.width && y < shape_.height && counts_[shape_.core_index(x, y)].present;
}

void HostDriver::set_learning(bool enabled) {
  const uint32_t ctrl = rd(s::REG_CTRL);
  wr(s::REG_CTRL, enabled ? (ctrl | kCtrlLearnEn) : (ctrl & ~kCtrlLearnEn));
}

void HostDriver::inject(const std::vector<InputSpike>& spikes) {
  check_input_spikes(spikes, shape_, axons_, timestep_);
  for (const InputSpike& sp : spikes)
    pending_[sp.step].push_back(sp.axon | sp.x << s::PKT_X_LSB | sp.y << s::PKT_Y_LSB);
}

void HostDriver::step(uint32_t n) {
  uint32_t done = 0;
  while (done < n) {
    // Inputs go in before the step they belong to; without inputs or outputs, a batch may run.
    auto it = pending_.find(timestep_);
    uint32_t steps = 1;
    if (it != pending_.end()) {
      for (uint32_t pkt : it->second) wr(s::REG_SPIKE_IN, pkt);
      pending_.erase(it);
    } else if (opt_.batch_runs && !host_outputs_) {
      const auto next = pending_.lower_bound(timestep_);
      steps = n - done;
      if (next != pending_.end()) steps = std::min(steps, next->first - timestep_);
    }
    run(steps);
    done += steps;
    if (host_outputs_) drain_fifo();
    if (!opt_.batch_runs) record_figure();
  }
}

// RUN_STEPS, wait for BUSY to clear, then ERROR.
void HostDriver::run(uint32_t steps) {
  bus_.run_begin(timestep_);
  wr(s::REG_RUN_STEPS, steps);
  do {
    bus_.advance();
  } while (rd(s::REG_STATUS) & kStatusBusy);
  bus_.run_end();
  const uint32_t err = rd(s::REG_ERROR);
  if (err != 0) {
    wr(s::REG_ERROR, err);
    throw InputError(chip_error_message(name(), err, timestep_));
  }
  timestep_ += steps;
}

void HostDriver::drain_fifo() {
  uint32_t level = rd(s::REG_SPIKE_OUT_LEVEL);
  while (level-- > 0) {
    const uint32_t w = rd(s::REG_SPIKE_OUT);
    if (!(w >> 31)) break;
    // The register carries the step modulo 2^19; the host knows the steps just run.
    const uint32_t low = (w >> 12) & kStepMask;
    uint32_t step = (timestep_ & ~kStepMask) | low;
    if (step >= timestep_) step -= kStepMask + 1;
    outputs_.push_back({step, w & 0xFFFu, bus_.popped_exit_cycle()});
  }
}

std::vector<OutputSpike> HostDriver::drain() {
  std::vector<OutputSpike> out;
  out.swap(outputs_);
  std::stable_sort(out.begin(), out.end());
  return out;
}

uint64_t HostDriver::counter(uint32_t sel) const {
  wr(s::REG_CNT_SEL, sel);
  const uint64_t lo = rd(s::REG_CNT_LO);
  return lo | uint64_t{rd(s::REG_CNT_HI)} << 32;
}

// The low word of a counter: enough for per-step deltas (far below 2^32 per step).
uint32_t HostDriver::counter_lo(uint32_t sel) const {
  wr(s::REG_CNT_SEL, sel);
  return rd(s::REG_CNT_LO);
}

CounterSet HostDriver::counters() const {
  CounterSet cs;
  cs.width = shape_.width;
  cs.height = shape_.height;
  cs.cores.assign(shape_.num_cores(), CoreCounterArray{});
  for (uint32_t core = 0; core < shape_.num_cores(); ++core)
    for (uint32_t id = 0; id < s::CNT_PER_CORE; ++id) cs.cores[core][id] = counter(core << 5 | id);
  for (uint32_t id = 0; id < s::CNT_CHIP_SLOTS; ++id) cs.chip[id] = counter(1u << s::CNT_SEL_CHIP_BIT | id);
  return cs;
}

void HostDriver::clear_counters() {
  wr(s::REG_CTRL, rd(s::REG_CTRL) | kCtrlCounterClear);
  std::fill(snapshot_.begin(), snapshot_.end(), 0);
}

// Words of the MEM_SEL window (spec §7, §9.2); an address at or above the limit is out of range.
uint64_t HostDriver::window_limit(const CoreCounts& k, uint32_t mem, uint32_t addr) {
  switch (mem) {
    case s::MEM_PROFILE:
      return 2ull * k.P;
    case s::MEM_GROUP:
      return s::SYN_GROUPS_PER_CORE;
    case s::MEM_NEURON_CFG:
      return 2ull * k.N;
    case s::MEM_NEURON_STATE:
      return 3ull * k.N;
    case s::MEM_VOLTAGE:
      return k.N;
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

uint32_t HostDriver::read_word(uint32_t x, uint32_t y, uint32_t mem, uint32_t addr) const {
  if (!has_core(x, y))
    throw InputError("read_word: core (" + std::to_string(x) + "," + std::to_string(y) +
                     ") is not in the image");
  if (addr >= window_limit(counts_[shape_.core_index(x, y)], mem, addr))
    throw InputError("read_word: core (" + std::to_string(x) + "," + std::to_string(y) + ") memory " +
                     std::to_string(mem) + ": address " + std::to_string(addr) + " is out of range");
  const uint32_t sel = (addr & 0xFFFFu) | (mem & 0xFu) << 16 | shape_.core_index(x, y) << 20;
  if (!mem_sel_valid_ || sel != mem_sel_) wr(s::REG_MEM_SEL, sel);
  const uint32_t v = rd(s::REG_MEM_DATA);
  mem_sel_ = (sel & ~0xFFFFu) | ((addr + 1) & 0xFFFFu);
  mem_sel_valid_ = true;
  return v;
}

// Per-step figures from counter deltas: E (chip CYCLES), spikes, synaptic operations, the packets
// of the step (host inputs plus packets the cores sent), and every mesh core's phase cycles
// (CYCLES_DELIVER/UPDATE/LEARN/WAIT), as the SystemC model reports them (y-major, all cores).
void HostDriver::record_figure() {
  constexpr std::size_t kSnapSlots = 2, kPerCore = 7;
  constexpr int64_t kCoreIds[kPerCore] = {s::CNT_SPIKES,        s::CNT_SYN_OPS,      s::CNT_PACKETS_SENT,
                                          s::CNT_CYCLES_DELIVER, s::CNT_CYCLES_UPDATE, s::CNT_CYCLES_LEARN,
                                          s::CNT_CYCLES_WAIT};
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

std::vector<StepFigure> HostDriver::take_step_figures() {
  std::vector<StepFigure> out;
  out.swap(figures_);
  return out;
}

}  // namespace lifchip
