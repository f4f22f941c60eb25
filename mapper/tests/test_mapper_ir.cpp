// The IR and our protobuf network format: exact round trips (in memory, text and binary files,
// seeded random networks), every IR rule and every format error naming its field, the pipeline.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <limits>
#include <random>

#include "lifchip/image.h"
#include "lifchip/mapper/import.h"
#include "lifchip/mapper/ir.h"
#include "lifchip/mapper/pass.h"

namespace lifchip::mapper {
namespace {

const std::string kData = LIFCHIP_MAPPER_TEST_DATA;

template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

#define EXPECT_ERROR_HAS(expr, ...)                                               \
  do {                                                                            \
    const std::string what_ = error_of([&] { (void)(expr); });                    \
    for (const char* want_ : {__VA_ARGS__})                                       \
      EXPECT_NE(what_.find(want_), std::string::npos) << want_ << " | " << what_; \
  } while (0)

// ---- the hand-written text file ---------------------------------------------------------------

TEST(MapperIr, ProtobufTextFileImports) {
  Report report;
  const Network net = import_network(kData + "/proto/small.txtpb", &report);
  EXPECT_EQ(report.section("import")->value("importer"), "protobuf");
  ASSERT_TRUE(net.dt.has_value());
  EXPECT_EQ(*net.dt, 0.001);
  ASSERT_EQ(net.num_populations(), 4u);
  const Population& in = net.population(0);
  const Population& hidden = net.population(1);
  const Population& readout = net.population(2);
  const Population& out = net.population(3);
  EXPECT_EQ(in.name, "in");
  EXPECT_EQ(in.kind, NeuronKind::kInput);
  EXPECT_TRUE(in.params == NeuronParams{});
  EXPECT_EQ(hidden.kind, NeuronKind::kCubaLIF);
  EXPECT_EQ(hidden.params.tau_mem, (std::vector<double>{0.02, 0.02, 0.02}));
  EXPECT_EQ(hidden.params.tau_syn, (std::vector<double>{0.005, 0.006, 0.007}));
  EXPECT_EQ(hidden.params.r, (std::vector<double>{1, 1, 1}));  // defaults
  EXPECT_EQ(hidden.params.v_leak, (std::vector<double>{0, 0, 0}));
  EXPECT_EQ(hidden.params.v_reset, (std::vector<double>{0, 0, 0}));
  EXPECT_EQ(hidden.params.w_in, (std::vector<double>{1, 1, 1}));
  EXPECT_EQ(hidden.params.input_bias, (std::vector<double>{0, 0.5, 0}));
  EXPECT_EQ(readout.kind, NeuronKind::kLI);
  EXPECT_EQ(readout.params.r, (std::vector<double>{2}));
  EXPECT_TRUE(readout.params.v_threshold.empty());
  EXPECT_EQ(out.kind, NeuronKind::kOutput);
  EXPECT_EQ(out.params.input_bias, (std::vector<double>{0}));
  const std::vector<ProjectionId> e = net.projections();
  ASSERT_EQ(e.size(), 4u);
  EXPECT_EQ(net.graph[e[0]].synapses,
            (std::vector<Synapse>{{0, 0, 0.5f}, {0, 1, -1.25f}, {1, 1, 2}, {1, 2, 0.75f}}));
  EXPECT_EQ(net.graph[e[1]].kernel, (std::vector<int32_t>{0, 0}));
  EXPECT_EQ(boost::source(e[1], net.graph), 1u);
  EXPECT_EQ(boost::target(e[1], net.graph), 1u);
  EXPECT_EQ(net.num_neurons(), 4u);
  EXPECT_EQ(net.num_synapses(), 10u);
  EXPECT_EQ(*net.find("readout"), 2u);
  EXPECT_FALSE(net.find("nobody").has_value());
}

// ---- round trips ------------------------------------------------------------------------------

// A seeded random network in canonical order (inputs, neurons, outputs), with awkward values:
// -0.0, subnormals, huge and tiny magnitudes, float64 values float32 cannot hold.
Network random_network(uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(-2, 2);
  auto value = [&]() -> double {
    switch (rng() % 8) {
      case 0:
        return -0.0;
      case 1:
        return std::numeric_limits<double>::denorm_min() * (1 + rng() % 5);
      case 2:
        return 1e300 * u(rng);
      case 3:
        return 0.1 + 1e-17 * (rng() % 7);
      default:
        return u(rng);
    }
  };
  auto positive = [&]() { return std::fabs(u(rng)) + 1e-6; };
  Network net;
  if (rng() % 2) net.dt = 1e-3 * (1 + rng() % 10);
  const NeuronKind kinds[] = {NeuronKind::kCubaLIF, NeuronKind::kLIF, NeuronKind::kIF, NeuronKind::kLI};
  std::vector<NeuronKind> plan;
  for (uint32_t i = 0, n = 1 + rng() % 2; i < n; ++i) plan.push_back(NeuronKind::kInput);
  for (uint32_t i = 0, n = 1 + rng() % 4; i < n; ++i) plan.push_back(kinds[rng() % 4]);
  for (uint32_t i = 0, n = rng() % 3; i < n; ++i) plan.push_back(NeuronKind::kOutput);
  for (std::size_t i = 0; i < plan.size(); ++i) {
    Population p;
    p.name = std::string(kind_name(plan[i])) + "_" + std::to_string(i);
    p.kind = plan[i];
    p.size = 1 + rng() % 12;
    if (rng() % 2) p.shape = {1, p.size};
    p.source_node = rng() % 2 ? "node." + std::to_string(i) : "";
    const ParamUse use = param_use(p.kind);
    const bool uniform = rng() % 3 == 0;  // all neurons alike: written as one value
    auto fill = [&](bool used, bool pos) {
      std::vector<double> v;
      if (!used) return v;
      const double first = pos ? positive() : value();
      for (uint32_t k = 0; k < p.size; ++k) v.push_back(uniform ? first : pos ? positive() : value());
      return v;
    };
    p.params.tau_mem = fill(use.tau_mem, true);
    p.params.tau_syn = fill(use.tau_syn, true);
    p.params.r = fill(use.r, false);
    p.params.v_leak = fill(use.v_leak, false);
    p.params.v_threshold = fill(use.v_threshold, false);
    p.params.v_reset = fill(use.v_reset, false);
    p.params.w_in = fill(use.w_in, false);
    p.params.input_bias = fill(use.input_bias, false);
    net.add_population(std::move(p));
  }
  for (uint32_t k = 0, n = rng() % 7; k < n; ++k) {
    const PopulationId src = rng() % plan.size(), dst = rng() % plan.size();
    if (plan[src] == NeuronKind::kOutput || plan[dst] == NeuronKind::kInput) continue;
    Projection pr;
    pr.name = "p" + std::to_string(k);
    if (rng() % 2) pr.nodes = {"a", "b.c"};
    const bool shared = rng() % 2;
    if (shared) pr.kernel_weights = {0.5f, -0.0f, 3e-39f, 1e38f};
    for (uint32_t s = 0, m = rng() % 20; s < m; ++s) {
      Synapse syn{static_cast<uint32_t>(rng() % net.population(src).size),
                  static_cast<uint32_t>(rng() % net.population(dst).size), static_cast<float>(u(rng))};
      if (shared) {
        const int32_t cls = static_cast<int32_t>(rng() % 5) - 1;
        if (cls >= 0) syn.weight = pr.kernel_weights[static_cast<std::size_t>(cls)];
        pr.kernel.push_back(cls);
      }
      pr.synapses.push_back(syn);
    }
    if (pr.kernel.empty()) pr.kernel_weights.clear();
    net.add_projection(src, dst, std::move(pr));
  }
  return net;
}

TEST(MapperIr, RandomNetworksRoundTripExactly) {
  const std::string bin = ::testing::TempDir() + "/lifchip_mapper_rt.pb";
  const std::string txt = ::testing::TempDir() + "/lifchip_mapper_rt.txtpb";
  for (uint32_t seed = 1; seed <= 60; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const Network net = random_network(seed);
    ASSERT_NO_THROW(net.validate());
    const pb::Network m = to_proto(net);
    const Network back = from_proto(m);
    ASSERT_TRUE(back == net);
    // The protobuf side is canonical: converting back gives the same bytes.
    EXPECT_EQ(to_proto(back).SerializeAsString(), m.SerializeAsString());
    write_network_file(bin, m);
    write_network_file(txt, m);
    EXPECT_TRUE(import_network(bin) == net);
    EXPECT_TRUE(import_network(txt) == net);
  }
  std::remove(bin.c_str());
  std::remove(txt.c_str());
}

TEST(MapperIr, EqualityNoticesEveryDifference) {
  const Network base = random_network(5);
  ASSERT_GT(base.num_synapses(), 0u);
  std::vector<std::function<void(Network&)>> edits = {
      [](Network& n) { n.population(0).name += "x"; },
      [](Network& n) {
        for (PopulationId v : n.populations())
          if (!n.population(v).params.input_bias.empty()) {
            double& b = n.population(v).params.input_bias[0];
            b = b == 5.0 ? 6.0 : 5.0;
            return;
          }
      },
      [](Network& n) { n.population(0).shape.push_back(1); },
      [](Network& n) { n.dt = n.dt ? std::optional<double>() : std::optional<double>(1.0); },
      [](Network& n) {
        for (ProjectionId e : n.projections())
          if (!n.graph[e].synapses.empty()) {
            n.graph[e].synapses[0].weight = std::nextafter(n.graph[e].synapses[0].weight, 10.0f);
            return;
          }
      },
      [](Network& n) {
        n.add_population(Population{"extra", 1, NeuronKind::kInput, {}, "", {}});
      },
  };
  for (std::size_t i = 0; i < edits.size(); ++i) {
    Network changed = base;
    edits[i](changed);
    EXPECT_FALSE(changed == base) << "edit " << i;
  }
}

// ---- IR rules ---------------------------------------------------------------------------------

Network two_layers() {
  Network n;
  Population in{"in", 2, NeuronKind::kInput, {}, "", {}};
  Population lif{"lif", 3, NeuronKind::kLIF, {}, "", {}};
  lif.params.tau_mem = {0.01, 0.01, 0.01};
  lif.params.r = lif.params.v_leak = lif.params.v_reset = lif.params.input_bias = {0, 0, 0};
  lif.params.v_threshold = {1, 1, 1};
  Population out{"out", 3, NeuronKind::kOutput, {}, "", {}};
  out.params.input_bias = {0, 0, 0};
  n.add_population(in);
  n.add_population(lif);
  n.add_population(out);
  Projection p;
  p.name = "w";
  p.synapses = {{0, 0, 1}, {1, 2, -1}};
  n.add_projection(0, 1, p);
  return n;
}

TEST(MapperIr, ValidateNamesEveryRule) {
  ASSERT_NO_THROW(two_layers().validate());
  struct Case {
    std::function<void(Network&)> edit;
    std::vector<const char*> want;
  };
  const std::vector<Case> cases = {
      {[](Network& n) { n.population(1).name = "in"; }, {"population 'in'", "field 'name'", "used twice"}},
      {[](Network& n) { n.population(0).name = ""; }, {"population 0", "field 'name'", "empty"}},
      {[](Network& n) { n.population(0).size = 0; }, {"population 'in'", "field 'size'"}},
      {[](Network& n) {
         n.population(1).shape = {2, 2};
       },
       {"population 'lif'", "field 'shape'"}},
      {[](Network& n) { n.population(1).params.tau_mem.pop_back(); },
       {"field 'tau_mem'", "2 values for 3 neurons"}},
      {[](Network& n) { n.population(1).params.tau_mem[1] = 0; }, {"field 'tau_mem'", "neuron 1", "> 0"}},
      {[](Network& n) { n.population(1).params.v_threshold[2] = NAN; },
       {"field 'v_threshold'", "neuron 2", "not finite"}},
      {[](Network& n) {
         n.population(1).params.tau_syn = {1, 1, 1};
       },
       {"field 'tau_syn'", "LIF population takes no"}},
      {[](Network& n) {
         n.population(0).params.input_bias = {0, 0};
       },
       {"population 'in'", "field 'input_bias'"}},
      {[](Network& n) { n.graph[n.projections()[0]].synapses[1].pre = 2; },
       {"projection 0 'w'", "synapse 1", "field 'pre'"}},
      {[](Network& n) { n.graph[n.projections()[0]].synapses[0].post = 3; }, {"synapse 0", "field 'post'"}},
      {[](Network& n) { n.graph[n.projections()[0]].synapses[0].weight = INFINITY; },
       {"synapse 0", "field 'weight'"}},
      {[](Network& n) { n.graph[n.projections()[0]].kernel = {0}; },
       {"field 'kernel'", "1 entries for 2 synapses"}},
      {[](Network& n) {
         n.graph[n.projections()[0]].kernel = {0, -1};
         n.graph[n.projections()[0]].kernel_weights = {2};
       },
       {"synapse 0", "field 'weight'", "differs from its kernel class 0"}},
      {[](Network& n) {
         n.graph[n.projections()[0]].kernel = {1, -1};
       },
       {"synapse 0", "field 'kernel'"}},
      {[](Network& n) { n.graph[n.projections()[0]].kernel_weights = {1}; },
       {"field 'kernel_weights'", "no 'kernel'"}},
      {[](Network& n) { n.add_projection(2, 1, Projection{}); },
       {"field 'source'", "an output cannot be a source"}},
      {[](Network& n) { n.add_projection(1, 0, Projection{}); },
       {"field 'target'", "an input cannot be a target"}},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    Network n = two_layers();
    cases[i].edit(n);
    const std::string what = error_of([&] { n.validate("net"); });
    EXPECT_EQ(what.rfind("net: ", 0), 0u) << what;
    for (const char* w : cases[i].want)
      EXPECT_NE(what.find(w), std::string::npos) << "case " << i << ": " << w << " | " << what;
  }
}

// ---- protobuf errors --------------------------------------------------------------------------

TEST(MapperIr, ProtobufErrorsNameTheField) {
  const pb::Network good = to_proto(two_layers());
  ASSERT_NO_THROW(from_proto(good));
  struct Case {
    std::function<void(pb::Network&)> edit;
    std::vector<const char*> want;
  };
  const std::vector<Case> cases = {
      {[](pb::Network& m) { m.set_format_version(2); }, {"field 'format_version'"}},
      {[](pb::Network& m) { m.set_dt(-1); }, {"field 'dt'"}},
      {[](pb::Network& m) { m.mutable_populations(0)->set_model(pb::NEURON_MODEL_UNSPECIFIED); },
       {"population 0 'lif'", "field 'model'", "not set"}},
      {[](pb::Network& m) { m.mutable_populations(0)->set_model(static_cast<pb::NeuronModel>(42)); },
       {"field 'model'", "unknown value 42"}},
      {[](pb::Network& m) { m.mutable_populations(0)->clear_tau_mem(); },
       {"field 'tau_mem'", "missing (required by LIF)"}},
      {[](pb::Network& m) { m.mutable_populations(0)->clear_v_threshold(); },
       {"field 'v_threshold'", "missing"}},
      {[](pb::Network& m) { m.mutable_populations(0)->mutable_tau_syn()->add_values(1); },
       {"field 'tau_syn'", "LIF population takes no such parameter"}},
      {[](pb::Network& m) {
         auto* v = m.mutable_populations(0)->mutable_r();
         v->clear_values();
         v->add_values(1);
         v->add_values(2);
       },
       {"field 'r'", "2 values, expected 1 or 3"}},
      {[](pb::Network& m) { m.mutable_populations(0)->set_size(0); }, {"population 0 'lif'", "field 'size'"}},
      {[](pb::Network& m) { m.mutable_populations(0)->set_size(4000000000u); }, {"field 'size'", "limit"}},
      {[](pb::Network& m) { m.mutable_inputs(0)->mutable_input_bias()->add_values(1); },
       {"input 0 'in'", "field 'input_bias'"}},
      {[](pb::Network& m) { m.mutable_outputs(0)->set_name("in"); },
       {"output 0 'in'", "field 'name'", "used twice"}},
      {[](pb::Network& m) { m.mutable_projections(0)->set_source("nobody"); },
       {"projection 0 'w'", "field 'source'", "'nobody'"}},
      {[](pb::Network& m) { m.mutable_projections(0)->set_target("nobody"); }, {"field 'target'"}},
      {[](pb::Network& m) { m.mutable_projections(0)->clear_weights(); }, {"field 'weights'", "neither"}},
      {[](pb::Network& m) { m.mutable_projections(0)->mutable_dense()->add_weights(1); },
       {"field 'dense.weights'", "1 values, expected 3 x 2"}},
      {[](pb::Network& m) { m.mutable_projections(0)->mutable_sparse()->add_pre(0); },
       {"field 'sparse'", "pre, post and weight"}},
      {[](pb::Network& m) { m.mutable_projections(0)->mutable_sparse()->add_kernel(0); },
       {"field 'sparse.kernel'"}},
      {[](pb::Network& m) { m.mutable_projections(0)->add_kernel_weights(1); }, {"field 'kernel_weights'"}},
      {[](pb::Network& m) { m.mutable_projections(0)->mutable_sparse()->set_post(0, 7); },
       {"synapse 0", "field 'post'"}},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    pb::Network m = good;
    cases[i].edit(m);
    const std::string what = error_of([&] { from_proto(m, "f.pb"); });
    EXPECT_EQ(what.rfind("f.pb: ", 0), 0u) << what;
    for (const char* w : cases[i].want)
      EXPECT_NE(what.find(w), std::string::npos) << "case " << i << ": " << w << " | " << what;
  }
}

TEST(MapperIr, DenseWeightsDropZerosInTargetMajorOrder) {
  pb::Network m = to_proto(two_layers());
  pb::Projection* p = m.mutable_projections(0);
  p->mutable_dense()->Clear();
  for (float w : {0.0f, 1.0f, 2.0f, 0.0f, 0.0f, -3.0f}) p->mutable_dense()->add_weights(w);
  const Network n = from_proto(m);
  EXPECT_EQ(n.graph[n.projections()[0]].synapses, (std::vector<Synapse>{{1, 0, 1}, {0, 1, 2}, {1, 2, -3}}));
}

TEST(MapperIr, BrokenProtobufFiles) {
  const std::string dir = ::testing::TempDir();
  auto write = [&](const std::string& name, const std::string& bytes) {
    std::ofstream(dir + "/" + name, std::ios::binary) << bytes;
    return dir + "/" + name;
  };
  EXPECT_ERROR_HAS(import_network(write("garbage.pb", std::string("\xff\xff\xff\x01garbage", 11))),
                   "garbage.pb", "not a valid binary");
  EXPECT_ERROR_HAS(import_network(write("empty.pb", "")), "empty.pb", "empty file");
  EXPECT_ERROR_HAS(
      import_network(write("bad.txtpb", "inputs { name: \"a\" size: 1 }\npopulations { nme: 1 }\n")),
      "bad.txtpb", "line 2", "nme");
  // A field number this schema does not know (written by a newer tool).
  std::string unknown = to_proto(two_layers()).SerializeAsString();
  unknown += std::string("\xf8\x06\x01", 3);  // field 111, varint 1
  EXPECT_ERROR_HAS(import_network(write("newer.pb", unknown)), "newer.pb", "unknown field number 111");
  EXPECT_ERROR_HAS(import_network(dir + "/missing.pb"), "missing.pb", "cannot open");
  EXPECT_ERROR_HAS(write_network_file(dir + "/no/such/dir/x.pb", pb::Network()), "cannot write");
}

// ---- the pipeline ----------------------------------------------------------------------------

class ScaleWeights : public Pass {
 public:
  explicit ScaleWeights(float f) : f_(f) {}
  std::string name() const override { return "scale"; }
  void run(Network& network, ReportSection& report) override {
    uint64_t n = 0;
    for (ProjectionId e : network.projections())
      for (Synapse& s : network.graph[e].synapses) s.weight *= f_, ++n;
    report.figure("synapses scaled", n);
  }

 private:
  float f_;
};

class BreakNames : public Pass {
 public:
  std::string name() const override { return "break"; }
  void run(Network& network, ReportSection&) override { network.population(1).name = "in"; }
};

TEST(MapperIr, PipelineRunsPassesInOrderAndValidatesAfterEach) {
  Network net = two_layers();
  Pipeline pipeline;
  pipeline.add(std::make_unique<ScaleWeights>(2)).add(std::make_unique<ScaleWeights>(3));
  EXPECT_EQ(pipeline.names(), (std::vector<std::string>{"scale", "scale"}));
  Report report;
  pipeline.run(net, report);
  ASSERT_EQ(report.sections.size(), 2u);
  EXPECT_EQ(report.sections[1].value("synapses scaled"), "2");
  EXPECT_EQ(net.graph[net.projections()[0]].synapses[1].weight, -6.0f);
  Pipeline bad;
  bad.add(std::make_unique<BreakNames>());
  EXPECT_ERROR_HAS(bad.run(net, report), "after pass 'break'", "used twice");
}

}  // namespace
}  // namespace lifchip::mapper
