// The chip's arithmetic rules (docs/spec.md §2 and §4), one function per rule, shared by every
// C++ model. Everything here is exact integer arithmetic; no function has a hidden rounding.
#pragma once

#include <cstdint>

#include "lifchip/chip_constants.h"

namespace lifchip::arith {

namespace s = lifchip::spec;

inline constexpr int32_t kTwo23 = int32_t{1} << 23;
inline constexpr int32_t kTwo24 = int32_t{1} << 24;
inline constexpr int32_t kVMax = kTwo23 - 1;
inline constexpr int32_t kAInMax = (int32_t{1} << (s::A_IN_BITS - 1)) - 1;
inline constexpr int32_t kAInMin = -(int32_t{1} << (s::A_IN_BITS - 1));

/// trunc0(x * factor / 4096): the product rounded toward zero, computed in 64 bits.
constexpr int32_t decay_trunc0(int32_t x, int32_t factor) {
  const int64_t p = int64_t{x} * factor;
  const int64_t q = (p < 0 ? -p : p) >> s::DECAY_BITS;
  return static_cast<int32_t>(p < 0 ? -q : q);
}

/// The same value in 32-bit arithmetic, valid for |x| <= 2^23 and 0 <= factor <= 4096 (what the
/// vectorised neuron kernel uses): floor(a*f/4096) = (a>>12)*f + floor((a&4095)*f/4096).
constexpr int32_t decay_trunc0_32(int32_t x, int32_t factor) {
  const int32_t a = x < 0 ? -x : x;
  const int32_t r = (a >> s::DECAY_BITS) * factor + (((a & (s::DECAY_ONE - 1)) * factor) >> s::DECAY_BITS);
  return x < 0 ? -r : r;
}

/// Multiplier that decays u: 4096 - (du + 1).
constexpr int32_t current_factor(uint32_t du) { return static_cast<int32_t>(s::DECAY_ONE - 1 - du); }
/// Multiplier that decays v: 4096 - dv.
constexpr int32_t voltage_factor(uint32_t dv) { return static_cast<int32_t>(s::DECAY_ONE - dv); }

constexpr int32_t decay_current(int32_t u, uint32_t du) { return decay_trunc0(u, current_factor(du)); }
constexpr int32_t decay_voltage(int32_t v, uint32_t dv) { return decay_trunc0(v, voltage_factor(dv)); }

/// The single wrap of u into (-2^23, +2^23]; exactly +2^23 is kept (Loihi's behaviour).
constexpr int32_t wrap24(int64_t u) {
  if (u > kTwo23) return static_cast<int32_t>(u - kTwo24);
  if (u <= -kTwo23) return static_cast<int32_t>(u + kTwo24);
  return static_cast<int32_t>(u);
}

/// Saturation of v to [-(2^23 - 1), 2^23 - 1].
constexpr int32_t saturate24(int64_t v) {
  return v > kVMax ? kVMax : (v < -kVMax ? -kVMax : static_cast<int32_t>(v));
}

/// The dendritic input a_in: the 32-bit accumulator clamped to 18 signed bits.
constexpr int32_t saturate_a_in(int32_t acc) {
  return acc > kAInMax ? kAInMax : (acc < kAInMin ? kAInMin : acc);
}

/// x * 2^e for e >= 0, x >> -e (arithmetic, toward -inf) for e < 0.
constexpr int32_t shift_signed(int32_t x, int32_t e) {
  if (e >= 0) return x * (int32_t{1} << e);
  const int32_t sh = -e;
  return x >= 0 ? (x >> sh) : -((-x + (int32_t{1} << sh) - 1) >> sh);
}

constexpr int32_t scale_weight(int32_t weight, int32_t weight_exp) { return shift_signed(weight, weight_exp); }
constexpr int32_t bias_value(int32_t bias_mant, int32_t bias_exp) { return shift_signed(bias_mant, bias_exp); }
constexpr int32_t threshold(uint32_t vth) { return static_cast<int32_t>(vth) << s::THRESHOLD_SHIFT; }
/// The comparison threshold of a read-out neuron (spec §2.6): above every v (|v| < 2^23), so the
/// strict `v > thr` of §2.4 step 4 never holds and the neuron never spikes or resets.
inline constexpr int32_t kReadoutThreshold = kTwo23;
/// The threshold the update compares v with: threshold(vth), or kReadoutThreshold for a read-out.
constexpr int32_t compare_threshold(uint32_t vth, bool readout) {
  return readout ? kReadoutThreshold : threshold(vth);
}

/// Neuron parameters as the update needs them (derived once from the profile, spec §2.1).
struct NeuronParams {
  int32_t fu = 0;       // current_factor(du)
  int32_t fv = 0;       // voltage_factor(dv)
  int32_t bias = 0;     // bias_value(bias_mant, bias_exp)
  int32_t thr = 0;      // threshold(vth)
  bool subtract = false;  // reset mode
  int32_t refractory = 0;
};

struct NeuronState {
  int32_t u = 0;
  int32_t v = 0;
  int32_t ref = 0;
};

/// True when the update is idle (spec §2.4): it changes nothing and cannot spike.
constexpr bool is_idle(const NeuronState& st, int32_t a_in, int32_t bias) {
  return st.u == 0 && st.v == 0 && a_in == 0 && bias == 0 && st.ref == 0;
}

/// One neuron update (spec §2.4), scalar reference form. Returns true on a spike.
constexpr bool neuron_update(NeuronState& st, const NeuronParams& p, int32_t acc) {
  const int32_t a_in = saturate_a_in(acc);
  st.u = wrap24(int64_t{decay_trunc0(st.u, p.fu)} + int64_t{a_in} * (int64_t{1} << s::INPUT_SHIFT));
  if (st.ref > 0) {
    --st.ref;
    return false;
  }
  st.v = saturate24(int64_t{decay_trunc0(st.v, p.fv)} + st.u + p.bias);
  if (st.v > p.thr) {
    st.v = p.subtract ? st.v - p.thr : 0;
    st.ref = p.refractory;
    return true;
  }
  return false;
}

// ---- STDP (spec §4) ----

/// One draw of the per-core 16-bit Galois LFSR: advance, then return the new state.
constexpr uint16_t lfsr_draw(uint16_t& state) {
  const bool lsb = (state & 1u) != 0;
  state = static_cast<uint16_t>(state >> 1);
  if (lsb) state = static_cast<uint16_t>(state ^ static_cast<uint16_t>(s::LFSR_TAPS));
  return state;
}

/// Stochastically rounded trace decay: (x * (4096 - decay) + (r & 4095)) >> 12.
constexpr uint8_t trace_decay(uint8_t x, uint32_t decay, uint16_t r) {
  return static_cast<uint8_t>((uint32_t{x} * (s::DECAY_ONE - decay) + (r & (s::DECAY_ONE - 1))) >> s::DECAY_BITS);
}

/// Trace impulse with saturation at TRACE_MAX.
constexpr uint8_t trace_impulse(uint8_t x, uint32_t impulse) {
  const uint32_t y = uint32_t{x} + impulse;
  return static_cast<uint8_t>(y > s::TRACE_MAX ? s::TRACE_MAX : y);
}

/// Stochastically rounded trace >> shift: (trace + (r & (2^shift - 1))) >> shift.
constexpr int32_t stdp_step(uint8_t trace, uint32_t shift, uint16_t r) {
  return static_cast<int32_t>((uint32_t{trace} + (r & ((uint32_t{1} << shift) - 1))) >> shift);
}

constexpr int32_t clamp_weight(int32_t w, int32_t w_min, int32_t w_max) {
  return w < w_min ? w_min : (w > w_max ? w_max : w);
}

}  // namespace lifchip::arith
