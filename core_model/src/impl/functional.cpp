// The functional model: the bit-accurate golden reference of docs/spec.md, without timing.
// Fast by layout: per-core structure-of-arrays state, a branch-free neuron kernel the compiler
// vectorises (AVX2 clone when the CPU has it), pending axons as bitmaps, and link counters derived
// lazily from per-fan-out-entry packet counts instead of walking every packet's route.
#include <algorithm>
#include <cstring>
#include <map>

#include "lifchip/arith.h"
#include "lifchip/backend.h"
#include "lifchip/chip_constants.h"
#include "lifchip/image.h"

namespace lifchip {
namespace {

namespace s = spec;
using arith::kTwo23;
using arith::kTwo24;

constexpr uint32_t kHostDest = 0xFFFFFFFFu;

struct KernelParams;
using KernelFn = uint32_t (*)(uint32_t, int32_t*, int32_t*, int32_t*, int32_t*, int32_t*, const int32_t*,
                              const KernelParams&, uint32_t*);

struct CoreModel {
  uint32_t x = 0, y = 0;
  uint32_t N = 0, A = 0, S = 0, F = 0;
  std::vector<pb::Profile> profiles;
  pb::SynapseGroup groups[s::SYN_GROUPS_PER_CORE];
  bool any_plastic = false;
  pb::Stdp stdp;
  uint16_t lfsr = 1;

  // Neurons: state, then parameters derived once from the profiles (spec §2.1).
  std::vector<int32_t> u, v, ref, acc, spk;
  std::vector<double> fu, fv;  // decay factor / 4096, exact in a double
  std::vector<int32_t> bias, thr, rmask, refr;
  bool uniform = false;  // every neuron uses the same profile: parameters at index 0 serve all
  KernelFn kernel = nullptr;
  std::vector<uint32_t> profile_of, fan_base, fan_count;
  std::vector<int32_t> bias_mant;

  // Axons: synapse ranges and the pending bitmaps of spec §3.
  std::vector<uint32_t> syn_base, syn_count;
  std::vector<uint64_t> cur, next;
  bool any_cur = false;

  // Synapse memory; syn_scaled caches weight scaled by its group's exponent.
  std::vector<uint16_t> syn_neuron;
  std::vector<int32_t> syn_weight, syn_scaled;
  std::vector<uint8_t> syn_group;

  // Fan-out memory; fan_dest is the destination core index or kHostDest.
  std::vector<uint32_t> fan_dest, fan_axon, fan_x, fan_y;
  std::vector<uint8_t> fan_host;
  std::vector<uint64_t> fan_sent;  // packets per entry since the last counter clear

  // STDP traces.
  std::vector<uint8_t> pre, post;

