// `lifchip import|fit|map` as users and scripts see them: exit codes, one error line naming the file
// and the limit or option, no output files after a failure, images that validate, JSON that parses.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "lifchip/image.h"
#include "support/cli_run.h"

namespace lifchip {
namespace {

namespace fs = std::filesystem;

const std::string kBinary = std::string(LIFCHIP_BINARY_DIR) + "/tools/lifchip";
const std::string kData = std::string(LIFCHIP_SOURCE_DIR) + "/mapper/tests/data";
const std::string kNir = kData + "/nir/linear_cubalif_v020.nir";
const std::string kConv = kData + "/nir/conv2d_pool.nir";
const std::string kProtoLi = kData + "/proto/small.txtpb";

using test::contains;
using test::expect_input_error;
using test::quote;
using test::slurp;
using TempDir = test::TempDir;
using Result = test::CliResult;

Result lifchip(const std::string& args) { return test::run_cli(kBinary, args); }

class CliMap : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(kBinary)) << kBinary << " is missing: build the lifchip target";
  }
};

TEST_F(CliMap, Help) {
  for (const char* sub : {"import --help", "fit --help", "map --help"}) {
    const Result r = lifchip(sub);
    EXPECT_EQ(r.code, 0) << sub << "\n" << r;
  }
  const Result r = lifchip("map --help");
  for (const char* w :
       {"--mesh", "--neurons-per-core", "--synapses-per-core", "--partition", "--place", "--seed", "--dt",
        "--reset", "--json", "--report", "--bindings", "--output", "--strict", "--readout"})
    EXPECT_TRUE(contains(r.out, w)) << w;
}

// --readout NAME: a spiking population read out as its v (CubaLIF -> CubaLI read-out neurons), said
// in the report; the bindings then carry its read-outs.
TEST_F(CliMap, ReadoutOptionReadsAPopulationsVoltage) {
  TempDir d;
  const Result r = lifchip("map " + quote(kProtoLi) + " -o " + quote(d / "img.pb") + " --readout hidden --json" +
                           " --bindings " + quote(d / "b.json"));
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_TRUE(contains(r.out, "population 'hidden' (CubaLIF) read out as CubaLI")) << r;
  EXPECT_TRUE(contains(r.out, "\"kind\": \"CubaLI\"")) << r;
  const Result plain = lifchip("map " + quote(kProtoLi) + " -o " + quote(d / "img2.pb") + " --json");
  ASSERT_EQ(plain.code, 0) << plain;
  EXPECT_FALSE(contains(plain.out, "read out as")) << plain;
}

TEST_F(CliMap, ImportSummarisesAndWritesOurFormat) {
  TempDir d;
  Result r = lifchip("import " + quote(kNir));
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_TRUE(contains(r.out, "CubaLIF")) << r;
  r = lifchip("import " + quote(kNir) + " -o " + quote(d / "net.txtpb") + " --json");
  ASSERT_EQ(r.code, 0) << r;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["figures"]["importer"], "nir");
  // The written network imports again with the same summary.
  const Result again = lifchip("import " + quote(d / "net.txtpb") + " --json");
  ASSERT_EQ(again.code, 0) << again;
  EXPECT_EQ(nlohmann::json::parse(again.out)["populations"], j["populations"]);
}

TEST_F(CliMap, FitSaysWhatBinds) {
  Result r = lifchip("fit " + quote(kConv));
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_TRUE(contains(r.out, "fits: fits on ")) << r;
  r = lifchip("fit " + quote(kConv) + " --json");
  ASSERT_EQ(r.code, 0) << r;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_TRUE(j["fits"].get<bool>());
  EXPECT_GT(j["cores_used"].get<int>(), 0);
  // Too few neurons per core on a 1x1 mesh: does not fit, named.
  r = lifchip("fit " + quote(kConv) + " --mesh 1x1 --neurons-per-core 1");
  expect_input_error(r, {kConv, "does not fit", "cores, the 1x1 mesh has 1"});
  r = lifchip("fit " + quote(kConv) + " --mesh 1x1 --neurons-per-core 1 --json");
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_FALSE(nlohmann::json::parse(r.out)["fits"].get<bool>());
}

