// The functional model: the bit-accurate golden reference of docs/spec.md, without timing.
// The per-core work is the shared CoreDatapath (structure-of-arrays state, vectorised neuron
// kernel, bitmap delivery); this file adds the chip: host inputs, packet routing between cores and
// the barrier. Link counters are derived lazily from per-fan-out-entry packet counts instead of
// walking every packet's route.
//
// Direct delivery. A packet to an axon that no other fan-out entry targets, on a core without
// plastic synapses, cannot collide with another spike packet and is never seen by learning: its
// only effect is that axon's synapse row added to the accumulators in the next step (plus counters).
// Such fan-out entries are "direct": at load each neuron gets one flat row of (accumulator, scaled
// weight) pairs, the synapses of all its direct entries, and a spike adds it into the next step's
// accumulators (every core's, in one array, double-buffered) as Brian2 walks a synapse row: one
// contiguous stream per spike instead of ~16 scattered axons, bitmaps and lists. The counters of
// direct packets (received, axon events, synaptic ops) are derived lazily from spike counts, as the
// link counters are. Host input packets can still collide with a direct packet (checked at inject);
// an armed fault switches the chip back to the plain path (leave_direct).
#include <omp.h>

#include <algorithm>
#include <exception>
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
    build_direct();
    initial_ = cores_;
    initial_learning_ = learning_;
    loaded_ = true;
    restart();
  }

  bool reload() override {
    if (!loaded_) return false;
    cores_ = initial_;  // element-wise copies into the same storage
    learning_ = initial_learning_;
    for (auto& a : acc_) std::fill(a.begin(), a.end(), 0);
    cur_ = 0;
    pending_ops_ = 0;
    direct_ = any_direct_;  // an armed fault may have left the direct path; its rows still hold
    restart();
    return true;
  }

  bool concurrent_instances() const override { return true; }

  // The run state of a freshly loaded chip around the cores (which the caller has set).
  void restart() {
    timestep_ = 0;
    pending_inputs_.clear();
    outputs_.clear();
    figures_.clear();
    faults_.clear();
    link_fix_.clear();
    for (auto& v : spikes_of_) std::fill(v.begin(), v.end(), 0);
    clear_counters();
  }

  void inject_fault(const Fault& fault) override {
    if (fault.x >= shape_.width || fault.y >= shape_.height ||
        core_of_[shape_.core_index(fault.x, fault.y)] < 0)
      throw InputError("fault: core (" + std::to_string(fault.x) + "," + std::to_string(fault.y) +
                       ") is not in the image");
    faults_.arm(fault, cores_[static_cast<std::size_t>(core_of_[shape_.core_index(fault.x, fault.y)])],
                timestep_);
    if (direct_) leave_direct();  // faults act on packets, spikes and weights one by one
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
    // Faults act packet by packet in a fixed order: they always run on one thread.
    if (threads_ > 1 && cores_.size() > 1 && faults_.empty()) {
      step_parallel(n);
      return;
    }
    for (uint32_t i = 0; i < n; ++i) step_once();
  }

  void set_threads(unsigned n) override { threads_ = n == 0 ? 1 : n; }

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
    if (direct_) {
      std::vector<CoreCounterArray> add(cores_.size(), CoreCounterArray{});
      direct_counts(add);
      for (std::size_t i = 0; i < cores_.size(); ++i)
        for (std::size_t id = 0; id < add[i].size(); ++id)
          cs.cores[shape_.core_index(cores_[i].x, cores_[i].y)][id] += add[i][id];
    }
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
    // Direct packets sent in the last step are delivered (and counted) after the clear.
    carry_.clear();
    for (std::size_t i = 0; i < cores_.size(); ++i)
      for (uint32_t n : cores_[i].spiked) carry_.push_back(gbase_[i] + n);
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
    inject_phase(fig);

    // Phase 1 DELIVER (direct packets of the last step are already in the accumulators).
    int32_t* acc = acc_[cur_].data();
    fig.syn_ops += pending_ops_;
    pending_ops_ = 0;
    for (std::size_t i = 0; i < cores_.size(); ++i) fig.syn_ops += cores_[i].deliver(acc + gbase_[i]).ops;

    // Phase 2 UPDATE, with spikes sent as they are produced.
    const std::size_t first_output = outputs_.size();
    if (direct_) {
      update_and_send_direct(fig);
    } else {
      update_and_send(fig);
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
    cur_ ^= 1;  // the accumulators filled by this step's direct packets serve the next
    ++timestep_;
    ++chip_[s::CNT_CHIP_TIMESTEPS];
    figures_.push_back(fig);
  }

  void inject_phase(StepFigure& fig) {
    const uint32_t t = timestep_;
    // Phase 0 INJECT. The host input FIFO holds HOST_SPIKE_FIFO_DEPTH packets for a step (spec §7):
    // more sets ERR_SPIKE_IN_OVERFLOW in every model, and the backend stops at this step.
    auto it = pending_inputs_.find(t);
    if (it != pending_inputs_.end() && it->second.size() > static_cast<std::size_t>(s::HOST_SPIKE_FIFO_DEPTH))
      throw InputError(chip_error_message("functional", static_cast<uint32_t>(s::ERR_SPIKE_IN_OVERFLOW), t));
    if (it != pending_inputs_.end()) {
      for (uint32_t packed : it->second) {
        const uint32_t ci = packed >> 16, axon = packed & 0xFFFF;
        ++host_in_[ci];
        ++chip_[s::CNT_CHIP_HOST_IN];
        if (direct_ && direct_collides(ci, axon)) {
          // The axon is already pending with a direct packet of the last step: a collision (spec §3).
          ++cores_[ci].cnt[s::CNT_PACKETS_RECEIVED];
          ++cores_[ci].cnt[s::CNT_AXON_COLLISIONS];
          continue;
        }
        cores_[ci].arrive(true, axon);
      }
      fig.packets += it->second.size();
      pending_inputs_.erase(it);
    }
  }

  // Phase UPDATE on the plain path: every packet through the destination's pending bits.
  void update_and_send(StepFigure& fig) {
    const uint32_t t = timestep_;
    int32_t* acc = acc_[cur_].data();
    for (std::size_t i = 0; i < cores_.size(); ++i) {
      CoreDatapath& c = cores_[i];
      uint32_t spikes = c.update(acc + gbase_[i]);
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
  }

  // Phase UPDATE with direct delivery (no faults armed): a spike's direct row goes straight into
  // the next step's accumulators; only its other fan-out entries take the plain path.
  void update_and_send_direct(StepFigure& fig) {
    const uint32_t t = timestep_;
    int32_t* acc = acc_[cur_].data();
    int32_t* next = acc_[cur_ ^ 1].data();
    const uint32_t* row_idx = row_idx_.data();
    const int32_t* row_w = row_w_.data();
    for (std::size_t i = 0; i < cores_.size(); ++i) {
      CoreDatapath& c = cores_[i];
      const uint32_t spikes = c.update(acc + gbase_[i]);
      if (spikes == 0) continue;
      fig.spikes += spikes;
      const uint32_t* dest = fan_dest_[i].data();
      const uint8_t* entry_direct = entry_direct_[i].data();
      const uint8_t* slow = has_slow_[i].data();
      uint64_t* spikes_of = spikes_of_[i].data();
      const uint64_t* row_base = row_base_.data() + gbase_[i];
      uint64_t packets = 0, ops = 0;
      for (uint32_t n : c.spiked) {
        ++spikes_of[n];
        const uint32_t base = c.fan_base[n], end = base + c.fan_count[n];
        if (slow[n]) {
          for (uint32_t f = base; f < end; ++f) {
            if (entry_direct[f]) continue;
            if (dest[f] == kHostDest) {
              outputs_.push_back({t, c.fan_axon[f]});
              ++chip_[s::CNT_CHIP_HOST_OUT];
            } else {
              cores_[dest[f]].arrive(false, c.fan_axon[f]);
            }
          }
        }
        const uint64_t r0 = row_base[n], r1 = row_base[n + 1];
        for (uint64_t e = r0; e < r1; ++e)  // 32-bit wrapping sums (spec §2.3), as deliver()
          next[row_idx[e]] = static_cast<int32_t>(static_cast<uint32_t>(next[row_idx[e]]) +
                                                  static_cast<uint32_t>(row_w[e]));
        ops += r1 - r0;
        packets += end - base;
      }
      c.cnt[s::CNT_PACKETS_SENT] += packets;
      c.cnt[s::CNT_FANOUT_MEM_READS] += packets;
      fig.packets += packets;
      pending_ops_ += ops;
    }
  }

  // ---- Threads over cores ----
  //
  // One OpenMP team for the whole step(n) call; each thread owns a contiguous range of cores
  // (balanced by neurons) and does every write to their state: deliver and update, the arrivals
  // and direct-row entries whose destination it owns, the sent-packet counters of the spiking
  // cores it owns, learning and the barrier. Host outputs are thread 0's. Every figure is an
  // integer sum and every core's learning uses only its own LFSR, so the result does not depend
  // on the number of threads; the phases are separated by team barriers as the chip's are.
  struct Partial {
    uint64_t spikes = 0, packets = 0, ops = 0, pending_ops = 0;
    char pad[32];  // one cache line per thread
  };

  void step_parallel(uint32_t n) {
    const std::size_t C = cores_.size();
    std::vector<Partial> part;
    std::vector<std::size_t> lo, hi;  // per thread: its cores [lo, hi)
    std::exception_ptr error;
    bool stop = false;
    StepFigure fig;
    std::size_t first_output = 0;
#pragma omp parallel num_threads(static_cast<int>(std::min<std::size_t>(threads_, C)))
    {
#pragma omp single
      {
        // The team OpenMP gave us may be smaller than asked for.
        const std::size_t T = static_cast<std::size_t>(omp_get_num_threads());
        part.assign(T, Partial{});
        lo.assign(T, 0);
        hi.assign(T, 0);
        const uint64_t G = gbase_[C];
        std::size_t i = 0;
        for (std::size_t j = 0; j < T; ++j) {
          lo[j] = i;
          const uint64_t goal = G * (j + 1) / T;
          while (i < C && (j + 1 == T || gbase_[i + 1] <= goal || i == lo[j])) ++i;
          hi[j] = i;
        }
      }
      const std::size_t j = static_cast<std::size_t>(omp_get_thread_num());
      for (uint32_t k = 0; k < n; ++k) {
#pragma omp single
        {
          if (k > 0) finish_parallel_step(fig, part, first_output);
          fig = StepFigure{};
          fig.step = timestep_;
          first_output = outputs_.size();
          try {
            inject_phase(fig);
          } catch (...) {
            error = std::current_exception();
            stop = true;
          }
          fig.syn_ops += pending_ops_;
          pending_ops_ = 0;
        }
        if (stop) break;  // every thread reads it after the single's barrier
        Partial& p = part[j];
        int32_t* acc = acc_[cur_].data();
        for (std::size_t i = lo[j]; i < hi[j]; ++i) {
          p.ops += cores_[i].deliver(acc + gbase_[i]).ops;
          p.spikes += cores_[i].update(acc + gbase_[i]);
        }
#pragma omp barrier
        send_owned(j, lo[j], hi[j], p);
#pragma omp barrier
        for (std::size_t i = lo[j]; i < hi[j]; ++i) {
          CoreDatapath& c = cores_[i];
          if (c.learning_runs(learning_)) c.learn();
          c.end_step();
        }
#pragma omp barrier
      }
    }
    if (error) std::rethrow_exception(error);
    if (n > 0) finish_parallel_step(fig, part, first_output);
  }

  void finish_parallel_step(StepFigure& fig, std::vector<Partial>& part, std::size_t first_output) {
    for (Partial& p : part) {
      fig.spikes += static_cast<uint32_t>(p.spikes);
      fig.packets += p.packets;
      fig.syn_ops += p.ops;
      pending_ops_ += p.pending_ops;
      p = Partial{};
    }
    std::sort(outputs_.begin() + static_cast<std::ptrdiff_t>(first_output), outputs_.end());
    cur_ ^= 1;
    ++timestep_;
    ++chip_[s::CNT_CHIP_TIMESTEPS];
    figures_.push_back(fig);
  }

  // Phase UPDATE's sends of every spike, restricted to what thread `j` (cores [lo, hi)) owns.
  void send_owned(std::size_t j, std::size_t lo, std::size_t hi, Partial& p) {
    const uint32_t t = timestep_;
    const uint32_t g_lo = gbase_[lo], g_hi = gbase_[hi];
    int32_t* next = acc_[cur_ ^ 1].data();
    const uint32_t* row_idx = row_idx_.data();
    const int32_t* row_w = row_w_.data();
    for (std::size_t i = 0; i < cores_.size(); ++i) {
      CoreDatapath& c = cores_[i];
      if (c.spiked.empty()) continue;
      const bool mine = i >= lo && i < hi;
      const uint32_t* dest = fan_dest_[i].data();
      for (uint32_t n : c.spiked) {
        const uint32_t base = c.fan_base[n], end = base + c.fan_count[n];
        if (mine) {
          ++spikes_of_[i][n];
          c.cnt[s::CNT_PACKETS_SENT] += end - base;
          c.cnt[s::CNT_FANOUT_MEM_READS] += end - base;
          p.packets += end - base;
        }
        if (!direct_ || has_slow_[i][n]) {
          for (uint32_t f = base; f < end; ++f) {
            if (direct_ && entry_direct_[i][f]) continue;
            if (dest[f] == kHostDest) {
              if (j == 0) {
                outputs_.push_back({t, c.fan_axon[f]});
                ++chip_[s::CNT_CHIP_HOST_OUT];
              }
            } else if (dest[f] >= lo && dest[f] < hi) {
              cores_[dest[f]].arrive(false, c.fan_axon[f]);
            }
          }
        }
        if (!direct_) continue;
        const uint32_t g = gbase_[i] + n;
        // The row is in accumulator order: this thread's part is one contiguous stretch.
        const uint32_t* first = std::lower_bound(row_idx + row_base_[g], row_idx + row_base_[g + 1], g_lo);
        uint64_t e = static_cast<uint64_t>(first - row_idx);
        for (; e < row_base_[g + 1] && row_idx[e] < g_hi; ++e)
          next[row_idx[e]] = static_cast<int32_t>(static_cast<uint32_t>(next[row_idx[e]]) +
                                                  static_cast<uint32_t>(row_w[e]));
        if (mine) p.pending_ops += row_base_[g + 1] - row_base_[g];
      }
    }
  }

  // ---- Direct delivery ----

  void build_direct() {
    const std::size_t C = cores_.size();
    gbase_.assign(C + 1, 0);
    for (std::size_t i = 0; i < C; ++i) gbase_[i + 1] = gbase_[i] + cores_[i].N;
    const uint32_t G = gbase_[C];
    for (auto& a : acc_) a.assign(G, 0);
    cur_ = 0;
    pending_ops_ = 0;
    carry_.clear();
    // Packets that can reach each axon, per (neuron, fan-out entry) pair (neurons may share entries):
    // only an axon with exactly one source can take direct packets.
    std::vector<std::vector<uint32_t>> hits(C);
    for (std::size_t d = 0; d < C; ++d) hits[d].assign(cores_[d].A, 0);
    for (std::size_t i = 0; i < C; ++i) {
      const CoreDatapath& c = cores_[i];
      for (uint32_t n = 0; n < c.N; ++n)
        for (uint32_t f = c.fan_base[n]; f < c.fan_base[n] + c.fan_count[n]; ++f)
          if (fan_dest_[i][f] != kHostDest) ++hits[fan_dest_[i][f]][c.fan_axon[f]];
    }
    entry_direct_.assign(C, {});
    has_slow_.assign(C, {});
    direct_src_.assign(C, {});
    for (std::size_t d = 0; d < C; ++d) direct_src_[d].assign(cores_[d].A, -1);
    row_base_.assign(G + 1, 0);
    row_idx_.clear();
    row_w_.clear();
    sum_base_.assign(G + 1, 0);
    sums_.clear();
    bool any = false;
    constexpr uint32_t kNeuronMask = (1u << s::NEURON_INDEX_BITS) - 1;
    std::vector<std::pair<uint32_t, int32_t>> row;
    for (std::size_t i = 0; i < C; ++i) {
      const CoreDatapath& c = cores_[i];
      entry_direct_[i].assign(c.F, 0);
      has_slow_[i].assign(c.N, 0);
      for (uint32_t n = 0; n < c.N; ++n) {
        const uint32_t g = gbase_[i] + n;
        row.clear();
        for (uint32_t f = c.fan_base[n]; f < c.fan_base[n] + c.fan_count[n]; ++f) {
          const uint32_t d = fan_dest_[i][f];
          const uint32_t a = c.fan_axon[f];
          if (d == kHostDest || cores_[d].any_plastic || hits[d][a] != 1) {
            has_slow_[i][n] = 1;
            continue;
          }
          entry_direct_[i][f] = 1;
          any = true;
          direct_src_[d][a] = static_cast<int64_t>(i) << 16 | n;
          const CoreDatapath& dc = cores_[d];
          const uint32_t b = dc.syn_base[a], k = dc.syn_count[a];
          for (uint32_t e = b; e < b + k; ++e) {
            const int32_t p = dc.syn_packed[e];
            row.emplace_back(gbase_[d] + (static_cast<uint32_t>(p) & kNeuronMask), p >> s::NEURON_INDEX_BITS);
          }
          if (!sums_.empty() && sum_base_[g] < sums_.size() && sums_.back().core == d) {
            ++sums_.back().entries;
            sums_.back().syns += k;
          } else {
            sums_.push_back({d, 1, k});
          }
        }
        // In accumulator order: the row streams through the accumulators once.
        std::sort(row.begin(), row.end());
        for (const auto& [idx, w] : row) {
          row_idx_.push_back(idx);
          row_w_.push_back(w);
        }
        row_base_[g + 1] = row_idx_.size();
        sum_base_[g + 1] = sums_.size();
      }
    }
    direct_ = any_direct_ = any;
  }

  // True when the host packet for (core ci, axon) finds the axon pending with a direct packet.
  bool direct_collides(uint32_t ci, uint32_t axon) const {
    const int64_t src = direct_src_[ci][axon];
    return src >= 0 && cores_[static_cast<std::size_t>(src >> 16)].fired(static_cast<uint32_t>(src & 0xFFFF));
  }

  // Counters of direct packets since the last clear, per cores_ index: received when sent; axon
  // events and synaptic ops when delivered, i.e. for the spikes sent from the step before the clear
  // (carry_) up to the step before the last one (the last step's are delivered in the next).
  void direct_counts(std::vector<CoreCounterArray>& out) const {
    std::vector<int64_t> adj(gbase_.back(), 0);
    for (uint32_t g : carry_) ++adj[g];
    for (std::size_t i = 0; i < cores_.size(); ++i)
      for (uint32_t n : cores_[i].spiked) --adj[gbase_[i] + n];
    for (std::size_t i = 0; i < cores_.size(); ++i)
      for (uint32_t n = 0; n < cores_[i].N; ++n) {
        const uint32_t g = gbase_[i] + n;
        const uint64_t sent = spikes_of_[i][n];
        const uint64_t delivered = static_cast<uint64_t>(static_cast<int64_t>(sent) + adj[g]);
        if (sent == 0 && delivered == 0) continue;
        for (uint64_t k = sum_base_[g]; k < sum_base_[g + 1]; ++k) {
          const DirectSum& d = sums_[k];
          CoreCounterArray& o = out[d.core];
          o[s::CNT_PACKETS_RECEIVED] += sent * d.entries;
          o[s::CNT_AXON_EVENTS] += delivered * d.entries;
          o[s::CNT_AXON_MEM_READS] += delivered * d.entries;
          o[s::CNT_SYN_OPS] += delivered * d.syns;
          o[s::CNT_SYN_MEM_READS] += delivered * d.syns;
        }
      }
  }

  // Back to the plain path for the rest of this load: the counters so far become real, and the
  // last step's direct packets become pending bits (their rows leave the accumulators).
  void leave_direct() {
    std::vector<CoreCounterArray> add(cores_.size(), CoreCounterArray{});
    direct_counts(add);
    for (std::size_t i = 0; i < cores_.size(); ++i)
      for (std::size_t id = 0; id < add[i].size(); ++id) cores_[i].cnt[id] += add[i][id];
    std::fill(acc_[cur_].begin(), acc_[cur_].end(), 0);
    for (std::size_t i = 0; i < cores_.size(); ++i) {
      const CoreDatapath& c = cores_[i];
      for (uint32_t n : c.spiked)
        for (uint32_t f = c.fan_base[n]; f < c.fan_base[n] + c.fan_count[n]; ++f) {
          if (!entry_direct_[i][f]) continue;
          CoreDatapath& d = cores_[fan_dest_[i][f]];
          const uint32_t a = c.fan_axon[f];
          d.cur[a >> 6] |= uint64_t{1} << (a & 63);  // no collision: the axon has no other source
          d.cur_list.push_back(a);
          d.any_cur = true;
        }
    }
    pending_ops_ = 0;
    carry_.clear();
    direct_ = false;
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
  unsigned threads_ = 1;
  std::vector<CoreDatapath> initial_;  // the cores as loaded, for reload()
  bool initial_learning_ = false, loaded_ = false;

  // Direct delivery (see the top of this file).
  struct DirectSum {  // a neuron's direct entries to one destination core
    uint32_t core;
    uint32_t entries;
    uint64_t syns;
  };
  bool direct_ = false, any_direct_ = false;
  std::vector<uint32_t> gbase_;                     // per core: its first neuron in acc_ (and one past the end)
  std::vector<int32_t> acc_[2];                     // every core's accumulators; acc_[cur_] serves this step
  int cur_ = 0;
  std::vector<uint64_t> row_base_;                  // per neuron (global): its row in row_idx_/row_w_
  std::vector<uint32_t> row_idx_;                   // accumulator (global neuron) of each row entry
  std::vector<int32_t> row_w_;                      // its scaled weight
  std::vector<uint64_t> sum_base_;                  // per neuron (global): its DirectSums
  std::vector<DirectSum> sums_;
  std::vector<std::vector<uint8_t>> entry_direct_;  // per core, per fan-out entry
  std::vector<std::vector<uint8_t>> has_slow_;      // per core, per neuron: some entry is not direct
  std::vector<std::vector<int64_t>> direct_src_;    // per core, per axon: its direct source (core << 16 | neuron) or -1
  std::vector<uint32_t> carry_;                     // neurons (global) that spiked in the step before the last clear
  uint64_t pending_ops_ = 0;                        // synaptic ops of direct packets, delivered next step
  std::map<uint32_t, std::vector<uint32_t>> pending_inputs_;  // step -> (core << 16 | axon)
  std::vector<OutputSpike> outputs_;
  std::vector<StepFigure> figures_;
  std::vector<uint64_t> host_in_;  // host packets per destination core since the last clear
  ChipCounterArray chip_{};
};

const BackendRegistration kRegistration("functional", [] { return std::make_unique<FunctionalBackend>(); });

}  // namespace
}  // namespace lifchip
