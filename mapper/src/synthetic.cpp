// Seeded synthetic networks (layered, convolutional, random-recurrent) and Bernoulli stimuli for
// the mapper's tests and benchmarks. Deterministic for a seed on any platform (own draws).
#include "lifchip/mapper/synthetic.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <string>

namespace lifchip::mapper {
namespace {

// splitmix64: a tiny, fully specified generator (std distributions differ between libraries).
struct Rng {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double unit() { return double(next() >> 11) * (1.0 / 9007199254740992.0); }
  uint32_t below(uint32_t n) { return static_cast<uint32_t>(next() % n); }
};

Population neurons(const std::string& name, uint32_t size, const SyntheticOptions& o) {
  Population p;
  p.name = name;
  p.size = size;
  p.kind = o.kind;
  p.params.tau_mem.assign(size, 0.02);
  if (o.kind == NeuronKind::kCubaLIF) {
    p.params.tau_syn.assign(size, 0.005);
    p.params.w_in.assign(size, 1.0);
  }
  p.params.r.assign(size, 1.0);
  p.params.v_leak.assign(size, 0.0);
  p.params.v_threshold.assign(size, 1.0);
  p.params.v_reset.assign(size, 0.0);
  p.params.input_bias.assign(size, 0.0);
  return p;
}

Population port(const std::string& name, uint32_t size, NeuronKind kind) {
  Population p;
  p.name = name;
  p.size = size;
  p.kind = kind;
  if (kind == NeuronKind::kOutput) p.params.input_bias.assign(size, 0.0);
  return p;
}

// A weight that, with a few sources active per step, drives a neuron over threshold now and then:
// spread ~ 1 / (dt/tau * sqrt(fan_in)), mean slightly positive.
float draw_weight(Rng& rng, uint32_t fan_in, const SyntheticOptions& o) {
  const double alpha = o.dt / 0.02;
  const double spread = o.weight_scale * 2.0 / (alpha * std::sqrt(double(std::max<uint32_t>(fan_in, 1))));
  return static_cast<float>(spread * (rng.unit() - 0.35));
}

// fan_in distinct random sources of [0, n) (all when fan_in >= n), ascending.
void pick_sources(Rng& rng, uint32_t n, uint32_t fan_in, std::vector<uint32_t>& out) {
  out.clear();
  if (fan_in >= n) {
    for (uint32_t i = 0; i < n; ++i) out.push_back(i);
    return;
  }
  while (out.size() < fan_in) {
    const std::size_t need = fan_in - out.size();
    for (std::size_t i = 0; i < need; ++i) out.push_back(rng.below(n));
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
  }
}

}  // namespace

Network synthetic_layered(const std::vector<uint32_t>& sizes, uint32_t fan_in, const SyntheticOptions& o) {
  Network net;
  net.dt = o.dt;
  Rng rng{o.seed};
  std::vector<PopulationId> ids;
  ids.push_back(net.add_population(port("in", sizes.at(0), NeuronKind::kInput)));
  for (std::size_t l = 1; l < sizes.size(); ++l)
    ids.push_back(net.add_population(neurons("l" + std::to_string(l), sizes[l], o)));
  const PopulationId out = net.add_population(port("out", sizes.back(), NeuronKind::kOutput));
  std::vector<uint32_t> src;
  for (std::size_t l = 1; l < sizes.size(); ++l) {
    Projection p;
    p.name = "w" + std::to_string(l);
    const uint32_t fi = std::min(fan_in, sizes[l - 1]);
    p.synapses.reserve(std::size_t{sizes[l]} * fi);
    for (uint32_t post = 0; post < sizes[l]; ++post) {
      pick_sources(rng, sizes[l - 1], fi, src);
      for (uint32_t pre : src) p.synapses.push_back({pre, post, draw_weight(rng, fi, o)});
    }
    net.add_projection(ids[l - 1], ids[l], std::move(p));
  }
  Projection ro;
  ro.name = "readout";
  for (uint32_t i = 0; i < sizes.back(); ++i) ro.synapses.push_back({i, i, 1.0f});
  net.add_projection(ids.back(), out, std::move(ro));
  return net;
}

Network synthetic_conv(const std::vector<uint32_t>& channels, uint32_t h, uint32_t w, uint32_t k,
                       const SyntheticOptions& o) {
  Network net;
  net.dt = o.dt;
  Rng rng{o.seed};
  std::vector<PopulationId> ids;
  ids.push_back(net.add_population(port("in", channels.at(0) * h * w, NeuronKind::kInput)));
  for (std::size_t l = 1; l < channels.size(); ++l)
    ids.push_back(net.add_population(neurons("conv" + std::to_string(l), channels[l] * h * w, o)));
  const PopulationId out = net.add_population(port("out", channels.back() * h * w, NeuronKind::kOutput));
  const int pad = static_cast<int>(k / 2);
  for (std::size_t l = 1; l < channels.size(); ++l) {
    const uint32_t ci = channels[l - 1], co = channels[l];
    std::vector<float> kernel(std::size_t{co} * ci * k * k);
    for (float& x : kernel) x = draw_weight(rng, ci * k * k, o);
    Projection p;
    p.name = "conv" + std::to_string(l);
    for (uint32_t c = 0; c < co; ++c)
      for (uint32_t y = 0; y < h; ++y)
        for (uint32_t x = 0; x < w; ++x) {
          const uint32_t post = (c * h + y) * w + x;
          for (uint32_t cin = 0; cin < ci; ++cin)
            for (uint32_t ky = 0; ky < k; ++ky)
              for (uint32_t kx = 0; kx < k; ++kx) {
                const int yy = int(y) + int(ky) - pad, xx = int(x) + int(kx) - pad;
                if (yy < 0 || xx < 0 || yy >= int(h) || xx >= int(w)) continue;
                const uint32_t pre = (cin * h + uint32_t(yy)) * w + uint32_t(xx);
                p.synapses.push_back({pre, post, kernel[((std::size_t{c} * ci + cin) * k + ky) * k + kx]});
              }
        }
    std::sort(p.synapses.begin(), p.synapses.end(), [](const Synapse& a, const Synapse& b) {
      return a.post != b.post ? a.post < b.post : a.pre < b.pre;
    });
    net.add_projection(ids[l - 1], ids[l], std::move(p));
  }
  Projection ro;
  ro.name = "readout";
  for (uint32_t i = 0; i < channels.back() * h * w; ++i) ro.synapses.push_back({i, i, 1.0f});
  net.add_projection(ids.back(), out, std::move(ro));
  return net;
}

Network synthetic_recurrent(uint32_t inputs, uint32_t n, uint32_t fan_in_ext, uint32_t fan_in_rec,
                            uint32_t outputs, const SyntheticOptions& o) {
  Network net;
  net.dt = o.dt;
  Rng rng{o.seed};
  const PopulationId in = net.add_population(port("in", inputs, NeuronKind::kInput));
  const PopulationId rec = net.add_population(neurons("rec", n, o));
  const PopulationId out = net.add_population(port("out", outputs, NeuronKind::kOutput));
  std::vector<uint32_t> src;
  Projection pin;
  pin.name = "w_in";
  for (uint32_t post = 0; post < n; ++post) {
    pick_sources(rng, inputs, std::min(fan_in_ext, inputs), src);
    for (uint32_t pre : src)
      pin.synapses.push_back({pre, post, draw_weight(rng, fan_in_ext + fan_in_rec, o)});
  }
  net.add_projection(in, rec, std::move(pin));
  Projection pr;
  pr.name = "w_rec";
  for (uint32_t post = 0; post < n; ++post) {
    pick_sources(rng, n, std::min(fan_in_rec, n), src);
    for (uint32_t pre : src)
      pr.synapses.push_back({pre, post, 0.5f * draw_weight(rng, fan_in_ext + fan_in_rec, o)});
  }
  net.add_projection(rec, rec, std::move(pr));
  Projection ro;
  ro.name = "readout";
  for (uint32_t i = 0; i < std::min(outputs, n); ++i) ro.synapses.push_back({i, i, 1.0f});
  net.add_projection(rec, out, std::move(ro));
  return net;
}

NetworkStimulus synthetic_stimulus(uint32_t num_inputs, uint32_t steps, double rate, uint64_t seed) {
  NetworkStimulus s;
  s.num_steps = steps;
  Rng rng{seed ^ 0x5151u};
  for (uint32_t t = 0; t < steps; ++t)
    for (uint32_t i = 0; i < num_inputs; ++i)
      if (rng.unit() < rate) s.spikes.push_back({t, i});
  return s;
}

}  // namespace lifchip::mapper
