// The per-core datapath (see core_datapath.h): delivery, the vectorised neuron update, learning and
// the memory read window, written once and shared by every C++ chip model.
#include "core_datapath.h"

#include <algorithm>

#include "lifchip/arith.h"

namespace lifchip::detail {

namespace s = spec;
using arith::kTwo23;
using arith::kTwo24;

// Per-neuron parameters, or one set broadcast to every neuron of a core whose neurons share a
// profile and a bias (common after mapping; it cuts the bytes streamed per neuron update).
struct KernelParams {
  const double* fu;  // decay factor / 4096 (exact in a double)
  const double* fv;
  const int32_t* bias;
  const int32_t* thr;
  const int32_t* rmask;
  const int32_t* refr;
};

namespace {

template <bool kUniform, bool kAllBiased>
__attribute__((always_inline)) inline uint32_t update_body(uint32_t n, int32_t* __restrict u,
                                                           int32_t* __restrict v, int32_t* __restrict ref,
                                                           int32_t* __restrict acc, const KernelParams& p,
                                                           uint32_t* active_out) {
  uint32_t spikes = 0, active = 0;
  const int32_t* __restrict bias = p.bias;
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
    const int32_t uu = u[i], vv = v[i], rr = ref[i] & CoreDatapath::kRefMask, b = bias[k];
    // With a non-zero bias every update is active (spec §2.4), so the test can be skipped.
    if (!kAllBiased) active += static_cast<uint32_t>((uu | vv | a | b | rr) != 0);
    // trunc0 through doubles: the product is exact, and the truncating conversion rounds toward
    // zero. (A 32-bit integer form, arith::decay_trunc0_32, was measured: 1.7x the instructions
    // under callgrind and slower in BM_CoreUpdateStep, so the doubles stay.)
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
    ref[i] = (firem & (refr[k] | CoreDatapath::kFired)) | (~firem & (rdec < 0 ? 0 : rdec));
    u[i] = u1;
    acc[i] = 0;
    spikes += static_cast<uint32_t>(firem & 1);
  }
  *active_out = kAllBiased ? n : active;
  return spikes;
}

#define LIFCHIP_KERNEL(NAME, UNIFORM, BIASED)                                                \
  __attribute__((target_clones("avx512f", "avx2", "default"))) uint32_t NAME(                \
      uint32_t n, int32_t* u, int32_t* v, int32_t* ref, int32_t* acc, const KernelParams& p, \
      uint32_t* active) {                                                                    \
    return update_body<UNIFORM, BIASED>(n, u, v, ref, acc, p, active);                       \
  }
LIFCHIP_KERNEL(update_kernel, false, false)
LIFCHIP_KERNEL(update_kernel_uniform, true, false)
LIFCHIP_KERNEL(update_kernel_biased, false, true)
LIFCHIP_KERNEL(update_kernel_uniform_biased, true, true)
#undef LIFCHIP_KERNEL

}  // namespace

