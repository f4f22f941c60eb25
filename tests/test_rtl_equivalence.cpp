// The Verilated RTL against the SystemC model on seeded random networks of every generator preset
// (small, recurrent, plastic, edge, congest, largest, readout, and mesh: recurrent over meshes up to
// the build's), compared after every step: output spikes
// with their exit cycles, every counter 0..31 of every core and every chip counter slot, the step
// figures with their cycles, and every memory word. A failure prints the preset, the seed and the
// first divergence. Presets are clipped to what the RTL build holds (rtl::rtl_build(): by default a
// 4 x 4 mesh and the default per-core capacities); a drawn image that still does not fit is skipped. A long
// campaign outside CI:
//   LIFCHIP_RTL_CAMPAIGN_SEEDS=500 ./build/tests/test_rtl_equivalence   (or tools/campaign_equivalence.sh)
// One seed: LIFCHIP_RTL_CAMPAIGN_SEED_BASE=2007 LIFCHIP_RTL_CAMPAIGN_SEEDS=1 ... --gtest_filter='*Plastic'
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "lifchip/backend.h"
#include "lifchip/chip_constants.h"
#include "rtl_chip.h"
#include "support/compare.h"
#include "support/random_network.h"

namespace lifchip {
namespace {

namespace s = spec;

// A non-negative integer from the environment, or `fallback` when unset; anything else is an error.
uint64_t env_u64(const char* name, uint64_t fallback) {
  const char* env = std::getenv(name);
  if (!env || !*env) return fallback;
  char* end = nullptr;
  const unsigned long long v = std::strtoull(env, &end, 10);
  if (*end != 0 || *env == '-')
    throw std::invalid_argument(std::string(name) + ": '" + env + "' is not a number");
  return v;
}

uint32_t seeds_for(uint32_t ci_default) {
  if (std::getenv("LIFCHIP_RTL_CAMPAIGN_SEEDS"))
    return static_cast<uint32_t>(env_u64("LIFCHIP_RTL_CAMPAIGN_SEEDS", ci_default));
#if defined(__SANITIZE_ADDRESS__)
  return (ci_default + 2) / 3;  // the sanitizer build runs a third of the seeds
#else
  return ci_default;
#endif
}

// LIFCHIP_RTL_CAMPAIGN_SEED_BASE replaces every preset's first seed (to rerun one failing seed).
uint64_t first_seed_for(uint64_t ci_first) { return env_u64("LIFCHIP_RTL_CAMPAIGN_SEED_BASE", ci_first); }

// The preset within the RTL build (rtl::rtl_build(): by default a 4 x 4 mesh and 8 profiles per
// core; the LIFCHIP_RTL_* options of docs/rtl.md make it larger). "largest" fills the build's
// whole mesh, "mesh" draws meshes up to it.
test::RandomNetOptions rtl_preset(const std::string& name, uint64_t seed) {
  const Capacities& build = rtl::rtl_build();
  test::RandomNetOptions o = test::preset(name == "mesh" ? "recurrent" : name, seed);
  o.wide_mesh = 0;
  if (name == "largest") {
    o.width_min = o.width_max = build.mesh_width;
    o.height_min = o.height_max = build.mesh_height;
  }
  if (name == "mesh") {
    o.width_max = build.mesh_width;
    o.height_max = build.mesh_height;
    o.core_presence = 0.6;
  }
  o.width_max = std::min<uint32_t>(o.width_max, build.mesh_width);
  o.height_max = std::min<uint32_t>(o.height_max, build.mesh_height);
  o.width_min = std::min(o.width_min, o.width_max);
  o.height_min = std::min(o.height_min, o.height_max);
  o.profiles_max = std::min<uint32_t>(o.profiles_max, build.profiles);
  o.profiles_min = std::min(o.profiles_min, o.profiles_max);
  // The edge preset's accumulator-wrap core needs 65,535 synapse entries (4x this build's memory);
  // default capacities leave it out. tests/test_rtl_datapath.cpp wraps the accumulator within 16,384.
  if (name == "edge") o.default_capacities = true;
  return o;
}

bool fits_rtl(const pb::ChipImage& image) { return rtl::exceeds_build(image).empty(); }

void check_preset(const std::string& name, uint32_t seeds, uint64_t ci_first_seed) {
  const uint64_t first_seed = first_seed_for(ci_first_seed);
  std::unique_ptr<Backend> rtl = BackendRegistry::create("rtl");
  std::unique_ptr<Backend> systemc = BackendRegistry::create("systemc");
  uint32_t ran = 0;
  for (uint64_t seed = first_seed; seed < first_seed + seeds; ++seed) {
    const test::RandomNetOptions opt = rtl_preset(name, seed);
    const pb::ChipImage image = test::random_image(opt);
    if (!fits_rtl(image)) continue;
    ++ran;
    const std::vector<InputSpike> stimuli = test::random_stimuli(image, seed, opt.steps, opt.input_rate);
    test::CompareOptions copt;
    copt.timing = true;
    // The full chip has ~350,000 memory words: compare them at the end only.
    copt.memories_every_step = name != "largest";
    const test::Divergence d = test::run_and_compare(*rtl, *systemc, image, stimuli, opt.steps, copt);
    const std::string again = "\n  rerun: LIFCHIP_RTL_CAMPAIGN_SEED_BASE=" + std::to_string(seed) +
                              " LIFCHIP_RTL_CAMPAIGN_SEEDS=1 test_rtl_equivalence --gtest_filter='*" +
                              ::testing::UnitTest::GetInstance()->current_test_info()->name() + "'";
    ASSERT_TRUE(d.identical) << "preset " << name << ", seed " << seed << ": " << d.where << again;
    ASSERT_TRUE(d.where.empty()) << "preset " << name << ", seed " << seed << ": " << d.where << again;
  }
  // Clipping must leave most seeds runnable, or the preset no longer tests anything.
  EXPECT_GE(ran * 4, seeds * 3) << "preset " << name << ": only " << ran << " of " << seeds << " images fit";
}

TEST(RtlEquivalence, Small) { check_preset("small", seeds_for(12), 1); }
TEST(RtlEquivalence, Recurrent) { check_preset("recurrent", seeds_for(6), 1001); }
TEST(RtlEquivalence, Plastic) { check_preset("plastic", seeds_for(10), 2001); }
TEST(RtlEquivalence, Edge) { check_preset("edge", seeds_for(10), 3001); }
TEST(RtlEquivalence, Congest) { check_preset("congest", seeds_for(6), 4001); }
TEST(RtlEquivalence, Readout) { check_preset("readout", seeds_for(8), 6001); }
TEST(RtlEquivalence, LargestDefaultChip) { check_preset("largest", seeds_for(1), 5001); }
TEST(RtlEquivalence, MeshUpToTheBuild) { check_preset("mesh", seeds_for(4), 7001); }

// One column beyond the build's mesh is refused before loading, with the build's numbers.
TEST(RtlEquivalence, AnImageBeyondTheBuildIsRefused) {
  const Capacities& build = rtl::rtl_build();
  if (build.mesh_width >= s::MESH_DIM_MAX) GTEST_SKIP() << "the build has the largest mesh";
  test::RandomNetOptions o = test::preset("small", 1);
  o.width_min = o.width_max = build.mesh_width + 1;
  o.core_presence = 1.0;
  const pb::ChipImage image = test::random_image(o);
  std::unique_ptr<Backend> rtl = BackendRegistry::create("rtl");
  try {
    rtl->load(image);
    ADD_FAILURE() << "a " << build.mesh_width + 1 << "-wide image loaded";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("mesh width " + std::to_string(build.mesh_width + 1) + " > " +
                                         std::to_string(build.mesh_width)),
              std::string::npos)
        << e.what();
  }
}

// The congest preset congests on the RTL too: fan-out stalls and blocked router cycles.
TEST(RtlEquivalence, CongestPresetCongests) {
  std::unique_ptr<Backend> rtl = BackendRegistry::create("rtl");
  uint64_t blocked = 0, stalls = 0;
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    const test::RandomNetOptions opt = rtl_preset("congest", seed);
    const pb::ChipImage image = test::random_image(opt);
    rtl->load(image);
    rtl->inject(test::random_stimuli(image, seed, opt.steps, opt.input_rate));
    rtl->step(opt.steps);
    const CounterSet c = rtl->counters();
    blocked += c.total(s::CNT_ROUTER_BLOCKED);
    stalls += c.total(s::CNT_FANOUT_STALLS);
  }
  EXPECT_GT(blocked, 0u);
  EXPECT_GT(stalls, 0u);
}

}  // namespace
}  // namespace lifchip
