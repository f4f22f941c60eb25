// The documented maxima of docs/reliability.md ("Limits"): every size a file can declare that is not
// already covered by the broken-file corpus (tests/corpus/expected_errors.txt: mesh, capacities per
// core, run steps) is refused here one beyond its limit, with the error naming the field and limit.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "lifchip/flow/data.h"
#include "lifchip/flow/session.h"
#include "lifchip/json_read.h"
#include "lifchip/run.h"
#include "suite.h"
#include "trace.h"

namespace lifchip {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kLimits = std::string(LIFCHIP_SOURCE_DIR) + "/tests/corpus/limits";

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

#define EXPECT_CONTAINS(text, part)                    \
  do {                                                 \
    const std::string t_ = (text);                     \
    EXPECT_NE(t_.find(part), std::string::npos) << t_; \
  } while (0)

std::string temp_file(const std::string& name, const std::string& content) {
  const fs::path dir = fs::temp_directory_path() / ("lifchip_limits_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string p = (dir / name).string();
  std::ofstream(p) << content;
  return p;
}

TEST(Limits, SpikesPerStep) {
  pb::Stimuli st;
  pb::StepInput* in = st.add_steps();
  for (uint64_t k = 0; k <= kMaxSpikesPerStep; ++k) {
    in->add_x(0);
    in->add_y(0);
    in->add_axon(0);
  }
  EXPECT_CONTAINS(error_of([&] { stimuli_spikes(st); }), "1048577 spikes exceed the limit 1048576 per step");
  in->mutable_x()->RemoveLast();
  in->mutable_y()->RemoveLast();
  in->mutable_axon()->RemoveLast();
  EXPECT_EQ(stimuli_spikes(st).size(), kMaxSpikesPerStep);  // the limit itself is legal
}

std::string suite_with(std::size_t cases, const std::string& extra) {
  std::string s = "{\"cases\": [";
  for (std::size_t i = 0; i < cases; ++i)
    s += std::string(i ? "," : "") + "{\"name\": \"c" + std::to_string(i) + "\", \"image\": \"x\"" + extra + "}";
  return s + "]}";
}

TEST(Limits, SuiteCases) {
  const std::string over = temp_file("over.json", suite_with(hil::kSuiteMaxCases + 1, ""));
  EXPECT_CONTAINS(error_of([&] { hil::read_suite(over); }), "cases: 4097 cases exceed the limit 4096");
  EXPECT_EQ(hil::read_suite(temp_file("at.json", suite_with(hil::kSuiteMaxCases, ""))).cases.size(), 4096u);
}

TEST(Limits, SuiteStepsAndCorruptWords) {
  const std::string steps = temp_file("steps.json", suite_with(1, ", \"steps\": 1048577"));
  EXPECT_CONTAINS(error_of([&] { hil::read_suite(steps); }), "case \"c0\": steps 1048577 not in 0 ... 1048576");
  std::string words = ", \"corrupt_words\": [0";
  for (std::size_t i = 0; i < hil::kSuiteMaxCorruptWords; ++i) words += ",0";
  const std::string cw = temp_file("words.json", suite_with(1, words + "]"));
  EXPECT_CONTAINS(error_of([&] { hil::read_suite(cw); }), "corrupt_words: 4097 values exceed the limit 4096");
}

json golden_head() {
  return {{"format", "lifchip-golden-1"}, {"platform", "functional"}, {"timing", false}, {"status", 0},
          {"status_text", "ok"},          {"status_step", 0}};
}

TEST(Limits, GoldenSteps) {
  json g = golden_head();
  g["steps"] = json::array();
  for (std::size_t i = 0; i <= hil::kGoldenMaxSteps; ++i) g["steps"].push_back(nullptr);
  EXPECT_CONTAINS(error_of([&] { hil::trace_from_json(g, "g.json"); }), "g.json: steps: 1048577 steps exceed the limit 1048576");
}

TEST(Limits, GoldenValuesPerList) {
  json g = golden_head();
  json step = {{"step", 0}, {"outputs", json::array()}};
  for (std::size_t i = 0; i <= hil::kGoldenMaxValues; ++i) step["outputs"].push_back(0);
  g["steps"] = json::array({step});
  EXPECT_CONTAINS(error_of([&] { hil::trace_from_json(g, "g.json"); }),
                  "g.json: steps[0].outputs: 4194305 values exceed the limit 4194304");
}

TEST(Limits, JsonNestingDepth) {
  const auto nested = [](int depth) { return std::string(depth, '[') + std::string(depth, ']'); };
  EXPECT_NO_THROW(json_read::parse(nested(json_read::kMaxDepth), "d.json"));
  EXPECT_CONTAINS(error_of([&] { json_read::parse(nested(json_read::kMaxDepth + 1), "d.json"); }),
                  "d.json: not valid JSON: nested deeper than 64 levels");
}

TEST(Limits, NirDatasetElements) {
  const std::string p = kLimits + "/nir_dataset_too_many_values.nir";
  EXPECT_CONTAINS(error_of([&] { flow::load_network_file(p); }),
                  "node 'lin' (Affine): field 'weight': [2, 134217728] is more than 134217728 values");
}

TEST(Limits, NirDatasetMustBeStoredInTheFile) {
  const std::string p = kLimits + "/nir_dataset_unstored.nir";
  EXPECT_CONTAINS(error_of([&] { flow::load_network_file(p); }),
                  "field 'weight': declares 8192 values (32768 bytes) but the file stores 0 bytes");
}

TEST(Limits, NirDatasetChunks) {
  const std::string p = kLimits + "/nir_dataset_too_many_chunks.nir";
  EXPECT_CONTAINS(error_of([&] { flow::load_network_file(p); }),
                  "node 'lin' (Affine): field 'weight': stored in more than 65536 chunks");
}

TEST(Limits, NirImportTerms) {
  // 32,768 weights whose folded product is 2^28 synapses: refused before the product is allocated.
  const std::string p = kLimits + "/nir_import_too_many_terms.nir";
  EXPECT_CONTAINS(error_of([&] { flow::load_network_file(p); }),
                  "node 'b' (Affine): would need 268435456 more synapse terms with 32768 made: more than the "
                  "limit 134217728 of one import");
}

TEST(Limits, NetworkNeurons) {
  // NIR: Input(2^24) straight to Output(2^24), refused before either population is built.
  EXPECT_CONTAINS(
      error_of([&] { flow::load_network_file(kLimits + "/nir_network_too_many_neurons.nir"); }),
      "the network's populations hold 33554432 neurons in all, more than the limit 16777216 of one "
      "network");
  // Our protobuf: every population within its own limit, too many together.
  const std::string pb = temp_file("many.txtpb",
                                   "inputs { name: \"in\" size: 16777216 }\n"
                                   "populations { name: \"p\" size: 1 model: LIF }\n");
  EXPECT_CONTAINS(
      error_of([&] { flow::load_network_file(pb); }),
      "many.txtpb: the populations declare 16777217 neurons in all, more than the limit 16777216 of one "
      "network");
  // One population beyond it on its own is named.
  const std::string one = temp_file("one.txtpb", "inputs { name: \"in\" size: 16777217 }\n");
  EXPECT_CONTAINS(error_of([&] { flow::load_network_file(one); }),
                  "one.txtpb: input 0 'in': field 'size': 16777217 > limit 16777216");
}

TEST(Limits, NirSubgraphNesting) {
  const std::string p = kLimits + "/nir_nested_too_deep.nir";
  EXPECT_CONTAINS(error_of([&] { flow::load_network_file(p); }), "graphs nested deeper than 32 levels");
}

TEST(Limits, ArrayElements) {
  // An NPY header declaring one element more than kMaxArrayElements, with no data behind it.
  const std::string shape = "(" + std::to_string(flow::kMaxArrayElements + 1) + ",)";
  std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': " + shape + ", }";
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string npy = std::string("\x93NUMPY\x01\x00", 8);
  npy += static_cast<char>(header.size() & 0xFF);
  npy += static_cast<char>(header.size() >> 8);
  npy += header;
  EXPECT_CONTAINS(error_of([&] { flow::parse_npy(npy, "a.npy"); }), "a.npy: NPY shape holds more than 67108864 elements");
}

}  // namespace
}  // namespace lifchip