TEST_F(CliMap, MapWritesAValidImageReportAndBindings) {
  TempDir d;
  const Result r =
      lifchip("map " + quote(kConv) + " -o " + quote(d / "img.pb") + " --report " + quote(d / "rep.json") +
              " --bindings " + quote(d / "bind.json") + " --partition optimise --place optimise --seed 3");
  ASSERT_EQ(r.code, 0) << r;
  for (const char* w : {"Quantisation", "Cores", "Traffic per step", "Wrote"})
    EXPECT_TRUE(contains(r.out, w)) << r;
  const pb::ChipImage img = read_image_file(d / "img.pb");
  EXPECT_NO_THROW(validate_sealed_image(img));
  const nlohmann::json rep = nlohmann::json::parse(slurp(d / "rep.json"));
  for (const char* k : {"fit", "layers", "cores", "traffic", "passes"}) EXPECT_TRUE(rep.contains(k)) << k;
  const nlohmann::json b = nlohmann::json::parse(slurp(d / "bind.json"));
  EXPECT_FALSE(b["input_targets"].empty());
  EXPECT_FALSE(b["output_channels"].empty());
  EXPECT_EQ(b["format"], "lifchip-bindings-1");
  // --json on stdout parses.
  const Result rj =
      lifchip("map " + quote(kNir) + " -o " + quote(d / "img2.txtpb") + " --json --reset subtract");
  ASSERT_EQ(rj.code, 0) << rj;
  EXPECT_TRUE(nlohmann::json::parse(rj.out)["fit"]["fits"].get<bool>());
  EXPECT_NO_THROW(validate_sealed_image(read_image_file(d / "img2.txtpb")));
}

// --samples: rows (sample, step, input) calibrate the scale and measure the traffic rates.
TEST_F(CliMap, SamplesCalibrateTheRangeAndBadSampleFilesAreNamed) {
  TempDir d;
  {
    std::ofstream f(d / "s.csv");
    f << "sample,step,input\n";
    for (int s = 0; s < 3; ++s)
      for (int t = 0; t < 20; ++t)
        for (int i = 0; i < 5; ++i)
          if ((s + t + i) % 2 == 0) f << s << "," << t << "," << i << "\n";
  }
  const Result r = lifchip("map " + quote(kNir) + " -o " + quote(d / "img.pb") + " --samples " +
                           quote(d / "s.csv") + " --report " + quote(d / "rep.json"));
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_TRUE(contains(r.out, "measured on 3 sample stimuli (60 steps)")) << r;
  const nlohmann::json layer = nlohmann::json::parse(slurp(d / "rep.json"))["layers"][0];
  ASSERT_TRUE(layer["calibrated_peak"].is_number()) << layer;
  EXPECT_GT(layer["calibrated_peak"].get<double>(), 0);
  EXPECT_GE(layer["headroom"].get<double>(), 2);
  const Result h = lifchip("map " + quote(kNir) + " -o " + quote(d / "img2.pb") + " --headroom 16 --json");
  ASSERT_EQ(h.code, 0) << h;
  EXPECT_EQ(nlohmann::json::parse(h.out)["layers"][0]["headroom"].get<double>(), 16);
  EXPECT_TRUE(nlohmann::json::parse(h.out)["layers"][0]["calibrated_peak"].is_null());

  TempDir e;
  auto bad = [&](const std::string& name, const std::string& text, const std::string& extra,
                 const std::vector<std::string>& names) {
    std::ofstream(e / name) << text;
    std::vector<std::string> want = names;
    want.push_back(name);
    expect_input_error(lifchip("map " + quote(kNir) + " -o " + quote(d / "bad.pb") + " --samples " +
                               quote(e / name) + extra),
                       want);
  };
  bad("two.csv", "0,1\n", "", {"2 columns", "(sample, step, input)"});
  bad("frac.csv", "0,1.5,2\n", "", {"row 0", "step"});
  bad("neg.csv", "0,1,2\n-1,0,0\n", "", {"row 1", "sample"});
  bad("dup.csv", "0,1,2\n0,1,2\n", "", {"sample 0", "twice"});
  bad("input.csv", "0,0,0\n1,3,7\n", "", {"sample 1", "input 7", "5 inputs"});
  bad("late.csv", "0,9,1\n", " --sample-steps 5", {"step 9", "--sample-steps 5"});
  bad("empty.csv", "sample,step,input\n", "", {"no data rows"});
  expect_input_error(lifchip("map " + quote(kNir) + " -o " + quote(d / "bad.pb") + " --sample-steps 4"),
                     {"'--sample-steps'", "--samples"});
  expect_input_error(lifchip("map " + quote(kNir) + " -o " + quote(d / "bad.pb") + " --headroom 0.5"),
                     {"option 'headroom'", "1 ... 4096"});
  expect_input_error(lifchip("fit " + quote(kNir) + " --samples " + quote(e / "missing.npy")),
                     {"missing.npy"});
  EXPECT_FALSE(fs::exists(d / "bad.pb"));
}

