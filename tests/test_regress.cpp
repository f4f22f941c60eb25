// The regression runner: the bundled suite, golden record/check round trips, JUnit, suite and fault
// parsing errors, and the mutation campaign: seeded faults injected into the functional and SystemC
// models must each be reported as a divergence at the place the fault acted (step, core, neuron or
// synapse, variable), and fault-free runs must pass. LIFCHIP_MUTATION_SEEDS=N runs a larger campaign.
#include <gtest/gtest.h>

#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>

#include "lifchip/flow/regress.h"
#include "platform.h"
#include "suite.h"
#include "support/random_network.h"
#include "trace.h"

namespace lifchip {
namespace {

namespace fs = std::filesystem;
using lifchip::Fault;

std::string source_dir() { return LIFCHIP_SOURCE_DIR; }

fs::path temp_dir(const std::string& name) {
  const fs::path d = fs::path(LIFCHIP_BINARY_DIR) / "test_regress_tmp" / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

void write_file(const fs::path& p, const std::string& text) {
  std::ofstream out(p);
  out << text;
}

TEST(RegressTest, BundledSuitePasses) {
  const hil::Suite suite = hil::read_suite(source_dir() + "/tests/regress/suite.json");
  const auto results = hil::run_suite(suite, {});
  ASSERT_EQ(results.size(), suite.cases.size());
  for (const auto& r : results) EXPECT_TRUE(r.passed) << r.name << ": " << r.message;
}

TEST(RegressTest, RecordCheckAndReportADivergence) {
  const fs::path dir = temp_dir("roundtrip");
  test::RandomNetOptions opt = test::preset("plastic", 11);
  const pb::ChipImage image = test::random_image(opt);
  write_message_file((dir / "net.txtpb").string(), image);
  write_file(dir / "suite.json", R"({"suite": "rt", "backends": ["systemc", "functional"], "cases": [
      {"name": "a", "image": "net.txtpb", "steps": 10, "learning": true, "check": "both", "golden": "g/a.json"}]})");
  const hil::Suite suite = hil::read_suite((dir / "suite.json").string());
  hil::SuiteOptions rec;
  rec.record = true;
  ASSERT_TRUE(hil::run_suite(suite, rec).at(0).passed);
  ASSERT_TRUE(fs::exists(dir / "g" / "a.json"));
  auto ok = hil::run_suite(suite, {});
  EXPECT_TRUE(ok.at(0).passed) << ok.at(0).message;

  // A fault from the command line: the case fails, naming the step, core, neuron and variable.
  const pb::Core* core = &image.cores(0);
  hil::SuiteOptions faulty;
  faulty.extra_faults.push_back(
      hil::parse_fault("flip-u@4:" + std::to_string(core->x()) + "," + std::to_string(core->y()) + ":0:3"));
  const auto bad = hil::run_suite(suite, faulty);
  EXPECT_FALSE(bad.at(0).passed);
  const std::string where = "step 4, core (" + std::to_string(core->x()) + "," + std::to_string(core->y()) +
                            "), neuron 0, variable u, phase UPDATE";
  EXPECT_NE(bad.at(0).message.find(where), std::string::npos) << bad.at(0).message;
  const std::string xml = flow::junit_xml("rt", bad);
  EXPECT_NE(xml.find("tests=\"1\" failures=\"1\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("<failure message=\"step 4"), std::string::npos) << xml;

  // A corrupt golden file is an input error naming it.
  write_file(dir / "g" / "a.json", "{\"format\": \"lifchip-golden-1\", \"platform\": 3}");
  try {
    hil::run_suite(suite, {});
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("a.json: platform: must be a string"), std::string::npos) << e.what();
  }
}

TEST(RegressTest, SuiteErrorsNameTheFileCaseAndField) {
  const fs::path dir = temp_dir("errors");
  const std::pair<std::string, std::string> cases[] = {
      {"not json", "not valid JSON"},
      {"[]", "the top level must be an object"},
      {R"({"cases": []})", "cases: a non-empty array is required"},
      {R"({"cases": [{"name": "a"}]})", "case \"a\": image is required"},
      {R"({"cases": [{"name": "a", "image": "x", "check": "maybe"}]})",
       "check \"maybe\" is not golden, agree or both"},
      {R"({"cases": [{"name": "a", "image": "x", "check": "golden"}]})", "needs a golden file"},
      {R"({"cases": [{"name": "a", "image": "x", "colour": 1}]})", "case 0: unknown field \"colour\""},
      {R"({"cases": [{"name": "a", "image": "x"}, {"name": "a", "image": "y"}]})", "name used twice"},
      {R"({"cases": [{"name": "a", "image": "x", "steps": -1}]})", "steps -1 not in 0"},
      {R"({"cases": [{"name": "a", "image": "x", "faults": ["melt@1:0,0:0"]}]})", "fault 'melt@1:0,0:0'"},
      {R"({"cases": [{"name": "a", "image": "x", "expect": "fault-detected"}]})", "needs faults"},
      {R"({"cases": [{"name": "a", "image": "x", "expect_status": "fine"}]})", "is not a firmware status"},
      {R"({"cases": [{"name": 5, "image": "x"}]})", "case 0: name: must be a string"},
      {R"({"cases": [{"name": "a", "image": "x", "steps": 2.5}]})", "case \"a\": steps: 2.5 is not an integer"},
      {R"({"cases": [{"name": "a", "image": "x", "learning": 1}]})", "case \"a\": learning: must be true or false"},
  };
  for (const auto& [text, expected] : cases) {
    write_file(dir / "s.json", text);
    try {
      hil::read_suite((dir / "s.json").string());
      ADD_FAILURE() << "accepted: " << text;
    } catch (const InputError& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find((dir / "s.json").string()), std::string::npos) << msg;
      EXPECT_NE(msg.find(expected), std::string::npos) << text << " -> " << msg;
    }
  }
  // A missing image is reported when the case runs, naming the image file.
  write_file(dir / "s.json", R"({"cases": [{"name": "a", "image": "missing.txtpb"}]})");
  EXPECT_THROW(hil::run_suite(hil::read_suite((dir / "s.json").string()), {}), InputError);
}

