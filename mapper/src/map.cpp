// The mapper's driver: options to chip shape, quantise -> partition -> place -> route/emit, the fit
// dry run, rate measurement on sample stimuli, the report (tables and JSON) and the host bindings.
#include "lifchip/mapper/map.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <tuple>

#include "lifchip/chip_constants.h"
#include "lifchip/json_read.h"
#include "stages.h"

namespace lifchip::mapper {
namespace {

using detail::group_digits;

std::string fixed(double v, int digits) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  std::ostringstream os;
  os << std::fixed << std::setprecision(digits) << v;
  return os.str();
}

ChipShape shape_of(const MapOptions& o, uint32_t width, uint32_t height) {
  pb::ChipConfig cfg;
  cfg.set_mesh_width(width);
  cfg.set_mesh_height(height);
  cfg.set_neurons_per_core(o.neurons_per_core);
  cfg.set_axons_per_core(o.axons_per_core);
  cfg.set_synapses_per_core(o.synapses_per_core);
  cfg.set_fanout_per_core(o.fanout_per_core);
  cfg.set_profiles_per_core(o.profiles_per_core);
  cfg.set_clock_hz(o.clock_hz);
  try {
    return chip_shape(cfg);
  } catch (const InputError& e) {
    throw InputError(std::string("options: ") + e.what());
  }
}

bool mesh_is_auto(const MapOptions& o) { return o.mesh_auto && o.mesh_width == 0 && o.mesh_height == 0; }

// The mesh sizes `--mesh auto` tries, smallest first: 1x1, 2x1, 2x2, 3x2, 3x3, ... (W >= H,
// W - H <= 1) up to the spec's largest square.
std::vector<std::pair<uint32_t, uint32_t>> near_square_meshes() {
  std::vector<std::pair<uint32_t, uint32_t>> v;
  for (uint32_t h = 1; h <= spec::MESH_DIM_MAX; ++h) {
    v.emplace_back(h, h);
    if (h + 1 <= spec::MESH_DIM_MAX) v.emplace_back(h + 1, h);
  }
  std::sort(v.begin(), v.end(),
            [](const auto& a, const auto& b) { return a.first * a.second < b.first * b.second; });
  return v;
}

std::string mesh_name(uint32_t w, uint32_t h) { return std::to_string(w) + "x" + std::to_string(h); }

// Seconds as milliseconds with 4 significant digits ("0.5 ms").
std::string ms(double seconds) {
  std::ostringstream os;
  os.precision(4);
  os << seconds * 1e3 << " ms";
  return os.str();
}

detail::Capacities capacities(const ChipShape& s) {
  detail::Capacities c;
  c.neurons = s.neurons;
  c.axons = s.axons;
  c.synapses = s.synapses;
  c.fanout = s.fanout;
  c.profiles = s.profiles;
  c.groups = spec::SYN_GROUPS_PER_CORE;
  return c;
}

// Spikes per step per source over the samples (measured, checked by partition_core), or 1 for every
// source (uniform).
std::vector<double> rates_of(const detail::QNet& q, const MapOptions& o, std::string& how) {
  std::vector<double> r(q.num_sources(), 1.0);
  if (o.sample_stimuli.empty()) {
    how = "uniform (every input and neuron spikes every step)";
    return r;
  }
  std::fill(r.begin(), r.end(), 0.0);
  uint64_t steps = 0;
  for (std::size_t i = 0; i < o.sample_stimuli.size(); ++i) {
    const NetworkStimulus& st = o.sample_stimuli[i];
    const detail::FixedRun run = detail::simulate_fixed(q, st, st.num_steps);
    for (uint32_t s = 0; s < q.num_sources(); ++s) r[s] += double(run.source_spikes[s]);
    steps += st.num_steps;
  }
  if (steps) {
    for (double& x : r) x /= double(steps);
  }
  how = "measured on " + std::to_string(o.sample_stimuli.size()) + " sample stimuli (" +
        std::to_string(steps) + " steps) with the chip's integer model of the quantised network";
  return r;
}

struct Core {
  detail::QNet q;
  detail::Partition part;
  FitResult fit;
  ChipShape shape;
  std::vector<double> rates;
  std::string rate_how;
};

// Figures worth a look that do not stop the mapping (docs/mapper.md §2, "Warnings").
std::vector<std::string> warnings_of(const Network& net, const detail::QNet& q, const detail::DtChoice& dt,
                                     const detail::Calibration* cal, std::size_t samples) {
  std::vector<std::string> w;
  if (!dt.warning.empty()) w.push_back(dt.warning);
  for (std::size_t k = 0; k < q.pops.size(); ++k) {
    const Population& p = net.population(q.pops[k].id);
    const LayerQuant& L = q.layers[k];
    const std::string pop = "population '" + p.name + "': ";
    for (const auto& [name, taus, err] : {std::make_tuple("tau_mem", &p.params.tau_mem, L.tau_mem_error),
                                          std::make_tuple("tau_syn", &p.params.tau_syn, L.tau_syn_error)}) {
      if (taus->empty()) continue;
      const double tau = *std::min_element(taus->begin(), taus->end());
      if (q.dt > tau)
        w.push_back(pop + "dt " + ms(q.dt) + " > " + name + " " + ms(tau) +
                    ": the decay saturates at one step, the time constant is lost");
      if (!(err <= 0.05))
        w.push_back(pop + name + " realised with a " + (std::isfinite(err) ? fixed(100 * err, 1) : "100") +
                    " % error (> 5 %) at dt " + ms(q.dt));
    }
  }
  for (const auto& pq : q.projections) {
    const uint64_t lost = pq.zeroed + pq.clipped;
    if (pq.nonzero && lost * 100 > pq.nonzero)
      w.push_back("projection '" + pq.name + "' ('" + pq.source + "' -> '" + pq.target +
                  "'): " + group_digits(lost) + " of " + group_digits(pq.nonzero) + " non-zero weights (" +
                  fixed(100.0 * double(lost) / double(pq.nonzero), 1) + " %) lost to quantisation (> 1 %): " +
                  group_digits(pq.zeroed) + " zeroed, " + group_digits(pq.clipped) + " clipped");
  }
  if (cal && cal->spikes == 0)
    w.push_back("the float reference is silent: no neuron spikes on the " + std::to_string(samples) +
                " calibration sample(s) (check dt, the input scaling and the weights)");
  return w;
}

// The host input FIFO holds HOST_SPIKE_FIFO_DEPTH packets for one step (spec §7); an input spike
// costs one packet per core that reads it. With sample stimuli the busiest step decides (more does
// not fit: the chip would stop with ERR_SPIKE_IN_OVERFLOW); without, every input spiking at once is
// the bound, a warning when it is over (inputs rarely all spike together).
void check_host_input_fifo(Core& c, const MapOptions& o) {
  const detail::QNet& q = c.q;
  std::vector<uint32_t> packets(q.num_inputs, 0);
  uint64_t all = 0;
  std::vector<uint32_t> seen;
  for (uint32_t s = 0; s < q.num_inputs; ++s) {
    seen.clear();
    for (uint64_t k = q.out_start[s]; k < q.out_start[s + 1]; ++k) seen.push_back(c.part.core_of[q.out_target[k]]);
    std::sort(seen.begin(), seen.end());
    packets[s] = static_cast<uint32_t>(std::unique(seen.begin(), seen.end()) - seen.begin());
    all += packets[s];
  }
  const uint64_t depth = static_cast<uint64_t>(spec::HOST_SPIKE_FIFO_DEPTH);
  if (o.sample_stimuli.empty()) {
    if (all > depth)
      c.fit.warnings.push_back("host input FIFO: if every input spikes in one step, " + group_digits(all) +
                               " host packets (each input to every core that reads it) exceed the " +
                               group_digits(depth) + " the FIFO holds per step (spec §7); pass --samples to check "
                               "the real rates");
    return;
  }
  uint64_t worst = 0;
  std::size_t worst_sample = 0;
  uint32_t worst_step = 0;
  for (std::size_t i = 0; i < o.sample_stimuli.size(); ++i) {
    const auto& spikes = o.sample_stimuli[i].spikes;  // sorted by step
    for (std::size_t k = 0; k < spikes.size();) {
      uint64_t n = 0;
      const uint32_t t = spikes[k].step;
      for (; k < spikes.size() && spikes[k].step == t; ++k) n += packets[spikes[k].index];
      if (n > worst) worst = n, worst_sample = i, worst_step = t;
    }
  }
  if (worst <= depth) return;
  c.fit.fits = false;
  c.fit.binding_limit = "host input packets per step";
  c.fit.where = "sample " + std::to_string(worst_sample) + ", step " + std::to_string(worst_step);
  c.fit.needed = worst;
  c.fit.limit = depth;
  c.fit.headroom = 1.0 - double(worst) / double(depth);
  c.fit.message = "host input FIFO: sample " + std::to_string(worst_sample) + ", step " + std::to_string(worst_step) +
                  " needs " + group_digits(worst) + " host packets (each input spike goes to every core that reads "
                  "it), the FIFO holds " + group_digits(depth) + " per step (spec §7): fewer cores for the first "
                  "layer (--partition optimise, larger --neurons-per-core) or fewer input spikes per step";
}

// Quantise and partition, choosing the time step, the strategy and the mesh; `fit` says whether
// it fits and why this mesh and strategy. Options errors (and, strict, warnings) throw.
Core partition_core(const Network& net, const MapOptions& o, std::vector<std::string>& notes) {
  Core c;
  const bool mesh_auto = mesh_is_auto(o);
  // The per-core capacities (and the mesh, when given) are checked before any work.
  c.shape = mesh_auto ? shape_of(o, spec::MESH_DIM_MAX, spec::MESH_DIM_MAX)
                      : shape_of(o, o.mesh_width ? o.mesh_width : spec::MESH_WIDTH_DEFAULT,
                                 o.mesh_height ? o.mesh_height : spec::MESH_HEIGHT_DEFAULT);
  const bool partition_auto = o.partition == "auto";
  std::vector<std::string> strategies =
      partition_auto ? std::vector<std::string>{"greedy", "optimise"} : std::vector<std::string>{o.partition};
  if (!partition_auto) detail::PartitionerRegistry::create(o.partition);  // unknown names fail first
  detail::PlacerRegistry::create(o.place);
  net.validate();

  const detail::DtChoice dtc = detail::choose_dt(net, o.dt);
  const double dt = dtc.dt;
  c.fit.dt = dt;
  c.fit.dt_rule = dtc.rule;
  c.fit.producer = dtc.producer;
  notes.push_back("dt: " + dtc.rule);
  notes.push_back("producer convention: " + dtc.producer);
  detail::ScaleOptions scale;
  scale.headroom = o.headroom;
  for (std::size_t i = 0; i < o.sample_stimuli.size(); ++i)
    detail::check_stimulus(o.sample_stimuli[i], net.num_inputs(), "sample stimulus " + std::to_string(i));
  std::optional<detail::Calibration> cal;
  if (!o.sample_stimuli.empty()) {
    cal = detail::calibrate(net, dt, o.reset_mode, o.sample_stimuli);
    if (o.headroom == 0) scale.peak = cal->peak;
  }
  c.q = detail::quantise(net, dt, o.reset_mode, scale);
  c.fit.warnings = warnings_of(net, c.q, dtc, cal ? &*cal : nullptr, o.sample_stimuli.size());
  if (o.strict && !c.fit.warnings.empty()) throw InputError("--strict: " + c.fit.warnings.front());
  c.rates = rates_of(c.q, o, c.rate_how);
  const detail::Capacities cap = capacities(c.shape);
  const uint32_t max_cores = c.shape.num_cores();

  // Strategies in order of cost; the first whose partition the mesh (or the largest mesh) holds.
  bool have = false, placed = false;
  std::optional<detail::PartitionError> first_error;
  std::string tried;
  for (const std::string& name : strategies) {
    detail::Partition p;
    try {
      p = detail::PartitionerRegistry::create(name)->run(c.q, cap, c.rates, o.seed);
    } catch (const detail::PartitionError& e) {
      if (!first_error) first_error = e;
      tried +=
          (tried.empty() ? "" : ", ") + name + " does not fit (" + e.binding_limit + " on " + e.where + ")";
      continue;
    }
    const uint32_t n = p.num_cores;
    if (!have || n < c.part.num_cores) {
      c.part = std::move(p);
      c.fit.partition = name;
      have = true;
    }
    if (n <= max_cores) {  // then it is also the smallest so far: every earlier one was over
      tried += (tried.empty() ? "" : ", ") + name + " fits on " + std::to_string(n) +
               (n == 1 ? " core" : " cores");
      placed = true;
      break;
    }
    tried += (tried.empty() ? "" : ", ") + name + " needs " + std::to_string(n) + " cores (> " +
             std::to_string(max_cores) + ")";
  }
  c.fit.partition_rule =
      partition_auto ? "partition auto: " + tried : "partition " + o.partition + " (given)";
  if (!partition_auto && placed)
    c.fit.partition_rule +=
        ": fits on " + std::to_string(c.part.num_cores) + (c.part.num_cores == 1 ? " core" : " cores");

  // The mesh: the given one, or the smallest near-square one that holds the partition.
  if (mesh_auto) {
    uint32_t w = spec::MESH_DIM_MAX, h = spec::MESH_DIM_MAX;
    if (have && c.part.num_cores <= max_cores) {
      for (const auto& [mw, mh] : near_square_meshes())
        if (mw * mh >= c.part.num_cores) {
          w = mw, h = mh;
          break;
        }
      c.fit.mesh_rule = "mesh auto: " + mesh_name(w, h) + ", the smallest near-square mesh that holds " +
                        std::to_string(c.part.num_cores) + (c.part.num_cores == 1 ? " core" : " cores");
    } else {
      c.fit.mesh_rule = "mesh auto: no mesh up to " + mesh_name(w, h) + " holds the network";
    }
    c.shape = shape_of(o, w, h);
  } else {
    c.fit.mesh_rule = "mesh " + mesh_name(c.shape.width, c.shape.height) +
                      (o.mesh_width || o.mesh_height ? " (given)" : " (the spec's default)");
  }
  c.fit.mesh_width = c.shape.width;
  c.fit.mesh_height = c.shape.height;
  c.fit.cores_available = c.shape.num_cores();

  if (!have) {
    const detail::PartitionError& e = *first_error;
    c.fit.fits = false;
    c.fit.message = e.what();
    c.fit.where = e.where;
    c.fit.binding_limit = e.binding_limit;
    c.fit.needed = e.needed;
    c.fit.limit = e.limit;
    c.fit.headroom = e.limit ? 1.0 - double(e.needed) / double(e.limit) : 0;
    return c;
  }
  c.fit.cores_used = c.part.num_cores;
  const bool ok = detail::check_partition(c.q, c.part, cap, c.fit);
  if (!ok) {
    c.fit.fits = false;
  } else if (c.part.num_cores > c.shape.num_cores()) {
    c.fit.fits = false;
    c.fit.message = "needs " + std::to_string(c.part.num_cores) + " cores, the " +
                    mesh_name(c.shape.width, c.shape.height) + " mesh has " +
                    std::to_string(c.shape.num_cores()) + " (fullest resource: " + c.fit.binding_limit + " " +
                    group_digits(c.fit.needed) + " of " + group_digits(c.fit.limit) + ")";
    c.fit.binding_limit = "cores";
    c.fit.where = "chip";
    c.fit.needed = c.part.num_cores;
    c.fit.limit = c.shape.num_cores();
    c.fit.headroom = 1.0 - double(c.fit.needed) / double(c.fit.limit);
  } else {
    c.fit.fits = true;
    c.fit.message = "fits on " + std::to_string(c.part.num_cores) + " of " +
                    std::to_string(c.shape.num_cores()) + " cores; binding: " + c.fit.binding_limit + " " +
                    group_digits(c.fit.needed) + " of " + group_digits(c.fit.limit) + " on " + c.fit.where;
    check_host_input_fifo(c, o);
    if (o.strict && !c.fit.warnings.empty()) throw InputError("--strict: " + c.fit.warnings.back());
  }
  return c;
}

nlohmann::json section_json(const ReportSection& s) {
  nlohmann::json j;
  j["pass"] = s.pass;
  nlohmann::json f = nlohmann::json::object();
  for (const auto& [k, v] : s.figures) f[k] = v;
  j["figures"] = f;
  j["notes"] = s.notes;
  return j;
}

double finite_or(double v, double alt) { return std::isfinite(v) ? v : alt; }

}  // namespace

