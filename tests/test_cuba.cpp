// The CUBA benchmark network (tests/support/cuba.h): it fits and validates, is deterministic, fires
// at a CUBA-like rate on the functional model, and both of its synapse kinds deliver events.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "lifchip/backend.h"
#include "lifchip/chip_constants.h"
#include "support/cuba.h"

namespace lifchip {
namespace {

namespace s = spec;
using test::cuba_excitatory;
using test::cuba_image;
using test::kCubaNeuronsPerCore;

constexpr uint32_t kNeurons = 4000;

// A copy of the image whose every neuron also sends its spikes to the host on channel = its
// global index (before its own fan-out entries), so a test can see who spiked. The network's
// dynamics are unchanged: host packets reach no axon.
pb::ChipImage with_spike_outputs(pb::ChipImage image) {
  for (int k = 0; k < image.cores_size(); ++k) {
    pb::Core* c = image.mutable_cores(k);
    const pb::Core old = *c;
    c->clear_fanout_to_host();
    c->clear_fanout_x();
    c->clear_fanout_y();
    c->clear_fanout_axon();
    for (int n = 0; n < old.neuron_profile_size(); ++n) {
      c->set_neuron_fanout_base(n, static_cast<uint32_t>(c->fanout_axon_size()));
      c->set_neuron_fanout_count(n, old.neuron_fanout_count(n) + 1);
      c->add_fanout_to_host(true);
      c->add_fanout_x(0);
      c->add_fanout_y(0);
      c->add_fanout_axon(static_cast<uint32_t>(k) * kCubaNeuronsPerCore + static_cast<uint32_t>(n));
      const uint32_t base = old.neuron_fanout_base(n);
      for (uint32_t f = base; f < base + old.neuron_fanout_count(n); ++f) {
        c->add_fanout_to_host(false);
        c->add_fanout_x(old.fanout_x(static_cast<int>(f)));
        c->add_fanout_y(old.fanout_y(static_cast<int>(f)));
        c->add_fanout_axon(old.fanout_axon(static_cast<int>(f)));
      }
    }
  }
  image.mutable_config()->set_fanout_per_core(s::FANOUT_PER_CORE_MAX);
  seal_image(image);
  return image;
}

// Synapses each neuron drives (its out-degree), read from the axons its fan-out entries target.
std::vector<uint64_t> out_degrees(const pb::ChipImage& image) {
  const uint32_t width = image.config().mesh_width();
  std::vector<uint64_t> out;
  for (const pb::Core& c : image.cores()) {
    for (int n = 0; n < c.neuron_profile_size(); ++n) {
      uint64_t d = 0;
      const uint32_t base = c.neuron_fanout_base(n);
      for (uint32_t f = base; f < base + c.neuron_fanout_count(n); ++f) {
        const int fi = static_cast<int>(f);
        if (c.fanout_to_host(fi)) continue;
        const pb::Core& dst = image.cores(static_cast<int>(c.fanout_y(fi) * width + c.fanout_x(fi)));
        d += dst.axon_syn_count(static_cast<int>(c.fanout_axon(fi)));
      }
      out.push_back(d);
    }
  }
  return out;
}

TEST(Cuba, ImageFitsSixteenCoresAndValidates) {
  const pb::ChipImage image = cuba_image(kNeurons, 1);
  EXPECT_NO_THROW(validate_sealed_image(image));
  EXPECT_EQ(image.config().mesh_width(), 4u);
  EXPECT_EQ(image.config().mesh_height(), 4u);
  ASSERT_EQ(image.cores_size(), 16);
  uint64_t synapses = 0, inhibitory = 0;
  for (const pb::Core& c : image.cores()) {
    // 15 full cores and 160 neurons on the last.
    EXPECT_EQ(c.neuron_profile_size(), &c == &image.cores(15) ? 160 : static_cast<int>(kCubaNeuronsPerCore));
    synapses += static_cast<uint64_t>(c.syn_neuron_size());
    for (uint32_t g : c.syn_group()) inhibitory += g;
    // Whole-network pool: each core receives from (nearly) every neuron, within the axon limit.
    EXPECT_GT(c.axon_syn_base_size(), 3750);
    EXPECT_LE(c.axon_syn_base_size(), static_cast<int>(kNeurons));
  }
  // p = 0.02 over 4000 x 4000 pairs: 320,000 expected, standard deviation ~560.
  EXPECT_NEAR(static_cast<double>(synapses), 320000.0, 3000.0);
  EXPECT_NEAR(static_cast<double>(inhibitory) / static_cast<double>(synapses), 0.2, 0.005);
  EXPECT_EQ(cuba_excitatory(kNeurons), 3200u);
}

TEST(Cuba, DeterministicForASeed) {
  const pb::ChipImage a = cuba_image(1000, 7), b = cuba_image(1000, 7), c = cuba_image(1000, 8);
  EXPECT_EQ(a.checksum(), b.checksum());
  EXPECT_EQ(a.SerializeAsString(), b.SerializeAsString());
  EXPECT_NE(a.checksum(), c.checksum());
}

TEST(Cuba, LargeNetworkDrawsPoolsWithinTheAxonLimit) {
  // A network larger than the pool (as 40,000 neurons are larger than the 4,000-source pool that
  // AXONS_PER_CORE_MAX allows), scaled down to a 1,000-source pool to keep the test fast.
  test::CubaParams prm;
  prm.pool = 1000;
  const uint32_t neurons = 2560;
  const pb::ChipImage image = cuba_image(neurons, 3, prm);
  EXPECT_NO_THROW(validate_sealed_image(image));
  EXPECT_EQ(image.cores_size(), 10);
  EXPECT_EQ(image.config().mesh_width(), 4u);
  EXPECT_EQ(image.config().mesh_height(), 3u);
  uint64_t synapses = 0, inhibitory = 0;
  for (const pb::Core& c : image.cores()) {
    EXPECT_LE(c.axon_syn_base_size(), 1000);
    synapses += static_cast<uint64_t>(c.syn_neuron_size());
    for (uint32_t g : c.syn_group()) inhibitory += g;
  }
  EXPECT_NEAR(static_cast<double>(synapses) / neurons, 80.0, 1.5);
  EXPECT_NEAR(static_cast<double>(inhibitory) / static_cast<double>(synapses), 0.2, 0.01);
  const std::vector<uint64_t> deg = out_degrees(image);
  uint64_t total = 0;
  for (uint64_t d : deg) total += d;
  EXPECT_EQ(total, synapses);
}

TEST(Cuba, FiresAtACubaRateWithExcitationAndInhibition) {
  const pb::ChipImage plain = cuba_image(kNeurons, 1);
  const pb::ChipImage image = with_spike_outputs(plain);
  const std::vector<uint64_t> degree = out_degrees(plain);
  std::unique_ptr<Backend> chip = BackendRegistry::create("functional");
  chip->load(image);
  constexpr uint32_t kSteps = 2000;  // 0.2 s
  std::vector<OutputSpike> spikes;
  for (uint32_t done = 0; done < kSteps; done += 100) {
    chip->step(100);
    const std::vector<OutputSpike> out = chip->drain();
    spikes.insert(spikes.end(), out.begin(), out.end());
  }
  const CounterSet cnt = chip->counters();
  const uint64_t counted = cnt.total(s::CNT_SPIKES);
  const double rate = static_cast<double>(counted) / kNeurons / (kSteps * 1e-4);
  EXPECT_GE(rate, 3.0);
  EXPECT_LE(rate, 9.0);
  ASSERT_EQ(spikes.size(), counted);

  // A spike of step t is delivered in step t + 1: the last step's spikes are not delivered yet.
  uint64_t exc_events = 0, inh_events = 0, exc_spikes = 0, inh_spikes = 0;
  for (const OutputSpike& sp : spikes) {
    ASSERT_LT(sp.channel, kNeurons);
    const bool exc = sp.channel < cuba_excitatory(kNeurons);
    (exc ? exc_spikes : inh_spikes) += 1;
    if (sp.step + 1 < kSteps) (exc ? exc_events : inh_events) += degree[sp.channel];
  }
  EXPECT_GT(exc_spikes, 0u);
  EXPECT_GT(inh_spikes, 0u);
  EXPECT_GT(exc_events, 0u);
  EXPECT_GT(inh_events, 0u);
  // One axon per (source, core) and one spike per source per step: no collisions, every event counted.
  EXPECT_EQ(cnt.total(s::CNT_AXON_COLLISIONS), 0u);
  EXPECT_EQ(cnt.total(s::CNT_SYN_OPS), exc_events + inh_events);
}

}  // namespace
}  // namespace lifchip
