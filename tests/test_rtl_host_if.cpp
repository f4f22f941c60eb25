// The RTL host interface register by register (docs/spec.md §7, §9.3), driven through the bus like
// firmware: identification, error bits (bus, not ready, checksum, stream and range checks of the
// hardware loader, input FIFO overflow), STATUS, the counter and memory windows, SPIKE_IN checks,
// soft reset and counter clear, and a step run entirely through registers.
#include <gtest/gtest.h>

#include <vector>

#include "lifchip/chip_constants.h"
#include "lifchip/image.h"
#include "rtl_chip.h"
#include "support/image_builder.h"

namespace lifchip {
namespace {

namespace s = spec;
using test::FanoutTarget;
using test::ImageBuilder;

constexpr uint32_t kErrBus = s::ERR_BUS, kErrChecksum = s::ERR_CHECKSUM, kErrRange = s::ERR_IMAGE_RANGE,
                   kErrNotReady = s::ERR_NOT_READY, kErrInOverflow = s::ERR_SPIKE_IN_OVERFLOW;

class RtlHostIf : public ::testing::Test {
 protected:
  rtl::RtlChip chip;

  uint32_t rd(int64_t addr) { return chip.read(static_cast<uint32_t>(addr)); }
  void wr(int64_t addr, uint32_t v) { chip.write(static_cast<uint32_t>(addr), v); }
  // Reads ERROR and clears what it read.
  uint32_t take_error() {
    const uint32_t e = rd(s::REG_ERROR);
    wr(s::REG_ERROR, e);
    return e;
  }
  void load_words(const std::vector<uint32_t>& words, uint32_t checksum) {
    wr(s::REG_LOAD_CTRL, 1);
    for (uint32_t w : words) wr(s::REG_LOAD_DATA, w);
    wr(s::REG_LOAD_EXPECT, checksum);
    wr(s::REG_LOAD_CTRL, 2);
  }
  void load(const pb::ChipImage& img) { load_words(flat_stream(img), img.checksum()); }
  bool image_valid() { return (rd(s::REG_STATUS) >> 1) & 1u; }