bool OutputBinding::identity() const {
  for (std::size_t o = 0; o < terms.size(); ++o)
    if (terms[o].size() != 1 || terms[o][0].weight != 1.0 || terms[o][0].readout || bias[o] != 0.0) return false;
  return true;
}

std::vector<double> NetworkResponse::totals() const {
  std::vector<double> t(values.empty() ? 0 : values[0].size(), 0.0);
  for (const auto& row : values)
    for (std::size_t o = 0; o < row.size(); ++o) t[o] += row[o];
  return t;
}

int NetworkResponse::argmax() const {
  const std::vector<double> t = totals();
  if (t.empty()) return -1;
  return static_cast<int>(std::max_element(t.begin(), t.end()) - t.begin());
}

pb::Stimuli MapResult::stimuli(const NetworkStimulus& stimulus) const {
  detail::check_stimulus(stimulus, input.size(), "stimulus");
  pb::Stimuli st;
  st.set_num_steps(stimulus.num_steps + output.latency);
  pb::StepInput* cur = nullptr;
  for (const SpikeEvent& e : stimulus.spikes) {
    if (input.targets[e.index].empty()) continue;
    if (!cur || cur->step() != e.step) {
      cur = st.add_steps();
      cur->set_step(e.step);
    }
    for (const AxonAddress& a : input.targets[e.index]) {
      cur->add_x(a.x);
      cur->add_y(a.y);
      cur->add_axon(a.axon);
    }
  }
  return st;
}

