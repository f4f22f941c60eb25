// Directed tests of the functional backend on small hand-built images: spike timing, delivery,
// saturation and wrap through real input, reset and refractory, collisions, the counters of
// docs/spec.md §8 (including XY link counters), STDP in the order of §4.2, read_word layouts of §9.2,
// inject() errors and drain()/clear_counters() semantics. Expected values are worked out from the spec.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "lifchip/arith.h"
#include "lifchip/backend.h"
#include "lifchip/chip_constants.h"
#include "lifchip/image.h"
#include "support/image_builder.h"

namespace lifchip {
namespace {

namespace s = spec;
using test::FanoutTarget;
using test::ImageBuilder;

constexpr uint32_t kVthMax = (uint32_t{1} << s::VTH_BITS) - 1;
constexpr int32_t kTwo23 = int32_t{1} << 23;

std::unique_ptr<Backend> load(const pb::ChipImage& image) {
  std::unique_ptr<Backend> be = BackendRegistry::create("functional");
  be->load(image);
  return be;
}

int32_t u_of(const Backend& be, uint32_t x, uint32_t y, uint32_t n) {
  return layout::sign_extend(be.read_word(x, y, s::MEM_NEURON_STATE, 3 * n), s::U_REG_BITS);
}
int32_t v_of(const Backend& be, uint32_t x, uint32_t y, uint32_t n) {
  return layout::sign_extend(be.read_word(x, y, s::MEM_NEURON_STATE, 3 * n + 1), s::STATE_BITS);
}
uint32_t ref_of(const Backend& be, uint32_t x, uint32_t y, uint32_t n) {
  return be.read_word(x, y, s::MEM_NEURON_STATE, 3 * n + 2);
}
int32_t weight_of(const Backend& be, uint32_t x, uint32_t y, uint32_t e) {
  return layout::sign_extend(be.read_word(x, y, s::MEM_SYNAPSE, e) >> 10, s::WEIGHT_BITS);
}
uint32_t pre_trace(const Backend& be, uint32_t x, uint32_t y, uint32_t a) {
  return be.read_word(x, y, s::MEM_TRACE, a);
}
uint32_t post_trace(const Backend& be, uint32_t x, uint32_t y, uint32_t n) {
  return be.read_word(x, y, s::MEM_TRACE, static_cast<uint32_t>(s::AXONS_PER_CORE_MAX) + n);
}
uint64_t cnt(const CounterSet& cs, uint32_t x, uint32_t y, int64_t id) {
  return cs.cores.at(y * cs.width + x).at(static_cast<std::size_t>(id));
}
uint64_t chip_cnt(const CounterSet& cs, int64_t id) { return cs.chip.at(static_cast<std::size_t>(id)); }

std::vector<OutputSpike> spikes(std::initializer_list<std::pair<uint32_t, uint32_t>> list) {
  std::vector<OutputSpike> out;
  for (const auto& [step, channel] : list) out.push_back(OutputSpike{step, channel, 0});
  return out;
}

std::string describe(const std::vector<OutputSpike>& v) {
  std::string s;
  for (const OutputSpike& o : v) s += "(" + std::to_string(o.step) + "," + std::to_string(o.channel) + ") ";
  return s;
}

#define EXPECT_SPIKES(actual, expected)                                       \
  do {                                                                        \
    const std::vector<OutputSpike> a_ = (actual), e_ = (expected);            \
    EXPECT_EQ(a_, e_) << "got " << describe(a_) << "\nwant " << describe(e_); \
  } while (0)

// ---- (a) timing: host spikes in step t are delivered in t, neuron spikes in t arrive in t+1 ----

TEST(FunctionalTiming, HostSpikeSameStepNeuronSpikeNextStep) {
  ImageBuilder b(2, 1);
  // du = 4095: u' = a_in << 6 (no memory); dv = 0; vth = 0: any positive v spikes.
  b.profile(0, 0, 4095, 0, 0);
  b.neuron(0, 0, 0);
  b.axon(0, 0);
  b.synapse(0, 0, 0, 0, 100);
  b.fanout(0, 0, 0, FanoutTarget{true, 0, 0, 7});
  b.fanout(0, 0, 0, FanoutTarget{false, 1, 0, 0});
  b.profile(1, 0, 4095, 0, 0);
  b.neuron(1, 0, 0);
  b.axon(1, 0);
  b.synapse(1, 0, 0, 0, 1);
  b.fanout(1, 0, 0, FanoutTarget{true, 0, 0, 9});
  auto be = load(b.build());

  be->inject({InputSpike{2, 0, 0, 0}});
  be->step(2);
  EXPECT_TRUE(be->drain().empty());
  EXPECT_EQ(u_of(*be, 0, 0, 0), 0) << "input for step 2 must not act earlier";

  be->step(1);  // step 2: delivered and spikes in the same step
  EXPECT_SPIKES(be->drain(), spikes({{2, 7}}));
  EXPECT_EQ(u_of(*be, 0, 0, 0), 100 * 64);
  EXPECT_EQ(v_of(*be, 0, 0, 0), 0);  // reset to zero
  EXPECT_EQ(u_of(*be, 1, 0, 0), 0) << "a neuron spike of step 2 must not be delivered in step 2";

  be->step(1);  // step 3: the packet sent in step 2 is delivered
  EXPECT_SPIKES(be->drain(), spikes({{3, 9}}));
  EXPECT_EQ(u_of(*be, 1, 0, 0), 64);
  EXPECT_EQ(u_of(*be, 0, 0, 0), 0);

  // An input for the step the chip is at now is still delivered in that step.
  ASSERT_EQ(be->timestep(), 4u);
  be->inject({InputSpike{4, 1, 0, 0}});
  be->step(1);
  EXPECT_SPIKES(be->drain(), spikes({{4, 9}}));
  EXPECT_EQ(be->timestep(), 5u);
}

// ---- (b) weight exponent scaling in delivery ----

TEST(FunctionalDelivery, WeightExponentScaling) {
  ImageBuilder b(1, 1);
  b.profile(0, 0, 4095, 0, kVthMax);  // u' = a_in << 6, v' = v + u'; no spike
  b.group(0, 0, 0, s::WEIGHT_EXP_MAX);
  b.group(0, 0, 1, s::WEIGHT_EXP_MIN);
  b.group(0, 0, 2, -1);
  b.group(0, 0, 3, 3);
  for (int n = 0; n < 6; ++n) b.neuron(0, 0, 0);
  b.axon(0, 0);
  b.synapse(0, 0, 0, 0, -128, 0);  // -16384
  b.synapse(0, 0, 0, 1, 127, 1);   // 127 >> 8 = 0
  b.synapse(0, 0, 0, 2, -1, 1);    // -1 >> 8 = -1
  b.synapse(0, 0, 0, 3, -3, 2);    // -3 >> 1 = -2
  b.synapse(0, 0, 0, 4, 5, 3);     // 40
  b.synapse(0, 0, 0, 5, 127, 0);   // 16256 ...
  b.synapse(0, 0, 0, 5, -128, 1);  // ... - 1
  auto be = load(b.build());
  be->inject({InputSpike{0, 0, 0, 0}});
  be->step(1);
  const int32_t expect[] = {-16384, 0, -1, -2, 40, 16255};
  for (uint32_t n = 0; n < 6; ++n) {
    EXPECT_EQ(u_of(*be, 0, 0, n), expect[n] * 64) << "neuron " << n;
    EXPECT_EQ(v_of(*be, 0, 0, n), expect[n] * 64) << "neuron " << n;
  }
  const CounterSet cs = be->counters();
  EXPECT_EQ(cnt(cs, 0, 0, s::CNT_SYN_OPS), 7u);
  EXPECT_EQ(cnt(cs, 0, 0, s::CNT_NEURON_ACTIVE), 5u);
  EXPECT_EQ(cnt(cs, 0, 0, s::CNT_NEURON_IDLE), 1u) << "neuron 1 got a_in = 0 (127 >> 8): idle";
}

// ---- (c) a_in saturation at 18 bits; the accumulator wraps at 32 bits ----

TEST(FunctionalDelivery, AInSaturatesWithManySynapses) {
  ImageBuilder b(1, 1);
  // Subtract reset and the largest vth (thr = 8388544): a saturated v (8388607) spikes and leaves 63.
  b.profile(0, 0, 4095, 0, kVthMax, 0, /*subtract=*/true);
  b.group(0, 0, 0, 7);
  b.group(0, 0, 4, 0);
  for (int n = 0; n < 6; ++n) b.neuron(0, 0, 0);
  for (int n = 0; n < 6; ++n)
    b.fanout(0, 0, static_cast<uint32_t>(n), FanoutTarget{true, 0, 0, static_cast<uint32_t>(n)});
  b.axon(0, 0);
  for (int i = 0; i < 20; ++i) b.synapse(0, 0, 0, 0, 127, 0);   // 325,120 -> 131,071
  for (int i = 0; i < 20; ++i) b.synapse(0, 0, 0, 1, -128, 0);  // -327,680 -> -131,072
  for (int i = 0; i < 8; ++i) b.synapse(0, 0, 0, 2, 127, 0);    // 130,048 ...
  b.synapse(0, 0, 0, 2, 8, 0);                                  // ... + 1,024 = 131,072 -> 131,071
  for (int i = 0; i < 8; ++i) b.synapse(0, 0, 0, 3, -128, 0);   // exactly -131,072: no clamp
  for (int i = 0; i < 7; ++i) b.synapse(0, 0, 0, 4, -128, 0);   // -114,688: in range
  for (int i = 0; i < 8; ++i) b.synapse(0, 0, 0, 5, -128, 0);   // -131,072 ...
  b.synapse(0, 0, 0, 5, 1, 4);                                  // ... + 1 = -131,071
  auto be = load(b.build());
  be->inject({InputSpike{0, 0, 0, 0}});
  be->step(1);
  // u' = a_in << 6; -131072 << 6 = -2^23 wraps to +2^23; v' = saturate(u').
  const int32_t expect_u[] = {8388544, kTwo23, 8388544, kTwo23, -7340032, -8388544};
  const int32_t expect_v[] = {8388544, 63, 8388544, 63, -7340032, -8388544};  // 8388544 = thr: no spike
  for (uint32_t n = 0; n < 6; ++n) {
    EXPECT_EQ(u_of(*be, 0, 0, n), expect_u[n]) << "neuron " << n;
    EXPECT_EQ(v_of(*be, 0, 0, n), expect_v[n]) << "neuron " << n;
  }
  EXPECT_SPIKES(be->drain(), spikes({{0, 1}, {0, 3}}));
  EXPECT_EQ(cnt(be->counters(), 0, 0, s::CNT_SYN_OPS), 20u + 20 + 9 + 8 + 7 + 9);
}

TEST(FunctionalDelivery, AccumulatorWrapsModulo2Pow32) {
  // Overlapping synapse ranges (allowed, spec §1.2) give one neuron 131,073 entries of -16,384 in one
  // step (axons 0-3: the same 32,768 entries; axon 5: the first one): -2,147,500,032 wraps to
  // +2,147,467,264, which clamps to a_in = +131,071. A saturating or 64-bit accumulator would give
  // -131,072 instead.
  ImageBuilder b(1, 1);
  b.config().set_synapses_per_core(static_cast<uint32_t>(s::SYNAPSES_PER_CORE_MAX));
  b.profile(0, 0, 4095, 0, kVthMax);
  b.group(0, 0, 0, 7);
  b.neuron(0, 0, 0);
  b.neuron(0, 0, 0);
  for (int a = 0; a < 7; ++a) b.axon(0, 0);
  for (int i = 0; i < 32768; ++i) b.synapse(0, 0, 0, 0, -128, 0);
  b.synapse(0, 0, 6, 1, 3, 0);  // a control entry on another neuron, at address 32768
  pb::ChipImage img = b.build_unsealed();
  pb::Core* c = img.mutable_cores(0);
  for (int a = 1; a <= 3; ++a) {
    c->set_axon_syn_base(a, 0);
    c->set_axon_syn_count(a, 32768);
  }
  c->set_axon_syn_base(5, 0);
  c->set_axon_syn_count(5, 1);
  seal_image(img);
  auto be = load(img);
  std::vector<InputSpike> in;
  for (uint32_t a = 0; a < 7; ++a) in.push_back(InputSpike{0, 0, 0, a});
  be->inject(in);
  be->step(1);
  EXPECT_EQ(u_of(*be, 0, 0, 0), 131071 * 64);
  EXPECT_EQ(u_of(*be, 0, 0, 1), 3 * 128 * 64);
  const CounterSet cs = be->counters();
  EXPECT_EQ(cnt(cs, 0, 0, s::CNT_SYN_OPS), 4u * 32768 + 1 + 1);
  EXPECT_EQ(cnt(cs, 0, 0, s::CNT_AXON_EVENTS), 7u);
}

// ---- (d) u wrap and v saturation reached through real synaptic input ----

TEST(FunctionalDelivery, UWrapAndVSaturationThroughSynapses) {
  ImageBuilder b(1, 1);
  const uint32_t slow = b.profile(0, 0, 0, 0, kVthMax);     // du = 0, dv = 0
  const uint32_t fast = b.profile(0, 0, 4095, 0, kVthMax);  // u' = a_in << 6
  const uint32_t sub = b.profile(0, 0, 4095, 0, kVthMax, 0, /*subtract=*/true);
  b.group(0, 0, 0, 0);
  b.group(0, 0, 1, 3);
  b.group(0, 0, 2, 4);
  b.group(0, 0, 3, 6);
  b.group(0, 0, 4, 7);
  b.neuron(0, 0, slow, 0, 8000000, 0);   // n0: u wraps high
  b.neuron(0, 0, slow, 0, -8000000, 0);  // n1: u wraps low
  b.neuron(0, 0, fast, 0, 0, -8300000);  // n2: v saturates low
  b.neuron(0, 0, sub, 0, 0, 8000000);    // n3: v saturates high
  b.axon(0, 0);
  b.synapse(0, 0, 0, 0, 125, 3);                               // 8000
  b.synapse(0, 0, 0, 0, 125, 2);                               // + 2000 = a_in 10,000
  for (int i = 0; i < 8; ++i) b.synapse(0, 0, 0, 1, -128, 4);  // a_in -131,072
  b.synapse(0, 0, 0, 2, -125, 2);                              // -2000
  b.synapse(0, 0, 0, 2, -125, 1);                              // -1000
  b.synapse(0, 0, 0, 2, -125, 0);                              // -125: a_in -3125, u' = -200,000
  b.synapse(0, 0, 0, 3, 61, 4);                                // 7808
  b.synapse(0, 0, 0, 3, 5, 0);                                 // + 5: a_in 7813, u' = 500,032
  b.fanout(0, 0, 3, FanoutTarget{true, 0, 0, 3});
  auto be = load(b.build());
  be->inject({InputSpike{0, 0, 0, 0}});
  be->step(1);
  EXPECT_EQ(u_of(*be, 0, 0, 0), -8139170);  // 7,998,046 + 640,000 - 2^24
  EXPECT_EQ(v_of(*be, 0, 0, 0), -8139170);
  EXPECT_EQ(u_of(*be, 0, 0, 1), 390562);  // -7,998,046 - 8,388,608 + 2^24
  EXPECT_EQ(v_of(*be, 0, 0, 1), 390562);
  EXPECT_EQ(u_of(*be, 0, 0, 2), -200000);
  EXPECT_EQ(v_of(*be, 0, 0, 2), -8388607);  // -8,500,000 saturated; never -2^23
  EXPECT_EQ(u_of(*be, 0, 0, 3), 500032);
  EXPECT_EQ(v_of(*be, 0, 0, 3), 63);  // saturated to 8,388,607, spiked, minus thr 8,388,544
  EXPECT_SPIKES(be->drain(), spikes({{0, 3}}));
}

// ---- (e) reset modes and refractory through the backend ----

TEST(FunctionalNeuron, ResetModesAndRefractory) {
  ImageBuilder b(1, 1);
  // thr = 640 for all; du = 4095 so u' = a_in << 6.
  const uint32_t pa = b.profile(0, 0, 4095, 0, 10, 0, false, 0);
  const uint32_t pb = b.profile(0, 0, 4095, 0, 10, 0, true, 0);
  const uint32_t pc = b.profile(0, 0, 4095, 0, 10, 0, false, 2);
  const uint32_t pd = b.profile(0, 0, 4095, 0, 10, 0, true, 2);
  b.neuron(0, 0, pa);
  b.neuron(0, 0, pb);
  b.neuron(0, 0, pc);
  b.neuron(0, 0, pd);
  for (uint32_t n = 0; n < 4; ++n) b.fanout(0, 0, n, FanoutTarget{true, 0, 0, n});
  b.axon(0, 0);
  b.axon(0, 0);
  b.synapse(0, 0, 0, 0, 6);  // u' = 384
  b.synapse(0, 0, 0, 1, 6);
  b.synapse(0, 0, 1, 2, 15);  // u' = 960
  b.synapse(0, 0, 1, 3, 15);
  auto be = load(b.build());
  std::vector<InputSpike> in;
  for (uint32_t t = 0; t < 7; ++t) {
    in.push_back(InputSpike{t, 0, 0, 0});
    if (t != 1) in.push_back(InputSpike{t, 0, 0, 1});  // no input in step 1: u shows the update in the hold
  }
  be->inject(in);
  // Per step: v after the step for neurons A (zero), B (subtract), C (zero, r=2), D (subtract, r=2),
  // u of C, and the refractory counters of C and D.
  const int32_t va[] = {384, 0, 384, 0, 384, 0, 384};
  const int32_t vb[] = {384, 128, 512, 256, 640, 384, 128};  // step 4: v == thr, no spike
  const int32_t vc[] = {0, 0, 0, 0, 0, 0, 0};
  const int32_t vd[] = {320, 320, 320, 640, 640, 640, 960};
  const int32_t uc[] = {960, 0, 960, 960, 960, 960, 960};
  const uint32_t rc[] = {2, 1, 0, 2, 1, 0, 2};
  for (uint32_t t = 0; t < 7; ++t) {
    be->step(1);
    EXPECT_EQ(v_of(*be, 0, 0, 0), va[t]) << "A, step " << t;
    EXPECT_EQ(v_of(*be, 0, 0, 1), vb[t]) << "B, step " << t;
    EXPECT_EQ(v_of(*be, 0, 0, 2), vc[t]) << "C, step " << t;
    EXPECT_EQ(v_of(*be, 0, 0, 3), vd[t]) << "D, step " << t;
    EXPECT_EQ(u_of(*be, 0, 0, 2), uc[t]) << "C's u integrates during the hold, step " << t;
    EXPECT_EQ(u_of(*be, 0, 0, 3), uc[t]) << "D, step " << t;
    EXPECT_EQ(ref_of(*be, 0, 0, 2), rc[t]) << "C, step " << t;
    EXPECT_EQ(ref_of(*be, 0, 0, 3), rc[t]) << "D, step " << t;
    EXPECT_EQ(ref_of(*be, 0, 0, 0), 0u);
  }
  EXPECT_SPIKES(be->drain(), spikes({{0, 2},
                                     {0, 3},
                                     {1, 0},
                                     {1, 1},
                                     {3, 0},
                                     {3, 1},
                                     {3, 2},
                                     {3, 3},
                                     {5, 0},
                                     {5, 1},
                                     {6, 1},
                                     {6, 2},
                                     {6, 3}}));
}

// ---- (f) axon collisions ----

TEST(FunctionalCollision, TwoHostPacketsSameAxonSameStep) {
  ImageBuilder b(1, 1);
  b.profile(0, 0, 4095, 0, kVthMax);
  b.neuron(0, 0, 0);
  b.axon(0, 0);
  b.synapse(0, 0, 0, 0, 7);
  auto be = load(b.build());
  be->inject({InputSpike{0, 0, 0, 0}, InputSpike{0, 0, 0, 0}});
  be->step(1);
  EXPECT_EQ(u_of(*be, 0, 0, 0), 7 * 64) << "delivered once";
  const CounterSet cs = be->counters();
  EXPECT_EQ(cnt(cs, 0, 0, s::CNT_AXON_EVENTS), 1u);
  EXPECT_EQ(cnt(cs, 0, 0, s::CNT_SYN_OPS), 1u);
  EXPECT_EQ(cnt(cs, 0, 0, s::CNT_PACKETS_RECEIVED), 2u);
  EXPECT_EQ(cnt(cs, 0, 0, s::CNT_AXON_COLLISIONS), 1u);
  EXPECT_EQ(cnt(cs, 0, 0, s::CNT_LINK_LOCAL), 2u);
  EXPECT_EQ(chip_cnt(cs, s::CNT_CHIP_HOST_IN), 2u);
}

TEST(FunctionalCollision, NeuronPacketsAndHostPacketOnOneAxon) {
  ImageBuilder b(2, 1);
  b.profile(0, 0, 4095, 0, 0);
  b.neuron(0, 0, 0);
  b.neuron(0, 0, 0);
  b.axon(0, 0);
  b.synapse(0, 0, 0, 0, 1);
  b.synapse(0, 0, 0, 1, 1);
  b.fanout(0, 0, 0, FanoutTarget{false, 1, 0, 0});
  b.fanout(0, 0, 1, FanoutTarget{false, 1, 0, 0});
  b.profile(1, 0, 4095, 0, kVthMax);
  b.neuron(1, 0, 0);
  b.axon(1, 0);
  b.synapse(1, 0, 0, 0, 5);
  auto be = load(b.build());
  // Step 0: (1,0) axon 0 is delivered from the host (current bit); both neurons of (0,0) spike and
  // send to it: the first sets the next bit (not a collision with the current one), the second collides.
  // Step 1: the host packet for step 1 finds the current bit (from next) set: a collision.
  be->inject({InputSpike{0, 0, 0, 0}, InputSpike{0, 1, 0, 0}, InputSpike{1, 1, 0, 0}});
  be->step(1);
  EXPECT_EQ(u_of(*be, 1, 0, 0), 5 * 64);
  CounterSet cs = be->counters();
  EXPECT_EQ(cnt(cs, 1, 0, s::CNT_AXON_COLLISIONS), 1u);
  EXPECT_EQ(cnt(cs, 1, 0, s::CNT_PACKETS_RECEIVED), 3u);
  be->step(1);
  EXPECT_EQ(u_of(*be, 1, 0, 0), 5 * 64) << "delivered once in step 1";
  cs = be->counters();
  EXPECT_EQ(cnt(cs, 1, 0, s::CNT_AXON_COLLISIONS), 2u);
  EXPECT_EQ(cnt(cs, 1, 0, s::CNT_PACKETS_RECEIVED), 4u);
  EXPECT_EQ(cnt(cs, 1, 0, s::CNT_AXON_EVENTS), 2u);
  EXPECT_EQ(cnt(cs, 1, 0, s::CNT_SYN_OPS), 2u);
  EXPECT_EQ(cnt(cs, 0, 0, s::CNT_AXON_COLLISIONS), 0u);
  be->step(1);
  EXPECT_EQ(u_of(*be, 1, 0, 0), 0) << "nothing left pending after the collision";
}

// ---- (g) counters ----

// Every counter of a one-core chip over three steps, against values counted by hand.
TEST(FunctionalCounters, OneCoreAllCounters) {
  ImageBuilder b(1, 1);
  b.profile(0, 0, 4095, 0, 0);  // thr 0
  b.neuron(0, 0, 0);            // n0: spikes in step 0, two host fan-out entries
  b.neuron(0, 0, 0);            // n1: a weight-0 synapse only: a_in = 0, idle
  b.neuron(0, 0, 0);            // n2: nothing: idle
  b.neuron(0, 0, 0, -1);        // n3: bias -1: always active, v goes negative
  b.fanout(0, 0, 0, FanoutTarget{true, 0, 0, 5});
  b.fanout(0, 0, 0, FanoutTarget{true, 0, 0, 6});
  b.fanout(0, 0, 1, FanoutTarget{true, 0, 0, 7});
  b.axon(0, 0);
  b.axon(0, 0);
  b.axon(0, 0);  // axon 2: empty synapse range
  b.synapse(0, 0, 0, 0, 2);
  b.synapse(0, 0, 0, 1, 0);
  b.synapse(0, 0, 1, 0, 1);
  auto be = load(b.build());
  be->inject({InputSpike{0, 0, 0, 0}, InputSpike{0, 0, 0, 2}});

  auto expect_core = [&](const CounterSet& cs, std::map<int64_t, uint64_t> want, int step) {
    for (int id = 0; id < s::CNT_PER_CORE; ++id) {
      const uint64_t w = want.count(id) ? want[id] : 0;
      EXPECT_EQ(cnt(cs, 0, 0, id), w) << "counter " << id << " after step " << step;
    }
  };

  be->step(1);
  CounterSet cs = be->counters();
  expect_core(cs,
              {{s::CNT_AXON_EVENTS, 2},
               {s::CNT_SYN_OPS, 2},
               {s::CNT_NEURON_ACTIVE, 2},
               {s::CNT_NEURON_IDLE, 2},
               {s::CNT_SPIKES, 1},
               {s::CNT_PACKETS_SENT, 2},
               {s::CNT_PACKETS_RECEIVED, 2},
               {s::CNT_SYN_MEM_READS, 2},
               {s::CNT_NEURON_MEM_READS, 4},
               {s::CNT_NEURON_MEM_WRITES, 2},
               {s::CNT_AXON_MEM_READS, 2},
               {s::CNT_FANOUT_MEM_READS, 2},
               {s::CNT_LINK_LOCAL, 2},
               {s::CNT_LINK_WEST, 2}},
              0);
  EXPECT_EQ(chip_cnt(cs, s::CNT_CHIP_HOST_IN), 2u);
  EXPECT_EQ(chip_cnt(cs, s::CNT_CHIP_HOST_OUT), 2u);
  EXPECT_EQ(chip_cnt(cs, s::CNT_CHIP_TIMESTEPS), 1u);
  EXPECT_EQ(v_of(*be, 0, 0, 3), -1);

  // Step 1: n0 is active (u = 128 before it) but does not spike; n3 active; n1, n2 idle.
  // Step 2: n0 is back to u = v = 0: idle.
  be->step(2);
  cs = be->counters();
  expect_core(cs,
              {{s::CNT_AXON_EVENTS, 2},
               {s::CNT_SYN_OPS, 2},
               {s::CNT_NEURON_ACTIVE, 5},
               {s::CNT_NEURON_IDLE, 7},
               {s::CNT_SPIKES, 1},
               {s::CNT_PACKETS_SENT, 2},
               {s::CNT_PACKETS_RECEIVED, 2},
               {s::CNT_SYN_MEM_READS, 2},
               {s::CNT_NEURON_MEM_READS, 12},
               {s::CNT_NEURON_MEM_WRITES, 5},
               {s::CNT_AXON_MEM_READS, 2},
               {s::CNT_FANOUT_MEM_READS, 2},
               {s::CNT_LINK_LOCAL, 2},
               {s::CNT_LINK_WEST, 2}},
              2);
  EXPECT_EQ(chip_cnt(cs, s::CNT_CHIP_TIMESTEPS), 3u);
  for (int id = s::CNT_CHIP_COUNT; id < s::CNT_CHIP_SLOTS; ++id)
    EXPECT_EQ(chip_cnt(cs, id), 0u) << "chip timing counter " << id << " is 0 in the functional model";
  EXPECT_EQ(v_of(*be, 0, 0, 3), -3);
}

// Spec §2.4: an update is idle only when u, v, a_in, bias and ref are all zero.
TEST(FunctionalCounters, IdleDefinition) {
  ImageBuilder b(1, 1);
  b.profile(0, 0, 4095, 0, 1, 0, false, 2);  // thr 64, refractory 2
  b.neuron(0, 0, 0, 0, 1, 0);                // n0: u = 1 at load (decays to 0 in step 0)
  b.neuron(0, 0, 0, 0, 0, 5);                // n1: v = 5, never decays (dv = 0), below thr
  b.neuron(0, 0, 0);                         // n2: spikes in step 0, then ref = 2, 1
  b.neuron(0, 0, 0, 1);                      // n3: bias 1
  b.neuron(0, 0, 0);                         // n4: all zero
  b.axon(0, 0);
  b.synapse(0, 0, 0, 2, 2);
  auto be = load(b.build());
  be->inject({InputSpike{0, 0, 0, 0}});
  const uint64_t active[] = {4, 3, 3, 2, 2};
  uint64_t prev_active = 0, prev_idle = 0;
  for (int t = 0; t < 5; ++t) {
    be->step(1);
    const CounterSet cs = be->counters();
    EXPECT_EQ(cnt(cs, 0, 0, s::CNT_NEURON_ACTIVE) - prev_active, active[t]) << "step " << t;
    EXPECT_EQ(cnt(cs, 0, 0, s::CNT_NEURON_IDLE) - prev_idle, 5 - active[t]) << "step " << t;
    EXPECT_EQ(cnt(cs, 0, 0, s::CNT_NEURON_MEM_WRITES), cnt(cs, 0, 0, s::CNT_NEURON_ACTIVE));
    prev_active = cnt(cs, 0, 0, s::CNT_NEURON_ACTIVE);
    prev_idle = cnt(cs, 0, 0, s::CNT_NEURON_IDLE);
  }
  EXPECT_EQ(v_of(*be, 0, 0, 1), 5);
  EXPECT_EQ(v_of(*be, 0, 0, 3), 5);
}

// XY routing on a 4x4 mesh: per-port link counters, host link, packets and spikes per core.
TEST(FunctionalCounters, LinkCountersXYOnA4x4Mesh) {
  ImageBuilder b(4, 4);
  for (auto [x, y] : {std::pair<uint32_t, uint32_t>{2, 1}, {0, 2}, {3, 3}, {3, 0}}) {
    b.profile(x, y, 4095, 0, 0);
    b.neuron(x, y, 0);
    b.axon(x, y);
    b.synapse(x, y, 0, 0, 1);
  }
  b.neuron(2, 1, 0);  // (2,1) n1, reached through axon 1 with weight 0
  b.axon(2, 1);
  b.synapse(2, 1, 1, 1, 0);
  b.fanout(2, 1, 0, FanoutTarget{false, 0, 2, 0});  // P2: W W N L
  b.fanout(2, 1, 0, FanoutTarget{true, 0, 0, 3});   // P3: W W S, host (W of (0,0))
  b.fanout(2, 1, 0, FanoutTarget{false, 3, 3, 0});  // P4: E N N L
  b.fanout(2, 1, 0, FanoutTarget{false, 2, 1, 1});  // P5: to itself: L only
  b.fanout(0, 2, 0, FanoutTarget{false, 3, 0, 0});  // P6 (step 1): E E E S S L
  b.fanout(3, 3, 0, FanoutTarget{true, 0, 0, 4});   // P7 (step 1): W W W S S S, host
  auto be = load(b.build());
  be->inject({InputSpike{0, 2, 1, 0}});  // P1: host -> (0,0) E, (1,0) E, (2,0) N, (2,1) L
  be->step(3);
  EXPECT_SPIKES(be->drain(), spikes({{0, 3}, {1, 4}}));
  const CounterSet cs = be->counters();
  ASSERT_EQ(cs.width, 4u);
  ASSERT_EQ(cs.cores.size(), 16u);
  // (x, y, counter) -> flits, worked out from the routes above; everything else is 0.
  std::map<std::tuple<uint32_t, uint32_t, int64_t>, uint64_t> want = {
      {{0, 0, s::CNT_LINK_EAST}, 1},  {{0, 0, s::CNT_LINK_WEST}, 2},  {{1, 0, s::CNT_LINK_EAST}, 1},
      {{2, 0, s::CNT_LINK_NORTH}, 1}, {{2, 1, s::CNT_LINK_LOCAL}, 2}, {{2, 1, s::CNT_LINK_WEST}, 2},
      {{2, 1, s::CNT_LINK_EAST}, 1},  {{1, 1, s::CNT_LINK_WEST}, 2},  {{0, 1, s::CNT_LINK_NORTH}, 1},
      {{0, 1, s::CNT_LINK_SOUTH}, 2}, {{0, 2, s::CNT_LINK_LOCAL}, 1}, {{0, 2, s::CNT_LINK_EAST}, 1},
      {{0, 2, s::CNT_LINK_SOUTH}, 1}, {{3, 1, s::CNT_LINK_NORTH}, 1}, {{3, 1, s::CNT_LINK_SOUTH}, 1},
      {{3, 2, s::CNT_LINK_NORTH}, 1}, {{3, 2, s::CNT_LINK_SOUTH}, 1}, {{3, 3, s::CNT_LINK_LOCAL}, 1},
      {{3, 3, s::CNT_LINK_WEST}, 1},  {{1, 2, s::CNT_LINK_EAST}, 1},  {{2, 2, s::CNT_LINK_EAST}, 1},
      {{3, 0, s::CNT_LINK_LOCAL}, 1}, {{2, 3, s::CNT_LINK_WEST}, 1},  {{1, 3, s::CNT_LINK_WEST}, 1},
      {{0, 3, s::CNT_LINK_SOUTH}, 1},
  };
  uint64_t total = 0;
  for (uint32_t y = 0; y < 4; ++y)
    for (uint32_t x = 0; x < 4; ++x)
      for (int64_t id = s::CNT_LINK_LOCAL; id <= s::CNT_LINK_WEST; ++id) {
        const auto it = want.find({x, y, id});
        EXPECT_EQ(cnt(cs, x, y, id), it == want.end() ? 0u : it->second)
            << "router (" << x << "," << y << ") link counter " << id;
        total += cnt(cs, x, y, id);
      }
  // Each packet: its router-to-router hops plus one ejection (local or host). 4+4+4+4+1+6+7 = 30.
  EXPECT_EQ(total, 30u);
  EXPECT_EQ(chip_cnt(cs, s::CNT_CHIP_HOST_IN), 1u);
  EXPECT_EQ(chip_cnt(cs, s::CNT_CHIP_HOST_OUT), 2u);
  EXPECT_EQ(chip_cnt(cs, s::CNT_CHIP_TIMESTEPS), 3u);
  const std::map<std::pair<uint32_t, uint32_t>, std::tuple<uint64_t, uint64_t, uint64_t>> per_core = {
      // (spikes, packets sent, packets received)
      {{2, 1}, {1, 4, 2}},
      {{0, 2}, {1, 1, 1}},
      {{3, 3}, {1, 1, 1}},
      {{3, 0}, {1, 0, 1}},  // a spike with no fan-out entries sends nothing
  };
  for (uint32_t y = 0; y < 4; ++y)
    for (uint32_t x = 0; x < 4; ++x) {
      const auto it = per_core.find({x, y});
      const auto [sp, sent, recv] =
          it == per_core.end() ? std::tuple<uint64_t, uint64_t, uint64_t>{0, 0, 0} : it->second;
      EXPECT_EQ(cnt(cs, x, y, s::CNT_SPIKES), sp) << x << "," << y;
      EXPECT_EQ(cnt(cs, x, y, s::CNT_PACKETS_SENT), sent) << x << "," << y;
      EXPECT_EQ(cnt(cs, x, y, s::CNT_FANOUT_MEM_READS), sent) << x << "," << y;
      EXPECT_EQ(cnt(cs, x, y, s::CNT_PACKETS_RECEIVED), recv) << x << "," << y;
      EXPECT_EQ(cnt(cs, x, y, s::CNT_PACKETS_RECEIVED), cnt(cs, x, y, s::CNT_LINK_LOCAL)) << x << "," << y;
    }
  // (2,1): axon 0 in step 0 and axon 1 (its own packet) in step 1.
  EXPECT_EQ(cnt(cs, 2, 1, s::CNT_AXON_EVENTS), 2u);
  EXPECT_EQ(cnt(cs, 2, 1, s::CNT_SYN_OPS), 2u);
}

// A host packet to core (0,0) and an output spike of core (0,0) use only router (0,0).
TEST(FunctionalCounters, HostLinkAtRouter00) {
  ImageBuilder b(3, 3);
  b.profile(0, 0, 4095, 0, 0);
  b.neuron(0, 0, 0);
  b.axon(0, 0);
  b.synapse(0, 0, 0, 0, 1);
  b.fanout(0, 0, 0, FanoutTarget{true, 0, 0, 11});
  b.profile(2, 2, 4095, 0, 0);  // a second core, (2,2): host packets travel E E N N
  b.neuron(2, 2, 0);
  b.axon(2, 2);
  b.synapse(2, 2, 0, 0, 1);
  b.fanout(2, 2, 0, FanoutTarget{true, 0, 0, 12});  // back: W W S S, then west of (0,0)
  auto be = load(b.build());
  be->inject({InputSpike{0, 0, 0, 0}, InputSpike{0, 2, 2, 0}});
  be->step(1);
  EXPECT_SPIKES(be->drain(), spikes({{0, 11}, {0, 12}}));
  const CounterSet cs = be->counters();
  EXPECT_EQ(cnt(cs, 0, 0, s::CNT_LINK_LOCAL), 1u);
  EXPECT_EQ(cnt(cs, 0, 0, s::CNT_LINK_WEST), 2u);
  EXPECT_EQ(cnt(cs, 0, 0, s::CNT_LINK_EAST), 1u);
  EXPECT_EQ(cnt(cs, 1, 0, s::CNT_LINK_EAST), 1u);
  EXPECT_EQ(cnt(cs, 2, 0, s::CNT_LINK_NORTH), 1u);
  EXPECT_EQ(cnt(cs, 2, 1, s::CNT_LINK_NORTH), 1u);
  EXPECT_EQ(cnt(cs, 2, 2, s::CNT_LINK_LOCAL), 1u);
  EXPECT_EQ(cnt(cs, 2, 2, s::CNT_LINK_WEST), 1u);
  EXPECT_EQ(cnt(cs, 1, 2, s::CNT_LINK_WEST), 1u);
  EXPECT_EQ(cnt(cs, 0, 2, s::CNT_LINK_SOUTH), 1u);
  EXPECT_EQ(cnt(cs, 0, 1, s::CNT_LINK_SOUTH), 1u);
  EXPECT_EQ(chip_cnt(cs, s::CNT_CHIP_HOST_IN), 2u);
  EXPECT_EQ(chip_cnt(cs, s::CNT_CHIP_HOST_OUT), 2u);
  uint64_t total = 0;
  for (const CoreCounterArray& c : cs.cores)
    for (int64_t id = s::CNT_LINK_LOCAL; id <= s::CNT_LINK_WEST; ++id)
      total += c[static_cast<std::size_t>(id)];
  EXPECT_EQ(total, 2u + 5 + 5);
}

// ---- (h) STDP ----

// The tiny plastic network of the STDP tests (one core, 4 axons, 2 neurons), and a model of the
// learning phase written from spec §4.2 with the arith.h helpers, to compute expected values.
struct StdpNet {
  static constexpr uint32_t kPreDecay = 256, kPostDecay = 512, kPreImpulse = 100, kPostImpulse = 80;
  static constexpr uint16_t kSeed = 0xACE1;
  struct Group {
    bool plastic;
    uint32_t pot, dep;
    int32_t w_min, w_max, weight_exp;
  };
  struct Entry {
    uint32_t axon, neuron;
    int32_t weight;
    uint32_t group;
  };
  // g0 plastic; g1 the non-plastic drivers (x8); g2 plastic with tight bounds; g3 non-plastic.
  std::vector<Group> groups = {{true, 3, 2, -128, 127, 0},
                               {false, 0, 0, -128, 127, 3},
                               {true, 0, 1, -10, 105, 0},
                               {false, 0, 0, -128, 127, 0}};
  // In address order (the builder lays each axon's entries contiguously, axon by axon).
  std::vector<Entry> entries = {{0, 0, 10, 0},  {0, 1, 20, 3},  {1, 0, -5, 0},
                                {1, 1, 100, 2}, {2, 0, 127, 1}, {3, 1, 127, 1}};
  std::vector<uint8_t> pre = std::vector<uint8_t>(4, 0), post = std::vector<uint8_t>(2, 0);
  uint16_t lfsr = kSeed;
  uint64_t stdp_updates = 0, trace_updates = 0, syn_writes = 0, weight_pass_reads = 0;

