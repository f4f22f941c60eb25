// The energy model, its presets and the estimate (docs/estimate.md). Energy is a dot product of the
// spec §8 counters, which every backend reports identically, with the model's per-action energies.
#include "lifchip/flow/energy.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>
#include <sstream>

#include "lifchip/backend.h"
#include "lifchip/chip_constants.h"
#include "lifchip/flow/data.h"

namespace lifchip::flow {

namespace s = spec;

const std::vector<EnergyKey>& energy_keys() {
  static const std::vector<EnergyKey> keys = {
      {"syn_op_pj", "per synaptic op (SYN_OPS): one synapse entry accumulated"},
      {"neuron_active_pj", "per active neuron update (NEURON_ACTIVE)"},
      {"neuron_idle_pj", "per idle neuron update (NEURON_IDLE)"},
      {"stdp_update_pj", "per learning (STDP) weight update (STDP_UPDATES)"},
      {"trace_update_pj", "per trace decay or impulse (TRACE_UPDATES)"},
      {"spike_pj", "per spike of a neuron (SPIKES)"},
      {"packet_pj", "per packet sent by a core (PACKETS_SENT)"},
      {"hop_local_pj", "per flit ejected to the router's own core (LINK_LOCAL, within tile)"},
      {"hop_ew_pj", "per east-west hop (LINK_EAST + LINK_WEST, the host link included)"},
      {"hop_ns_pj", "per north-south hop (LINK_NORTH + LINK_SOUTH)"},
      {"syn_mem_read_pj", "per synapse memory read (SYN_MEM_READS)"},
      {"syn_mem_write_pj", "per synapse memory write (SYN_MEM_WRITES)"},
      {"neuron_mem_read_pj", "per neuron state read (NEURON_MEM_READS)"},
      {"neuron_mem_write_pj", "per neuron state write (NEURON_MEM_WRITES)"},
      {"axon_mem_read_pj", "per axon table read (AXON_MEM_READS)"},
      {"fanout_mem_read_pj", "per fan-out memory read (FANOUT_MEM_READS)"},
      {"static_uw_per_core", "static (leakage and clock) power per core of the mesh, microwatts"},
      {"clock_hz", "clock frequency when the image does not set one (Hz)"},
      {"hop_local_ns", "latency within a tile (ns), for the NoC transit figure"},
      {"hop_ew_ns", "latency per east-west hop (ns)"},
      {"hop_ns_ns", "latency per north-south hop (ns)"},
  };
  return keys;
}

namespace {

// Counter id -> (model key, component) for the dynamic energy.
struct Term {
  int counter;
  const char* key;
  const char* component;
};

const std::vector<Term>& terms() {
  static const std::vector<Term> t = {
      {s::CNT_SYN_OPS, "syn_op_pj", "synaptic ops"},
      {s::CNT_NEURON_ACTIVE, "neuron_active_pj", "neuron updates (active)"},
      {s::CNT_NEURON_IDLE, "neuron_idle_pj", "neuron updates (idle)"},
      {s::CNT_STDP_UPDATES, "stdp_update_pj", "learning (STDP updates)"},
      {s::CNT_TRACE_UPDATES, "trace_update_pj", "learning (traces)"},
      {s::CNT_SPIKES, "spike_pj", "spikes and packets"},
      {s::CNT_PACKETS_SENT, "packet_pj", "spikes and packets"},
      {s::CNT_LINK_LOCAL, "hop_local_pj", "NoC (within tile)"},
      {s::CNT_LINK_EAST, "hop_ew_pj", "NoC (east-west hops)"},
      {s::CNT_LINK_WEST, "hop_ew_pj", "NoC (east-west hops)"},
      {s::CNT_LINK_NORTH, "hop_ns_pj", "NoC (north-south hops)"},
      {s::CNT_LINK_SOUTH, "hop_ns_pj", "NoC (north-south hops)"},
      {s::CNT_SYN_MEM_READS, "syn_mem_read_pj", "memory"},
      {s::CNT_SYN_MEM_WRITES, "syn_mem_write_pj", "memory"},
      {s::CNT_NEURON_MEM_READS, "neuron_mem_read_pj", "memory"},
      {s::CNT_NEURON_MEM_WRITES, "neuron_mem_write_pj", "memory"},
      {s::CNT_AXON_MEM_READS, "axon_mem_read_pj", "memory"},
      {s::CNT_FANOUT_MEM_READS, "fanout_mem_read_pj", "memory"},
  };
  return t;
}

const char* const kPresetText[][2] = {
    {"loihi1",
     "# Intel Loihi (14 nm), Davies et al., \"Loihi: A Neuromorphic Manycore Processor with On-Chip\n"
     "# Learning\", IEEE Micro 38(1), 2018, Table 2. The per-op energies include the memory accesses of\n"
     "# the op, so the memory keys are 0. Table 2 gives no per-spike, trace or static figure: 0.\n"
     "name = loihi1\n"
     "source = Davies et al. 2018, IEEE Micro 38(1), Table 2\n"
     "syn_op_pj = 23.6\nneuron_active_pj = 81\nneuron_idle_pj = 52\nstdp_update_pj = 120\n"
     "trace_update_pj = 0\nspike_pj = 0\npacket_pj = 0\nhop_local_pj = 1.7\nhop_ew_pj = 3.0\n"
     "hop_ns_pj = 4.0\nsyn_mem_read_pj = 0\nsyn_mem_write_pj = 0\nneuron_mem_read_pj = 0\n"
     "neuron_mem_write_pj = 0\naxon_mem_read_pj = 0\nfanout_mem_read_pj = 0\nstatic_uw_per_core = 0\n"
     "clock_hz = 1e8\nhop_local_ns = 2.1\nhop_ew_ns = 4.1\nhop_ns_ns = 6.5\n"},
    {"truenorth",
     "# IBM TrueNorth (28 nm): 26 pJ per synaptic event (Merolla et al., Science 345(6197), 2014) and\n"
     "# 2.3 pJ per spike hop (Akopyan et al., IEEE TCAD 34(10), 2015). The synaptic-event figure is\n"
     "# total active energy per event, so neuron updates and memory are folded into it (0 here).\n"
     "name = truenorth\n"
     "source = Merolla et al. 2014, Science; Akopyan et al. 2015, IEEE TCAD\n"
     "syn_op_pj = 26\nneuron_active_pj = 0\nneuron_idle_pj = 0\nstdp_update_pj = 0\n"
     "trace_update_pj = 0\nspike_pj = 0\npacket_pj = 0\nhop_local_pj = 0\nhop_ew_pj = 2.3\n"
     "hop_ns_pj = 2.3\nsyn_mem_read_pj = 0\nsyn_mem_write_pj = 0\nneuron_mem_read_pj = 0\n"
     "neuron_mem_write_pj = 0\naxon_mem_read_pj = 0\nfanout_mem_read_pj = 0\nstatic_uw_per_core = 0\n"
     "clock_hz = 1e8\nhop_local_ns = 0\nhop_ew_ns = 0\nhop_ns_ns = 0\n"},
    {"default",
     "# lifchip's own model of this chip, built bottom-up from its actions (assumptions in\n"
     "# docs/estimate.md): a 28 nm-class SRAM design at 100 MHz, memory accesses counted separately\n"
     "# from the arithmetic that uses them, one cycle (10 ns) per hop.\n"
     "name = default\n"
     "source = lifchip assumptions (docs/estimate.md)\n"
     "syn_op_pj = 1.0\nneuron_active_pj = 6\nneuron_idle_pj = 1.5\nstdp_update_pj = 4\n"
     "trace_update_pj = 1\nspike_pj = 0.5\npacket_pj = 1\nhop_local_pj = 1\nhop_ew_pj = 2.5\n"
     "hop_ns_pj = 2.5\nsyn_mem_read_pj = 4\nsyn_mem_write_pj = 5\nneuron_mem_read_pj = 6\n"
     "neuron_mem_write_pj = 7\naxon_mem_read_pj = 2\nfanout_mem_read_pj = 2\nstatic_uw_per_core = 20\n"
     "clock_hz = 1e8\nhop_local_ns = 10\nhop_ew_ns = 10\nhop_ns_ns = 10\n"},
};

std::string trim(const std::string& x) {
  const std::size_t a = x.find_first_not_of(" \t\r");
  if (a == std::string::npos) return {};
  return x.substr(a, x.find_last_not_of(" \t\r") - a + 1);
}

std::string fmt(double v) {
  std::ostringstream os;
  os.precision(10);
  os << v;
  return os.str();
}

}  // namespace

std::vector<std::string> energy_preset_names() {
  std::vector<std::string> out;
  for (const auto& p : kPresetText) out.push_back(p[0]);
  return out;
}

EnergyModel energy_preset(const std::string& name) {
  for (const auto& p : kPresetText)
    if (name == p[0]) return parse_energy_model(p[1], std::string("preset ") + p[0]);
  std::string known;
  for (const auto& p : kPresetText) known += std::string(known.empty() ? "" : ", ") + p[0];
  throw InputError("unknown energy model preset '" + name + "' (presets: " + known + ")");
}

EnergyModel parse_energy_model(const std::string& text, const std::string& name) {
  EnergyModel m;
  std::set<std::string> seen;
  std::istringstream in(text);
  std::string line;
  int line_no = 0;
  bool any_key = false;
  while (std::getline(in, line)) {
    ++line_no;
    const std::string where = name + ":" + std::to_string(line_no) + ": ";
    const std::size_t hash = line.find('#');
    const std::string body = trim(hash == std::string::npos ? line : line.substr(0, hash));
    if (body.empty()) continue;
    const std::size_t eq = body.find('=');
    if (eq == std::string::npos) throw InputError(where + "expected 'key = value'");
    const std::string key = trim(body.substr(0, eq)), value = trim(body.substr(eq + 1));
    if (!seen.insert(key).second) throw InputError(where + "'" + key + "' is given twice");
    if (key == "base") {
      if (any_key) throw InputError(where + "'base' must come before every other key");
      const EnergyModel b = energy_preset(value);
      m.values = b.values;
      m.source = b.source;
      if (m.name.empty()) m.name = b.name;
      continue;
    }
    any_key = true;
    if (key == "name") {
      m.name = value;
      continue;
    }
    if (key == "source") {
      m.source = value;
      continue;
    }
    bool known = false;
    for (const EnergyKey& k : energy_keys()) known = known || key == k.key;
    if (!known) throw InputError(where + "unknown key '" + key + "' (docs/estimate.md lists the keys)");
    char* end = nullptr;
    const double v = std::strtod(value.c_str(), &end);
    if (value.empty() || end != value.c_str() + value.size() || !std::isfinite(v) || v < 0)
      throw InputError(where + key + " = '" + value + "' must be a finite number >= 0");
    if (key == "clock_hz" && v <= 0) throw InputError(where + "clock_hz must be > 0");
    m.values[key] = v;
  }
  for (const EnergyKey& k : energy_keys())
    if (!m.values.count(k.key))
      throw InputError(name + ": missing key '" + k.key + "' (or start with base = PRESET)");
  if (m.name.empty()) m.name = name;
  return m;
}

std::string format_energy_model(const EnergyModel& m) {
  std::ostringstream os;
  os << "# lifchip energy model (docs/estimate.md)\nname = " << m.name << "\n";
  if (!m.source.empty()) os << "source = " << m.source << "\n";
  for (const EnergyKey& k : energy_keys())
    os << k.key << " = " << fmt(m.get(k.key)) << "  # " << k.meaning << "\n";
  return os.str();
}

EnergyModel load_energy_model(const std::string& preset_or_path) {
  for (const auto& p : kPresetText)
    if (preset_or_path == p[0]) return energy_preset(preset_or_path);
  std::error_code ec;
  if (!std::filesystem::exists(preset_or_path, ec)) {
    std::string known;
    for (const auto& p : kPresetText) known += std::string(known.empty() ? "" : ", ") + p[0];
    throw InputError(preset_or_path + ": no such energy model file, and not one of the presets (" + known +
                     ")");
  }
  return parse_energy_model(read_file_bytes(preset_or_path), preset_or_path);
}

namespace {

// Analytic cycles per step for a run without timing (the functional backend): spec §10.4's phase
// formulas applied to each core's mean work per step, without NoC contention or fan-out stalls.
double analytic_step_cycles(const pb::RunResult& r, const pb::ChipImage& image) {
  const ChipShape shape = chip_shape(image.config());
  const double steps = r.steps() ? r.steps() : 1;
  double worst = 0;
  for (const pb::Core& c : image.cores()) {
    const uint32_t idx = shape.core_index(c.x(), c.y());
    if (idx >= static_cast<uint32_t>(r.counters().cores_size())) continue;
    const auto& v = r.counters().cores(static_cast<int>(idx)).values();
    const auto cnt = [&](int id) { return id < v.size() ? static_cast<double>(v[id]) : 0.0; };
    const double A = c.axon_syn_base_size(), N = c.neuron_profile_size(), S = c.syn_neuron_size();
    double d =
        std::ceil(A / s::SCAN_BITS_PER_CYCLE) + (cnt(s::CNT_AXON_EVENTS) + cnt(s::CNT_SYN_OPS)) / steps;
    if (cnt(s::CNT_AXON_EVENTS) > 0) d += s::DELIVER_PIPE * std::min(1.0, cnt(s::CNT_AXON_EVENTS) / steps);
    const double u = N > 0 ? N + s::NEURON_PIPE : 0;
    double l = 0;
    if (cnt(s::CNT_TRACE_UPDATES) > 0 || cnt(s::CNT_SYN_MEM_WRITES) > 0) l = A + N + s::LEARN_PIPE;
    if (cnt(s::CNT_SYN_MEM_WRITES) > 0) l += A + S;
    worst = std::max(worst, d + u + l);
  }
  const double inject = r.counters().chip_size() > s::CNT_CHIP_HOST_IN
                            ? static_cast<double>(r.counters().chip(s::CNT_CHIP_HOST_IN)) / steps
                            : 0.0;
  return inject + worst + s::BARRIER_BASE + shape.width + shape.height;
}

}  // namespace

Estimate estimate(const pb::RunResult& r, const pb::ChipImage* image, const EnergyModel& model,
                  const EstimateOptions& o) {
  Estimate e;
  e.model = model.name;
  e.backend = r.backend();
  e.steps = r.steps();
  if (e.steps == 0) throw InputError("the run has 0 steps: nothing to estimate");
  if (r.counters().cores_size() == 0) throw InputError("the run result has no counters");
  e.inference_steps = o.inference_steps ? o.inference_steps : e.steps;
  if (e.steps % e.inference_steps != 0)
    throw InputError("--inference-steps " + std::to_string(e.inference_steps) +
                     " does not divide the run's " + std::to_string(e.steps) + " steps");
  e.inferences = e.steps / e.inference_steps;
  if (!(o.step_rate_hz > 0) || !std::isfinite(o.step_rate_hz))
    throw InputError("the step rate must be a positive number of steps per second");
  if (o.clock_hz < 0 || !std::isfinite(o.clock_hz)) throw InputError("the clock must be >= 0 Hz");
  e.clock_hz = o.clock_hz > 0                            ? o.clock_hz
               : image && image->config().clock_hz() > 0 ? image->config().clock_hz()
                                                         : model.get("clock_hz");

  // Mesh size from the counters (every core of the mesh, y-major).
  uint32_t width = 0, height = 0;
  for (const pb::CoreCounters& c : r.counters().cores()) {
    width = std::max(width, c.x() + 1);
    height = std::max(height, c.y() + 1);
  }

  std::map<std::string, double> by_component;
  std::vector<std::string> order;
  for (const Term& t : terms())
    if (!by_component.count(t.component)) {
      by_component[t.component] = 0;
      order.push_back(t.component);
    }
  uint64_t packets = 0, hops_ew = 0, hops_ns = 0, local = 0;
  for (const pb::CoreCounters& c : r.counters().cores()) {
    const auto cnt = [&](int id) -> uint64_t { return id < c.values_size() ? c.values(id) : 0; };
    CoreEnergy ce{c.x(), c.y(), 0, 0};
    for (const Term& t : terms()) {
      const double pj = static_cast<double>(cnt(t.counter)) * model.get(t.key);
      ce.dynamic_pj += pj;
      by_component[t.component] += pj;
    }
    e.cores.push_back(ce);
    packets += cnt(s::CNT_PACKETS_SENT);
    hops_ew += cnt(s::CNT_LINK_EAST) + cnt(s::CNT_LINK_WEST);
    hops_ns += cnt(s::CNT_LINK_NORTH) + cnt(s::CNT_LINK_SOUTH);
    local += cnt(s::CNT_LINK_LOCAL);
    const struct {
      int id;
      const char* dir;
      bool exists;
      const char* key;
    } ports[] = {{s::CNT_LINK_NORTH, "north", c.y() + 1 < height, "hop_ns_pj"},
                 {s::CNT_LINK_EAST, "east", c.x() + 1 < width, "hop_ew_pj"},
                 {s::CNT_LINK_SOUTH, "south", c.y() > 0, "hop_ns_pj"},
                 {s::CNT_LINK_WEST, c.x() == 0 && c.y() == 0 ? "host" : "west",
                  c.x() > 0 || (c.x() == 0 && c.y() == 0), "hop_ew_pj"}};
    for (const auto& p : ports)
      if (p.exists || cnt(p.id) > 0)
        e.links.push_back(
            {c.x(), c.y(), p.dir, cnt(p.id), static_cast<double>(cnt(p.id)) * model.get(p.key)});
  }
  const uint64_t host_in =
      r.counters().chip_size() > s::CNT_CHIP_HOST_IN ? r.counters().chip(s::CNT_CHIP_HOST_IN) : 0;
  packets += host_in;

  // Latency.
  for (const pb::StepFigures& f : r.per_step()) e.cycle_accurate = e.cycle_accurate || f.cycles() > 0;
  if (e.cycle_accurate) {
    e.latency_method = "cycle-accurate: the " + r.backend() + " backend's cycles per step (spec §10)";
    for (const pb::StepFigures& f : r.per_step()) e.step_cycles.push_back(static_cast<double>(f.cycles()));
    if (e.step_cycles.size() != e.steps)
      throw InputError("the run result has figures for " + std::to_string(e.step_cycles.size()) + " of its " +
                       std::to_string(e.steps) + " steps");
  } else {
    if (!image)
      throw InputError("the " + r.backend() +
                       " backend has no cycle timing: give --image for the analytic latency estimate, or run "
                       "on --backend systemc");
    e.latency_method = "ANALYTIC ESTIMATE (the " + r.backend() +
                       " backend has no timing): spec §10.4 phase formulas on each core's mean work per "
                       "step, no NoC contention; run on --backend systemc for exact cycles";
    e.step_cycles.assign(e.steps, analytic_step_cycles(r, *image));
  }
  double total_cycles = 0, max_cycles = 0;
  for (double c : e.step_cycles) {
    total_cycles += c;
    max_cycles = std::max(max_cycles, c);
  }
  e.run_time_s = total_cycles / e.clock_hz;
  e.step_latency_mean_s = e.run_time_s / e.steps;
  e.step_latency_max_s = max_cycles / e.clock_hz;
  e.inference_latency_s = e.run_time_s / e.inferences;
  e.max_step_rate_hz = e.step_latency_mean_s > 0 ? 1.0 / e.step_latency_mean_s : 0;
  e.inferences_per_s = e.inference_latency_s > 0 ? 1.0 / e.inference_latency_s : 0;
  if (packets > 0)
    e.noc_transit_per_packet_s = (static_cast<double>(hops_ew) * model.get("hop_ew_ns") +
                                  static_cast<double>(hops_ns) * model.get("hop_ns_ns") +
                                  static_cast<double>(local) * model.get("hop_local_ns")) *
                                 1e-9 / static_cast<double>(packets);

  // Static energy: the cores the image uses leak for the whole run, steps back to back (cores the
  // image leaves empty are taken as power-gated); every core of the mesh without an image or with
  // static_all_cores.
  const double static_w_per_core = model.get("static_uw_per_core") * 1e-6;
  std::set<std::pair<uint32_t, uint32_t>> used;
  if (image)
    for (const pb::Core& c : image->cores()) used.insert({c.x(), c.y()});
  const bool all_cores = o.static_all_cores || image == nullptr;
  for (CoreEnergy& ce : e.cores) {
    if (!all_cores && !used.count({ce.x, ce.y})) continue;
    ce.static_pj = static_w_per_core * e.run_time_s * 1e12;
    e.static_pj += ce.static_pj;
    ++e.static_cores;
  }
  for (const std::string& c : order) {
    e.components.push_back({c, by_component[c]});
    e.dynamic_pj += by_component[c];
  }
  e.components.push_back({"static", e.static_pj});
  e.total_pj = e.dynamic_pj + e.static_pj;
  e.energy_per_inference_j = e.total_pj * 1e-12 / e.inferences;
  e.energy_per_step_j = e.total_pj * 1e-12 / e.steps;

  // Average power when steps are paced at step_rate_hz: dynamic energy per step at that rate, plus
  // static power of the whole mesh all the time.
  e.step_rate_hz = o.step_rate_hz;
  e.step_rate_feasible = o.step_rate_hz <= e.max_step_rate_hz * (1 + 1e-12);
  e.average_power_w = e.dynamic_pj * 1e-12 / e.steps * o.step_rate_hz +
                      static_w_per_core * static_cast<double>(e.cores.size());
  return e;
}

std::string eng(double v, const std::string& unit, int digits, const std::string& micro) {
  static const struct {
    double f;
    const char* p;  // nullptr: `micro`
  } prefixes[] = {{1e9, "G"},      {1e6, "M"},  {1e3, "k"},   {1, ""},     {1e-3, "m"},
                  {1e-6, nullptr}, {1e-9, "n"}, {1e-12, "p"}, {1e-15, "f"}};
  if (v == 0) return "0 " + unit;
  std::ostringstream os;
  os.precision(digits);
  for (const auto& p : prefixes)
    if (std::fabs(v) >= p.f || p.f == 1e-15) {
      os << v / p.f << " " << (p.p ? std::string(p.p) : micro) << unit;
      break;
    }
  return os.str();
}

}  // namespace lifchip::flow
