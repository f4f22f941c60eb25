// Runs two backends side by side on one image and stimuli, step by step, and names the first place
// where they differ: output spikes, counters, step figures, and every memory word of every core
// (neuron state, traces, synapse weights; the static memories once after load).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "lifchip/backend.h"
#include "lifchip/image.h"

namespace lifchip::test {

struct Divergence {
  bool identical = true;
  /// The first difference, e.g.
  /// "step 3, core (1,0), neuron 17, variable v: A(functional)=-1200 B(reference)=-1201".
  /// Empty when identical, except that it says why when both backends threw at the same call
  /// (e.g. both rejected the image): that is the same behaviour, so `identical` stays true.
  std::string where;
};

struct CompareOptions {
  /// Also compare the timing counters (ids 21..31, chip slots 3..), the per-step cycles and the
  /// output spikes' exit cycles: for two cycle-level backends (SystemC vs RTL).
  bool timing = false;
  /// Compare take_step_figures() (step, spikes, syn_ops, packets; cycles only with `timing`).
  bool step_figures = true;
  /// Compare the memories after every step (off: only after the last step).
  bool memories_every_step = true;
  /// Called for each backend (A first) before each step, with the step about to run: lets a test
  /// change LEARN_EN, clear counters or inject more spikes in the middle of a run.
  std::function<void(Backend&, uint32_t step)> before_step;
};

/// Spec §8 names of a core counter id (0..31) and a chip counter slot, for messages.
std::string counter_name(int id);
std::string chip_counter_name(int id);

/// Compares the current state of two loaded backends (counters and every memory word of every core
/// of `image`); `step_label` prefixes the message ("step 3" or "after load").
Divergence compare_state(const Backend& a, const Backend& b, const pb::ChipImage& image,
                         const std::string& step_label, const CompareOptions& options = {});

/// Loads `image` into both backends, injects `stimuli`, then runs `steps` steps one at a time and
/// compares after each. Returns the first divergence (a load or inject that throws in only one
/// backend is a divergence too).
Divergence run_and_compare(Backend& a, Backend& b, const pb::ChipImage& image,
                           const std::vector<InputSpike>& stimuli, uint32_t steps,
                           const CompareOptions& options = {});

}  // namespace lifchip::test
