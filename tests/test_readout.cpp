// Read-out neurons (spec v1.1 §2.6), the read-out window MEM_VOLTAGE (§7) and the run loop's
// read-out ranges and their host cost (§10.7): the spec's worked examples on every backend this
// build has (functional, systemc, and the Verilated RTL when it is built), and v1 compatibility.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "lifchip/backend.h"
#include "lifchip/chip_constants.h"
#include "lifchip/image.h"
#include "lifchip/run.h"
#include "support/image_builder.h"

namespace lifchip {
namespace {

namespace s = spec;

std::vector<std::string> backends() {
  std::vector<std::string> out = {"functional", "systemc"};
  const std::vector<std::string> all = BackendRegistry::names();
  if (std::find(all.begin(), all.end(), "rtl") != all.end()) out.push_back("rtl");
  return out;
}

int32_t v_of(const Backend& b, uint32_t x, uint32_t y, uint32_t n) {
  return layout::sign_extend(b.read_word(x, y, s::MEM_VOLTAGE, n), 24);
}

// One core: neuron 0 a read-out (profile 0), neuron 1 the same profile without the flag; axon 0
// drives both with weight w. The spiking twin shows what the flag changes.
pb::ChipImage twin_image(uint32_t du, uint32_t dv, uint32_t vth, int32_t weight, int32_t v0 = 0) {
  test::ImageBuilder b(1, 1);
  b.profile(0, 0, du, dv, vth);
  b.profile(0, 0, du, dv, vth);
  b.neuron(0, 0, 0, 0, 0, v0);
  b.neuron(0, 0, 1, 0, 0, v0);
  b.axon(0, 0);
  b.synapse(0, 0, 0, 0, weight);
  b.synapse(0, 0, 0, 1, weight);
  b.fanout(0, 0, 0, test::FanoutTarget{true, 0, 0, 0});
  b.fanout(0, 0, 1, test::FanoutTarget{true, 0, 0, 1});
  pb::ChipImage img = b.build_unsealed();
  img.mutable_cores(0)->mutable_profiles(0)->set_readout(true);
  seal_image(img);
  return img;
}

class Readout : public ::testing::TestWithParam<std::string> {};

// §2.6, "above threshold": vth 0, v' = 5000 (weight 78 << 6 = 4992, plus nothing else): the
// read-out keeps v, never spikes; its spiking twin fires and resets.
TEST_P(Readout, AboveThresholdNeverSpikes) {
  std::unique_ptr<Backend> b = BackendRegistry::create(GetParam());
  b->load(twin_image(4095, 0, 0, 78, 8));
  b->inject({{0, 0, 0, 0}});
  b->step(3);
  const std::vector<OutputSpike> out = b->drain();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].channel, 1u);  // only the twin
  EXPECT_EQ(v_of(*b, 0, 0, 0), 5000);
  EXPECT_EQ(v_of(*b, 0, 0, 1), 0);
  const CounterSet c = b->counters();
  EXPECT_EQ(c.total(s::CNT_SPIKES), 1u);
  EXPECT_EQ(c.total(s::CNT_PACKETS_SENT), 1u);
  // The state window and the read-out window read the same v.
  EXPECT_EQ(b->read_word(0, 0, s::MEM_NEURON_STATE, 1), b->read_word(0, 0, s::MEM_VOLTAGE, 0));
  EXPECT_EQ(b->read_word(0, 0, s::MEM_NEURON_STATE, 2), 0u);  // ref stays 0
  EXPECT_THROW(b->read_word(0, 0, s::MEM_VOLTAGE, 2), InputError);
}

