// The NIR importer: every valid test file against its numpy expectation, every broken file gives
// one InputError naming file, node and field, a seeded mutation fuzz, the import registry and the
// registry of node translators.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "lifchip/image.h"
#include "lifchip/mapper/import.h"
#include "lifchip/mapper/import_nir.h"
#include "nir/producers.h"
#include "nir_file.h"
#include "nir/translator.h"

namespace lifchip::mapper {
namespace {

using nlohmann::json;

const std::string kData = LIFCHIP_MAPPER_TEST_DATA;

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

json load_json(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  return json::parse(in);
}

std::vector<double> numbers(const json& j) {
  std::vector<double> v;
  for (const json& x : j) v.push_back(x.get<double>());
  return v;
}

struct ParamRef {
  const char* name;
  std::vector<double> NeuronParams::*member;
};
const ParamRef kParams[] = {{"tau_mem", &NeuronParams::tau_mem},
                            {"tau_syn", &NeuronParams::tau_syn},
                            {"r", &NeuronParams::r},
                            {"v_leak", &NeuronParams::v_leak},
                            {"v_threshold", &NeuronParams::v_threshold},
                            {"v_reset", &NeuronParams::v_reset},
                            {"w_in", &NeuronParams::w_in},
                            {"input_bias", &NeuronParams::input_bias}};

void check_against_expectation(const std::string& name) {
  SCOPED_TRACE(name);
  const std::string path = kData + "/nir/" + name + ".nir";
  const json exp = load_json(kData + "/nir/" + name + ".expect.json");
  Report report;
  const Network net = import_network(path, &report);
  const ReportSection* section = report.section("import");
  ASSERT_NE(section, nullptr);
  EXPECT_EQ(section->value("importer"), "nir");
  if (!exp["version"].is_null())
    EXPECT_EQ(section->value("nir version"), exp["version"].get<std::string>());
  else
    EXPECT_NE(section->value("nir version").find("none"), std::string::npos);

  ASSERT_EQ(net.num_populations(), exp["populations"].size());
  for (std::size_t i = 0; i < exp["populations"].size(); ++i) {
    const json& e = exp["populations"][i];
    const Population& p = net.population(i);
    SCOPED_TRACE("population " + p.name);
    EXPECT_EQ(p.name, e["name"].get<std::string>());
    EXPECT_EQ(kind_name(p.kind), e["kind"].get<std::string>());
    EXPECT_EQ(p.size, e["size"].get<uint32_t>());
    EXPECT_EQ(p.shape, e["shape"].get<std::vector<uint32_t>>());
    EXPECT_EQ(p.source_node, p.name);
    for (const ParamRef& f : kParams) {
      const std::vector<double>& got = p.params.*(f.member);
      if (e["params"].contains(f.name))
        EXPECT_EQ(got, numbers(e["params"][f.name])) << f.name;
      else
        EXPECT_TRUE(got.empty()) << f.name;
    }
  }
  const std::vector<ProjectionId> projections = net.projections();
  ASSERT_EQ(projections.size(), exp["projections"].size());
  for (std::size_t k = 0; k < projections.size(); ++k) {
    const json& e = exp["projections"][k];
    const Projection& pr = net.graph[projections[k]];
    SCOPED_TRACE("projection " + pr.name);
    EXPECT_EQ(net.population(boost::source(projections[k], net.graph)).name, e["source"].get<std::string>());
    EXPECT_EQ(net.population(boost::target(projections[k], net.graph)).name, e["target"].get<std::string>());
    EXPECT_EQ(pr.name, e["name"].get<std::string>());
    EXPECT_EQ(pr.nodes, e["nodes"].get<std::vector<std::string>>());
    const std::vector<uint32_t> pre = e["pre"], post = e["post"];
    const std::vector<double> weight = numbers(e["weight"]);
    ASSERT_EQ(pr.synapses.size(), pre.size());
    for (std::size_t s = 0; s < pre.size(); ++s) {
      ASSERT_EQ(pr.synapses[s].pre, pre[s]) << "synapse " << s;
      ASSERT_EQ(pr.synapses[s].post, post[s]) << "synapse " << s;
      ASSERT_EQ(pr.synapses[s].weight, static_cast<float>(weight[s])) << "synapse " << s;
    }
    if (!e["kernel_classes"].is_null()) {
      // A direct convolution: one class per kernel entry it uses, every synapse in a class.
      ASSERT_TRUE(pr.shared());
      EXPECT_EQ(pr.kernel_weights.size(), e["kernel_classes"].get<std::size_t>());
      for (std::size_t s = 0; s < pr.synapses.size(); ++s) {
        ASSERT_GE(pr.kernel[s], 0);
        EXPECT_EQ(pr.kernel_weights[static_cast<std::size_t>(pr.kernel[s])], pr.synapses[s].weight);
      }
    }
  }
  if (exp.contains("notes")) {
    for (const json& want : exp["notes"]) {
      bool found = false;
      for (const std::string& n : section->notes)
        found = found || n.find(want.get<std::string>()) != std::string::npos;
      EXPECT_TRUE(found) << "no report note contains '" << want.get<std::string>() << "'";
    }
  }
  // The IR survives our protobuf format unchanged.
  EXPECT_EQ(from_proto(to_proto(net)), net);
}

TEST(MapperImportNir, AffineLifVersion1) { check_against_expectation("affine_lif_v1"); }
TEST(MapperImportNir, LinearRecurrentCubaLifVersion020) { check_against_expectation("linear_cubalif_v020"); }
TEST(MapperImportNir, LinearScaleIfAffineLiVersion011) { check_against_expectation("if_li_scale_v011"); }
TEST(MapperImportNir, Version01LayoutWithoutVersion) { check_against_expectation("v01_noversion"); }
TEST(MapperImportNir, Conv2dSumPoolConv2d) { check_against_expectation("conv2d_pool"); }
TEST(MapperImportNir, Conv1dGroupsDilationPadding) { check_against_expectation("conv1d_groups"); }
TEST(MapperImportNir, Conv2dSamePaddingScaleAvgPool) { check_against_expectation("conv2d_same_avgpool"); }
TEST(MapperImportNir, NestedRecurrentSubgraph) { check_against_expectation("nested"); }
TEST(MapperImportNir, NestedDottedPaths) { check_against_expectation("nested_dotted"); }
TEST(MapperImportNir, ScalarParametersBroadcast) { check_against_expectation("broadcast_scalars"); }
TEST(MapperImportNir, InconsistentDeclaredShapesTolerated) {
  check_against_expectation("inconsistent_shapes");
}
TEST(MapperImportNir, CompressedFixedLengthStrings) { check_against_expectation("compressed_fixedstr"); }
TEST(MapperImportNir, TwoInputsAndADiamondAddUp) { check_against_expectation("multi_input_sum"); }
TEST(MapperImportNir, DirectEdgesAndDeadNodes) { check_against_expectation("direct_edges"); }

// Every expectation file has a test above (a new case added to the generator fails here first).
TEST(MapperImportNir, EveryValidFileIsChecked) {
  const std::vector<std::string> checked = {
      "affine_lif_v1",       "linear_cubalif_v020", "if_li_scale_v011", "v01_noversion", "conv2d_pool",
      "conv1d_groups",       "conv2d_same_avgpool", "nested",           "nested_dotted", "broadcast_scalars",
      "inconsistent_shapes", "compressed_fixedstr", "multi_input_sum",  "direct_edges"};
  std::size_t files = 0;
  for (const std::string& name : checked)
    files += std::ifstream(kData + "/nir/" + name + ".expect.json").good();
  EXPECT_EQ(files, checked.size());
}

// Shared-weight bookkeeping survives a broadcast Scale: classes are kernel entries (times 0.5),
// each reused at several image positions. (Expansion against a direct convolution:
// test_mapper_linear_map.cpp.)
TEST(MapperImportNir, ExpandedConvolutionSharesItsKernel) {
  const Network net = import_nir(kData + "/nir/conv2d_same_avgpool.nir");
  const Projection& pr = net.graph[net.projections()[0]];
  ASSERT_TRUE(pr.shared());
  // 4 output channels x 1 input channel x 3 x 3, times the Scale 0.5: at most 36 classes, each
  // used at several positions of the 4 x 4 image.
  EXPECT_LE(pr.kernel_weights.size(), 36u);
  std::vector<int> uses(pr.kernel_weights.size(), 0);
  for (int32_t k : pr.kernel) ++uses[static_cast<std::size_t>(k)];
  for (int u : uses) EXPECT_GE(u, 4);
}

// ---- node translators -------------------------------------------------------------------------

// Every supported type has exactly the translator its family needs, and the unsupported-type error
// lists them in the order it always has (docs/nir.md §1.1.1).
TEST(MapperNirTranslators, EveryTypeIsRegisteredWithWhatItsFamilyNeeds) {
  EXPECT_EQ(
      nir::supported_types(),
      "Input, Output, Affine, Linear, Scale, Flatten, Conv1d, Conv2d, SumPool2d, AvgPool2d, LIF, CubaLIF, "
      "IF, LI, CubaLI, NIRGraph");
  const std::vector<std::string> linear = {"Affine", "Linear", "Scale",     "Flatten",
                                           "Conv1d", "Conv2d", "SumPool2d", "AvgPool2d"};
  for (const std::string& t : linear) {
    const nir::NodeTranslator* tr = nir::find_translator(t);
    ASSERT_NE(tr, nullptr) << t;
    EXPECT_EQ(tr->type, t);
    EXPECT_EQ(tr->family, nir::Family::kLinear) << t;
    EXPECT_NE(tr->lower, nullptr) << t;
  }
  const std::map<std::string, NeuronKind> neurons = {{"LIF", NeuronKind::kLIF},
                                                     {"CubaLIF", NeuronKind::kCubaLIF},
                                                     {"IF", NeuronKind::kIF},
                                                     {"LI", NeuronKind::kLI}};
  for (const auto& [t, kind] : neurons) {
    const nir::NodeTranslator* tr = nir::find_translator(t);
    ASSERT_NE(tr, nullptr) << t;
    EXPECT_EQ(tr->family, nir::Family::kNeuron) << t;
    EXPECT_EQ(tr->kind, kind) << t;
    EXPECT_EQ(tr->spikes, kind != NeuronKind::kLI) << t;
    // The table fills exactly the parameters the IR's kind takes.
    const ParamUse use = param_use(kind);
    using Member = std::vector<double> NeuronParams::*;
    std::vector<Member> filled;  // member pointers have no order: a list, each member at most once
    for (const nir::NeuronField& f : tr->params) filled.push_back(f.member);
    auto fills = [&](Member m) { return std::count(filled.begin(), filled.end(), m); };
    EXPECT_EQ(fills(&NeuronParams::tau_mem), use.tau_mem ? 1 : 0) << t;
    EXPECT_EQ(fills(&NeuronParams::tau_syn), use.tau_syn ? 1 : 0) << t;
    EXPECT_EQ(fills(&NeuronParams::r), use.r ? 1 : 0) << t;
    EXPECT_EQ(fills(&NeuronParams::v_leak), use.v_leak ? 1 : 0) << t;
    EXPECT_EQ(fills(&NeuronParams::v_threshold), use.v_threshold ? 1 : 0) << t;
    EXPECT_EQ(fills(&NeuronParams::v_reset), use.v_reset ? 1 : 0) << t;
    EXPECT_EQ(fills(&NeuronParams::w_in), use.w_in ? 1 : 0) << t;
    EXPECT_EQ(filled.size(), std::size_t(use.tau_mem + use.tau_syn + use.r + use.v_leak + use.v_threshold +
                                         use.v_reset + use.w_in))
        << t;
  }
  EXPECT_EQ(nir::find_translator("Input")->family, nir::Family::kInput);
  EXPECT_EQ(nir::find_translator("Output")->family, nir::Family::kOutput);
  EXPECT_EQ(nir::find_translator("NIRGraph")->family, nir::Family::kGraph);
  for (const char* t : {"Delay", "Threshold", "I", "lif", ""})
    EXPECT_EQ(nir::find_translator(t), nullptr) << t;
}

// ---- producer readings ---------------------------------------------------------------------------

// Two inputs -> two CubaLIF neurons -> output, with the parameters Lava-DL's netx converter writes:
// tau = 1/decay (iDecay 1024 and 4096, vDecay 128 of 4096), r = 1, w_in = tau_syn, vThMant 80.
Network lava_like() {
  Network net;
  Population in;
  in.name = "0";
  in.kind = NeuronKind::kInput;
  in.size = 2;
  Population c;
  c.name = "2";
  c.kind = NeuronKind::kCubaLIF;
  c.size = 2;
  c.params.tau_syn = {1.0 / 1024, 1.0 / 4096};
  c.params.tau_mem = {1.0 / 128, 1.0 / 128};
  c.params.r = {1, 1};
  c.params.v_leak = {0, 0};
  c.params.v_threshold = {80, 80};
  c.params.v_reset = {0, 0};
  c.params.w_in = c.params.tau_syn;
  c.params.input_bias = {0, 0};
  Population out;
  out.name = "5";
  out.kind = NeuronKind::kOutput;
  out.size = 2;
  out.params.input_bias = {0, 0};
  const PopulationId a = net.add_population(in), b = net.add_population(c), o = net.add_population(out);
  Projection w;
  w.name = "1";
  w.synapses = {{0, 0, 60.0f}, {1, 1, -20.0f}};
  net.add_projection(a, b, w);
  Projection id;
  id.name = "2->5";
  id.synapses = {{0, 0, 1.0f}, {1, 1, 1.0f}};
  net.add_projection(b, o, id);
  net.validate();
  return net;
}

// Lava-DL's form is read Lava's way: at dt = 1, dt/tau' is Lava's decay fraction and x enters i,
// i enters v unscaled (w_in dt/tau_syn = r dt/tau_mem = 1); weights and thresholds as written.
TEST(MapperNirProducers, LavaDlNetxIsReadLavasWay) {
  Network net = lava_like();
  ReportSection report;
  ASSERT_TRUE(nir::read_lava_dl(net, report));
  const NeuronParams& q = net.population(1).params;
  EXPECT_EQ(q.tau_syn, (std::vector<double>{4, 1}));
  EXPECT_EQ(q.tau_mem, (std::vector<double>{32, 32}));
  EXPECT_EQ(q.w_in, q.tau_syn);
  EXPECT_EQ(q.r, q.tau_mem);
  EXPECT_EQ(q.v_threshold, (std::vector<double>{80, 80}));
  EXPECT_EQ(net.graph[net.projections()[0]].synapses[0].weight, 60.0f);
  ASSERT_TRUE(net.dt.has_value());
  EXPECT_EQ(*net.dt, 1.0);
  net.validate();
  ASSERT_EQ(report.notes.size(), 1u);
  EXPECT_NE(report.notes[0].find("Lava-DL netx convention"), std::string::npos) << report.notes[0];
  const std::optional<nir::ProducerReading> read = nir::producer_reading(net);
  ASSERT_TRUE(read.has_value());
  EXPECT_NE(read->producer.find("Lava-DL"), std::string::npos) << read->producer;
  EXPECT_NE(read->rule.find("dt = 1 s"), std::string::npos) << read->rule;
  // Read once: a second reading finds the network no longer in the converter's form.
  EXPECT_FALSE(nir::read_lava_dl(net, report));
  EXPECT_EQ(q.tau_syn, (std::vector<double>{4, 1}));
}

// Anything not exactly in that form keeps NIR's equations (and so the dt rules of docs/nir.md §5).
TEST(MapperNirProducers, OtherConventionsAreNotLavaDl) {
  const std::vector<std::pair<std::string, std::function<void(NeuronParams&)>>> others = {
      {"snnTorch-like r = tau_mem / dt",
       [](NeuronParams& q) {
         q.r = {78.125, 78.125};
       }},
      {"Norse-like w_in = 1",
       [](NeuronParams& q) {
         q.w_in = {1, 1};
       }},
      {"1/tau_syn not an integer decay", [](NeuronParams& q) { q.tau_syn[1] = q.w_in[1] = 1 / 1000.5; }},
      {"1/tau_mem beyond 4096", [](NeuronParams& q) { q.tau_mem[0] = 1e-4; }},
      {"threshold not an integer", [](NeuronParams& q) { q.v_threshold[0] = 1.5; }},
      {"a leak", [](NeuronParams& q) { q.v_leak[1] = 0.25; }},
      {"a reset potential", [](NeuronParams& q) { q.v_reset[0] = -1; }},
  };
  for (const auto& [why, change] : others) {
    SCOPED_TRACE(why);
    Network net = lava_like();
    change(net.population(1).params);
    const NeuronParams before = net.population(1).params;
    ReportSection report;
    EXPECT_FALSE(nir::read_lava_dl(net, report));
    EXPECT_EQ(net.population(1).params, before);
    EXPECT_FALSE(net.dt.has_value());
    EXPECT_TRUE(report.notes.empty());
    EXPECT_FALSE(nir::producer_reading(net).has_value());
  }
  // A network with a dt of its own, or a population of another kind, is not read either.
  Network stated = lava_like();
  stated.dt = 1e-3;
  ReportSection report;
  EXPECT_FALSE(nir::read_lava_dl(stated, report));
  Network lif = lava_like();
  Population extra;
  extra.name = "lif";
  extra.kind = NeuronKind::kLIF;
  extra.size = 1;
  extra.params.tau_mem = {1};
  extra.params.r = {1};
  extra.params.v_leak = {0};
  extra.params.v_threshold = {80};
  extra.params.v_reset = {0};
  extra.params.input_bias = {0};
  lif.add_population(extra);
  EXPECT_FALSE(nir::read_lava_dl(lif, report));
}

// The corpus file in the converter's form maps at dt = 1 and names Lava-DL (the CLI's test of the
// same file: tests/test_nir_corpus.cpp).
TEST(MapperNirProducers, LavaDlCorpusFileIsDetected) {
  ReportSection report;
  const Network net = import_nir(kData + "/../../../tests/nir_corpus/lava_dl_netx_output.nir", &report);
  ASSERT_TRUE(net.dt.has_value());
  EXPECT_EQ(*net.dt, 1.0);
  EXPECT_TRUE(nir::producer_reading(net).has_value());
  bool noted = false;
  for (const std::string& n : report.notes) noted |= n.find("Lava-DL netx convention") != std::string::npos;
  EXPECT_TRUE(noted);
}

// ---- broken files ----------------------------------------------------------------------------

TEST(MapperImportNir, EveryBrokenFileGivesOneClearError) {
  const json manifest = load_json(kData + "/nir/broken/manifest.json");
  ASSERT_GE(manifest.size(), 40u);
  for (const json& entry : manifest) {
    const std::string file = entry["file"];
    const std::string path = kData + "/nir/broken/" + file;
    SCOPED_TRACE(file);
    try {
      import_network(path);
      ADD_FAILURE() << "no error";
    } catch (const InputError& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find(file), std::string::npos) << what;
      for (const json& want : entry["contains"])
        EXPECT_NE(what.find(want.get<std::string>()), std::string::npos)
            << "'" << want << "' not in: " << what;
      EXPECT_EQ(what.find('\n'), std::string::npos) << "one line: " << what;
    } catch (const std::exception& e) {
      ADD_FAILURE() << "not an InputError: " << e.what();
    }
  }
}

TEST(MapperImportNir, MissingFileNamesIt) {
  try {
    import_network(kData + "/nir/no_such_file.nir");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("no_such_file.nir: cannot open"), std::string::npos) << e.what();
  }
}

