// The SystemC model against the functional model on seeded random networks of every generator
// preset (small, recurrent, plastic, edge, congest, largest): identical output spikes, functional
// counters, step figures and every memory word after every step, and packet conservation. A failure
// prints the preset, the seed and the first divergence. A long campaign outside CI:
//   LIFCHIP_CAMPAIGN_SEEDS=2000 ./build/tests/test_equivalence_systemc
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "lifchip/backend.h"
#include "lifchip/chip_constants.h"
#include "support/compare.h"
#include "support/random_network.h"

namespace lifchip {
namespace {

namespace s = spec;

uint32_t seeds_for(uint32_t ci_default) {
  if (const char* env = std::getenv("LIFCHIP_CAMPAIGN_SEEDS")) return static_cast<uint32_t>(std::atoi(env));
#if defined(__SANITIZE_ADDRESS__)
  return (ci_default + 3) / 4;  // the sanitizer build runs a quarter of the seeds
#else
  return ci_default;
#endif
}

void check_preset(const std::string& name, uint32_t seeds, uint64_t first_seed) {
  std::unique_ptr<Backend> functional = BackendRegistry::create("functional");
  std::unique_ptr<Backend> systemc = BackendRegistry::create("systemc");
  for (uint64_t seed = first_seed; seed < first_seed + seeds; ++seed) {
    const test::RandomNetOptions opt = test::preset(name, seed);
    const pb::ChipImage image = test::random_image(opt);
    const std::vector<InputSpike> stimuli = test::random_stimuli(image, seed, opt.steps, opt.input_rate);
    test::CompareOptions copt;
    // The full chip has ~350,000 memory words: compare them at the end only.
    copt.memories_every_step = name != "largest";
    const test::Divergence d = test::run_and_compare(*functional, *systemc, image, stimuli, opt.steps, copt);
    ASSERT_TRUE(d.identical) << "preset " << name << ", seed " << seed << ": " << d.where;
    // Back-pressure never loses or duplicates a packet.
    const CounterSet c = systemc->counters();
    ASSERT_EQ(c.total(s::CNT_PACKETS_SENT) + c.chip[s::CNT_CHIP_HOST_IN],
              c.total(s::CNT_PACKETS_RECEIVED) + c.chip[s::CNT_CHIP_HOST_OUT])
        << "preset " << name << ", seed " << seed << ": packets not conserved";
  }
}

TEST(EquivalenceSystemC, Small) { check_preset("small", seeds_for(80), 1); }
TEST(EquivalenceSystemC, Recurrent) { check_preset("recurrent", seeds_for(80), 1001); }
TEST(EquivalenceSystemC, Plastic) { check_preset("plastic", seeds_for(80), 2001); }
TEST(EquivalenceSystemC, Edge) { check_preset("edge", seeds_for(60), 3001); }
TEST(EquivalenceSystemC, Congest) { check_preset("congest", seeds_for(60), 4001); }
TEST(EquivalenceSystemC, Readout) { check_preset("readout", seeds_for(40), 6001); }
TEST(EquivalenceSystemC, LargestDefaultChip) { check_preset("largest", seeds_for(2), 5001); }

// The congest preset must actually congest: some fan-out stalls or blocked router cycles.
TEST(EquivalenceSystemC, CongestPresetCongests) {
  std::unique_ptr<Backend> systemc = BackendRegistry::create("systemc");
  uint64_t blocked = 0, stalls = 0;
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    const test::RandomNetOptions opt = test::preset("congest", seed);
    const pb::ChipImage image = test::random_image(opt);
    systemc->load(image);
    systemc->inject(test::random_stimuli(image, seed, opt.steps, opt.input_rate));
    systemc->step(opt.steps);
    const CounterSet c = systemc->counters();
    blocked += c.total(s::CNT_ROUTER_BLOCKED);
    stalls += c.total(s::CNT_FANOUT_STALLS);
  }
  EXPECT_GT(blocked, 0u);
  EXPECT_GT(stalls, 0u);
}

}  // namespace
}  // namespace lifchip
