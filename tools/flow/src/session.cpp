// Shared pieces of the CLI and the Python module (see session.h).
#include "lifchip/flow/session.h"

#include <filesystem>
#include <sstream>
#include <utility>

#include "lifchip/chip_constants.h"
#include "trace.h"  // lifchip_hil: firmware-path runs and their comparison

namespace lifchip::flow {

namespace s = spec;

void reject_directory(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw InputError(path + ": is a directory, expected a file");
}

NetworkFile load_network_file(const std::string& path, const std::vector<std::string>& readouts) {
  NetworkFile f;
  f.path = path;
  f.network = for_file(path, [&] {
    reject_directory(path);
    return mapper::import_network(path, &f.import_report);
  });
  for (const std::string& name : readouts) {
    const std::string what = for_file(path, [&] { return mapper::make_readout(f.network, name); });
    if (f.import_report.sections.empty()) f.import_report.sections.push_back({"import", {}, {}});
    f.import_report.sections.front().note(what);
  }
  return f;
}

mapper::MapResult map_network_file(const NetworkFile& file, mapper::MapOptions options,
                                   const std::string& samples_name) {
  check_sample_inputs(options.sample_stimuli, file.network.num_inputs(), samples_name, file.path);
  if (options.image_name.empty()) {
    const auto slash = file.path.find_last_of('/');
    options.image_name = slash == std::string::npos ? file.path : file.path.substr(slash + 1);
  }
  mapper::MapResult r = for_file(file.path, [&] { return mapper::map_network(file.network, options); });
  auto& sections = r.report.passes.sections;
  sections.insert(sections.begin(), file.import_report.sections.begin(), file.import_report.sections.end());
  return r;
}

void parse_mesh_option(const std::string& text, mapper::MapOptions& o, const std::string& name) {
  if (text == "auto") return;
  unsigned w = 0, h = 0;
  char x = 0, extra = 0;
  std::istringstream is(text);
  if (!(is >> w >> x >> h) || (x != 'x' && x != 'X') || (is >> extra) || w == 0 || h == 0)
    throw InputError("option '" + name + "': '" + text + "' is not auto or WxH (e.g. 4x4)");
  o.mesh_width = w;
  o.mesh_height = h;
}

void parse_dt_option(const std::string& text, mapper::MapOptions& o, const std::string& name) {
  if (text == "auto") return;
  // A number (the mapper checks it is a positive time step, naming option 'dt').
  std::istringstream is(text);
  double v = 0;
  char extra = 0;
  if (!(is >> v) || (is >> extra))
    throw InputError("option '" + name + "': '" + text +
                     "' is not auto or a time step in seconds (e.g. 0.001)");
  o.dt = v;
}

pb::ResetMode parse_reset_option(const std::string& text, const std::string& name) {
  if (text == "zero") return pb::RESET_ZERO;
  if (text == "subtract") return pb::RESET_SUBTRACT;
  throw InputError("option '" + name + "': '" + text + "' is not zero or subtract");
}

void check_sample_inputs(const std::vector<mapper::NetworkStimulus>& samples, uint64_t inputs,
                         const std::string& samples_name, const std::string& network_name) {
  for (std::size_t i = 0; i < samples.size(); ++i)
    for (const mapper::SpikeEvent& e : samples[i].spikes)
      if (e.index >= inputs)
        throw InputError(samples_name + ": sample " + std::to_string(i) + ", step " + std::to_string(e.step) +
                         ": input " + std::to_string(e.index) + " >= the network's " +
                         std::to_string(inputs) + " inputs (" + network_name + ")");
}

namespace {

// Indexed by the generated constants so that no counter id is typed here.
const std::vector<std::pair<int64_t, const char*>>& core_names() {
  static const std::vector<std::pair<int64_t, const char*>> names = {
      {s::CNT_AXON_EVENTS, "axon_events"},
      {s::CNT_SYN_OPS, "syn_ops"},
      {s::CNT_NEURON_ACTIVE, "neuron_active"},
      {s::CNT_NEURON_IDLE, "neuron_idle"},
      {s::CNT_SPIKES, "spikes"},
      {s::CNT_PACKETS_SENT, "packets_sent"},
      {s::CNT_PACKETS_RECEIVED, "packets_received"},
      {s::CNT_AXON_COLLISIONS, "axon_collisions"},
      {s::CNT_STDP_UPDATES, "stdp_updates"},
      {s::CNT_TRACE_UPDATES, "trace_updates"},
      {s::CNT_SYN_MEM_READS, "syn_mem_reads"},
      {s::CNT_SYN_MEM_WRITES, "syn_mem_writes"},
      {s::CNT_NEURON_MEM_READS, "neuron_mem_reads"},
      {s::CNT_NEURON_MEM_WRITES, "neuron_mem_writes"},
      {s::CNT_AXON_MEM_READS, "axon_mem_reads"},
      {s::CNT_FANOUT_MEM_READS, "fanout_mem_reads"},
      {s::CNT_LINK_LOCAL, "link_local"},
      {s::CNT_LINK_NORTH, "link_north"},
      {s::CNT_LINK_EAST, "link_east"},
      {s::CNT_LINK_SOUTH, "link_south"},
      {s::CNT_LINK_WEST, "link_west"},
      {s::CNT_CYCLES_DELIVER, "cycles_deliver"},
      {s::CNT_CYCLES_UPDATE, "cycles_update"},
      {s::CNT_CYCLES_LEARN, "cycles_learn"},
      {s::CNT_CYCLES_WAIT, "cycles_wait"},
      {s::CNT_FANOUT_STALLS, "fanout_stalls"},
      {s::CNT_ROUTER_BLOCKED, "router_blocked"},
      {s::CNT_ROUTER_FLITS_IN, "router_flits_in"},
  };
  return names;
}

const std::vector<std::pair<int64_t, const char*>>& chip_names() {
  static const std::vector<std::pair<int64_t, const char*>> names = {
      {s::CNT_CHIP_HOST_IN, "host_in"},
      {s::CNT_CHIP_HOST_OUT, "host_out"},
      {s::CNT_CHIP_TIMESTEPS, "timesteps"},
      {s::CNT_CHIP_CYCLES, "cycles"},
      {s::CNT_CHIP_INJECT_CYCLES, "inject_cycles"},
  };
  return names;
}

std::string lookup(const std::vector<std::pair<int64_t, const char*>>& names, uint32_t id) {
  for (const auto& [i, n] : names)
    if (i == static_cast<int64_t>(id)) return n;
  return {};
}

}  // namespace

std::string core_counter_name(uint32_t id) { return lookup(core_names(), id); }
std::string chip_counter_name(uint32_t id) { return lookup(chip_names(), id); }

nlohmann::json estimate_json(const Estimate& e) {
  using nlohmann::json;
  json comps = json::array(), cores = json::array(), links = json::array();
  for (const auto& c : e.components) comps.push_back({{"component", c.component}, {"pj", c.pj}});
  for (const auto& c : e.cores)
    cores.push_back({{"x", c.x}, {"y", c.y}, {"dynamic_pj", c.dynamic_pj}, {"static_pj", c.static_pj}});
  for (const auto& l : e.links)
    links.push_back({{"x", l.x}, {"y", l.y}, {"direction", l.direction}, {"flits", l.flits}, {"pj", l.pj}});
  return json{{"model", e.model},
              {"backend", e.backend},
              {"steps", e.steps},
              {"inferences", e.inferences},
              {"inference_steps", e.inference_steps},
              {"clock_hz", e.clock_hz},
              {"energy",
               {{"dynamic_pj", e.dynamic_pj},
                {"static_pj", e.static_pj},
                {"total_pj", e.total_pj},
                {"per_inference_j", e.energy_per_inference_j},
                {"per_step_j", e.energy_per_step_j}}},
              {"power",
               {{"step_rate_hz", e.step_rate_hz},
                {"average_w", e.average_power_w},
                {"step_rate_feasible", e.step_rate_feasible}}},
              {"latency",
               {{"cycle_accurate", e.cycle_accurate},
                {"method", e.latency_method},
                {"step_mean_s", e.step_latency_mean_s},
                {"step_max_s", e.step_latency_max_s},
                {"inference_s", e.inference_latency_s},
                {"run_s", e.run_time_s},
                {"max_step_rate_hz", e.max_step_rate_hz},
                {"inferences_per_s", e.inferences_per_s},
                {"noc_transit_per_packet_s", e.noc_transit_per_packet_s},
                {"step_cycles", e.step_cycles}}},
              {"components", comps},
              {"cores", cores},
              {"links", links}};
}

namespace {
std::string percent(double v) {
  std::ostringstream os;
  os.precision(4);
  os << 100 * v << " %";
  return os.str();
}
}  // namespace

std::vector<std::string> evaluation_warnings(const Agreement& a) {
  std::vector<std::string> warnings;
  if (a.float_silent == a.samples)
    warnings.push_back(
        "the float reference's outputs never move on any sample: the network is silent "
        "(check dt, --dt, and the input scaling); agreement figures say little");
  else if (a.chip_silent == a.samples)
    warnings.push_back(
        "the chip's outputs never move on any sample while the float reference's do: check "
        "the quantisation report (lifchip map) for zeroed weights and tau errors");
  if (a.samples && double(a.argmax_equal) / double(a.samples) < 0.95)
    warnings.push_back("chip and float decode the same class on only " +
                       percent(double(a.argmax_equal) / double(a.samples)) + " of the samples");
  return warnings;
}

nlohmann::json evaluation_json(const Evaluation& ev, const mapper::MapResult& mapped, const Estimate& e,
                               const std::string& network, const std::string& inputs,
                               const std::string& backend, const std::string& decode,
                               const std::vector<std::string>& warnings) {
  const Agreement& a = ev.agreement;
  nlohmann::json ports = nlohmann::json::array();
  for (const auto& p : a.ports)
    ports.push_back({{"name", p.name},
                     {"spike_agreement", p.spike_agreement},
                     {"count_correlation", p.count_correlation},
                     {"chip_events", p.chip_events},
                     {"float_events", p.float_events}});
  nlohmann::json j{{"network", network},
                   {"inputs", inputs},
                   {"backend", backend},
                   {"samples", a.samples},
                   {"steps_per_sample", ev.steps_per_sample},
                   {"decode", decode},
                   {"fit", mapped.report.fit.message},
                   {"cores_used", mapped.report.fit.cores_used},
                   {"mesh", {mapped.image.config().mesh_width(), mapped.image.config().mesh_height()}},
                   {"dt_s", mapped.report.dt},
                   {"output_spike_agreement", a.spike_agreement},
                   {"output_count_correlation", a.count_correlation},
                   {"class_agreement", a.samples ? double(a.argmax_equal) / double(a.samples) : 0.0},
                   {"chip_silent_samples", a.chip_silent},
                   {"float_silent_samples", a.float_silent},
                   {"ports", ports},
                   {"chip_class", ev.chip_class},
                   {"float_class", ev.float_class},
                   {"energy_per_inference_j", e.energy_per_inference_j},
                   {"latency_per_inference_s", e.inference_latency_s},
                   {"estimate", estimate_json(e)},
                   {"map_warnings", mapped.report.fit.warnings},
                   {"warnings", warnings}};
  if (a.chip_accuracy) j["chip_accuracy"] = *a.chip_accuracy, j["float_accuracy"] = *a.float_accuracy;
  return j;
}

BackendComparison compare_backends(const pb::ChipImage& image, const CompareSpec& cs, const std::string& na,
                                   const std::string& nb) {
  hil::RunSpec spec;
  spec.steps = cs.steps;
  spec.stimuli = cs.stimuli;
  if (cs.learning >= 0) spec.learning = cs.learning == 1;
  spec.memory_every_step = cs.memory_every_step;
  hil::RunTrace ta, tb;
  {
    auto pa = hil::make_platform(na);
    ta = hil::run_firmware(*pa, image, spec);
  }
  for (const std::string& f : cs.faults) spec.faults.push_back(hil::parse_fault(f));
  {
    auto pb = hil::make_platform(nb);
    tb = hil::run_firmware(*pb, image, spec);
  }
  const hil::Divergence d = hil::compare_traces(ta, tb, image);
  BackendComparison c;
  // Runs that agree but stopped with a firmware or chip error are a failure, never "identical":
  // both backends rejected the run (e.g. a host FIFO overflow) at the step named.
  for (const hil::RunTrace* t : {&ta, &tb})
    if (t->status != LC_OK && c.stopped.empty())
      c.stopped =
          "both backends stopped: firmware " + t->status_text + " in step " + std::to_string(t->status_step);
  c.diverged = !d.identical;
  c.identical = d.identical && c.stopped.empty();
  c.step = d.step;
  c.x = d.x, c.y = d.y;
  c.kind = d.kind, c.index = d.index, c.variable = d.variable, c.phase = d.phase;
  c.a = d.a, c.b = d.b, c.text = d.text;
  return c;
}

}  // namespace lifchip::flow
