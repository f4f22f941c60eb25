// The backend-agnostic run loop: stimuli in, RunResult out (spikes, counters, per-step figures and
// probes read through the backend's memory window after every step, as Lava's Monitor records).
#pragma once

#include <functional>

#include "lifchip/backend.h"

namespace lifchip {

/// Decodes a probe target to a value via Backend::read_word: "u", "v", "ref", "post" (neuron),
/// "pre" (axon), "w" (synapse weight).
struct ProbeTarget {
  std::string var;
  uint32_t x = 0, y = 0, index = 0;
  std::string label() const;
};
int32_t read_probe(const Backend& backend, const ProbeTarget& target);
std::vector<ProbeTarget> probe_targets(const pb::ProbeSpec& spec);

/// Input spikes one step of a Stimuli message may hold: one per axon of the largest mesh
/// (docs/reliability.md, "Limits"; an axon given twice in a step counts twice).
inline constexpr uint64_t kMaxSpikesPerStep =
    uint64_t{spec::MESH_DIM_MAX} * spec::MESH_DIM_MAX * spec::AXONS_PER_CORE_MAX;

/// Input spikes of a Stimuli message, validated for order and kMaxSpikesPerStep; throws InputError
/// naming the step.
std::vector<InputSpike> stimuli_spikes(const pb::Stimuli& stimuli);
/// Steps to run: stimuli.num_steps, or one past the last input step.
uint32_t stimuli_steps(const pb::Stimuli& stimuli);

struct RunOptions {
  uint32_t steps = 0;  // 0: stimuli_steps(stimuli)
  pb::ProbeSpec probes;
  std::function<void(uint32_t done, uint32_t total)> progress;  // may be empty
  /// Streaming (docs/formats.md §3, "long runs"): when set, the run's per-step data (output spikes,
  /// per-step figures, probe and read-out values) go to `on_part` every `part_steps` steps and at
  /// the end, one RunResult part each, and are not kept, so memory does not grow with the steps.
  /// The last part also holds the totals (backend, steps, counters, read-out figures); the others
  /// hold no singular field. The parts' serialised bytes, concatenated, are one RunResult message
  /// whose probe and read-out traces come in pieces (first_step): join_run_parts() joins them.
  std::function<void(const pb::RunResult& part)> on_part;
  uint32_t part_steps = 65536;
};

/// Runs an already loaded backend from its current step. Output: counters as of the end. With
/// options.on_part, returns only the totals (what the last part holds besides its per-step data).
pb::RunResult run(Backend& backend, const pb::Stimuli& stimuli, const RunOptions& options);

/// Joins the trace pieces of a RunResult written in parts (RunOptions::on_part): each probe or
/// read-out piece with first_step > 0 is appended to the trace it continues (same `what`, or same
/// core and range, ending at that step). Throws InputError naming a piece that continues nothing.
void join_run_parts(pb::RunResult& result);

struct BatchOptions {
  std::string backend = "functional";  // a BackendRegistry name
  unsigned threads = 0;                // samples run at once; 0: one per hardware thread
  RunOptions run;                      // steps and probes of every sample (run.progress unused)
  std::function<void(std::size_t done, std::size_t total)> progress;  // may be empty; one call at a time
};

/// Runs many independent samples of one image: result k is exactly what load(image) followed by
/// run(stimuli[k]) gives on a fresh backend, for any thread count. Each thread loads the image once
/// and resets the chip between samples (Backend::reload); backends that cannot run as several
/// instances at once (concurrent_instances() false) run the samples one by one. Throws the error of
/// the first sample (in sample order) that fails.
std::vector<pb::RunResult> run_batch(const pb::ChipImage& image, const std::vector<pb::Stimuli>& stimuli,
                                     const BatchOptions& options);

/// Fills a protobuf Counters from a CounterSet.
void to_proto(const CounterSet& counters, pb::Counters* out);

}  // namespace lifchip
