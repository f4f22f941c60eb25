// The mapper's public API: a network (NIR or our protobuf) to a chip image, with the dry-run fit,
// the report, the host bindings (data in, spikes out) and the float reference simulation.
// The mapper builds on the chip library (lifchip::chip) only: it never runs a backend.
// Stable: later versions add to it, never rename. Contract details: docs/mapper.md.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "lifchip/backend.h"  // OutputSpike (the chip library's types; no backend is run here)
#include "lifchip/image.pb.h"
#include "lifchip/mapper/import.h"  // Network import_network(const std::string& path, Report* = nullptr)
#include "lifchip/mapper/ir.h"
#include "lifchip/mapper/pass.h"
#include "lifchip/run.pb.h"

namespace lifchip::mapper {

// ---------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------

/// Spikes of a network's inputs for one sample. `index` is a *network input index*: the input
/// ports (kInput populations) in population-index order, concatenated (InputBinding::ports gives
/// each port's offset). Events sorted by (step, index), no duplicates.
struct SpikeEvent {
  uint32_t step = 0;
  uint32_t index = 0;
  friend bool operator==(const SpikeEvent& a, const SpikeEvent& b) {
    return a.step == b.step && a.index == b.index;
  }
  friend bool operator<(const SpikeEvent& a, const SpikeEvent& b) {
    return a.step != b.step ? a.step < b.step : a.index < b.index;
  }
};

struct NetworkStimulus {
  uint32_t num_steps = 0;  // steps to run (>= 1 + last event step)
  std::vector<SpikeEvent> spikes;
};

struct MapOptions {
  /// Mesh and per-core capacities; 0 = the spec's default (chip_constants.json). They become the
  /// image's ChipConfig and are checked against the spec's limits (InputError naming the option).
  /// With mesh_width and mesh_height both 0 and `mesh_auto` (the default) the mesh is the smallest
  /// near-square one (W x H, W >= H, W - H <= 1: 1x1, 2x1, 2x2, 3x2, ... up to the spec's largest)
  /// that holds the partition; mesh_auto = false keeps the spec's default mesh (4x4).
  uint32_t mesh_width = 0, mesh_height = 0;
  bool mesh_auto = true;
  uint32_t neurons_per_core = 0, axons_per_core = 0, synapses_per_core = 0, fanout_per_core = 0,
           profiles_per_core = 0;
  double clock_hz = 0;  // 0 = default

  /// Registered strategy names: partition "greedy" (in-order fill) | "optimise" (multilevel +
  /// FM refinement on the multicast objective), or "auto" (the default: greedy, and optimise only
  /// when greedy does not fit); place "rowmajor" | "optimise" (pairwise swaps / annealing on
  /// traffic x hops). Unknown names: InputError listing the known ones.
  std::string partition = "auto";
  std::string place = "rowmajor";
  uint64_t seed = 1;  // the result is a function of (network, options) only

  /// Time step in seconds; unset ("auto"): the network's dt, else what the producer's export
  /// convention implies (snnTorch: tau_mem / r; Sinabs: 1), else 1e-3 with a warning
  /// (docs/nir.md §5). FitResult::dt_rule says which.
  std::optional<double> dt;
  /// Every warning (FitResult::warnings) becomes an InputError: the first one's text.
  bool strict = false;
  /// How a spike resets v: kZero maps NIR's v_reset (v := v_reset, relative to v_leak); kSubtract
  /// uses v := v - threshold (snnTorch's default), ignoring v_reset (reported).
  pb::ResetMode reset_mode = pb::RESET_ZERO;

  /// Sample stimuli: when given, firing rates (spikes per step of every input and neuron) are
  /// measured on them with the chip's integer model of the quantised network (bit-exact with the
  /// functional backend, independent of placement) and weight the traffic objective; else every
  /// input and neuron is assumed to spike once per step (uniform).
  std::vector<NetworkStimulus> sample_stimuli;
  /// The range u and v keep, in thresholds (docs/mapper.md §2 step 1), for every population: > 0
  /// sets it (1 ... 4096); 0 = calibrated on `sample_stimuli` when given (the float reference's peak
  /// |u|, |v| x 1.25, rounded up to a power of two, at least 2), else 32.
  double headroom = 0;

