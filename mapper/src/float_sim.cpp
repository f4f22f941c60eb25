// The float reference: the imported network simulated in double precision with the quantiser's
// discrete-time equations and the chip's timing (docs/mapper.md §3). The chip-vs-float evaluation
// that runs it beside a backend is the flow layer's (tools/flow, lifchip/flow/evaluate.h).
#include <algorithm>
#include <cmath>
#include <memory>

#include "stages.h"

namespace lifchip::mapper {

namespace {

// The float reference on the quantiser's flat index spaces and latency (one definition), on a
// stimulus its caller checked; when `peak` is given, it receives per chip neuron the largest |u|,
// |v| and one step's |input| seen.
NetworkResponse run_float(const Network& net, const detail::QNet& q, const FloatSimOptions& options,
                          const NetworkStimulus& stimulus, std::vector<double>* peak,
                          uint64_t* spikes = nullptr) {
  const double dt = options.dt;
  const uint32_t steps = stimulus.num_steps + q.latency;
  struct Neuron {
    NeuronKind kind;
    double as, am, gain, w_in, theta, reset, bias, v, i, leak;
    bool readout;
  };
  std::vector<Neuron> nn(q.num_neurons);
  std::vector<int64_t> offset(net.num_populations(), -1);
  for (const auto& r : q.inputs) offset[r.id] = r.first;
  for (const auto& r : q.outputs) offset[r.id] = r.first;
  for (const auto& r : q.pops) {
    offset[r.id] = r.first;
    const Population& p = net.population(r.id);
    for (uint32_t k = 0; k < r.size; ++k) {
      Neuron& n = nn[r.first + k];
      const NeuronParams& pr = p.params;
      const double leak = pr.v_leak.empty() ? 0.0 : pr.v_leak[k];
      n.kind = p.kind;
      n.readout = is_readout(p.kind);
      n.leak = leak;
      n.as = has_current(p.kind) ? std::min(1.0, dt / pr.tau_syn[k]) : 1.0;
      n.am = p.kind == NeuronKind::kIF ? 0.0 : std::min(1.0, dt / pr.tau_mem[k]);
      n.gain = (p.kind == NeuronKind::kIF ? dt : n.am) * pr.r[k];
      n.w_in = has_current(p.kind) ? pr.w_in[k] : 1.0;
      n.theta = n.readout ? 0.0 : pr.v_threshold[k] - leak;
      n.reset = n.readout ? 0.0 : pr.v_reset[k] - leak;
      n.bias = pr.input_bias[k];
      n.v = -leak;
      n.i = 0;
    }
  }
  // Float synapses by source (inputs, then neurons), and the output terms.
  struct Syn {
    uint32_t target;
    double w;
  };
  std::vector<std::vector<Syn>> out(q.num_sources());
  std::vector<std::vector<std::pair<uint32_t, double>>> to_output(q.num_neurons);
  for (ProjectionId e : net.projections()) {
    const PopulationId s = boost::source(e, net.graph), t = boost::target(e, net.graph);
    const bool from_input = net.population(s).kind == NeuronKind::kInput;
    const bool to_out = net.population(t).kind == NeuronKind::kOutput;
    for (const Synapse& syn : net.graph[e].synapses) {
      const uint32_t src = static_cast<uint32_t>(offset[s]) + syn.pre;
      const uint32_t dst = static_cast<uint32_t>(offset[t]) + syn.post;
      if (to_out)
        to_output[src].emplace_back(dst, double(syn.weight));
      else
        out[from_input ? src : q.num_inputs + src].push_back({dst, double(syn.weight)});
    }
  }
  NetworkResponse r;
  r.num_steps = stimulus.num_steps;
  r.values.assign(r.num_steps, q.out_bias);
  std::vector<double> x(q.num_neurons);
  std::vector<uint32_t> fired, prev;
  std::size_t ev = 0;
  for (uint32_t t = 0; t < steps; ++t) {
    for (uint32_t n = 0; n < q.num_neurons; ++n) x[n] = nn[n].bias;
    for (uint32_t n : prev)
      for (const Syn& s : out[q.num_inputs + n]) x[s.target] += s.w;
    for (; ev < stimulus.spikes.size() && stimulus.spikes[ev].step == t; ++ev)
      for (const Syn& s : out[stimulus.spikes[ev].index]) x[s.target] += s.w;
    fired.clear();
    for (uint32_t k = 0; k < q.num_neurons; ++k) {
      Neuron& n = nn[k];
      double u = 0, in = 0;  // what enters v this step; one step's input to u (chip units / lambda)
      if (has_current(n.kind)) {
        n.i = (1 - n.as) * n.i + n.as * n.w_in * x[k];
        u = n.gain * n.i;
        in = n.gain * n.as * n.w_in * x[k];
      } else {
        u = in = n.gain * x[k];
      }
      n.v = (1 - n.am) * n.v + u;
      // Negative v is left out: the chip floors v at -headroom (spec §2.4), a benign limit, while a
      // wrapped u or a lost step of input changes the spikes.
      if (peak) (*peak)[k] = std::max({(*peak)[k], std::abs(u), std::abs(in), n.v});
      if (n.readout) {  // never spikes; its output term reads v (with v_leak, as the chip's decode)
        if (t >= q.latency)
          for (const auto& [o, w] : to_output[k]) r.values[t - q.latency][o] += w * (n.v + n.leak);
        continue;
      }
      if (n.v > n.theta) {
        n.v = options.reset_mode == pb::RESET_SUBTRACT ? n.v - n.theta : n.reset;
        fired.push_back(k);
      }
    }
    if (spikes) *spikes += fired.size();
    if (t >= q.latency)
      for (uint32_t k : fired)
        for (const auto& [o, w] : to_output[k]) r.values[t - q.latency][o] += w;
    std::swap(prev, fired);
  }
  return r;
}

}  // namespace

NetworkResponse simulate_float(const Network& net, const FloatSimOptions& options,
                               const NetworkStimulus& stimulus) {
  const detail::QNet q = detail::quantise(net, options.dt, options.reset_mode);
  detail::check_stimulus(stimulus, q.num_inputs, "stimulus");
  return run_float(net, q, options, stimulus, nullptr);
}

namespace detail {

Calibration calibrate(const Network& net, double dt, pb::ResetMode reset_mode,
                      const std::vector<NetworkStimulus>& samples) {
  const QNet q = quantise(net, dt, reset_mode);
  FloatSimOptions fo;
  fo.dt = dt;
  fo.reset_mode = reset_mode;
  std::vector<double> peak(q.num_neurons, 0.0);
  Calibration c;
  for (const NetworkStimulus& st : samples) run_float(net, q, fo, st, &peak, &c.spikes);
  std::vector<double>& by_pop = c.peak;
  by_pop.assign(net.num_populations(), 0.0);
  for (const PopRange& r : q.pops) {
    double m = 0;
    for (uint32_t i = 0; i < r.size; ++i) m = std::max(m, peak[r.first + i]);
    by_pop[r.id] = m / largest_threshold(net.population(r.id));
  }
  return c;
}

}  // namespace detail

struct FloatReference::State {
  const Network* network = nullptr;
  FloatSimOptions options;
  detail::QNet q;
};

FloatReference::FloatReference(const Network& network, const FloatSimOptions& options) {
  auto s = std::make_shared<State>();
  s->network = &network;
  s->options = options;
  s->q = detail::quantise(network, options.dt, options.reset_mode);  // the reference's index spaces
  s_ = std::move(s);
}

NetworkResponse FloatReference::run(const NetworkStimulus& stimulus) const {
  detail::check_stimulus(stimulus, s_->q.num_inputs, "stimulus");
  return run_float(*s_->network, s_->q, s_->options, stimulus, nullptr);
}

}  // namespace lifchip::mapper