  std::vector<uint32_t> spiked;  // neurons that spiked in this step, ascending
  CoreCounterArray cnt{};
};

bool test_bit(const std::vector<uint64_t>& bits, uint32_t i) { return (bits[i >> 6] >> (i & 63)) & 1u; }

// The neuron update of spec §2.4 for a whole core, branch-free so that GCC vectorises it. Two exact
// shortcuts keep it lean: trunc0(x * f / 4096) is computed as a double product truncated by the
// conversion (|x * f| < 2^36 is exact in a double, and the conversion rounds toward zero, which is
// trunc0); and the single wrap of u is a 24-bit sign extension with -2^23 mapped to +2^23 (equal
// to spec §2.4's rule for every |u1| < 2^24 + 2^23, which always holds). Returns the spike count.
// Per-neuron parameters, or one set broadcast to every neuron of a core that uses a single
// profile (the common case after mapping; it halves the bytes streamed per neuron update).
struct KernelParams {
  const double* fu;  // decay factor / 4096 (exact in a double)
  const double* fv;
  const int32_t* thr;
  const int32_t* rmask;
  const int32_t* refr;
};

template <bool kUniform, bool kAllBiased>
__attribute__((always_inline)) inline uint32_t update_body(uint32_t n, int32_t* __restrict u, int32_t* __restrict v,
                                                           int32_t* __restrict ref, int32_t* __restrict acc,
                                                           int32_t* __restrict spk, const int32_t* __restrict bias,
                                                           const KernelParams& p, uint32_t* active_out) {
  uint32_t spikes = 0, active = 0;
  const double* __restrict fu = p.fu;
  const double* __restrict fv = p.fv;
  const int32_t* __restrict thr = p.thr;
  const int32_t* __restrict rmask = p.rmask;
  const int32_t* __restrict refr = p.refr;
  for (uint32_t i = 0; i < n; ++i) {
    const uint32_t k = kUniform ? 0 : i;
    int32_t a = acc[i];
    a = a > arith::kAInMax ? arith::kAInMax : a;
    a = a < arith::kAInMin ? arith::kAInMin : a;
    const int32_t uu = u[i], vv = v[i], rr = ref[i], b = bias[i];
    // With a non-zero bias every update is active (spec §2.4), so the test can be skipped.
    if (!kAllBiased) active += static_cast<uint32_t>((uu | vv | a | b | rr) != 0);
    const int32_t u0 = static_cast<int32_t>(static_cast<double>(uu) * fu[k]) + a * (1 << s::INPUT_SHIFT);
    int32_t u1 = static_cast<int32_t>(static_cast<uint32_t>(u0) << 8) >> 8;
    u1 = u1 == -kTwo23 ? kTwo23 : u1;
    int32_t v1 = static_cast<int32_t>(static_cast<double>(vv) * fv[k]) + u1 + b;
    v1 = v1 > arith::kVMax ? arith::kVMax : v1;
    v1 = v1 < -arith::kVMax ? -arith::kVMax : v1;
    // Selections as all-ones/zero masks: the loop must have no control flow to vectorise.
    const int32_t freem = -static_cast<int32_t>(rr == 0);
    const int32_t firem = freem & -static_cast<int32_t>(v1 > thr[k]);
    const int32_t vkeep = (freem & v1) | (~freem & vv);
    v[i] = (firem & ((v1 - thr[k]) & rmask[k])) | (~firem & vkeep);
    const int32_t rdec = rr - 1;
    ref[i] = (firem & refr[k]) | (~firem & (rdec < 0 ? 0 : rdec));
    u[i] = u1;
    acc[i] = 0;
    spk[i] = firem & 1;
    spikes += static_cast<uint32_t>(firem & 1);
  }
  *active_out = kAllBiased ? n : active;
  return spikes;
}

#define LIFCHIP_KERNEL(NAME, UNIFORM, BIASED)                                                               \
  __attribute__((target_clones("avx512f", "avx2", "default"))) uint32_t NAME(                              \
      uint32_t n, int32_t* u, int32_t* v, int32_t* ref, int32_t* acc, int32_t* spk, const int32_t* bias,      \
      const KernelParams& p, uint32_t* active_out) {                                                        \
    return update_body<UNIFORM, BIASED>(n, u, v, ref, acc, spk, bias, p, active_out);                      \
  }
LIFCHIP_KERNEL(update_kernel, false, false)
LIFCHIP_KERNEL(update_kernel_uniform, true, false)
LIFCHIP_KERNEL(update_kernel_biased, false, true)
LIFCHIP_KERNEL(update_kernel_uniform_biased, true, true)
#undef LIFCHIP_KERNEL

class FunctionalBackend final : public Backend {
 public:
  std::string name() const override { return "functional"; }