void CoreDatapath::build(const pb::Core& pc) {
  *this = CoreDatapath{};  // a core may be rebuilt (the SystemC chip is reused across loads)
  CoreDatapath& c = *this;
  c.x = pc.x();
  c.y = pc.y();
  c.N = static_cast<uint32_t>(pc.neuron_profile_size());
  c.A = static_cast<uint32_t>(pc.axon_syn_base_size());
  c.S = static_cast<uint32_t>(pc.syn_neuron_size());
  c.F = static_cast<uint32_t>(pc.fanout_axon_size());
  c.profiles.assign(pc.profiles().begin(), pc.profiles().end());
  for (int g = 0; g < s::SYN_GROUPS_PER_CORE; ++g) {
    c.groups[g] = g < pc.groups_size() ? pc.groups(g) : default_group();
    c.any_plastic = c.any_plastic || c.groups[g].plastic();
  }
  c.stdp = pc.stdp();
  c.lfsr = static_cast<uint16_t>(pc.lfsr_seed());

  const uint32_t N = c.N;
  for (auto* vec : {&c.u, &c.v, &c.ref, &c.acc, &c.bias, &c.thr, &c.rmask, &c.refr, &c.bias_mant})
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
    // A read-out neuron (spec §2.6) never spikes: v <= 2^23 - 1 is never above this threshold, so
    // the one update kernel serves both kinds (and ref stays 0: it never starts a hold).
    c.thr[n] = arith::compare_threshold(p.vth(), p.readout());
    c.rmask[n] = p.reset_mode() == pb::RESET_SUBTRACT ? -1 : 0;
    c.refr[n] = static_cast<int32_t>(p.refractory());
  }
  c.uniform = N > 0 &&
              std::all_of(c.profile_of.begin(), c.profile_of.end(),
                          [&](uint32_t p) { return p == c.profile_of[0]; }) &&
              std::all_of(c.bias.begin(), c.bias.end(), [&](int32_t b) { return b == c.bias[0]; });
  const bool biased = std::all_of(c.bias.begin(), c.bias.end(), [](int32_t b) { return b != 0; });
  c.kernel = c.uniform ? (biased ? update_kernel_uniform_biased : update_kernel_uniform)
                       : (biased ? update_kernel_biased : update_kernel);
  c.syn_base.assign(pc.axon_syn_base().begin(), pc.axon_syn_base().end());
  c.syn_count.assign(pc.axon_syn_count().begin(), pc.axon_syn_count().end());
  c.axon_range.resize(c.A);
  for (uint32_t a = 0; a < c.A; ++a) c.axon_range[a] = c.syn_base[a] | c.syn_count[a] << 16;
  c.cur_list.clear();
  c.next_list.clear();
  c.cur_list.reserve(c.A);
  c.next_list.reserve(c.A);
  c.any_cur = false;
  c.range_total = 0;
  for (uint32_t n : c.syn_count) c.range_total += n;
  const std::size_t words = (c.A + 63) / 64;
  c.cur.assign(words, 0);
  c.next.assign(words, 0);
  c.syn_neuron.assign(pc.syn_neuron().begin(), pc.syn_neuron().end());
  c.syn_weight.assign(pc.syn_weight().begin(), pc.syn_weight().end());
  c.syn_group.assign(pc.syn_group().begin(), pc.syn_group().end());
  c.syn_packed.resize(c.S);
  for (uint32_t e = 0; e < c.S; ++e)
    c.set_scaled(e, arith::scale_weight(c.syn_weight[e], c.groups[c.syn_group[e]].weight_exp()));
  c.fan_host.assign(pc.fanout_to_host().begin(), pc.fanout_to_host().end());
  c.fan_x.assign(pc.fanout_x().begin(), pc.fanout_x().end());
  c.fan_y.assign(pc.fanout_y().begin(), pc.fanout_y().end());
  c.fan_axon.assign(pc.fanout_axon().begin(), pc.fanout_axon().end());
  c.pre.assign(c.A, 0);
  c.post.assign(N, 0);
  c.spiked.reserve(N);
}

void CoreDatapath::arrive(bool current, uint32_t axon) {
  ++cnt[s::CNT_PACKETS_RECEIVED];
  uint64_t& w = (current ? cur : next)[axon >> 6];
  const uint64_t m = uint64_t{1} << (axon & 63);
  if (w & m) {
    ++cnt[s::CNT_AXON_COLLISIONS];
  } else {
    w |= m;
    (current ? cur_list : next_list).push_back(axon);
    // Its synapse row is read in the next delivery phase: start fetching it now.
    // (Only inside the memory: a core may have no synapse entries, and &v[i] of an empty vector is UB.)
    if (const uint32_t e = axon_range[axon] & 0xFFFFu; e < syn_packed.size())
      __builtin_prefetch(&syn_packed[e]);
    any_cur = any_cur || current;
  }
}

DeliverResult CoreDatapath::deliver(int32_t* a_acc) {
  DeliverResult r;
  const std::size_t n = cur_list.size();
  if (n == 0) return r;
  const uint32_t* list = cur_list.data();
  const uint32_t* range = axon_range.data();
  const int32_t* packed = syn_packed.data();
  constexpr uint32_t kNeuronMask = (1u << s::NEURON_INDEX_BITS) - 1;
  // Delivered axons and their synapse rows are scattered through memory (an axon per source
  // neuron per core); prefetching a few axons ahead overlaps those misses.
  constexpr std::size_t kAhead = 8;
  for (std::size_t i = 0; i < n; ++i) {
    if (i + 2 * kAhead < n) __builtin_prefetch(&range[list[i + 2 * kAhead]]);
    if (i + kAhead < n) __builtin_prefetch(&packed[range[list[i + kAhead]] & 0xFFFFu]);
    const uint32_t ar = range[list[i]];
    const uint32_t base = ar & 0xFFFFu, end = base + (ar >> 16);
    for (uint32_t e = base; e < end; ++e) {
      const int32_t p = packed[e];
      int32_t& slot = a_acc[static_cast<uint32_t>(p) & kNeuronMask];  // 32-bit wrapping sum (spec §2.3)
      slot = static_cast<int32_t>(static_cast<uint32_t>(slot) +
                                  static_cast<uint32_t>(p >> s::NEURON_INDEX_BITS));
    }
    r.ops += end - base;
  }
  r.events = n;
  cnt[s::CNT_AXON_EVENTS] += r.events;
  cnt[s::CNT_AXON_MEM_READS] += r.events;
  cnt[s::CNT_SYN_OPS] += r.ops;
  cnt[s::CNT_SYN_MEM_READS] += r.ops;
  return r;
}