const PopulationPlacement* MapResult::placement_of(const std::string& population) const {
  for (const PopulationPlacement& p : placement)
    if (p.population == population) return &p;
  return nullptr;
}

pb::ProbeSpec OutputBinding::readout_probes() const {
  pb::ProbeSpec spec;
  pb::ProbeSpec::ReadoutRange* last = nullptr;
  for (const Readout& ro : readouts) {
    if (last && last->x() == ro.x && last->y() == ro.y && last->first() + last->count() == ro.core_neuron) {
      last->set_count(last->count() + 1);
      continue;
    }
    last = spec.add_readouts();
    last->set_x(ro.x);
    last->set_y(ro.y);
    last->set_first(ro.core_neuron);
    last->set_count(1);
  }
  return spec;
}

namespace {

// Spikes (and, with `result`, the read-outs it read) -> the network's outputs (see OutputBinding).
NetworkResponse decode_outputs(const OutputBinding& output, const std::vector<OutputSpike>& spikes,
                               uint32_t num_steps, const pb::RunResult* result) {
  NetworkResponse r;
  r.num_steps = num_steps > output.latency ? num_steps - output.latency : 0;
  r.values.assign(r.num_steps, output.bias);
  // Channel -> the outputs it feeds; read-out -> the outputs it feeds.
  std::vector<std::vector<std::pair<uint32_t, double>>> uses(output.channels.size()),
      reads(output.readouts.size());
  for (uint32_t o = 0; o < output.size(); ++o)
    for (const OutputBinding::Term& t : output.terms[o]) (t.readout ? reads : uses)[t.channel].emplace_back(o, t.weight);
  for (const OutputSpike& s : spikes) {
    if (s.step < output.latency) continue;
    const uint32_t t = s.step - output.latency;
    if (t >= r.num_steps || s.channel >= uses.size()) continue;
    for (const auto& [o, w] : uses[s.channel]) r.values[t][o] += w;
  }
  if (output.readouts.empty()) return r;
  // (core, neuron) -> where its v is in the result's read-out traces.
  std::map<std::tuple<uint32_t, uint32_t, uint32_t>, std::pair<int, uint32_t>> where;
  for (int k = 0; k < result->readouts_size(); ++k) {
    const pb::ReadoutTrace& tr = result->readouts(k);
    if (uint64_t{tr.count()} * result->steps() != static_cast<uint64_t>(tr.values_size()))
      throw InputError("run result: readouts[" + std::to_string(k) + "] has " + std::to_string(tr.values_size()) +
                       " values, expected count " + std::to_string(tr.count()) + " x steps " +
                       std::to_string(result->steps()));
    for (uint32_t i = 0; i < tr.count(); ++i) where[{tr.x(), tr.y(), tr.first() + i}] = {k, i};
  }
  for (std::size_t ro = 0; ro < output.readouts.size(); ++ro) {
    const OutputBinding::Readout& rd = output.readouts[ro];
    const auto it = where.find({rd.x, rd.y, rd.core_neuron});
    if (it == where.end())
      throw InputError("run result: no read-out of population '" + rd.population + "' neuron " +
                       std::to_string(rd.neuron) + " (core (" + std::to_string(rd.x) + "," + std::to_string(rd.y) +
                       ") neuron " + std::to_string(rd.core_neuron) + "): run with the bindings' read-out probes");
    const pb::ReadoutTrace& tr = result->readouts(it->second.first);
    for (uint32_t t = 0; t < r.num_steps; ++t) {
      const double v = tr.values(static_cast<int>((t + output.latency) * tr.count() + it->second.second)) * rd.scale +
                       rd.offset;
      for (const auto& [o, w] : reads[ro]) r.values[t][o] += w * v;
    }
  }
  return r;
}

}  // namespace