TEST(RegressTest, FaultSyntaxAndArmingErrors) {
  const Fault f = hil::parse_fault("flip-w@7:1,2:300:5");
  EXPECT_EQ(f.kind, Fault::Kind::kFlipWeight);
  EXPECT_EQ(f.step, 7u);
  EXPECT_EQ(f.x, 1u);
  EXPECT_EQ(f.y, 2u);
  EXPECT_EQ(f.index, 300u);
  EXPECT_EQ(f.bit, 5u);
  EXPECT_EQ(hil::fault_str(f), "flip-w@7:1,2:300:5");
  EXPECT_EQ(hil::fault_str(hil::parse_fault("dup@0:0,0:3")), "dup@0:0,0:3");
  for (const char* bad : {"flip-u@1:0,0:3", "drop@1:0,0:3:4", "stuck-fire@x:0,0:1", "flip-v@-1:0,0:1:1",
                          "stuck-fire@1:16,0:1", "nothing"})
    EXPECT_THROW(hil::parse_fault(bad), InputError) << bad;

  const pb::ChipImage image = test::random_image(test::preset("small", 2));
  const pb::Core& c = image.cores(0);
  for (const std::string name : {"functional", "systemc"}) {
    std::unique_ptr<Backend> b = BackendRegistry::create(name);
    b->load(image);
    Fault g;
    g.kind = Fault::Kind::kStuckFire;
    g.x = c.x();
    g.y = c.y();
    g.index = static_cast<uint32_t>(c.neuron_profile_size());
    try {
      b->inject_fault(g);
      ADD_FAILURE() << name << ": accepted neuron N";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(">= N"), std::string::npos) << e.what();
    }
    g.kind = Fault::Kind::kFlipU;
    g.index = 0;
    g.bit = 24;
    EXPECT_THROW(b->inject_fault(g), InputError) << name << ": u bit 24";
  }
}

// A backend without fault injection keeps the interface's default.
TEST(RegressTest, DefaultBackendRejectsFaults) {
  struct Plain : Backend {
    std::string name() const override { return "plain"; }
    void load(const pb::ChipImage&) override {}
    void set_learning(bool) override {}
    void inject(const std::vector<InputSpike>&) override {}
    void step(uint32_t) override {}
    std::vector<OutputSpike> drain() override { return {}; }
    CounterSet counters() const override { return {}; }
    void clear_counters() override {}
    uint32_t timestep() const override { return 0; }
    uint32_t read_word(uint32_t, uint32_t, uint32_t, uint32_t) const override { return 0; }
    std::vector<StepFigure> take_step_figures() override { return {}; }
  } plain;
  try {
    plain.inject_fault(Fault{});
    FAIL();
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "backend plain does not support fault injection");
  }
  EXPECT_TRUE(plain.fault_events().empty());
}

// ---------------------------------------------------------------- mutation campaign

struct Tally {
  int injected = 0, activated = 0, detected = 0, localised = 0, latent_clean = 0;
  std::map<std::string, std::array<int, 3>> by_kind;  // kind -> (injected, activated, localised)
};

// A random fault on something the image has; none when its cores have no neurons, synapses or fan-out.
std::optional<Fault> random_fault(test::Rng& rng, const pb::ChipImage& image, uint32_t steps) {
  for (int attempt = 0; attempt < 1000; ++attempt) {
    const pb::Core& c = image.cores(static_cast<int>(rng.index(static_cast<uint32_t>(image.cores_size()))));
    Fault f;
    f.kind = static_cast<Fault::Kind>(rng.index(7));
    f.x = c.x();
    f.y = c.y();
    f.step = rng.index(steps / 2 + 1);
    uint32_t count = 0;
    switch (f.kind) {
      case Fault::Kind::kFlipU:
      case Fault::Kind::kFlipV:
        f.bit = rng.index(24);
        count = static_cast<uint32_t>(c.neuron_profile_size());
        break;
      case Fault::Kind::kStuckFire:
      case Fault::Kind::kStuckSilent:
        count = static_cast<uint32_t>(c.neuron_profile_size());
        break;
      case Fault::Kind::kFlipWeight:
        f.bit = rng.index(8);
        count = static_cast<uint32_t>(c.syn_neuron_size());
        break;
      case Fault::Kind::kDropPacket:
      case Fault::Kind::kDuplicatePacket:
        count = static_cast<uint32_t>(c.fanout_axon_size());
        break;
    }
    if (count == 0) continue;
    f.index = rng.index(count);
    return f;
  }
  return std::nullopt;
}

