// Long runs in constant memory (RunOptions::on_part, docs/formats.md §3): a run streamed in parts is,
// once its parts are concatenated and joined, exactly the run kept whole, on the functional and
// SystemC models, for every random-network preset with probes and read-outs; the parts carry the
// totals once; `lifchip run -o` streams and its file reads back as the library's own run.
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "lifchip/backend.h"
#include "lifchip/image.h"
#include "lifchip/run.h"
#include "support/cli_run.h"
#include "support/random_network.h"

namespace lifchip::test {
namespace {

namespace gp = google::protobuf;

// Probes on the first two cores of the image (a neuron twice: two traces with one label), and a
// read-out range on the first core.
pb::ProbeSpec probes_for(const pb::ChipImage& image) {
  pb::ProbeSpec spec;
  for (int c = 0; c < std::min(2, image.cores_size()); ++c) {
    const pb::Core& core = image.cores(c);
    if (core.neuron_profile_size() > 0) {
      for (int twice = 0; twice < 2; ++twice) {
        auto* n = spec.add_neurons();
        n->set_x(core.x());
        n->set_y(core.y());
        n->set_neuron(static_cast<uint32_t>(core.neuron_profile_size() - 1));
      }
    }
    if (core.axon_syn_base_size() > 0) {
      auto* a = spec.add_axons();
      a->set_x(core.x());
      a->set_y(core.y());
      a->set_axon(0);
    }
    if (core.syn_neuron_size() > 0) {
      auto* s = spec.add_synapses();
      s->set_x(core.x());
      s->set_y(core.y());
      s->set_address(static_cast<uint32_t>(core.syn_neuron_size() - 1));
    }
  }
  const pb::Core& first = image.cores(0);
  if (first.neuron_profile_size() > 0) {
    auto* r = spec.add_readouts();
    r->set_x(first.x());
    r->set_y(first.y());
    r->set_first(0);
    r->set_count(static_cast<uint32_t>(std::min(3, first.neuron_profile_size())));
  }
  return spec;
}

std::string differences(const gp::Message& a, const gp::Message& b) {
  gp::util::MessageDifferencer d;
  std::string report;
  d.ReportDifferencesToString(&report);
  return d.Compare(a, b) ? "" : report.substr(0, 2000);
}

struct Streamed {
  std::vector<pb::RunResult> parts;
  pb::RunResult totals;
  std::string binary, text;  // the parts' bytes, concatenated
};

Streamed run_streamed(Backend& b, const pb::ChipImage& image, const std::vector<InputSpike>& stimuli,
                      RunOptions ro, uint32_t part_steps) {
  Streamed s;
  b.load(image);
  b.inject(stimuli);
  ro.part_steps = part_steps;
  ro.on_part = [&](const pb::RunResult& part) {
    s.parts.push_back(part);
    s.binary += part.SerializeAsString();
    std::string t;
    gp::TextFormat::PrintToString(part, &t);
    s.text += t;
  };
  s.totals = run(b, pb::Stimuli{}, ro);
  return s;
}

class RunStream : public ::testing::TestWithParam<std::string> {};

TEST_P(RunStream, PartsJoinedAreTheWholeRun) {
  std::vector<std::string> presets = preset_names();
  presets.push_back("readout");
  const std::string backend = GetParam();
  std::unique_ptr<Backend> b = BackendRegistry::create(backend);
  for (const std::string& name : presets) {
    for (uint64_t seed = 1; seed <= (name == "largest" ? 1u : 2u); ++seed) {
      SCOPED_TRACE("preset " + name + " seed " + std::to_string(seed) + " on " + backend);
      const RandomNetOptions opts = preset(name, seed);
      const pb::ChipImage image = random_image(opts);
      const std::vector<InputSpike> stimuli =
          random_stimuli(image, seed * 7 + 1, opts.steps, opts.input_rate);
      RunOptions ro;
      ro.steps = opts.steps;
      ro.probes = probes_for(image);
      b->load(image);
      b->inject(stimuli);
      const pb::RunResult whole = run(*b, pb::Stimuli{}, ro);
      ASSERT_GT(whole.per_step_size(), 0);

      for (uint32_t part_steps : {1u, 5u, opts.steps, opts.steps + 3}) {
        SCOPED_TRACE("part_steps " + std::to_string(part_steps));
        const Streamed s = run_streamed(*b, image, stimuli, ro, part_steps);
        const std::size_t want_parts = (opts.steps + part_steps - 1) / part_steps;
        ASSERT_EQ(s.parts.size(), want_parts);
        // The totals come once, in the last part; run() returns them and nothing per step.
        for (std::size_t k = 0; k + 1 < s.parts.size(); ++k) {
          EXPECT_FALSE(s.parts[k].has_counters()) << "part " << k;
          EXPECT_EQ(s.parts[k].steps(), 0u) << "part " << k;
          EXPECT_TRUE(s.parts[k].backend().empty()) << "part " << k;
        }
        EXPECT_EQ(s.totals.spikes_size() + s.totals.per_step_size() + s.totals.probes_size(), 0);
        EXPECT_EQ(s.totals.steps(), whole.steps());
        EXPECT_EQ(differences(s.totals.counters(), whole.counters()), "");
        if (want_parts == 1) {
          EXPECT_EQ(s.parts[0].SerializeAsString(), whole.SerializeAsString());
        }

        pb::RunResult joined;
        ASSERT_TRUE(joined.ParseFromString(s.binary));
        join_run_parts(joined);
        EXPECT_EQ(differences(joined, whole), "");
        // The text parts concatenated parse strictly (a singular field given twice would not).
        pb::RunResult joined_text;
        ASSERT_TRUE(gp::TextFormat::ParseFromString(s.text, &joined_text));
        join_run_parts(joined_text);
        EXPECT_EQ(differences(joined_text, whole), "");
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, RunStream, ::testing::Values("functional", "systemc"));

TEST(RunStream, JoinRefusesAPieceThatContinuesNothing) {
  pb::RunResult r;
  auto* a = r.add_probes();
  a->set_what("v (0,0) 1");
  a->add_values(1);
  a->add_values(2);
  auto* b = r.add_probes();
  b->set_what("v (0,0) 1");
  b->set_first_step(3);  // the trace ends at step 2
  b->add_values(3);
  EXPECT_THROW(
      {
        try {
          join_run_parts(r);
        } catch (const InputError& e) {
          EXPECT_NE(
              std::string(e.what()).find("probes[1] ('v (0,0) 1'): a piece from step 3 continues no trace"),
              std::string::npos)
              << e.what();
          throw;
        }
      },
      InputError);
  pb::RunResult q;
  auto* t = q.add_readouts();
  t->set_count(2);
  t->add_values(1);
  t->add_values(2);
  auto* u = q.add_readouts();
  u->set_count(2);
  u->set_first_step(2);  // the trace holds one step
  u->add_values(3);
  u->add_values(4);
  EXPECT_THROW(join_run_parts(q), InputError);
  u->set_first_step(1);
  join_run_parts(q);
  ASSERT_EQ(q.readouts_size(), 1);
  EXPECT_EQ(q.readouts(0).values_size(), 4);
}

// `lifchip run -o` streams in parts of 65,536 steps: a 150,000-step run with probes writes three
// parts, and the file, joined, is the library's own run of the same image (image name aside).
TEST(RunStream, CliFileOfALongRunIsTheLibrarysRun) {
  const std::string src = LIFCHIP_SOURCE_DIR;
  const std::string image_path = src + "/tools/examples/small_net.image.txtpb";
  const std::string stimuli_path = src + "/tools/examples/small_net.stimuli.txtpb";
  const std::string probes_path = src + "/tools/examples/small_net.probes.txtpb";
  TempDir dir;
  constexpr uint32_t kSteps = 150000;
  for (const std::string backend : {"functional", "systemc"}) {
    SCOPED_TRACE(backend);
    const std::string out = dir / ("r_" + backend + ".pb");
    const CliResult cli =
        run_cli(std::string(LIFCHIP_BINARY_DIR) + "/tools/lifchip",
                "run " + image_path + " --stimuli " + stimuli_path + " --probes " + probes_path +
                    " --steps " + std::to_string(kSteps) + " --backend " + backend + " -o " + out);
    ASSERT_EQ(cli.code, 0) << cli;
    pb::RunResult file;
    ASSERT_TRUE(file.ParseFromString(slurp(out)));
    EXPECT_EQ(file.probes_size(), 3 * 7);  // 7 probe traces in 3 parts
    join_run_parts(file);

    const pb::ChipImage image = read_image_file(image_path);
    std::unique_ptr<Backend> b = BackendRegistry::create(backend);
    b->load(image);
    RunOptions ro;
    ro.steps = kSteps;
    ro.probes = read_probe_file(probes_path);
    pb::RunResult lib = run(*b, read_stimuli_file(stimuli_path), ro);
    lib.set_image_name(image.name());
    EXPECT_EQ(differences(file, lib), "");
  }
}

}  // namespace
}  // namespace lifchip::test
