// The functional model: the bit-accurate golden reference of docs/spec.md, without timing.
// The per-core work is the shared CoreDatapath (structure-of-arrays state, vectorised neuron
// kernel, bitmap delivery); this file adds the chip: host inputs, packet routing between cores and
// the barrier. Link counters are derived lazily from per-fan-out-entry packet counts instead of
// walking every packet's route.
#include <algorithm>
#include <map>

#include "core_datapath.h"
#include "fault_apply.h"
#include "lifchip/backend.h"
#include "lifchip/chip_constants.h"
#include "lifchip/image.h"

namespace lifchip {
namespace {

namespace s = spec;
using detail::CoreDatapath;

constexpr uint32_t kHostDest = 0xFFFFFFFFu;

class FunctionalBackend final : public Backend {
 public:
  std::string name() const override { return "functional"; }

  void load(const pb::ChipImage& image) override {
    validate_sealed_image(image);
    shape_ = chip_shape(image.config());
    cores_.assign(static_cast<std::size_t>(image.cores_size()), CoreDatapath{});
    core_of_.assign(shape_.num_cores(), -1);
    for (int i = 0; i < image.cores_size(); ++i) {
      const pb::Core& c = image.cores(i);
      core_of_[shape_.core_index(c.x(), c.y())] = i;
      cores_[static_cast<std::size_t>(i)].build(c);
    }
    fan_dest_.assign(cores_.size(), {});
    spikes_of_.assign(cores_.size(), {});
    for (std::size_t i = 0; i < cores_.size(); ++i) {
      const CoreDatapath& c = cores_[i];
      fan_dest_[i].resize(c.F);
      spikes_of_[i].assign(c.N, 0);
      for (uint32_t f = 0; f < c.F; ++f)
        fan_dest_[i][f] = c.fan_host[f]
                              ? kHostDest
                              : static_cast<uint32_t>(core_of_[shape_.core_index(c.fan_x[f], c.fan_y[f])]);
    }
    axons_ = axons_by_core(image);
    learning_ = image.learning_enabled();
    timestep_ = 0;
    pending_inputs_.clear();
    outputs_.clear();
    figures_.clear();
    faults_.clear();
    link_fix_.clear();
    clear_counters();
  }

  void inject_fault(const Fault& fault) override {
    if (fault.x >= shape_.width || fault.y >= shape_.height ||
        core_of_[shape_.core_index(fault.x, fault.y)] < 0)
      throw InputError("fault: core (" + std::to_string(fault.x) + "," + std::to_string(fault.y) +
                       ") is not in the image");
    faults_.arm(fault, cores_[static_cast<std::size_t>(core_of_[shape_.core_index(fault.x, fault.y)])],
                timestep_);
  }

  std::vector<FaultEvent> fault_events() const override { return faults_.events(); }

  void set_learning(bool enabled) override { learning_ = enabled; }

  void inject(const std::vector<InputSpike>& spikes) override {
    check_input_spikes(spikes, shape_, axons_, timestep_);
    for (const InputSpike& sp : spikes)
      pending_inputs_[sp.step].push_back(
          static_cast<uint32_t>(core_of_[shape_.core_index(sp.x, sp.y)]) << 16 | sp.axon);
  }

  void step(uint32_t n) override {
    for (uint32_t i = 0; i < n; ++i) step_once();
  }

  std::vector<OutputSpike> drain() override {
    std::vector<OutputSpike> out;
    out.swap(outputs_);
    return out;
  }