NetworkResponse MapResult::decode(const std::vector<OutputSpike>& spikes, uint32_t num_steps) const {
  if (!output.readouts.empty())
    throw InputError("outputs: " + std::to_string(output.readouts.size()) + " are read-outs of population '" +
                     output.readouts[0].population + "': decode them from a run result that read them");
  return decode_outputs(output, spikes, num_steps, nullptr);
}

NetworkResponse MapResult::decode(const pb::RunResult& result) const {
  std::vector<OutputSpike> spikes;
  for (const auto& s : result.spikes()) {
    OutputSpike o;
    o.step = s.step();
    o.channel = s.channel();
    spikes.push_back(o);
  }
  return decode_outputs(output, spikes, result.steps(), &result);
}

FitResult fit_network(const Network& network, const MapOptions& options) {
  std::vector<std::string> notes;
  return partition_core(network, options, notes).fit;
}

MapResult map_network(const Network& network, const MapOptions& options) {
  MapResult res;
  MapReport& rep = res.report;
  std::vector<std::string> notes;
  Core c = partition_core(network, options, notes);
  rep.fit = c.fit;
  if (!c.fit.fits) throw InputError(c.fit.message);
  const detail::QNet& q = c.q;
  rep.dt = q.dt;
  rep.reset_mode = q.reset_mode;
  rep.layers = q.layers;

  ReportSection quant;
  quant.pass = "quantise";
  quant.figure("dt_s", fixed(q.dt, 6));
  quant.figure("reset_mode", q.reset_mode == pb::RESET_SUBTRACT ? "subtract" : "zero");
  quant.figure("populations", static_cast<uint64_t>(q.pops.size()));
  quant.figure("neurons", static_cast<uint64_t>(q.num_neurons));
  quant.figure("synapses", static_cast<uint64_t>(q.out_target.size()));
  quant.figure("profiles", static_cast<uint64_t>(q.profiles.size()));
  quant.figure("latency_steps", static_cast<uint64_t>(q.latency));
  quant.figure("dt_rule", c.fit.dt_rule);
  quant.figure("producer", c.fit.producer);
  for (const auto& n : notes) quant.note(n);
  for (const auto& L : q.layers)
    for (const auto& n : L.notes) quant.note("population '" + L.population + "': " + n);
  rep.passes.sections.push_back(quant);

  ReportSection part;
  part.pass = "partition";
  part.figure("strategy", c.fit.partition);
  part.figure("mesh", mesh_name(c.shape.width, c.shape.height));
  part.figure("cores", static_cast<uint64_t>(c.part.num_cores));
  part.figure("binding",
              c.fit.binding_limit + " " + group_digits(c.fit.needed) + " of " + group_digits(c.fit.limit));
  part.figure("packets_per_step", fixed(detail::partition_packets(q, c.part, c.rates), 3));
  part.note(c.fit.partition_rule);
  part.note(c.fit.mesh_rule);
  part.note("rates: " + c.rate_how);

  auto placer = detail::PlacerRegistry::create(options.place);
  const detail::Traffic traffic = detail::core_traffic(q, c.part, c.rates);
  const std::vector<uint32_t> slot = placer->run(traffic, c.shape.width, c.shape.height, options.seed);
  ReportSection place;
  place.pass = "place";
  place.figure("strategy", options.place);
  place.figure("packet_hops_per_step", fixed(detail::placement_cost(traffic, slot, c.shape.width), 3));

  detail::Emitted em = detail::emit_image(
      q, c.part, slot, c.shape, options.image_name.empty() ? "mapped" : options.image_name, options.seed);
  res.image = std::move(em.image);
  res.input = std::move(em.input);
  res.output = std::move(em.output);
  res.placement = std::move(em.placement);

  const detail::TrafficCount tc = detail::predict_traffic(q, c.part, slot, c.shape.width, c.rates);
  rep.traffic.rates = c.rate_how;
  rep.traffic.packets = tc.packets;
  rep.traffic.hops = tc.hops;
  rep.traffic.packet_hops = tc.hops;
  if (c.fit.partition == "greedy" && options.place == "rowmajor") {
    rep.traffic.baseline_packet_hops = tc.hops;
  } else {
    // Greedy + rowmajor on this mesh, or with mesh auto on the smallest near-square mesh that holds
    // it (what `--partition greedy --place rowmajor` would give); 0 when greedy fits neither.
    rep.traffic.baseline_packet_hops = 0;
    try {
      const detail::Partition base = detail::greedy_fill(q, capacities(c.shape));
      std::vector<uint32_t> rm(base.num_cores);
      for (uint32_t k = 0; k < base.num_cores; ++k) rm[k] = k;
      uint32_t width = base.num_cores <= c.shape.num_cores() ? c.shape.width : 0;
      if (width == 0 && mesh_is_auto(options))
        for (const auto& [mw, mh] : near_square_meshes())
          if (mw * mh >= base.num_cores) {
            width = mw;
            break;
          }
      if (width) rep.traffic.baseline_packet_hops = detail::predict_traffic(q, base, rm, width, c.rates).hops;
    } catch (const detail::PartitionError&) {
    }
  }
  place.figure("baseline_packet_hops_per_step", fixed(rep.traffic.baseline_packet_hops, 3));
  rep.passes.sections.push_back(part);
  rep.passes.sections.push_back(place);

  ReportSection route;
  route.pass = "route";
  uint64_t fan = 0, axons = 0, syn = 0;
  for (const auto& k : res.image.cores())
    fan += static_cast<uint64_t>(k.fanout_axon_size()),
        axons += static_cast<uint64_t>(k.axon_syn_base_size()),
        syn += static_cast<uint64_t>(k.syn_neuron_size());
  route.figure("routing", "XY dimension order");
  route.figure("fanout_entries", fan);
  route.figure("axons", axons);
  route.figure("synapse_entries", syn);
  route.figure("host_output_channels", static_cast<uint64_t>(res.output.channels.size()));
  rep.passes.sections.push_back(route);
  ReportSection emit;
  emit.pass = "emit";
  emit.figure("cores", static_cast<uint64_t>(res.image.cores_size()));
  std::ostringstream cs;
  cs << "0x" << std::hex << std::setw(8) << std::setfill('0') << res.image.checksum();
  emit.figure("checksum", cs.str());
  rep.passes.sections.push_back(emit);

  // Per-core usage in image order, with predicted packets out.
  const detail::Usage use = detail::partition_usage(q, c.part);
  std::vector<double> pk(c.part.num_cores, 0);
  {
    std::vector<uint32_t> stamp(c.part.num_cores, UINT32_MAX);
    for (uint32_t s = q.num_inputs; s < q.num_sources(); ++s) {
      uint32_t d = q.to_host[s - q.num_inputs];
      for (uint64_t i = q.out_start[s]; i < q.out_start[s + 1]; ++i) {
        const uint32_t k = c.part.core_of[q.out_target[i]];
        if (stamp[k] != s) stamp[k] = s, ++d;
      }
      pk[c.part.core_of[s - q.num_inputs]] += c.rates[s] * d;
    }
  }
  std::vector<uint32_t> by_slot(c.part.num_cores);
  for (uint32_t k = 0; k < c.part.num_cores; ++k) by_slot[k] = k;
  std::sort(by_slot.begin(), by_slot.end(), [&](uint32_t a, uint32_t b) { return slot[a] < slot[b]; });
  for (uint32_t k : by_slot) {
    CoreUsage u = use.cores[k];
    u.x = slot[k] % c.shape.width;
    u.y = slot[k] / c.shape.width;
    u.packets_out = pk[k];
    rep.cores.push_back(u);
  }
  rep.fit.message = "fits on " + std::to_string(c.part.num_cores) + " of " +
                    std::to_string(c.shape.num_cores()) + " cores; binding: " + c.fit.binding_limit + " " +
                    group_digits(c.fit.needed) + " of " + group_digits(c.fit.limit);
  // Name the binding core by its coordinates.
  {
    const std::string w = c.fit.where;
    if (w.rfind("core ", 0) == 0) {
      const uint32_t k = static_cast<uint32_t>(std::stoul(w.substr(5)));
      rep.fit.where = "core (" + std::to_string(slot[k] % c.shape.width) + "," +
                      std::to_string(slot[k] / c.shape.width) + ")";
      rep.fit.message += " on " + rep.fit.where;
    }
  }
  return res;
}

