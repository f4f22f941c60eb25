// Seeded synthetic networks for the mapper's tests and benchmarks: layered (random sparse or dense),
// convolutional and random-recurrent, LIF or CubaLIF, with weights that make the neurons fire.
#pragma once

#include <cstdint>
#include <vector>

#include "lifchip/mapper/ir.h"
#include "lifchip/mapper/map.h"

namespace lifchip::mapper {

struct SyntheticOptions {
  NeuronKind kind = NeuronKind::kLIF;  // kLIF or kCubaLIF
  uint64_t seed = 1;
  double dt = 1e-3;
  double weight_scale = 1.0;  // multiplies the default weight spread
};

/// Input of sizes[0], then one population per further size; each neuron takes `fan_in` distinct
/// random sources from the previous population (fan_in >= previous size: dense). The last
/// population feeds an output of the same size one to one.
Network synthetic_layered(const std::vector<uint32_t>& sizes, uint32_t fan_in, const SyntheticOptions& o);

/// Input [channels[0], h, w], then a k x k "same" convolution to channels[i] per population
/// (spatial size kept), C-order indices as the NIR importer expands them. Output = last population.
Network synthetic_conv(const std::vector<uint32_t>& channels, uint32_t h, uint32_t w, uint32_t k,
                       const SyntheticOptions& o);

/// `inputs` inputs each feeding `fan_in_ext` random neurons of one population of `n` neurons, which
/// connect to themselves with `fan_in_rec` random sources per neuron; its first `outputs` neurons
/// feed the output.
Network synthetic_recurrent(uint32_t inputs, uint32_t n, uint32_t fan_in_ext, uint32_t fan_in_rec,
                            uint32_t outputs, const SyntheticOptions& o);

/// Bernoulli input spikes: each input spikes in each step with probability `rate` (seeded).
NetworkStimulus synthetic_stimulus(uint32_t num_inputs, uint32_t steps, double rate, uint64_t seed);

}  // namespace lifchip::mapper