  CounterSet counters() const override {
    CounterSet cs;
    cs.width = shape_.width;
    cs.height = shape_.height;
    cs.cores.assign(shape_.num_cores(), CoreCounterArray{});
    for (const CoreDatapath& c : cores_) cs.cores[shape_.core_index(c.x, c.y)] = c.cnt;
    // Link counters: every spike of a neuron sends one packet per fan-out entry, so walk each entry's
    // XY route once, weighted by its neuron's spike count.
    for (std::size_t i = 0; i < cores_.size(); ++i) {
      const CoreDatapath& c = cores_[i];
      for (uint32_t n = 0; n < c.N; ++n) {
        const uint64_t k = spikes_of_[i][n];
        if (k == 0) continue;
        for (uint32_t f = c.fan_base[n]; f < c.fan_base[n] + c.fan_count[n]; ++f)
          route(cs, c.x, c.y, c.fan_host[f] != 0, c.fan_x[f], c.fan_y[f], k);
      }
    }
    // Packets a fault dropped (-1) or duplicated (+1) change the flits on their entry's route.
    for (const LinkFix& fix : link_fix_) {
      const CoreDatapath& c = cores_[fix.core];
      CounterSet delta = cs;
      for (auto& core : delta.cores) core.fill(0);
      route(delta, c.x, c.y, c.fan_host[fix.entry] != 0, c.fan_x[fix.entry], c.fan_y[fix.entry], 1);
      for (std::size_t i = 0; i < cs.cores.size(); ++i)
        for (int id = s::CNT_LINK_LOCAL; id <= s::CNT_LINK_WEST; ++id)
          cs.cores[i][static_cast<std::size_t>(id)] +=
              static_cast<uint64_t>(fix.delta) * delta.cores[i][static_cast<std::size_t>(id)];
    }
    // A host packet enters router (0,0) through its west port, then follows XY to its core.
    for (std::size_t i = 0; i < cores_.size(); ++i)
      if (host_in_[i] != 0) route(cs, 0, 0, false, cores_[i].x, cores_[i].y, host_in_[i]);
    cs.chip = chip_;
    return cs;
  }

  void clear_counters() override {
    for (CoreDatapath& c : cores_) c.cnt.fill(0);
    for (auto& v : spikes_of_) std::fill(v.begin(), v.end(), 0);
    link_fix_.clear();
    host_in_.assign(cores_.size(), 0);
    chip_.fill(0);
  }

  uint32_t timestep() const override { return timestep_; }

  uint32_t read_word(uint32_t x, uint32_t y, uint32_t mem, uint32_t addr) const override {
    if (x >= shape_.width || y >= shape_.height || core_of_[shape_.core_index(x, y)] < 0)
      throw InputError("read_word: core (" + std::to_string(x) + "," + std::to_string(y) +
                       ") is not in the image");
    return cores_[static_cast<std::size_t>(core_of_[shape_.core_index(x, y)])].read_word(mem, addr);
  }

  std::vector<StepFigure> take_step_figures() override {
    std::vector<StepFigure> out;
    out.swap(figures_);
    return out;
  }

 private:
  // Adds `count` flits along the XY route (spec §6) to the per-port link counters.
  void route(CounterSet& cs, uint32_t x, uint32_t y, bool to_host, uint32_t dx, uint32_t dy,
             uint64_t count) const {
    if (to_host) dx = dy = 0;
    for (;;) {
      CoreCounterArray& r = cs.cores[shape_.core_index(x, y)];
      if (dx > x) {
        r[s::CNT_LINK_EAST] += count;
        ++x;
      } else if (dx < x) {
        r[s::CNT_LINK_WEST] += count;
        --x;
      } else if (dy > y) {
        r[s::CNT_LINK_NORTH] += count;
        ++y;
      } else if (dy < y) {
        r[s::CNT_LINK_SOUTH] += count;
        --y;
      } else {
        r[to_host ? s::CNT_LINK_WEST : s::CNT_LINK_LOCAL] += count;
        return;
      }
    }
  }