  std::string image_name;  // ChipImage.name; default: "mapped"
};

// ---------------------------------------------------------------------------------------------
// Fit (dry run)
// ---------------------------------------------------------------------------------------------

struct FitResult {
  bool fits = false;
  uint32_t cores_used = 0;       // cores the partition needs (may exceed cores_available)
  uint32_t cores_available = 0;  // mesh W x H
  /// The binding limit: the resource closest to (or furthest over) its limit, e.g.
  /// "neurons per core", "synapse entries per core", "axons per core", "fan-out entries per core",
  /// "profiles per core", "synapse groups per core", "cores", "host output channels".
  std::string binding_limit;
  std::string where;    // "core (2,3)", "population 'hidden'", "chip"
  uint64_t needed = 0;  // the amount the binding resource needs ...
  uint64_t limit = 0;   // ... and its limit (needed > limit when it does not fit)
  double headroom = 0;  // 1 - needed / limit (negative: over by that fraction)
  /// One line: "fits on 5 of 16 cores; binding: synapse entries per core 12,034 of 16,384 on core
  /// (1,0)" or "population 'hidden' needs 312 neurons on one core, limit 256", "core (2,3):
  /// synapse entries 17,412 > 16,384".
  std::string message;

  /// The decisions behind it. Mesh: the one used (or, when nothing fits, the largest tried) and
  /// why ("mesh auto: 3x3, the smallest near-square mesh that holds 7 cores"); partition: the
  /// strategy used and why ("partition auto: greedy needs 276 cores (> 256), optimise fits on 68").
  uint32_t mesh_width = 0, mesh_height = 0;
  std::string mesh_rule;
  std::string partition;
  std::string partition_rule;
  /// Time step and the rule that chose it (docs/nir.md §5), and the export convention detected.
  double dt = 0;
  std::string dt_rule, producer;
  /// Figures worth a look that do not stop the mapping (dt against the time constants, tau errors,
  /// weights lost to quantisation, a silent float reference, a guessed dt); MapOptions::strict
  /// turns them into errors.
  std::vector<std::string> warnings;
};

// ---------------------------------------------------------------------------------------------
// Bindings: how the host talks to the mapped network
// ---------------------------------------------------------------------------------------------

/// A port (input or output population) inside the flat index space.
struct PortSlice {
  std::string name;
  uint32_t offset = 0;  // first flat index
  uint32_t size = 0;
};

struct AxonAddress {
  uint32_t x = 0, y = 0, axon = 0;
  friend bool operator==(const AxonAddress& a, const AxonAddress& b) {
    return a.x == b.x && a.y == b.y && a.axon == b.axon;
  }
};

/// Network input index -> the host packets that carry its spike (one per destination core; an
/// input nothing reads has none).
struct InputBinding {
  std::vector<PortSlice> ports;
  std::vector<std::vector<AxonAddress>> targets;  // [network input index]
  uint32_t size() const { return static_cast<uint32_t>(targets.size()); }
};

/// Host output channels and how they make the network's outputs. Channel c carries the spikes of
/// one chip neuron (`channels[c]`). Output index o (output ports concatenated, as inputs) at step t
/// is  bias[o] + sum over terms[o] of weight * spike(channel, t - latency)  — for the usual
/// LIF -> Output edge that is exactly one term with weight 1 (identity() is then true). A term
/// with `readout` set reads a read-out neuron instead (LI/CubaLI, spec §2.6): weight * the float v
/// of readouts[channel] at step t - latency, v = chip v * scale + offset.
struct OutputBinding {
  struct Readout {
    std::string population;
    uint32_t neuron = 0;       // index in the population
    uint32_t x = 0, y = 0;     // core
    uint32_t core_neuron = 0;  // index on that core
    double scale = 1, offset = 0;
  };
  struct Channel {
    std::string population;
    uint32_t neuron = 0;       // index in the population
    uint32_t x = 0, y = 0;     // core
    uint32_t core_neuron = 0;  // index on that core
  };
  struct Term {
    uint32_t channel = 0;  // host channel, or index in `readouts` when `readout`
    double weight = 0;
    bool readout = false;
  };
  std::vector<PortSlice> ports;
  std::vector<Channel> channels;         // [host channel]
  std::vector<Readout> readouts;         // read-out neurons, in network order
  std::vector<std::vector<Term>> terms;  // [network output index]
  std::vector<double> bias;              // [network output index]
  /// Steps between an input spike at step t and the earliest output spike it can cause: the chip
  /// delivers a neuron's spike one step later (spec §3), so a network whose longest input-to-output
  /// path crosses L neuron populations answers L - 1 steps later than a zero-delay simulation.
  uint32_t latency = 0;
  bool identity() const;
  uint32_t size() const { return static_cast<uint32_t>(terms.size()); }
  /// What a run must read for the read-outs: one range per run of consecutive neurons of a core
  /// (spec §10.7), in `readouts` order. Empty when there are none.
  pb::ProbeSpec readout_probes() const;
};

/// Per step, per network output index, the output's value (see OutputBinding); for an identity
/// output it is 1 on a spike, 0 otherwise.
struct NetworkResponse {
  uint32_t num_steps = 0;
  std::vector<std::vector<double>> values;  // [step][network output index]
  std::vector<double> totals() const;       // summed over steps, per output index
  int argmax() const;                       // the class by summed output (lowest index on ties; -1 if none)
};

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

/// Quantisation figures of one neuron population (docs/mapper.md, "quantisation contract").
struct LayerQuant {
  std::string population;
  std::string kind;
  uint32_t size = 0;
  uint32_t du = 0, dv = 0;   // as mapped (most common value when they vary)
  double tau_syn_error = 0;  // max relative error of the decay actually realised
  double tau_mem_error = 0;
  double threshold_error = 0;        // max relative error of v_threshold after rounding
  double scale = 0;                  // chip units per float voltage unit (lambda)
  double headroom = 0;               // range of u and v in thresholds: 2^23 / (lambda * largest threshold)
  double calibrated_peak = -1;       // peak |u|, |v|, |input| on the sample stimuli, thresholds; -1: none
  int32_t weight_exp = 0;            // the exponent of its incoming weights (most common; one per synapse)
  uint64_t synapses = 0;             // incoming synapses
  double weight_sqnr_db = 0;         // 10 log10(sum w^2 / sum (w - w_q)^2); +inf if exact
  uint64_t weights_clipped = 0;      // mantissas saturated at -128/127
  uint64_t weights_zeroed = 0;       // non-zero weights that rounded to 0
  /// The same figures had every projection one exponent (its largest weight's), as before
  /// per-synapse exponents: what those gained.
  double weight_sqnr_per_projection_db = 0;
  uint64_t weights_zeroed_per_projection = 0;
  uint64_t bias_saturated = 0;       // bias mantissas saturated
  uint64_t threshold_saturated = 0;  // vth clamped to 17 bits
  std::vector<std::string> notes;
};

struct CoreUsage {
  uint32_t x = 0, y = 0;
  uint32_t neurons = 0, axons = 0, synapses = 0, fanout = 0, profiles = 0, groups = 0;
  std::vector<std::string> populations;  // which populations have neurons here
  double packets_out = 0;                // predicted packets sent per step
};

/// Predicted traffic per step with the rates used (measured or uniform), for the strategies run.
struct TrafficPrediction {
  std::string rates;                // "uniform (every neuron and input spikes every step)" or "measured: ..."
  double packets = 0;               // packets entering the mesh per step (host inputs + core packets)
  double hops = 0;                  // link traversals per step (router-to-router + the host link out)
  double packet_hops = 0;           // the placement objective: sum over packets of their hops (== hops)
  double baseline_packet_hops = 0;  // greedy + rowmajor on the same rates, for comparison
};

struct MapReport {
  Report passes;  // one section per pass: import, quantise, partition, place, route, emit
  std::vector<LayerQuant> layers;
  std::vector<CoreUsage> cores;
  TrafficPrediction traffic;
  FitResult fit;
  double dt = 0;
  pb::ResetMode reset_mode = pb::RESET_ZERO;
  /// Human-readable tables (quantisation per layer, core usage, traffic, notes).
  std::string table() const;
  /// The same as a JSON document (docs/mapper.md lists the keys).
  std::string json(int indent = 2) const;
};

/// One of the map report's tables as text cells, in the CLI's column order and units, so the
/// terminal (MapReport::table) and the HTML report (`lifchip report --mapping`) show the same table.
struct ReportTable {
  struct Column {
    std::string header;
    int width = 0;      // text: the field width (0: as wide as the cell)
    bool left = false;  // text: left-aligned
    int gap = 0;        // text: spaces before the column
  };
  std::string title;
  std::vector<Column> columns;
  std::vector<std::vector<std::string>> rows;
  /// Aligned text, each line indented by two spaces.
  std::string text() const;
};

/// The quantisation and cores tables of a map report, from its JSON (MapReport::json, `lifchip map
/// --json`). Throws InputError naming the missing key when `map_json` is not such a document.
std::vector<ReportTable> map_report_tables(const nlohmann::json& map_json);

/// Where every neuron of a population sits: neuron i of `population` is neuron `sites[i].core_neuron`
/// of core (x, y). What probes of hidden populations address (the bindings name output neurons only).
struct PopulationPlacement {
  struct Site {
    uint32_t x = 0, y = 0, core_neuron = 0;
  };
  std::string population;
  std::vector<Site> sites;
};

struct MapResult {
  pb::ChipImage image;  // sealed (checksum set), passes validate_sealed_image
  MapReport report;
  InputBinding input;
  OutputBinding output;
  std::vector<PopulationPlacement> placement;  // every neuron population, in network order
  /// The placement of `population`, or nullptr.
  const PopulationPlacement* placement_of(const std::string& population) const;

