// Chip-vs-float evaluation and the sample readers (see evaluate.h).
#include "lifchip/flow/evaluate.h"

#include <algorithm>
#include <cmath>
#include <memory>

#include "lifchip/backend.h"
#include "lifchip/flow/encode.h"
#include "lifchip/image.h"
#include "lifchip/run.h"

namespace lifchip::flow {

namespace {

// Pearson correlation of two equally long series; 1 when both are constant and equal, 0 when only
// one is constant.
double correlation(const std::vector<double>& a, const std::vector<double>& b) {
  const std::size_t n = a.size();
  if (n < 2) return 0;
  double ma = 0, mb = 0;
  for (std::size_t i = 0; i < n; ++i) ma += a[i], mb += b[i];
  ma /= double(n), mb /= double(n);
  double sa = 0, sb = 0, sab = 0;
  for (std::size_t i = 0; i < n; ++i)
    sa += (a[i] - ma) * (a[i] - ma), sb += (b[i] - mb) * (b[i] - mb), sab += (a[i] - ma) * (b[i] - mb);
  return (sa > 0 && sb > 0) ? sab / std::sqrt(sa * sb) : (sa == sb ? 1.0 : 0.0);
}

// Outputs that never move from their bias: exactly when the first-move decoder finds nothing.
bool silent(const mapper::NetworkResponse& r, const std::vector<double>& bias) {
  return decode_response(r, ResponseDecode::kFirst, bias) < 0;
}

constexpr std::size_t kMaxSamples = std::size_t{1} << 20;
constexpr double kReadoutTolerance = 0.02;

}  // namespace

void append_run(pb::RunResult& all, const pb::RunResult& one) {
  const uint32_t offset = all.steps();
  all.set_backend(one.backend());
  all.set_steps(offset + one.steps());
  for (const pb::OutputSpike& s : one.spikes()) {
    pb::OutputSpike* t = all.add_spikes();
    *t = s;
    t->set_step(s.step() + offset);
  }
  all.set_readout_words(all.readout_words() + one.readout_words());
  all.set_readout_host_cycles(all.readout_host_cycles() + one.readout_host_cycles());
  for (const pb::StepFigures& f : one.per_step()) {
    pb::StepFigures* t = all.add_per_step();
    *t = f;
    t->set_step(f.step() + offset);
  }
  pb::Counters* c = all.mutable_counters();
  if (c->cores_size() == 0) {
    *c = one.counters();
    return;
  }
  for (int i = 0; i < one.counters().cores_size(); ++i)
    for (int k = 0; k < one.counters().cores(i).values_size(); ++k)
      c->mutable_cores(i)->set_values(k, c->cores(i).values(k) + one.counters().cores(i).values(k));
  for (int k = 0; k < one.counters().chip_size(); ++k) c->set_chip(k, c->chip(k) + one.counters().chip(k));
}

mapper::Network observe_populations(const mapper::Network& network, std::vector<std::string>* observed) {
  mapper::Network out = network;
  std::vector<mapper::PopulationId> watch;
  for (mapper::PopulationId v : network.populations()) {
    const mapper::Population& p = network.population(v);
    if (p.kind == mapper::NeuronKind::kInput || p.kind == mapper::NeuronKind::kOutput ||
        mapper::is_readout(p.kind))  // read-outs send no spikes to observe
      continue;
    bool read_out = false;
    for (auto [it, end] = boost::out_edges(v, network.graph); it != end; ++it)
      read_out |= network.population(boost::target(*it, network.graph)).kind == mapper::NeuronKind::kOutput;
    if (!read_out) watch.push_back(v);
  }
  for (mapper::PopulationId v : watch) {
    const mapper::Population& p = network.population(v);
    mapper::Population o;
    o.name = kObservePrefix + p.name;
    if (network.find(o.name)) throw InputError("population '" + o.name + "' exists: cannot observe '" + p.name + "'");
    o.kind = mapper::NeuronKind::kOutput;
    o.size = p.size;
    o.shape = p.shape;
    o.params.input_bias.assign(p.size, 0.0);
    const mapper::PopulationId ov = out.add_population(o);
    mapper::Projection pr;
    pr.name = p.name + "->" + o.name;
    for (uint32_t i = 0; i < p.size; ++i) pr.synapses.push_back({i, i, 1.0f});
    out.add_projection(v, ov, pr);
    if (observed) observed->push_back(p.name);
  }
  out.validate("observed network");
  return out;
}

Evaluation evaluate_samples(const mapper::Network& network, const mapper::MapResult& mapped,
                            std::vector<mapper::NetworkStimulus> samples, const std::vector<int>& labels,
                            const EvaluateOptions& options) {
  if (!labels.empty() && labels.size() != samples.size())
    throw InputError("labels: " + std::to_string(labels.size()) + " labels for " +
                     std::to_string(samples.size()) + " samples");
  // Without outputs every figure below would be a vacuous 100 % (nothing to disagree on).
  if (mapped.output.size() == 0)
    throw InputError("the network has no outputs (no Output node is reached from a population): chip and "
                     "float have nothing to compare");
  uint32_t steps = 0;
  for (const auto& s : samples) steps = std::max(steps, s.num_steps);
  for (auto& s : samples) s.num_steps = steps;  // every inference equally long
  Evaluation ev;
  Agreement& a = ev.agreement;
  ev.steps_per_sample = steps + mapped.output.latency;
  mapper::FloatSimOptions fo;
  fo.dt = mapped.report.dt;
  fo.reset_mode = mapped.report.reset_mode;
  const mapper::FloatReference reference(network, fo);
  const std::vector<double>& bias = mapped.output.bias;
  std::vector<double> chip_tot, float_tot;
  a.ports.resize(mapped.output.ports.size());
  std::vector<std::vector<double>> port_chip(a.ports.size()), port_float(a.ports.size());
  std::vector<std::size_t> port_of(mapped.output.size(), 0);
  for (std::size_t p = 0; p < mapped.output.ports.size(); ++p) {
    a.ports[p].name = mapped.output.ports[p].name;
    for (uint32_t k = 0; k < mapped.output.ports[p].size; ++k) port_of[mapped.output.ports[p].offset + k] = p;
  }
  const std::size_t n_class = options.class_outputs ? std::min<std::size_t>(options.class_outputs, mapped.output.size())
                                                    : mapped.output.size();
  const std::vector<double> class_bias(bias.begin(), bias.begin() + std::min(bias.size(), n_class));
  auto own = [&](const mapper::NetworkResponse& r) {  // the network's own outputs only
    if (n_class == mapped.output.size()) return r;
    mapper::NetworkResponse c = r;
    for (auto& v : c.values) v.resize(std::min(v.size(), n_class));
    return c;
  };
  std::vector<bool> analogue(mapped.output.size(), false);  // outputs with a read-out term
  for (uint32_t o = 0; o < mapped.output.size(); ++o)
    for (const auto& t : mapped.output.terms[o]) analogue[o] = analogue[o] || t.readout;
  uint64_t chip_ok = 0, float_ok = 0;
  // The chip runs go through run_batch a chunk at a time: each sample from the image's initial
  // state, the image loaded once per thread, samples spread over the threads.
  constexpr std::size_t kChunk = 256;
  std::vector<pb::RunResult> chunk;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    if (i % kChunk == 0) {
      std::vector<pb::Stimuli> stimuli;
      for (std::size_t k = i; k < std::min(samples.size(), i + kChunk); ++k)
        stimuli.push_back(mapped.stimuli(samples[k]));
      BatchOptions batch;
      batch.backend = options.backend;
      batch.run.probes = mapped.output.readout_probes();  // read-outs' v, every step (spec §10.7)
      chunk = run_batch(mapped.image, stimuli, batch);
    }
    const pb::RunResult& run = chunk[i % kChunk];
    const mapper::NetworkResponse chip = mapped.decode(run);
    const mapper::NetworkResponse ref = reference.run(samples[i]);
    // Read-out outputs are analogue: they agree within kReadoutTolerance of the sample's largest
    // |float value| (a quantised v is never exactly the float one); spike outputs agree exactly.
    double range = 0;
    for (const auto& row : ref.values)
      for (std::size_t o = 0; o < row.size(); ++o)
        if (analogue[o]) range = std::max(range, std::abs(row[o]));
    for (uint32_t t = 0; t < std::min(chip.num_steps, ref.num_steps); ++t)
      for (std::size_t o = 0; o < ref.values[t].size(); ++o) {
        const double tol = analogue[o] ? kReadoutTolerance * range : 1e-9;
        const bool equal = std::abs(chip.values[t][o] - ref.values[t][o]) <= tol;
        if (o < n_class) ++a.output_events, a.equal_events += equal;
        PortAgreement& p = a.ports[port_of[o]];
        ++p.output_events;
        p.equal_events += equal;
      }
    const auto ct = chip.totals(), ft = ref.totals();
    chip_tot.insert(chip_tot.end(), ct.begin(), ct.begin() + static_cast<std::ptrdiff_t>(std::min(ct.size(), n_class)));
    float_tot.insert(float_tot.end(), ft.begin(), ft.begin() + static_cast<std::ptrdiff_t>(std::min(ft.size(), n_class)));
    for (std::size_t o = 0; o < ct.size(); ++o) {
      const std::size_t p = port_of[o];
      port_chip[p].push_back(ct[o]);
      port_float[p].push_back(ft[o]);
      a.ports[p].chip_events += ct[o];
      a.ports[p].float_events += ft[o];
    }
    const mapper::NetworkResponse chip_own = own(chip), ref_own = own(ref);
    const int cc = decode_response(chip_own, options.decode, class_bias),
              fc = decode_response(ref_own, options.decode, class_bias);
    ev.chip_class.push_back(cc);
    ev.float_class.push_back(fc);
    a.argmax_equal += cc == fc;
    a.chip_silent += silent(chip_own, class_bias);
    a.float_silent += silent(ref_own, class_bias);
    if (!labels.empty()) chip_ok += cc == labels[i], float_ok += fc == labels[i];
    ++a.samples;
    append_run(ev.run, run);
    if (options.on_sample) options.on_sample(i + 1, samples.size());
  }
  a.spike_agreement = a.output_events ? double(a.equal_events) / double(a.output_events) : 1.0;
  a.count_correlation = correlation(chip_tot, float_tot);
  for (std::size_t p = 0; p < a.ports.size(); ++p) {
    PortAgreement& pa = a.ports[p];
    pa.spike_agreement = pa.output_events ? double(pa.equal_events) / double(pa.output_events) : 1.0;
    pa.count_correlation = correlation(port_chip[p], port_float[p]);
  }
  if (!labels.empty() && !samples.empty()) {
    a.chip_accuracy = double(chip_ok) / double(samples.size());
    a.float_accuracy = double(float_ok) / double(samples.size());
  }
  ev.run.set_image_name(mapped.image.name());
  return ev;
}

