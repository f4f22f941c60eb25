// A small builder for chip images in tests: declare neurons, axons, synapses and fan-out by index;
// build() lays out the synapse and fan-out memories contiguously and seals (checksums) the image.
#pragma once

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "lifchip/image.h"

namespace lifchip::test {

struct FanoutTarget {
  bool to_host = false;
  uint32_t x = 0, y = 0, axon = 0;
};

struct SynapseSpec {
  uint32_t neuron = 0;
  int32_t weight = 0;
  uint32_t group = 0;
};

class ImageBuilder {
 public:
  explicit ImageBuilder(uint32_t width = 1, uint32_t height = 1);

  pb::ChipConfig& config() { return *image_.mutable_config(); }
  void set_learning(bool on) { image_.set_learning_enabled(on); }

  /// Adds a profile to core (x, y); returns its index.
  uint32_t profile(uint32_t x, uint32_t y, uint32_t du, uint32_t dv, uint32_t vth, int32_t bias_exp = 0,
                   bool subtract = false, uint32_t refractory = 0);
  /// Adds a neuron; returns its index.
  uint32_t neuron(uint32_t x, uint32_t y, uint32_t profile, int32_t bias_mant = 0, int32_t u = 0, int32_t v = 0);
  /// Adds an input axon; returns its index.
  uint32_t axon(uint32_t x, uint32_t y);
  void synapse(uint32_t x, uint32_t y, uint32_t axon, uint32_t neuron, int32_t weight, uint32_t group = 0);
  void fanout(uint32_t x, uint32_t y, uint32_t neuron, FanoutTarget target);
  void group(uint32_t x, uint32_t y, uint32_t g, int32_t weight_exp, bool plastic = false, uint32_t lr_pot = 0,
             uint32_t lr_dep = 0, int32_t w_min = -128, int32_t w_max = 127);
  void stdp(uint32_t x, uint32_t y, uint32_t pre_decay, uint32_t post_decay, uint32_t pre_impulse,
            uint32_t post_impulse);
  void lfsr_seed(uint32_t x, uint32_t y, uint32_t seed);

  /// The image, laid out and sealed (throws InputError if invalid).
  pb::ChipImage build() const;
  /// The image laid out but not validated or sealed (for tests of invalid images).
  pb::ChipImage build_unsealed() const;

 private:
  struct CoreDraft {
    pb::Core core;  // profiles, groups, stdp, seed, neuron arrays except fan-out ranges
    std::vector<std::vector<SynapseSpec>> axons;
    std::vector<std::vector<FanoutTarget>> fanouts;  // per neuron
  };
  CoreDraft& draft(uint32_t x, uint32_t y);
  pb::ChipImage image_;
  std::map<std::pair<uint32_t, uint32_t>, CoreDraft> cores_;  // key (y, x): y-major order
};

}  // namespace lifchip::test
