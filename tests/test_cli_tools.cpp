// `lifchip encode`, `decode`, `estimate` and `report` as users and scripts see them: the flow
// encode -> run -> decode/estimate/report end to end, --json everywhere, progress lines, and bad
// arguments and files (exit 1 or 2, one stderr line naming the file, no output file left behind).
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
const std::string kSource = LIFCHIP_SOURCE_DIR;
const std::string kImage = kSource + "/tools/examples/small_net.image.txtpb";
const std::string kStimuli = kSource + "/tools/examples/small_net.stimuli.txtpb";

using test::expect_input_error;
using test::expect_usage_error;
using test::slurp;
using Dir = test::TempDir;
using Result = test::CliResult;

// Runs lifchip with stdin closed, stdout/stderr captured (not a terminal), in `env` if given.
Result lifchip(const std::string& args, const std::string& env = "") {
  return test::run_cli(kBinary, args, env);
}

bool has(const std::string& s, const std::string& part) { return test::contains(s, part); }

class CliTools : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(kBinary)) << kBinary << " is missing: build the lifchip target";
  }
};

TEST_F(CliTools, HelpListsEveryOption) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"encode",
       {"--encoding", "--steps", "--gap", "--max", "--threshold", "--seed", "--binding", "--core", "--json"}},
      {"decode", {"--method", "--classes", "--steps", "--labels", "--json"}},
      {"estimate",
       {"--model", "--image", "--stimuli", "--backend", "--clock-hz", "--inference-steps", "--step-rate",
        "--show-model", "--json"}},
      {"report", {"--output", "--mapping", "--model", "--svg-dir", "--image", "--json"}},
  };
  for (const auto& [cmd, opts] : cases) {
    const Result r = lifchip(cmd + " --help");
    EXPECT_EQ(r.code, 0) << r;
    for (const std::string& o : opts) EXPECT_TRUE(has(r.out, o)) << cmd << " " << o;
  }
  const Result top = lifchip("--help");
  for (const char* cmd : {"encode", "decode", "run", "estimate", "report"})
    EXPECT_TRUE(has(top.out, cmd)) << cmd;
  // Subcommands are listed in the order of the flow.
  EXPECT_LT(top.out.find("encode"), top.out.find(" run "));
  EXPECT_LT(top.out.find(" run "), top.out.find("estimate"));
}