// ---- reading in a child process -------------------------------------------------------------

void expect_same_node(const nir::Node& a, const nir::Node& b) {
  SCOPED_TRACE(a.path);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.path, b.path);
  EXPECT_EQ(a.type, b.type);
  EXPECT_EQ(a.edges, b.edges);
  ASSERT_EQ(a.fields.size(), b.fields.size());
  for (auto i = a.fields.begin(), j = b.fields.begin(); i != a.fields.end(); ++i, ++j) {
    EXPECT_EQ(i->first, j->first);
    EXPECT_EQ(i->second.kind, j->second.kind);
    EXPECT_EQ(i->second.shape, j->second.shape);
    EXPECT_EQ(i->second.strings, j->second.strings);
    EXPECT_EQ(i->second.type_class, j->second.type_class);
    ASSERT_EQ(i->second.numbers.size(), j->second.numbers.size());
    // Bit for bit: NaN payloads and -0.0 included.
    if (!i->second.numbers.empty()) {
      EXPECT_EQ(0, std::memcmp(i->second.numbers.data(), j->second.numbers.data(),
                               i->second.numbers.size() * sizeof(double)));
    }
  }
  ASSERT_EQ(a.nodes.size(), b.nodes.size());
  for (std::size_t k = 0; k < a.nodes.size(); ++k) expect_same_node(a.nodes[k], b.nodes[k]);
}

