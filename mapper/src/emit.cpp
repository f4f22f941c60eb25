// The route and emit steps: XY routes become per-neuron fan-out lists (one entry per destination
// core, plus the host), each (source, core) pair one axon with its synapse list, and the cores'
// profiles, groups and LFSR seeds; then the image is sealed (validated, checksummed).
#include <algorithm>
#include <cstdlib>

#include "lifchip/chip_constants.h"
#include "stages.h"

namespace lifchip::mapper::detail {

Emitted emit_image(const QNet& q, const Partition& p, const std::vector<uint32_t>& slot,
                   const ChipShape& shape, const std::string& name, uint64_t seed) {
  Emitted out;
  pb::ChipImage& img = out.image;
  img.set_name(name);
  pb::ChipConfig* cfg = img.mutable_config();
  cfg->set_mesh_width(shape.width);
  cfg->set_mesh_height(shape.height);
  cfg->set_neurons_per_core(shape.neurons);
  cfg->set_axons_per_core(shape.axons);
  cfg->set_synapses_per_core(shape.synapses);
  cfg->set_fanout_per_core(shape.fanout);
  cfg->set_profiles_per_core(shape.profiles);
  cfg->set_clock_hz(shape.clock_hz);
  const uint32_t nc = p.num_cores;
  // Cores in the image in mesh order (y * W + x).
  std::vector<uint32_t> by_slot(nc);
  for (uint32_t c = 0; c < nc; ++c) by_slot[c] = c;
  std::sort(by_slot.begin(), by_slot.end(), [&](uint32_t a, uint32_t b) { return slot[a] < slot[b]; });
  std::vector<pb::Core*> core(nc);
  for (uint32_t c : by_slot) {
    pb::Core* k = img.add_cores();
    k->set_x(slot[c] % shape.width);
    k->set_y(slot[c] / shape.width);
    // A fixed, non-zero seed per core (learning is off in mapped images, but the field is required).
    k->set_lfsr_seed(static_cast<uint32_t>((uint64_t{slot[c]} * 40503u + seed) % 65535u) + 1);
    core[c] = k;
  }
  // Neurons: ascending global index within each core.
  out.neuron_core_index.assign(q.num_neurons, 0);
  std::vector<uint32_t> core_neurons(nc, 0);
  std::vector<std::vector<int32_t>> prof_local(nc);
  std::vector<std::vector<int32_t>> group_local(nc, std::vector<int32_t>(16, -1));
  for (uint32_t g = 0; g < q.num_neurons; ++g) {
    const uint32_t c = p.core_of[g];
    out.neuron_core_index[g] = core_neurons[c]++;
    auto& pl = prof_local[c];
    if (pl.empty()) pl.assign(q.profiles.size(), -1);
    if (pl[q.profile[g]] < 0) {
      pl[q.profile[g]] = core[c]->profiles_size();
      *core[c]->add_profiles() = q.profiles[q.profile[g]];
    }
    for (int e = 0; e < 16; ++e)
      if (q.in_exp_mask[g] >> e & 1) group_local[c][e] = 0;  // marked; numbered below
  }
  for (uint32_t c = 0; c < nc; ++c) {
    int32_t next = 0;
    for (int e = 0; e < 16; ++e)
      if (group_local[c][e] == 0) {
        group_local[c][e] = next++;
        pb::SynapseGroup* grp = core[c]->add_groups();
        grp->set_weight_exp(e - 8);
        grp->set_w_min(-128);
        grp->set_w_max(127);
      }
  }
  // Axons and synapse lists: sources in ascending order, so each (source, core) list is contiguous.
  std::vector<uint32_t> stamp(nc, UINT32_MAX);
  std::vector<std::vector<uint32_t>> dest_cores(q.num_sources());
  std::vector<std::vector<uint32_t>> dest_axon(q.num_sources());
  for (uint32_t s = 0; s < q.num_sources(); ++s) {
    for (uint64_t i = q.out_start[s]; i < q.out_start[s + 1]; ++i) {
      const uint32_t t = q.out_target[i];
      const uint32_t c = p.core_of[t];
      pb::Core* k = core[c];
      if (stamp[c] != s) {
        stamp[c] = s;
        dest_cores[s].push_back(c);
        dest_axon[s].push_back(static_cast<uint32_t>(k->axon_syn_base_size()));
        k->add_axon_syn_base(static_cast<uint32_t>(k->syn_neuron_size()));
        k->add_axon_syn_count(0);
      }
      k->set_axon_syn_count(k->axon_syn_count_size() - 1,
                            k->axon_syn_count(k->axon_syn_count_size() - 1) + 1);
      k->add_syn_neuron(out.neuron_core_index[t]);
      k->add_syn_weight(q.out_weight[i]);
      k->add_syn_group(static_cast<uint32_t>(group_local[c][q.out_exp[i] + 8]));
    }
  }
  // Host output channels: neurons feeding an output, in global order.
  std::vector<int64_t> channel(q.num_neurons, -1);
  for (uint32_t g = 0; g < q.num_neurons; ++g)
    if (q.to_host[g]) {
      channel[g] = static_cast<int64_t>(out.output.channels.size());
      const uint32_t c = p.core_of[g];
      const PopRange& r = q.pops[q.pop_of[g]];
      out.output.channels.push_back(
          {r.name, g - r.first, slot[c] % shape.width, slot[c] / shape.width, out.neuron_core_index[g]});
    }
  // Neuron configuration and fan-out lists (destinations in mesh order, then the host).
  for (uint32_t g = 0; g < q.num_neurons; ++g) {
    pb::Core* k = core[p.core_of[g]];
    const pb::Profile& want = q.profiles[q.profile[g]];
    (void)want;
    k->add_neuron_profile(static_cast<uint32_t>(prof_local[p.core_of[g]][q.profile[g]]));
    k->add_neuron_bias_mant(q.bias_mant[g]);
    k->add_neuron_u(0);
    k->add_neuron_v(q.init_v[g]);
    k->add_neuron_fanout_base(static_cast<uint32_t>(k->fanout_axon_size()));
    const uint32_t s = q.num_inputs + g;
    std::vector<uint32_t> order(dest_cores[s].size());
    for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](uint32_t a, uint32_t b) { return slot[dest_cores[s][a]] < slot[dest_cores[s][b]]; });
    for (uint32_t i : order) {
      const uint32_t d = dest_cores[s][i];
      k->add_fanout_to_host(false);
      k->add_fanout_x(slot[d] % shape.width);
      k->add_fanout_y(slot[d] / shape.width);
      k->add_fanout_axon(dest_axon[s][i]);
    }
    if (channel[g] >= 0) {
      k->add_fanout_to_host(true);
      k->add_fanout_x(0);
      k->add_fanout_y(0);
      k->add_fanout_axon(static_cast<uint32_t>(channel[g]));
    }
    k->add_neuron_fanout_count(static_cast<uint32_t>(order.size() + (channel[g] >= 0 ? 1 : 0)));
  }
  // Input binding.
  for (const PopRange& r : q.inputs) out.input.ports.push_back({r.name, r.first, r.size});
  out.input.targets.resize(q.num_inputs);
  for (uint32_t s = 0; s < q.num_inputs; ++s)
    for (std::size_t i = 0; i < dest_cores[s].size(); ++i) {
      const uint32_t d = dest_cores[s][i];
      out.input.targets[s].push_back({slot[d] % shape.width, slot[d] / shape.width, dest_axon[s][i]});
    }
  // Output binding.
  for (const PopRange& r : q.outputs) out.output.ports.push_back({r.name, r.first, r.size});
  out.output.terms.resize(q.num_outputs);
  out.output.bias = q.out_bias;
  std::vector<int64_t> readout_index(q.num_neurons, -1);
  for (uint32_t g = 0; g < q.num_neurons; ++g)
    if (q.readout[g]) {
      readout_index[g] = static_cast<int64_t>(out.output.readouts.size());
      const uint32_t c = p.core_of[g];
      const PopRange& r = q.pops[q.pop_of[g]];
      out.output.readouts.push_back({r.name, g - r.first, slot[c] % shape.width, slot[c] / shape.width,
                                     out.neuron_core_index[g], q.readout_scale[g], q.readout_offset[g]});
    }
  for (uint32_t o = 0; o < q.num_outputs; ++o)
    for (const auto& [g, w] : q.out_terms[o]) {
      if (q.readout[g])
        out.output.terms[o].push_back({static_cast<uint32_t>(readout_index[g]), w, true});
      else
        out.output.terms[o].push_back({static_cast<uint32_t>(channel[g]), w});
    }
  out.output.latency = q.latency;
  for (const PopRange& r : q.pops) {
    PopulationPlacement& pl = out.placement.emplace_back();
    pl.population = r.name;
    pl.sites.reserve(r.size);
    for (uint32_t i = 0; i < r.size; ++i) {
      const uint32_t c = p.core_of[r.first + i];
      pl.sites.push_back({slot[c] % shape.width, slot[c] / shape.width, out.neuron_core_index[r.first + i]});
    }
  }
  seal_image(img);
  return out;
}

