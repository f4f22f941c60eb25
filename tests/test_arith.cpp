// Directed tests of the neuron arithmetic in lifchip/arith.h: every row of docs/spec.md §2.5, the
// 32-bit decay against the 64-bit one, and the scalar neuron update (reset, refractory, threshold).
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "lifchip/arith.h"
#include "lifchip/chip_constants.h"

namespace lifchip {
namespace {

namespace s = spec;
using arith::NeuronParams;
using arith::NeuronState;

constexpr int32_t kTwo23 = int32_t{1} << 23;

// Parameters as the image loader derives them from a profile and a bias (spec §2.1).
NeuronParams params(uint32_t du, uint32_t dv, uint32_t vth, int32_t bias = 0, bool subtract = false,
                    int32_t refractory = 0) {
  NeuronParams p;
  p.fu = arith::current_factor(du);
  p.fv = arith::voltage_factor(dv);
  p.bias = bias;
  p.thr = arith::threshold(vth);
  p.subtract = subtract;
  p.refractory = refractory;
  return p;
}

constexpr uint32_t kVthMax = (uint32_t{1} << s::VTH_BITS) - 1;  // 131071: no spike below 2^23 - 64

// ---- §2.5, one test per row ----

TEST(ArithTable, NegativeDecayRoundsTowardZero) {
  EXPECT_EQ(arith::decay_current(-64, 100), -62);
  NeuronState st{-64, 0, 0};
  EXPECT_FALSE(arith::neuron_update(st, params(100, 0, kVthMax), 0));
  EXPECT_EQ(st.u, -62);  // a floor would give -63
}

TEST(ArithTable, DuZeroStillDecays) {
  EXPECT_EQ(arith::decay_current(1000, 0), 999);
  NeuronState st{1000, 0, 0};
  arith::neuron_update(st, params(0, 0, kVthMax), 0);
  EXPECT_EQ(st.u, 999);
}

TEST(ArithTable, DuZeroNegative) {
  EXPECT_EQ(arith::decay_current(-1000, 0), -999);
  NeuronState st{-1000, 0, 0};
  arith::neuron_update(st, params(0, 0, kVthMax), 0);
  EXPECT_EQ(st.u, -999);
}

TEST(ArithTable, Du4095NoMemory) {
  EXPECT_EQ(arith::current_factor(4095), 0);
  NeuronState st{123456, 0, 0};
  arith::neuron_update(st, params(4095, 0, kVthMax), 5);
  EXPECT_EQ(st.u, 320);
}

TEST(ArithTable, DvZeroNoDecay) {
  EXPECT_EQ(arith::decay_voltage(5000, 0), 5000);
  NeuronState st{0, 5000, 0};
  arith::neuron_update(st, params(4095, 0, kVthMax), 0);
  EXPECT_EQ(st.u, 0);
  EXPECT_EQ(st.v, 5000);
}

TEST(ArithTable, Dv4095) {
  EXPECT_EQ(arith::decay_voltage(8000000, 4095), 1953);
  NeuronState st{0, 8000000, 0};
  arith::neuron_update(st, params(4095, 4095, kVthMax), 0);
  EXPECT_EQ(st.v, 1953);
}

TEST(ArithTable, UWrapsHigh) {
  EXPECT_EQ(arith::decay_current(8000000, 0), 7998046);
  EXPECT_EQ(arith::wrap24(int64_t{7998046} + 10000 * 64), -8139170);
  NeuronState st{8000000, 0, 0};
  arith::neuron_update(st, params(0, 0, kVthMax), 10000);
  EXPECT_EQ(st.u, -8139170);
}

TEST(ArithTable, UWrapsLow) {
  EXPECT_EQ(arith::wrap24(int64_t{-7998046} - 8388608), 390562);
  NeuronState st{-8000000, 0, 0};
  arith::neuron_update(st, params(0, 0, kVthMax), -131072);
  EXPECT_EQ(st.u, 390562);
}

TEST(ArithTable, ExactlyMinus2Pow23BecomesPlus2Pow23) {
  EXPECT_EQ(arith::wrap24(-int64_t{kTwo23}), kTwo23);
  NeuronState st{0, 0, 0};
  arith::neuron_update(st, params(0, 0, kVthMax), -131072);
  EXPECT_EQ(st.u, kTwo23);
}

TEST(ArithTable, ExactlyPlus2Pow23IsKept) {
  EXPECT_EQ(arith::wrap24(kTwo23), kTwo23);
  EXPECT_EQ(arith::wrap24(int64_t{kTwo23} + 1), -kTwo23 + 1);  // one above does wrap
  NeuronState st{kTwo23, 0, 0};
  arith::neuron_update(st, params(0, 0, kVthMax), 32);
  EXPECT_EQ(st.u, kTwo23);
}

TEST(ArithTable, AInSaturatesHigh) {
  EXPECT_EQ(arith::saturate_a_in(200000), 131071);
  EXPECT_EQ(arith::saturate_a_in(131071), 131071);
  EXPECT_EQ(arith::saturate_a_in(131072), 131071);
  NeuronState st{0, 0, 0};
  arith::neuron_update(st, params(4095, 0, kVthMax), 200000);
  EXPECT_EQ(st.u, 131071 * 64);
}

TEST(ArithTable, AInSaturatesLow) {
  EXPECT_EQ(arith::saturate_a_in(-200000), -131072);
  EXPECT_EQ(arith::saturate_a_in(-131072), -131072);
  EXPECT_EQ(arith::saturate_a_in(-131073), -131072);
  NeuronState st{0, 0, 0};
  arith::neuron_update(st, params(4095, 0, kVthMax), -200000);
  EXPECT_EQ(st.u, kTwo23);  // -131072 << 6 = -2^23, which the wrap turns into +2^23
}

TEST(ArithTable, VSaturatesHigh) {
  EXPECT_EQ(arith::saturate24(int64_t{arith::decay_voltage(8000000, 0)} + 500000 + 0), 8388607);
  // The same through the update: u' = trunc0(500123 * 4095 / 4096) = 500000. The saturated v is
  // above every threshold, so it spikes; the subtract reset leaves 8388607 - thr, which shows the
  // clamp (without it v would be 8500000 - thr).
  NeuronState st{500123, 8000000, 0};
  const NeuronParams p = params(0, 0, kVthMax, 0, /*subtract=*/true);
  EXPECT_TRUE(arith::neuron_update(st, p, 0));
  EXPECT_EQ(st.u, 500000);
  EXPECT_EQ(st.v, 8388607 - arith::threshold(kVthMax));
  EXPECT_EQ(st.v, 63);
}

TEST(ArithTable, VSaturatesLow) {
  EXPECT_EQ(arith::saturate24(int64_t{-8300000} - 200000), -8388607);
  EXPECT_EQ(arith::saturate24(-int64_t{kTwo23}), -8388607);  // never -2^23
  // u' = -200000 exactly through the input: a_in = -3125, -3125 << 6 = -200000.
  NeuronState st{0, -8300000, 0};
  EXPECT_FALSE(arith::neuron_update(st, params(4095, 0, kVthMax), -3125));
  EXPECT_EQ(st.u, -200000);
  EXPECT_EQ(st.v, -8388607);
}

TEST(ArithTable, BiasNotShiftedBy6) {
  EXPECT_EQ(arith::bias_value(3, 0), 3);
  NeuronState st{0, 0, 0};
  EXPECT_FALSE(arith::neuron_update(st, params(0, 0, 1, arith::bias_value(3, 0)), 0));
  EXPECT_EQ(st.v, 3);
}

TEST(ArithTable, BiasNegativeExponent) {
  EXPECT_EQ(arith::bias_value(-5, -1), -3);  // toward -inf, not toward zero (-2)
  EXPECT_EQ(arith::bias_value(5, -1), 2);
  EXPECT_EQ(arith::bias_value(-1, s::BIAS_EXP_MIN), -1);
  EXPECT_EQ(arith::bias_value(-4096, s::BIAS_EXP_MIN), -16);
  EXPECT_EQ(arith::bias_value(4095, s::BIAS_EXP_MIN), 15);
  NeuronState st{0, 0, 0};
  arith::neuron_update(st, params(0, 0, kVthMax, arith::bias_value(-5, -1)), 0);
  EXPECT_EQ(st.v, -3);
}

TEST(ArithTable, LargestBias) {
  EXPECT_EQ(arith::bias_value(4095, s::BIAS_EXP_MAX), 524160);
  EXPECT_EQ(arith::bias_value(-4096, s::BIAS_EXP_MAX), -524288);
}

TEST(ArithTable, ThresholdEquality) {
  EXPECT_EQ(arith::threshold(100), 6400);
  // u' = 100 << 6 = 6400 = thr: strict comparison, no spike.
  NeuronState st{0, 0, 0};
  EXPECT_FALSE(arith::neuron_update(st, params(4095, 0, 100), 100));
  EXPECT_EQ(st.v, 6400);
  EXPECT_EQ(st.ref, 0);
}

TEST(ArithTable, ThresholdPlusOne) {
  NeuronState zero{0, 0, 0};
  EXPECT_TRUE(arith::neuron_update(zero, params(4095, 0, 100, /*bias=*/1, false), 100));
  EXPECT_EQ(zero.v, 0);
  EXPECT_EQ(zero.u, 6400);  // u is never reset
  NeuronState sub{0, 0, 0};
  EXPECT_TRUE(arith::neuron_update(sub, params(4095, 0, 100, /*bias=*/1, true), 100));
  EXPECT_EQ(sub.v, 1);
  EXPECT_EQ(sub.u, 6400);
}

TEST(ArithTable, VthZero) {
  EXPECT_EQ(arith::threshold(0), 0);
  NeuronState st{0, 0, 0};
  EXPECT_TRUE(arith::neuron_update(st, params(0, 0, 0, 1), 0));
  NeuronState at0{0, 0, 0};
  EXPECT_FALSE(arith::neuron_update(at0, params(0, 0, 0, 0), 0));  // v' = 0 = thr
}

TEST(ArithTable, WeightExponentHigh) {
  EXPECT_EQ(arith::scale_weight(-128, s::WEIGHT_EXP_MAX), -16384);
  EXPECT_EQ(arith::scale_weight(127, s::WEIGHT_EXP_MAX), 16256);
}

TEST(ArithTable, WeightExponentLow) {
  EXPECT_EQ(arith::scale_weight(127, s::WEIGHT_EXP_MIN), 0);
  EXPECT_EQ(arith::scale_weight(-128, s::WEIGHT_EXP_MIN), -1);
}

TEST(ArithTable, WeightExponentLowNegative) { EXPECT_EQ(arith::scale_weight(-1, s::WEIGHT_EXP_MIN), -1); }

TEST(ArithTable, WeightExponentMinusOne) {
  EXPECT_EQ(arith::scale_weight(-3, -1), -2);
  EXPECT_EQ(arith::scale_weight(3, -1), 1);
}

// The shift of a negative value must round toward -inf for every exponent and weight.
TEST(ArithShift, MatchesFloorDivisionForAllWeightsAndExponents) {
  for (int32_t w = -128; w <= 127; ++w) {
    for (int32_t e = s::WEIGHT_EXP_MIN; e <= s::WEIGHT_EXP_MAX; ++e) {
      int64_t expect;
      if (e >= 0) {
        expect = int64_t{w} * (int64_t{1} << e);
      } else {
        const int64_t d = int64_t{1} << -e;
        expect = w >= 0 ? w / d : -((-int64_t{w} + d - 1) / d);
      }
      ASSERT_EQ(arith::scale_weight(w, e), expect) << "w=" << w << " e=" << e;
    }
  }
}

// ---- decay_trunc0_32 == decay_trunc0 over the valid domain ----

std::vector<int32_t> edge_values() {
  std::vector<int32_t> xs;
  for (int32_t b : {0, 1, 2, 4095, 4096, 4097, 8191, 8192, 65535, 65536, 1 << 20, kTwo23 - 4097,
                    kTwo23 - 4096, kTwo23 - 4095, kTwo23 - 2, kTwo23 - 1, kTwo23}) {
    xs.push_back(b);
    xs.push_back(-b);
  }
  for (int32_t i = 0; i < 300; ++i) {  // every low-12-bit pattern region around small values
    xs.push_back(i * 13 + 5);
    xs.push_back(-(i * 13 + 5));
  }
  return xs;
}

TEST(ArithDecay32, EqualsDecay64ForEdgeValuesAndEveryFactor) {
  const std::vector<int32_t> xs = edge_values();
  for (int32_t f = 0; f <= s::DECAY_ONE; ++f)
    for (int32_t x : xs)
      ASSERT_EQ(arith::decay_trunc0_32(x, f), arith::decay_trunc0(x, f)) << "x=" << x << " f=" << f;
}

TEST(ArithDecay32, EqualsDecay64ForEveryXAtExtremeFactors) {
  for (int32_t f : {0, 1, 2, 2047, 2048, 4094, 4095, 4096}) {
    for (int32_t x = -kTwo23; x <= kTwo23; x += 61)  // odd stride: every residue mod 4096
      ASSERT_EQ(arith::decay_trunc0_32(x, f), arith::decay_trunc0(x, f)) << "x=" << x << " f=" << f;
    ASSERT_EQ(arith::decay_trunc0_32(kTwo23, f), arith::decay_trunc0(kTwo23, f));
  }
}

TEST(ArithDecay32, EqualsDecay64Randomised) {
  std::mt19937 rng(12345);
  std::uniform_int_distribution<int32_t> dx(-kTwo23, kTwo23);
  std::uniform_int_distribution<int32_t> df(0, s::DECAY_ONE);
  for (int i = 0; i < 2000000; ++i) {
    const int32_t x = dx(rng), f = df(rng);
    ASSERT_EQ(arith::decay_trunc0_32(x, f), arith::decay_trunc0(x, f)) << "x=" << x << " f=" << f;
  }
}

TEST(ArithDecay, Trunc0IsSignTimesMagnitudeShift) {
  // trunc0(p / 4096) = sign(p) * (|p| >> 12), checked on products straddling multiples of 4096.
  EXPECT_EQ(arith::decay_trunc0(-1, 4095), 0);
  EXPECT_EQ(arith::decay_trunc0(-4096, 4095), -4095);
  EXPECT_EQ(arith::decay_trunc0(-4097, 4096), -4097);
  EXPECT_EQ(arith::decay_trunc0(kTwo23, 4096), kTwo23);
  EXPECT_EQ(arith::decay_trunc0(-kTwo23, 1), -2048);
  EXPECT_EQ(arith::decay_trunc0(-kTwo23 + 1, 1), -2047);
  EXPECT_EQ(arith::decay_trunc0(12345, 0), 0);
}

// ---- neuron_update behaviours ----

TEST(NeuronUpdate, ResetToZero) {
  NeuronState st{0, 0, 0};
  const NeuronParams p = params(4095, 0, 10);    // thr 640
  EXPECT_TRUE(arith::neuron_update(st, p, 15));  // v' = 960
  EXPECT_EQ(st.v, 0);
  EXPECT_EQ(st.u, 960);
  EXPECT_EQ(st.ref, 0);
}

TEST(NeuronUpdate, ResetBySubtraction) {
  // thr 640, u' = 384 every step: v = 384, 768 -> spike -> 128, 512, 896 -> spike -> 256, 640 (equal:
  // no spike), 1024 -> spike -> 384.
  NeuronState st{0, 0, 0};
  const NeuronParams p = params(4095, 0, 10, 0, true);
  const bool expect_spike[] = {false, true, false, true, false, true};
  const int32_t expect_v[] = {384, 128, 512, 256, 640, 384};
  for (int t = 0; t < 6; ++t) {
    EXPECT_EQ(arith::neuron_update(st, p, 6), expect_spike[t]) << "t=" << t;
    EXPECT_EQ(st.v, expect_v[t]) << "t=" << t;
  }
}

TEST(NeuronUpdate, RefractoryHoldsExactlyRStepsAndIntegratesU) {
  for (int32_t r : {1, 2, 5, static_cast<int>(s::REFRACTORY_MAX)}) {
    // du = 2047: u keeps half its value each step, so its value shows it was updated in the hold.
    const NeuronParams p = params(2047, 0, 10, 0, true, r);
    NeuronState st{0, 0, 0};
    ASSERT_TRUE(arith::neuron_update(st, p, 20));  // u' = 1280, v' = 1280 > 640: spike at t = 0
    EXPECT_EQ(st.v, 640);
    EXPECT_EQ(st.ref, r);
    int32_t u = st.u;
    for (int32_t k = 1; k <= r; ++k) {  // held in steps 1 .. r even with a huge input
      EXPECT_FALSE(arith::neuron_update(st, p, 1000)) << "r=" << r << " k=" << k;
      u = arith::wrap24(int64_t{arith::decay_current(u, 2047)} + 1000 * 64);
      EXPECT_EQ(st.u, u) << "r=" << r << " k=" << k;
      EXPECT_EQ(st.v, 640) << "v keeps its post-reset value";
      EXPECT_EQ(st.ref, r - k);
    }
    EXPECT_TRUE(arith::neuron_update(st, p, 1000)) << "spikes again at t + r + 1, r=" << r;
    EXPECT_EQ(st.ref, r);
  }
}

TEST(NeuronUpdate, RefractoryZeroAllowsConsecutiveSpikes) {
  NeuronState st{0, 0, 0};
  const NeuronParams p = params(4095, 0, 10);
  for (int t = 0; t < 4; ++t) EXPECT_TRUE(arith::neuron_update(st, p, 15)) << t;
}

TEST(NeuronUpdate, Du4095Dv0Dv4095) {
  // du = 4095: u' = a_in << 6 whatever u was.
  NeuronState a{-777777, 0, 0};
  arith::neuron_update(a, params(4095, 0, kVthMax), -3);
  EXPECT_EQ(a.u, -192);
  // dv = 0: v accumulates exactly.
  NeuronState b{0, 0, 0};
  for (int t = 0; t < 3; ++t) arith::neuron_update(b, params(4095, 0, kVthMax), 7);
  EXPECT_EQ(b.v, 3 * 448);
  // dv = 4095: v keeps v/4096 of itself, toward zero for a negative v.
  NeuronState c{0, -8000000, 0};
  arith::neuron_update(c, params(4095, 4095, kVthMax), 0);
  EXPECT_EQ(c.v, -1953);
}

TEST(NeuronUpdate, NegativeBiasExponentDrivesV) {
  // bias = -4096 >> 8 = -16 per step with dv = 0.
  NeuronState st{0, 0, 0};
  const NeuronParams p = params(0, 0, 0, arith::bias_value(-4096, -8));
  for (int t = 0; t < 4; ++t) EXPECT_FALSE(arith::neuron_update(st, p, 0));
  EXPECT_EQ(st.v, -64);
}

TEST(NeuronUpdate, WeightExponentExtremesAsInput) {
  NeuronState hi{0, 0, 0};
  arith::neuron_update(hi, params(4095, 0, kVthMax), arith::scale_weight(-128, 7));
  EXPECT_EQ(hi.u, -16384 * 64);
  NeuronState lo{0, 0, 0};
  arith::neuron_update(lo, params(4095, 0, kVthMax), arith::scale_weight(-1, -8));
  EXPECT_EQ(lo.u, -64);
}

TEST(NeuronUpdate, IsIdle) {
  EXPECT_TRUE(arith::is_idle(NeuronState{0, 0, 0}, 0, 0));
  EXPECT_FALSE(arith::is_idle(NeuronState{1, 0, 0}, 0, 0));
  EXPECT_FALSE(arith::is_idle(NeuronState{0, -1, 0}, 0, 0));
  EXPECT_FALSE(arith::is_idle(NeuronState{0, 0, 1}, 0, 0));
  EXPECT_FALSE(arith::is_idle(NeuronState{0, 0, 0}, 1, 0));
  EXPECT_FALSE(arith::is_idle(NeuronState{0, 0, 0}, 0, -1));
  // An idle update changes nothing and cannot spike, even with vth = 0.
  NeuronState st{0, 0, 0};
  EXPECT_FALSE(arith::neuron_update(st, params(0, 0, 0), 0));
  EXPECT_EQ(st.u, 0);
  EXPECT_EQ(st.v, 0);
  EXPECT_EQ(st.ref, 0);
}

}  // namespace
}  // namespace lifchip