  void load(const pb::ChipImage& image) override {
    validate_sealed_image(image);
    shape_ = chip_shape(image.config());
    cores_.clear();
    core_of_.assign(shape_.num_cores(), -1);
    cores_.resize(static_cast<std::size_t>(image.cores_size()));
    for (int i = 0; i < image.cores_size(); ++i) {
      const pb::Core& c = image.cores(i);
      core_of_[shape_.core_index(c.x(), c.y())] = i;
      build_core(c, cores_[static_cast<std::size_t>(i)]);
    }
    resolve_fanout();
    learning_ = image.learning_enabled();
    timestep_ = 0;
    pending_inputs_.clear();
    outputs_.clear();
    figures_.clear();
    clear_counters();
  }

  void set_learning(bool enabled) override { learning_ = enabled; }

  void inject(const std::vector<InputSpike>& spikes) override {
    for (std::size_t i = 0; i < spikes.size(); ++i) {
      const InputSpike& sp = spikes[i];
      const std::string where = "input spike " + std::to_string(i) + " (step " + std::to_string(sp.step) + ", core (" +
                                std::to_string(sp.x) + "," + std::to_string(sp.y) + "), axon " +
                                std::to_string(sp.axon) + "): ";
      if (sp.step < timestep_)
        throw InputError(where + "step is in the past (the chip is at step " + std::to_string(timestep_) + ")");
      if (sp.x >= shape_.width || sp.y >= shape_.height)
        throw InputError(where + "core is outside the " + std::to_string(shape_.width) + "x" +
                         std::to_string(shape_.height) + " mesh");
      const int ci = core_of_[shape_.core_index(sp.x, sp.y)];
      if (ci < 0) throw InputError(where + "core is not in the image");
      if (sp.axon >= cores_[static_cast<std::size_t>(ci)].A)
        throw InputError(where + "axon >= the core's " + std::to_string(cores_[static_cast<std::size_t>(ci)].A) +
                         " axons");
    }
    for (const InputSpike& sp : spikes)
      pending_inputs_[sp.step].push_back(static_cast<uint32_t>(core_of_[shape_.core_index(sp.x, sp.y)]) << 16 | sp.axon);
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
    for (const CoreModel& c : cores_) cs.cores[shape_.core_index(c.x, c.y)] = c.cnt;
    // Link counters: walk each fan-out entry's XY route once, weighted by its packet count.
    for (const CoreModel& c : cores_) {
      for (uint32_t f = 0; f < c.F; ++f) {
        if (c.fan_sent[f] == 0) continue;
        route(cs, c.x, c.y, c.fan_host[f] != 0, c.fan_x[f], c.fan_y[f], c.fan_sent[f]);
      }
    }
    for (std::size_t ci = 0; ci < cores_.size(); ++ci) {
      if (host_in_[ci] == 0) continue;
      // A host packet enters router (0,0) through its west port, then follows XY to its core.
      route(cs, 0, 0, false, cores_[ci].x, cores_[ci].y, host_in_[ci]);
    }
    cs.chip = chip_;
    return cs;
  }

  void clear_counters() override {
    for (CoreModel& c : cores_) {
      c.cnt.fill(0);
      std::fill(c.fan_sent.begin(), c.fan_sent.end(), 0);
    }
    host_in_.assign(cores_.size(), 0);
    chip_.fill(0);
  }

  uint32_t timestep() const override { return timestep_; }