std::string ReportTable::text() const {
  std::ostringstream os;
  auto line = [&](const std::vector<std::string>& cells) {
    os << "  ";
    for (std::size_t c = 0; c < columns.size(); ++c) {
      const Column& col = columns[c];
      os << std::string(static_cast<std::size_t>(col.gap), ' ') << (col.left ? std::left : std::right)
         << std::setw(col.width) << (c < cells.size() ? cells[c] : std::string());
    }
    os << std::right << "\n";
  };
  std::vector<std::string> head;
  for (const Column& c : columns) head.push_back(c.header);
  line(head);
  for (const auto& r : rows) line(r);
  return os.str();
}

std::vector<ReportTable> map_report_tables(const nlohmann::json& j) {
  auto need = [](const nlohmann::json& o, const char* key) -> const nlohmann::json& {
    if (!o.is_object() || !o.contains(key))
      throw InputError(std::string("map report: no '") + key + "' (not a `lifchip map --json` document)");
    return o.at(key);
  };
  auto num = [&](const nlohmann::json& o, const char* key) {
    const nlohmann::json& v = need(o, key);
    if (v.is_null()) return std::numeric_limits<double>::infinity();  // JSON has no inf
    if (!v.is_number()) throw InputError(std::string("map report: '") + key + "' is not a number");
    return v.get<double>();
  };
  auto integer = [&](const nlohmann::json& o, const char* key) {
    return std::to_string(json_read::integer<int64_t>(need(o, key), "map report", std::string("'") + key + "'"));
  };
  auto str = [&](const nlohmann::json& o, const char* key) {
    const nlohmann::json& v = need(o, key);
    if (!v.is_string()) throw InputError(std::string("map report: '") + key + "' is not a string");
    return v.get<std::string>();
  };
  std::vector<ReportTable> out;
  ReportTable q;
  q.title = "Quantisation (dt = " + fixed(num(j, "dt_s") * 1e3, 3) + " ms)";
  q.columns = {{"population", 16, true},  {"kind", 8},     {"neurons", 8}, {"du", 6},       {"dv", 6},
               {"tau_syn%", 10},          {"tau_mem%", 10}, {"vth%", 8},   {"wexp", 6},     {"SQNR dB", 10},
               {"clipped", 8},            {"zeroed", 8},   {"headroom", 10}, {"peak", 8}};
  for (const nlohmann::json& L : need(j, "layers")) {
    const double peak = num(L, "calibrated_peak");
    q.rows.push_back({str(L, "population"), str(L, "kind"), integer(L, "size"), integer(L, "du"), integer(L, "dv"),
                      fixed(100 * num(L, "tau_syn_error"), 2), fixed(100 * num(L, "tau_mem_error"), 2),
                      fixed(100 * num(L, "threshold_error"), 3), integer(L, "weight_exp"),
                      fixed(num(L, "weight_sqnr_db"), 1), integer(L, "weights_clipped"),
                      integer(L, "weights_zeroed"), fixed(num(L, "headroom"), 1),
                      std::isfinite(peak) && peak >= 0 ? fixed(peak, 2) : std::string("-")});
  }
  out.push_back(std::move(q));
  ReportTable c;
  c.title = "Cores";
  c.columns = {{"core", 8, true}, {"neurons", 8}, {"axons", 8},  {"synapses", 10},   {"fanout", 8},
               {"profiles", 9},   {"groups", 7},  {"packets/st", 12}, {"populations", 0, true, 2}};
  for (const nlohmann::json& u : need(j, "cores")) {
    std::string pops;
    for (const nlohmann::json& p : need(u, "populations"))
      pops += (pops.empty() ? "" : ",") + (p.is_string() ? p.get<std::string>() : p.dump());
    c.rows.push_back({"(" + integer(u, "x") + "," + integer(u, "y") + ")", integer(u, "neurons"),
                      integer(u, "axons"), integer(u, "synapses"), integer(u, "fanout"), integer(u, "profiles"),
                      integer(u, "groups"), fixed(num(u, "packets_out"), 2), pops});
  }
  out.push_back(std::move(c));
  return out;
}