// encode -> run -> decode -> estimate -> report, each with --json.
TEST_F(CliTools, FlowEndToEnd) {
  Dir d;
  // Two samples of 8 features for the hidden cores' host axons 0-7 of core (0,0).
  const std::string csv =
      d.write("x.csv", "# two samples\nf0,f1,f2,f3,f4,f5,f6,f7\n1,1,1,1,0,0,0,0\n0,0,0,0,1,1,1,1\n");
  Result r = lifchip("encode " + csv + " --encoding rate --steps 20 --gap 4 --seed 3 --core 0 0 -o " +
                     d / "s.txtpb --json");
  ASSERT_EQ(r.code, 0) << r;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["samples"], 2);
  EXPECT_EQ(j["num_steps"], 48);
  EXPECT_EQ(j["input_spikes"], 2 * 4 * 20);  // probability 1 on four channels per sample
  const pb::Stimuli st = read_stimuli_file(d / "s.txtpb");
  EXPECT_EQ(st.num_steps(), 48u);
  EXPECT_EQ(st.steps(0).axon_size(), 4);
  EXPECT_EQ(st.steps(st.steps_size() - 1).step(), 24u + 19u);
  // The same seed gives the same file.
  ASSERT_EQ(lifchip("encode " + csv + " --encoding rate --steps 20 --gap 4 --seed 3 --core 0 0 -o " +
                    d / "s2.txtpb")
                .code,
            0);
  EXPECT_EQ(slurp(d / "s.txtpb"), slurp(d / "s2.txtpb"));

  r = lifchip("run " + kImage + " --stimuli " + d / "s.txtpb --backend systemc -o " + d / "r.pb");
  ASSERT_EQ(r.code, 0) << r;
  r = lifchip("decode " + d / "r.pb --steps 20 --gap 4 --classes 5 --json");
  ASSERT_EQ(r.code, 0) << r;
  j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["samples"], 2);
  const std::string labels = d.write("y.csv", "0\n1\n");
  r = lifchip("decode " + d / "r.pb --steps 20 --gap 4 --classes 5 --labels " + labels);
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_TRUE(has(r.out, "accuracy: ")) << r;

  r = lifchip("estimate " + d / "r.pb --model loihi1 --inference-steps 24 --json");
  ASSERT_EQ(r.code, 0) << r;
  j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["inferences"], 2);
  EXPECT_EQ(j["latency"]["cycle_accurate"], true);
  EXPECT_GT(j["energy"]["per_inference_j"].get<double>(), 0);
  EXPECT_DOUBLE_EQ(j["energy"]["per_inference_j"].get<double>() * 2,
                   j["energy"]["total_pj"].get<double>() * 1e-12);
  r = lifchip("estimate " + d / "r.pb --model truenorth");
  ASSERT_EQ(r.code, 0) << r;
  for (const char* part :
       {"energy per inference", "average power at 1000 steps/s", "latency per step (mean)", "throughput",
        "energy by component", "energy by core", "busiest links", "cycle-accurate"})
    EXPECT_TRUE(has(r.out, part)) << part << "\n" << r;
  // Functional runs: the analytic latency is labelled as such.
  r = lifchip("estimate --image " + kImage + " --stimuli " + kStimuli);
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_TRUE(has(r.out, "ANALYTIC ESTIMATE")) << r;

  const std::string mapping = d.write("map.json", R"({"layers": [{"name": "fc1", "neurons": 12}]})");
  r = lifchip("report " + d / "r.pb --image " + kImage + " --mapping " + mapping + " -o " +
              d / "rep.html --svg-dir " + d / "" + " --json");
  ASSERT_EQ(r.code, 0) << r;
  j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["svg_files"].size(), 5u);
  const std::string html = slurp(d / "rep.html");
  EXPECT_TRUE(has(html, "<h3>layers</h3>"));
  EXPECT_TRUE(has(html, "cycle-accurate"));
  EXPECT_TRUE(fs::exists(d / "links.svg"));
  // A map report (it has "fit" and "layers") missing a field its tables need: one error naming the
  // file and the field, and no page.
  const std::string broken = d.write("broken_map.json", R"({"fit": {}, "layers": [{}], "cores": [], "dt_s": 0.001})");
  expect_input_error(lifchip("report " + d / "r.pb --mapping " + broken + " -o " + d / "broken.html"),
                     {broken, "map report: no 'calibrated_peak'"});
  EXPECT_FALSE(fs::exists(d / "broken.html"));
}

TEST_F(CliTools, LatencyAndDeltaEncodings) {
  Dir d;
  const std::string csv = d.write("x.csv", "1,0.5,0\n");
  Result r = lifchip("encode " + csv + " --encoding latency --steps 11 --core 1 0 --axon-base 2 -o " +
                     d / "l.txtpb");
  ASSERT_EQ(r.code, 0) << r;
  pb::Stimuli st = read_stimuli_file(d / "l.txtpb");
  ASSERT_EQ(st.steps_size(), 2);  // value 1 at step 0, value 0.5 at step 5, value 0 never
  EXPECT_EQ(st.steps(0).step(), 0u);
  EXPECT_EQ(st.steps(0).axon(0), 2u);
  EXPECT_EQ(st.steps(0).x(0), 1u);
  EXPECT_EQ(st.steps(1).step(), 5u);
  EXPECT_EQ(st.steps(1).axon(0), 3u);
  const std::string series = d.write("t.csv", "0\n1\n1\n0\n");
  const std::string binding =
      d.write("b.json", R"({"channels": [{"x":0,"y":0,"axon":6}, {"x":0,"y":0,"axon":7}]})");
  r = lifchip("encode " + series + " --encoding delta --threshold 0.5 --binding " + binding + " -o " +
              d / "d.txtpb");
  ASSERT_EQ(r.code, 0) << r;
  st = read_stimuli_file(d / "d.txtpb");
  ASSERT_EQ(st.steps_size(), 2);  // ON at step 1 (axon 6), OFF at step 3 (axon 7)
  EXPECT_EQ(st.steps(0).step(), 1u);
  EXPECT_EQ(st.steps(0).axon(0), 6u);
  EXPECT_EQ(st.steps(1).step(), 3u);
  EXPECT_EQ(st.steps(1).axon(0), 7u);
  EXPECT_EQ(st.num_steps(), 4u);
}