  uint32_t read_word(uint32_t x, uint32_t y, uint32_t mem, uint32_t addr) const override {
    const CoreModel& c = core_at(x, y);
    auto bad = [&](uint64_t limit) -> InputError {
      return InputError("read_word: core (" + std::to_string(x) + "," + std::to_string(y) + ") memory " +
                        std::to_string(mem) + ": address " + std::to_string(addr) + " >= " + std::to_string(limit));
    };
    switch (mem) {
      case s::MEM_PROFILE:
        if (addr >= 2 * c.profiles.size()) throw bad(2 * c.profiles.size());
        return addr % 2 == 0 ? layout::profile_word0(c.profiles[addr / 2]) : layout::profile_word1(c.profiles[addr / 2]);
      case s::MEM_GROUP:
        if (addr >= s::SYN_GROUPS_PER_CORE) throw bad(s::SYN_GROUPS_PER_CORE);
        return layout::group_word(c.groups[addr]);
      case s::MEM_NEURON_CFG:
        if (addr >= 2ull * c.N) throw bad(2ull * c.N);
        return addr % 2 == 0 ? layout::neuron_cfg_word0(c.profile_of[addr / 2], c.bias_mant[addr / 2])
                             : layout::neuron_cfg_word1(c.fan_base[addr / 2], c.fan_count[addr / 2]);
      case s::MEM_NEURON_STATE: {
        if (addr >= 3ull * c.N) throw bad(3ull * c.N);
        const uint32_t n = addr / 3;
        if (addr % 3 == 0) return layout::u_word(c.u[n]);
        if (addr % 3 == 1) return layout::v_word(c.v[n]);
        return static_cast<uint32_t>(c.ref[n]);
      }
      case s::MEM_AXON:
        if (addr >= c.A) throw bad(c.A);
        return layout::axon_word(c.syn_base[addr], c.syn_count[addr]);
      case s::MEM_SYNAPSE:
        if (addr >= c.S) throw bad(c.S);
        return layout::synapse_word(c.syn_neuron[addr], c.syn_weight[addr], c.syn_group[addr]);
      case s::MEM_FANOUT:
        if (addr >= c.F) throw bad(c.F);
        return layout::fanout_word(c.fan_host[addr] != 0, c.fan_x[addr], c.fan_y[addr], c.fan_axon[addr]);
      case s::MEM_TRACE:
        if (addr < c.A) return c.pre[addr];
        if (addr >= s::AXONS_PER_CORE_MAX && addr - s::AXONS_PER_CORE_MAX < c.N)
          return c.post[addr - s::AXONS_PER_CORE_MAX];
        throw bad(s::AXONS_PER_CORE_MAX + c.N);
      default:
        throw InputError("read_word: unknown memory id " + std::to_string(mem));
    }
  }

  std::vector<StepFigure> take_step_figures() override {
    std::vector<StepFigure> out;
    out.swap(figures_);
    return out;
  }

 private:
  const CoreModel& core_at(uint32_t x, uint32_t y) const {
    if (x >= shape_.width || y >= shape_.height || core_of_[shape_.core_index(x, y)] < 0)
      throw InputError("core (" + std::to_string(x) + "," + std::to_string(y) + ") is not in the image");
    return cores_[static_cast<std::size_t>(core_of_[shape_.core_index(x, y)])];
  }