Agreement evaluate(const mapper::Network& network, const mapper::MapResult& mapped,
                   const std::vector<mapper::NetworkStimulus>& samples, const std::vector<int>& labels,
                   const std::string& backend) {
  EvaluateOptions o;
  o.backend = backend;
  return evaluate_samples(network, mapped, samples, labels, o).agreement;
}

// ---- Samples ----------------------------------------------------------------------------------

std::vector<mapper::NetworkStimulus> raster_samples(const NdArray& a, const std::string& name) {
  if (a.shape.size() != 3)
    throw InputError(name + ": a spike raster has 3 dimensions [samples, steps, inputs]; this array has " +
                     std::to_string(a.shape.size()));
  const std::size_t n = a.shape[0], steps = a.shape[1], inputs = a.shape[2];
  if (n == 0 || steps == 0) throw InputError(name + ": the raster has no samples or no steps");
  if (n > kMaxSamples) throw InputError(name + ": " + std::to_string(n) + " samples > " + std::to_string(kMaxSamples));
  std::vector<mapper::NetworkStimulus> out(n);
  for (std::size_t s = 0; s < n; ++s) {
    out[s].num_steps = static_cast<uint32_t>(steps);
    for (std::size_t t = 0; t < steps; ++t)
      for (std::size_t i = 0; i < inputs; ++i) {
        const double v = a.values[(s * steps + t) * inputs + i];
        if (v == 0) continue;
        if (v != 1)
          throw InputError(name + ": element [" + std::to_string(s) + ", " + std::to_string(t) + ", " +
                           std::to_string(i) + "] is " + std::to_string(v) +
                           "; a spike raster holds 0 or 1 (at most one spike per input and step)");
        out[s].spikes.push_back({static_cast<uint32_t>(t), static_cast<uint32_t>(i)});
      }
  }
  return out;
}

