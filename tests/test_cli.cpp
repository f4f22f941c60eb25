// The lifchip program as users and scripts see it: exit codes (0 ok, 1 bad input, 2 usage), one
// error line naming the file, no output file left after a failure, and results that equal the
// library's own run of the same image and stimuli.
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "lifchip/backend.h"
#include "lifchip/chip_constants.h"
#include "lifchip/image.h"
#include "lifchip/run.h"
#include "support/cli_run.h"
#include "support/corpus.h"

namespace lifchip {
namespace {

namespace fs = std::filesystem;

const std::string kBinary = std::string(LIFCHIP_BINARY_DIR) + "/tools/lifchip";
const std::string kSource = LIFCHIP_SOURCE_DIR;
const std::string kCorpus = kSource + "/tests/corpus";
const std::string kBaseImage = kCorpus + "/valid/base.image.txtpb";
const std::string kImage = kSource + "/tools/examples/small_net.image.txtpb";
const std::string kStimuli = kSource + "/tools/examples/small_net.stimuli.txtpb";
const std::string kProbes = kSource + "/tools/examples/small_net.probes.txtpb";

using test::contains;
using test::expect_input_error;
using test::quote;
using test::slurp;
using TempDir = test::TempDir;
using Result = test::CliResult;

// Runs lifchip with stdin closed and stdout/stderr captured (never a TTY, so no progress line).
Result lifchip(const std::string& args) { return test::run_cli(kBinary, args); }

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(kBinary)) << kBinary << " is missing: build the lifchip target first";
  }
};

TEST_F(Cli, HelpAndVersion) {
  Result r = lifchip("--help");
  EXPECT_EQ(r.code, 0) << r;
  for (const char* word : {"run", "image", "backends", "--version"})
    EXPECT_TRUE(contains(r.out, word)) << word;
  r = lifchip("run --help");
  EXPECT_EQ(r.code, 0) << r;
  for (const char* word :
       {"--stimuli", "--steps", "--backend", "--probes", "--json", "--output", "--learning"})
    EXPECT_TRUE(contains(r.out, word)) << word;
  for (const char* sub : {"image --help", "image check --help", "image seal --help", "image convert --help",
                          "backends --help"}) {
    r = lifchip(sub);
    EXPECT_EQ(r.code, 0) << sub << "\n" << r;
    EXPECT_TRUE(contains(r.out, "Usage")) << sub;
  }
  r = lifchip("--version");
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_TRUE(contains(r.out, "lifchip ")) << r;
  EXPECT_TRUE(contains(r.out, "chip spec " + std::to_string(spec::SPEC_VERSION))) << r;
}

TEST_F(Cli, UsageErrorsExitWith2) {
  const std::string img = quote(kImage);
  for (const std::string& args :
       {std::string(""), std::string("frobnicate"), std::string("image"), std::string("image check"),
        std::string("run"), "run " + img, "run " + img + " --steps 0", "run " + img + " --steps 99999999999",
        "run " + img + " --steps 16777217", "run " + img + " --steps 2 --learning maybe",
        "run " + img + " --steps 2 --bogus", "image seal " + img, "image convert " + img}) {
    SCOPED_TRACE(args);
    const Result r = lifchip(args);
    EXPECT_EQ(r.code, 2) << r;
    EXPECT_EQ(r.err.rfind("lifchip: usage error: ", 0), 0u) << r;
  }
}