// What `read_file` sends back from its child process is exactly what the reader gives in this
// process: the same tree, or the same one-line error, for every NIR file of the tests (broken
// ones too).
TEST(MapperNirFile, ChildProcessReadsExactlyWhatTheReaderGives) {
  int trees = 0, errors = 0;
  for (const std::string& dir : {kData + "/nir", kData + "/nir/broken"})
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      if (entry.path().extension() != ".nir") continue;
      const std::string path = entry.path().string();
      SCOPED_TRACE(path);
      std::string here_error, child_error;
      nir::File here, child;
      try {
        here = nir::read_file_in_process(path);
      } catch (const InputError& e) {
        here_error = e.what();
      }
      try {
        child = nir::read_file(path);
      } catch (const InputError& e) {
        child_error = e.what();
      }
      EXPECT_EQ(here_error, child_error);
      if (!here_error.empty()) {
        ++errors;
        continue;
      }
      ++trees;
      EXPECT_EQ(here.has_version, child.has_version);
      EXPECT_EQ(here.version, child.version);
      expect_same_node(here.root, child.root);
    }
  EXPECT_GE(trees, 15);
  EXPECT_GE(errors, 10);
}

// A file that crashes libhdf5 1.10.8 (found by tests/fuzz/ nir) ends the child, not this process:
// one InputError naming the file and the signal.
TEST(MapperNirFile, ALibhdf5CrashIsAnInputError) {
  const std::string path = kData + "/../../../tests/corpus/findings/nir_libhdf5_segv_accum_read.nir";
  try {
    nir::read_file(path);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(path + ": HDF5 error (corrupt file?): libhdf5 stopped reading it (signal 11"),
              std::string::npos)
        << e.what();
  }
}