  static void build_core(const pb::Core& pc, CoreModel& c) {
    c.x = pc.x();
    c.y = pc.y();
    c.N = static_cast<uint32_t>(pc.neuron_profile_size());
    c.A = static_cast<uint32_t>(pc.axon_syn_base_size());
    c.S = static_cast<uint32_t>(pc.syn_neuron_size());
    c.F = static_cast<uint32_t>(pc.fanout_axon_size());
    c.profiles.assign(pc.profiles().begin(), pc.profiles().end());
    for (int g = 0; g < s::SYN_GROUPS_PER_CORE; ++g) {
      if (g < pc.groups_size()) {
        c.groups[g] = pc.groups(g);
      } else {
        c.groups[g].set_w_min(-128);
        c.groups[g].set_w_max(127);
      }
      c.any_plastic = c.any_plastic || c.groups[g].plastic();
    }
    c.stdp = pc.stdp();
    c.lfsr = static_cast<uint16_t>(pc.lfsr_seed());

    const uint32_t N = c.N;
    for (auto* vec : {&c.u, &c.v, &c.ref, &c.acc, &c.spk, &c.bias, &c.thr, &c.rmask, &c.refr, &c.bias_mant})
      vec->assign(N, 0);
    c.fu.assign(N, 0.0);
    c.fv.assign(N, 0.0);
    c.profile_of.assign(pc.neuron_profile().begin(), pc.neuron_profile().end());
    c.fan_base.assign(pc.neuron_fanout_base().begin(), pc.neuron_fanout_base().end());
    c.fan_count.assign(pc.neuron_fanout_count().begin(), pc.neuron_fanout_count().end());
    for (uint32_t n = 0; n < N; ++n) {
      const int i = static_cast<int>(n);
      const pb::Profile& p = c.profiles[pc.neuron_profile(i)];
      c.u[n] = pc.neuron_u(i);
      c.v[n] = pc.neuron_v(i);
      c.bias_mant[n] = pc.neuron_bias_mant(i);
      c.fu[n] = arith::current_factor(p.du()) / double{s::DECAY_ONE};
      c.fv[n] = arith::voltage_factor(p.dv()) / double{s::DECAY_ONE};
      c.bias[n] = arith::bias_value(pc.neuron_bias_mant(i), p.bias_exp());
      c.thr[n] = arith::threshold(p.vth());
      c.rmask[n] = p.reset_mode() == pb::RESET_SUBTRACT ? -1 : 0;
      c.refr[n] = static_cast<int32_t>(p.refractory());
    }
    c.uniform = N > 0 && std::all_of(c.profile_of.begin(), c.profile_of.end(),
                                     [&](uint32_t p) { return p == c.profile_of[0]; });
    const bool biased = std::all_of(c.bias.begin(), c.bias.end(), [](int32_t b) { return b != 0; });
    c.kernel = c.uniform ? (biased ? update_kernel_uniform_biased : update_kernel_uniform)
                         : (biased ? update_kernel_biased : update_kernel);
    c.syn_base.assign(pc.axon_syn_base().begin(), pc.axon_syn_base().end());
    c.syn_count.assign(pc.axon_syn_count().begin(), pc.axon_syn_count().end());
    const std::size_t words = (c.A + 63) / 64;
    c.cur.assign(words, 0);
    c.next.assign(words, 0);
    c.syn_neuron.assign(pc.syn_neuron().begin(), pc.syn_neuron().end());
    c.syn_weight.assign(pc.syn_weight().begin(), pc.syn_weight().end());
    c.syn_group.assign(pc.syn_group().begin(), pc.syn_group().end());
    c.syn_scaled.resize(c.S);
    for (uint32_t e = 0; e < c.S; ++e)
      c.syn_scaled[e] = arith::scale_weight(c.syn_weight[e], c.groups[c.syn_group[e]].weight_exp());
    c.fan_host.assign(pc.fanout_to_host().begin(), pc.fanout_to_host().end());
    c.fan_x.assign(pc.fanout_x().begin(), pc.fanout_x().end());
    c.fan_y.assign(pc.fanout_y().begin(), pc.fanout_y().end());
    c.fan_axon.assign(pc.fanout_axon().begin(), pc.fanout_axon().end());
    c.fan_sent.assign(c.F, 0);
    c.pre.assign(c.A, 0);
    c.post.assign(N, 0);
    c.spiked.reserve(N);
  }

  void resolve_fanout() {
    for (CoreModel& c : cores_) {
      c.fan_dest.resize(c.F);
      for (uint32_t f = 0; f < c.F; ++f)
        c.fan_dest[f] = c.fan_host[f] ? kHostDest
                                      : static_cast<uint32_t>(core_of_[shape_.core_index(c.fan_x[f], c.fan_y[f])]);
    }
  }