  // Two cores in a 2 x 1 mesh: (0,0) with 2 neurons and 3 axons, (1,0) with 1 neuron and 1 axon.
  static pb::ChipImage small_image() {
    ImageBuilder b(2, 1);
    b.profile(0, 0, 4095, 0, 0);
    b.neuron(0, 0, 0, 0, 11, -22);
    b.neuron(0, 0, 0, 0, -33, 44);
    for (int a = 0; a < 3; ++a) b.axon(0, 0);
    b.synapse(0, 0, 0, 0, 5);
    b.synapse(0, 0, 0, 1, -7);
    b.fanout(0, 0, 0, FanoutTarget{false, 1, 0, 0});
    b.profile(1, 0, 4095, 0, 0);
    b.neuron(1, 0, 0);
    b.axon(1, 0);
    b.synapse(1, 0, 0, 0, 1);
    b.fanout(1, 0, 0, FanoutTarget{true, 0, 0, 9});
    return b.build();
  }
};

TEST_F(RtlHostIf, IdentificationAndBusErrors) {
  EXPECT_EQ(rd(s::REG_ID), static_cast<uint32_t>(s::REG_ID_VALUE));
  EXPECT_EQ(rd(s::REG_VERSION), static_cast<uint32_t>(s::SPEC_VERSION | s::IMAGE_FORMAT_VERSION << 16));
  EXPECT_EQ(take_error(), 0u);
  EXPECT_EQ(rd(0x01C), 0u);  // unmapped
  EXPECT_EQ(take_error(), kErrBus);
  wr(s::REG_ID, 5);  // read-only
  EXPECT_EQ(take_error(), kErrBus);
  EXPECT_EQ(rd(s::REG_RUN_STEPS), 0u);  // write-only
  EXPECT_EQ(take_error(), kErrBus);
  EXPECT_EQ(rd(0x0FC), 0u);
  EXPECT_EQ((rd(s::REG_STATUS) >> 5) & 1u, 1u);  // STATUS.ERROR follows ERROR
  EXPECT_EQ(take_error(), kErrBus);
  EXPECT_EQ(rd(s::REG_STATUS), 0u);
}

TEST_F(RtlHostIf, NotReadyWithoutImage) {
  wr(s::REG_RUN_STEPS, 1);
  EXPECT_EQ(take_error(), kErrNotReady);
  wr(s::REG_SPIKE_IN, 0);
  EXPECT_EQ(take_error(), kErrNotReady);
  wr(s::REG_LOAD_DATA, 0);  // no LOAD_CTRL begin
  EXPECT_EQ(take_error(), kErrNotReady);
  wr(s::REG_LOAD_CTRL, 2);  // commit without begin
  EXPECT_EQ(take_error(), kErrBus);
  wr(s::REG_LOAD_CTRL, 3);
  EXPECT_EQ(take_error(), kErrBus);
  wr(s::REG_CNT_SEL, 0);
  EXPECT_EQ(rd(s::REG_CNT_LO), 0u);
  EXPECT_EQ(take_error(), kErrBus);
  EXPECT_EQ(rd(s::REG_SPIKE_OUT), 0u);  // empty: valid bit 0, no error
  EXPECT_EQ(take_error(), 0u);
}

TEST_F(RtlHostIf, LoadChecksumAndStreamChecks) {
  const pb::ChipImage img = small_image();
  const std::vector<uint32_t> words = flat_stream(img);
  wr(s::REG_LOAD_CTRL, 1);
  EXPECT_EQ((rd(s::REG_STATUS) >> 2) & 1u, 1u);  // LOADING
  for (uint32_t w : words) wr(s::REG_LOAD_DATA, w);
  EXPECT_EQ(rd(s::REG_LOAD_CRC), crc32_words(words.data(), words.size()));
  EXPECT_EQ(rd(s::REG_LOAD_CRC), img.checksum());
  wr(s::REG_LOAD_EXPECT, img.checksum() ^ 1u);
  wr(s::REG_LOAD_CTRL, 2);
  EXPECT_EQ(take_error(), kErrChecksum);
  EXPECT_FALSE(image_valid());

  load(img);
  EXPECT_EQ(take_error(), 0u);
  EXPECT_TRUE(image_valid());
  EXPECT_EQ((rd(s::REG_STATUS) >> 2) & 1u, 0u);

  // A stream one word short, one word long, with a bad magic or version: ERR_IMAGE_RANGE.
  std::vector<uint32_t> shorter(words.begin(), words.end() - 1);
  load_words(shorter, crc32_words(shorter.data(), shorter.size()));
  EXPECT_EQ(take_error(), kErrRange);
  EXPECT_FALSE(image_valid());
  std::vector<uint32_t> longer = words;
  longer.push_back(0);
  load_words(longer, crc32_words(longer.data(), longer.size()));
  EXPECT_EQ(take_error(), kErrRange);
  for (std::size_t i : {std::size_t{0}, std::size_t{1}}) {
    std::vector<uint32_t> bad = words;
    bad[i] ^= 0x100u;
    load_words(bad, crc32_words(bad.data(), bad.size()));
    EXPECT_EQ(take_error(), kErrRange) << "header word " << i;
  }
  load(img);
  EXPECT_EQ(take_error(), 0u);
  EXPECT_TRUE(image_valid());
}

// The hardware loader's range checks (docs/rtl.md): a mesh beyond the build, counts beyond the
// image's or the build's capacities, a core outside the mesh or listed twice, LFSR seed 0.
TEST_F(RtlHostIf, LoaderRangeChecks) {
  auto reject = [&](const std::vector<uint32_t>& w, const char* what) {
    load_words(w, crc32_words(w.data(), w.size()));
    EXPECT_EQ(take_error(), kErrRange) << what;
    EXPECT_FALSE(image_valid()) << what;
  };
  const std::vector<uint32_t> base = flat_stream(small_image());
  // Header: 0 magic, 1 version, 2 mesh, 3..7 capacities N A S F P, 8 core count; core record 0
  // from word 9: 9 x|y<<8, 10 P, 11 N, 12 A, 13 S, 14 F, 15 seed.
  std::vector<uint32_t> w = base;
  w[2] = 5 | 1 << 8;  // 5 x 1 mesh: the build is 4 x 4
  reject(w, "mesh width 5");
  w = base;
  w[11] = 3;  // N 3 > ... the stream then misparses; still a range error at commit
  w[3] = 2;   // image capacity N 2 < core N 3
  reject(w, "N above the image's capacity");
  w = base;
  w[9] = 2;  // core x 2 outside the 2 x 1 mesh
  reject(w, "core outside the mesh");
  w = base;
  w[15] = 0;
  reject(w, "lfsr seed 0");
  w = base;
  w[8] = 3;  // 3 records > 2 mesh cores
  reject(w, "more records than cores");
  w = base;
  w[10] = 9;  // P 9 > this build's 8 profiles per core (the image capacity is 8 too)
  reject(w, "profiles above the capacity");
  // The second core record claims the first core's coordinates.
  w = base;
  const std::size_t second = 9 + 9 + 8 + 2 * 1 + 2 * 2 * 2 + 3 + 2 + 1;  // after record 0
  ASSERT_EQ(w[second], 1u);                                              // x 1, y 0
  w[second] = 0;
  reject(w, "core listed twice");
  load(small_image());
  EXPECT_EQ(take_error(), 0u);
}

TEST_F(RtlHostIf, WindowsAndSpikeInChecks) {
  load(small_image());
  ASSERT_EQ(take_error(), 0u);
  // MEM_SEL / MEM_DATA: neuron state words u, v, ref of core 0 with auto-increment.
  wr(s::REG_MEM_SEL, 0 | s::MEM_NEURON_STATE << 16 | 0 << 20);
  EXPECT_EQ(rd(s::REG_MEM_DATA), layout::u_word(11));
  EXPECT_EQ(rd(s::REG_MEM_DATA), layout::v_word(-22));
  EXPECT_EQ(rd(s::REG_MEM_DATA), 0u);
  EXPECT_EQ(rd(s::REG_MEM_DATA), layout::u_word(-33));
  EXPECT_EQ(rd(s::REG_MEM_DATA), layout::v_word(44));
  EXPECT_EQ(take_error(), 0u);
  EXPECT_EQ(rd(s::REG_MEM_DATA), 0u);  // ref of neuron 1
  EXPECT_EQ(rd(s::REG_MEM_DATA), 0u);  // address 6 >= 3 N
  EXPECT_EQ(take_error(), kErrBus);
  wr(s::REG_MEM_SEL, 1 | s::MEM_SYNAPSE << 16 | 0 << 20);
  EXPECT_EQ(rd(s::REG_MEM_DATA), layout::synapse_word(1, -7, 0));
  wr(s::REG_MEM_SEL, 0 | s::MEM_FANOUT << 16 | 1 << 20);  // core index 1 = (1,0)
  EXPECT_EQ(rd(s::REG_MEM_DATA), layout::fanout_word(true, 0, 0, 9));
  // The read-out window (spec v1.1): v of neuron n at address n, through its own decode.
  wr(s::REG_MEM_SEL, 0 | s::MEM_VOLTAGE << 16 | 0 << 20);
  EXPECT_EQ(rd(s::REG_MEM_DATA), layout::v_word(-22));
  EXPECT_EQ(rd(s::REG_MEM_DATA), layout::v_word(44));
  EXPECT_EQ(take_error(), 0u);
  EXPECT_EQ(rd(s::REG_MEM_DATA), 0u);  // address 2 >= N
  EXPECT_EQ(take_error(), kErrBus);
  wr(s::REG_MEM_SEL, 0 | (s::MEM_VOLTAGE + 1) << 16);  // no memory 10
  EXPECT_EQ(rd(s::REG_MEM_DATA), 0u);
  EXPECT_EQ(take_error(), kErrBus);
  wr(s::REG_MEM_SEL, 0 | s::MEM_GROUP << 16 | 2 << 20);  // core index 2 outside the 2 x 1 mesh
  EXPECT_EQ(rd(s::REG_MEM_DATA), 0u);
  EXPECT_EQ(take_error(), kErrBus);
  wr(s::REG_MEM_SEL, (s::AXONS_PER_CORE_MAX + 1) | s::MEM_TRACE << 16);  // post-trace of neuron 1
  EXPECT_EQ(rd(s::REG_MEM_DATA), 0u);
  EXPECT_EQ(take_error(), 0u);

  // SPIKE_IN: a core outside the mesh, an axon the core lacks and the host bit are bus errors.
  wr(s::REG_SPIKE_IN, 0 | 2 << s::PKT_X_LSB);
  EXPECT_EQ(take_error(), kErrBus);
  wr(s::REG_SPIKE_IN, 1 | 1 << s::PKT_X_LSB);  // core (1,0) has one axon
  EXPECT_EQ(take_error(), kErrBus);
  wr(s::REG_SPIKE_IN, 1u << s::PKT_HOST_BIT);
  EXPECT_EQ(take_error(), kErrBus);
  EXPECT_EQ(rd(s::REG_SPIKE_IN_LEVEL), 0u);
  wr(s::REG_SPIKE_IN, 2);
  wr(s::REG_SPIKE_IN, 0 | 1 << s::PKT_X_LSB);
  EXPECT_EQ(take_error(), 0u);
  EXPECT_EQ(rd(s::REG_SPIKE_IN_LEVEL), 2u);

  // Counter window: chip slots 0..7 exist, 8 does not; core index 2 does not.
  wr(s::REG_CNT_SEL, 1u << s::CNT_SEL_CHIP_BIT | 8);
  EXPECT_EQ(rd(s::REG_CNT_LO), 0u);
  EXPECT_EQ(take_error(), kErrBus);
  wr(s::REG_CNT_SEL, 2u << 5);
  EXPECT_EQ(rd(s::REG_CNT_LO), 0u);
  EXPECT_EQ(take_error(), kErrBus);
  wr(s::REG_CNT_SEL, 31);
  EXPECT_EQ(rd(s::REG_CNT_LO), 0u);
  EXPECT_EQ(take_error(), 0u);
}

// Two steps through registers only: the input packet goes east through (0,0)'s neuron to (1,0),
// whose neuron answers the host on channel 9 in step 1 (spec §10.6's first example, here with a
// third axon and a second neuron on (0,0)).
TEST_F(RtlHostIf, RunStepsThroughRegisters) {
  load(small_image());
  ASSERT_EQ(take_error(), 0u);
  wr(s::REG_SPIKE_IN, 0);  // core (0,0) axon 0
  wr(s::REG_RUN_STEPS, 2);
  EXPECT_EQ(rd(s::REG_STATUS) & 1u, 1u);  // BUSY
  wr(s::REG_SPIKE_IN, 0);                 // not while busy
  wr(s::REG_RUN_STEPS, 1);
  EXPECT_EQ(take_error(), kErrNotReady);
  while (rd(s::REG_STATUS) & 1u) {
  }
  EXPECT_EQ(rd(s::REG_TIMESTEP), 2u);
  EXPECT_EQ(rd(s::REG_SPIKE_OUT_LEVEL), 1u);
  EXPECT_EQ((rd(s::REG_STATUS) >> 4) & 1u, 1u);  // SPIKE_OUT_NONEMPTY
  const uint32_t w = rd(s::REG_SPIKE_OUT);
  EXPECT_EQ(w, 9u | 1u << 12 | 1u << 31);  // channel 9, step 1, valid
  EXPECT_GT(chip.spike_out_cycle(), 0u);
  EXPECT_EQ(rd(s::REG_SPIKE_OUT), 0u);
  // Chip counters: TIMESTEPS 2, HOST_IN 1, HOST_OUT 1; CNT_HI latched by the CNT_LO read.
  wr(s::REG_CNT_SEL, 1u << s::CNT_SEL_CHIP_BIT | s::CNT_CHIP_TIMESTEPS);
  EXPECT_EQ(rd(s::REG_CNT_LO), 2u);
  EXPECT_EQ(rd(s::REG_CNT_HI), 0u);
  wr(s::REG_CNT_SEL, 1u << s::CNT_SEL_CHIP_BIT | s::CNT_CHIP_HOST_IN);
  EXPECT_EQ(rd(s::REG_CNT_LO), 1u);
  wr(s::REG_CNT_SEL, 1u << s::CNT_SEL_CHIP_BIT | s::CNT_CHIP_HOST_OUT);
  EXPECT_EQ(rd(s::REG_CNT_LO), 1u);
  wr(s::REG_CNT_SEL, 0u << 5 | s::CNT_SYN_OPS);  // core (0,0): axon 0 has 2 entries
  EXPECT_EQ(rd(s::REG_CNT_LO), 2u);
  // COUNTER_CLEAR keeps LEARN_EN and the image.
  wr(s::REG_CTRL, 2u | 4u);
  EXPECT_EQ(rd(s::REG_CNT_LO), 0u);
  EXPECT_EQ(rd(s::REG_CTRL), 2u);
  EXPECT_TRUE(image_valid());
  // SOFT_RESET clears the image, the errors and the FIFOs.
  wr(s::REG_CNT_SEL, 1u << s::CNT_SEL_CHIP_BIT | 9);
  EXPECT_EQ(rd(s::REG_CNT_LO), 0u);  // ERR_BUS
  wr(s::REG_CTRL, 1u);
  EXPECT_EQ(rd(s::REG_ERROR), 0u);
  EXPECT_FALSE(image_valid());
  EXPECT_EQ(rd(s::REG_CTRL), 0u);
  EXPECT_EQ(rd(s::REG_TIMESTEP), 0u);
}

TEST_F(RtlHostIf, SpikeInOverflow) {
  load(small_image());
  ASSERT_EQ(take_error(), 0u);
  for (int i = 0; i < s::HOST_SPIKE_FIFO_DEPTH; ++i) wr(s::REG_SPIKE_IN, 0);
  EXPECT_EQ(take_error(), 0u);
  EXPECT_EQ((rd(s::REG_STATUS) >> 3) & 1u, 1u);  // SPIKE_IN_FULL
  wr(s::REG_SPIKE_IN, 0);
  EXPECT_EQ(take_error(), kErrInOverflow);
  EXPECT_EQ(rd(s::REG_SPIKE_IN_LEVEL), static_cast<uint32_t>(s::HOST_SPIKE_FIFO_DEPTH));
  // The 4,096 packets all reach axon 0 of (0,0) in step 0: one delivery, 4,095 collisions.
  wr(s::REG_RUN_STEPS, 1);
  while (rd(s::REG_STATUS) & 1u) {
  }
  wr(s::REG_CNT_SEL, s::CNT_AXON_COLLISIONS);
  EXPECT_EQ(rd(s::REG_CNT_LO), static_cast<uint32_t>(s::HOST_SPIKE_FIFO_DEPTH - 1));
  wr(s::REG_CNT_SEL, 1u << s::CNT_SEL_CHIP_BIT | s::CNT_CHIP_INJECT_CYCLES);
  // One packet per cycle from cycle 0, each ejected one cycle later: T_inj = 4096 + 1.
  EXPECT_EQ(rd(s::REG_CNT_LO), static_cast<uint32_t>(s::HOST_SPIKE_FIFO_DEPTH + 1));
}

}  // namespace
}  // namespace lifchip
