// The worked cycle examples of docs/spec.md §10.6 on the Verilated RTL: the same hand-derived numbers
// as tests/test_systemc_timing.cpp, and for each example the RTL equal to the SystemC model in every
// output spike (with its exit cycle), every counter (0..31 per core, every chip slot) and the
// cycles of every step, and equal to the functional model in spikes and functional counters.
#include <gtest/gtest.h>

#include "lifchip/backend.h"
#include "lifchip/chip_constants.h"
#include "support/compare.h"
#include "support/timing_cases.h"

namespace lifchip {
namespace {

namespace s = spec;
// Runs an image on the RTL, the SystemC model and the functional model and checks them against
// each other; the test then checks the RTL's figures against the hand-derived values.
struct Three {
  std::unique_ptr<Backend> rtl = BackendRegistry::create("rtl");
  std::unique_ptr<Backend> sc = BackendRegistry::create("systemc");
  std::unique_ptr<Backend> f = BackendRegistry::create("functional");
  std::vector<OutputSpike> out;
  CounterSet counters;
  std::vector<StepFigure> figures;

  void run(const pb::ChipImage& img, const std::vector<InputSpike>& in, uint32_t steps) {
    for (Backend* b : {rtl.get(), sc.get(), f.get()}) {
      b->load(img);
      b->inject(in);
      b->step(steps);
    }
    out = rtl->drain();
    const std::vector<OutputSpike> sc_out = sc->drain();
    ASSERT_EQ(out, sc_out);
    for (std::size_t i = 0; i < out.size(); ++i) EXPECT_EQ(out[i].cycle, sc_out[i].cycle) << "spike " << i;
    EXPECT_EQ(out, f->drain());
    counters = rtl->counters();
    const CounterSet sc_counters = sc->counters();
    const CounterSet f_counters = f->counters();
    ASSERT_EQ(counters.cores.size(), sc_counters.cores.size());
    for (std::size_t c = 0; c < counters.cores.size(); ++c) {
      for (std::size_t id = 0; id < s::CNT_PER_CORE; ++id) {
        EXPECT_EQ(counters.cores[c][id], sc_counters.cores[c][id]) << "core index " << c << " counter " << id;
        if (id < s::CNT_FUNCTIONAL_COUNT) {
          EXPECT_EQ(counters.cores[c][id], f_counters.cores[c][id])
              << "core index " << c << " counter " << id;
        }
      }
    }
    for (std::size_t id = 0; id < s::CNT_CHIP_SLOTS; ++id)
      EXPECT_EQ(counters.chip[id], sc_counters.chip[id]) << "chip counter " << id;
    figures = rtl->take_step_figures();
    const std::vector<StepFigure> sc_figures = sc->take_step_figures();
    ASSERT_EQ(figures.size(), steps);
    ASSERT_EQ(sc_figures.size(), steps);
    for (uint32_t t = 0; t < steps; ++t) {
      EXPECT_EQ(figures[t].step, sc_figures[t].step);
      EXPECT_EQ(figures[t].cycles, sc_figures[t].cycles) << "step " << t;
      EXPECT_EQ(figures[t].spikes, sc_figures[t].spikes) << "step " << t;
      EXPECT_EQ(figures[t].syn_ops, sc_figures[t].syn_ops) << "step " << t;
      EXPECT_EQ(figures[t].packets, sc_figures[t].packets) << "step " << t;
      EXPECT_EQ(figures[t].phases, sc_figures[t].phases) << "step " << t;
    }
  }
};

// The worked examples of spec §10.6 (tests/support/timing_cases.h) on the RTL, which must also
// equal the SystemC and functional models in every memory word after the run (learned weights,
// traces, neuron state).
class RtlTiming : public ::testing::TestWithParam<test::TimingCase> {};

TEST_P(RtlTiming, WorkedExample) {
  const test::TimingCase& c = GetParam();
  Three m;
  m.run(c.image, c.input, c.steps);
  if (HasFatalFailure()) return;
  c.check(test::TimingRun{m.out, m.counters, m.figures});
  for (Backend* other : {m.sc.get(), m.f.get()}) {
    test::CompareOptions o;
    o.timing = other == m.sc.get();
    const test::Divergence d = test::compare_state(*m.rtl, *other, c.image, "after the run", o);
    EXPECT_TRUE(d.identical) << "rtl vs " << other->name() << ": " << d.where;
  }
}

INSTANTIATE_TEST_SUITE_P(Spec, RtlTiming, ::testing::ValuesIn(test::spec_timing_cases()),
                         [](const ::testing::TestParamInfo<test::TimingCase>& i) { return i.param.name; });

}  // namespace
}  // namespace lifchip
