// Chip-vs-float evaluation: a mapped network's samples run on a backend from a reset chip and in the
// float reference (lifchip::mapper::FloatReference), and compared (docs/mapper.md, "evaluate").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lifchip/mapper/map.h"

namespace lifchip::flow {

struct Agreement {
  uint64_t samples = 0;
  uint64_t output_events = 0;    // (step, output) cells compared
  uint64_t equal_events = 0;     // cells with the same value on chip and in float
  double spike_agreement = 0;    // equal_events / output_events
  double count_correlation = 0;  // Pearson correlation of per-output totals over all samples
  uint64_t argmax_equal = 0;     // samples whose chip and float argmax agree
  std::optional<double> chip_accuracy, float_accuracy;  // when labels were given
};

/// Runs every sample on `backend` (a BackendRegistry name; the program must link it) with the
/// mapped image and in the float reference, and compares. `labels` empty or one per sample (the
/// argmax class).
Agreement evaluate(const mapper::Network& network, const mapper::MapResult& mapped,
                   const std::vector<mapper::NetworkStimulus>& samples, const std::vector<int>& labels = {},
                   const std::string& backend = "functional");

}  // namespace lifchip::flow
