// The worked cycle examples of docs/spec.md §10.6 on the Verilated RTL: the same hand-derived numbers
// as tests/test_systemc_timing.cpp, and for each example the RTL equal to the SystemC model in every
// output spike (with its exit cycle), every counter (0..31 per core, every chip slot) and the
// cycles of every step, and equal to the functional model in spikes and functional counters.
#include <gtest/gtest.h>

#include "lifchip/backend.h"
#include "lifchip/chip_constants.h"
#include "support/image_builder.h"

namespace lifchip {
namespace {

namespace s = spec;
using test::FanoutTarget;
using test::ImageBuilder;

uint64_t at(const CounterSet& cs, uint32_t x, uint32_t y, int64_t id) {
  return cs.cores[y * cs.width + x][static_cast<std::size_t>(id)];
}

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

TEST(RtlTiming, OneSpikeThroughOneHop) {
  ImageBuilder b(2, 1);
  for (uint32_t x = 0; x < 2; ++x) {
    b.profile(x, 0, 4095, 0, 0);
    b.neuron(x, 0, 0);
    b.synapse(x, 0, b.axon(x, 0), 0, 1);
  }
  b.fanout(0, 0, 0, FanoutTarget{false, 1, 0, 0});
  b.fanout(1, 0, 0, FanoutTarget{true, 0, 0, 5});
  Three m;
  m.run(b.build(), {{0, 0, 0, 0}}, 2);
  ASSERT_EQ(m.out.size(), 1u);
  EXPECT_EQ(m.out[0].step, 1u);
  EXPECT_EQ(m.out[0].channel, 5u);
  EXPECT_EQ(m.figures[0].cycles, 19u);
  EXPECT_EQ(m.figures[1].cycles, 17u);
  EXPECT_EQ(m.out[0].cycle, 11u);
  // Per step and core: {x, y, deliver, update, learn, wait} of the worked example.
  ASSERT_EQ(m.figures[0].phases.size(), 2u);
  EXPECT_EQ(m.figures[0].phases[0], (CorePhaseCycles{0, 0, 5, 5, 0, 19 - 12}));
  EXPECT_EQ(m.figures[0].phases[1], (CorePhaseCycles{1, 0, 1, 5, 0, 19 - 8}));
  EXPECT_EQ(m.figures[1].phases[0], (CorePhaseCycles{0, 0, 1, 5, 0, 17 - 6}));
  EXPECT_EQ(m.figures[1].phases[1], (CorePhaseCycles{1, 0, 5, 5, 0, 17 - 10}));
  EXPECT_EQ(at(m.counters, 0, 0, s::CNT_CYCLES_DELIVER), 5u + 1u);
  EXPECT_EQ(at(m.counters, 0, 0, s::CNT_CYCLES_UPDATE), 5u + 5u);
  EXPECT_EQ(at(m.counters, 0, 0, s::CNT_CYCLES_WAIT), (19u - 12u) + (17u - 6u));
  EXPECT_EQ(at(m.counters, 1, 0, s::CNT_CYCLES_DELIVER), 1u + 5u);
  EXPECT_EQ(at(m.counters, 1, 0, s::CNT_CYCLES_UPDATE), 5u + 5u);
  EXPECT_EQ(at(m.counters, 1, 0, s::CNT_CYCLES_WAIT), (19u - 8u) + (17u - 10u));
  EXPECT_EQ(at(m.counters, 0, 0, s::CNT_CYCLES_LEARN), 0u);
  EXPECT_EQ(m.counters.chip[s::CNT_CHIP_CYCLES], 36u);
  EXPECT_EQ(m.counters.chip[s::CNT_CHIP_INJECT_CYCLES], 2u);
  EXPECT_EQ(at(m.counters, 0, 0, s::CNT_ROUTER_FLITS_IN), 3u);
  EXPECT_EQ(at(m.counters, 1, 0, s::CNT_ROUTER_FLITS_IN), 2u);
  EXPECT_EQ(m.counters.total(s::CNT_ROUTER_BLOCKED), 0u);
}

TEST(RtlTiming, FullCoreUpdate) {
  for (uint32_t axons : {0u, 1024u}) {
    ImageBuilder b(1, 1);
    b.profile(0, 0, 100, 100, 1000);
    for (int n = 0; n < 256; ++n) b.neuron(0, 0, 0);
    for (uint32_t a = 0; a < axons; ++a) b.axon(0, 0);
    Three m;
    m.run(b.build(), {}, 3);
    const uint64_t expect = axons / 64 + 256 + 4 + 2 + 1 + 1;
    for (const StepFigure& f : m.figures) EXPECT_EQ(f.cycles, expect) << axons << " axons";
    EXPECT_EQ(at(m.counters, 0, 0, s::CNT_CYCLES_UPDATE), 3u * 260u);
    EXPECT_EQ(at(m.counters, 0, 0, s::CNT_NEURON_IDLE), 3u * 256u);
  }
}

TEST(RtlTiming, CongestedLink) {
  ImageBuilder b(3, 1);
  b.profile(0, 0, 0, 0, 1000);
  b.neuron(0, 0, 0);
  for (int a = 0; a < 20; ++a) b.axon(0, 0);
  for (uint32_t x = 1; x <= 2; ++x) {
    b.profile(x, 0, 4095, 4095, 0);
    b.neuron(x, 0, 0, 100);
    for (uint32_t k = 0; k < 10; ++k) b.fanout(x, 0, 0, FanoutTarget{false, 0, 0, (x - 1) * 10 + k});
  }
  Three m;
  m.run(b.build(), {}, 1);
  EXPECT_EQ(at(m.counters, 1, 0, s::CNT_FANOUT_STALLS), 3u);
  EXPECT_EQ(at(m.counters, 2, 0, s::CNT_FANOUT_STALLS), 0u);
  EXPECT_EQ(at(m.counters, 1, 0, s::CNT_ROUTER_BLOCKED), 18u);
  EXPECT_EQ(at(m.counters, 2, 0, s::CNT_ROUTER_BLOCKED), 3u);
  EXPECT_EQ(at(m.counters, 0, 0, s::CNT_ROUTER_BLOCKED), 0u);
  EXPECT_EQ(at(m.counters, 1, 0, s::CNT_CYCLES_UPDATE), 17u);
  EXPECT_EQ(at(m.counters, 2, 0, s::CNT_CYCLES_UPDATE), 14u);
  EXPECT_EQ(at(m.counters, 0, 0, s::CNT_CYCLES_DELIVER), 1u);
  EXPECT_EQ(m.figures[0].cycles, 32u);
  EXPECT_EQ(at(m.counters, 0, 0, s::CNT_CYCLES_WAIT), 32u - 6u);
  EXPECT_EQ(at(m.counters, 1, 0, s::CNT_CYCLES_WAIT), 32u - 17u);
  EXPECT_EQ(at(m.counters, 2, 0, s::CNT_CYCLES_WAIT), 32u - 14u);
  EXPECT_EQ(at(m.counters, 1, 0, s::CNT_LINK_WEST), 20u);
  EXPECT_EQ(at(m.counters, 2, 0, s::CNT_LINK_WEST), 10u);
  EXPECT_EQ(at(m.counters, 0, 0, s::CNT_LINK_LOCAL), 20u);
  EXPECT_EQ(at(m.counters, 1, 0, s::CNT_ROUTER_FLITS_IN), 20u);
  EXPECT_EQ(at(m.counters, 0, 0, s::CNT_ROUTER_FLITS_IN), 20u);
}

TEST(RtlTiming, LearningPhaseCycles) {
  ImageBuilder b(1, 1);
  b.set_learning(true);
  b.profile(0, 0, 4095, 0, 0);
  b.group(0, 0, 0, 0, true, 2, 2);
  b.stdp(0, 0, 100, 100, 20, 20);
  for (int n = 0; n < 4; ++n) b.neuron(0, 0, 0);
  for (int a = 0; a < 3; ++a) {
    b.axon(0, 0);
    for (uint32_t n = 0; n < 4; ++n) b.synapse(0, 0, static_cast<uint32_t>(a), n, 10);
  }
  Three m;
  m.run(b.build(), {{0, 0, 0, 1}}, 2);
  EXPECT_EQ(m.figures[0].cycles, 46u);
  EXPECT_EQ(m.figures[1].cycles, 22u);
  EXPECT_EQ(at(m.counters, 0, 0, s::CNT_CYCLES_LEARN), 24u + 9u);
  EXPECT_GT(at(m.counters, 0, 0, s::CNT_STDP_UPDATES), 0u);
  // The learned weights and traces, word for word, against the SystemC and functional models.
  for (Backend* other : {m.sc.get(), m.f.get()}) {
    for (uint32_t e = 0; e < 12; ++e)
      EXPECT_EQ(m.rtl->read_word(0, 0, s::MEM_SYNAPSE, e), other->read_word(0, 0, s::MEM_SYNAPSE, e))
          << other->name() << " synapse " << e;
    for (uint32_t a = 0; a < 3; ++a)
      EXPECT_EQ(m.rtl->read_word(0, 0, s::MEM_TRACE, a), other->read_word(0, 0, s::MEM_TRACE, a)) << a;
    for (uint32_t n = 0; n < 4; ++n)
      EXPECT_EQ(m.rtl->read_word(0, 0, s::MEM_TRACE, s::AXONS_PER_CORE_MAX + n),
                other->read_word(0, 0, s::MEM_TRACE, s::AXONS_PER_CORE_MAX + n))
          << n;
  }
}

}  // namespace
}  // namespace lifchip
