// The two shared halves of spec §7 in the C++ models: the host-side driver (lifchip/host_driver.h)
// over the chip-side register decode (impl/host_regs.h, here with the functional backend behind it,
// as the firmware's functional platform has it) gives what the functional backend gives directly;
// and the decode's corners are spec §7's (the same as the RTL's, tests/test_rtl_host_if.cpp).
#include <gtest/gtest.h>

#include "lifchip/chip_constants.h"
#include "lifchip/host_driver.h"
#include "platform.h"
#include "support/compare.h"
#include "support/image_builder.h"
#include "support/random_network.h"

namespace lifchip {
namespace {

namespace s = spec;
using test::FanoutTarget;
using test::ImageBuilder;

// The functional platform's registers as a host bus: the decode runs each run to its end at once.
class AdapterBus final : public HostBus {
 public:
  AdapterBus() : platform_(hil::make_platform("functional")) {}
  uint32_t read32(uint32_t addr) override { return hal()->read32(hal()->ctx, addr); }
  void write32(uint32_t addr, uint32_t value) override { hal()->write32(hal()->ctx, addr, value); }
  void advance() override {}
  uint64_t popped_exit_cycle() override { return 0; }

 private:
  const lc_hal_t* hal() const { return platform_->hal(); }
  std::unique_ptr<hil::Platform> platform_;
};

class DrivenFunctional final : public HostDriver {
 public:
  explicit DrivenFunctional(bool batch) : HostDriver(bus_, HostDriverOptions{batch}) {}
  std::string name() const override { return "driven"; }

 protected:
  std::string load_error(uint32_t err) const override { return "load refused: " + std::to_string(err); }

