// Energy and latency estimation from a run's activity counters and cycles: the energy model (per-
// action energies, static power, clock), its text format and presets, and the estimate with its
// breakdowns per component, per core and per link. Method and citations: docs/estimate.md.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "lifchip/image.h"

namespace lifchip::flow {

/// Per-action energies in picojoules, static power per core, clock and hop latencies.
/// The text format is `key = value` lines (docs/estimate.md); every key is listed in kEnergyKeys.
struct EnergyModel {
  std::string name;
  std::string source;                    // citation / assumptions, one line
  std::map<std::string, double> values;  // key -> value, every key of energy_keys()
  double get(const std::string& key) const { return values.at(key); }
};

struct EnergyKey {
  const char* key;
  const char* meaning;
};
/// Every key of the model, with its unit in the name and its meaning.
const std::vector<EnergyKey>& energy_keys();

/// The presets: "loihi1", "truenorth", "default". Throws InputError for an unknown name.
EnergyModel energy_preset(const std::string& name);
std::vector<std::string> energy_preset_names();

/// Parses the text format. `base = PRESET` (first) starts from a preset; otherwise every key must be
/// given. Unknown keys, repeated keys, negative or non-finite values throw InputError naming
/// `name`, the line and the key.
EnergyModel parse_energy_model(const std::string& text, const std::string& name);
/// The text format of a model (parse_energy_model(format_energy_model(m)) == m).
std::string format_energy_model(const EnergyModel& m);
/// A preset name or a file path.
EnergyModel load_energy_model(const std::string& preset_or_path);

struct EstimateOptions {
  double clock_hz = 0;           // 0: the image's clock, else the model's clock_hz
  uint32_t inference_steps = 0;  // steps per inference; 0: the whole run is one inference
  double step_rate_hz = 1000;    // for the average power figure (1 ms time steps)
  /// Static power of every core of the mesh; false (default): only the cores the image uses (the
  /// others power-gated), when the image is given.
  bool static_all_cores = false;
};

struct ComponentEnergy {
  std::string component;  // "synaptic ops", "neuron updates (active)", ...
  double pj = 0;
};

struct CoreEnergy {
  uint32_t x = 0, y = 0;
  double dynamic_pj = 0, static_pj = 0;
};

struct LinkLoad {
  uint32_t x = 0, y = 0;  // the router the flits leave
  std::string direction;  // "north", "east", "south", "west", "host" (west port of (0,0))
  uint64_t flits = 0;
  double pj = 0;
};

struct Estimate {
  std::string model;
  std::string backend;
  uint32_t steps = 0, inferences = 0, inference_steps = 0;
  double clock_hz = 0;
  std::vector<ComponentEnergy> components;  // dynamic components, then "static"
  std::vector<CoreEnergy> cores;            // every core of the mesh, y-major
  std::vector<LinkLoad> links;              // every link with its flits (zero ones included)
  double dynamic_pj = 0, static_pj = 0, total_pj = 0;
  uint32_t static_cores = 0;  // cores counted in static_pj
  double energy_per_inference_j = 0, energy_per_step_j = 0;
  // Latency: from the run's cycles (cycle-level backends) or the analytic estimate.
  bool cycle_accurate = false;
  std::string latency_method;       // how the figures below were obtained
  std::vector<double> step_cycles;  // per step (analytic: the same estimate for every step)
  double step_latency_mean_s = 0, step_latency_max_s = 0;
  double inference_latency_s = 0;  // mean over inferences, steps back to back
  double run_time_s = 0;
  double max_step_rate_hz = 0;          // 1 / mean step latency
  double inferences_per_s = 0;          // throughput with steps back to back
  double noc_transit_per_packet_s = 0;  // mean hop latency per packet from the model's hop latencies
  double step_rate_hz = 0, average_power_w = 0;
  bool step_rate_feasible = true;  // false: the requested rate exceeds max_step_rate_hz
};

/// Estimates a run's energy and latency. `image` may be null for a cycle-level result; the
/// functional backend has no cycles, so its analytic latency needs the image (InputError otherwise).
Estimate estimate(const pb::RunResult& result, const pb::ChipImage* image, const EnergyModel& model,
                  const EstimateOptions& options);

/// An estimate's figure in engineering notation with `digits` significant digits: "133.3 nJ",
/// "38.5 us" ("0 J" for zero; below pico: femto). `micro` is the 1e-6 prefix: "u" for terminals,
/// "µ" for HTML.
std::string eng(double v, const std::string& unit, int digits = 4, const std::string& micro = "u");

}  // namespace lifchip::flow
