// Chip-vs-float evaluation: a mapped network's samples run on a backend from a reset chip and in the
// float reference (lifchip::mapper::FloatReference), and compared (docs/mapper.md, "evaluate"),
// with energy and latency per inference from the same run.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "lifchip/flow/bindings.h"
#include "lifchip/flow/data.h"
#include "lifchip/flow/energy.h"
#include "lifchip/mapper/map.h"

namespace lifchip::flow {

/// Agreement of one output port (an output population) over all samples.
struct PortAgreement {
  std::string name;
  uint64_t output_events = 0, equal_events = 0;
  double spike_agreement = 0, count_correlation = 0;
  double chip_events = 0, float_events = 0;  // summed output values (spikes for spiking outputs)
};

struct Agreement {
  uint64_t samples = 0;
  uint64_t output_events = 0;    // (step, output) cells compared
  uint64_t equal_events = 0;     // cells with the same value on chip and in float
  double spike_agreement = 0;    // equal_events / output_events
  double count_correlation = 0;  // Pearson correlation of per-output totals over all samples
  uint64_t argmax_equal = 0;     // samples whose chip and float decoded class agree
  std::optional<double> chip_accuracy, float_accuracy;  // when labels were given
  std::vector<PortAgreement> ports;                     // per output port
  uint64_t chip_silent = 0, float_silent = 0;           // samples whose outputs never moved from their bias
};

struct EvaluateOptions {
  std::string backend = "functional";  // a BackendRegistry name; the program must link it
  ResponseDecode decode = ResponseDecode::kCount;
  /// The leading outputs that are the network's own (the class, the overall figures and silence are
  /// computed on them); the others are observed populations (observe_populations), compared per
  /// port only. 0: all outputs are the network's.
  uint32_t class_outputs = 0;
  std::function<void(uint64_t done, uint64_t total)> on_sample;  // progress
};

struct Evaluation {
  Agreement agreement;
  std::vector<int> chip_class, float_class;  // decoded per sample
  pb::RunResult run;                         // every sample's run back to back (append_run)
  uint32_t steps_per_sample = 0;             // the stimulus steps + the network's latency
};

/// Runs every sample on the backend with the mapped image (each from a freshly loaded chip) and in
/// the float reference, and compares. `labels` empty or one per sample (the class). Samples shorter
/// than the longest are padded with silent steps, so every inference has the same length.
Evaluation evaluate_samples(const mapper::Network& network, const mapper::MapResult& mapped,
                            std::vector<mapper::NetworkStimulus> samples, const std::vector<int>& labels,
                            const EvaluateOptions& options);

/// The same with the defaults (count decoding), agreement only.
Agreement evaluate(const mapper::Network& network, const mapper::MapResult& mapped,
                   const std::vector<mapper::NetworkStimulus>& samples, const std::vector<int>& labels = {},
                   const std::string& backend = "functional");

/// The network with one more Output per spiking population that feeds no output, named
/// kObservePrefix + the population's name, through an identity projection: mapped, the chip sends
/// those neurons' spikes to the host too, so evaluate compares every population spike for spike
/// (`evaluate --populations`). The neurons' dynamics are unchanged; the host traffic, fan-out and
/// so the placement, energy and latency are those of the observed network. Returns the observed
/// populations' names in `observed` (in port order, after the network's own outputs).
inline constexpr const char* kObservePrefix = "observe:";
mapper::Network observe_populations(const mapper::Network& network, std::vector<std::string>* observed);

/// Appends one run to a back-to-back record of runs: steps, spikes and figures shifted, counters
/// summed, so an estimate and a report see one run of consecutive inferences.
void append_run(pb::RunResult& all, const pb::RunResult& one);

// ---- Samples ----------------------------------------------------------------------------------

/// A spike raster [samples, steps, inputs] (what Tonic and snnTorch's spikegen give; bool or
/// integer, every element 0 or 1) as one stimulus per sample. Throws InputError naming `name`.
std::vector<mapper::NetworkStimulus> raster_samples(const NdArray& raster, const std::string& name);
/// Rows (sample, step, input) — numpy.argwhere of a raster — as one stimulus per sample index
/// 0 ... max, each `steps` long (0: one more than the largest step in the file).
std::vector<mapper::NetworkStimulus> argwhere_samples(const Matrix& rows, const std::string& name, uint32_t steps);
/// Analogue data [samples, inputs] encoded per sample: "rate" (Bernoulli per step, seeded per
/// sample) or "latency" (time to first spike), `steps` steps, `max_value` the full-scale value.
std::vector<mapper::NetworkStimulus> encoded_samples(const Matrix& data, const std::string& name,
                                                     const std::string& encoding, uint32_t steps,
                                                     double max_value, uint64_t seed);
/// Reads sample inputs: a 3-D .npy is a raster, a 2-D file with 3 columns argwhere rows.
std::vector<mapper::NetworkStimulus> read_spike_samples(const std::string& path, uint32_t steps);
/// Labels, one non-negative integer per sample (.npy or .csv).
std::vector<int> read_labels(const std::string& path);

}  // namespace lifchip::flow
