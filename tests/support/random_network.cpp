// The seeded random-network generator (see random_network.h). Every draw goes through Rng so that a
// seed reproduces the same image with any standard library.
#include "support/random_network.h"

#include <algorithm>
#include <stdexcept>

#include "lifchip/chip_constants.h"

namespace lifchip::test {

namespace s = spec;

int64_t Rng::range(int64_t lo, int64_t hi) {
  if (hi <= lo) return lo;
  const uint64_t span = static_cast<uint64_t>(hi - lo) + 1;
  return lo + static_cast<int64_t>(next() % span);
}

bool Rng::chance(double p) {
  const double u = static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0);  // [0, 1)
  return u < p;
}

// ---- Presets ----

RandomNetOptions RandomNetOptions::small(uint64_t seed) {
  RandomNetOptions o;
  o.preset = "small";
  o.seed = seed;
  o.plastic = seed % 4 == 0;
  o.learning = true;
  return o;
}

RandomNetOptions RandomNetOptions::recurrent(uint64_t seed) {
  RandomNetOptions o;
  o.preset = "recurrent";
  o.seed = seed;
  o.width_max = 4;
  o.height_max = 4;
  o.neurons_min = 8;
  o.neurons_max = 64;
  o.axons_min = 4;
  o.axons_max = 48;
  o.synapses_per_axon_max = 10;
  o.fanout_per_neuron_min = 1;
  o.fanout_per_neuron_max = 4;
  o.recurrence = true;
  o.steps = 40;
  o.input_rate = 0.1;
  return o;
}

RandomNetOptions RandomNetOptions::plastic_net(uint64_t seed) {
  RandomNetOptions o;
  o.preset = "plastic";
  o.seed = seed;
  o.width_max = 2;
  o.height_max = 2;
  o.neurons_min = 4;
  o.neurons_max = 32;
  o.axons_min = 4;
  o.axons_max = 32;
  o.synapses_per_axon_min = 1;
  o.synapses_per_axon_max = 8;
  o.plastic = true;
  o.learning = seed % 8 != 7;  // one seed in eight: plastic groups with learning disabled
  o.recurrence = seed % 2 == 0;
  o.steps = 40;
  o.input_rate = 0.3;
  return o;
}

RandomNetOptions RandomNetOptions::edge_net(uint64_t seed) {
  RandomNetOptions o;
  o.preset = "edge";
  o.seed = seed;
  o.width_max = 2;
  o.height_max = 2;
  o.neurons_min = 1;
  o.neurons_max = 16;
  o.axons_min = 1;
  o.axons_max = 16;
  o.profiles_max = 16;
  o.synapses_per_axon_min = 1;
  o.synapses_per_axon_max = 16;
  o.overlap = 0.25;
  o.wide_mesh = 0.2;
  o.edge = true;
  o.plastic = seed % 2 == 1;
  o.learning = true;
  o.steps = 24;
  o.input_rate = 0.5;
  return o;
}

RandomNetOptions RandomNetOptions::congest_net(uint64_t seed) {
  RandomNetOptions o;
  o.preset = "congest";
  o.seed = seed;
  o.width_min = 2;
  o.width_max = 4;
  o.height_min = 2;
  o.height_max = 4;
  o.core_presence = 1.0;
  o.empty_core = 0;
  o.neurons_min = 8;
  o.neurons_max = 32;
  o.axons_min = 2;
  o.axons_max = 16;
  o.fanout_per_neuron_min = 2;
  o.fanout_per_neuron_max = 12;
  o.host_output = 0.05;
  o.congest = true;
  o.steps = 16;
  o.input_rate = 0.3;
  return o;
}

RandomNetOptions RandomNetOptions::readout_net(uint64_t seed) {
  RandomNetOptions o = recurrent(seed);
  o.preset = "readout";
  o.width_max = 3;
  o.height_max = 3;
  o.neurons_max = 40;
  o.readout = 0.4;
  o.plastic = seed % 3 == 0;  // read-out neurons never post-spike: learning must see that
  o.learning = true;
  o.input_rate = 0.25;
  return o;
}

