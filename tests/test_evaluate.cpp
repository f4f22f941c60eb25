// `lifchip evaluate` and the flow layer under it: sample readers (raster, argwhere, encoded), N-d
// NPY files, chip-vs-float agreement per output port, and the command's output and bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <string>

#include <nlohmann/json.hpp>

#include "lifchip/flow/data.h"
#include "lifchip/flow/evaluate.h"
#include "lifchip/mapper/ir.h"
#include "lifchip/mapper/synthetic.h"
#include "support/cli_run.h"

namespace lifchip::flow {
namespace {

const std::string kBinary = std::string(LIFCHIP_BINARY_DIR) + "/tools/lifchip";

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

mapper::Network network() {
  mapper::SyntheticOptions so;
  so.seed = 21;
  return mapper::synthetic_layered({20, 64, 10}, 20, so);
}

// A raster [samples, 50 steps, 20 inputs] of the synthetic stimuli.
NdArray raster(uint32_t samples) {
  NdArray a{{samples, 50, 20}, std::vector<double>(std::size_t{samples} * 50 * 20, 0.0)};
  for (uint32_t s = 0; s < samples; ++s)
    for (const mapper::SpikeEvent& e : mapper::synthetic_stimulus(20, 50, 0.3, 100 + s).spikes)
      a.values[(std::size_t{s} * 50 + e.step) * 20 + e.index] = 1;
  return a;
}

TEST(NpyArray, ThreeDimensionsInCAndFortranOrder) {
  NdArray a{{2, 3, 4}, {}};
  for (int i = 0; i < 24; ++i) a.values.push_back(i);
  const NdArray back = parse_npy_array(write_npy(a), "a.npy");
  EXPECT_EQ(back.shape, a.shape);
  EXPECT_EQ(back.values, a.values);
  // The same array stored in Fortran order: element [i, j, k] at i + 2 j + 6 k.
  std::string f = write_npy(a);
  const auto at = f.find("False");
  f.replace(at, 5, "True ");
  const std::size_t data = f.size() - 24 * 8;
  for (std::size_t i = 0; i < 2; ++i)
    for (std::size_t j = 0; j < 3; ++j)
      for (std::size_t k = 0; k < 4; ++k) {
        const double v = a.values[(i * 3 + j) * 4 + k];
        std::memcpy(&f[data + 8 * (i + 2 * j + 6 * k)], &v, 8);
      }
  EXPECT_EQ(parse_npy_array(f, "f.npy").values, a.values);
  // 2-D readers keep refusing it, by name.
  EXPECT_NE(error_of([&] { parse_npy(write_npy(a), "a.npy"); }).find("a.npy: NPY array has 3 dimensions"),
            std::string::npos);
}

// Seeded mutations of a valid 3-D raster file: each parse succeeds or throws one InputError naming
// the file; what parses either is a valid raster or is refused as one by name.
TEST(NpyArray, FuzzedRastersNeverCrash) {
  const std::string valid = write_npy(raster(2));
  std::mt19937 rng(20261206);
  int parsed = 0, rejected = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string b = valid;
    for (int k = 0, edits = 1 + static_cast<int>(rng() % 3); k < edits; ++k) {
      const std::size_t at = rng() % std::min<std::size_t>(b.size(), 140);  // mostly the header
      if (rng() % 2)
        b[at] = "0123456789(),'{} :TrueFals"[rng() % 26];
      else
        b[at] = static_cast<char>(rng());
    }
    try {
      const NdArray a = parse_npy_array(b, "fuzz.npy");
      std::size_t n = 1;
      for (std::size_t d : a.shape) n *= d;
      EXPECT_EQ(a.values.size(), n);
      try {
        raster_samples(a, "fuzz.npy");
      } catch (const InputError& e) {
        EXPECT_EQ(std::string(e.what()).rfind("fuzz.npy: ", 0), 0u) << e.what();
      }
      ++parsed;
    } catch (const InputError& e) {
      EXPECT_EQ(std::string(e.what()).rfind("fuzz.npy: ", 0), 0u) << e.what();
      ++rejected;
    }
  }
  EXPECT_GT(rejected, 500);
  EXPECT_GT(parsed, 10);
}

TEST(EvaluateSamples, RasterArgwhereAndEncodedReaders) {
  const std::vector<mapper::NetworkStimulus> s = raster_samples(raster(3), "x.npy");
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[1].num_steps, 50u);
  EXPECT_EQ(s[1].spikes, mapper::synthetic_stimulus(20, 50, 0.3, 101).spikes);
  NdArray two = raster(1);
  two.values[7] = 2;
  EXPECT_EQ(error_of([&] { raster_samples(two, "x.npy"); }),
            "x.npy: element [0, 0, 7] is 2.000000; a spike raster holds 0 or 1 (at most one spike per input and step)");
  EXPECT_NE(error_of([&] { raster_samples(NdArray{{2, 3}, std::vector<double>(6)}, "x.npy"); })
                .find("3 dimensions [samples, steps, inputs]; this array has 2"),
            std::string::npos);
  Matrix rows{3, 3, {0, 0, 1, 1, 4, 2, 1, 4, 2}};
  EXPECT_NE(error_of([&] { argwhere_samples(rows, "r.csv", 0); }).find("sample 1 has the spike (step 4, input 2) twice"),
            std::string::npos);
  rows.values = {0, 0, 1, 1, 4, 2, 1, 3, 0};
  const auto a = argwhere_samples(rows, "r.csv", 8);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[1].num_steps, 8u);
  EXPECT_EQ(a[1].spikes.front().step, 3u);  // sorted
  const Matrix data{2, 3, {0, 0.5, 1, 1, 1, 0}};
  const auto enc = encoded_samples(data, "d.npy", "latency", 5, 1.0, 1);
  ASSERT_EQ(enc.size(), 2u);
  EXPECT_EQ(enc[0].spikes.front().step, 0u);  // the full-scale input fires first
  EXPECT_NE(error_of([&] { encoded_samples(Matrix{1, 1, {3}}, "d.npy", "rate", 5, 1.0, 1); }).find("d.npy: row 0"),
            std::string::npos);
}