TEST_F(CliTools, BadInputsGiveOneLineAndNoOutput) {
  Dir d;
  const std::string out = d / "out.txtpb";
  const std::string ok = d.write("ok.csv", "0.5,0.5\n");
  expect_input_error(lifchip("encode " + d / "missing.csv --encoding rate --steps 5 -o " + out),
                     {"missing.csv"});
  expect_input_error(
      lifchip("encode " + d.write("bad.csv", "1,2\n3,x\n") + " --encoding rate --steps 5 -o " + out),
      {"bad.csv:2", "field 2"});
  expect_input_error(
      lifchip("encode " + d.write("big.csv", "0.5,1.5\n") + " --encoding rate --steps 5 -o " + out),
      {"big.csv", "row 0", "column 1", "--max"});
  expect_input_error(
      lifchip("encode " + d.write("x.npy", "not numpy") + " --encoding rate --steps 5 -o " + out),
      {"x.npy", "not an NPY file"});
  expect_input_error(lifchip("encode " + d.write("x.dat", "1") + " --encoding rate --steps 5 -o " + out),
                     {"x.dat", "unknown data format"});
  expect_input_error(lifchip("encode " + ok + " --encoding rate --steps 5 --binding " +
                             d.write("b.json", "{") + " -o " + out),
                     {"b.json", "not valid JSON"});
  // The fuzz finding of issue 18: a number beyond double's range was "internal error ... 406", exit 3.
  expect_input_error(lifchip("encode " + ok + " --encoding rate --steps 5 --binding " +
                             std::string(LIFCHIP_SOURCE_DIR) + "/tests/corpus/findings/bindings_number_overflow.json -o " + out),
                     {"bindings_number_overflow.json", "not valid JSON: number overflow"});
  expect_input_error(lifchip("encode " + ok + " --encoding rate --steps 5 -o " + d / "no/such/dir/s.txtpb"),
                     {"no/such/dir", "does not exist"});
  expect_input_error(
      lifchip("encode " + ok + " --encoding rate --steps 16777216 --samples 1 --gap 1 -o " + out),
      {"ok.csv", "limit"});
  EXPECT_FALSE(fs::exists(out));

  // estimate / report / decode.
  ASSERT_EQ(lifchip("run " + kImage + " --stimuli " + kStimuli + " -o " + d / "f.pb").code, 0);
  expect_input_error(lifchip("estimate " + d / "f.pb"), {"functional", "--image"});
  expect_input_error(lifchip("estimate " + d.write("junk.pb", "\xff\xff\xff junk")), {"junk.pb"});
  expect_input_error(lifchip("estimate " + d / "nothing.pb"), {"nothing.pb"});
  expect_input_error(lifchip("estimate " + d / "f.pb --image " + kImage + " --model " +
                             d.write("m.txt", "base = loihi1\nsyn_op_pj = -3\n")),
                     {"m.txt:2", "syn_op_pj"});
  expect_input_error(lifchip("estimate " + d / "f.pb --image " + kImage + " --model loihi3"),
                     {"loihi3", "presets"});
  expect_input_error(lifchip("estimate " + d / "f.pb --image " + kImage + " --inference-steps 5"),
                     {"--inference-steps 5", "48"});
  expect_input_error(lifchip("estimate " + d / "f.pb --stimuli " + kStimuli), {"f.pb", "--stimuli"});
  expect_input_error(lifchip("report " + d / "f.pb --image " + kImage + " --mapping " +
                             d.write("map.json", "[1,") + " -o " + d / "r.html"),
                     {"map.json", "not valid JSON"});
  expect_input_error(
      lifchip("report " + d / "f.pb --image " + kImage + " -o " + d / "r.html --svg-dir " + d / "nope"),
      {"nope", "--svg-dir"});
  EXPECT_FALSE(fs::exists(d / "r.html"));
  expect_input_error(lifchip("decode " + d / "f.pb --labels " + d.write("l.csv", "0\n1\n")),
                     {"l.csv", "2 labels for 1"});
  expect_input_error(lifchip("decode " + d / "f.pb --steps 100"), {"f.pb", "fewer than one sample"});
}

TEST_F(CliTools, UsageErrorsExitWith2) {
  Dir d;
  const std::string ok = d.write("ok.csv", "0.5\n");
  for (const std::string& args :
       {"encode " + ok + " --encoding rate -o x.txtpb", "encode " + ok + " --encoding delta -o x.txtpb",
        "encode " + ok + " --encoding delta --threshold 1 --steps 3 -o x.txtpb",
        "encode " + ok + " --encoding morse --steps 3 -o x.txtpb",
        "encode " + ok + " --encoding rate --steps 3",
        "encode " + ok + " --encoding rate --steps 0 -o x.txtpb",
        "encode " + ok + " --encoding rate --steps 3 --max -1 -o x", std::string("estimate"),
        std::string("estimate --step-rate 0 r.pb"), std::string("report r.pb"),
        std::string("report -o x.html"), std::string("decode"), std::string("decode r.pb --method vote")})
    expect_usage_error(lifchip(args));
  EXPECT_EQ(d.count(), 1u);
}