  // Adds `count` flits along the XY route (spec §6) to the per-port link counters.
  void route(CounterSet& cs, uint32_t x, uint32_t y, bool to_host, uint32_t dx, uint32_t dy, uint64_t count) const {
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

  // A packet reaching an axon's pending bit (spec §3).
  static void arrive(CoreModel& dst, std::vector<uint64_t>& bits, uint32_t axon) {
    ++dst.cnt[s::CNT_PACKETS_RECEIVED];
    uint64_t& w = bits[axon >> 6];
    const uint64_t m = uint64_t{1} << (axon & 63);
    if (w & m) {
      ++dst.cnt[s::CNT_AXON_COLLISIONS];
    } else {
      w |= m;
    }
  }

  void step_once() {
    const uint32_t t = timestep_;
    StepFigure fig;
    fig.step = t;

    // Phase 0 INJECT.
    auto it = pending_inputs_.find(t);
    if (it != pending_inputs_.end()) {
      for (uint32_t packed : it->second) {
        const uint32_t ci = packed >> 16;
        CoreModel& dst = cores_[ci];
        ++host_in_[ci];
        ++chip_[s::CNT_CHIP_HOST_IN];
        arrive(dst, dst.cur, packed & 0xFFFF);
        dst.any_cur = true;
      }
      fig.packets += it->second.size();
      pending_inputs_.erase(it);
    }

    // Phase 1 DELIVER.
    for (CoreModel& c : cores_) {
      if (!c.any_cur) continue;
      uint64_t ops = 0, events = 0;
      int32_t* acc = c.acc.data();
      for (std::size_t w = 0; w < c.cur.size(); ++w) {
        uint64_t bits = c.cur[w];
        while (bits) {
          const uint32_t a = static_cast<uint32_t>(w * 64 + static_cast<std::size_t>(__builtin_ctzll(bits)));
          bits &= bits - 1;
          ++events;
          const uint32_t base = c.syn_base[a], end = base + c.syn_count[a];
          for (uint32_t e = base; e < end; ++e) {
            int32_t& slot = acc[c.syn_neuron[e]];
            slot = static_cast<int32_t>(static_cast<uint32_t>(slot) + static_cast<uint32_t>(c.syn_scaled[e]));
          }
          ops += end - base;
        }
      }
      c.cnt[s::CNT_AXON_EVENTS] += events;
      c.cnt[s::CNT_AXON_MEM_READS] += events;
      c.cnt[s::CNT_SYN_OPS] += ops;
      c.cnt[s::CNT_SYN_MEM_READS] += ops;
      fig.syn_ops += ops;
    }

    // Phase 2 UPDATE, with spikes sent as they are produced.
    const std::size_t first_output = outputs_.size();
    for (CoreModel& c : cores_) {
      uint32_t active = 0;
      const KernelParams kp{c.fu.data(), c.fv.data(), c.thr.data(), c.rmask.data(), c.refr.data()};
      const uint32_t spikes =
          c.kernel(c.N, c.u.data(), c.v.data(), c.ref.data(), c.acc.data(), c.spk.data(), c.bias.data(), kp, &active);
      c.cnt[s::CNT_NEURON_ACTIVE] += active;
      c.cnt[s::CNT_NEURON_IDLE] += c.N - active;
      c.cnt[s::CNT_NEURON_MEM_READS] += c.N;
      c.cnt[s::CNT_NEURON_MEM_WRITES] += active;
      c.spiked.clear();
      if (spikes == 0) continue;
      c.cnt[s::CNT_SPIKES] += spikes;
      fig.spikes += spikes;
      // Spikes are sparse: skip 8 flags at a time when all are zero.
      const int32_t* f = c.spk.data();
      for (uint32_t n0 = 0; n0 < c.N && c.spiked.size() < spikes; n0 += 8) {
        const uint32_t end8 = std::min(c.N, n0 + 8);
        int32_t any = 0;
        for (uint32_t n = n0; n < end8; ++n) any |= f[n];
        if (!any) continue;
        for (uint32_t n = n0; n < end8; ++n)
          if (f[n]) c.spiked.push_back(n);
      }
      for (uint32_t n : c.spiked) {
        const uint32_t base = c.fan_base[n], end = base + c.fan_count[n];
        for (uint32_t f = base; f < end; ++f) {
          ++c.fan_sent[f];
          const uint32_t d = c.fan_dest[f];
          if (d == kHostDest) {
            outputs_.push_back({t, c.fan_axon[f]});
            ++chip_[s::CNT_CHIP_HOST_OUT];
          } else {
            CoreModel& dst = cores_[d];
            arrive(dst, dst.next, c.fan_axon[f]);
          }
        }
        c.cnt[s::CNT_PACKETS_SENT] += end - base;
        c.cnt[s::CNT_FANOUT_MEM_READS] += end - base;
        fig.packets += end - base;
      }
    }
    std::sort(outputs_.begin() + static_cast<std::ptrdiff_t>(first_output), outputs_.end());

    // Phase 3 LEARN.
    if (learning_)
      for (CoreModel& c : cores_)
        if (c.any_plastic) learn(c);

    // Phase 4 BARRIER: next -> current.
    for (CoreModel& c : cores_) {
      c.cur.swap(c.next);
      uint64_t any = 0;
      for (uint64_t w : c.cur) any |= w;
      c.any_cur = any != 0;
      std::fill(c.next.begin(), c.next.end(), 0);
    }
    ++timestep_;
    ++chip_[s::CNT_CHIP_TIMESTEPS];
    figures_.push_back(fig);
  }

  // Spec §4.2, in its exact order.
  static void learn(CoreModel& c) {
    uint64_t traces = 0;
    for (uint32_t a = 0; a < c.A; ++a) {
      uint8_t x = c.pre[a];
      if (x != 0) {
        x = arith::trace_decay(x, c.stdp.pre_decay(), arith::lfsr_draw(c.lfsr));
        ++traces;
      }
      if (test_bit(c.cur, a)) {
        x = arith::trace_impulse(x, c.stdp.pre_impulse());
        ++traces;
      }
      c.pre[a] = x;
    }
    for (uint32_t n = 0; n < c.N; ++n) {
      uint8_t y = c.post[n];
      if (y != 0) {
        y = arith::trace_decay(y, c.stdp.post_decay(), arith::lfsr_draw(c.lfsr));
        ++traces;
      }
      if (c.spk[n]) {
        y = arith::trace_impulse(y, c.stdp.post_impulse());
        ++traces;
      }
      c.post[n] = y;
    }
    c.cnt[s::CNT_TRACE_UPDATES] += traces;
    if (!c.any_cur && c.spiked.empty()) return;

    uint64_t reads = 0, writes = 0, updates = 0;
    for (uint32_t a = 0; a < c.A; ++a) {
      const bool pre_spike = test_bit(c.cur, a);
      const uint32_t base = c.syn_base[a], end = base + c.syn_count[a];
      reads += end - base;
      for (uint32_t e = base; e < end; ++e) {
        const pb::SynapseGroup& g = c.groups[c.syn_group[e]];
        if (!g.plastic()) continue;
        const uint32_t n = c.syn_neuron[e];
        const bool post_spike = c.spk[n] != 0;
        if (!pre_spike && !post_spike) continue;
        int32_t dw = 0;
        if (post_spike) {
          dw += arith::stdp_step(c.pre[a], g.lr_pot_shift(), arith::lfsr_draw(c.lfsr));
          ++updates;
        }
        if (pre_spike) {
          dw -= arith::stdp_step(c.post[n], g.lr_dep_shift(), arith::lfsr_draw(c.lfsr));
          ++updates;
        }
        c.syn_weight[e] = arith::clamp_weight(c.syn_weight[e] + dw, g.w_min(), g.w_max());
        c.syn_scaled[e] = arith::scale_weight(c.syn_weight[e], g.weight_exp());
        ++writes;
      }
    }
    c.cnt[s::CNT_SYN_MEM_READS] += reads;
    c.cnt[s::CNT_SYN_MEM_WRITES] += writes;
    c.cnt[s::CNT_STDP_UPDATES] += updates;
  }

  ChipShape shape_;
  std::vector<CoreModel> cores_;
  std::vector<int> core_of_;  // mesh index -> cores_ index or -1
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
