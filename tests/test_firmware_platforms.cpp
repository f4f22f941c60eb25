// Integration tests of the firmware on each platform: the same firmware, booting and running seeded
// random networks, gives exactly what the direct Backend path gives (spikes, every counter, every
// changing memory word after every step; timing too on SystemC), and the error paths reach the
// firmware as status codes.
#include <gtest/gtest.h>

#include <algorithm>

#include "lifchip/chip_constants.h"
#include "platform.h"
#include "support/image_builder.h"
#include "support/random_network.h"
#include "trace.h"

namespace lifchip {
namespace {

namespace s = spec;
using hil::RunTrace;

// The same record as run_firmware, taken through the Backend interface directly.
RunTrace direct_trace(Backend& b, const pb::ChipImage& image, const std::vector<InputSpike>& stimuli,
                      uint32_t steps, bool timing) {
  RunTrace tr;
  tr.platform = "direct:" + b.name();
  tr.timing = timing;
  b.load(image);
  b.inject(stimuli);
  std::vector<const pb::Core*> cores;
  for (const pb::Core& c : image.cores()) cores.push_back(&c);
  std::sort(cores.begin(), cores.end(), [](const pb::Core* p, const pb::Core* q) {
    return p->y() != q->y() ? p->y() < q->y() : p->x() < q->x();
  });
  for (uint32_t t = 0; t < steps; ++t) {
    b.step(1);
    hil::StepRecord r;
    r.step = t;
    for (const OutputSpike& o : b.drain()) {
      r.outputs.push_back(o.channel);
      if (timing) r.output_cycles.push_back(o.cycle);
    }
    r.counters = b.counters();
    for (const pb::Core* c : cores) {
      hil::CoreSnapshot m;
      m.x = c->x();
      m.y = c->y();
      for (uint32_t a = 0; a < 3u * static_cast<uint32_t>(c->neuron_profile_size()); ++a)
        m.state.push_back(b.read_word(m.x, m.y, s::MEM_NEURON_STATE, a));
      for (uint32_t n = 0; n < static_cast<uint32_t>(c->neuron_profile_size()); ++n)
        m.post.push_back(
            b.read_word(m.x, m.y, s::MEM_TRACE, static_cast<uint32_t>(s::AXONS_PER_CORE_MAX) + n));
      for (uint32_t a = 0; a < static_cast<uint32_t>(c->axon_syn_base_size()); ++a)
        m.pre.push_back(b.read_word(m.x, m.y, s::MEM_TRACE, a));
      for (uint32_t e = 0; e < static_cast<uint32_t>(c->syn_neuron_size()); ++e)
        m.syn.push_back(b.read_word(m.x, m.y, s::MEM_SYNAPSE, e));
      r.memory.push_back(std::move(m));
    }
    tr.steps.push_back(std::move(r));
  }
  return tr;
}

struct Case {
  std::string preset;
  uint64_t seed;
};

class FirmwarePlatformTest : public ::testing::TestWithParam<std::string> {};

TEST_P(FirmwarePlatformTest, SameResultsAsTheDirectBackendPath) {
  const std::string platform = GetParam();
  const bool timing = platform == "systemc";
  for (const Case& c :
       std::vector<Case>{{"small", 1}, {"plastic", 2}, {"recurrent", 3}, {"congest", 4}, {"edge", 5}}) {
    test::RandomNetOptions opt = test::preset(c.preset, c.seed);
    const pb::ChipImage image = test::random_image(opt);
    const uint32_t steps = std::min<uint32_t>(opt.steps, 16);
    const std::vector<InputSpike> stim = test::random_stimuli(image, c.seed, steps, opt.input_rate);
    RunTrace direct;
    {
      std::unique_ptr<Backend> b = BackendRegistry::create(platform);
      direct = direct_trace(*b, image, stim, steps, timing);
    }
    hil::RunSpec spec;
    spec.steps = steps;
    spec.stimuli = stim;
    std::unique_ptr<hil::Platform> p = hil::make_platform(platform);
    const RunTrace fw = hil::run_firmware(*p, image, spec);
    ASSERT_EQ(fw.status, LC_OK) << c.preset << " seed " << c.seed << ": " << fw.status_text;
    ASSERT_EQ(fw.steps.size(), steps);
    const hil::Divergence d = hil::compare_traces(direct, fw, image);
    EXPECT_TRUE(d.identical) << c.preset << " seed " << c.seed << ": " << d.text;
    if (timing) {
      EXPECT_GT(p->bus_cycles(), 0u);
    }
    EXPECT_GT(p->accesses(), 0u);
  }
}

TEST_P(FirmwarePlatformTest, CorruptImageWordIsAChecksumError) {
  const pb::ChipImage image = test::random_image(test::preset("small", 9));
  hil::RunSpec spec;
  spec.steps = 2;
  spec.corrupt_words = {12};
  auto p = hil::make_platform(GetParam());
  const RunTrace t = hil::run_firmware(*p, image, spec);
  EXPECT_EQ(t.status, LC_ERR_CHECKSUM);
  EXPECT_TRUE(t.steps.empty());
}

TEST_P(FirmwarePlatformTest, BadInputsAndOverflowsReachTheFirmware) {
  // A neuron that fires in step 0 (vth 0, bias) with 4,100 host fan-out entries: more output spikes in
  // one step than the output FIFO holds.
  test::ImageBuilder b(1, 1);
  b.config().set_fanout_per_core(8192);
  const uint32_t prof = b.profile(0, 0, 0, 0, 0);
  const uint32_t n = b.neuron(0, 0, prof, 100);
  b.axon(0, 0);
  for (uint32_t i = 0; i < 4100; ++i) b.fanout(0, 0, n, {true, 0, 0, i % 4096});
  const pb::ChipImage image = b.build();
  auto p = hil::make_platform(GetParam());
  std::vector<uint32_t> words = flat_stream(image);
  ASSERT_EQ(lc_boot(p->hal(), words.data(), words.size(), image.checksum()), LC_OK);
  // An input to an axon the core does not have: ERR_BUS.
  const lc_spike_in_t bad{0, 0, 0, 7};
  EXPECT_EQ(lc_step(p->hal(), 0, &bad, 1, nullptr, nullptr), LC_ERR_BUS);
  // More inputs for one step than the input FIFO holds: refused before any push.
  std::vector<lc_spike_in_t> many(static_cast<std::size_t>(s::HOST_SPIKE_FIFO_DEPTH) + 1,
                                  lc_spike_in_t{0, 0, 0, 0});
  EXPECT_EQ(lc_step(p->hal(), 0, many.data(), many.size(), nullptr, nullptr), LC_ERR_SPIKE_IN_OVERFLOW);
  uint32_t got = 0;
  EXPECT_EQ(
      lc_step(
          p->hal(), 0, nullptr, 0, [](void* u, uint32_t, uint32_t) { ++*static_cast<uint32_t*>(u); }, &got),
      LC_ERR_SPIKE_OUT_OVERFLOW);
  EXPECT_EQ(got, static_cast<uint32_t>(s::HOST_SPIKE_FIFO_DEPTH));
  uint64_t host_out = 0;
  ASSERT_EQ(lc_read_counters(p->hal(), true, 0, s::CNT_CHIP_HOST_OUT, 1, &host_out), LC_OK);
  EXPECT_EQ(host_out, 4100u) << "the chip counts every packet that reached the host port";
  // Soft reset invalidates the image: running is then ERR_NOT_READY.
  ASSERT_EQ(lc_reset(p->hal()), LC_OK);
  EXPECT_EQ(lc_step(p->hal(), 0, nullptr, 0, nullptr, nullptr), LC_ERR_NOT_READY);
  uint32_t w = 0;
  EXPECT_EQ(lc_read_memory(p->hal(), 0, s::MEM_NEURON_STATE, 0, 1, &w), LC_ERR_BUS);
}

TEST(FirmwarePlatformSystemCTest, PollLimitGivesATimeout) {
  const pb::ChipImage image = test::random_image(test::preset("small", 3));
  auto p = hil::make_platform("systemc");
  p->set_poll_limit(0);
  std::vector<uint32_t> words = flat_stream(image);
  ASSERT_EQ(lc_boot(p->hal(), words.data(), words.size(), image.checksum()), LC_OK);
  EXPECT_EQ(lc_step(p->hal(), 0, nullptr, 0, nullptr, nullptr), LC_ERR_TIMEOUT);
}

// LOAD_CTRL begin clears LEARN_EN (spec §7) on every platform: the functional register adapter kept
// it while the SystemC model and the RTL cleared it (found by the host_if fuzz target; its input is
// tests/fuzz/corpus/host_if/ctrl_learn_en_after_begin.bin).
TEST_P(FirmwarePlatformTest, LoadBeginClearsLearnEn) {
  std::unique_ptr<hil::Platform> p = hil::make_platform(GetParam());
  const lc_hal_t* h = p->hal();
  h->write32(h->ctx, s::REG_CTRL, 2u);  // LEARN_EN
  EXPECT_EQ(h->read32(h->ctx, s::REG_CTRL), 2u);
  h->write32(h->ctx, s::REG_LOAD_CTRL, 1u);  // begin
  EXPECT_EQ(h->read32(h->ctx, s::REG_CTRL), 0u);
  h->write32(h->ctx, s::REG_CTRL, 2u);
  EXPECT_EQ(h->read32(h->ctx, s::REG_CTRL), 2u);
  h->write32(h->ctx, s::REG_CTRL, 1u);  // SOFT_RESET with LEARN_EN 0 in the same write
  EXPECT_EQ(h->read32(h->ctx, s::REG_CTRL), 0u);
}

// Spec §7: an address that is not a multiple of 4 is no register's: it reads 0 and sets ERR_BUS, and
// a write there changes nothing (SystemC once answered it with a TLM burst error, which escaped).
TEST_P(FirmwarePlatformTest, UnalignedAccessIsUnmapped) {
  std::unique_ptr<hil::Platform> p = hil::make_platform(GetParam());
  const lc_hal_t* h = p->hal();
  for (uint32_t addr : {s::REG_ID + 1, s::REG_CTRL + 2, s::REG_CTRL + 3}) {
    h->write32(h->ctx, s::REG_ERROR, 0xFFFFFFFFu);
    EXPECT_EQ(h->read32(h->ctx, addr), 0u) << addr;
    EXPECT_EQ(h->read32(h->ctx, s::REG_ERROR) & 1u, 1u) << addr;
    h->write32(h->ctx, s::REG_ERROR, 0xFFFFFFFFu);
    h->write32(h->ctx, addr, 2u);
    EXPECT_EQ(h->read32(h->ctx, s::REG_ERROR) & 1u, 1u) << addr;
    EXPECT_EQ(h->read32(h->ctx, s::REG_CTRL), 0u) << addr;
  }
}

// Spec §7: a mesh core the image does not list is an empty core in the register window. Its 8 group
// words read the default group; every other memory reads 0 with ERR_BUS. The functional register
// adapter answered ERR_BUS for the group words too, while the SystemC model and the RTL gave the
// word. The host_if fuzz target found it; its input is
// tests/fuzz/corpus/host_if/empty_core_group_window.bin.
void expect_empty_core_window(const std::string& platform) {
  test::ImageBuilder b(2, 1);
  b.neuron(0, 0, b.profile(0, 0, 0, 0, 10));
  const pb::ChipImage image = b.build();
  ASSERT_EQ(image.cores_size(), 1);
  std::unique_ptr<hil::Platform> p = hil::make_platform(platform);
  const lc_hal_t* h = p->hal();
  const std::vector<uint32_t> words = flat_stream(image);
  ASSERT_EQ(lc_boot(h, words.data(), words.size(), image.checksum()), LC_OK);
  const uint32_t empty_core = 1;  // (1, 0): y * W + x
  h->write32(h->ctx, s::REG_ERROR, 0xFFFFFFFFu);
  h->write32(h->ctx, s::REG_MEM_SEL, uint32_t{s::MEM_GROUP} << 16 | empty_core << 20);
  for (uint32_t g = 0; g < s::SYN_GROUPS_PER_CORE; ++g)
    EXPECT_EQ(h->read32(h->ctx, s::REG_MEM_DATA), 0x0FF00000u) << platform << " group " << g;
  EXPECT_EQ(h->read32(h->ctx, s::REG_ERROR), 0u) << platform;
  EXPECT_EQ(h->read32(h->ctx, s::REG_MEM_DATA), 0u) << platform << ": group 8 does not exist";
  EXPECT_EQ(h->read32(h->ctx, s::REG_ERROR), uint32_t{s::ERR_BUS}) << platform;
  for (uint32_t mem : {s::MEM_PROFILE, s::MEM_NEURON_CFG, s::MEM_NEURON_STATE, s::MEM_AXON, s::MEM_SYNAPSE,
                       s::MEM_FANOUT, s::MEM_TRACE, s::MEM_VOLTAGE}) {
    h->write32(h->ctx, s::REG_ERROR, 0xFFFFFFFFu);
    h->write32(h->ctx, s::REG_MEM_SEL, mem << 16 | empty_core << 20);
    EXPECT_EQ(h->read32(h->ctx, s::REG_MEM_DATA), 0u) << platform << " memory " << mem;
    EXPECT_EQ(h->read32(h->ctx, s::REG_ERROR), uint32_t{s::ERR_BUS}) << platform << " memory " << mem;
  }
  h->write32(h->ctx, s::REG_ERROR, 0xFFFFFFFFu);
  uint64_t spikes = 1;
  EXPECT_EQ(lc_read_counters(h, false, empty_core, s::CNT_SPIKES, 1, &spikes), LC_OK) << platform;
  EXPECT_EQ(spikes, 0u) << platform;
}

TEST_P(FirmwarePlatformTest, AnUnlistedCoreIsAnEmptyCore) { expect_empty_core_window(GetParam()); }

INSTANTIATE_TEST_SUITE_P(Platforms, FirmwarePlatformTest, ::testing::Values("functional", "systemc"));

// The RTL (when built) runs the same firmware and must give the direct RTL backend's results.
class FirmwareRtlTest : public FirmwarePlatformTest {};
TEST_P(FirmwareRtlTest, SameResultsAsTheDirectBackendPath) {
  for (const Case& c : std::vector<Case>{{"small", 1}, {"plastic", 2}, {"congest", 4}}) {
    test::RandomNetOptions opt = test::preset(c.preset, c.seed);
    opt.default_capacities = true;  // the RTL is verilated at the default capacities
    const pb::ChipImage image = test::random_image(opt);
    const uint32_t steps = std::min<uint32_t>(opt.steps, 8);
    const std::vector<InputSpike> stim = test::random_stimuli(image, c.seed, steps, opt.input_rate);
    RunTrace direct;
    {
      std::unique_ptr<Backend> b = BackendRegistry::create("rtl");
      direct = direct_trace(*b, image, stim, steps, true);
    }
    hil::RunSpec spec;
    spec.steps = steps;
    spec.stimuli = stim;
    auto p = hil::make_platform("rtl");
    const RunTrace fw = hil::run_firmware(*p, image, spec);
    ASSERT_EQ(fw.status, LC_OK) << c.preset << ": " << fw.status_text;
    const hil::Divergence d = hil::compare_traces(direct, fw, image);
    EXPECT_TRUE(d.identical) << c.preset << " seed " << c.seed << ": " << d.text;
  }
}
TEST_P(FirmwareRtlTest, AnUnlistedCoreIsAnEmptyCore) { expect_empty_core_window(GetParam()); }
#ifdef LIFCHIP_HAVE_RTL
INSTANTIATE_TEST_SUITE_P(Platforms, FirmwareRtlTest, ::testing::Values("rtl"));
#else
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(FirmwareRtlTest);
#endif

}  // namespace
}  // namespace lifchip