TEST_F(Cli, BackendsListsTheRegistry) {
  Result r = lifchip("backends");
  EXPECT_EQ(r.code, 0) << r;
  for (const std::string& name : BackendRegistry::names()) EXPECT_TRUE(contains(r.out, name)) << name;
  // Each line states what that chip holds: the registry's capacities (the rtl build's are its own).
  for (const std::string& name : BackendRegistry::names()) {
    const Capacities c = BackendRegistry::capacities(name);
    EXPECT_TRUE(contains(r.out, name + (name == "functional" ? "  (default)" : "") + ": mesh up to " +
                                    std::to_string(c.mesh_width) + " x " + std::to_string(c.mesh_height) +
                                    "; per core " + std::to_string(c.neurons) + " neurons, " +
                                    std::to_string(c.axons) + " axons, " + std::to_string(c.synapses) +
                                    " synapses"))
        << name << ": " << r;
  }
  EXPECT_TRUE(contains(r.out,
                       "functional  (default): mesh up to 16 x 16; per core 1024 neurons, 4096 axons, "
                       "65536 synapses, 16384 fan-out entries, 16 profiles"))
      << r;
  r = lifchip("backends --json");
  EXPECT_EQ(r.code, 0) << r;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  std::vector<std::string> names;
  for (const auto& b : j) names.push_back(b.at("name").get<std::string>());
  EXPECT_EQ(names, BackendRegistry::names());
  for (const auto& b : j)
    EXPECT_EQ(b.at("capacities").at("synapses_per_core"),
              BackendRegistry::capacities(b.at("name").get<std::string>()).synapses)
        << r;
}

// What the library itself produces for the example, to compare the program's outputs with.
pb::RunResult library_run(const std::string& learning = "", const std::string& backend = "functional") {
  std::unique_ptr<Backend> b = BackendRegistry::create(backend);
  const pb::ChipImage img = read_image_file(kImage);
  b->load(img);
  if (!learning.empty()) b->set_learning(learning == "on");
  RunOptions opt;
  opt.probes = read_probe_file(kProbes);
  pb::RunResult r = run(*b, read_stimuli_file(kStimuli), opt);
  r.set_image_name(img.name());
  return r;
}

TEST_F(Cli, RunPrintsSpikesAndCounters) {
  const Result r = lifchip("run " + quote(kImage) + " --stimuli " + quote(kStimuli));
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_EQ(r.err, "") << "a successful run writes nothing on stderr when it is not a terminal";
  for (const char* part : {"on backend functional", "48 steps, learning on", "output spikes: ", "ch    0",
                           "counters per core", "(1,1)", "total", "chip: host_in"})
    EXPECT_TRUE(contains(r.out, part)) << part << "\n" << r;
  const pb::RunResult lib = library_run();
  EXPECT_TRUE(contains(r.out, "output spikes: " + std::to_string(lib.spikes_size()) + " on")) << r;
}

TEST_F(Cli, RunJsonAndResultFilesEqualTheLibraryRun) {
  TempDir dir;
  const pb::RunResult lib = library_run();
  ASSERT_GT(lib.spikes_size(), 0);
  for (const std::string out : {"result.pb", "result.txtpb"}) {
    SCOPED_TRACE(out);
    const Result r = lifchip("run " + quote(kImage) + " --stimuli " + quote(kStimuli) + " --probes " +
                             quote(kProbes) + " --json -o " + quote(dir / out));
    ASSERT_EQ(r.code, 0) << r;
    // The RunResult file is exactly the library's result.
    pb::RunResult file;
    if (out == "result.pb") {
      ASSERT_TRUE(file.ParseFromString(slurp(dir / out)));
    } else {
      ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(slurp(dir / out), &file));
    }
    std::string diff;
    google::protobuf::util::MessageDifferencer d;
    d.ReportDifferencesToString(&diff);
    EXPECT_TRUE(d.Compare(lib, file)) << diff;
    // The JSON carries the same spikes, counters and probes.
    const nlohmann::json j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["backend"], "functional");
    EXPECT_EQ(j["image"], "small_net");
    EXPECT_EQ(j["steps"], lib.steps());
    EXPECT_EQ(j["learning"], true);
    ASSERT_EQ(j["spikes"].size(), static_cast<std::size_t>(lib.spikes_size()));
    for (int i = 0; i < lib.spikes_size(); ++i) {
      EXPECT_EQ(j["spikes"][i]["step"], lib.spikes(i).step());
      EXPECT_EQ(j["spikes"][i]["channel"], lib.spikes(i).channel());
    }
    ASSERT_EQ(j["cores"].size(), static_cast<std::size_t>(lib.counters().cores_size()));
    uint64_t syn_ops = 0;
    for (int c = 0; c < lib.counters().cores_size(); ++c) {
      const auto& cc = lib.counters().cores(c);
      EXPECT_EQ(j["cores"][c]["x"], cc.x());
      EXPECT_EQ(j["cores"][c]["y"], cc.y());
      EXPECT_EQ(j["cores"][c]["counters"]["syn_ops"], cc.values(spec::CNT_SYN_OPS));
      EXPECT_EQ(j["cores"][c]["counters"]["link_west"], cc.values(spec::CNT_LINK_WEST));
      EXPECT_EQ(j["cores"][c]["counters"]["stdp_updates"], cc.values(spec::CNT_STDP_UPDATES));
      syn_ops += cc.values(spec::CNT_SYN_OPS);
    }
    EXPECT_EQ(j["totals"]["syn_ops"], syn_ops);
    EXPECT_EQ(j["chip"]["timesteps"], lib.steps());
    EXPECT_EQ(j["chip"]["host_out"], lib.counters().chip(spec::CNT_CHIP_HOST_OUT));
    ASSERT_EQ(j["per_step"].size(), static_cast<std::size_t>(lib.per_step_size()));
    ASSERT_EQ(j["probes"].size(), static_cast<std::size_t>(lib.probes_size()));
    for (int p = 0; p < lib.probes_size(); ++p) {
      EXPECT_EQ(j["probes"][p]["what"], lib.probes(p).what());
      EXPECT_EQ(j["probes"][p]["values"].get<std::vector<int32_t>>(),
                std::vector<int32_t>(lib.probes(p).values().begin(), lib.probes(p).values().end()));
    }
  }
}