  pb::ChipImage image(bool learning) const {
    ImageBuilder b(1, 1);
    b.set_learning(learning);
    // du = dv = 4095: u' = a_in << 6 and v keeps only v/4096, so a neuron spikes (thr 19,200) exactly
    // when its driver axon (2 for n0, 3 for n1: +1016) is delivered, whatever the plastic weights.
    b.profile(0, 0, 4095, 4095, 300);
    b.neuron(0, 0, 0);
    b.neuron(0, 0, 0);
    b.fanout(0, 0, 0, FanoutTarget{true, 0, 0, 0});
    b.fanout(0, 0, 1, FanoutTarget{true, 0, 0, 1});
    for (uint32_t g = 0; g < groups.size(); ++g)
      b.group(0, 0, g, groups[g].weight_exp, groups[g].plastic, groups[g].pot, groups[g].dep, groups[g].w_min,
              groups[g].w_max);
    b.stdp(0, 0, kPreDecay, kPostDecay, kPreImpulse, kPostImpulse);
    b.lfsr_seed(0, 0, kSeed);
    for (int a = 0; a < 4; ++a) b.axon(0, 0);
    for (const Entry& e : entries) b.synapse(0, 0, e.axon, e.neuron, e.weight, e.group);
    return b.build();
  }

  // a_in of each neuron from the delivered axons, with the current weights.
  std::vector<int32_t> a_in(const std::set<uint32_t>& axons) const {
    std::vector<int32_t> acc(2, 0);
    for (const Entry& e : entries)
      if (axons.count(e.axon)) acc[e.neuron] += arith::scale_weight(e.weight, groups[e.group].weight_exp);
    return acc;
  }