std::vector<mapper::NetworkStimulus> argwhere_samples(const Matrix& a, const std::string& path, uint32_t steps) {
  if (a.cols != 3)
    throw InputError(path + ": " + std::to_string(a.cols) +
                     " columns; sample spikes are rows (sample, step, input), 3 columns");
  if (a.rows == 0) throw InputError(path + ": no spikes (0 rows of (sample, step, input))");
  const double limit[3] = {double(kMaxSamples - 1), double((uint32_t{1} << 24) - 1), double(UINT32_MAX)};
  const char* const name[3] = {"sample", "step", "input"};
  std::vector<std::vector<mapper::SpikeEvent>> by_sample;
  uint32_t last_step = 0;
  for (std::size_t r = 0; r < a.rows; ++r) {
    for (std::size_t c = 0; c < 3; ++c) {
      const double v = a.at(r, c);
      if (!(v >= 0 && v <= limit[c] && v == std::floor(v)))
        throw InputError(path + ": row " + std::to_string(r) + ": " + name[c] + " " + std::to_string(v) +
                         " is not an integer in 0 ... " + std::to_string(uint64_t(limit[c])));
    }
    const auto sample = static_cast<std::size_t>(a.at(r, 0));
    if (sample >= by_sample.size()) by_sample.resize(sample + 1);
    const mapper::SpikeEvent e{static_cast<uint32_t>(a.at(r, 1)), static_cast<uint32_t>(a.at(r, 2))};
    last_step = std::max(last_step, e.step);
    by_sample[sample].push_back(e);
  }
  if (steps != 0 && last_step >= steps)
    throw InputError(path + ": a spike at step " + std::to_string(last_step) + " is outside --sample-steps " +
                     std::to_string(steps));
  std::vector<mapper::NetworkStimulus> out(by_sample.size());
  for (std::size_t i = 0; i < by_sample.size(); ++i) {
    std::sort(by_sample[i].begin(), by_sample[i].end());
    for (std::size_t k = 1; k < by_sample[i].size(); ++k)
      if (by_sample[i][k] == by_sample[i][k - 1])
        throw InputError(path + ": sample " + std::to_string(i) + " has the spike (step " +
                         std::to_string(by_sample[i][k].step) + ", input " +
                         std::to_string(by_sample[i][k].index) + ") twice");
    out[i].num_steps = steps != 0 ? steps : last_step + 1;
    out[i].spikes = std::move(by_sample[i]);
  }
  return out;
}