uint32_t CoreDatapath::update(int32_t* acc_in) {
  uint32_t active = 0;
  const KernelParams kp{fu.data(), fv.data(), bias.data(), thr.data(), rmask.data(), refr.data()};
  const uint32_t spikes = kernel(N, u.data(), v.data(), ref.data(), acc_in, kp, &active);
  cnt[s::CNT_NEURON_ACTIVE] += active;
  cnt[s::CNT_NEURON_IDLE] += N - active;
  cnt[s::CNT_NEURON_MEM_READS] += N;
  cnt[s::CNT_NEURON_MEM_WRITES] += active;
  cnt[s::CNT_SPIKES] += spikes;
  spiked.clear();
  // Spikes are sparse: skip 8 flags at a time when all are zero, and stop after the last one.
  const int32_t* f = ref.data();
  for (uint32_t n0 = 0; n0 < N && spiked.size() < spikes; n0 += 8) {
    const uint32_t end8 = std::min(N, n0 + 8);
    int32_t any = 0;
    for (uint32_t n = n0; n < end8; ++n) any |= f[n];
    if (!(any & kFired)) continue;
    for (uint32_t n = n0; n < end8; ++n)
      if (f[n] & kFired) spiked.push_back(n);
  }
  return spikes;
}

// Spec §4.2, in its exact order.
void CoreDatapath::learn() {
  CoreDatapath& c = *this;
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
    if (c.fired(n)) {
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
      const bool post_spike = c.fired(n);
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
      c.set_scaled(e, arith::scale_weight(c.syn_weight[e], g.weight_exp()));
      ++writes;
    }
  }
  c.cnt[s::CNT_SYN_MEM_READS] += reads;
  c.cnt[s::CNT_SYN_MEM_WRITES] += writes;
  c.cnt[s::CNT_STDP_UPDATES] += updates;
}

void CoreDatapath::end_step() {
  for (uint32_t a : cur_list) cur[a >> 6] = 0;  // clears every set bit: only listed axons have one
  cur_list.clear();
  cur.swap(next);
  cur_list.swap(next_list);
  any_cur = !cur_list.empty();
}

uint32_t CoreDatapath::read_word(uint32_t mem, uint32_t addr) const {
  const CoreDatapath& c = *this;
  auto bad = [&](uint64_t limit) -> InputError {
    return InputError("read_word: core (" + std::to_string(x) + "," + std::to_string(y) + ") memory " +
                      std::to_string(mem) + ": address " + std::to_string(addr) +
                      " >= " + std::to_string(limit));
  };
  switch (mem) {
    case s::MEM_PROFILE:
      if (addr >= 2 * c.profiles.size()) throw bad(2 * c.profiles.size());
      return addr % 2 == 0 ? layout::profile_word0(c.profiles[addr / 2])
                           : layout::profile_word1(c.profiles[addr / 2]);
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
      return static_cast<uint32_t>(c.ref[n] & kRefMask);
    }
    case s::MEM_VOLTAGE:
      if (addr >= c.N) throw bad(c.N);
      return layout::v_word(c.v[addr]);
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
      throw InputError("read_word: core (" + std::to_string(x) + "," + std::to_string(y) + ") memory " +
                       std::to_string(mem) + ": address " + std::to_string(addr) +
                       " is neither a pre-trace [0, " + std::to_string(c.A) + ") nor a post-trace [4096, " +
                       std::to_string(s::AXONS_PER_CORE_MAX + c.N) + ")");
    default:
      throw InputError("read_word: unknown memory id " + std::to_string(mem));
  }
}

}  // namespace lifchip::detail