RandomNetOptions RandomNetOptions::largest_default_chip(uint64_t seed) {
  RandomNetOptions o;
  o.preset = "largest";
  o.seed = seed;
  o.width_min = o.width_max = s::MESH_WIDTH_DEFAULT;
  o.height_min = o.height_max = s::MESH_HEIGHT_DEFAULT;
  o.core_presence = 1.0;
  o.empty_core = 0;
  o.default_capacities = true;
  o.fill_capacity = true;
  o.profiles_min = o.profiles_max = s::PROFILES_PER_CORE_DEFAULT;
  o.host_output = 0.02;
  o.steps = 8;
  o.input_rate = 0.05;
  return o;
}

const std::vector<std::string>& preset_names() {
  static const std::vector<std::string> names = {"small", "recurrent", "plastic",
                                                 "edge",  "congest",   "largest", "readout"};
  return names;
}

RandomNetOptions preset(const std::string& name, uint64_t seed) {
  if (name == "small") return RandomNetOptions::small(seed);
  if (name == "recurrent") return RandomNetOptions::recurrent(seed);
  if (name == "plastic") return RandomNetOptions::plastic_net(seed);
  if (name == "edge") return RandomNetOptions::edge_net(seed);
  if (name == "congest") return RandomNetOptions::congest_net(seed);
  if (name == "largest") return RandomNetOptions::largest_default_chip(seed);
  if (name == "readout") return RandomNetOptions::readout_net(seed);
  throw std::invalid_argument("unknown random-network preset '" + name + "'");
}

// ---- The generator ----

namespace {

constexpr int32_t kTwo23 = int32_t{1} << 23;

struct Limits {
  uint32_t neurons, axons, synapses, fanout, profiles;
};

class Generator {
 public:
  explicit Generator(const RandomNetOptions& o) : o_(o), rng_(o.seed * 0x9E3779B97F4A7C15ull + 0x5EEDull) {}

