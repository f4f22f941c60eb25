// The naive reference model of docs/spec.md (see reference_model.h). Each function follows one
// section of the spec in its own order and words; the arithmetic is done in plain int64 with C++'s
// truncating division (which is exactly the spec's trunc0) instead of the shared arith.h rules, so
// that a mistake in those rules shows up as a divergence.
#include "support/reference_model.h"

#include <algorithm>
#include <string>

#include "lifchip/chip_constants.h"
#include "lifchip/image.h"

namespace lifchip::test {

namespace s = spec;

namespace {

constexpr int64_t kTwo23 = int64_t{1} << 23;
constexpr int64_t kTwo24 = int64_t{1} << 24;

[[noreturn]] void input_error(const std::string& what) { throw InputError("reference backend: " + what); }

int64_t pow2(int32_t k) { return int64_t{1} << k; }

// floor(value / 2^k): an arithmetic right shift spelled out (rounds toward minus infinity).
int64_t floor_div_pow2(int64_t value, int32_t k) {
  const int64_t d = pow2(k);
  int64_t q = value / d;  // rounds toward zero
  if (value % d != 0 && value < 0) q -= 1;
  return q;
}

// §2.1 / §2.3: m << e for e >= 0, m >> -e (arithmetic) for e < 0.
int64_t scale_by_exponent(int64_t mantissa, int32_t exponent) {
  return exponent >= 0 ? mantissa * pow2(exponent) : floor_div_pow2(mantissa, -exponent);
}

std::string core_name(uint32_t x, uint32_t y) {
  return "core (" + std::to_string(x) + "," + std::to_string(y) + ")";
}

}  // namespace

void ReferenceBackend::load(const pb::ChipImage& image) {
  validate_sealed_image(image);
  const ChipShape shape = chip_shape(image.config());
  width_ = shape.width;
  height_ = shape.height;
  cores_.assign(static_cast<std::size_t>(width_) * height_, Core{});
  for (Core& c : cores_) {
    for (auto& g : c.group_msgs) {
      // Unlisted groups: weight_exp 0, not plastic; their memory word is that of the flat stream.
      g = pb::SynapseGroup();
      g.set_w_min(-128);
      g.set_w_max(127);
    }
  }
  for (const pb::Core& m : image.cores()) {
    Core& c = core_at(m.x(), m.y());
    c.in_image = true;
    for (const pb::Profile& pm : m.profiles()) {
      Profile p;
      p.du = pm.du();
      p.dv = pm.dv();
      p.vth = pm.vth();
      p.bias_exp = pm.bias_exp();
      p.subtract = pm.reset_mode() == pb::RESET_SUBTRACT;
      p.refractory = pm.refractory();
      p.readout = pm.readout();
      c.profiles.push_back(p);
      c.profile_msgs.push_back(pm);
    }
    for (int g = 0; g < m.groups_size(); ++g) {
      const pb::SynapseGroup& gm = m.groups(g);
      Group& gr = c.groups[static_cast<std::size_t>(g)];
      gr.weight_exp = gm.weight_exp();
      gr.plastic = gm.plastic();
      gr.lr_pot_shift = gm.lr_pot_shift();
      gr.lr_dep_shift = gm.lr_dep_shift();
      gr.w_min = gm.w_min();
      gr.w_max = gm.w_max();
      c.group_msgs[static_cast<std::size_t>(g)] = gm;
    }
    c.pre_decay = m.stdp().pre_decay();
    c.post_decay = m.stdp().post_decay();
    c.pre_impulse = m.stdp().pre_impulse();
    c.post_impulse = m.stdp().post_impulse();
    c.lfsr = m.lfsr_seed();
    for (int n = 0; n < m.neuron_profile_size(); ++n) {
      Neuron nr;
      nr.profile = m.neuron_profile(n);
      nr.bias_mant = m.neuron_bias_mant(n);
      nr.fanout_base = m.neuron_fanout_base(n);
      nr.fanout_count = m.neuron_fanout_count(n);
      nr.u = m.neuron_u(n);
      nr.v = m.neuron_v(n);
      c.neurons.push_back(nr);
    }
    for (int a = 0; a < m.axon_syn_base_size(); ++a) {
      Axon ax;
      ax.syn_base = m.axon_syn_base(a);
      ax.syn_count = m.axon_syn_count(a);
      c.axons.push_back(ax);
    }
    for (int e = 0; e < m.syn_neuron_size(); ++e)
      c.synapses.push_back({m.syn_neuron(e), m.syn_weight(e), m.syn_group(e)});
    for (int f = 0; f < m.fanout_axon_size(); ++f)
      c.fanouts.push_back({m.fanout_to_host(f), m.fanout_x(f), m.fanout_y(f), m.fanout_axon(f)});
  }
  learn_en_ = image.learning_enabled();
  loaded_ = true;
  timestep_ = 0;
  queued_.clear();
  outputs_.clear();
  chip_counters_ = {};
  figures_.clear();
  coverage_ = Coverage();
}

const ReferenceBackend::Core* ReferenceBackend::find_core(uint32_t x, uint32_t y) const {
  if (!loaded_ || x >= width_ || y >= height_) return nullptr;
  const Core& c = cores_[y * width_ + x];
  return c.in_image ? &c : nullptr;
}

void ReferenceBackend::inject(const std::vector<InputSpike>& spikes) {
  for (const InputSpike& sp : spikes) {
    if (!loaded_) input_error("inject before load");
    if (sp.step < timestep_)
      input_error("input spike for step " + std::to_string(sp.step) + " < current step " +
                  std::to_string(timestep_));
    const Core* c = find_core(sp.x, sp.y);
    if (c == nullptr) input_error("input spike to " + core_name(sp.x, sp.y) + ", which is not in the image");
    if (sp.axon >= c->axons.size())
      input_error("input spike to " + core_name(sp.x, sp.y) + " axon " + std::to_string(sp.axon) + " >= A " +
                  std::to_string(c->axons.size()));
  }
  queued_.insert(queued_.end(), spikes.begin(), spikes.end());
}

void ReferenceBackend::step(uint32_t n) {
  if (!loaded_) input_error("step before load");
  for (uint32_t i = 0; i < n; ++i) run_one_step();
}

// §4.4: one draw of the 16-bit Galois LFSR.
uint32_t ReferenceBackend::draw(Core& c) {
  const uint32_t lsb = c.lfsr & 1u;
  c.lfsr = c.lfsr >> 1;
  if (lsb != 0) c.lfsr = c.lfsr ^ static_cast<uint32_t>(s::LFSR_TAPS);
  return c.lfsr;
}

// §6: XY dimension-order routing, one hop at a time; each flit leaving a router through an output
// port counts on that router's LINK counter (§8). Ejection at the destination sets a pending bit (§3).
void ReferenceBackend::route(uint32_t from_x, uint32_t from_y, bool to_host, uint32_t dest_x, uint32_t dest_y,
                             uint32_t axon, bool from_host_input) {
  if (to_host) dest_x = dest_y = 0;  // a host packet is routed as if destined to (0, 0)
  uint32_t rx = from_x, ry = from_y;
  for (;;) {
    Core& router = core_at(rx, ry);
    if (dest_x > rx) {
      ++router.counters[s::CNT_LINK_EAST];
      ++rx;
    } else if (dest_x < rx) {
      ++router.counters[s::CNT_LINK_WEST];
      --rx;
    } else if (dest_y > ry) {
      ++router.counters[s::CNT_LINK_NORTH];
      ++ry;
    } else if (dest_y < ry) {
      ++router.counters[s::CNT_LINK_SOUTH];
      --ry;
    } else if (to_host) {
      // Router (0, 0): out of its west port to the host.
      ++router.counters[s::CNT_LINK_WEST];
      ++chip_counters_[s::CNT_CHIP_HOST_OUT];
      outputs_.push_back({timestep_, axon, 0});
      ++coverage_.host_outputs;
      return;
    } else {
      ++router.counters[s::CNT_LINK_LOCAL];
      ++router.counters[s::CNT_PACKETS_RECEIVED];
      Axon& ax = router.axons.at(axon);
      // Host inputs for this step set the current bit; neuron spikes set the next bit.
      bool& bit = from_host_input ? ax.pending_current : ax.pending_next;
      if (bit) {
        ++router.counters[s::CNT_AXON_COLLISIONS];
      } else {
        bit = true;
      }
      return;
    }
  }
}

void ReferenceBackend::run_one_step() {
  current_figure_ = StepFigure();
  current_figure_.step = timestep_;

  // Phase 0 INJECT: this step's host inputs in FIFO order, entering router (0, 0) from the west.
  std::vector<InputSpike> later;
  for (const InputSpike& sp : queued_) {
    if (sp.step != timestep_) {
      later.push_back(sp);
      continue;
    }
    ++chip_counters_[s::CNT_CHIP_HOST_IN];
    ++current_figure_.packets;
    route(0, 0, false, sp.x, sp.y, sp.axon, true);
  }
  queued_ = later;

  // Phase 1 DELIVER, phase 2 UPDATE, phase 3 LEARN: each a pass over every core.
  for (Core& c : cores_)
    if (c.in_image) deliver(c);
  for (uint32_t y = 0; y < height_; ++y)
    for (uint32_t x = 0; x < width_; ++x)
      if (core_at(x, y).in_image) update(core_at(x, y), x, y);
  for (Core& c : cores_) {
    if (!c.in_image) continue;
    bool any_plastic = false;
    for (const Group& g : c.groups) any_plastic = any_plastic || g.plastic;
    if (learn_en_ && any_plastic) learn(c);
  }

  // Phase 4 BARRIER: next -> current, next cleared; the step's per-step marks are forgotten.
  for (Core& c : cores_) {
    for (Axon& ax : c.axons) {
      ax.pending_current = ax.pending_next;
      ax.pending_next = false;
      ax.delivered = false;
    }
    for (Neuron& nr : c.neurons) nr.spiked = false;
  }
  ++chip_counters_[s::CNT_CHIP_TIMESTEPS];
  figures_.push_back(current_figure_);
  ++timestep_;
}

// §3 and §5 phase 1: every pending axon, in ascending order, adds its entries' scaled weights.
void ReferenceBackend::deliver(Core& c) {
  for (Neuron& nr : c.neurons) {
    nr.acc = 0;
    nr.exact_sum = 0;
  }
  for (Axon& ax : c.axons) {
    if (!ax.pending_current) continue;
    ax.pending_current = false;
    ax.delivered = true;
    ++c.counters[s::CNT_AXON_EVENTS];
    ++c.counters[s::CNT_AXON_MEM_READS];
    for (uint32_t e = ax.syn_base; e < ax.syn_base + ax.syn_count; ++e) {
      const Synapse& syn = c.synapses.at(e);
      const int64_t w = scale_by_exponent(syn.weight, c.groups.at(syn.group).weight_exp);
      Neuron& target = c.neurons.at(syn.neuron);
      target.acc = target.acc + static_cast<uint32_t>(w);  // modulo 2^32
      target.exact_sum += w;
      ++c.counters[s::CNT_SYN_OPS];
      ++c.counters[s::CNT_SYN_MEM_READS];
      ++current_figure_.syn_ops;
    }
  }
}

// §2.4 and §5 phase 2, neuron by neuron in ascending order.
void ReferenceBackend::update(Core& c, uint32_t cx, uint32_t cy) {
  for (Neuron& nr : c.neurons) {
    const Profile& p = c.profiles.at(nr.profile);
    const int64_t acc = nr.acc >= 0x80000000u ? int64_t{nr.acc} - (int64_t{1} << 32) : int64_t{nr.acc};
    if (acc != nr.exact_sum) ++coverage_.acc_wrap;
    int64_t a_in = acc;
    if (a_in > 131071) a_in = 131071;
    if (a_in < -131072) a_in = -131072;
    if (a_in != acc) ++coverage_.a_in_sat;
    nr.acc = 0;
    const int64_t bias = scale_by_exponent(nr.bias_mant, p.bias_exp);
    const int64_t thr = int64_t{p.vth} * 64;

    ++c.counters[s::CNT_NEURON_MEM_READS];
    if (nr.u == 0 && nr.v == 0 && a_in == 0 && bias == 0 && nr.ref == 0) {
      ++c.counters[s::CNT_NEURON_IDLE];
      continue;
    }
    ++c.counters[s::CNT_NEURON_ACTIVE];
    ++c.counters[s::CNT_NEURON_MEM_WRITES];

    // 1. Current, then the wrap.
    int64_t u1 = nr.u * (4096 - (int64_t{p.du} + 1)) / 4096 + a_in * 64;
    if (u1 > kTwo23) {
      u1 -= kTwo24;
      ++coverage_.u_wrap_high;
    } else if (u1 <= -kTwo23) {
      u1 += kTwo24;
      ++coverage_.u_wrap_low;
    }
    if (u1 == kTwo23) ++coverage_.u_plus_2_23;
    nr.u = u1;

    // 2. Refractory hold.
    if (nr.ref > 0) {
      nr.ref -= 1;
      ++coverage_.refractory_holds;
      continue;
    }

    // 3. Voltage, then the saturation.
    int64_t v1 = nr.v * (4096 - int64_t{p.dv}) / 4096 + nr.u + bias;
    if (v1 > kTwo23 - 1) {
      v1 = kTwo23 - 1;
      ++coverage_.v_sat_high;
    } else if (v1 < -(kTwo23 - 1)) {
      v1 = -(kTwo23 - 1);
      ++coverage_.v_sat_low;
    }
    nr.v = v1;

    // 4. Spike: reset, refractory, and one packet per fan-out entry in order. A read-out neuron
    // (spec §2.6) skips this step: it never spikes, never resets.
    if (p.readout) {
      if (nr.v > thr) ++coverage_.readout_above_threshold;
      continue;
    }
    if (nr.v > thr) {
      nr.spiked = true;
      nr.v = p.subtract ? nr.v - thr : 0;
      if (p.subtract) ++coverage_.spikes_subtract;
      nr.ref = p.refractory;
      ++c.counters[s::CNT_SPIKES];
      ++current_figure_.spikes;
      for (uint32_t f = nr.fanout_base; f < nr.fanout_base + nr.fanout_count; ++f) {
        const Fanout& fo = c.fanouts.at(f);
        ++c.counters[s::CNT_PACKETS_SENT];
        ++c.counters[s::CNT_FANOUT_MEM_READS];
        ++current_figure_.packets;
        route(cx, cy, fo.to_host, fo.x, fo.y, fo.axon, false);
      }
    }
  }
}

// §4.2, in its exact order.
void ReferenceBackend::learn(Core& c) {
  // 1. Pre-traces.
  for (Axon& ax : c.axons) {
    if (ax.pre_trace != 0) {
      const uint32_t r = draw(c);
      ax.pre_trace = (ax.pre_trace * (4096 - c.pre_decay) + (r & 4095)) / 4096;
      ++c.counters[s::CNT_TRACE_UPDATES];
    }
    if (ax.delivered) {
      uint32_t x = ax.pre_trace + c.pre_impulse;
      if (x > 255) {
        x = 255;
        ++coverage_.trace_saturations;
      }
      ax.pre_trace = x;
      ++c.counters[s::CNT_TRACE_UPDATES];
    }
  }
  // 2. Post-traces.
  for (Neuron& nr : c.neurons) {
    if (nr.post_trace != 0) {
      const uint32_t r = draw(c);
      nr.post_trace = (nr.post_trace * (4096 - c.post_decay) + (r & 4095)) / 4096;
      ++c.counters[s::CNT_TRACE_UPDATES];
    }
    if (nr.spiked) {
      uint32_t y = nr.post_trace + c.post_impulse;
      if (y > 255) {
        y = 255;
        ++coverage_.trace_saturations;
      }
      nr.post_trace = y;
      ++c.counters[s::CNT_TRACE_UPDATES];
    }
  }
  // 3. Weights, only if this core saw a pre or a post spike in this step.
  bool any_spike = false;
  for (const Axon& ax : c.axons) any_spike = any_spike || ax.delivered;
  for (const Neuron& nr : c.neurons) any_spike = any_spike || nr.spiked;
  if (!any_spike) return;
  for (const Axon& ax : c.axons) {
    for (uint32_t e = ax.syn_base; e < ax.syn_base + ax.syn_count; ++e) {
      ++c.counters[s::CNT_SYN_MEM_READS];
      Synapse& syn = c.synapses.at(e);
      const Group& g = c.groups.at(syn.group);
      const Neuron& post = c.neurons.at(syn.neuron);
      if (!g.plastic || !(post.spiked || ax.delivered)) continue;
      int64_t dw = 0;
      if (post.spiked) {
        const uint32_t r = draw(c);
        dw += (int64_t{ax.pre_trace} + (r & ((1u << g.lr_pot_shift) - 1))) /
              pow2(static_cast<int32_t>(g.lr_pot_shift));
        ++c.counters[s::CNT_STDP_UPDATES];
      }
      if (ax.delivered) {
        const uint32_t r = draw(c);
        dw -= (int64_t{post.post_trace} + (r & ((1u << g.lr_dep_shift) - 1))) /
              pow2(static_cast<int32_t>(g.lr_dep_shift));
        ++c.counters[s::CNT_STDP_UPDATES];
      }
      int64_t w = syn.weight + dw;
      if (w < g.w_min || w > g.w_max) ++coverage_.weight_clamps;
      w = std::max<int64_t>(g.w_min, std::min<int64_t>(g.w_max, w));
      syn.weight = static_cast<int32_t>(w);
      ++c.counters[s::CNT_SYN_MEM_WRITES];
    }
  }
}

std::vector<OutputSpike> ReferenceBackend::drain() {
  std::vector<OutputSpike> out;
  out.swap(outputs_);
  std::stable_sort(out.begin(), out.end());
  return out;
}

CounterSet ReferenceBackend::counters() const {
  CounterSet cs;
  cs.width = width_;
  cs.height = height_;
  for (const Core& c : cores_) {
    CoreCounterArray a{};
    for (std::size_t i = 0; i < a.size() && i < c.counters.size(); ++i) a[i] = c.counters[i];
    cs.cores.push_back(a);
  }
  for (std::size_t i = 0; i < cs.chip.size() && i < chip_counters_.size(); ++i)
    cs.chip[i] = chip_counters_[i];
  return cs;
}

void ReferenceBackend::clear_counters() {
  for (Core& c : cores_) c.counters = {};
  chip_counters_ = {};
}

uint32_t ReferenceBackend::read_word(uint32_t x, uint32_t y, uint32_t mem, uint32_t addr) const {
  const Core* c = find_core(x, y);
  if (c == nullptr) input_error("read_word: " + core_name(x, y) + " is not in the image");
  auto out_of_range = [&]() -> uint32_t {
    input_error("read_word: " + core_name(x, y) + " memory " + std::to_string(mem) + " address " +
                std::to_string(addr) + " is out of range");
  };
  const std::size_t P = c->profiles.size(), N = c->neurons.size(), A = c->axons.size(),
                    S = c->synapses.size(), F = c->fanouts.size();
  switch (mem) {
    case s::MEM_PROFILE:
      if (addr >= 2 * P) return out_of_range();
      return addr % 2 == 0 ? layout::profile_word0(c->profile_msgs[addr / 2])
                           : layout::profile_word1(c->profile_msgs[addr / 2]);
    case s::MEM_GROUP:
      if (addr >= c->group_msgs.size()) return out_of_range();
      return layout::group_word(c->group_msgs[addr]);
    case s::MEM_NEURON_CFG: {
      if (addr >= 2 * N) return out_of_range();
      const Neuron& nr = c->neurons[addr / 2];
      return addr % 2 == 0 ? layout::neuron_cfg_word0(nr.profile, nr.bias_mant)
                           : layout::neuron_cfg_word1(nr.fanout_base, nr.fanout_count);
    }
    case s::MEM_NEURON_STATE: {
      if (addr >= 3 * N) return out_of_range();
      const Neuron& nr = c->neurons[addr / 3];
      if (addr % 3 == 0) return layout::u_word(static_cast<int32_t>(nr.u));
      if (addr % 3 == 1) return layout::v_word(static_cast<int32_t>(nr.v));
      return nr.ref;
    }
    case s::MEM_VOLTAGE:
      if (addr >= N) return out_of_range();
      return layout::v_word(static_cast<int32_t>(c->neurons[addr].v));
    case s::MEM_AXON:
      if (addr >= A) return out_of_range();
      return layout::axon_word(c->axons[addr].syn_base, c->axons[addr].syn_count);
    case s::MEM_SYNAPSE: {
      if (addr >= S) return out_of_range();
      const Synapse& syn = c->synapses[addr];
      return layout::synapse_word(syn.neuron, syn.weight, syn.group);
    }
    case s::MEM_FANOUT: {
      if (addr >= F) return out_of_range();
      const Fanout& fo = c->fanouts[addr];
      return layout::fanout_word(fo.to_host, fo.x, fo.y, fo.axon);
    }
    case s::MEM_TRACE: {
      if (addr < A) return c->axons[addr].pre_trace;
      const uint32_t post0 = static_cast<uint32_t>(s::AXONS_PER_CORE_MAX);
      if (addr >= post0 && addr - post0 < N) return c->neurons[addr - post0].post_trace;
      return out_of_range();
    }
    default:
      input_error("read_word: memory id " + std::to_string(mem) + " does not exist");
  }
}

std::vector<StepFigure> ReferenceBackend::take_step_figures() {
  std::vector<StepFigure> out;
  out.swap(figures_);
  return out;
}

}  // namespace lifchip::test