TEST(RegressTest, MutationCampaignDetectsAndLocalisesEveryFault) {
  const char* env = std::getenv("LIFCHIP_MUTATION_SEEDS");
  const int seeds = env ? std::atoi(env) : 3;
  const char* first_env = std::getenv("LIFCHIP_MUTATION_FIRST_SEED");
  const int first_seed = first_env ? std::atoi(first_env) : 1;
  const int faults_per_image = 10;
  const std::vector<std::string> presets = {"small", "recurrent", "plastic", "congest"};
  Tally tally;
  std::vector<std::string> misses;
  for (int seed = first_seed; seed < first_seed + seeds; ++seed) {
    for (const std::string& preset : presets) {
      test::RandomNetOptions opt = test::preset(preset, static_cast<uint64_t>(seed) * 7919 + 1);
      const pb::ChipImage image = test::random_image(opt);
      if (std::getenv("LIFCHIP_MUTATION_VERBOSE"))
        std::fprintf(stderr, "%s seed %d: golden\n", preset.c_str(), seed);
      hil::RunSpec spec;
      spec.steps = std::min<uint32_t>(opt.steps, 12);
      spec.stimuli = test::random_stimuli(image, static_cast<uint64_t>(seed), spec.steps, opt.input_rate);
      hil::RunTrace golden;
      {
        auto p = hil::make_platform("functional");
        golden = hil::run_firmware(*p, image, spec);
      }
      ASSERT_EQ(golden.status, LC_OK);
      {  // The fault-free run on the other model passes.
        auto p = hil::make_platform("systemc");
        const hil::Divergence d = hil::compare_traces(golden, hil::run_firmware(*p, image, spec), image);
        ASSERT_TRUE(d.identical) << preset << " seed " << seed << ": fault-free run diverges: " << d.text;
      }
      test::Rng rng(static_cast<uint64_t>(seed) * 1000003 + preset.size());
      for (int k = 0; k < faults_per_image; ++k) {
        hil::RunSpec fs = spec;
        const std::optional<Fault> drawn = random_fault(rng, image, spec.steps);
        if (!drawn) break;
        const Fault f = *drawn;
        fs.faults = {f};
        const std::string platform = k % 2 ? "systemc" : "functional";
        auto p = hil::make_platform(platform);
        const hil::RunTrace t = hil::run_firmware(*p, image, fs);
        const hil::Divergence d = hil::compare_traces(golden, t, image);
        const std::string label =
            preset + " seed " + std::to_string(seed) + " " + platform + " " + hil::fault_str(f);
        ++tally.injected;
        auto& kind = tally.by_kind[hil::fault_str(f).substr(0, hil::fault_str(f).find('@'))];
        ++kind[0];
        if (t.fault_events.empty()) {  // never acted (e.g. stuck-silent on a neuron that never fires)
          if (d.identical) {
            ++tally.latent_clean;
          } else {
            misses.push_back(label + ": a fault that never acted, yet " + d.text);
          }
          continue;
        }
        ++tally.activated;
        ++kind[1];
        if (!d.identical) ++tally.detected;
        if (hil::localised(d, t.fault_events.front())) {
          ++tally.localised;
          ++kind[2];
        } else {
          const FaultEvent& e = t.fault_events.front();
          misses.push_back(label + ": acted step " + std::to_string(e.step) + " core (" +
                           std::to_string(e.x) + "," + std::to_string(e.y) + ") index " +
                           std::to_string(e.index) + " " + e.variable +
                           "; reported: " + (d.identical ? "nothing" : d.text));
        }
      }
    }
  }
  std::printf("mutation campaign: %d faults injected, %d acted, %d latent (never acted, run passed)\n",
              tally.injected, tally.activated, tally.latent_clean);
  std::printf("  detected %d / %d (%.1f %%), localised %d / %d (%.1f %%)\n", tally.detected, tally.activated,
              100.0 * tally.detected / std::max(1, tally.activated), tally.localised, tally.activated,
              100.0 * tally.localised / std::max(1, tally.activated));
  for (const auto& [kind, n] : tally.by_kind)
    std::printf("  %-13s injected %3d, acted %3d, localised %3d\n", kind.c_str(), n[0], n[1], n[2]);
  for (const std::string& m : misses) ADD_FAILURE() << m;
  EXPECT_EQ(tally.detected, tally.activated);
  EXPECT_EQ(tally.localised, tally.activated);
  EXPECT_GT(tally.activated, tally.injected / 2) << "the campaign should mostly inject faults that act";
}

}  // namespace
}  // namespace lifchip