  // Spec §4.2 steps 1-3, in order.
  void learn(const std::set<uint32_t>& axons, const std::vector<bool>& post_spike) {
    for (uint32_t a = 0; a < pre.size(); ++a) {
      if (pre[a] != 0) {
        pre[a] = arith::trace_decay(pre[a], kPreDecay, arith::lfsr_draw(lfsr));
        ++trace_updates;
      }
      if (axons.count(a)) {
        pre[a] = arith::trace_impulse(pre[a], kPreImpulse);
        ++trace_updates;
      }
    }
    for (uint32_t n = 0; n < post.size(); ++n) {
      if (post[n] != 0) {
        post[n] = arith::trace_decay(post[n], kPostDecay, arith::lfsr_draw(lfsr));
        ++trace_updates;
      }
      if (post_spike[n]) {
        post[n] = arith::trace_impulse(post[n], kPostImpulse);
        ++trace_updates;
      }
    }
    if (axons.empty() && !post_spike[0] && !post_spike[1]) return;
    for (Entry& e : entries) {
      ++weight_pass_reads;
      const Group& g = groups[e.group];
      const bool pre_spike = axons.count(e.axon) != 0;
      if (!g.plastic || !(pre_spike || post_spike[e.neuron])) continue;
      int32_t dw = 0;
      if (post_spike[e.neuron]) {
        dw += arith::stdp_step(pre[e.axon], g.pot, arith::lfsr_draw(lfsr));
        ++stdp_updates;
      }
      if (pre_spike) {
        dw -= arith::stdp_step(post[e.neuron], g.dep, arith::lfsr_draw(lfsr));
        ++stdp_updates;
      }
      e.weight = arith::clamp_weight(e.weight + dw, g.w_min, g.w_max);
      ++syn_writes;
    }
  }
};

void inject_set(Backend& be, uint32_t step, const std::set<uint32_t>& axons) {
  std::vector<InputSpike> in;
  for (uint32_t a : axons) in.push_back(InputSpike{step, 0, 0, a});
  be.inject(in);
}

TEST(FunctionalStdp, FirstStepsByHand) {
  StdpNet net;
  auto be = load(net.image(true));
  // Step 0: pre on axon 0 and post of n0 (driver axon 2) in the same step. Draws from seed 0xACE1:
  // 0xE270 (pot, r & 7 = 0): (100 + 0) >> 3 = 12; 0x7138 (dep, r & 3 = 0): (80 + 0) >> 2 = 20;
  // e0: 10 + 12 - 20 = 2. Then e2 (axon 1 -> n0, post only): 0x389C, r & 7 = 4: (0 + 4) >> 3 = 0.
  inject_set(*be, 0, {0, 2});
  be->step(1);
  EXPECT_SPIKES(be->drain(), spikes({{0, 0}}));
  EXPECT_EQ(weight_of(*be, 0, 0, 0), 2);
  EXPECT_EQ(weight_of(*be, 0, 0, 1), 20);
  EXPECT_EQ(weight_of(*be, 0, 0, 2), -5);
  EXPECT_EQ(weight_of(*be, 0, 0, 3), 100);
  EXPECT_EQ(pre_trace(*be, 0, 0, 0), 100u);
  EXPECT_EQ(pre_trace(*be, 0, 0, 1), 0u);
  EXPECT_EQ(pre_trace(*be, 0, 0, 2), 100u);
  EXPECT_EQ(post_trace(*be, 0, 0, 0), 80u);
  CounterSet cs = be->counters();
  EXPECT_EQ(cnt(cs, 0, 0, s::CNT_STDP_UPDATES), 3u);
  EXPECT_EQ(cnt(cs, 0, 0, s::CNT_TRACE_UPDATES), 3u);
  EXPECT_EQ(cnt(cs, 0, 0, s::CNT_SYN_MEM_WRITES), 2u);
  EXPECT_EQ(cnt(cs, 0, 0, s::CNT_SYN_MEM_READS), 3u + 6);  // 3 synaptic ops + 6 entries visited

  // Step 1: post of n1 only. Decays (pre then post, ascending): x0 with 0x1C4E: (100*3840 + 3150) >> 12
  // = 94; x2 with 0x0E27: 94; y0 with 0xB313: (80*3584 + 787) >> 12 = 70. Then e3 potentiation
  // (shift 0) draws 0xED89 and adds x1 = 0.
  inject_set(*be, 1, {3});
  be->step(1);
  EXPECT_SPIKES(be->drain(), spikes({{1, 1}}));
  EXPECT_EQ(pre_trace(*be, 0, 0, 0), 94u);
  EXPECT_EQ(pre_trace(*be, 0, 0, 2), 94u);
  EXPECT_EQ(pre_trace(*be, 0, 0, 3), 100u);
  EXPECT_EQ(post_trace(*be, 0, 0, 0), 70u);
  EXPECT_EQ(post_trace(*be, 0, 0, 1), 80u);
  EXPECT_EQ(weight_of(*be, 0, 0, 3), 100);

  // Step 2: pre on axon 1 only. Five decays (x0, x2, x3, y0, y1) use 0xC2C4, 0x6162, 0x30B1, 0xAC58,
  // 0x562C; y0 = 62, y1 = 70. e2 depression with 0x2B16 (r & 3 = 2): (62 + 2) >> 2 = 16 -> -21;
  // e3 depression with 0x158B (r & 1 = 1): (70 + 1) >> 1 = 35 -> 65.
  inject_set(*be, 2, {1});
  be->step(1);
  EXPECT_TRUE(be->drain().empty());
  EXPECT_EQ(pre_trace(*be, 0, 0, 0), 88u);
  EXPECT_EQ(pre_trace(*be, 0, 0, 1), 100u);
  EXPECT_EQ(pre_trace(*be, 0, 0, 2), 88u);
  EXPECT_EQ(pre_trace(*be, 0, 0, 3), 93u);
  EXPECT_EQ(post_trace(*be, 0, 0, 0), 62u);
  EXPECT_EQ(post_trace(*be, 0, 0, 1), 70u);
  EXPECT_EQ(weight_of(*be, 0, 0, 2), -21);
  EXPECT_EQ(weight_of(*be, 0, 0, 3), 65);
  // The learnt weights are the ones delivered next: n0 gets -21 from axon 1 in step 3.
  inject_set(*be, 3, {1});
  be->step(1);
  EXPECT_EQ(u_of(*be, 0, 0, 0), -21 * 64);
  EXPECT_EQ(u_of(*be, 0, 0, 1), 65 * 64);
}

TEST(FunctionalStdp, LongRunMatchesSpecOrder) {
  StdpNet net;
  auto be = load(net.image(true));
  // A fixed opening that drives e3 to both bounds, then a seeded random schedule.
  std::vector<std::set<uint32_t>> schedule = {{0, 2}, {3}, {1}, {1, 3}, {3}, {1}, {1}, {}, {1, 3}};
  std::mt19937 rng(2024);
  for (int t = 0; t < 60; ++t) {
    std::set<uint32_t> axons;
    for (uint32_t a = 0; a < 4; ++a)
      if (rng() % 2) axons.insert(a);
    schedule.push_back(axons);
  }
  bool e3_at_max = false, e3_at_min = false;
  uint64_t syn_ops = 0;
  for (uint32_t t = 0; t < schedule.size(); ++t) {
    const std::set<uint32_t>& axons = schedule[t];
    inject_set(*be, t, axons);
    const std::vector<int32_t> a_in = net.a_in(axons);
    for (const StdpNet::Entry& e : net.entries) syn_ops += axons.count(e.axon);
    const std::vector<bool> post = {axons.count(2) != 0, axons.count(3) != 0};
    net.learn(axons, post);
    be->step(1);
    std::vector<OutputSpike> want;
    for (uint32_t n = 0; n < 2; ++n)
      if (post[n]) want.push_back(OutputSpike{t, n, 0});
    ASSERT_EQ(be->drain(), want) << "step " << t;
    for (uint32_t n = 0; n < 2; ++n) {
      ASSERT_EQ(u_of(*be, 0, 0, n), a_in[n] * 64) << "step " << t << " neuron " << n;
      ASSERT_EQ(post_trace(*be, 0, 0, n), net.post[n]) << "step " << t << " neuron " << n;
    }
    for (uint32_t a = 0; a < 4; ++a)
      ASSERT_EQ(pre_trace(*be, 0, 0, a), net.pre[a]) << "step " << t << " axon " << a;
    for (uint32_t e = 0; e < net.entries.size(); ++e)
      ASSERT_EQ(weight_of(*be, 0, 0, e), net.entries[e].weight) << "step " << t << " entry " << e;
    e3_at_max = e3_at_max || net.entries[3].weight == 105;
    e3_at_min = e3_at_min || net.entries[3].weight == -10;
  }
  // The scenario must exercise both bounds of the tight group.
  EXPECT_TRUE(e3_at_max);
  EXPECT_TRUE(e3_at_min);
  const CounterSet cs = be->counters();
  EXPECT_EQ(cnt(cs, 0, 0, s::CNT_STDP_UPDATES), net.stdp_updates);
  EXPECT_EQ(cnt(cs, 0, 0, s::CNT_TRACE_UPDATES), net.trace_updates);
  EXPECT_EQ(cnt(cs, 0, 0, s::CNT_SYN_MEM_WRITES), net.syn_writes);
  EXPECT_EQ(cnt(cs, 0, 0, s::CNT_SYN_OPS), syn_ops);
  EXPECT_EQ(cnt(cs, 0, 0, s::CNT_SYN_MEM_READS), syn_ops + net.weight_pass_reads);
}

TEST(FunctionalStdp, NoSpikesMeansNoWeightPassAndNoDrawsForZeroTraces) {
  StdpNet net;
  auto be = load(net.image(true));
  be->step(3);  // nothing happens: all traces zero, no weight pass
  CounterSet cs = be->counters();
  EXPECT_EQ(cnt(cs, 0, 0, s::CNT_TRACE_UPDATES), 0u);
  EXPECT_EQ(cnt(cs, 0, 0, s::CNT_SYN_MEM_READS), 0u);
  // The LFSR did not advance: the first learning step gives the same result as in FirstStepsByHand.
  inject_set(*be, 3, {0, 2});
  be->step(1);
  EXPECT_EQ(weight_of(*be, 0, 0, 0), 2);
  // A step with decays only: traces decay, no weight pass.
  be->step(1);
  cs = be->counters();
  EXPECT_EQ(cnt(cs, 0, 0, s::CNT_SYN_MEM_READS), 3u + 6);
  EXPECT_EQ(cnt(cs, 0, 0, s::CNT_TRACE_UPDATES), 3u + 3);
  EXPECT_EQ(pre_trace(*be, 0, 0, 0), 94u);  // same draws as step 1 of FirstStepsByHand
}

void expect_frozen(const Backend& be, const StdpNet& net) {
  for (uint32_t e = 0; e < net.entries.size(); ++e)
    EXPECT_EQ(weight_of(be, 0, 0, e), net.entries[e].weight) << e;
  for (uint32_t a = 0; a < 4; ++a) EXPECT_EQ(pre_trace(be, 0, 0, a), 0u) << a;
  for (uint32_t n = 0; n < 2; ++n) EXPECT_EQ(post_trace(be, 0, 0, n), 0u) << n;
  const CounterSet cs = be.counters();
  EXPECT_EQ(cnt(cs, 0, 0, s::CNT_STDP_UPDATES), 0u);
  EXPECT_EQ(cnt(cs, 0, 0, s::CNT_TRACE_UPDATES), 0u);
  EXPECT_EQ(cnt(cs, 0, 0, s::CNT_SYN_MEM_WRITES), 0u);
  EXPECT_EQ(cnt(cs, 0, 0, s::CNT_SYN_MEM_READS), cnt(cs, 0, 0, s::CNT_SYN_OPS));
}

TEST(FunctionalStdp, LearningOffBySetLearning) {
  StdpNet net;
  auto be = load(net.image(true));
  be->set_learning(false);
  for (uint32_t t = 0; t < 6; ++t) inject_set(*be, t, {0, 1, 2, 3});
  be->step(6);
  expect_frozen(*be, net);
  EXPECT_EQ(be->drain().size(), 12u);
}

// load() resets the chip to the image (backend.h contract, spec §7 LOAD_CTRL): step 0, counters 0,
// traces 0, learnt weights back to the image's, LEARN_EN from the image, no queued inputs.
TEST(FunctionalStdp, LoadResetsTheChip) {
  StdpNet net;
  const pb::ChipImage image = net.image(true);
  auto be = load(image);
  inject_set(*be, 0, {0, 2});
  inject_set(*be, 5, {0, 2});
  be->step(1);
  ASSERT_EQ(weight_of(*be, 0, 0, 0), 2);
  be->set_learning(false);
  be->load(image);
  EXPECT_EQ(be->timestep(), 0u);
  EXPECT_EQ(weight_of(*be, 0, 0, 0), 10);
  EXPECT_EQ(pre_trace(*be, 0, 0, 0), 0u);
  EXPECT_EQ(post_trace(*be, 0, 0, 0), 0u);
  EXPECT_EQ(u_of(*be, 0, 0, 0), 0);
  const CounterSet cs = be->counters();
  EXPECT_EQ(cnt(cs, 0, 0, s::CNT_SYN_OPS), 0u);
  EXPECT_EQ(chip_cnt(cs, s::CNT_CHIP_TIMESTEPS), 0u);
  be->drain();
  be->step(6);
  EXPECT_TRUE(be->drain().empty()) << "the input queued for step 5 before the load must be gone";
  inject_set(*be, 6, {0, 2});
  be->step(1);
  EXPECT_EQ(weight_of(*be, 0, 0, 0), 2) << "learning is on again (the image's learning_enabled)";
}

TEST(FunctionalStdp, LearningOffInImageThenOn) {
  StdpNet net;
  auto be = load(net.image(false));
  for (uint32_t t = 0; t < 3; ++t) inject_set(*be, t, {0, 2});
  be->step(3);
  expect_frozen(*be, net);
  // Turning it on starts from the untouched state: the next step is step 0 of FirstStepsByHand.
  be->set_learning(true);
  inject_set(*be, 3, {0, 2});
  be->step(1);
  EXPECT_EQ(weight_of(*be, 0, 0, 0), 2);
  EXPECT_EQ(pre_trace(*be, 0, 0, 0), 100u);
  EXPECT_EQ(post_trace(*be, 0, 0, 0), 80u);
}

TEST(FunctionalStdp, LearningOffMidRunFreezesTraces) {
  StdpNet net;
  auto be = load(net.image(true));
  inject_set(*be, 0, {0, 2});
  be->step(1);
  be->set_learning(false);
  inject_set(*be, 1, {1, 3});
  be->step(3);
  EXPECT_EQ(pre_trace(*be, 0, 0, 0), 100u) << "no decay while learning is off";
  EXPECT_EQ(pre_trace(*be, 0, 0, 1), 0u) << "no impulse while learning is off";
  EXPECT_EQ(post_trace(*be, 0, 0, 0), 80u);
  EXPECT_EQ(weight_of(*be, 0, 0, 2), -5);
  EXPECT_EQ(weight_of(*be, 0, 0, 3), 100);
}

TEST(FunctionalStdp, CoreWithoutPlasticGroupSkipsLearning) {
  ImageBuilder b(1, 1);
  b.set_learning(true);
  b.profile(0, 0, 4095, 0, 0);
  b.neuron(0, 0, 0);
  b.axon(0, 0);
  b.synapse(0, 0, 0, 0, 5);
  b.group(0, 0, 0, 0, /*plastic=*/false);
  b.stdp(0, 0, 0, 0, 50, 50);
  auto be = load(b.build());
  be->inject({InputSpike{0, 0, 0, 0}});
  be->step(2);
  EXPECT_EQ(pre_trace(*be, 0, 0, 0), 0u);
  EXPECT_EQ(post_trace(*be, 0, 0, 0), 0u);
  EXPECT_EQ(weight_of(*be, 0, 0, 0), 5);
  EXPECT_EQ(cnt(be->counters(), 0, 0, s::CNT_TRACE_UPDATES), 0u);
}

TEST(FunctionalStdp, DecayZeroKeepsTracesAndTraceSaturates) {
  ImageBuilder b(1, 1);
  b.set_learning(true);
  b.profile(0, 0, 4095, 0, 0);
  b.neuron(0, 0, 0);
  b.axon(0, 0);
  b.synapse(0, 0, 0, 0, 0, 0);  // weight 0: n0 stays silent, the weight is bounded at [0, 0]
  b.group(0, 0, 0, 0, true, 0, 0, 0, 0);
  b.stdp(0, 0, 0, 0, 100, 0);
  auto be = load(b.build());
  for (uint32_t t = 0; t < 4; ++t) be->inject({InputSpike{t, 0, 0, 0}});
  const uint32_t expect[] = {100, 200, 255, 255};
  for (uint32_t t = 0; t < 4; ++t) {
    be->step(1);
    EXPECT_EQ(pre_trace(*be, 0, 0, 0), expect[t]) << t;
  }
  be->step(5);
  EXPECT_EQ(pre_trace(*be, 0, 0, 0), 255u) << "decay 0 keeps the trace";
  EXPECT_EQ(weight_of(*be, 0, 0, 0), 0);
}

// ---- (i) read_word layouts (spec §9.2) ----

TEST(FunctionalReadWord, LayoutsOfEveryMemory) {
  ImageBuilder b(2, 2);
  // The core under test is (1,1); (1,0) exists as a fan-out destination.
  b.profile(1, 1, 100, 200, 1000, -3, true, 7);
  b.profile(1, 1, 4095, 4095, kVthMax, 7, false, 63);
  b.group(1, 1, 0, -8, true, 3, 15, -128, 127);
  b.group(1, 1, 1, 7, false, 0, 0, -5, 9);
  b.group(1, 1, 2, -1, true, 15, 0, 127, 127);
  b.neuron(1, 1, 1, -4096, 8388608, -8388607);
  b.neuron(1, 1, 0, 4095, -8388607, 8388607);
  b.neuron(1, 1, 1, -1, -1, -1);
  for (int a = 0; a < 3; ++a) b.axon(1, 1);
  b.synapse(1, 1, 0, 2, -128, 1);
  b.synapse(1, 1, 0, 0, 127, 0);
  b.synapse(1, 1, 2, 1, -1, 2);
  b.fanout(1, 1, 0, FanoutTarget{true, 0, 0, 4095});
  b.fanout(1, 1, 0, FanoutTarget{false, 1, 0, 1});
  b.fanout(1, 1, 2, FanoutTarget{false, 1, 1, 2});
  b.profile(1, 0, 0, 0, 0);
  b.neuron(1, 0, 0);
  b.axon(1, 0);
  b.axon(1, 0);
  auto be = load(b.build());
  const Backend& r = *be;
  EXPECT_EQ(r.read_word(1, 1, s::MEM_PROFILE, 0), 100u | 200u << 12 | 1u << 24 | 7u << 25);
  EXPECT_EQ(r.read_word(1, 1, s::MEM_PROFILE, 1), 1000u | 13u << 17);  // bias_exp -3: 4-bit 0xD
  EXPECT_EQ(r.read_word(1, 1, s::MEM_PROFILE, 2), 4095u | 4095u << 12 | 0u << 24 | 63u << 25);
  EXPECT_EQ(r.read_word(1, 1, s::MEM_PROFILE, 3), 131071u | 7u << 17);
  EXPECT_EQ(r.read_word(1, 1, s::MEM_GROUP, 0),
            8u | 1u << 4 | 3u << 5 | 15u << 9 | 0x80u << 13 | 0x7Fu << 21);
  EXPECT_EQ(r.read_word(1, 1, s::MEM_GROUP, 1), 7u | 0xFBu << 13 | 9u << 21);
  EXPECT_EQ(r.read_word(1, 1, s::MEM_GROUP, 2), 15u | 1u << 4 | 15u << 5 | 0x7Fu << 13 | 0x7Fu << 21);
  for (uint32_t g = 3; g < s::SYN_GROUPS_PER_CORE; ++g)  // unlisted: weight_exp 0, not plastic (spec §3)
    EXPECT_EQ(r.read_word(1, 1, s::MEM_GROUP, g) & 0x1FFFu, 0u) << "group " << g;
  EXPECT_EQ(r.read_word(1, 1, s::MEM_NEURON_CFG, 0), 1u | 0x1000u << 4);
  EXPECT_EQ(r.read_word(1, 1, s::MEM_NEURON_CFG, 1), 0u | 2u << 14);
  EXPECT_EQ(r.read_word(1, 1, s::MEM_NEURON_CFG, 2), 0u | 4095u << 4);
  EXPECT_EQ(r.read_word(1, 1, s::MEM_NEURON_CFG, 3), 2u | 0u << 14);
  EXPECT_EQ(r.read_word(1, 1, s::MEM_NEURON_CFG, 4), 1u | 0x1FFFu << 4);
  EXPECT_EQ(r.read_word(1, 1, s::MEM_NEURON_CFG, 5), 2u | 1u << 14);
  EXPECT_EQ(r.read_word(1, 1, s::MEM_NEURON_STATE, 0), 0x0800000u);  // u = +2^23 in 25 bits
  EXPECT_EQ(r.read_word(1, 1, s::MEM_NEURON_STATE, 1), 0x800001u);   // v = -(2^23 - 1) in 24 bits
  EXPECT_EQ(r.read_word(1, 1, s::MEM_NEURON_STATE, 2), 0u);
  EXPECT_EQ(r.read_word(1, 1, s::MEM_NEURON_STATE, 3), 0x1800001u);  // u = -(2^23 - 1) in 25 bits
  EXPECT_EQ(r.read_word(1, 1, s::MEM_NEURON_STATE, 4), 0x7FFFFFu);
  EXPECT_EQ(r.read_word(1, 1, s::MEM_NEURON_STATE, 6), 0x1FFFFFFu);
  EXPECT_EQ(r.read_word(1, 1, s::MEM_NEURON_STATE, 7), 0xFFFFFFu);
  EXPECT_EQ(r.read_word(1, 1, s::MEM_AXON, 0), 0u | 2u << 16);
  EXPECT_EQ(r.read_word(1, 1, s::MEM_AXON, 1), 2u | 0u << 16);
  EXPECT_EQ(r.read_word(1, 1, s::MEM_AXON, 2), 2u | 1u << 16);
  EXPECT_EQ(r.read_word(1, 1, s::MEM_SYNAPSE, 0), 2u | 0x80u << 10 | 1u << 18);
  EXPECT_EQ(r.read_word(1, 1, s::MEM_SYNAPSE, 1), 0u | 0x7Fu << 10 | 0u << 18);
  EXPECT_EQ(r.read_word(1, 1, s::MEM_SYNAPSE, 2), 1u | 0xFFu << 10 | 2u << 18);
  EXPECT_EQ(r.read_word(1, 1, s::MEM_FANOUT, 0), 4095u | 1u << 20);
  EXPECT_EQ(r.read_word(1, 1, s::MEM_FANOUT, 1), 1u | 1u << 12 | 0u << 16);
  EXPECT_EQ(r.read_word(1, 1, s::MEM_FANOUT, 2), 2u | 1u << 12 | 1u << 16);
  EXPECT_EQ(r.read_word(1, 1, s::MEM_TRACE, 0), 0u);
  EXPECT_EQ(r.read_word(1, 1, s::MEM_TRACE, static_cast<uint32_t>(s::AXONS_PER_CORE_MAX) + 2), 0u);
  // The other core is addressed by its own coordinates.
  EXPECT_EQ(r.read_word(1, 0, s::MEM_AXON, 1), 0u);
  EXPECT_EQ(r.read_word(1, 0, s::MEM_PROFILE, 0), 0u);
}

TEST(FunctionalReadWord, StateAndTracesAfterSteps) {
  ImageBuilder b(1, 1);
  b.set_learning(true);
  b.profile(0, 0, 4095, 0, 1, 0, false, 5);  // thr 64, refractory 5
  b.neuron(0, 0, 0);
  b.neuron(0, 0, 0);
  for (int a = 0; a < 3; ++a) b.axon(0, 0);
  b.synapse(0, 0, 2, 1, -128);
  b.synapse(0, 0, 2, 1, 127);  // n1: a_in = -1
  b.synapse(0, 0, 1, 0, 3);    // n0: a_in = 3, spikes
  b.group(0, 0, 0, 0, true, 15, 15, -128, 127);
  b.stdp(0, 0, 0, 0, 33, 44);
  auto be = load(b.build());
  be->inject({InputSpike{0, 0, 0, 1}, InputSpike{0, 0, 0, 2}});
  be->step(1);
  EXPECT_EQ(be->read_word(0, 0, s::MEM_NEURON_STATE, 0), 192u);
  EXPECT_EQ(be->read_word(0, 0, s::MEM_NEURON_STATE, 1), 0u);
  EXPECT_EQ(be->read_word(0, 0, s::MEM_NEURON_STATE, 2), 5u);
  EXPECT_EQ(be->read_word(0, 0, s::MEM_NEURON_STATE, 3), 0x1FFFFC0u);  // u = -64
  EXPECT_EQ(be->read_word(0, 0, s::MEM_NEURON_STATE, 4), 0xFFFFC0u);   // v = -64
  EXPECT_EQ(be->read_word(0, 0, s::MEM_TRACE, 0), 0u);
  EXPECT_EQ(be->read_word(0, 0, s::MEM_TRACE, 1), 33u);
  EXPECT_EQ(be->read_word(0, 0, s::MEM_TRACE, 2), 33u);
  EXPECT_EQ(be->read_word(0, 0, s::MEM_TRACE, static_cast<uint32_t>(s::AXONS_PER_CORE_MAX) + 0), 44u);
  EXPECT_EQ(be->read_word(0, 0, s::MEM_TRACE, static_cast<uint32_t>(s::AXONS_PER_CORE_MAX) + 1), 0u);
}

TEST(FunctionalReadWord, OutOfRangeThrows) {
  ImageBuilder b(2, 1);
  b.profile(0, 0, 0, 0, 0);
  b.neuron(0, 0, 0);
  b.neuron(0, 0, 0);
  b.axon(0, 0);
  b.synapse(0, 0, 0, 0, 1);
  b.fanout(0, 0, 0, FanoutTarget{true, 0, 0, 0});
  auto be = load(b.build());
  const uint32_t n_trace = static_cast<uint32_t>(s::AXONS_PER_CORE_MAX);
  EXPECT_NO_THROW(be->read_word(0, 0, s::MEM_PROFILE, 1));
  EXPECT_THROW(be->read_word(0, 0, s::MEM_PROFILE, 2), InputError);
  EXPECT_NO_THROW(be->read_word(0, 0, s::MEM_GROUP, 7));
  EXPECT_THROW(be->read_word(0, 0, s::MEM_GROUP, 8), InputError);
  EXPECT_NO_THROW(be->read_word(0, 0, s::MEM_NEURON_CFG, 3));
  EXPECT_THROW(be->read_word(0, 0, s::MEM_NEURON_CFG, 4), InputError);
  EXPECT_NO_THROW(be->read_word(0, 0, s::MEM_NEURON_STATE, 5));
  EXPECT_THROW(be->read_word(0, 0, s::MEM_NEURON_STATE, 6), InputError);
  EXPECT_THROW(be->read_word(0, 0, s::MEM_AXON, 1), InputError);
  EXPECT_THROW(be->read_word(0, 0, s::MEM_SYNAPSE, 1), InputError);
  EXPECT_THROW(be->read_word(0, 0, s::MEM_FANOUT, 1), InputError);
  EXPECT_NO_THROW(be->read_word(0, 0, s::MEM_TRACE, 0));
  EXPECT_THROW(be->read_word(0, 0, s::MEM_TRACE, 1), InputError);
  EXPECT_NO_THROW(be->read_word(0, 0, s::MEM_TRACE, n_trace + 1));
  EXPECT_THROW(be->read_word(0, 0, s::MEM_TRACE, n_trace + 2), InputError);
  EXPECT_THROW(be->read_word(0, 0, 0, 0), InputError);
  EXPECT_THROW(be->read_word(0, 0, s::MEM_VOLTAGE + 1, 0), InputError);
  EXPECT_THROW(be->read_word(1, 0, s::MEM_PROFILE, 0), InputError) << "core not in the image";
  EXPECT_THROW(be->read_word(2, 0, s::MEM_PROFILE, 0), InputError) << "core outside the mesh";
}

// ---- (j) inject() errors ----

std::string inject_error(Backend& be, const std::vector<InputSpike>& in) {
  try {
    be.inject(in);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(FunctionalInject, ErrorsNameTheProblem) {
  ImageBuilder b(3, 2);
  b.profile(1, 1, 4095, 0, 0);
  b.neuron(1, 1, 0);
  b.axon(1, 1);
  b.axon(1, 1);
  b.synapse(1, 1, 0, 0, 1);
  b.fanout(1, 1, 0, FanoutTarget{true, 0, 0, 0});
  auto be = load(b.build());
  be->step(2);

  std::string msg = inject_error(*be, {InputSpike{1, 1, 1, 0}});
  EXPECT_TRUE(contains(msg, "past")) << msg;
  msg = inject_error(*be, {InputSpike{5, 3, 0, 0}});
  EXPECT_TRUE(contains(msg, "mesh")) << msg;
  msg = inject_error(*be, {InputSpike{5, 0, 2, 0}});
  EXPECT_TRUE(contains(msg, "mesh")) << msg;
  msg = inject_error(*be, {InputSpike{5, 2, 1, 0}});
  EXPECT_TRUE(contains(msg, "image")) << msg;
  msg = inject_error(*be, {InputSpike{5, 1, 1, 2}});
  EXPECT_TRUE(contains(msg, "axon")) << msg;
  EXPECT_TRUE(contains(msg, "2")) << msg;
  EXPECT_NO_THROW(be->inject({InputSpike{2, 1, 1, 1}}));  // the current step and the last axon are fine

  // A batch with one bad spike queues nothing, not even its good spikes.
  EXPECT_THROW(be->inject({InputSpike{3, 1, 1, 0}, InputSpike{3, 1, 1, 7}}), InputError);
  be->step(2);
  const CounterSet cs = be->counters();
  EXPECT_EQ(cnt(cs, 1, 1, s::CNT_AXON_EVENTS), 1u) << "only the step-2 spike on axon 1";
  EXPECT_EQ(cnt(cs, 1, 1, s::CNT_SPIKES), 0u);
  EXPECT_TRUE(be->drain().empty());
}

// ---- (k) drain() and clear_counters() ----

TEST(FunctionalDrain, SortedByStepThenChannelAndCleared) {
  ImageBuilder b(1, 1);
  b.profile(0, 0, 4095, 0, 0);
  for (int n = 0; n < 3; ++n) b.neuron(0, 0, 0);
  b.axon(0, 0);
  b.axon(0, 0);
  for (uint32_t n = 0; n < 3; ++n) b.synapse(0, 0, 0, n, 1);
  b.synapse(0, 0, 1, 2, 1);
  b.fanout(0, 0, 0, FanoutTarget{true, 0, 0, 9});
  b.fanout(0, 0, 0, FanoutTarget{true, 0, 0, 2});
  b.fanout(0, 0, 1, FanoutTarget{true, 0, 0, 5});
  b.fanout(0, 0, 1, FanoutTarget{true, 0, 0, 2});  // channel 2 twice in a step: a multiset
  b.fanout(0, 0, 2, FanoutTarget{true, 0, 0, 0});
  auto be = load(b.build());
  be->inject({InputSpike{2, 0, 0, 1}, InputSpike{1, 0, 0, 0}, InputSpike{0, 0, 0, 0}});
  be->step(3);
  EXPECT_SPIKES(
      be->drain(),
      spikes({{0, 0}, {0, 2}, {0, 2}, {0, 5}, {0, 9}, {1, 0}, {1, 2}, {1, 2}, {1, 5}, {1, 9}, {2, 0}}));
  EXPECT_TRUE(be->drain().empty()) << "drain clears";
  be->step(1);
  EXPECT_TRUE(be->drain().empty());
  be->inject({InputSpike{4, 0, 0, 1}});
  be->step(1);
  EXPECT_SPIKES(be->drain(), spikes({{4, 0}}));
}

TEST(FunctionalDrain, ClearCountersZeroesEverything) {
  ImageBuilder b(2, 2);
  b.profile(1, 1, 4095, 0, 0);
  b.neuron(1, 1, 0, 1);
  b.axon(1, 1);
  b.synapse(1, 1, 0, 0, 1);
  b.fanout(1, 1, 0, FanoutTarget{true, 0, 0, 1});
  b.fanout(1, 1, 0, FanoutTarget{false, 1, 1, 0});
  auto be = load(b.build());
  be->inject({InputSpike{0, 1, 1, 0}});
  be->step(2);
  CounterSet cs = be->counters();
  ASSERT_GT(cnt(cs, 1, 1, s::CNT_SYN_OPS), 0u);
  ASSERT_GT(cnt(cs, 0, 0, s::CNT_LINK_WEST), 0u);
  be->clear_counters();
  cs = be->counters();
  for (uint32_t i = 0; i < cs.cores.size(); ++i)
    for (int id = 0; id < s::CNT_PER_CORE; ++id)
      EXPECT_EQ(cs.cores[i][id], 0u) << "core " << i << " id " << id;
  for (int id = 0; id < s::CNT_CHIP_SLOTS; ++id) EXPECT_EQ(cs.chip[id], 0u) << "chip id " << id;
  EXPECT_EQ(be->timestep(), 2u) << "clearing counters does not touch the step";
  // Counting restarts from zero: the neuron (bias 1, thr 0) spikes every step through its self loop.
  be->step(1);
  cs = be->counters();
  EXPECT_EQ(chip_cnt(cs, s::CNT_CHIP_TIMESTEPS), 1u);
  EXPECT_EQ(cnt(cs, 1, 1, s::CNT_SPIKES), 1u);
  EXPECT_EQ(cnt(cs, 1, 1, s::CNT_AXON_EVENTS), 1u);
  EXPECT_EQ(cnt(cs, 1, 1, s::CNT_LINK_LOCAL), 1u);
  EXPECT_EQ(cnt(cs, 1, 1, s::CNT_LINK_WEST), 1u);
  EXPECT_EQ(cnt(cs, 0, 1, s::CNT_LINK_SOUTH), 1u);
  EXPECT_EQ(cnt(cs, 0, 0, s::CNT_LINK_WEST), 1u);
  EXPECT_EQ(chip_cnt(cs, s::CNT_CHIP_HOST_OUT), 1u);
  EXPECT_EQ(chip_cnt(cs, s::CNT_CHIP_HOST_IN), 0u);
}

}  // namespace
}  // namespace lifchip
