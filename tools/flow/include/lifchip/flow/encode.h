// Spike encoders (rate, latency, delta modulation) from data to chip input spikes, the input
// binding that says which chip axon each data channel drives, and the output decoders.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lifchip/image.h"
#include "lifchip/flow/data.h"

namespace lifchip::flow {

/// A spike on a data channel (before binding) or an output channel (after a run).
struct ChannelSpike {
  uint32_t step = 0;
  uint32_t channel = 0;
  friend bool operator==(const ChannelSpike& a, const ChannelSpike& b) {
    return a.step == b.step && a.channel == b.channel;
  }
};

struct AxonTarget {
  uint32_t x = 0, y = 0, axon = 0;
};

/// Which chip axons each encoder channel drives (a channel may drive several). docs/cli.md
/// describes the JSON file: {"channels": [[{"x":0,"y":0,"axon":3}, ...], ...]} or the short form
/// {"core": [x, y], "axon_base": b} (channel c -> axon b + c of that core).
struct Binding {
  std::vector<std::vector<AxonTarget>> channels;
};

/// Channel c -> axon base + c of core (x, y), for `channels` channels.
Binding contiguous_binding(uint32_t channels, uint32_t x, uint32_t y, uint32_t base);
/// Parses a binding JSON document; `channels` is the number the encoder produces (the short form
/// is expanded to that many). Throws InputError naming `name` and the entry.
Binding parse_binding(const std::string& json_text, const std::string& name, uint32_t channels);

/// 64-bit mix (SplitMix64) used to derive one independent stream per sample from one seed, so a
/// sample's spikes do not depend on which other samples are encoded with it.
uint64_t mix_seed(uint64_t seed, uint64_t index);

/// Rate coding: channel c spikes in each of `steps` steps independently with probability
/// values[c] / max_value (a Bernoulli draw per step from a mt19937_64 seeded with `seed`).
/// Values must lie in [0, max_value]; an out-of-range value throws InputError naming the channel.
std::vector<ChannelSpike> rate_encode(const std::vector<double>& values, uint32_t steps, double max_value,
                                      uint64_t seed);

/// Latency coding: one spike per channel at step round((1 - p) * (steps - 1)), p = value / max_value,
/// rounded half to even (as NumPy's np.round);
/// the largest value fires first (step 0); p <= min_fraction gives no spike.
std::vector<ChannelSpike> latency_encode(const std::vector<double>& values, uint32_t steps, double max_value,
                                         double min_fraction = 0.0);

/// Delta modulation of a time series (rows = steps, columns = signals): the reference of each signal
/// starts at its first row; at step t an increase of at least `threshold` over the reference emits
/// an ON spike on channel 2c, a decrease of at least `threshold` an OFF spike on 2c + 1, and the
/// reference then becomes the current value. At most one spike per channel per step.
std::vector<ChannelSpike> delta_encode(const Matrix& series, double threshold);

/// Appends channel spikes shifted by `offset` steps to a Stimuli message through a binding.
/// `spikes` must be sorted by step; throws InputError when a channel has no binding.
void append_stimuli(const std::vector<ChannelSpike>& spikes, uint32_t offset, const Binding& binding,
                    pb::Stimuli& out);

/// Sorts by (step, channel).
void sort_spikes(std::vector<ChannelSpike>& spikes);

// ---- Decoding the outputs of a run ----

enum class DecodeMethod { kCount, kFirst };

/// The predicted class of each sample window [i * period, i * period + steps) of a run's output
/// spikes: kCount = the channel with the most spikes (ties: the lowest channel), kFirst = the channel
/// that spiked first (ties: the lowest channel). Channels >= classes are ignored; -1 = no spike.
std::vector<int> decode(const pb::RunResult& result, DecodeMethod method, uint32_t classes, uint32_t samples,
                        uint32_t steps, uint32_t period);

}  // namespace lifchip::flow