// The defaults are auto: the mesh, the partition strategy and dt, each reported with its reason.
TEST_F(CliMap, AutoMeshPartitionAndDtAreReported) {
  TempDir d;
  const std::string digits = std::string(LIFCHIP_SOURCE_DIR) + "/tools/examples/digits.nir";
  Result r = lifchip("fit " + quote(digits));
  ASSERT_EQ(r.code, 0) << r;
  for (const char* w :
       {"fits: fits on 1 of 1 cores", "mesh auto: 1x1, the smallest near-square mesh that holds 1 core",
        "partition auto: greedy fits on 1 core", "dt = tau_mem / r = 0.001 s", "snnTorch"})
    EXPECT_TRUE(contains(r.out, w)) << w << "\n" << r;
  EXPECT_EQ(r.err, "") << r;
  r = lifchip("map " + quote(digits) + " -o " + quote(d / "img.pb") + " --json");
  ASSERT_EQ(r.code, 0) << r;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["mesh"]["width"], 1);
  EXPECT_EQ(j["mesh"]["rule"], "mesh auto: 1x1, the smallest near-square mesh that holds 1 core");
  EXPECT_EQ(j["partition"]["strategy"], "greedy");
  EXPECT_TRUE(contains(j["dt_rule"].get<std::string>(), "tau_mem / r")) << j["dt_rule"];
  EXPECT_TRUE(contains(j["producer"].get<std::string>(), "snnTorch")) << j["producer"];
  EXPECT_TRUE(j["warnings"].empty()) << j["warnings"];
  // fit --json carries the same decisions; a given mesh and strategy say so.
  r = lifchip("fit " + quote(kConv) + " --mesh 3x2 --partition optimise --json");
  ASSERT_EQ(r.code, 0) << r;
  j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["mesh"]["rule"], "mesh 3x2 (given)");
  EXPECT_EQ(j["cores_available"], 6);
  EXPECT_EQ(j["partition"]["rule"], "partition optimise (given): fits on 1 core");
  EXPECT_TRUE(contains(j["producer"].get<std::string>(), "Sinabs")) << j;
  EXPECT_EQ(j["dt_s"], 1.0);
  EXPECT_EQ(lifchip("fit " + quote(kConv) + " --mesh auto --partition auto --dt auto").code, 0);
  // Bad values: one line naming the option.
  for (const char* bad : {"0x3", "auto2", "3x", "4x4x4"})
    expect_input_error(lifchip("fit " + quote(kConv) + " --mesh " + bad),
                       {"option '--mesh'", bad, "auto or WxH"});
  expect_input_error(lifchip("fit " + quote(kConv) + " --dt fast"), {"option '--dt'", "'fast'", "auto"});
  expect_input_error(lifchip("fit " + quote(kConv) + " --dt 0"), {"option 'dt'"});
}

