// Runs through the firmware path and what they produce: a RunTrace (per step: output spikes, every
// counter, and the chip's changing memories as read through the MEM window), its JSON golden-file
// form, and the comparison of two traces that names the first divergence (step, core, neuron or
// synapse, variable, phase, both values).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lifchip/backend.h"
#include "lifchip/image.h"
#include "platform.h"

namespace lifchip::hil {

/// The memories a run changes, of one core: u, v, ref per neuron (3 words each), post-traces,
/// pre-traces and synapse words (weights), in MEM window order.
struct CoreSnapshot {
  uint32_t x = 0, y = 0;
  std::vector<uint32_t> state, post, pre, syn;
};

struct StepRecord {
  uint32_t step = 0;
  std::vector<uint32_t> outputs;        // output channels of this step, sorted
  std::vector<uint64_t> output_cycles;  // timing platforms: exit cycle per output (same order)
  CounterSet counters;                  // cumulative, after the step
  std::vector<CoreSnapshot> memory;     // after the step (every step, or only the last)
};

struct RunTrace {
  std::string platform;
  bool timing = false;
  int status = LC_OK;  // lc_status_t of the firmware; the steps before a failure are kept
  std::string status_text;
  uint32_t status_step = 0;  // the step during which the firmware failed
  std::vector<StepRecord> steps;
  uint64_t bus_cycles = 0, accesses = 0;
  std::vector<FaultEvent> fault_events;
};

struct RunSpec {
  uint32_t steps = 0;
  std::vector<InputSpike> stimuli;
  std::optional<bool> learning;         // unset: the image's learning_enabled
  bool memory_every_step = true;        // false: memories only after the last step
  std::vector<Fault> faults;            // armed after boot
  std::vector<uint32_t> corrupt_words;  // test: stream word offsets whose bit 0 is flipped in transit
};

/// Boots `image` with the firmware on `platform`, runs `spec`, and records the trace.
RunTrace run_firmware(Platform& platform, const pb::ChipImage& image, const RunSpec& spec);

struct Divergence {
  bool identical = true;
  uint32_t step = 0;
  int x = -1, y = -1;  // the core, -1 when the divergence is chip-wide
  std::string kind;    // "neuron", "synapse", "axon", "output", "" (a core or chip counter)
  int64_t index = -1;  // neuron, synapse entry, axon or output position
  std::string
      variable;  // "u", "v", "ref", "post-trace", "pre-trace", "weight", "output spikes", counter name, ...
  std::string phase;  // the step phase that writes the variable (spec §5)
  std::string a, b;   // both values
  std::string text;   // one line: everything above
};

/// Compares two traces step by step: per step the memories (per core y-major: neuron states, post-
/// and pre-traces, synapses), then output spikes, then counters (functional ids 0..20 and chip
/// counters 0..2; timing counters, cycles and exit cycles only when both traces have timing).
Divergence compare_traces(const RunTrace& a, const RunTrace& b, const pb::ChipImage& image);

/// Golden files: the trace as JSON (docs/firmware.md).
nlohmann::json trace_to_json(const RunTrace& trace);
/// Every number is range-checked with its field named (lifchip/json_read.h); a golden file holds at
/// most kGoldenMaxSteps steps and each of its lists at most kGoldenMaxValues values
/// (docs/reliability.md, "Limits").
inline constexpr std::size_t kGoldenMaxSteps = std::size_t{1} << 20;
inline constexpr std::size_t kGoldenMaxValues = std::size_t{1} << 22;
RunTrace trace_from_json(const nlohmann::json& j, const std::string& what);
/// Reads and checks a golden file: a directory, unreadable or malformed file is one InputError naming it.
RunTrace read_golden_file(const std::string& path);

/// "flip-u@STEP:X,Y:NEURON:BIT", "flip-v@...", "flip-w@STEP:X,Y:SYNAPSE:BIT", "stuck-fire@STEP:X,Y:NEURON",
/// "stuck-silent@...", "drop@STEP:X,Y:FANOUT_ENTRY", "dup@..."; throws InputError naming the problem.
Fault parse_fault(const std::string& text);
std::string fault_str(const Fault& fault);

/// True when `d` names the place where `event` acted (the mutation test's localisation criterion).
bool localised(const Divergence& d, const FaultEvent& event);

}  // namespace lifchip::hil