  pb::ChipImage run() {
    pb::ChipImage img;
    img.set_name(o_.preset + "-" + std::to_string(o_.seed));
    img.set_format_version(static_cast<uint32_t>(s::IMAGE_FORMAT_VERSION));
    width_ = rng_.urange(std::max(1u, o_.width_min), std::min<uint32_t>(o_.width_max, s::MESH_DIM_MAX));
    height_ = rng_.urange(std::max(1u, o_.height_min), std::min<uint32_t>(o_.height_max, s::MESH_DIM_MAX));
    double presence = o_.core_presence;
    const bool wide = !o_.default_capacities && rng_.chance(o_.wide_mesh);
    if (wide) {
      width_ = rng_.chance(0.5) ? s::MESH_DIM_MAX : rng_.urange(1, s::MESH_DIM_MAX);
      height_ = rng_.chance(0.5) ? s::MESH_DIM_MAX : rng_.urange(1, s::MESH_DIM_MAX);
      presence = std::min(1.0, 4.0 / (width_ * height_));
    }
    lim_ = o_.default_capacities
               ? Limits{s::NEURONS_PER_CORE_DEFAULT, s::AXONS_PER_CORE_DEFAULT, s::SYNAPSES_PER_CORE_DEFAULT,
                        s::FANOUT_PER_CORE_DEFAULT, s::PROFILES_PER_CORE_DEFAULT}
               : Limits{s::NEURONS_PER_CORE_MAX, s::AXONS_PER_CORE_MAX, s::SYNAPSES_PER_CORE_MAX,
                        s::FANOUT_PER_CORE_MAX, s::PROFILES_PER_CORE_MAX};

    // Which cores are in the image (y-major: the feed-forward order).
    for (uint32_t y = 0; y < height_; ++y)
      for (uint32_t x = 0; x < width_; ++x)
        if (rng_.chance(presence) || (wide && x + 1 == width_ && y + 1 == height_ && rng_.chance(0.5)))
          coords_.push_back({x, y});
    if (coords_.empty()) coords_.push_back({rng_.index(width_), rng_.index(height_)});
    if (o_.congest) target_ = rng_.index(static_cast<uint32_t>(coords_.size()));
    if (o_.edge && !o_.default_capacities && rng_.chance(0.25))
      acc_wrap_core_ = static_cast<int>(rng_.index(static_cast<uint32_t>(coords_.size())));

    cores_.resize(coords_.size());
    for (std::size_t i = 0; i < coords_.size(); ++i) make_core(static_cast<int>(i));
    for (std::size_t i = 0; i < coords_.size(); ++i) make_fanout(static_cast<int>(i));

    img.set_learning_enabled(o_.plastic ? o_.learning : rng_.chance(0.2));
    set_config(img.mutable_config());

    std::vector<int> order(coords_.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
    if (o_.shuffle_core_order && rng_.chance(0.3)) {
      for (std::size_t i = order.size(); i > 1; --i)
        std::swap(order[i - 1], order[rng_.index(static_cast<uint32_t>(i))]);
    }
    for (int i : order) *img.add_cores() = cores_[static_cast<std::size_t>(i)];
    seal_image(img);
    return img;
  }

 private:
  struct Coord {
    uint32_t x, y;
  };

  uint32_t draw_count(uint32_t lo, uint32_t hi, uint32_t cap) {
    return std::min(rng_.urange(lo, std::max(lo, hi)), cap);
  }

  void make_profile(pb::Profile* p) {
    if (o_.edge) {
      const uint32_t du[] = {0, 4095, 4095, 1, rng_.urange(0, 4095)};
      const uint32_t dv[] = {0, 0, 4095, rng_.urange(0, 4095)};
      const uint32_t vth[] = {0, 131071, 1, rng_.urange(0, 131071), rng_.urange(0, 200)};
      const int32_t bexp[] = {7, 7, -8, 0, static_cast<int32_t>(rng_.range(-8, 7))};
      const uint32_t refr[] = {0, 0, 63, 1, rng_.urange(0, 63)};
      p->set_du(du[rng_.index(5)]);
      p->set_dv(dv[rng_.index(4)]);
      p->set_vth(vth[rng_.index(5)]);
      p->set_bias_exp(bexp[rng_.index(5)]);
      p->set_reset_mode(rng_.chance(0.5) ? pb::RESET_SUBTRACT : pb::RESET_ZERO);
      p->set_refractory(refr[rng_.index(5)]);
      return;
    }
    switch (rng_.index(4)) {
      case 0:
        p->set_du(rng_.urange(0, 4095));
        break;
      case 1:
        p->set_du(4095);
        break;
      default:
        p->set_du(rng_.urange(0, 400));
        break;
    }
    switch (rng_.index(4)) {
      case 0:
        p->set_dv(rng_.urange(0, 4095));
        break;
      case 1:
        p->set_dv(0);
        break;
      default:
        p->set_dv(rng_.urange(0, 400));
        break;
    }
    p->set_vth(rng_.chance(0.05) ? rng_.urange(0, 131071) : rng_.urange(0, 400));
    if (o_.profile_variety) {
      p->set_bias_exp(static_cast<int32_t>(rng_.range(-8, 7)));
      p->set_reset_mode(rng_.chance(0.4) ? pb::RESET_SUBTRACT : pb::RESET_ZERO);
      p->set_refractory(rng_.chance(0.3) ? rng_.urange(1, rng_.chance(0.2) ? 63 : 4) : 0);
    }
  }

  void make_group(pb::SynapseGroup* g, int index) {
    if (o_.edge) {
      const int32_t wexp[] = {7, 7, -8, 0, static_cast<int32_t>(rng_.range(-8, 7))};
      g->set_weight_exp(wexp[rng_.index(5)]);
    } else {
      g->set_weight_exp(static_cast<int32_t>(rng_.chance(0.8) ? rng_.range(0, 4) : rng_.range(-8, 7)));
    }
    if (o_.plastic && (index == 0 || rng_.chance(0.7))) {
      g->set_plastic(true);
      const bool extreme = o_.edge && rng_.chance(0.5);
      g->set_lr_pot_shift(extreme ? (rng_.chance(0.5) ? 0u : 15u)
                                  : rng_.urange(0, rng_.chance(0.8) ? 5 : 15));
      g->set_lr_dep_shift(extreme ? (rng_.chance(0.5) ? 0u : 15u)
                                  : rng_.urange(0, rng_.chance(0.8) ? 5 : 15));
    } else if (rng_.chance(0.3)) {
      // Learning settings on a static group must have no effect.
      g->set_lr_pot_shift(rng_.urange(0, 15));
      g->set_lr_dep_shift(rng_.urange(0, 15));
    }
    if (rng_.chance(0.5)) {
      g->set_w_min(-128);
      g->set_w_max(127);
    } else {
      int32_t a = static_cast<int32_t>(rng_.range(-128, 127)),
              b = static_cast<int32_t>(rng_.range(-128, 127));
      if (a > b) std::swap(a, b);
      g->set_w_min(a);
      g->set_w_max(b);
    }
  }

  int32_t draw_u() {
    if (o_.edge) {
      switch (rng_.index(7)) {
        case 0:
          return kTwo23;
        case 1:
          return -kTwo23 + 1;
        case 2:
          return kTwo23 - static_cast<int32_t>(rng_.range(0, 5000));
        case 3:
          return -kTwo23 + 1 + static_cast<int32_t>(rng_.range(0, 5000));
        case 4:
          return static_cast<int32_t>(rng_.range(-kTwo23 + 1, kTwo23));
        default:
          return 0;
      }
    }
    if (rng_.chance(0.75)) return 0;
    return static_cast<int32_t>(rng_.chance(0.9) ? rng_.range(-20000, 20000)
                                                 : rng_.range(-kTwo23 + 1, kTwo23));
  }

  int32_t draw_v() {
    if (o_.edge) {
      switch (rng_.index(6)) {
        case 0:
          return kTwo23 - 1;
        case 1:
          return -kTwo23 + 1;
        case 2:
          return kTwo23 - 1 - static_cast<int32_t>(rng_.range(0, 5000));
        case 3:
          return static_cast<int32_t>(rng_.range(-kTwo23 + 1, kTwo23 - 1));
        default:
          return 0;
      }
    }
    if (rng_.chance(0.75)) return 0;
    return static_cast<int32_t>(rng_.chance(0.9) ? rng_.range(-20000, 20000)
                                                 : rng_.range(-kTwo23 + 1, kTwo23 - 1));
  }

  int32_t draw_bias_mant() {
    if (o_.edge) {
      const int32_t b[] = {4095, -4096, 0, 0, static_cast<int32_t>(rng_.range(-4096, 4095))};
      return b[rng_.index(5)];
    }
    if (rng_.chance(0.6)) return 0;
    return static_cast<int32_t>(rng_.chance(0.9) ? rng_.range(-100, 300) : rng_.range(-4096, 4095));
  }

  int32_t draw_weight() {
    if (o_.edge) {
      const int32_t w[] = {127, 127, -128, -128, static_cast<int32_t>(rng_.range(-128, 127))};
      return w[rng_.index(5)];
    }
    // Mostly excitatory so that activity spreads.
    return static_cast<int32_t>(rng_.chance(0.7) ? rng_.range(0, 127) : rng_.range(-128, 127));
  }

  void add_synapse(pb::Core& c, uint32_t neuron, uint32_t groups_listed) {
    c.add_syn_neuron(neuron);
    c.add_syn_weight(draw_weight());
    // Mostly listed groups (plastic ones among them); sometimes an unlisted default group.
    const bool listed = groups_listed > 0 && rng_.chance(0.85);
    c.add_syn_group(listed ? rng_.index(groups_listed) : rng_.urange(0, s::SYN_GROUPS_PER_CORE - 1));
  }

  void make_core(int ci) {
    pb::Core& c = cores_[static_cast<std::size_t>(ci)];
    c.set_x(coords_[static_cast<std::size_t>(ci)].x);
    c.set_y(coords_[static_cast<std::size_t>(ci)].y);
    c.set_lfsr_seed(o_.edge && rng_.chance(0.3) ? (rng_.chance(0.5) ? 1u : 65535u) : rng_.urange(1, 65535));

    uint32_t N = draw_count(o_.neurons_min, o_.neurons_max, lim_.neurons);
    uint32_t A = draw_count(o_.axons_min, o_.axons_max, lim_.axons);
    if (o_.fill_capacity) {
      N = lim_.neurons;
      A = lim_.axons;
    }
    if (rng_.chance(o_.empty_core)) (rng_.chance(0.5) ? N : A) = 0;
    if (o_.congest && ci == target_) A = rng_.urange(1, 4);
    uint32_t P = N == 0 && rng_.chance(0.5)
                     ? 0
                     : draw_count(std::max(1u, o_.profiles_min), o_.profiles_max, lim_.profiles);

    for (uint32_t p = 0; p < P; ++p) {
      pb::Profile* pr = c.add_profiles();
      make_profile(pr);
      if (o_.readout > 0 && rng_.chance(o_.readout)) {
        pr->set_readout(true);
        pr->set_vth(rng_.urange(0, 40));  // v often far above the threshold it ignores
      }
    }
    const uint32_t G = o_.plastic ? rng_.urange(1, 8) : rng_.urange(0, 8);
    for (uint32_t g = 0; g < G; ++g) make_group(c.add_groups(), static_cast<int>(g));
    if (o_.plastic || rng_.chance(0.5)) {
      pb::Stdp* st = c.mutable_stdp();
      if (o_.edge) {
        const uint32_t d[] = {0, 4095, rng_.urange(0, 4095)};
        st->set_pre_decay(d[rng_.index(3)]);
        st->set_post_decay(d[rng_.index(3)]);
        const uint32_t imp[] = {255, 255, 0, rng_.urange(0, 255)};
        st->set_pre_impulse(imp[rng_.index(4)]);
        st->set_post_impulse(imp[rng_.index(4)]);
      } else {
        st->set_pre_decay(rng_.chance(0.1) ? 0 : rng_.urange(0, 1500));
        st->set_post_decay(rng_.chance(0.1) ? 0 : rng_.urange(0, 1500));
        // Impulse 0 sometimes: a spike then leaves the trace as it is, yet is still an impulse event.
        st->set_pre_impulse(rng_.chance(0.1) ? 0 : rng_.urange(0, 255));
        st->set_post_impulse(rng_.chance(0.1) ? 0 : rng_.urange(0, 255));
      }
    }

    for (uint32_t n = 0; n < N; ++n) {
      c.add_neuron_profile(rng_.index(P));
      c.add_neuron_bias_mant(draw_bias_mant());
      c.add_neuron_u(draw_u());
      c.add_neuron_v(draw_v());
    }

    if (ci == acc_wrap_core_ && N > 0 && A > 0) {
      make_acc_wrap_synapses(c, A);
      return;
    }
    // Synapse memory, axon by axon.
    const uint32_t hot = std::max(1u, std::min(N, 3u));
    for (uint32_t a = 0; a < A; ++a) {
      const auto S = static_cast<uint32_t>(c.syn_neuron_size());
      if (N == 0) {
        c.add_axon_syn_base(rng_.chance(0.5) ? 0 : S);
        c.add_axon_syn_count(0);
        continue;
      }
      if (!o_.fill_capacity && S > 0 && rng_.chance(o_.overlap)) {
        // Reuse a random stretch of what is already written (shared synapse lists).
        const uint32_t base = rng_.index(S);
        c.add_axon_syn_base(base);
        c.add_axon_syn_count(rng_.urange(0, std::min<uint32_t>(S - base, s::AXON_SYN_COUNT_MAX)));
        continue;
      }
      uint32_t count;
      std::vector<uint32_t> targets;
      if (o_.fill_capacity) {
        count = lim_.synapses / lim_.axons;
      } else if (rng_.chance(o_.dense)) {
        count = N;
        for (uint32_t n = 0; n < N; ++n) targets.push_back(n);
      } else {
        count = rng_.urange(o_.synapses_per_axon_min, o_.synapses_per_axon_max);
      }
      count = std::min(count, lim_.synapses - S);
      c.add_axon_syn_base(S);
      c.add_axon_syn_count(count);
      for (uint32_t k = 0; k < count; ++k) {
        uint32_t n = k < targets.size() ? targets[k] : rng_.index(N);
        if (o_.edge && rng_.chance(0.7)) n = rng_.index(hot);
        add_synapse(c, n, static_cast<uint32_t>(c.groups_size()));
      }
    }
  }

  // 65,535 entries of weight 127 << 7 to neuron 0, shared by every axon: a few delivered axons sum
  // beyond 2^31 and the 32-bit accumulator wraps (spec §2.3).
  void make_acc_wrap_synapses(pb::Core& c, uint32_t A) {
    if (c.groups_size() == 0) make_group(c.add_groups(), 0);
    c.mutable_groups(0)->set_weight_exp(7);
    // Static, so that the sum stays beyond 2^31 (and the 65,535 entries do not all learn every step);
    // another group keeps the core plastic.
    c.mutable_groups(0)->set_plastic(false);
    bool plastic = false;
    for (const pb::SynapseGroup& g : c.groups()) plastic = plastic || g.plastic();
    if (o_.plastic && !plastic) {
      if (c.groups_size() < s::SYN_GROUPS_PER_CORE) {
        make_group(c.add_groups(), 0);
      } else {
        c.mutable_groups(1)->set_plastic(true);
      }
    }
    const uint32_t S = s::AXON_SYN_COUNT_MAX;
    for (uint32_t e = 0; e < S; ++e) {
      c.add_syn_neuron(0);
      c.add_syn_weight(127);
      c.add_syn_group(0);
    }
    for (uint32_t a = 0; a < A; ++a) {
      if (a < 4) {
        c.add_axon_syn_base(0);
        c.add_axon_syn_count(S);
      } else {
        const uint32_t base = rng_.index(S);
        c.add_axon_syn_base(base);
        c.add_axon_syn_count(rng_.urange(0, std::min<uint32_t>(S - base, 64)));
      }
    }
  }

  // A destination for a fan-out entry of core ci, or -1 for none allowed.
  int draw_destination(int ci) {
    std::vector<int> allowed;
    for (std::size_t j = 0; j < cores_.size(); ++j) {
      if (cores_[j].axon_syn_base_size() == 0) continue;
      if (!o_.recurrence && static_cast<int>(j) <= ci) continue;
      allowed.push_back(static_cast<int>(j));
    }
    if (allowed.empty()) return -1;
    if (o_.congest && cores_[static_cast<std::size_t>(target_)].axon_syn_base_size() > 0 &&
        rng_.chance(0.8) && (o_.recurrence || target_ > ci))
      return target_;
    return rng_.pick(allowed);
  }

  void add_fanout_entry(pb::Core& c, int ci) {
    const int dest = rng_.chance(o_.host_output) ? -1 : draw_destination(ci);
    if (dest < 0) {
      c.add_fanout_to_host(true);
      c.add_fanout_x(0);
      c.add_fanout_y(0);
      uint32_t ch = rng_.chance(0.7) ? rng_.urange(0, 15) : rng_.urange(0, (1u << s::AXON_INDEX_BITS) - 1);
      if (o_.edge && rng_.chance(0.3)) ch = rng_.chance(0.5) ? 0 : (1u << s::AXON_INDEX_BITS) - 1;
      c.add_fanout_axon(ch);
      return;
    }
    const pb::Core& d = cores_[static_cast<std::size_t>(dest)];
    const auto A = static_cast<uint32_t>(d.axon_syn_base_size());
    c.add_fanout_to_host(false);
    c.add_fanout_x(d.x());
    c.add_fanout_y(d.y());
    uint32_t axon = rng_.index(A);
    if (o_.edge && rng_.chance(0.3)) axon = rng_.chance(0.5) ? 0 : A - 1;
    c.add_fanout_axon(axon);
  }

  void make_fanout(int ci) {
    pb::Core& c = cores_[static_cast<std::size_t>(ci)];
    const auto N = static_cast<uint32_t>(c.neuron_profile_size());
    for (uint32_t n = 0; n < N; ++n) {
      const auto F = static_cast<uint32_t>(c.fanout_axon_size());
      if (!o_.fill_capacity && F > 0 && rng_.chance(o_.overlap * 0.5)) {
        const uint32_t base = rng_.index(F);
        c.add_neuron_fanout_base(base);
        c.add_neuron_fanout_count(rng_.urange(0, std::min<uint32_t>(F - base, 8)));
        continue;
      }
      uint32_t count = o_.fill_capacity ? lim_.fanout / lim_.neurons
                                        : rng_.urange(o_.fanout_per_neuron_min, o_.fanout_per_neuron_max);
      count = std::min(count, lim_.fanout - F);
      c.add_neuron_fanout_base(F);
      c.add_neuron_fanout_count(count);
      for (uint32_t k = 0; k < count; ++k) add_fanout_entry(c, ci);
    }
  }

  void set_config(pb::ChipConfig* cfg) {
    cfg->set_mesh_width(width_);
    cfg->set_mesh_height(height_);
    if (o_.default_capacities) {
      if (width_ == s::MESH_WIDTH_DEFAULT && height_ == s::MESH_HEIGHT_DEFAULT && rng_.chance(0.5)) {
        cfg->set_mesh_width(0);  // 0 means the default
        cfg->set_mesh_height(0);
      }
      return;
    }
    uint32_t n = 0, a = 0, sy = 0, f = 0, p = 0;
    for (const pb::Core& c : cores_) {
      n = std::max<uint32_t>(n, static_cast<uint32_t>(c.neuron_profile_size()));
      a = std::max<uint32_t>(a, static_cast<uint32_t>(c.axon_syn_base_size()));
      sy = std::max<uint32_t>(sy, static_cast<uint32_t>(c.syn_neuron_size()));
      f = std::max<uint32_t>(f, static_cast<uint32_t>(c.fanout_axon_size()));
      p = std::max<uint32_t>(p, static_cast<uint32_t>(c.profiles_size()));
    }
    // A capacity is either exactly what is used, a little more, or the default (0) when that fits.
    auto pick = [&](uint32_t used, uint32_t def, uint32_t max) -> uint32_t {
      used = std::max(used, 1u);
      switch (rng_.index(3)) {
        case 0:
          return used;
        case 1:
          return std::min(max, used + rng_.urange(1, 64));
        default:
          return used <= def ? 0 : used;
      }
    };
    cfg->set_neurons_per_core(pick(n, s::NEURONS_PER_CORE_DEFAULT, s::NEURONS_PER_CORE_MAX));
    cfg->set_axons_per_core(pick(a, s::AXONS_PER_CORE_DEFAULT, s::AXONS_PER_CORE_MAX));
    cfg->set_synapses_per_core(pick(sy, s::SYNAPSES_PER_CORE_DEFAULT, s::SYNAPSES_PER_CORE_MAX));
    cfg->set_fanout_per_core(pick(f, s::FANOUT_PER_CORE_DEFAULT, s::FANOUT_PER_CORE_MAX));
    cfg->set_profiles_per_core(pick(p, s::PROFILES_PER_CORE_DEFAULT, s::PROFILES_PER_CORE_MAX));
    if (rng_.chance(0.2)) cfg->set_clock_hz(static_cast<double>(rng_.range(1, 1000)) * 1e6);
  }

  const RandomNetOptions& o_;
  Rng rng_;
  uint32_t width_ = 1, height_ = 1;
  Limits lim_{};
  std::vector<Coord> coords_;
  std::vector<pb::Core> cores_;
  int target_ = -1;
  int acc_wrap_core_ = -1;
};

}  // namespace

pb::ChipImage random_image(const RandomNetOptions& options) { return Generator(options).run(); }

std::vector<InputSpike> random_stimuli(const pb::ChipImage& image, uint64_t seed, uint32_t steps,
                                       double rate) {
  Rng rng(seed * 0xD1B54A32D192ED03ull + 0x57137ull);
  std::vector<InputSpike> out;
  for (uint32_t t = 0; t < steps; ++t) {
    for (const pb::Core& c : image.cores()) {
      const auto A = static_cast<uint32_t>(c.axon_syn_base_size());
      for (uint32_t a = 0; a < A; ++a) {
        if (!rng.chance(rate)) continue;
        out.push_back({t, c.x(), c.y(), a});
        if (rng.chance(1.0 / 16)) out.push_back({t, c.x(), c.y(), a});  // a host collision
      }
    }
  }
  return out;
}

}  // namespace lifchip::test