std::string MapReport::table() const {
  std::ostringstream os;
  os << "Fit: " << fit.message << "\n";
  os << "  " << fit.mesh_rule << "\n  " << fit.partition_rule << "\n  " << fit.dt_rule
     << "\n  producer convention: " << fit.producer << "\n\n";
  if (!fit.warnings.empty()) {
    os << "Warnings\n";
    for (const std::string& w : fit.warnings) os << "  " << w << "\n";
    os << "\n";
  }
  const std::vector<ReportTable> tables = map_report_tables(nlohmann::json::parse(json()));
  for (std::size_t k = 0; k < tables.size(); ++k)
    os << (k ? "\n" : "") << tables[k].title << "\n" << tables[k].text();
  os << "\nTraffic per step (rates: " << traffic.rates << ")\n";
  os << "  packets " << fixed(traffic.packets, 2) << ", hops " << fixed(traffic.hops, 2)
     << ", baseline (greedy + rowmajor) hops " << fixed(traffic.baseline_packet_hops, 2);
  if (traffic.baseline_packet_hops > 0)
    os << " (ratio " << fixed(traffic.packet_hops / traffic.baseline_packet_hops, 3) << ")";
  os << "\n";
  bool first = true;
  for (const ReportSection& s : passes.sections)
    for (const std::string& n : s.notes) {
      if (first) os << "\nNotes\n";
      first = false;
      os << "  [" << s.pass << "] " << n << "\n";
    }
  return os.str();
}