  void step_once() {
    const uint32_t t = timestep_;
    StepFigure fig;
    fig.step = t;

    // Phase 0 INJECT. The host input FIFO holds HOST_SPIKE_FIFO_DEPTH packets for a step (spec §7):
    // more sets ERR_SPIKE_IN_OVERFLOW in every model, and the backend stops at this step.
    auto it = pending_inputs_.find(t);
    if (it != pending_inputs_.end() && it->second.size() > static_cast<std::size_t>(s::HOST_SPIKE_FIFO_DEPTH))
      throw InputError(chip_error_message("functional", static_cast<uint32_t>(s::ERR_SPIKE_IN_OVERFLOW), t));
    if (it != pending_inputs_.end()) {
      for (uint32_t packed : it->second) {
        const uint32_t ci = packed >> 16;
        ++host_in_[ci];
        ++chip_[s::CNT_CHIP_HOST_IN];
        cores_[ci].arrive(true, packed & 0xFFFF);
      }
      fig.packets += it->second.size();
      pending_inputs_.erase(it);
    }

    // Phase 1 DELIVER.
    for (CoreDatapath& c : cores_) fig.syn_ops += c.deliver().ops;

    // Phase 2 UPDATE, with spikes sent as they are produced.
    const std::size_t first_output = outputs_.size();
    for (std::size_t i = 0; i < cores_.size(); ++i) {
      CoreDatapath& c = cores_[i];
      uint32_t spikes = c.update();
      if (!faults_.empty()) {
        faults_.after_update(c, t);
        spikes = static_cast<uint32_t>(c.spiked.size());
      }
      if (spikes == 0) continue;
      if (!faults_.empty() && faults_.has_packet_faults(c)) {
        fig.spikes += spikes;
        fig.packets += send_with_faults(i, t);
        continue;
      }
      fig.spikes += spikes;
      const uint32_t* dest = fan_dest_[i].data();
      uint64_t* spikes_of = spikes_of_[i].data();
      for (uint32_t n : c.spiked) {
        ++spikes_of[n];
        const uint32_t base = c.fan_base[n], end = base + c.fan_count[n];
        for (uint32_t f = base; f < end; ++f) {
          if (dest[f] == kHostDest) {
            outputs_.push_back({t, c.fan_axon[f]});
            ++chip_[s::CNT_CHIP_HOST_OUT];
          } else {
            cores_[dest[f]].arrive(false, c.fan_axon[f]);
          }
        }
        c.cnt[s::CNT_PACKETS_SENT] += end - base;
        c.cnt[s::CNT_FANOUT_MEM_READS] += end - base;
        fig.packets += end - base;
      }
    }
    std::sort(outputs_.begin() + static_cast<std::ptrdiff_t>(first_output), outputs_.end());

    // Phase 3 LEARN.
    for (CoreDatapath& c : cores_)
      if (c.learning_runs(learning_)) c.learn();

    // Phase 4 BARRIER (bit-flip faults land just before it, spec §11).
    for (CoreDatapath& c : cores_) {
      if (!faults_.empty()) faults_.end_of_step(c, t);
      c.end_step();
    }
    ++timestep_;
    ++chip_[s::CNT_CHIP_TIMESTEPS];
    figures_.push_back(fig);
  }

  // Phase UPDATE's sends for a core with armed packet faults: the plain loop, asking each packet's fate.
  uint64_t send_with_faults(std::size_t i, uint32_t t) {
    CoreDatapath& c = cores_[i];
    uint64_t sent = 0;
    for (uint32_t n : c.spiked) {
      ++spikes_of_[i][n];
      const uint32_t base = c.fan_base[n], end = base + c.fan_count[n];
      for (uint32_t f = base; f < end; ++f) {
        const auto action = faults_.packet(c, t, f);
        if (action != detail::FaultSet::PacketAction::kSend)
          link_fix_.push_back({i, f, action == detail::FaultSet::PacketAction::kDrop ? -1 : 1});
        const int copies = action == detail::FaultSet::PacketAction::kDrop        ? 0
                           : action == detail::FaultSet::PacketAction::kDuplicate ? 2
                                                                                  : 1;
        for (int k = 0; k < copies; ++k) {
          if (fan_dest_[i][f] == kHostDest) {
            outputs_.push_back({t, c.fan_axon[f]});
            ++chip_[s::CNT_CHIP_HOST_OUT];
          } else {
            cores_[fan_dest_[i][f]].arrive(false, c.fan_axon[f]);
          }
        }
      }
      c.cnt[s::CNT_PACKETS_SENT] += end - base;
      c.cnt[s::CNT_FANOUT_MEM_READS] += end - base;
      sent += end - base;
    }
    return sent;
  }

  struct LinkFix {
    std::size_t core;
    uint32_t entry;
    int delta;
  };

  ChipShape shape_;
  std::vector<CoreDatapath> cores_;
  detail::FaultSet faults_;
  std::vector<LinkFix> link_fix_;  // faulty packets whose route's link flits differ from spikes_of_
  std::vector<int64_t> axons_;     // per mesh index, for input checks
  std::vector<int> core_of_;       // mesh index -> cores_ index or -1
  std::vector<std::vector<uint32_t>> fan_dest_;   // per core, per fan-out entry: core index or kHostDest
  std::vector<std::vector<uint64_t>> spikes_of_;  // spikes per neuron since the last counter clear
  bool learning_ = false;
  uint32_t timestep_ = 0;
  std::map<uint32_t, std::vector<uint32_t>> pending_inputs_;  // step -> (core << 16 | axon)
  std::vector<OutputSpike> outputs_;
  std::vector<StepFigure> figures_;
  std::vector<uint64_t> host_in_;  // host packets per destination core since the last clear
  ChipCounterArray chip_{};
};

const BackendRegistration kRegistration("functional", [] { return std::make_unique<FunctionalBackend>(); });

}  // namespace
}  // namespace lifchip