// §2.6, "saturated": v = 8,388,607, dv = 0, u' = 100: stays saturated, no spike, no reset.
TEST_P(Readout, SaturatedStaysWithoutReset) {
  std::unique_ptr<Backend> b = BackendRegistry::create(GetParam());
  b->load(twin_image(4095, 0, 131071, 2, 8388607 - 10));
  for (uint32_t t = 0; t < 3; ++t) b->inject({{t, 0, 0, 0}});
  b->step(3);
  EXPECT_EQ(v_of(*b, 0, 0, 0), 8388607);
  EXPECT_EQ(b->drain().size(), 1u);  // the twin (thr 131071 << 6 = 8,388,544) fires once and resets
}

// §2.6, "integrates like CubaLIF": du 1023, dv 2048, a_in 10 then 0: v 640, then 800.
TEST_P(Readout, IntegratesLikeCubaLif) {
  std::unique_ptr<Backend> b = BackendRegistry::create(GetParam());
  b->load(twin_image(1023, 2048, 0, 10));
  b->inject({{0, 0, 0, 0}});
  b->step(1);
  EXPECT_EQ(v_of(*b, 0, 0, 0), 640);
  EXPECT_EQ(layout::sign_extend(b->read_word(0, 0, s::MEM_NEURON_STATE, 0), 25), 640);
  b->step(1);
  EXPECT_EQ(v_of(*b, 0, 0, 0), 800);
  EXPECT_EQ(layout::sign_extend(b->read_word(0, 0, s::MEM_NEURON_STATE, 0), 25), 480);
}

// The run loop's read-out ranges: v every step, and the §10.7 cost (ranges + words) x 2 per step.
TEST_P(Readout, RunReadsRangesEveryStepWithTheirHostCost) {
  std::unique_ptr<Backend> b = BackendRegistry::create(GetParam());
  b->load(twin_image(1023, 2048, 0, 10));
  pb::Stimuli st;
  pb::StepInput* in = st.add_steps();
  in->set_step(0);
  in->add_x(0), in->add_y(0), in->add_axon(0);
  RunOptions ro;
  ro.steps = 3;
  pb::ProbeSpec::ReadoutRange* r = ro.probes.add_readouts();
  r->set_x(0), r->set_y(0), r->set_first(0), r->set_count(2);
  const pb::RunResult res = run(*b, st, ro);
  ASSERT_EQ(res.readouts_size(), 1);
  ASSERT_EQ(res.readouts(0).values_size(), 6);
  EXPECT_EQ(res.readouts(0).values(0), 640);  // step 0: the read-out
  EXPECT_EQ(res.readouts(0).values(2), 800);  // step 1
  EXPECT_EQ(res.readout_words(), 6u);
  EXPECT_EQ(res.readout_host_cycles(), (1u + 2u) * 3u * s::HOST_ACCESS_CYCLES);
  // A range beyond the core's neurons fails before the run, naming the range.
  r->set_count(3);
  b->load(twin_image(1023, 2048, 0, 10));
  try {
    run(*b, st, ro);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("neurons 0 + 3"), std::string::npos) << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, Readout, ::testing::ValuesIn(backends()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

// The flag is bit 31 of profile word 0 (§9.2), zero in every v1 image: the flat stream carries it
// both ways, and an image without it decodes with readout false.
TEST(ReadoutFormat, ProfileBitRoundTripsThroughTheFlatStream) {
  const pb::ChipImage img = twin_image(1023, 2048, 0, 10);
  EXPECT_EQ(layout::profile_word0(img.cores(0).profiles(0)) >> s::PROFILE_READOUT_BIT, 1u);
  EXPECT_EQ(layout::profile_word0(img.cores(0).profiles(1)) >> s::PROFILE_READOUT_BIT, 0u);
  const std::vector<uint32_t> words = flat_stream(img);
  const pb::ChipImage back = decode_flat_stream(words.data(), words.size());
  EXPECT_TRUE(back.cores(0).profiles(0).readout());
  EXPECT_FALSE(back.cores(0).profiles(1).readout());
  EXPECT_EQ(back.checksum(), img.checksum());
}

}  // namespace
}  // namespace lifchip
