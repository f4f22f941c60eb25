// Seeded random chip images and stimuli for equivalence tests: every backend is compared with every
// other on the same generated networks, so a seed must reproduce the same image on every platform.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "lifchip/backend.h"
#include "lifchip/image.h"

namespace lifchip::test {

/// Deterministic draws from std::mt19937_64's raw output (whose sequence the C++ standard fixes);
/// the standard distributions are implementation-defined, so they are not used.
class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed) {}
  uint64_t next() { return engine_(); }
  /// Uniform in [lo, hi] (both inclusive; modulo reduction, the tiny bias is irrelevant here).
  int64_t range(int64_t lo, int64_t hi);
  uint32_t urange(uint32_t lo, uint32_t hi) { return static_cast<uint32_t>(range(lo, hi)); }
  /// Uniform index in [0, n), n > 0.
  uint32_t index(uint32_t n) { return static_cast<uint32_t>(next() % n); }
  /// True with probability p (53 random bits compared with p, exact in IEEE doubles).
  bool chance(double p);
  template <typename T>
  const T& pick(const std::vector<T>& v) {
    return v[index(static_cast<uint32_t>(v.size()))];
  }

 private:
  std::mt19937_64 engine_;
};

struct RandomNetOptions {
  std::string preset = "custom";
  uint64_t seed = 1;

  // Mesh: width and height drawn in these ranges; each core is in the image with this chance
  // (at least one always is).
  uint32_t width_min = 1, width_max = 3;
  uint32_t height_min = 1, height_max = 3;
  double core_presence = 0.8;
  /// Chance that the mesh is instead drawn up to 16 x 16 (coordinates up to 15, long routes) with
  /// only a few cores present, the far corner often among them.
  double wide_mesh = 0;
  /// Leave ChipConfig capacities 0 (the spec defaults); otherwise capacities are drawn between the
  /// largest count the image uses and the spec's limit.
  bool default_capacities = false;

  // Per-core counts, each drawn uniformly in [min, max] (clipped to the capacities).
  uint32_t neurons_min = 1, neurons_max = 24;
  uint32_t axons_min = 1, axons_max = 24;
  uint32_t profiles_min = 1, profiles_max = 4;
  uint32_t synapses_per_axon_min = 0, synapses_per_axon_max = 6;  // sparse axons
  uint32_t fanout_per_neuron_min = 0, fanout_per_neuron_max = 3;
  /// Chance that a present core has no neurons (a pure relay) or no axons.
  double empty_core = 0.03;

  double dense = 0.15;  // chance that an axon connects to every neuron of its core
  double overlap =
      0.1;  // chance that an axon's synapse list (or a neuron's fan-out list) reuses earlier entries
  double host_output = 0.1;  // chance that a fan-out entry goes to the host
  bool recurrence = true;    // fan-out to any core (itself included); off: only to later cores (feed-forward)
  bool shuffle_core_order = true;  // image core records not always in y-major order

  bool plastic = false;         // plastic synapse groups with STDP settings
  bool learning = false;        // the image's learning_enabled (with plastic groups)
  bool profile_variety = true;  // both reset modes, refractory periods, every bias exponent
  /// Chance that a profile is a read-out profile (spec §2.6); 0 draws nothing (older presets keep
  /// their images bit for bit).
  double readout = 0;

  /// Boundary values: du 4095 / 0, dv 0, vth 0 and 131071, bias 4095 << 7, weights +-128 with
  /// weight exponent 7, hot neurons that saturate a_in, states near +-2^23, the u wrap and the v
  /// saturation, occasionally a 32-bit accumulator wrap through overlapping 65,535-entry ranges.
  bool edge = false;
  /// Most fan-out entries of every core go to one core with few axons: link congestion and collisions.
  bool congest = false;
  /// Every core exactly at the default capacities (256 neurons, 1024 axons, 16,384 synapses, 4,096 fan-out).
  bool fill_capacity = false;

  // Suggested stimuli for this preset.
  uint32_t steps = 24;
  double input_rate = 0.2;

  static RandomNetOptions small(uint64_t seed);
  static RandomNetOptions recurrent(uint64_t seed);
  static RandomNetOptions plastic_net(uint64_t seed);
  static RandomNetOptions edge_net(uint64_t seed);
  static RandomNetOptions congest_net(uint64_t seed);
  /// Recurrent networks where a share of the profiles are read-out profiles (spec §2.6) with low
  /// thresholds, so read-out neurons sit far above vth << 6 without spiking.
  static RandomNetOptions readout_net(uint64_t seed);
  /// The full default chip: 4x4 mesh, every core at the default capacities (256 neurons/core).
  static RandomNetOptions largest_default_chip(uint64_t seed);
};

/// Names of the presets equivalence tests iterate over: small, recurrent, plastic, edge, congest, largest.
const std::vector<std::string>& preset_names();
/// The named preset with this seed; throws std::invalid_argument on an unknown name.
RandomNetOptions preset(const std::string& name, uint64_t seed);

/// A valid, sealed image (every limit of spec §9.4 respected) drawn from the options and their seed.
pb::ChipImage random_image(const RandomNetOptions& options);

/// Host input spikes for steps [0, steps): each axon of each core spikes with probability `rate`
/// per step; some spikes are sent twice in a step (host collisions).
std::vector<InputSpike> random_stimuli(const pb::ChipImage& image, uint64_t seed, uint32_t steps,
                                       double rate);

}  // namespace lifchip::test