TrafficCount predict_traffic(const QNet& q, const Partition& p, const std::vector<uint32_t>& slot,
                             uint32_t width, const std::vector<double>& spikes) {
  TrafficCount tc;
  std::vector<uint32_t> stamp(p.num_cores, UINT32_MAX);
  auto hops = [&](uint32_t s1, uint32_t s2) {
    return double(std::abs(int(s1 % width) - int(s2 % width)) + std::abs(int(s1 / width) - int(s2 / width)));
  };
  for (uint32_t s = 0; s < q.num_sources(); ++s) {
    const double n = spikes[s];
    if (n == 0) continue;
    const bool input = s < q.num_inputs;
    const uint32_t from = input ? 0 : slot[p.core_of[s - q.num_inputs]];
    for (uint64_t i = q.out_start[s]; i < q.out_start[s + 1]; ++i) {
      const uint32_t c = p.core_of[q.out_target[i]];
      if (stamp[c] == s) continue;
      stamp[c] = s;
      tc.packets += n;
      tc.hops += n * hops(from, slot[c]);
    }
    if (!input && q.to_host[s - q.num_inputs]) {
      tc.packets += n;
      tc.hops += n * (hops(from, 0) + 1);  // to router (0,0), then out over the host link
    }
  }
  return tc;
}

}  // namespace lifchip::mapper::detail
