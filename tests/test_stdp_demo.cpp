// The on-chip STDP demo (tools/train/stdp_demo.py, docs/stdp_demo.md), shortened to its committed
// CI stimuli: learning on, every plastic weight, trace and the output spikes after the run are
// identical on every backend the build has (functional, SystemC, and RTL when it is built), and
// learning did something (weights moved both ways from their initial values).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "lifchip/backend.h"
#include "lifchip/chip_constants.h"
#include "lifchip/image.h"
#include "lifchip/run.h"

namespace lifchip {
namespace {

std::string example(const std::string& name) { return std::string(LIFCHIP_SOURCE_DIR) + "/tools/examples/" + name; }

struct Outcome {
  std::vector<uint32_t> synapse_words, traces;
  std::vector<OutputSpike> spikes;
  uint64_t stdp_updates = 0;
};

Outcome run_on(const std::string& name, const pb::ChipImage& image, const pb::Stimuli& stimuli) {
  std::unique_ptr<Backend> backend = BackendRegistry::create(name);
  backend->load(image);
  backend->inject(stimuli_spikes(stimuli));
  backend->step(stimuli_steps(stimuli));
  Outcome o;
  o.spikes = backend->drain();
  const pb::Core& core = image.cores(0);
  for (int s = 0; s < core.syn_neuron_size(); ++s)
    o.synapse_words.push_back(backend->read_word(core.x(), core.y(), 6, static_cast<uint32_t>(s)));
  for (int a = 0; a < core.axon_syn_base_size(); ++a)
    o.traces.push_back(backend->read_word(core.x(), core.y(), 8, static_cast<uint32_t>(a)));
  for (int n = 0; n < core.neuron_profile_size(); ++n)
    o.traces.push_back(
        backend->read_word(core.x(), core.y(), 8, spec::AXONS_PER_CORE_MAX + static_cast<uint32_t>(n)));
  o.stdp_updates = backend->counters().total(spec::CNT_STDP_UPDATES);
  return o;
}

TEST(StdpDemo, LearnedWeightsIdenticalAcrossBackends) {
  const pb::ChipImage image = read_image_file(example("stdp_demo.image.txtpb"));
  const pb::Stimuli stimuli = read_stimuli_file(example("stdp_demo_ci.stimuli.txtpb"));
  ASSERT_TRUE(image.learning_enabled());
  ASSERT_EQ(image.cores_size(), 1);
  const Outcome ref = run_on("functional", image, stimuli);

  // Learning happened: some plastic weights rose and some fell.
  const pb::Core& core = image.cores(0);
  int up = 0, down = 0;
  for (int s = 0; s < core.syn_weight_size(); ++s) {
    if (core.syn_group(s) != 0) continue;  // group 0 is the plastic one
    const int32_t w = layout::sign_extend(ref.synapse_words[static_cast<size_t>(s)] >> 10, 8);
    up += w > core.syn_weight(s);
    down += w < core.syn_weight(s);
  }
  EXPECT_GT(up, 0);
  EXPECT_GT(down, 0);
  EXPECT_GT(ref.stdp_updates, 0u);
  EXPECT_FALSE(ref.spikes.empty());

  std::vector<std::string> others = {"systemc"};
  const std::vector<std::string> names = BackendRegistry::names();
  if (std::find(names.begin(), names.end(), "rtl") != names.end()) others.push_back("rtl");
  for (const std::string& name : others) {
    const Outcome o = run_on(name, image, stimuli);
    EXPECT_EQ(o.synapse_words, ref.synapse_words) << name << ": learned weights differ from functional";
    EXPECT_EQ(o.traces, ref.traces) << name << ": traces differ from functional";
    EXPECT_EQ(o.spikes, ref.spikes) << name << ": output spikes differ from functional";
    EXPECT_EQ(o.stdp_updates, ref.stdp_updates) << name;
  }
}

}  // namespace
}  // namespace lifchip
