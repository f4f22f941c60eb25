// The per-core datapath shared by every C++ chip model: a neuro-core's memories and state as
// structure-of-arrays, and the functions of spec §3 (delivery), §2.4 (update) and §4.2 (learning).
// The functional model runs it untimed; the SystemC model wraps it with the timing of spec §10.
// Internal to core_model (not an installed header).
#pragma once

#include <cstdint>
#include <vector>

#include "lifchip/backend.h"
#include "lifchip/chip_constants.h"
#include "lifchip/image.h"

namespace lifchip::detail {

struct KernelParams;
using KernelFn = uint32_t (*)(uint32_t, int32_t*, int32_t*, int32_t*, int32_t*, const KernelParams&,
                              uint32_t*);

inline bool test_bit(const std::vector<uint64_t>& bits, uint32_t i) {
  return (bits[i >> 6] >> (i & 63)) & 1u;
}

struct DeliverResult {
  uint64_t events = 0;  // axons delivered
  uint64_t ops = 0;     // synapse entries accumulated
};

struct CoreDatapath {
  uint32_t x = 0, y = 0;
  uint32_t N = 0, A = 0, S = 0, F = 0;
  std::vector<pb::Profile> profiles;
  pb::SynapseGroup groups[spec::SYN_GROUPS_PER_CORE];
  bool any_plastic = false;
  pb::Stdp stdp;
  uint16_t lfsr = 1;
  uint64_t range_total = 0;  // sum of all axons' synapse-range lengths (entries the weight pass visits)

  // Neurons: state, then parameters derived once from the profiles (spec §2.1).
  // ref holds the refractory counter (spec §2.2) in its low bits and, after an update, whether the
  // neuron spiked in that update (kFired): one array instead of two streamed per step.
  static constexpr int32_t kRefMask = (1 << spec::REFRACTORY_BITS) - 1;
  static constexpr int32_t kFired = 1 << 8;
  std::vector<int32_t> u, v, ref, acc;
  bool fired(uint32_t n) const { return (ref[n] & kFired) != 0; }
  std::vector<double> fu, fv;  // decay factor / 4096, exact in a double
  std::vector<int32_t> bias, thr, rmask, refr;
  bool uniform = false;  // every neuron shares profile and bias: parameters at index 0 serve all
  KernelFn kernel = nullptr;
  std::vector<uint32_t> profile_of, fan_base, fan_count;
  std::vector<int32_t> bias_mant;

  // Axons: synapse ranges and the pending bits of spec §3. The bitmaps answer "is axon a
  // pending"; the lists hold the same axons in arrival order, so delivery and the barrier cost
  // what is pending, not the size of the axon table. (Delivery order is not observable: the
  // accumulator wraps, so sums commute.)
  std::vector<uint32_t> syn_base, syn_count;
  std::vector<uint32_t> axon_range;  // syn_base | syn_count << 16: one load per delivered axon
  std::vector<uint64_t> cur, next;
  std::vector<uint32_t> cur_list, next_list;
  bool any_cur = false;

  // Synapse memory. syn_packed caches each entry for delivery in one word: the weight scaled by its
  // group's exponent (|w| <= 2^14, 22 signed bits) above the 10-bit target neuron.
  std::vector<uint16_t> syn_neuron;
  std::vector<int32_t> syn_weight, syn_packed;
  std::vector<uint8_t> syn_group;
  void set_scaled(uint32_t e, int32_t scaled) {
    syn_packed[e] =
        static_cast<int32_t>(static_cast<uint32_t>(scaled) << spec::NEURON_INDEX_BITS | syn_neuron[e]);
  }

  // Fan-out memory.
  std::vector<uint32_t> fan_axon, fan_x, fan_y;
  std::vector<uint8_t> fan_host;

  // STDP traces.
  std::vector<uint8_t> pre, post;

  std::vector<uint32_t> spiked;  // neurons that spiked in this step, ascending
  CoreCounterArray cnt{};

  /// Loads the core's memories from a validated image.
  void build(const pb::Core& pc);
  /// A packet reaching an axon: sets the current (host input) or next (neuron spike) pending bit,
  /// counting PACKETS_RECEIVED and AXON_COLLISIONS.
  void arrive(bool current, uint32_t axon);
  /// Phase DELIVER (spec §3): accumulates every current pending axon's synapse range.
  DeliverResult deliver() { return deliver(acc.data()); }
  /// The same into an accumulator array of N words kept outside the core (the functional model
  /// keeps every core's accumulators in one array, so spikes can be delivered straight into it).
  DeliverResult deliver(int32_t* acc_out);
  /// Phase UPDATE (spec §2.4): updates every neuron, fills `spiked`; returns the spike count.
  uint32_t update() { return update(acc.data()); }
  /// The same reading (and zeroing) the accumulators from `acc_in` (N words).
  uint32_t update(int32_t* acc_in);
  /// True when the learning phase runs on this core (spec §4.1).
  bool learning_runs(bool learn_en) const { return learn_en && any_plastic; }
  /// True when the weight pass of the learning phase runs (spec §4.2 step 3); call before learn().
  bool weight_pass_runs() const { return any_cur || !spiked.empty(); }
  /// Phase LEARN (spec §4.2).
  void learn();
  /// Phase BARRIER: next pending bits become current.
  void end_step();
  /// The MEM_SEL read window (spec §7, §9.2); throws InputError when out of range.
  uint32_t read_word(uint32_t mem, uint32_t addr) const;
};

}  // namespace lifchip::detail