TEST(EvaluateSamples, AgreementPerPortAndBackToBackRun) {
  const mapper::Network net = network();
  const mapper::MapResult m = mapper::map_network(net, mapper::MapOptions{});
  const std::vector<mapper::NetworkStimulus> samples = raster_samples(raster(4), "x.npy");
  EvaluateOptions o;
  const Evaluation ev = evaluate_samples(net, m, samples, {0, 1, 2, 3}, o);
  const Agreement& a = ev.agreement;
  EXPECT_EQ(a.samples, 4u);
  EXPECT_GT(a.spike_agreement, 0.9);
  ASSERT_EQ(a.ports.size(), m.output.ports.size());
  ASSERT_EQ(a.ports.size(), 1u);
  EXPECT_EQ(a.ports[0].equal_events, a.equal_events);
  EXPECT_GT(a.ports[0].float_events, 0);
  EXPECT_EQ(a.float_silent, 0u);
  EXPECT_EQ(ev.steps_per_sample, 50 + m.output.latency);
  EXPECT_EQ(ev.run.steps(), 4 * ev.steps_per_sample);
  EXPECT_EQ(ev.chip_class.size(), 4u);
  // The same on the SystemC model (bit-exact models agree with each other exactly).
  o.backend = "systemc";
  const Evaluation sc = evaluate_samples(net, m, samples, {0, 1, 2, 3}, o);
  EXPECT_EQ(sc.agreement.equal_events, a.equal_events);
  EXPECT_EQ(sc.chip_class, ev.chip_class);
  EXPECT_NE(error_of([&] { evaluate_samples(net, m, samples, {0, 1}, o); }).find("2 labels for 4 samples"),
            std::string::npos);
}

// ---- the command ------------------------------------------------------------------------------

struct Files {
  test::TempDir dir{"lifchip_evaluate"};
  std::string net = dir / "net.txtpb", x = dir / "x.npy", y = dir / "y.npy";
  Files() {
    mapper::write_network_file(net, mapper::to_proto(network()));
    dir.write("x.npy", write_npy(raster(4)));
    dir.write("y.npy", write_npy(Matrix{4, 1, {0, 1, 2, 3}}));
  }
};