std::vector<mapper::NetworkStimulus> encoded_samples(const Matrix& data, const std::string& name,
                                                     const std::string& encoding, uint32_t steps,
                                                     double max_value, uint64_t seed) {
  if (encoding != "rate" && encoding != "latency")
    throw InputError("option '--encoding': '" + encoding + "' is not rate or latency");
  if (steps == 0) throw InputError("option '--steps': " + encoding + " coding needs the steps per sample");
  std::vector<mapper::NetworkStimulus> out(data.rows);
  for (std::size_t i = 0; i < data.rows; ++i) {
    const std::vector<double> row(data.values.begin() + static_cast<std::ptrdiff_t>(i * data.cols),
                                  data.values.begin() + static_cast<std::ptrdiff_t>((i + 1) * data.cols));
    std::vector<ChannelSpike> ev;
    try {
      ev = encoding == "rate" ? rate_encode(row, steps, max_value, mix_seed(seed, i))
                              : latency_encode(row, steps, max_value);
    } catch (const InputError& e) {
      throw InputError(name + ": row " + std::to_string(i) + ", " + e.what());
    }
    sort_spikes(ev);
    out[i].num_steps = steps;
    for (const ChannelSpike& s : ev) out[i].spikes.push_back({s.step, s.channel});
  }
  return out;
}

std::vector<mapper::NetworkStimulus> read_spike_samples(const std::string& path, uint32_t steps) {
  const NdArray a = read_array(path);
  if (a.shape.size() == 3) {
    std::vector<mapper::NetworkStimulus> s = raster_samples(a, path);
    if (steps != 0 && steps != s.front().num_steps)
      throw InputError(path + ": the raster has " + std::to_string(s.front().num_steps) +
                       " steps; --sample-steps says " + std::to_string(steps));
    return s;
  }
  Matrix m;
  m.rows = a.shape.size() == 2 ? a.shape[0] : 1;
  m.cols = a.shape.empty() ? 1 : a.shape.back();
  m.values = a.values;
  return argwhere_samples(m, path, steps);
}

std::vector<int> read_labels(const std::string& path) {
  const Matrix m = read_matrix(path);
  std::vector<int> labels;
  for (std::size_t i = 0; i < m.values.size(); ++i) {
    const double v = m.values[i];
    if (!(v >= 0 && v <= 1e9 && v == std::floor(v)))
      throw InputError(path + ": label " + std::to_string(i) + " (" + std::to_string(v) +
                       ") is not a non-negative integer");
    labels.push_back(static_cast<int>(v));
  }
  return labels;
}

}  // namespace lifchip::flow