// --learning overrides the image: with it off no weight changes, and the example's outputs differ.
TEST_F(Cli, LearningSwitch) {
  const std::string base = "run " + quote(kImage) + " --stimuli " + quote(kStimuli) + " --json --learning ";
  const Result on = lifchip(base + "on"), off = lifchip(base + "off");
  ASSERT_EQ(on.code, 0) << on;
  ASSERT_EQ(off.code, 0) << off;
  const nlohmann::json jon = nlohmann::json::parse(on.out), joff = nlohmann::json::parse(off.out);
  EXPECT_EQ(joff["learning"], false);
  EXPECT_EQ(joff["totals"]["stdp_updates"], 0u);
  EXPECT_GT(jon["totals"]["stdp_updates"].get<uint64_t>(), 0u);
  EXPECT_NE(jon["spikes"], joff["spikes"]) << "learning should change the example's output spikes";
  EXPECT_EQ(joff["spikes"].size(), static_cast<std::size_t>(library_run("off").spikes_size()));
}

// The spec §8 names of counters 0..20, in id order, as the JSON output spells them.
const std::vector<std::string> kCounterNames = {
    "axon_events",      "syn_ops",          "neuron_active",    "neuron_idle",       "spikes",
    "packets_sent",     "packets_received", "axon_collisions",  "stdp_updates",      "trace_updates",
    "syn_mem_reads",    "syn_mem_writes",   "neuron_mem_reads", "neuron_mem_writes", "axon_mem_reads",
    "fanout_mem_reads", "link_local",       "link_north",       "link_east",         "link_south",
    "link_west"};

// Every registered backend runs the example through the same command and reports the library's
// spikes and functional counters (ids 0..20); stdout stays clean JSON (no SystemC banner).
TEST_F(Cli, EveryBackendGivesTheLibrarysSpikesAndCounters) {
  ASSERT_EQ(kCounterNames.size(), static_cast<std::size_t>(spec::CNT_FUNCTIONAL_COUNT));
  const pb::RunResult ref = library_run();
  for (const std::string& name : BackendRegistry::names()) {
    SCOPED_TRACE(name);
    const Result r =
        lifchip("run " + quote(kImage) + " --stimuli " + quote(kStimuli) + " --json --backend " + name);
    ASSERT_EQ(r.code, 0) << r;
    const nlohmann::json j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["backend"], name);
    ASSERT_EQ(j["spikes"].size(), static_cast<std::size_t>(ref.spikes_size()));
    for (int i = 0; i < ref.spikes_size(); ++i) {
      EXPECT_EQ(j["spikes"][i]["step"], ref.spikes(i).step());
      EXPECT_EQ(j["spikes"][i]["channel"], ref.spikes(i).channel());
    }
    ASSERT_EQ(j["cores"].size(), static_cast<std::size_t>(ref.counters().cores_size()));
    for (int c = 0; c < ref.counters().cores_size(); ++c)
      for (int id = 0; id < spec::CNT_FUNCTIONAL_COUNT; ++id)
        EXPECT_EQ(j["cores"][c]["counters"][kCounterNames[static_cast<std::size_t>(id)]],
                  ref.counters().cores(c).values(id))
            << "core " << c << " counter " << kCounterNames[static_cast<std::size_t>(id)];
  }
}

