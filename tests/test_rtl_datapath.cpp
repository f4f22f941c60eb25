// Directed tests of the RTL datapath edges (docs/spec.md §2.5, §4.3, §4.4): the u wrap at +-2^23
// (exactly +2^23 kept, exactly -2^23 turned into +2^23), v saturation both ways, negative decay
// rounding, a_in saturation and the 32-bit accumulator wrap, strict threshold, both reset modes,
// refractory periods, bias and weight exponent extremes, the LFSR sequence and STDP. Each run is
// compared step by step with the SystemC model (values, every counter 0..31 and chip slot, cycles
// per step, exit cycles) and with the functional model (values, functional counters); then the
// RTL's values are checked against the numbers worked in the spec.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "lifchip/backend.h"
#include "lifchip/chip_constants.h"
#include "lifchip/image.h"
#include "support/compare.h"
#include "support/image_builder.h"

namespace lifchip {
namespace {

namespace s = spec;
using test::FanoutTarget;
using test::ImageBuilder;

constexpr int32_t kTwo23 = int32_t{1} << 23;

class RtlDatapath : public ::testing::Test {
 protected:
  std::unique_ptr<Backend> rtl = BackendRegistry::create("rtl");
  std::unique_ptr<Backend> sc = BackendRegistry::create("systemc");
  std::unique_ptr<Backend> f = BackendRegistry::create("functional");
  std::vector<OutputSpike> out;  // the RTL's output spikes of the last run