  /// Host spikes for one sample (input events -> packets), as the run loop reads them.
  pb::Stimuli stimuli(const NetworkStimulus& stimulus) const;
  /// Output spikes of a run of `image` -> the network's outputs (latency already removed, so step
  /// t of the response lines up with step t of the float reference). `num_steps` = steps run.
  /// Throws InputError when the outputs include read-outs (their v is in the run result only).
  NetworkResponse decode(const std::vector<OutputSpike>& spikes, uint32_t num_steps) const;
  /// The same from a run result, read-outs included (the run must have read output.readout_probes();
  /// InputError naming the missing read-out otherwise).
  NetworkResponse decode(const pb::RunResult& result) const;
};

// ---------------------------------------------------------------------------------------------
// Entry points
// ---------------------------------------------------------------------------------------------

// Import: import_network(path, report) from import.h (included above): NIR (.nir/.h5/.hdf5) or our
// protobuf (.pb/.txtpb/...).

/// Quantise + partition only (no placement, no image): whether it fits and what binds. Never
/// throws for "does not fit" (that is the result); throws InputError for bad options or a network
/// the chip cannot express at all (e.g. an unsupported parameter combination).
FitResult fit_network(const Network& network, const MapOptions& options);

/// The whole pipeline. Throws InputError with FitResult::message when it does not fit, or naming
/// the population / field / option otherwise. The image passes validate_sealed_image.
MapResult map_network(const Network& network, const MapOptions& options);

// ---------------------------------------------------------------------------------------------
// Float reference
// ---------------------------------------------------------------------------------------------

/// The imported network simulated in double precision at `dt` with the quantiser's discrete-time
/// equations (docs/mapper.md) and the chip's timing (one step of delay on every
/// population-to-population projection, none from inputs), so the only difference to the chip
/// is quantisation. Outputs are reported shifted by OutputBinding::latency, like decode().
struct FloatSimOptions {
  double dt = 1e-3;
  pb::ResetMode reset_mode = pb::RESET_ZERO;
};
NetworkResponse simulate_float(const Network& network, const FloatSimOptions& options,
                               const NetworkStimulus& stimulus);

/// The float reference prepared once (the network's index spaces and latency) for many samples:
/// run(s) equals simulate_float(network, options, s). Keeps a reference to `network`, which must
/// outlive it. Copies share the prepared state.
class FloatReference {
 public:
  FloatReference(const Network& network, const FloatSimOptions& options);
  NetworkResponse run(const NetworkStimulus& stimulus) const;

 private:
  struct State;
  std::shared_ptr<const State> s_;
};

// Chip-vs-float evaluation (run the mapped image on a backend beside this reference and compare):
// lifchip/flow/evaluate.h, in the flow layer, which may run backends; the mapper does not.

}  // namespace lifchip::mapper
