// The CUBA benchmark network (Vogels & Abbott 2005, Brian2's examples/CUBA.py) expressed in the
// chip's fixed-point arithmetic and placed in index order onto a mesh; docs/benchmarks.md derives it.
#pragma once

#include <cstdint>

#include "lifchip/image.h"

namespace lifchip::test {

/// The chip parameters of the CUBA network (derivation and tuning: docs/benchmarks.md).
struct CubaParams {
  uint32_t du = 81;          // du + 1 = round(4096 * 0.1 ms / 5 ms) = 82: tau_syn 4.995 ms
  uint32_t dv = 20;          // round(4096 * 0.1 ms / 20 ms): tau_m 20.48 ms
  uint32_t vth = 65536;      // thr = 2^22 stands for Vt - Vr = 10 mV
  int32_t bias_mant = 2816;  // bias 22,528 = (El - Vr) * dv / 4096 in v units
  int32_t bias_exp = 3;
  uint32_t refractory = 50;  // 5 ms
  int32_t w_exc = 53;        // excitatory weight mantissa, group 0
  int32_t w_exc_exp = 0;
  int32_t w_inh = -92;  // inhibitory weight mantissa, group 1 (scaled: -736; tuned, see docs)
  int32_t w_inh_exp = 3;
  uint32_t synapses_per_neuron = 80;  // mean in-degree (and out-degree)
  // Largest presynaptic pool of one core: AXONS_PER_CORE_MAX = 4096 bounds the distinct sources
  // a core can receive from, so larger networks draw each core's inputs from a random pool.
  uint32_t pool = 4000;
};

inline constexpr uint32_t kCubaNeuronsPerCore = 256;

/// Neurons [0, 4N/5) are excitatory, the rest inhibitory (as CUBA.py's i < 3200 for N = 4000).
inline constexpr uint32_t cuba_excitatory(uint32_t neurons) {
  return static_cast<uint32_t>(uint64_t{neurons} * 4 / 5);
}

/// Mesh width and height for `cores` cores: the smallest near-square mesh that holds them.
void cuba_mesh(uint32_t cores, uint32_t* width, uint32_t* height);

/// The CUBA network of `neurons` neurons on ceil(neurons / 256) cores, neuron i on core i / 256
/// (core k at (k mod W, k / W)), one fan-out entry per destination core, sealed. Deterministic for
/// a seed. Throws InputError when the network cannot fit the chip.
pb::ChipImage cuba_image(uint32_t neurons, uint64_t seed);
pb::ChipImage cuba_image(uint32_t neurons, uint64_t seed, const CubaParams& params);

}  // namespace lifchip::test