 private:
  AdapterBus bus_;
};

TEST(HostDriver, OverTheSharedDecodeEqualsTheFunctionalBackend) {
  for (bool batch : {false, true}) {
    for (const char* preset : {"small", "plastic", "recurrent", "edge"}) {
      const test::RandomNetOptions opt = test::preset(preset, 7);
      const pb::ChipImage image = test::random_image(opt);
      const std::vector<InputSpike> stim = test::random_stimuli(image, 7, opt.steps, opt.input_rate);
      DrivenFunctional driven(batch);
      std::unique_ptr<Backend> direct = BackendRegistry::create("functional");
      test::CompareOptions o;
      o.step_figures = false;  // the driver's figures are counter deltas; the functional model has none
      const test::Divergence d = test::run_and_compare(driven, *direct, image, stim, opt.steps, o);
      EXPECT_TRUE(d.identical) << preset << (batch ? " (batched)" : "") << ": " << d.where;
    }
  }
}

TEST(HostDriver, RefusesWhatTheChipDoesNotHave) {
  ImageBuilder b(1, 1);
  b.profile(0, 0, 4095, 0, 0);
  b.neuron(0, 0, 0);
  b.axon(0, 0);
  b.synapse(0, 0, 0, 0, 3);
  DrivenFunctional driven(false);
  driven.load(b.build());
  EXPECT_NO_THROW(driven.read_word(0, 0, s::MEM_SYNAPSE, 0));
  EXPECT_THROW(driven.read_word(0, 0, s::MEM_SYNAPSE, 1), InputError);
  EXPECT_THROW(driven.read_word(0, 0, s::MEM_SYNAPSE, 65536), InputError);  // not the window's alias
  EXPECT_THROW(driven.read_word(1, 0, s::MEM_SYNAPSE, 0), InputError);
  EXPECT_THROW(driven.inject({{0, 0, 0, 1}}), InputError);
}

// The decode through the functional platform's HAL, register by register.
class SharedDecode : public ::testing::Test {
 protected:
  uint32_t rd(int64_t addr) { return hal()->read32(hal()->ctx, static_cast<uint32_t>(addr)); }
  void wr(int64_t addr, uint32_t v) { hal()->write32(hal()->ctx, static_cast<uint32_t>(addr), v); }
  uint32_t take_error() {
    const uint32_t e = rd(s::REG_ERROR);
    wr(s::REG_ERROR, e);
    return e;
  }
  static pb::ChipImage small_image() {
    ImageBuilder b(2, 1);
    b.profile(0, 0, 4095, 0, 0);
    b.neuron(0, 0, 0, 0, 11, -22);
    for (int a = 0; a < 3; ++a) b.axon(0, 0);
    b.synapse(0, 0, 0, 0, 5);
    b.fanout(0, 0, 0, FanoutTarget{true, 0, 0, 9});
    b.profile(1, 0, 4095, 0, 0);
    b.neuron(1, 0, 0);
    b.axon(1, 0);
    return b.build();
  }
  void begin_and_stream(const std::vector<uint32_t>& words) {
    wr(s::REG_LOAD_CTRL, 1);
    for (uint32_t w : words) wr(s::REG_LOAD_DATA, w);
  }
  const lc_hal_t* hal() const { return platform_->hal(); }
  std::unique_ptr<hil::Platform> platform_ = hil::make_platform("functional");
};

TEST_F(SharedDecode, BusErrorsAndNotReady) {
  EXPECT_EQ(rd(s::REG_ID), static_cast<uint32_t>(s::REG_ID_VALUE));
  EXPECT_EQ(take_error(), 0u);
  EXPECT_EQ(rd(0x01C), 0u);  // unmapped
  EXPECT_EQ(take_error(), static_cast<uint32_t>(s::ERR_BUS));
  wr(s::REG_ID, 5);  // read-only
  EXPECT_EQ(take_error(), static_cast<uint32_t>(s::ERR_BUS));
  wr(s::REG_RUN_STEPS, 1);
  EXPECT_EQ(take_error(), static_cast<uint32_t>(s::ERR_NOT_READY));
  wr(s::REG_SPIKE_IN, 0);
  EXPECT_EQ(take_error(), static_cast<uint32_t>(s::ERR_NOT_READY));
  wr(s::REG_LOAD_DATA, 0);
  EXPECT_EQ(take_error(), static_cast<uint32_t>(s::ERR_NOT_READY));
  wr(s::REG_CNT_SEL, 1u << s::CNT_SEL_CHIP_BIT | 9);  // no chip counter 9
  EXPECT_EQ(rd(s::REG_CNT_LO), 0u);
  EXPECT_EQ(take_error(), static_cast<uint32_t>(s::ERR_BUS));
}

TEST_F(SharedDecode, LoadStreamCrcAndCommit) {
  const pb::ChipImage img = small_image();
  const std::vector<uint32_t> words = flat_stream(img);
  begin_and_stream(words);
  EXPECT_EQ((rd(s::REG_STATUS) >> 2) & 1u, 1u);  // LOADING
  EXPECT_EQ(rd(s::REG_LOAD_CRC), img.checksum());
  // LOAD_CRC is the CRC of the words written since begin: a soft reset does not restart it (spec §7).
  wr(s::REG_CTRL, 1);
  EXPECT_EQ(rd(s::REG_LOAD_CRC), img.checksum());
  EXPECT_EQ((rd(s::REG_STATUS) >> 2) & 1u, 0u);
  // A wrong LOAD_EXPECT: ERR_CHECKSUM and no image.
  begin_and_stream(words);
  wr(s::REG_LOAD_EXPECT, img.checksum() ^ 1u);
  wr(s::REG_LOAD_CTRL, 2);
  EXPECT_EQ(take_error(), static_cast<uint32_t>(s::ERR_CHECKSUM));
  EXPECT_EQ((rd(s::REG_STATUS) >> 1) & 1u, 0u);
  // An error bit set before a load begins stays until the host clears it (begin clears the chip only).
  rd(0x01C);
  begin_and_stream(words);
  EXPECT_EQ(rd(s::REG_ERROR), static_cast<uint32_t>(s::ERR_BUS));
  wr(s::REG_ERROR, ~0u);
  wr(s::REG_LOAD_EXPECT, img.checksum());
  wr(s::REG_LOAD_CTRL, 2);
  EXPECT_EQ(take_error(), 0u);
  EXPECT_EQ((rd(s::REG_STATUS) >> 1) & 1u, 1u);  // IMAGE_VALID
  // Commit without begin is a bus error.
  wr(s::REG_LOAD_CTRL, 2);
  EXPECT_EQ(take_error(), static_cast<uint32_t>(s::ERR_BUS));
}

TEST_F(SharedDecode, SpikesCountersAndTheMemoryWindow) {
  const pb::ChipImage img = small_image();
  begin_and_stream(flat_stream(img));
  wr(s::REG_LOAD_EXPECT, img.checksum());
  wr(s::REG_LOAD_CTRL, 2);
  ASSERT_EQ(take_error(), 0u);
  wr(s::REG_SPIKE_IN, 3);  // core (0,0) has axons 0..2
  EXPECT_EQ(take_error(), static_cast<uint32_t>(s::ERR_BUS));
  wr(s::REG_SPIKE_IN, 1u << s::PKT_X_LSB | 1);  // core (1,0) has axon 0 only
  EXPECT_EQ(take_error(), static_cast<uint32_t>(s::ERR_BUS));
  wr(s::REG_SPIKE_IN, 0);
  EXPECT_EQ(rd(s::REG_SPIKE_IN_LEVEL), 1u);
  wr(s::REG_RUN_STEPS, 1);
  EXPECT_EQ(take_error(), 0u);
  EXPECT_EQ(rd(s::REG_SPIKE_IN_LEVEL), 0u);
  EXPECT_EQ(rd(s::REG_TIMESTEP), 1u);
  wr(s::REG_CNT_SEL, 0u << 5 | s::CNT_SYN_OPS);
  EXPECT_EQ(rd(s::REG_CNT_LO), 1u);
  EXPECT_EQ(rd(s::REG_CNT_HI), 0u);
  // The window auto-increments: axon words 0, 1, 2 of core (0,0), then past the end a bus error.
  wr(s::REG_MEM_SEL, s::MEM_AXON << 16);
  for (uint32_t a = 0; a < 3; ++a) rd(s::REG_MEM_DATA);
  EXPECT_EQ(take_error(), 0u);
  rd(s::REG_MEM_DATA);
  EXPECT_EQ(take_error(), static_cast<uint32_t>(s::ERR_BUS));
}

}  // namespace
}  // namespace lifchip