// Warnings go to stderr ("lifchip: warning: FILE: ...") when the command succeeds and into the JSON;
// --strict makes the first one the error (exit 1, one line, no output file).
TEST_F(CliMap, WarningsGoToStderrAndStrictMakesThemErrors) {
  TempDir d;
  const std::string lif = kData + "/nir/affine_lif_v1.nir";  // r = 1 everywhere: no dt in the file
  Result r = lifchip("map " + quote(lif) + " -o " + quote(d / "img.pb") + " --json");
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_TRUE(contains(r.err, "lifchip: warning: " + lif + ": cannot infer dt: r = 1 and w_in = 1")) << r;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["warnings"].size(), 1u) << j["warnings"];
  EXPECT_EQ(j["dt_s"], 0.001);
  EXPECT_TRUE(contains(j["dt_rule"].get<std::string>(), "fallback")) << j["dt_rule"];
  expect_input_error(lifchip("map " + quote(lif) + " -o " + quote(d / "strict.pb") + " --strict"),
                     {lif, "--strict: cannot infer dt", "pass --dt SECONDS"});
  EXPECT_FALSE(fs::exists(d / "strict.pb"));
  expect_input_error(lifchip("fit " + quote(lif) + " --strict"), {lif, "--strict: cannot infer dt"});
  // With dt given nothing is left to warn about.
  r = lifchip("map " + quote(lif) + " -o " + quote(d / "ok.pb") + " --dt 0.001 --strict");
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_EQ(r.err, "") << r;
  // dt above a time constant (tau_mem 10 ms).
  r = lifchip("fit " + quote(lif) + " --dt 0.02");
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_TRUE(contains(r.err, "population 'lif': dt 20 ms > tau_mem 10 ms")) << r;
  EXPECT_TRUE(contains(r.err, "tau_mem realised with a 100.0 % error (> 5 %)")) << r;
  expect_input_error(lifchip("fit " + quote(lif) + " --dt 0.02 --strict"),
                     {"--strict: population 'lif': dt 20 ms"});
  // Weights lost to quantisation: one weight 100,000 times the others sets the scale; the small ones
  // fall below half a mantissa step even at exponent 0 (2 of 3 non-zero weights).
  std::ofstream(d / "zeroed.txtpb") << "format_version: 1\ndt: 0.001\ninputs { name: \"in\" size: 3 }\n"
                                       "populations { name: \"lif\" size: 1 model: LIF tau_mem { values: 0.01 } "
                                       "v_threshold { values: 1.0 } }\noutputs { name: \"out\" size: 1 }\n"
                                       "projections { name: \"fc\" source: \"in\" target: \"lif\" "
                                       "dense { weights: [100000, 1, -1] } }\n"
                                       "projections { name: \"ro\" source: \"lif\" target: \"out\" "
                                       "dense { weights: [1] } }\n";
  const std::string zeroed = d / "zeroed.txtpb";
  r = lifchip("fit " + quote(zeroed));
  EXPECT_TRUE(contains(r.err, "projection 'fc' ('in' -> 'lif'): 2 of 3 non-zero weights (66.7 %) lost")) << r;
  expect_input_error(lifchip("fit " + quote(zeroed) + " --strict"), {"--strict: projection 'fc'"});
  // A silent float reference on the calibration samples.
  std::ofstream(d / "one.csv") << "0,0,0\n";
  const std::string samples = " --dt 0.001 --samples " + quote(d / "one.csv") + " --sample-steps 3";
  r = lifchip("map " + quote(lif) + " -o " + quote(d / "s.pb") + samples);
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_TRUE(contains(r.err, "the float reference is silent")) << r;
  expect_input_error(lifchip("map " + quote(lif) + " -o " + quote(d / "s2.pb") + samples + " --strict"),
                     {"--strict: the float reference is silent"});
  EXPECT_FALSE(fs::exists(d / "s2.pb"));
}

TEST_F(CliMap, BadArgumentsAndFilesGiveOneLineAndNoOutput) {
  TempDir d;
  const std::string out = " -o " + quote(d / "img.pb");
  expect_input_error(lifchip("map " + quote(kNir) + out + " --mesh 4y4"), {"option '--mesh'", "4y4"});
  expect_input_error(lifchip("map " + quote(kNir) + out + " --mesh 17x1"), {"options: "});
  expect_input_error(lifchip("map " + quote(kNir) + out + " --partition magic"),
                     {"unknown strategy 'magic'", "greedy, optimise"});
  expect_input_error(lifchip("map " + quote(kNir) + out + " --place magic"),
                     {"unknown strategy 'magic'", "rowmajor"});
  expect_input_error(lifchip("map " + quote(kNir) + out + " --reset never"), {"option '--reset'"});
  expect_input_error(lifchip("map " + quote(kNir) + out + " --dt -1"), {"option 'dt'"});
  expect_input_error(lifchip("map " + quote(kNir) + out + " --neurons-per-core 2000"), {"options: "});
  expect_input_error(lifchip("map " + quote(d / "missing.nir") + out), {"missing.nir"});
  expect_input_error(lifchip("map " + quote(kData + "/nir/broken/delay_node.nir") + out),
                     {"delay_node.nir", "Delay"});
  expect_input_error(lifchip("map " + quote(kData + "/nir/broken/empty.nir") + out), {"empty.nir"});
  expect_input_error(lifchip("map " + quote(kProtoLi) + out + " --readout nosuch"),
                     {"small.txtpb", "option '--readout': no population 'nosuch' (neuron populations: hidden, readout)"});
  expect_input_error(lifchip("map " + quote(kProtoLi) + out + " --readout in"),
                     {"small.txtpb", "population 'in' (input) cannot be a read-out"});
  expect_input_error(lifchip("map " + quote(kConv) + out + " --synapses-per-core 4"),
                     {"conv2d_pool.nir", "synapse entries on one core, limit 4"});
  expect_input_error(lifchip("map " + quote(kNir) + " -o " + quote(d / "no/such/dir/img.pb")), {"img.pb"});
  EXPECT_EQ(d.count(), 0u) << "a failed command left a file behind";
  // Usage errors: exit 2.
  EXPECT_EQ(lifchip("map " + quote(kNir)).code, 2);
  EXPECT_EQ(lifchip("fit").code, 2);
  EXPECT_EQ(lifchip("map " + quote(kNir) + out + " --seed notanumber").code, 2);
}

}  // namespace
}  // namespace lifchip