TEST_F(CliTools, ShowModelIsAModelFile) {
  Dir d;
  Result r = lifchip("estimate --show-model --model loihi1");
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_TRUE(has(r.out, "syn_op_pj = 23.6")) << r;
  const std::string model = d.write("m.txt", r.out);
  ASSERT_EQ(lifchip("run " + kImage + " --stimuli " + kStimuli + " -o " + d / "f.pb").code, 0);
  const Result a = lifchip("estimate " + d / "f.pb --image " + kImage + " --model " + model + " --json");
  const Result b = lifchip("estimate " + d / "f.pb --image " + kImage + " --model loihi1 --json");
  ASSERT_EQ(a.code, 0) << a;
  EXPECT_EQ(nlohmann::json::parse(a.out)["energy"], nlohmann::json::parse(b.out)["energy"]);
}

// Not a terminal: plain progress lines on stderr (forced here so the test does not depend on time),
// and the summary on stdout is unchanged.
TEST_F(CliTools, ProgressLinesWhenNotATerminal) {
  const std::string args = "run " + kImage + " --stimuli " + kStimuli + " --json";
  const Result quiet = lifchip(args);
  const Result shown = lifchip(args, "LIFCHIP_PROGRESS=always");
  ASSERT_EQ(quiet.code, 0) << quiet;
  ASSERT_EQ(shown.code, 0) << shown;
  EXPECT_EQ(quiet.err, "");
  EXPECT_EQ(quiet.out, shown.out);
  EXPECT_TRUE(has(shown.err, "lifchip run: step 5 / 48 (10%)\n")) << shown;
  EXPECT_TRUE(has(shown.err, "lifchip run: step 48 / 48 (100%)\n")) << shown;
  EXPECT_EQ(std::count(shown.err.begin(), shown.err.end(), '\n'), 10) << shown;
  EXPECT_EQ(shown.err.find('\r'), std::string::npos);
  EXPECT_EQ(lifchip(args, "LIFCHIP_PROGRESS=never").err, "");
}

// The README's first command, on a few test images: mapped, run on SystemC, accuracy and a report.
TEST_F(CliTools, DemoOnTheBundledNetwork) {
  Dir d;
  Result r = lifchip("demo --samples 12 --json --report " + d / "demo.html");
  ASSERT_EQ(r.code, 0) << r;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["samples"], 12);
  EXPECT_EQ(j["backend"], "systemc");
  // The trained network classifies these test images well on the chip and agrees with float.
  EXPECT_GE(j["chip_accuracy"].get<double>(), 0.9) << r;
  EXPECT_GE(j["chip_float_agreement"].get<double>(), 0.9) << r;
  EXPECT_EQ(j["estimate"]["latency"]["cycle_accurate"], true);
  EXPECT_EQ(j["estimate"]["inferences"], 12);
  EXPECT_GT(j["estimate"]["energy"]["per_inference_j"].get<double>(), 0);
  const std::string html = slurp(d / "demo.html");
  EXPECT_TRUE(has(html, "Mapping and quantisation"));
  EXPECT_TRUE(has(html, "<svg "));
  r = lifchip("demo --samples 2 --backend functional --report " + d / "demo2.html");
  ASSERT_EQ(r.code, 0) << r;
  for (const char* part : {"accuracy on the chip", "accuracy of the float network", "energy per inference",
                           "latency per inference", "ANALYTIC ESTIMATE", "report: "})
    EXPECT_TRUE(has(r.out, part)) << part << "\n" << r;

  expect_input_error(lifchip("demo --network " + d / "none.nir --report " + d / "x.html"), {"none.nir"});
  expect_input_error(lifchip("demo --data " + d.write("x.csv", "1,2,3\n") + " --report " + d / "x.html"),
                     {"x.csv", "3 columns", "64 inputs"});
  expect_input_error(lifchip("demo --report " + d / "no/dir/x.html"), {"no/dir"});
  expect_input_error(lifchip("demo --model nothing --report " + d / "x.html"), {"nothing", "presets"});
  EXPECT_FALSE(fs::exists(d / "x.html"));
  expect_usage_error(lifchip("demo --samples -1"));
}

}  // namespace
}  // namespace lifchip