TEST_F(Cli, RunWithStepsOnly) {
  const Result r = lifchip("run " + quote(kImage) + " --steps 5");
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_TRUE(contains(r.out, "5 steps")) << r;
  EXPECT_TRUE(contains(r.out, "0 input spikes")) << r;
  EXPECT_TRUE(contains(r.out, "output spikes: none")) << r;
}

TEST_F(Cli, ImageCheckSummarisesAValidImage) {
  Result r = lifchip("image check " + quote(kImage));
  EXPECT_EQ(r.code, 0) << r;
  for (const char* part : {"valid chip image 'small_net'", "mesh 2x2 (3 of 4 cores used)", "learning on",
                           "(0,0)", "(1,0)", "(1,1)", "total"})
    EXPECT_TRUE(contains(r.out, part)) << part << "\n" << r;
  r = lifchip("image check --json " + quote(kImage));
  ASSERT_EQ(r.code, 0) << r;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  const pb::ChipImage img = read_image_file(kImage);
  EXPECT_EQ(j["checksum"], img.checksum());
  ASSERT_EQ(j["cores"].size(), 3u);
  EXPECT_EQ(j["cores"][2]["synapses"], static_cast<uint64_t>(img.cores(2).syn_neuron_size()));
  EXPECT_EQ(j["mesh"]["width"], 2);
}

TEST_F(Cli, SealMakesAHandEditedImageValid) {
  TempDir dir;
  const std::string edited = dir / "edited.txtpb";
  fs::copy_file(kCorpus + "/image_edited_after_seal.txtpb", edited);
  expect_input_error(lifchip("image check " + quote(edited)), {edited, "checksum", "lifchip image seal"});
  Result r = lifchip("image seal " + quote(edited) + " -o " + quote(dir / "sealed.txtpb"));
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_EQ(lifchip("image check " + quote(dir / "sealed.txtpb")).code, 0);
  // In place, and to binary.
  r = lifchip("image seal " + quote(edited) + " -o " + quote(edited));
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_EQ(lifchip("image check " + quote(edited)).code, 0);
  r = lifchip("image seal " + quote(edited) + " -o " + quote(dir / "sealed.pb"));
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_EQ(lifchip("image check " + quote(dir / "sealed.pb")).code, 0);
  const pb::ChipImage a = read_image_file(dir / "sealed.pb"), b = read_image_file(edited);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(a, b));
}

TEST_F(Cli, ConvertRoundTrips) {
  TempDir dir;
  for (const std::string ext : {".pb", ".binpb", ".pbtxt", ".textproto", ".txtpb"}) {
    SCOPED_TRACE(ext);
    const std::string out = dir / ("image" + ext);
    const Result r = lifchip("image convert " + quote(kImage) + " -o " + quote(out));
    ASSERT_EQ(r.code, 0) << r;
    EXPECT_EQ(slurp(out).find("format_version") != std::string::npos, is_text_format_path(out));
    EXPECT_TRUE(
        google::protobuf::util::MessageDifferencer::Equals(read_image_file(out), read_image_file(kImage)));
    EXPECT_EQ(lifchip("image check " + quote(out)).code, 0);
  }
  const std::string back = dir / "back.txtpb";
  EXPECT_EQ(lifchip("image convert " + quote(dir / "image.pb") + " -o " + quote(back)).code, 0);
  EXPECT_TRUE(
      google::protobuf::util::MessageDifferencer::Equals(read_image_file(back), read_image_file(kImage)));
}

