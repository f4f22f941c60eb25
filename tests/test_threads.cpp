// Threads change speed, never results: the functional model with 2 and 3 threads against 1 thread
// (every step: spikes, counters, per-link loads, figures, every memory word, STDP weights and traces),
// the same for whole step(n) calls, host FIFO overflow errors, faults armed after a direct-delivery
// run, and run_batch against samples run one by one.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "lifchip/backend.h"
#include "lifchip/chip_constants.h"
#include "lifchip/image.h"
#include "lifchip/run.h"
#include "support/compare.h"
#include "support/cuba.h"
#include "support/random_network.h"
#include "support/reference_model.h"

namespace lifchip::test {
namespace {

namespace s = spec;

std::unique_ptr<Backend> functional(unsigned threads) {
  std::unique_ptr<Backend> b = BackendRegistry::create("functional");
  b->set_threads(threads);
  return b;
}

// Some runs change things through the host interface in the middle: counters cleared (direct
// packets in flight across the clear), extra input spikes (host collisions with direct packets).
CompareOptions mid_run(uint64_t seed, const pb::ChipImage& image) {
  CompareOptions o;
  if (seed % 2 == 0) return o;
  const pb::Core& first = image.cores(0);
  const auto axons = static_cast<uint32_t>(first.axon_syn_base_size());
  o.before_step = [=](Backend& b, uint32_t step) {
    if (step == 7) b.clear_counters();
    if (step % 3 == 1 && axons > 0) b.inject({{step, first.x(), first.y(), step % axons}});
  };
  return o;
}

class Threads : public ::testing::TestWithParam<std::string> {};

// Step by step, every word compared after every step, 1 thread against 2 and 3.
TEST_P(Threads, StepByStepMatchesOneThread) {
  const std::string name = GetParam();
  const uint64_t seeds = name == "largest" ? 1 : 4;
  for (uint64_t seed = 1; seed <= seeds; ++seed) {
    const RandomNetOptions opts = preset(name, seed);
    const pb::ChipImage image = random_image(opts);
    const std::vector<InputSpike> stimuli = random_stimuli(image, seed * 7 + 1, opts.steps, opts.input_rate);
    for (unsigned threads : {2u, 3u}) {
      std::unique_ptr<Backend> one = functional(1), many = functional(threads);
      const Divergence d = run_and_compare(*one, *many, image, stimuli, opts.steps, mid_run(seed, image));
      EXPECT_TRUE(d.identical) << "preset " << name << " seed " << seed << ", " << threads
                               << " threads: " << d.where;
    }
  }
}

// And against the spec's reference model directly (with the host-interface changes).
TEST_P(Threads, ThreeThreadsMatchTheReferenceModel) {
  const std::string name = GetParam();
  for (uint64_t seed = 101; seed <= (name == "largest" ? 101u : 106u); ++seed) {
    const RandomNetOptions opts = preset(name, seed);
    const pb::ChipImage image = random_image(opts);
    const std::vector<InputSpike> stimuli = random_stimuli(image, seed, opts.steps, opts.input_rate);
    std::unique_ptr<Backend> many = functional(3);
    ReferenceBackend ref;
    const Divergence d = run_and_compare(*many, ref, image, stimuli, opts.steps, mid_run(seed, image));
    EXPECT_TRUE(d.identical) << "preset " << name << " seed " << seed << ": " << d.where;
  }
}

INSTANTIATE_TEST_SUITE_P(Presets, Threads, ::testing::ValuesIn(preset_names()),
                         [](const auto& info) { return info.param; });

// Whole step(n) calls (one thread team for all steps) end in the same state as one thread.
TEST(ThreadsBulk, StepNOnCubaMatchesOneThread) {
  const pb::ChipImage image = cuba_image(1500, 3);  // 6 cores, direct delivery, tonic firing
  std::unique_ptr<Backend> one = functional(1);
  one->load(image);
  one->step(300);
  for (unsigned threads : {2u, 3u}) {
    std::unique_ptr<Backend> many = functional(threads);
    many->load(image);
    many->step(120);
    many->step(180);
    const Divergence d = compare_state(*one, *many, image, "after 300 steps");
    EXPECT_TRUE(d.identical) << threads << " threads: " << d.where;
    EXPECT_GT(many->counters().total(s::CNT_SYN_OPS), 0u);
    const std::vector<StepFigure> a = one->take_step_figures(), b = many->take_step_figures();
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t k = 0; k < a.size(); ++k) {
      EXPECT_EQ(a[k].step, b[k].step);
      EXPECT_EQ(a[k].spikes, b[k].spikes) << "step " << k;
      EXPECT_EQ(a[k].syn_ops, b[k].syn_ops) << "step " << k;
      EXPECT_EQ(a[k].packets, b[k].packets) << "step " << k;
    }
    // take_step_figures() empties the list: compare the next batch against a fresh single run.
    one = functional(1);
    one->load(image);
    one->step(300);
  }
}

TEST(ThreadsBulk, PlasticStepNMatchesOneThread) {
  const RandomNetOptions opts = preset("plastic", 5);
  const pb::ChipImage image = random_image(opts);
  const std::vector<InputSpike> stimuli = random_stimuli(image, 9, opts.steps, opts.input_rate);
  std::unique_ptr<Backend> one = functional(1), many = functional(3);
  for (Backend* b : {one.get(), many.get()}) {
    b->load(image);
    b->inject(stimuli);
    b->step(opts.steps);
  }
  const Divergence d = compare_state(*one, *many, image, "after the run");
  EXPECT_TRUE(d.identical) << d.where;
  EXPECT_GT(one->counters().total(s::CNT_STDP_UPDATES), 0u);
  EXPECT_EQ(one->drain(), many->drain());
}

// The host input FIFO overflow stops every thread count at the same step with the same message.
TEST(ThreadsBulk, FifoOverflowIsTheSameError) {
  const pb::ChipImage image = cuba_image(600, 2);
  std::vector<InputSpike> flood;
  for (uint32_t k = 0; k <= static_cast<uint32_t>(s::HOST_SPIKE_FIFO_DEPTH); ++k) flood.push_back({4, 0, 0, k % 64});
  std::string first;
  for (unsigned threads : {1u, 2u, 3u}) {
    std::unique_ptr<Backend> b = functional(threads);
    b->load(image);
    b->inject(flood);
    std::string message;
    try {
      b->step(10);
    } catch (const InputError& e) {
      message = e.what();
    }
    EXPECT_NE(message.find("step 4"), std::string::npos) << threads << " threads: '" << message << "'";
    EXPECT_EQ(b->timestep(), 4u) << threads << " threads";
    if (threads == 1) first = message;
    EXPECT_EQ(message, first) << threads << " threads";
  }
}

// A fault armed after steps on the direct path: the chip must continue exactly as one whose fault
// was armed at load (the direct packets in flight become pending bits again).
TEST(DirectDelivery, FaultArmedMidRunMatchesFaultArmedAtLoad) {
  const pb::ChipImage image = cuba_image(800, 4);
  Fault f;
  f.kind = Fault::Kind::kDropPacket;
  f.step = 9;
  f.index = 3;
  Fault g;
  g.kind = Fault::Kind::kFlipWeight;
  g.step = 12;
  g.x = 1;
  g.index = 5;
  g.bit = 7;
  Fault h;  // forces spikes (and so packets) from step 10 on
  h.kind = Fault::Kind::kStuckFire;
  h.step = 10;
  h.index = 3;
  f.index = image.cores(0).neuron_fanout_base(3);  // the stuck neuron's first fan-out entry
  std::unique_ptr<Backend> early = functional(1), late = functional(2);
  early->load(image);
  for (const Fault& x : {f, g, h}) early->inject_fault(x);
  late->load(image);
  late->step(6);
  early->step(6);
  for (const Fault& x : {f, g, h}) late->inject_fault(x);
  late->step(300);
  early->step(300);
  const Divergence d = compare_state(*early, *late, image, "after 306 steps");
  EXPECT_TRUE(d.identical) << d.where;
  ASSERT_GE(early->fault_events().size(), 3u);  // every fault acted
  ASSERT_EQ(late->fault_events().size(), early->fault_events().size());
  for (std::size_t k = 0; k < early->fault_events().size(); ++k) {
    EXPECT_EQ(early->fault_events()[k].step, late->fault_events()[k].step);
    EXPECT_EQ(early->fault_events()[k].variable, late->fault_events()[k].variable);
  }
}

// ---- Batched inference ----

std::vector<pb::Stimuli> some_samples(const pb::ChipImage& image, uint32_t count, uint32_t steps) {
  std::vector<pb::Stimuli> out;
  for (uint32_t k = 0; k < count; ++k) {
    pb::Stimuli st;
    st.set_num_steps(steps);
    uint32_t last = ~0u;
    for (const InputSpike& sp : random_stimuli(image, 1000 + k, steps, 0.1 + 0.02 * (k % 5))) {
      if (sp.step != last) {
        st.add_steps()->set_step(sp.step);
        last = sp.step;
      }
      pb::StepInput* in = st.mutable_steps(st.steps_size() - 1);
      in->add_x(sp.x);
      in->add_y(sp.y);
      in->add_axon(sp.axon);
    }
    out.push_back(st);
  }
  return out;
}

TEST(RunBatch, MatchesSamplesRunOneByOne) {
  const RandomNetOptions opts = preset("plastic", 3);  // learning changes weights: reload must undo it
  const pb::ChipImage image = random_image(opts);
  const std::vector<pb::Stimuli> samples = some_samples(image, 9, opts.steps);
  RunOptions ro;
  ro.probes.add_neurons()->set_x(image.cores(0).x());
  ro.probes.mutable_neurons(0)->set_y(image.cores(0).y());
  std::vector<std::string> expected;
  for (const pb::Stimuli& st : samples) {
    std::unique_ptr<Backend> b = functional(1);
    b->load(image);
    expected.push_back(run(*b, st, ro).SerializeAsString());
  }
  for (unsigned threads : {1u, 2u, 3u}) {
    BatchOptions bo;
    bo.threads = threads;
    bo.run = ro;
    std::size_t calls = 0;
    bo.progress = [&](std::size_t done, std::size_t total) {
      ++calls;
      EXPECT_EQ(total, samples.size());
      EXPECT_LE(done, total);
    };
    const std::vector<pb::RunResult> got = run_batch(image, samples, bo);
    ASSERT_EQ(got.size(), samples.size());
    for (std::size_t k = 0; k < got.size(); ++k)
      EXPECT_EQ(got[k].SerializeAsString(), expected[k]) << threads << " threads, sample " << k;
    EXPECT_EQ(calls, samples.size());
  }
}

TEST(RunBatch, ReportsTheFirstFailingSample) {
  const pb::ChipImage image = cuba_image(300, 1);
  std::vector<pb::Stimuli> samples(6);
  for (auto& st : samples) st.set_num_steps(5);
  for (std::size_t bad : {2u, 4u}) {  // an axon the core does not have
    pb::StepInput* in = samples[bad].add_steps();
    in->set_step(1);
    in->add_x(0);
    in->add_y(0);
    in->add_axon(4095 - static_cast<uint32_t>(bad));
  }
  std::string first;
  for (unsigned threads : {1u, 2u, 3u}) {
    BatchOptions bo;
    bo.threads = threads;
    std::string message;
    try {
      run_batch(image, samples, bo);
    } catch (const InputError& e) {
      message = e.what();
    }
    EXPECT_NE(message.find("4093"), std::string::npos) << threads << " threads: '" << message << "'";
    if (threads == 1) first = message;
    EXPECT_EQ(message, first);
  }
}

}  // namespace
}  // namespace lifchip::test