// ---- mutation fuzz ---------------------------------------------------------------------------

// Bit flips, byte overwrites and truncations of valid files: every outcome is an InputError or a
// network that passes validation; a crash or any other exception fails (with seed and iteration).
TEST(MapperImportNir, MutationFuzz) {
  const std::vector<std::string> seeds = {"nested", "conv2d_pool", "compressed_fixedstr", "v01_noversion"};
  const std::string tmp = ::testing::TempDir() + "/lifchip_mapper_fuzz.nir";
  constexpr uint32_t kSeed = 20240605;
  constexpr int kPerFile = 100;
  std::mt19937 rng(kSeed);
  int errors = 0, imported = 0;
  for (const std::string& name : seeds) {
    const std::string original = read_bytes(kData + "/nir/" + name + ".nir");
    ASSERT_GT(original.size(), 1000u);
    for (int it = 0; it < kPerFile; ++it) {
      std::string data = original;
      const int kind = static_cast<int>(rng() % 4);
      if (kind == 0) {  // a few bit flips anywhere
        for (int f = 1 + static_cast<int>(rng() % 8); f > 0; --f)
          data[rng() % data.size()] ^= char(1u << (rng() % 8));
      } else if (kind == 1) {  // bit flips in the metadata-heavy first 4 KiB
        for (int f = 1 + static_cast<int>(rng() % 4); f > 0; --f)
          data[rng() % std::min<std::size_t>(4096, data.size())] ^= char(1u << (rng() % 8));
      } else if (kind == 2) {  // a run of random bytes
        const std::size_t at = rng() % data.size(), n = 1 + rng() % 16;
        for (std::size_t i = at; i < std::min(data.size(), at + n); ++i) data[i] = static_cast<char>(rng());
      } else {  // truncation
        data.resize(rng() % data.size());
      }
      {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out.write(data.data(), static_cast<std::streamsize>(data.size()));
      }
      try {
        const Network net = import_network(tmp);
        net.validate();
        ++imported;
      } catch (const InputError&) {
        ++errors;
      } catch (const std::exception& e) {
        ADD_FAILURE() << "seed " << kSeed << " file " << name << " iteration " << it << ": " << e.what();
      }
    }
  }
  std::remove(tmp.c_str());
  EXPECT_GT(errors, 0);
  EXPECT_GT(imported, 0);  // many flips hit weights or padding: still a valid network
}

