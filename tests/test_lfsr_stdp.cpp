// Directed tests of the learning arithmetic in lifchip/arith.h: the per-core LFSR against the
// sequences of docs/spec.md §4.4, and the trace and weight rules against the worked examples of §4.3.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "lifchip/arith.h"
#include "lifchip/chip_constants.h"

namespace lifchip {
namespace {

namespace s = spec;

std::vector<uint16_t> draws(uint16_t seed, int count) {
  std::vector<uint16_t> out;
  uint16_t state = seed;
  for (int i = 0; i < count; ++i) out.push_back(arith::lfsr_draw(state));
  return out;
}

TEST(Lfsr, TapsConstantIsThePolynomialOfTheSpec) {
  EXPECT_EQ(s::LFSR_TAPS, 0xB400);  // x^16 + x^14 + x^13 + x^11 + 1
  EXPECT_EQ(s::LFSR_BITS, 16);
}

TEST(Lfsr, SequenceFromSeed1) {
  const std::vector<uint16_t> expect = {0xB400, 0x5A00, 0x2D00, 0x1680, 0x0B40, 0x05A0, 0x02D0, 0x0168,
                                        0x00B4, 0x005A, 0x002D, 0xB416, 0x5A0B, 0x9905, 0xF882, 0x7C41};
  EXPECT_EQ(draws(1, 16), expect);
}

TEST(Lfsr, SequenceFromSeedACE1) {
  const std::vector<uint16_t> expect = {0xE270, 0x7138, 0x389C, 0x1C4E, 0x0E27, 0xB313, 0xED89, 0xC2C4};
  EXPECT_EQ(draws(0xACE1, 8), expect);
}

TEST(Lfsr, DrawReturnsTheNewState) {
  uint16_t state = 0xACE1;
  const uint16_t r = arith::lfsr_draw(state);
  EXPECT_EQ(r, state);
  EXPECT_EQ(r, 0xE270);
}

TEST(Lfsr, MaximalPeriodFromSeed1) {
  // Every non-zero state is visited exactly once before the sequence returns to the seed.
  std::vector<bool> seen(65536, false);
  uint16_t state = 1;
  uint32_t period = 0;
  do {
    ASSERT_NE(state, 0) << "locked at draw " << period;
    ASSERT_FALSE(seen[state]) << "state 0x" << std::hex << state << " repeated early";
    seen[state] = true;
    arith::lfsr_draw(state);
    ++period;
    ASSERT_LE(period, 65535u);
  } while (state != 1);
  EXPECT_EQ(period, 65535u);
}

TEST(Lfsr, ZeroStateLocks) {
  // Why the image rejects lfsr_seed = 0.
  uint16_t state = 0;
  EXPECT_EQ(arith::lfsr_draw(state), 0);
  EXPECT_EQ(state, 0);
}

// ---- §4.3 worked examples ----

TEST(Stdp, TraceDecayWorkedExample) {
  EXPECT_EQ(arith::trace_decay(200, 256, 0x0B40), 188);  // (200*3840 + 2880) >> 12, exact 187.5
  // The random part decides between 187 and 188.
  EXPECT_EQ(arith::trace_decay(200, 256, 0), 187);
  EXPECT_EQ(arith::trace_decay(200, 256, 2047), 187);
  EXPECT_EQ(arith::trace_decay(200, 256, 2048), 188);
  EXPECT_EQ(arith::trace_decay(200, 256, 4095), 188);
  // Only r & 4095 is used.
  EXPECT_EQ(arith::trace_decay(200, 256, 0xFB40), 188);
  EXPECT_EQ(arith::trace_decay(200, 256, 0xF000), 187);
}

TEST(Stdp, TraceImpulseSaturates) {
  EXPECT_EQ(arith::trace_impulse(250, 10), 255);
  EXPECT_EQ(arith::trace_impulse(245, 10), 255);
  EXPECT_EQ(arith::trace_impulse(244, 10), 254);
  EXPECT_EQ(arith::trace_impulse(255, 255), 255);
  EXPECT_EQ(arith::trace_impulse(0, 255), 255);
  EXPECT_EQ(arith::trace_impulse(0, 0), 0);
  EXPECT_EQ(arith::trace_impulse(100, 10), 110);
}

TEST(Stdp, TraceSaturatesUnderRepeatedImpulses) {
  uint8_t x = 0;
  for (int i = 0; i < 10; ++i) x = arith::trace_impulse(x, 40);
  EXPECT_EQ(x, s::TRACE_MAX);
}

TEST(Stdp, PotentiationWorkedExample) {
  EXPECT_EQ(arith::stdp_step(100, 3, 5), 13);       // (100 + 5) >> 3
  EXPECT_EQ(arith::stdp_step(100, 3, 3), 12);       // (100 + 3) >> 3
  EXPECT_EQ(arith::stdp_step(100, 3, 0xFFF5), 13);  // r & 7 = 5: only the low bits count
  EXPECT_EQ(arith::stdp_step(100, 3, 0xFFF3), 12);
}

TEST(Stdp, DepressionAndBoundWorkedExample) {
  const int32_t dw = -arith::stdp_step(255, 2, 0);  // r & 3 = 0
  EXPECT_EQ(dw, -63);
  EXPECT_EQ(arith::clamp_weight(-120 + dw, -128, 127), -128);  // -183 clamped
  EXPECT_EQ(arith::clamp_weight(-120 + dw, -200, 127), -183);  // (only the bound clamps)
}

TEST(Stdp, ClampWeightBounds) {
  EXPECT_EQ(arith::clamp_weight(200, -128, 127), 127);
  EXPECT_EQ(arith::clamp_weight(127, -128, 127), 127);
  EXPECT_EQ(arith::clamp_weight(-128, -128, 127), -128);
  EXPECT_EQ(arith::clamp_weight(5, 5, 5), 5);
  EXPECT_EQ(arith::clamp_weight(4, 5, 5), 5);
  EXPECT_EQ(arith::clamp_weight(6, -10, 3), 3);
}

TEST(Stdp, ShiftZeroUsesNoRandomBitsAndShift15) {
  for (uint16_t r : {0x0000, 0x0001, 0xFFFF}) EXPECT_EQ(arith::stdp_step(200, 0, r), 200);
  EXPECT_EQ(arith::stdp_step(255, s::LR_SHIFT_MAX, 0), 0);
  EXPECT_EQ(arith::stdp_step(255, s::LR_SHIFT_MAX, 0x7FFF), 1);  // (255 + 32767) >> 15
  EXPECT_EQ(arith::stdp_step(255, s::LR_SHIFT_MAX, 0x7F00), 0);  // (255 + 32512) >> 15
  EXPECT_EQ(arith::stdp_step(255, s::LR_SHIFT_MAX, 0x8000), 0);  // bit 15 is masked off
}

TEST(Stdp, DecayZeroKeepsEveryTrace) {
  for (uint32_t x = 0; x <= s::TRACE_MAX; ++x)
    for (uint32_t r = 0; r < 65536; r += 3)  // covers every r & 4095 (3 is coprime with 4096)
      ASSERT_EQ(arith::trace_decay(static_cast<uint8_t>(x), 0, static_cast<uint16_t>(r)), x)
          << "x=" << x << " r=" << r;
}

TEST(Stdp, DecayFullLeavesAtMostOne) {
  // decay = 4095: (x + (r & 4095)) >> 12, so 0 or 1, and 1 only when the random part carries.
  EXPECT_EQ(arith::trace_decay(255, 4095, 0), 0);
  EXPECT_EQ(arith::trace_decay(255, 4095, 3840), 0);
  EXPECT_EQ(arith::trace_decay(255, 4095, 3841), 1);
  EXPECT_EQ(arith::trace_decay(1, 4095, 4095), 1);
}

TEST(Stdp, DecayNeverIncreasesAndIsUnbiased) {
  // Stochastic rounding: over every r & 4095 the mean equals the exact product.
  for (uint32_t decay : {1u, 256u, 1000u, 4095u}) {
    for (uint32_t x = 1; x <= s::TRACE_MAX; x += 17) {
      uint64_t sum = 0;
      for (uint32_t r = 0; r < 4096; ++r) {
        const uint8_t y = arith::trace_decay(static_cast<uint8_t>(x), decay, static_cast<uint16_t>(r));
        ASSERT_LE(y, x);
        sum += y;
      }
      EXPECT_EQ(sum, uint64_t{x} * (4096 - decay)) << "x=" << x << " decay=" << decay;
    }
  }
}

}  // namespace
}  // namespace lifchip
