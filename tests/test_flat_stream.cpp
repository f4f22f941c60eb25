// The flat image stream (spec §9.3): CRC-32 check value, encode/decode round trips, and clear
// errors for truncated, extended and corrupted streams (what the host bus load path relies on).
#include <gtest/gtest.h>

#include <random>

#include "lifchip/chip_constants.h"
#include "lifchip/image.h"
#include "support/image_builder.h"

namespace lifchip {
namespace {

using test::FanoutTarget;
using test::ImageBuilder;

pb::ChipImage sample_image() {
  ImageBuilder b(3, 2);
  b.set_learning(true);
  b.config().set_neurons_per_core(64);
  b.profile(0, 0, 100, 200, 1000, -3, true, 7);
  b.profile(0, 0, 4095, 0, 131071, 7);
  b.group(0, 0, 0, -8, true, 3, 15, -128, 127);
  b.group(0, 0, 5, 7, false, 0, 0, -5, 9);
  b.stdp(0, 0, 4095, 1, 255, 7);
  b.lfsr_seed(0, 0, 0xACE1);
  for (int n = 0; n < 5; ++n)
    b.neuron(0, 0, n % 2, n == 0 ? -4096 : 4095 - n, n == 1 ? 8388608 : -n, n == 2 ? -8388607 : n);
  for (int a = 0; a < 4; ++a) {
    b.axon(0, 0);
    for (uint32_t n = 0; n < 5; ++n)
      b.synapse(0, 0, static_cast<uint32_t>(a), n, (a * 37 + static_cast<int>(n)) % 256 - 128, n % 2 ? 5 : 0);
  }
  b.profile(2, 1, 1, 2, 3);
  b.neuron(2, 1, 0);
  b.axon(2, 1);
  b.fanout(0, 0, 0, FanoutTarget{false, 2, 1, 0});
  b.fanout(0, 0, 0, FanoutTarget{true, 0, 0, 4095});
  b.fanout(2, 1, 0, FanoutTarget{false, 0, 0, 3});
  return b.build();
}

TEST(FlatStream, Crc32CheckValue) {
  const char* s = "123456789";
  EXPECT_EQ(crc32_bytes(reinterpret_cast<const uint8_t*>(s), 9), 0xCBF43926u);
  const uint32_t words[2] = {0x4346494Cu, 1u};
  EXPECT_EQ(crc32_words(words, 2), 0xB46D94ECu);  // the bytes "LIFC" 01 00 00 00
}

TEST(FlatStream, HeaderLayout) {
  const pb::ChipImage img = sample_image();
  const std::vector<uint32_t> w = flat_stream(img);
  ASSERT_GE(w.size(), 9u);
  EXPECT_EQ(w[0], static_cast<uint32_t>(spec::IMAGE_MAGIC));
  EXPECT_EQ(w[1], static_cast<uint32_t>(spec::IMAGE_FORMAT_VERSION));
  EXPECT_EQ(w[2], 3u | 2u << 8 | 1u << 16);
  EXPECT_EQ(w[3], 64u);                                                  // neurons_per_core as configured
  EXPECT_EQ(w[4], static_cast<uint32_t>(spec::AXONS_PER_CORE_DEFAULT));  // 0 in the config = default
  EXPECT_EQ(w[8], 2u);                                                   // core records
  EXPECT_EQ(img.checksum(), crc32_words(w.data(), w.size()));
}

TEST(FlatStream, DecodeRoundTrip) {
  const pb::ChipImage img = sample_image();
  const std::vector<uint32_t> w = flat_stream(img);
  const pb::ChipImage back = decode_flat_stream(w.data(), w.size());
  EXPECT_EQ(back.checksum(), img.checksum());
  EXPECT_EQ(flat_stream(back), w);
  validate_sealed_image(back);
  // Fields survive exactly, including signed and extreme values.
  const pb::Core& c = back.cores(0);
  EXPECT_EQ(c.neuron_u(1), 8388608);
  EXPECT_EQ(c.neuron_v(2), -8388607);
  EXPECT_EQ(c.neuron_bias_mant(0), -4096);
  EXPECT_EQ(c.profiles(0).bias_exp(), -3);
  EXPECT_EQ(c.profiles(0).reset_mode(), pb::RESET_SUBTRACT);
  EXPECT_EQ(c.groups(0).weight_exp(), -8);
  EXPECT_EQ(c.groups(5).w_min(), -5);
  EXPECT_EQ(c.lfsr_seed(), 0xACE1u);
  EXPECT_TRUE(back.learning_enabled());
  EXPECT_TRUE(c.fanout_to_host(1));
  EXPECT_EQ(c.fanout_axon(1), 4095u);
}

TEST(FlatStream, TruncatedStreamsNameWhatIsMissing) {
  const std::vector<uint32_t> w = flat_stream(sample_image());
  for (std::size_t n = 0; n < w.size(); ++n) {
    try {
      decode_flat_stream(w.data(), n);
      ADD_FAILURE() << "a stream cut to " << n << " words decoded";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find("flat image stream"), std::string::npos) << e.what();
    }
  }
}

TEST(FlatStream, ExtraWordsAreRejected) {
  std::vector<uint32_t> w = flat_stream(sample_image());
  w.push_back(0);
  EXPECT_THROW(decode_flat_stream(w.data(), w.size()), InputError);
}

// Random single-word corruptions: each either decodes to a valid image or gives an InputError;
// never a crash or an out-of-range image.
TEST(FlatStream, CorruptWordsNeverCrash) {
  const std::vector<uint32_t> good = flat_stream(sample_image());
  std::mt19937_64 rng(7);
  int rejected = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    std::vector<uint32_t> w = good;
    const std::size_t i = rng() % w.size();
    w[i] = trial % 3 == 0 ? static_cast<uint32_t>(rng()) : w[i] ^ (1u << (rng() % 32));
    try {
      const pb::ChipImage img = decode_flat_stream(w.data(), w.size());
      validate_image(img);  // a decoded image is always within range
    } catch (const InputError&) {
      ++rejected;
    }
  }
  EXPECT_GT(rejected, 100);
}

TEST(FlatStream, SealDetectsEdits) {
  pb::ChipImage img = sample_image();
  validate_sealed_image(img);
  img.mutable_cores(0)->set_syn_weight(3, img.cores(0).syn_weight(3) ^ 1);
  try {
    validate_sealed_image(img);
    FAIL() << "an edited image passed the checksum";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("checksum"), std::string::npos) << e.what();
  }
  seal_image(img);
  validate_sealed_image(img);
}

}  // namespace
}  // namespace lifchip