// ---- registry --------------------------------------------------------------------------------

TEST(MapperImportRegistry, ChoosesByExtension) {
  EXPECT_EQ(ImporterRegistry::for_path("a/net.nir")->name(), "nir");
  EXPECT_EQ(ImporterRegistry::for_path("NET.H5")->name(), "nir");
  EXPECT_EQ(ImporterRegistry::for_path("net.hdf5")->name(), "nir");
  EXPECT_EQ(ImporterRegistry::for_path("net.pb")->name(), "protobuf");
  EXPECT_EQ(ImporterRegistry::for_path("net.txtpb")->name(), "protobuf");
  const std::vector<std::string> names = ImporterRegistry::names();
  EXPECT_EQ(names, (std::vector<std::string>{"nir", "protobuf"}));
  try {
    ImporterRegistry::for_path("net.onnx");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(".nir (nir)"), std::string::npos) << e.what();
  }
  EXPECT_THROW(ImporterRegistry::create("onnx"), InputError);
  EXPECT_EQ(ImporterRegistry::create("nir")->name(), "nir");
}

TEST(MapperImportRegistry, ImportReportSection) {
  Report report;
  const Network net = import_network(kData + "/nir/nested.nir", &report);
  const ReportSection* s = report.section("import");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->value("populations"), "4");
  EXPECT_EQ(s->value("neurons"), "6");
  EXPECT_EQ(s->value("synapses"), std::to_string(net.num_synapses()));
  EXPECT_EQ(s->value("nir version"), "1.0.6");
}

}  // namespace
}  // namespace lifchip::mapper
