// Builds the CUBA benchmark network as a sealed chip image (see cuba.h, docs/benchmarks.md).
// Random draws use std::mt19937_64's raw output only: std distributions are implementation-defined.
#include "support/cuba.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "lifchip/chip_constants.h"

namespace lifchip::test {
namespace {

namespace s = spec;

// Deterministic draws on the raw 64-bit output of mt19937_64 (whose sequence the standard fixes).
class Draws {
 public:
  explicit Draws(uint64_t seed) : gen_(seed) {}
  uint64_t next() { return gen_(); }
  // Uniform in [0, n), n > 0, by rejection of the biased top of the range.
  uint64_t below(uint64_t n) {
    const uint64_t limit = std::numeric_limits<uint64_t>::max() - std::numeric_limits<uint64_t>::max() % n;
    uint64_t r = gen_();
    while (r >= limit) r = gen_();
    return r % n;
  }
  // True with probability threshold / 2^64.
  bool chance(uint64_t threshold) { return gen_() < threshold; }

 private:
  std::mt19937_64 gen_;
};

// A uniformly random k-subset of `items`, ascending; partial Fisher-Yates keeps `items` a permutation,
// so the same buffer serves every core.
void sample_into(Draws& draws, std::vector<uint32_t>& items, uint32_t k, std::vector<uint32_t>& out) {
  const uint32_t n = static_cast<uint32_t>(items.size());
  for (uint32_t i = 0; i < k; ++i) {
    const uint32_t j = i + static_cast<uint32_t>(draws.below(n - i));
    std::swap(items[i], items[j]);
    out.push_back(items[i]);
  }
}

uint32_t capacity_for(uint32_t used, uint32_t default_value, uint32_t max_value) {
  uint32_t c = default_value;
  while (c < used && c < max_value) c *= 2;
  return std::min(c, max_value);
}

struct FanoutEntry {
  uint32_t core, axon;
};

}  // namespace

void cuba_mesh(uint32_t cores, uint32_t* width, uint32_t* height) {
  uint32_t w = 1;
  while (w * w < cores) ++w;
  *width = w;
  *height = (cores + w - 1) / w;
}

pb::ChipImage cuba_image(uint32_t neurons, uint64_t seed) { return cuba_image(neurons, seed, CubaParams{}); }

pb::ChipImage cuba_image(uint32_t neurons, uint64_t seed, const CubaParams& prm) {
  const std::string what = "cuba_image(" + std::to_string(neurons) + "): ";
  if (neurons == 0) throw InputError(what + "no neurons");
  const uint32_t per_core = kCubaNeuronsPerCore;
  const uint32_t cores = (neurons + per_core - 1) / per_core;
  uint32_t width = 0, height = 0;
  cuba_mesh(cores, &width, &height);
  if (width > s::MESH_DIM_MAX || height > s::MESH_DIM_MAX)
    throw InputError(what + std::to_string(cores) + " cores need a " + std::to_string(width) + "x" +
                     std::to_string(height) + " mesh > " + std::to_string(s::MESH_DIM_MAX) + "x" +
                     std::to_string(s::MESH_DIM_MAX));
  const uint32_t excitatory = cuba_excitatory(neurons);
  // Each core draws its inputs from a pool of sources with the network's E:I ratio; with
  // neurons <= pool the pool is the whole network, exactly CUBA.py's all-to-all p = 80 / N.
  const uint32_t pool = std::min(neurons, prm.pool);
  const uint32_t pool_exc = neurons <= prm.pool ? excitatory : cuba_excitatory(pool);
  if (prm.synapses_per_neuron > pool) throw InputError(what + "synapses_per_neuron > pool size");
  // Connection probability synapses_per_neuron / pool as a threshold on a 64-bit draw.
  const uint64_t p_threshold = std::numeric_limits<uint64_t>::max() / pool * prm.synapses_per_neuron;
  const int32_t thr = static_cast<int32_t>(prm.vth) << s::THRESHOLD_SHIFT;

  Draws draws(seed);
  pb::ChipImage image;
  image.set_name("cuba" + std::to_string(neurons));
  pb::ChipConfig* cfg = image.mutable_config();
  cfg->set_mesh_width(width);
  cfg->set_mesh_height(height);
  cfg->set_neurons_per_core(per_core);

  // Initial voltages first (uniform in [0, thr), i.e. [Vr, Vt)), so they do not depend on wiring.
  std::vector<int32_t> v0(neurons);
  for (int32_t& v : v0) v = static_cast<int32_t>(draws.below(static_cast<uint64_t>(thr)));

  std::vector<std::vector<FanoutEntry>> fanout(neurons);
  std::vector<uint32_t> exc_ids(excitatory), inh_ids(neurons - excitatory);
  std::iota(exc_ids.begin(), exc_ids.end(), 0u);
  std::iota(inh_ids.begin(), inh_ids.end(), excitatory);
  std::vector<uint32_t> sources;
  std::vector<uint32_t> targets;
  uint32_t max_axons = 0, max_syn = 0, max_fan = 0;

  for (uint32_t k = 0; k < cores; ++k) {
    pb::Core* core = image.add_cores();
    core->set_x(k % width);
    core->set_y(k / width);
    core->set_lfsr_seed(1);
    pb::Profile* p = core->add_profiles();
    p->set_du(prm.du);
    p->set_dv(prm.dv);
    p->set_vth(prm.vth);
    p->set_bias_exp(prm.bias_exp);
    p->set_reset_mode(pb::RESET_ZERO);
    p->set_refractory(prm.refractory);
    for (int32_t exp : {prm.w_exc_exp, prm.w_inh_exp}) {
      pb::SynapseGroup* g = core->add_groups();
      g->set_weight_exp(exp);
      g->set_w_min(-128);
      g->set_w_max(127);
    }
    const uint32_t first = k * per_core;
    const uint32_t count = std::min(per_core, neurons - first);
    for (uint32_t n = 0; n < count; ++n) {
      core->add_neuron_profile(0);
      core->add_neuron_bias_mant(prm.bias_mant);
      core->add_neuron_u(0);
      core->add_neuron_v(v0[first + n]);
    }

    sources.clear();
    if (neurons <= prm.pool) {
      sources.resize(neurons);
      std::iota(sources.begin(), sources.end(), 0u);
    } else {
      sample_into(draws, exc_ids, pool_exc, sources);
      sample_into(draws, inh_ids, pool - pool_exc, sources);
      std::sort(sources.begin(), sources.end());
    }
    core->mutable_syn_neuron()->Reserve(static_cast<int>(count * prm.synapses_per_neuron * 9 / 8));
    core->mutable_syn_weight()->Reserve(static_cast<int>(count * prm.synapses_per_neuron * 9 / 8));
    core->mutable_syn_group()->Reserve(static_cast<int>(count * prm.synapses_per_neuron * 9 / 8));
    for (uint32_t src : sources) {
      targets.clear();
      for (uint32_t n = 0; n < count; ++n)
        if (draws.chance(p_threshold)) targets.push_back(n);
      if (targets.empty()) continue;
      const bool exc = src < excitatory;
      const uint32_t axon = static_cast<uint32_t>(core->axon_syn_base_size());
      core->add_axon_syn_base(static_cast<uint32_t>(core->syn_neuron_size()));
      core->add_axon_syn_count(static_cast<uint32_t>(targets.size()));
      for (uint32_t n : targets) {
        core->add_syn_neuron(n);
        core->add_syn_weight(exc ? prm.w_exc : prm.w_inh);
        core->add_syn_group(exc ? 0 : 1);
      }
      fanout[src].push_back({k, axon});
    }
    max_axons = std::max(max_axons, static_cast<uint32_t>(core->axon_syn_base_size()));
    max_syn = std::max(max_syn, static_cast<uint32_t>(core->syn_neuron_size()));
  }

  for (uint32_t k = 0; k < cores; ++k) {
    pb::Core* core = image.mutable_cores(static_cast<int>(k));
    const uint32_t first = k * per_core;
    const uint32_t count = std::min(per_core, neurons - first);
    for (uint32_t n = 0; n < count; ++n) {
      const std::vector<FanoutEntry>& list = fanout[first + n];
      core->add_neuron_fanout_base(static_cast<uint32_t>(core->fanout_axon_size()));
      core->add_neuron_fanout_count(static_cast<uint32_t>(list.size()));
      for (const FanoutEntry& f : list) {
        core->add_fanout_to_host(false);
        core->add_fanout_x(f.core % width);
        core->add_fanout_y(f.core / width);
        core->add_fanout_axon(f.axon);
      }
    }
    max_fan = std::max(max_fan, static_cast<uint32_t>(core->fanout_axon_size()));
  }

  // Capacities: the defaults, doubled until the busiest core fits (validation names any overflow).
  cfg->set_axons_per_core(capacity_for(max_axons, s::AXONS_PER_CORE_DEFAULT, s::AXONS_PER_CORE_MAX));
  cfg->set_synapses_per_core(capacity_for(max_syn, s::SYNAPSES_PER_CORE_DEFAULT, s::SYNAPSES_PER_CORE_MAX));
  cfg->set_fanout_per_core(capacity_for(max_fan, s::FANOUT_PER_CORE_DEFAULT, s::FANOUT_PER_CORE_MAX));
  seal_image(image);
  return image;
}

}  // namespace lifchip::test
