// Cycle counts of the SystemC model against values worked by hand from docs/spec.md §10 (the cases
// are shared with the RTL: tests/support/timing_cases.h), plus the checks every SystemC test makes: same
// functional counters as the functional model and packet conservation (no packet lost or duplicated under
// back-pressure).
#include <gtest/gtest.h>

#include <cstdlib>

#include "lifchip/backend.h"
#include "lifchip/chip_constants.h"
#include "support/timing_cases.h"

namespace lifchip {
namespace {

namespace s = spec;
// Runs the image on both models; checks identical spikes, counters 0..20 and chip counters 0..2, and
// conservation: every packet sent (by cores or the host) was received (by a core or the host).
struct Both {
  std::unique_ptr<Backend> f = BackendRegistry::create("functional");
  std::unique_ptr<Backend> sc = BackendRegistry::create("systemc");
  std::vector<OutputSpike> out;
  CounterSet counters;
  std::vector<StepFigure> figures;

  void run(const pb::ChipImage& img, const std::vector<InputSpike>& in, uint32_t steps) {
    f->load(img);
    sc->load(img);
    f->inject(in);
    sc->inject(in);
    f->step(steps);
    sc->step(steps);
    out = sc->drain();
    EXPECT_EQ(f->drain(), out);
    counters = sc->counters();
    const CounterSet fc = f->counters();
    for (std::size_t c = 0; c < fc.cores.size(); ++c)
      for (int id = 0; id < s::CNT_FUNCTIONAL_COUNT; ++id)
        EXPECT_EQ(fc.cores[c][static_cast<std::size_t>(id)], counters.cores[c][static_cast<std::size_t>(id)])
            << "core index " << c << " counter " << id;
    for (int id = 0; id < s::CNT_CHIP_COUNT; ++id)
      EXPECT_EQ(fc.chip[static_cast<std::size_t>(id)], counters.chip[static_cast<std::size_t>(id)]);
    const uint64_t sent = counters.total(s::CNT_PACKETS_SENT) + counters.chip[s::CNT_CHIP_HOST_IN];
    const uint64_t received = counters.total(s::CNT_PACKETS_RECEIVED) + counters.chip[s::CNT_CHIP_HOST_OUT];
    EXPECT_EQ(sent, received) << "packets lost or duplicated";
    figures = sc->take_step_figures();
    ASSERT_EQ(figures.size(), steps);
  }
};

// The worked examples of spec §10.6 (tests/support/timing_cases.h) on the SystemC model.
class SystemCTiming : public ::testing::TestWithParam<test::TimingCase> {};

TEST_P(SystemCTiming, WorkedExample) {
  const test::TimingCase& c = GetParam();
  Both m;
  m.run(c.image, c.input, c.steps);
  if (HasFatalFailure()) return;
  c.check(test::TimingRun{m.out, m.counters, m.figures});
}

INSTANTIATE_TEST_SUITE_P(Spec, SystemCTiming, ::testing::ValuesIn(test::spec_timing_cases()),
                         [](const ::testing::TestParamInfo<test::TimingCase>& i) { return i.param.name; });

// A VCD step range that does not parse is an error naming the variable, not a silent full dump.
TEST(SystemCTrace, MalformedVcdStepRangeIsAnError) {
  ::setenv("LIFCHIP_VCD", "/nonexistent/wave.vcd", 1);
  for (const char* bad : {"3-9", "9:3", "1:2x", ":5"}) {
    ::setenv("LIFCHIP_VCD_STEPS", bad, 1);
    try {
      BackendRegistry::create("systemc");
      ADD_FAILURE() << bad << ": no error";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find("LIFCHIP_VCD_STEPS: '" + std::string(bad) + "'"),
                std::string::npos)
          << e.what();
    }
  }
  ::unsetenv("LIFCHIP_VCD");
  ::unsetenv("LIFCHIP_VCD_STEPS");
}

}  // namespace
}  // namespace lifchip