using test::CorpusCase;
std::vector<CorpusCase> manifest() { return test::corpus_manifest(kCorpus); }

// Every broken file of the corpus, through the command a user would type: exit 1 and one line that
// names the file and the defect.
TEST_F(Cli, EveryCorpusFileGivesOneErrorLine) {
  const std::vector<CorpusCase> cases = manifest();
  ASSERT_GE(cases.size(), 100u);
  for (const CorpusCase& c : cases) {
    SCOPED_TRACE(c.file);
    const std::string path = kCorpus + "/" + c.file;
    std::string args;
    if (c.kind.rfind("image", 0) == 0)
      args = "image check " + quote(path);
    else if (c.kind.rfind("stimuli", 0) == 0)
      args = "run " + quote(kBaseImage) + " --stimuli " + quote(path);
    else
      args = "run " + quote(kBaseImage) + " --steps 2 --probes " + quote(path);
    expect_input_error(lifchip(args), {path, c.cli_expect});
  }
  // A bad image also fails `run`, `seal` and `convert` the same way.
  const std::string bad = kCorpus + "/image_du_range.txtpb";
  expect_input_error(lifchip("run " + quote(bad) + " --steps 1"), {bad, "du = 4096"});
}

// A failed command leaves no output file, not even a temporary one.
TEST_F(Cli, NoOutputFileAfterAFailure) {
  TempDir dir;
  const std::string bad_image = kCorpus + "/image_w_max_range.txtpb";
  const std::string bad_stimuli = kCorpus + "/stimuli_axon_range.txtpb";
  expect_input_error(lifchip("run " + quote(bad_image) + " --steps 3 -o " + quote(dir / "r.pb")),
                     {bad_image});
  expect_input_error(lifchip("run " + quote(kBaseImage) + " --stimuli " + quote(bad_stimuli) + " -o " +
                             quote(dir / "r.txtpb")),
                     {bad_stimuli});
  expect_input_error(lifchip("run " + quote(kBaseImage) + " --steps 3 --probes " +
                             quote(kCorpus + "/probes_missing_core.txtpb") + " -o " + quote(dir / "r.pb")),
                     {"probes_missing_core.txtpb"});
  expect_input_error(lifchip("image seal " + quote(bad_image) + " -o " + quote(dir / "s.txtpb")),
                     {bad_image});
  const std::string unsealed = kCorpus + "/image_unsealed.txtpb";
  expect_input_error(lifchip("image convert " + quote(unsealed) + " -o " + quote(dir / "c.pb")), {unsealed});
  EXPECT_EQ(dir.files(), std::vector<std::string>{});
  // An unwritable destination is a bad input too, reported before anything is left behind.
  const std::string nowhere = dir / "missing_dir/r.pb";
  expect_input_error(lifchip("run " + quote(kImage) + " --steps 2 -o " + quote(nowhere)),
                     {nowhere, "cannot write"});
  expect_input_error(lifchip("image seal " + quote(kImage) + " -o " + quote(nowhere)), {nowhere});
  EXPECT_EQ(dir.files(), std::vector<std::string>{});
}

TEST_F(Cli, MissingFilesAndUnknownBackend) {
  const std::string missing = "/nonexistent/lifchip/image.txtpb";
  expect_input_error(lifchip("image check " + missing), {missing, "cannot open"});
  expect_input_error(lifchip("run " + quote(kImage) + " --stimuli /nonexistent/s.pb"),
                     {"/nonexistent/s.pb", "cannot open"});
  TempDir dir;
  const std::string folder = dir / "a_folder.txtpb";
  fs::create_directories(folder);
  expect_input_error(lifchip("image check " + quote(folder)), {folder, "is a directory"});
  expect_input_error(lifchip("run " + quote(kImage) + " --stimuli " + quote(folder)),
                     {folder, "is a directory"});
  expect_input_error(lifchip("run " + quote(kImage) + " --steps 2 --backend nope"),
                     {"unknown backend 'nope'", "functional"});
}

}  // namespace
}  // namespace lifchip