std::string MapReport::json(int indent) const {
  nlohmann::json j;
  j["fit"] = {{"fits", fit.fits},
              {"cores_used", fit.cores_used},
              {"cores_available", fit.cores_available},
              {"binding_limit", fit.binding_limit},
              {"where", fit.where},
              {"needed", fit.needed},
              {"limit", fit.limit},
              {"headroom", fit.headroom},
              {"message", fit.message},
              {"mesh_rule", fit.mesh_rule},
              {"partition", fit.partition},
              {"partition_rule", fit.partition_rule}};
  j["mesh"] = {{"width", fit.mesh_width}, {"height", fit.mesh_height}, {"rule", fit.mesh_rule}};
  j["partition"] = {{"strategy", fit.partition}, {"rule", fit.partition_rule}};
  j["dt_s"] = dt;
  j["dt_rule"] = fit.dt_rule;
  j["producer"] = fit.producer;
  j["warnings"] = fit.warnings;
  j["reset_mode"] = reset_mode == pb::RESET_SUBTRACT ? "subtract" : "zero";
  nlohmann::json layers_j = nlohmann::json::array();
  for (const LayerQuant& L : layers)
    layers_j.push_back({{"population", L.population},
                        {"kind", L.kind},
                        {"size", L.size},
                        {"du", L.du},
                        {"dv", L.dv},
                        {"tau_syn_error", L.tau_syn_error},
                        {"tau_mem_error", finite_or(L.tau_mem_error, 1.0)},
                        {"threshold_error", L.threshold_error},
                        {"scale", L.scale},
                        {"headroom", L.headroom},
                        {"calibrated_peak",
                         L.calibrated_peak < 0 ? nlohmann::json(nullptr) : nlohmann::json(L.calibrated_peak)},
                        {"weight_exp", L.weight_exp},
                        {"synapses", L.synapses},
                        {"weight_sqnr_db", std::isfinite(L.weight_sqnr_db) ? nlohmann::json(L.weight_sqnr_db)
                                                                           : nlohmann::json(nullptr)},
                        {"weights_clipped", L.weights_clipped},
                        {"weights_zeroed", L.weights_zeroed},
                        {"weight_sqnr_per_projection_db", std::isfinite(L.weight_sqnr_per_projection_db)
                                                              ? nlohmann::json(L.weight_sqnr_per_projection_db)
                                                              : nlohmann::json(nullptr)},
                        {"weights_zeroed_per_projection", L.weights_zeroed_per_projection},
                        {"bias_saturated", L.bias_saturated},
                        {"threshold_saturated", L.threshold_saturated},
                        {"notes", L.notes}});
  j["layers"] = layers_j;
  nlohmann::json cores_j = nlohmann::json::array();
  for (const CoreUsage& u : cores)
    cores_j.push_back({{"x", u.x},
                       {"y", u.y},
                       {"neurons", u.neurons},
                       {"axons", u.axons},
                       {"synapses", u.synapses},
                       {"fanout", u.fanout},
                       {"profiles", u.profiles},
                       {"groups", u.groups},
                       {"populations", u.populations},
                       {"packets_out", u.packets_out}});
  j["cores"] = cores_j;
  j["traffic"] = {{"rates", traffic.rates},
                  {"packets", traffic.packets},
                  {"hops", traffic.hops},
                  {"packet_hops", traffic.packet_hops},
                  {"baseline_packet_hops", traffic.baseline_packet_hops}};
  nlohmann::json sec = nlohmann::json::array();
  for (const ReportSection& s : passes.sections) sec.push_back(section_json(s));
  j["passes"] = sec;
  return j.dump(indent);
}

namespace detail {

void check_stimulus(const NetworkStimulus& st, uint64_t num_inputs, const std::string& where) {
  for (std::size_t i = 0; i < st.spikes.size(); ++i) {
    const SpikeEvent& e = st.spikes[i];
    if (e.index >= num_inputs)
      throw InputError(where + ": spike " + std::to_string(i) + ": input index " + std::to_string(e.index) +
                       " >= number of network inputs " + std::to_string(num_inputs));
    if (e.step >= st.num_steps)
      throw InputError(where + ": spike " + std::to_string(i) + ": step " + std::to_string(e.step) +
                       " >= num_steps " + std::to_string(st.num_steps));
    if (i > 0 && !(st.spikes[i - 1] < e))
      throw InputError(where + ": spike " + std::to_string(i) +
                       ": events not sorted by (step, index) or repeated");
  }
}

}  // namespace detail

}  // namespace lifchip::mapper