  // Runs the image on the RTL against the functional model and against the SystemC model; leaves
  // the RTL in its final state for the value checks.
  void run(const pb::ChipImage& img, const std::vector<InputSpike>& in, uint32_t steps) {
    test::CompareOptions functional_opt;
    test::Divergence d = test::run_and_compare(*rtl, *f, img, in, steps, functional_opt);
    ASSERT_TRUE(d.identical && d.where.empty()) << "rtl vs functional: " << d.where;
    test::CompareOptions timing_opt;
    timing_opt.timing = true;
    d = test::run_and_compare(*rtl, *sc, img, in, steps, timing_opt);
    ASSERT_TRUE(d.identical && d.where.empty()) << "rtl vs systemc: " << d.where;
    // run_and_compare drained the spikes step by step; run the RTL once more to keep them.
    rtl->load(img);
    rtl->inject(in);
    rtl->step(steps);
    out = rtl->drain();
  }
  int32_t u(uint32_t n, uint32_t x = 0, uint32_t y = 0) const {
    return layout::sign_extend(rtl->read_word(x, y, s::MEM_NEURON_STATE, 3 * n), 25);
  }
  int32_t v(uint32_t n, uint32_t x = 0, uint32_t y = 0) const {
    return layout::sign_extend(rtl->read_word(x, y, s::MEM_NEURON_STATE, 3 * n + 1), 24);
  }
  uint32_t ref(uint32_t n) const { return rtl->read_word(0, 0, s::MEM_NEURON_STATE, 3 * n + 2); }
  uint32_t pre_trace(uint32_t a) const { return rtl->read_word(0, 0, s::MEM_TRACE, a); }
  uint32_t post_trace(uint32_t n) const {
    return rtl->read_word(0, 0, s::MEM_TRACE, s::AXONS_PER_CORE_MAX + n);
  }
  int32_t weight(uint32_t e) const {
    return layout::sign_extend(rtl->read_word(0, 0, s::MEM_SYNAPSE, e) >> 10, 8);
  }
};

// Synapse entries on axon 0 whose scaled weights add up to `acc` (group 0: exponent 7, group 1:
// exponent 0), targeting neuron n.
void add_acc(ImageBuilder& b, uint32_t n, int64_t acc) {
  const int64_t big = 127 << 7;
  while (acc >= big || acc <= -big) {
    const int32_t w = acc > 0 ? 127 : -127;
    b.synapse(0, 0, 0, n, w, 0);
    acc -= int64_t{w} * 128;
  }
  const int64_t hi = acc >> 7;  // floor: the remainder below is in [0, 127]
  if (hi != 0) b.synapse(0, 0, 0, n, static_cast<int32_t>(hi), 0);
  const int64_t lo = acc - hi * 128;
  if (lo != 0) b.synapse(0, 0, 0, n, static_cast<int32_t>(lo), 1);
}

struct NeuronCase {
  const char* name;
  uint32_t du, dv, vth;
  int32_t bias_mant, bias_exp;
  bool subtract;
  int32_t u0, v0;
  int64_t acc;  // dendritic accumulator of step 0
  int32_t u1, v1;
  bool spike;
};

// docs/spec.md §2.5, one neuron per case, one step.
const NeuronCase kCases[] = {
    {"negative decay rounds toward zero", 100, 0, 131071, 0, 0, false, -64, 0, 0, -62, -62, false},
    {"du 0 still decays", 0, 0, 131071, 0, 0, false, 1000, 0, 0, 999, 999, false},
    {"du 0 negative", 0, 0, 131071, 0, 0, false, -1000, 0, 0, -999, -999, false},
    {"du 4095 has no memory", 4095, 0, 131071, 0, 0, false, 123456, 0, 5, 320, 320, false},
    {"dv 0 does not decay", 4095, 0, 131071, 0, 0, false, 0, 5000, 0, 0, 5000, false},
    {"dv 4095", 4095, 4095, 131071, 0, 0, false, 0, 8000000, 0, 0, 1953, false},
    {"u wraps high", 0, 4095, 131071, 0, 0, false, 8000000, 0, 10000, -8139170, -8139170, false},
    {"u wraps low", 0, 4095, 131071, 0, 0, false, -8000000, 0, -131072, 390562, 390562, false},
    {"-2^23 becomes +2^23", 0, 4095, 131071, 0, 0, true, 0, 0, -131072, kTwo23, kTwo23 - 1 - 8388544, true},
    {"+2^23 is kept", 0, 4095, 131071, 0, 0, true, kTwo23, 0, 32, kTwo23, kTwo23 - 1 - 8388544, true},
    {"a_in saturates high", 4095, 4095, 131071, 0, 0, false, 0, 0, 200000, 131071 * 64, 131071 * 64, false},
    {"a_in saturates low", 4095, 4095, 131071, 0, 0, true, 0, 0, -200000, kTwo23, kTwo23 - 1 - 8388544, true},
    {"v saturates high", 0, 0, 131071, 0, 0, true, 500123, 8000000, 0, 500000, 8388607 - 8388544, true},
    {"v saturates low", 4095, 0, 131071, 0, 0, false, 0, -8300000, -3125, -200000, -8388607, false},
    {"bias not shifted by 6", 4095, 0, 131071, 3, 0, false, 0, 0, 0, 0, 3, false},
    {"bias with negative exponent", 4095, 0, 131071, -5, -1, false, 0, 0, 0, 0, -3, false},
    {"largest bias", 4095, 0, 131071, 4095, 7, false, 0, 0, 0, 0, 524160, false},
    {"bias -1 >> 8 stays -1", 4095, 0, 131071, -1, -8, false, 0, 0, 0, 0, -1, false},
    {"threshold equality", 4095, 0, 100, 3200, 1, false, 0, 0, 0, 0, 6400, false},
    {"threshold + 1, reset to zero", 4095, 0, 100, 1, 0, false, 0, 0, 100, 6400, 0, true},
    {"threshold + 1, reset by subtraction", 4095, 0, 100, 1, 0, true, 0, 0, 100, 6400, 1, true},
    {"vth 0", 4095, 0, 0, 1, 0, true, 0, 0, 0, 0, 1, true},
    {"idle neuron", 4095, 0, 0, 0, 0, false, 0, 0, 0, 0, 0, false},
};

TEST_F(RtlDatapath, NeuronArithmeticCases) {
  for (const NeuronCase& c : kCases) {
    SCOPED_TRACE(c.name);
    ImageBuilder b(1, 1);
    b.profile(0, 0, c.du, c.dv, c.vth, c.bias_exp, c.subtract);
    b.neuron(0, 0, 0, c.bias_mant, c.u0, c.v0);
    b.group(0, 0, 0, 7);
    b.group(0, 0, 1, 0);
    b.axon(0, 0);
    add_acc(b, 0, c.acc);
    b.fanout(0, 0, 0, FanoutTarget{true, 0, 0, 7});
    std::vector<InputSpike> in;
    if (c.acc != 0) in.push_back({0, 0, 0, 0});
    ASSERT_NO_FATAL_FAILURE(run(b.build(), in, 1));
    EXPECT_EQ(u(0), c.u1);
    EXPECT_EQ(v(0), c.v1);
    EXPECT_EQ(out.size(), c.spike ? 1u : 0u);
    const CounterSet cs = rtl->counters();
    const bool idle = c.u0 == 0 && c.v0 == 0 && c.acc == 0 && c.bias_mant == 0;
    EXPECT_EQ(cs.cores[0][s::CNT_NEURON_IDLE], idle ? 1u : 0u);
  }
}

// Weight exponents (spec §2.3): a_in is the scaled weight, u' = a_in << 6 with du 4095.
TEST_F(RtlDatapath, WeightExponentExtremes) {
  struct Case {
    int32_t weight, exp, scaled;
  };
  for (const Case& c : {Case{-128, 7, -16384}, Case{127, -8, 0}, Case{-1, -8, -1}, Case{-3, -1, -2},
                        Case{127, 7, 16256}, Case{1, -1, 0}}) {
    SCOPED_TRACE("weight " + std::to_string(c.weight) + " exp " + std::to_string(c.exp));
    ImageBuilder b(1, 1);
    b.profile(0, 0, 4095, 0, 131071);
    b.neuron(0, 0, 0);
    b.group(0, 0, 0, c.exp);
    b.axon(0, 0);
    b.synapse(0, 0, 0, 0, c.weight, 0);
    ASSERT_NO_FATAL_FAILURE(run(b.build(), {{0, 0, 0, 0}}, 1));
    EXPECT_EQ(u(0), c.scaled * 64);
  }
}

// The 32-bit accumulator wraps (spec §2.3): 9 axons walk the same 16,384 entries of weight -128 with
// exponent 7 into one neuron, -9 * 2^28 = -2,415,919,104, which wraps to +1,879,048,192 and
// saturates a_in high (a non-wrapping sum would saturate it low).
TEST_F(RtlDatapath, AccumulatorWraps) {
  ImageBuilder b(1, 1);
  b.profile(0, 0, 4095, 4095, 131071);
  b.neuron(0, 0, 0);
  b.group(0, 0, 0, 7);
  pb::ChipImage img = b.build_unsealed();
  pb::Core* c = img.mutable_cores(0);
  const uint32_t entries = s::SYNAPSES_PER_CORE_DEFAULT;
  for (uint32_t e = 0; e < entries; ++e) {
    c->add_syn_neuron(0);
    c->add_syn_weight(-128);
    c->add_syn_group(0);
  }
  std::vector<InputSpike> in;
  for (uint32_t a = 0; a < 9; ++a) {
    c->add_axon_syn_base(0);
    c->add_axon_syn_count(entries);
    in.push_back({0, 0, 0, a});
  }
  seal_image(img);
  ASSERT_NO_FATAL_FAILURE(run(img, in, 1));
  EXPECT_EQ(u(0), 131071 * 64);
  const CounterSet cs = rtl->counters();
  // DELIVER: 1 scan cycle + 9 x (1 + 16,384) + DELIVER_PIPE.
  EXPECT_EQ(cs.cores[0][s::CNT_CYCLES_DELIVER], 1u + 9u * (1u + entries) + s::DELIVER_PIPE);
  EXPECT_EQ(cs.cores[0][s::CNT_SYN_OPS], 9u * entries);
}

// Refractory (spec §2.4): a neuron with refractory r that spikes in step t is held in steps
// t+1 .. t+r (u integrates, v stays at its post-reset value) and spikes again in step t+r+1.
TEST_F(RtlDatapath, RefractoryPeriods) {
  for (uint32_t r : {1u, 3u, 63u}) {
    SCOPED_TRACE("refractory " + std::to_string(r));
    ImageBuilder b(1, 1);
    b.profile(0, 0, 0, 0, 10, 0, true, r);  // vth 10: thr 640; bias 700 spikes every free step
    b.neuron(0, 0, 0, 700);
    b.fanout(0, 0, 0, FanoutTarget{true, 0, 0, 3});
    const uint32_t steps = r == 63 ? 66 : 2 * (r + 1) + 1;
    ASSERT_NO_FATAL_FAILURE(run(b.build(), {}, steps));
    std::vector<uint32_t> spike_steps;
    for (const OutputSpike& o : out) spike_steps.push_back(o.step);
    std::vector<uint32_t> expect;
    for (uint32_t t = 0; t < steps; t += r + 1) expect.push_back(t);
    EXPECT_EQ(spike_steps, expect);
    // Subtract mode: v after the first spike is 700 - 640 = 60 and is held.
    if (r == 63) {
      EXPECT_EQ(v(0), 60 + 700 - 640);  // the spike of step 64 added 700 and subtracted 640 again
      EXPECT_EQ(ref(0), 63u - (65u - 64u));
    }
  }
}

// The LFSR sequence (spec §4.4) seen through one pre-trace: pre_impulse 200 in step 0, then each
// step decays it with the next draw: x' = (x * (4096 - 256) + (draw & 4095)) >> 12. The draws are the
// spec's list from seeds 1 and 0xACE1, not a re-implementation.
TEST_F(RtlDatapath, LfsrSequenceThroughTraceDecay) {
  struct Seed {
    uint32_t seed;
    std::vector<uint32_t> draws;
  };
  const Seed seeds[] = {
      {1,
       {0xB400, 0x5A00, 0x2D00, 0x1680, 0x0B40, 0x05A0, 0x02D0, 0x0168, 0x00B4, 0x005A, 0x002D, 0xB416,
        0x5A0B, 0x9905, 0xF882, 0x7C41}},
      {0xACE1, {0xE270, 0x7138, 0x389C, 0x1C4E, 0x0E27, 0xB313, 0xED89, 0xC2C4}},
  };
  for (const Seed& sd : seeds) {
    SCOPED_TRACE("seed " + std::to_string(sd.seed));
    ImageBuilder b(1, 1);
    b.set_learning(true);
    b.lfsr_seed(0, 0, sd.seed);
    b.group(0, 0, 0, 0, true, 1, 1);
    b.stdp(0, 0, 256, 0, 200, 0);
    b.axon(0, 0);
    const auto steps = static_cast<uint32_t>(sd.draws.size()) + 1;
    ASSERT_NO_FATAL_FAILURE(run(b.build(), {{0, 0, 0, 0}}, steps));
    uint32_t x = 200;
    for (uint32_t d : sd.draws) x = (x * (4096 - 256) + (d & 4095)) >> 12;
    EXPECT_EQ(pre_trace(0), x);
  }
}

// STDP (spec §4.2, §4.3): pre and post spikes in the same step both potentiate and depress, weights
// clamp at w_min / w_max, non-plastic groups stay, and the draws follow the spec's order. Values are
// compared with both models by run(); here the clamps are checked by value.
TEST_F(RtlDatapath, StdpPotentiationDepressionAndBounds) {
  ImageBuilder b(1, 1);
  b.set_learning(true);
  b.lfsr_seed(0, 0, 0xACE1);
  b.profile(0, 0, 4095, 4095, 0);            // any input spikes
  b.group(0, 0, 0, 0, true, 0, 0, -20, 20);  // shifts 0: full traces, clamp at +-20
  b.group(0, 0, 1, 0, true, 3, 2);           // the spec's worked shifts
  b.group(0, 0, 2, 0, false);                // static
  b.stdp(0, 0, 100, 300, 255, 255);
  for (int n = 0; n < 4; ++n) b.neuron(0, 0, 0);
  for (uint32_t a = 0; a < 6; ++a) {
    b.axon(0, 0);
    for (uint32_t n = 0; n < 4; ++n)
      b.synapse(0, 0, a, n, static_cast<int32_t>(10 * a) - 25 + static_cast<int32_t>(n), a % 3);
  }
  std::vector<InputSpike> in;
  for (uint32_t t = 0; t < 12; ++t)
    for (uint32_t a = 0; a < 6; ++a)
      if ((t + a) % 3 == 0) in.push_back({t, 0, 0, a});
  ASSERT_NO_FATAL_FAILURE(run(b.build(), in, 12));
  const CounterSet cs = rtl->counters();
  EXPECT_GT(cs.cores[0][s::CNT_STDP_UPDATES], 0u);
  EXPECT_GT(cs.cores[0][s::CNT_CYCLES_LEARN], 0u);
  for (uint32_t a = 0; a < 6; ++a) {
    for (uint32_t n = 0; n < 4; ++n) {
      const uint32_t e = 4 * a + n;
      const int32_t w0 = static_cast<int32_t>(10 * a) - 25 + static_cast<int32_t>(n);
      if (a % 3 == 0) {
        EXPECT_GE(weight(e), -20) << e;
        EXPECT_LE(weight(e), 20) << e;
      }
      if (a % 3 == 2) {
        EXPECT_EQ(weight(e), w0) << "static synapse " << e;
      }
    }
  }
}

// Plastic groups with LEARN_EN cleared mid-run (CTRL): from then on the learning phase is skipped
// (L = 0) and nothing learns.
TEST_F(RtlDatapath, LearningSkippedWhenLearnEnCleared) {
  ImageBuilder b(1, 1);
  b.set_learning(true);
  b.profile(0, 0, 4095, 4095, 0);
  b.group(0, 0, 0, 0, true, 1, 1);
  b.stdp(0, 0, 100, 100, 50, 50);
  b.neuron(0, 0, 0);
  b.axon(0, 0);
  b.synapse(0, 0, 0, 0, 5);
  const pb::ChipImage img = b.build();
  test::CompareOptions opt;
  opt.timing = true;
  opt.before_step = [](Backend& x, uint32_t step) { x.set_learning(step < 2); };
  std::vector<InputSpike> in;
  for (uint32_t t = 0; t < 5; ++t) in.push_back({t, 0, 0, 0});
  const test::Divergence d = test::run_and_compare(*rtl, *sc, img, in, 5, opt);
  ASSERT_TRUE(d.identical && d.where.empty()) << d.where;
  const CounterSet cs = rtl->counters();
  // Steps 0 and 1 learn (A 1 + N 1 + 2 + weight pass 1 + 1 entry = 6 each), steps 2..4 do not.
  EXPECT_EQ(cs.cores[0][s::CNT_CYCLES_LEARN], 12u);
}

// Collisions and host inputs sent twice (spec §3), and output spikes' exit cycles.
TEST_F(RtlDatapath, CollisionsAndDuplicateInputs) {
  ImageBuilder b(2, 2);
  for (uint32_t y = 0; y < 2; ++y)
    for (uint32_t x = 0; x < 2; ++x) {
      b.profile(x, y, 4095, 4095, 0);
      for (int n = 0; n < 3; ++n) b.neuron(x, y, 0, 1);
      for (int a = 0; a < 2; ++a) b.axon(x, y);
      for (uint32_t n = 0; n < 3; ++n) {
        b.synapse(x, y, 0, n, 3);
        b.fanout(x, y, n, FanoutTarget{false, 1 - x, 1 - y, 0});
        b.fanout(x, y, n, FanoutTarget{true, 0, 0, x + 2 * y});
      }
    }
  std::vector<InputSpike> in = {{0, 1, 1, 1}, {0, 1, 1, 1}, {0, 0, 1, 0}, {2, 1, 0, 0}, {2, 1, 0, 0}};
  ASSERT_NO_FATAL_FAILURE(run(b.build(), in, 4));
  const CounterSet cs = rtl->counters();
  EXPECT_GT(cs.total(s::CNT_AXON_COLLISIONS), 0u);
  EXPECT_FALSE(out.empty());
}

}  // namespace
}  // namespace lifchip