TEST(EvaluateCli, DefaultOptionsOnRasterInputs) {
  const Files f;
  for (const char* backend : {"functional", "systemc"}) {
    const test::CliResult r = test::run_cli(
        kBinary, "evaluate " + f.net + " --inputs " + f.x + " --labels " + f.y + " --json --backend " + backend);
    ASSERT_EQ(r.code, 0) << r;
    const nlohmann::json j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["samples"], 4);
    EXPECT_EQ(j["backend"], backend);
    EXPECT_GT(j["output_spike_agreement"].get<double>(), 0.9);
    EXPECT_GT(j["energy_per_inference_j"].get<double>(), 0);
    EXPECT_TRUE(j.contains("chip_accuracy"));
    EXPECT_EQ(j["ports"].size(), 1u);
  }
  const test::CliResult t = test::run_cli(kBinary, "evaluate " + f.net + " --inputs " + f.x + " --decode max");
  ASSERT_EQ(t.code, 0) << t;
  EXPECT_TRUE(test::contains(t.out, "same class on chip and in float")) << t;
  EXPECT_TRUE(test::contains(t.out, "decode: max")) << t;
}

// A stored mapping (map -o IMG --bindings B) evaluates as the mapping made on the spot does.
TEST(EvaluateCli, StoredImageAndBindings) {
  const Files f;
  const std::string img = f.dir / "net.pb", bind = f.dir / "net.bind.json";
  const test::CliResult m = test::run_cli(kBinary, "map " + f.net + " -o " + img + " --bindings " + bind);
  ASSERT_EQ(m.code, 0) << m;
  const test::CliResult now = test::run_cli(kBinary, "evaluate " + f.net + " --inputs " + f.x + " --json");
  const test::CliResult stored =
      test::run_cli(kBinary, "evaluate " + f.net + " --inputs " + f.x + " --json --image " + img + " --bindings " + bind);
  ASSERT_EQ(now.code, 0) << now;
  ASSERT_EQ(stored.code, 0) << stored;
  const nlohmann::json a = nlohmann::json::parse(now.out), b = nlohmann::json::parse(stored.out);
  for (const char* k : {"output_spike_agreement", "chip_class", "float_class", "energy_per_inference_j"})
    EXPECT_EQ(a[k], b[k]) << k;
  const test::CliResult half = test::run_cli(kBinary, "evaluate " + f.net + " --inputs " + f.x + " --image " + img);
  EXPECT_EQ(half.code, 1) << half;
  EXPECT_TRUE(test::contains(half.err, "give both")) << half;
}

TEST(EvaluateCli, BadInputIsOneLineNamingTheFile) {
  const Files f;
  f.dir.write("two.npy", write_npy(Matrix{2, 4, std::vector<double>(8, 0.0)}));
  f.dir.write("y3.npy", write_npy(Matrix{3, 1, {0, 1, 2}}));
  NdArray wide{{1, 2, 30}, std::vector<double>(60, 0.0)};
  wide.values[29] = 1;
  f.dir.write("wide.npy", write_npy(wide));
  const struct {
    std::string args, message;
  } cases[] = {
      {"--inputs " + (f.dir / "two.npy"), "two.npy: 4 columns; sample spikes are rows (sample, step, input)"},
      {"--inputs " + f.x + " --labels " + (f.dir / "y3.npy"), "y3.npy: 3 labels for 4 samples"},
      {"--inputs " + (f.dir / "wide.npy"), "wide.npy: sample 0 has a spike on input 29; "},
      {"--inputs " + (f.dir / "missing.npy"), "missing.npy"},
      {"--inputs " + f.x + " --model nosuch", "nosuch"},
  };
  for (const auto& c : cases) {
    const test::CliResult r = test::run_cli(kBinary, "evaluate " + f.net + " " + c.args);
    EXPECT_EQ(r.code, 1) << c.args << "\n" << r;
    EXPECT_TRUE(test::contains(r.err, c.message)) << c.args << "\n" << r;
    EXPECT_EQ(r.out, "") << r;
  }
  const test::CliResult u = test::run_cli(kBinary, "evaluate " + f.net + " --inputs " + f.x + " --decode median");
  EXPECT_EQ(u.code, 2) << u;
}

}  // namespace
}  // namespace lifchip::flow
