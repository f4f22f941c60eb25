// The worked cycle examples of docs/spec.md §10.6: small images whose cycle counts, phase lengths,
// stalls and link counters were derived by hand from spec §10.3/§10.4. Written once and run on
// every cycle-level model (tests/test_systemc_timing.cpp, tests/test_rtl_timing.cpp), each with its
// own cross-model checks. Header-only (the checks use GoogleTest).
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "lifchip/backend.h"
#include "lifchip/chip_constants.h"
#include "support/image_builder.h"

namespace lifchip::test {

/// What a cycle-level model produced for a case (the drained spikes, the counters, the figures).
struct TimingRun {
  const std::vector<OutputSpike>& out;
  const CounterSet& counters;
  const std::vector<StepFigure>& figures;

  uint64_t at(uint32_t x, uint32_t y, int64_t id) const {
    return counters.cores[y * counters.width + x][static_cast<std::size_t>(id)];
  }
};

struct TimingCase {
  std::string name;
  pb::ChipImage image;
  std::vector<InputSpike> input;
  uint32_t steps = 0;
  std::function<void(const TimingRun&)> check;  // the hand-derived figures
};

inline void PrintTo(const TimingCase& c, std::ostream* os) { *os << c.name; }

inline std::vector<TimingCase> spec_timing_cases() {
  namespace s = spec;
  std::vector<TimingCase> cases;

  // One host spike makes neuron (0,0).0 fire; its packet crosses one hop east to (1,0), whose
  // neuron fires in step 1 and sends to the host. Every number below is derived in the comments.
  {
    ImageBuilder b(2, 1);
    for (uint32_t x = 0; x < 2; ++x) {
      b.profile(x, 0, 4095, 0, 0);  // du 4095: u = a_in << 6; dv 0; vth 0: any positive v spikes
      b.neuron(x, 0, 0);
      b.synapse(x, 0, b.axon(x, 0), 0, 1);
    }
    b.fanout(0, 0, 0, FanoutTarget{false, 1, 0, 0});
    b.fanout(1, 0, 0, FanoutTarget{true, 0, 0, 5});
    cases.push_back({"OneSpikeThroughOneHop", b.build(), {{0, 0, 0, 0}}, 2, [](const TimingRun& m) {
                       ASSERT_EQ(m.out.size(), 1u);
                       EXPECT_EQ(m.out[0].step, 1u);
                       EXPECT_EQ(m.out[0].channel, 5u);
                       // Step 0: host push in cycle 0, ejected at (0,0) in cycle 1 -> T_inj = 2. Core
                       // (0,0): D = 1 scan + 1 axon + 1 entry + 2 pipe = 5, U0 = 7, spike available 11,
                       // pushed 11, U_end = max(7+1+4, 12) = 12. Core (1,0): D = 1, U0 = 3, U_end = 8.
                       // Router (0,0) grants east in 12, (1,0) ejects in 13, mesh empty 14.
                       // E = 14 + BARRIER_BASE 2 + W 2 + H 1 = 19.
                       EXPECT_EQ(m.figures[0].cycles, 19u);
                       // Step 1: no inputs, T_inj = 0. Core (1,0): D = 5, U0 = 5, push 9, U_end 10.
                       // Core (0,0): D = 1, U0 = 1, U_end 6. (1,0) grants west in 10, (0,0) sends to
                       // the host in 11, empty 12; E = 12 + 5.
                       EXPECT_EQ(m.figures[1].cycles, 17u);
                       // Per step and core: {x, y, deliver, update, learn, wait}.
                       ASSERT_EQ(m.figures[0].phases.size(), 2u);
                       EXPECT_EQ(m.figures[0].phases[0], (CorePhaseCycles{0, 0, 5, 5, 0, 19 - 12}));
                       EXPECT_EQ(m.figures[0].phases[1], (CorePhaseCycles{1, 0, 1, 5, 0, 19 - 8}));
                       EXPECT_EQ(m.figures[1].phases[0], (CorePhaseCycles{0, 0, 1, 5, 0, 17 - 6}));
                       EXPECT_EQ(m.figures[1].phases[1], (CorePhaseCycles{1, 0, 5, 5, 0, 17 - 10}));
                       // The spike leaves the chip in cycle 11 of step 1 (router (0,0)'s west output).
                       EXPECT_EQ(m.out[0].cycle, 11u);
                       EXPECT_EQ(m.at(0, 0, s::CNT_CYCLES_DELIVER), 5u + 1u);
                       EXPECT_EQ(m.at(0, 0, s::CNT_CYCLES_UPDATE), 5u + 5u);
                       EXPECT_EQ(m.at(0, 0, s::CNT_CYCLES_WAIT), (19u - 12u) + (17u - 6u));
                       EXPECT_EQ(m.at(1, 0, s::CNT_CYCLES_DELIVER), 1u + 5u);
                       EXPECT_EQ(m.at(1, 0, s::CNT_CYCLES_UPDATE), 5u + 5u);
                       EXPECT_EQ(m.at(1, 0, s::CNT_CYCLES_WAIT), (19u - 8u) + (17u - 10u));
                       EXPECT_EQ(m.at(0, 0, s::CNT_CYCLES_LEARN), 0u);
                       EXPECT_EQ(m.counters.chip[s::CNT_CHIP_CYCLES], 36u);
                       EXPECT_EQ(m.counters.chip[s::CNT_CHIP_INJECT_CYCLES], 2u);
                       // Flits into routers: (0,0) takes the host flit (west), its core's packet
                       // (local) and the returning host packet (east); (1,0) takes one from the west
                       // and one from its core.
                       EXPECT_EQ(m.at(0, 0, s::CNT_ROUTER_FLITS_IN), 3u);
                       EXPECT_EQ(m.at(1, 0, s::CNT_ROUTER_FLITS_IN), 2u);
                       EXPECT_EQ(m.counters.total(s::CNT_ROUTER_BLOCKED), 0u);
                     }});
  }

  // A full 256-neuron core with nothing to deliver: N + NEURON_PIPE cycles, plus the scan of the
  // pending bitmap (A / 64 cycles) and the barrier: 264 cycles without axons, 280 with 1,024.
  for (uint32_t axons : {0u, 1024u}) {
    ImageBuilder b(1, 1);
    b.profile(0, 0, 100, 100, 1000);
    for (int n = 0; n < 256; ++n) b.neuron(0, 0, 0);
    for (uint32_t a = 0; a < axons; ++a) b.axon(0, 0);
    cases.push_back(
        {"FullCoreUpdate" + std::to_string(axons) + "Axons", b.build(), {}, 3, [axons](const TimingRun& m) {
           const uint64_t expect = axons / 64 + 256 + 4 + 2 + 1 + 1;
           for (const StepFigure& f : m.figures) EXPECT_EQ(f.cycles, expect);
           EXPECT_EQ(m.at(0, 0, s::CNT_CYCLES_UPDATE), 3u * 260u);
           EXPECT_EQ(m.at(0, 0, s::CNT_NEURON_IDLE), 3u * 256u);
         }});
  }

  // Two cores stream packets into the same link: router (1,0)'s west output alternates between its
  // local and east inputs (round-robin), its local FIFO fills and the fan-out unit of (1,0) stalls.
  // Derived by hand cycle by cycle from spec §10.3/§10.4 (table in docs/spec.md §10.6).
  {
    ImageBuilder b(3, 1);
    b.profile(0, 0, 0, 0, 1000);
    b.neuron(0, 0, 0);
    for (int a = 0; a < 20; ++a) b.axon(0, 0);
    for (uint32_t x = 1; x <= 2; ++x) {
      b.profile(x, 0, 4095, 4095, 0);
      b.neuron(x, 0, 0, 100);  // bias 100 > threshold 0: spikes in step 0 (and later ones)
      for (uint32_t k = 0; k < 10; ++k) b.fanout(x, 0, 0, FanoutTarget{false, 0, 0, (x - 1) * 10 + k});
    }
    cases.push_back({"CongestedLink", b.build(), {}, 1, [](const TimingRun& m) {
                       // Core (1,0): pushes in cycles 4..16 with 3 stalls; core (2,0): 4..13 with
                       // none. Router (1,0) is blocked 18 input-cycles, router (2,0) 3; the last flit
                       // is ejected at (0,0) in cycle 25.
                       EXPECT_EQ(m.at(1, 0, s::CNT_FANOUT_STALLS), 3u);
                       EXPECT_EQ(m.at(2, 0, s::CNT_FANOUT_STALLS), 0u);
                       EXPECT_EQ(m.at(1, 0, s::CNT_ROUTER_BLOCKED), 18u);
                       EXPECT_EQ(m.at(2, 0, s::CNT_ROUTER_BLOCKED), 3u);
                       EXPECT_EQ(m.at(0, 0, s::CNT_ROUTER_BLOCKED), 0u);
                       EXPECT_EQ(m.at(1, 0, s::CNT_CYCLES_UPDATE), 17u);  // last push 16 + 1
                       EXPECT_EQ(m.at(2, 0, s::CNT_CYCLES_UPDATE), 14u);
                       EXPECT_EQ(m.at(0, 0, s::CNT_CYCLES_DELIVER), 1u);
                       // E = mesh empty 26 + 2 + 3 + 1 = 32.
                       EXPECT_EQ(m.figures[0].cycles, 32u);
                       EXPECT_EQ(m.at(0, 0, s::CNT_CYCLES_WAIT), 32u - 6u);
                       EXPECT_EQ(m.at(1, 0, s::CNT_CYCLES_WAIT), 32u - 17u);
                       EXPECT_EQ(m.at(2, 0, s::CNT_CYCLES_WAIT), 32u - 14u);
                       EXPECT_EQ(m.at(1, 0, s::CNT_LINK_WEST), 20u);
                       EXPECT_EQ(m.at(2, 0, s::CNT_LINK_WEST), 10u);
                       EXPECT_EQ(m.at(0, 0, s::CNT_LINK_LOCAL), 20u);
                       EXPECT_EQ(m.at(1, 0, s::CNT_ROUTER_FLITS_IN), 20u);
                       EXPECT_EQ(m.at(0, 0, s::CNT_ROUTER_FLITS_IN), 20u);
                     }});
  }

  // The learning phase adds A + N + LEARN_PIPE, plus A + all synapse-range lengths when the weight
  // pass runs (spec §10.4 step 4).
  {
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
    cases.push_back({"LearningPhaseCycles", b.build(), {{0, 0, 0, 1}}, 2, [](const TimingRun& m) {
                       // Step 0: host push 0, eject 1, T_inj 2; D = 1 + 1 + 4 + 2 = 8; U0 = 10,
                       // U_end = 10 + 4 + 4 = 18 (the four neurons spike; no fan-out); L = A 3 + N 4 +
                       // 2 + (A 3 + 12 entries) = 24 -> done 42; E = 42 + 2 + 1 + 1 = 46. Step 1:
                       // D = 1, U0 = 1, U_end 9, traces still decay: L = 3 + 4 + 2 = 9 with no weight
                       // pass (no spikes: u' = 0, v stays 0) -> done 18, E = 22.
                       EXPECT_EQ(m.figures[0].cycles, 46u);
                       EXPECT_EQ(m.figures[1].cycles, 22u);
                       EXPECT_EQ(m.at(0, 0, s::CNT_CYCLES_LEARN), 24u + 9u);
                       EXPECT_GT(m.at(0, 0, s::CNT_STDP_UPDATES), 0u);
                     }});
  }
  return cases;
}

}  // namespace lifchip::test
