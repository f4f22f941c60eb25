// The energy and latency estimate against hand-computed figures: a two-core image whose counters
// are derived by hand (spec §8), a model with one distinct power of two per action, static energy
// from hand-made cycles, the published presets' per-op numbers, and the model file format.
#include <gtest/gtest.h>

#include "lifchip/backend.h"
#include "lifchip/chip_constants.h"
#include "lifchip/run.h"
#include "lifchip/flow/energy.h"
#include "support/image_builder.h"

namespace lifchip::flow {
namespace {

namespace s = spec;

// (0,0): one neuron (du 4095, dv 0, vth 0) behind axon 0 (weight 1), sending to (1,0) axon 0;
// (1,0): the same neuron, sending to host channel 5. One host spike into (0,0) axon 0 at step 0.
pb::ChipImage relay_image() {
  test::ImageBuilder b(2, 1);
  for (uint32_t x = 0; x < 2; ++x) {
    const uint32_t p = b.profile(x, 0, 4095, 0, 0);
    const uint32_t n = b.neuron(x, 0, p);
    const uint32_t a = b.axon(x, 0);
    b.synapse(x, 0, a, n, 1);
  }
  b.fanout(0, 0, 0, {false, 1, 0, 0});
  b.fanout(1, 0, 0, {true, 0, 0, 5});
  return b.build();
}

pb::RunResult run_relay(const std::string& backend_name) {
  auto backend = BackendRegistry::create(backend_name);
  backend->load(relay_image());
  pb::Stimuli st;
  pb::StepInput* in = st.add_steps();
  in->add_x(0);
  in->add_y(0);
  in->add_axon(0);
  RunOptions ro;
  ro.steps = 3;
  return run(*backend, st, ro);
}

// One distinct power of two per action, so every counter's contribution is visible in the sum.
EnergyModel powers_of_two(double static_uw = 0) {
  std::string text = "name = p2\n";
  double v = 1;
  for (const EnergyKey& k : energy_keys()) {
    const std::string key = k.key;
    if (key == "static_uw_per_core")
      text += key + " = " + std::to_string(static_uw) + "\n";
    else if (key == "clock_hz")
      text += "clock_hz = 1e8\n";
    else if (key.size() > 3 && key.compare(key.size() - 3, 3, "_ns") == 0)
      text += key + " = 1\n";
    else {
      text += key + " = " + std::to_string(v) + "\n";
      v *= 2;
    }
  }
  return parse_energy_model(text, "p2");
}

TEST(Estimate, HandComputedCountersAndEnergy) {
  const pb::RunResult r = run_relay("functional");
  // Counters by hand: step 0 (0,0) receives the host spike and fires; step 1 (1,0) receives and
  // fires to the host; each neuron is active in the step it fires and the next (u = 64 decays to 0),
  // idle otherwise.
  ASSERT_EQ(r.counters().cores_size(), 2);
  for (int c = 0; c < 2; ++c) {
    const auto& v = r.counters().cores(c).values();
    EXPECT_EQ(v[s::CNT_AXON_EVENTS], 1u) << c;
    EXPECT_EQ(v[s::CNT_SYN_OPS], 1u) << c;
    EXPECT_EQ(v[s::CNT_NEURON_ACTIVE], 2u) << c;
    EXPECT_EQ(v[s::CNT_NEURON_IDLE], 1u) << c;
    EXPECT_EQ(v[s::CNT_SPIKES], 1u) << c;
    EXPECT_EQ(v[s::CNT_PACKETS_SENT], 1u) << c;
    EXPECT_EQ(v[s::CNT_SYN_MEM_READS], 1u) << c;
    EXPECT_EQ(v[s::CNT_NEURON_MEM_READS], 3u) << c;
    EXPECT_EQ(v[s::CNT_NEURON_MEM_WRITES], 2u) << c;
    EXPECT_EQ(v[s::CNT_AXON_MEM_READS], 1u) << c;
    EXPECT_EQ(v[s::CNT_FANOUT_MEM_READS], 1u) << c;
    EXPECT_EQ(v[s::CNT_LINK_LOCAL], 1u) << c;
    EXPECT_EQ(v[s::CNT_LINK_WEST], 1u) << c;  // (1,0) -> (0,0), then (0,0) -> host
    EXPECT_EQ(v[s::CNT_STDP_UPDATES] + v[s::CNT_TRACE_UPDATES] + v[s::CNT_SYN_MEM_WRITES], 0u) << c;
  }
  EXPECT_EQ(r.counters().cores(0).values(s::CNT_LINK_EAST), 1u);

  // Keys in order: syn_op 1, active 2, idle 4, stdp 8, trace 16, spike 32, packet 64, local 128,
  // ew 256, ns 512, syn rd 1024, syn wr 2048, neuron rd 4096, neuron wr 8192, axon rd 16384,
  // fanout rd 32768. Over both cores:
  //   2*1 + 4*2 + 2*4 + 2*32 + 2*64 + 2*128 + 3*256 + 2*1024 + 6*4096 + 4*8192 + 2*16384 + 2*32768
  const double want = 2 + 8 + 8 + 64 + 128 + 256 + 768 + 2048 + 24576 + 32768 + 32768 + 65536;
  const pb::ChipImage image = relay_image();
  const Estimate e = estimate(r, &image, powers_of_two(), {});
  EXPECT_DOUBLE_EQ(e.dynamic_pj, 158930);
  EXPECT_DOUBLE_EQ(e.dynamic_pj, want);
  EXPECT_DOUBLE_EQ(e.total_pj, want);
  EXPECT_DOUBLE_EQ(e.energy_per_inference_j, want * 1e-12);
  EXPECT_DOUBLE_EQ(e.energy_per_step_j, want * 1e-12 / 3);
  // Per core: (0,0) has the east hop, so it carries 256 more than (1,0).
  ASSERT_EQ(e.cores.size(), 2u);
  EXPECT_DOUBLE_EQ(e.cores[0].dynamic_pj - e.cores[1].dynamic_pj, 256);
  EXPECT_DOUBLE_EQ(e.cores[0].dynamic_pj + e.cores[1].dynamic_pj, want);
  // Per component.
  double sum = 0;
  for (const ComponentEnergy& c : e.components) {
    sum += c.pj;
    if (c.component == "synaptic ops") {
      EXPECT_DOUBLE_EQ(c.pj, 2);
    }
    if (c.component == "NoC (east-west hops)") {
      EXPECT_DOUBLE_EQ(c.pj, 768);
    }
    if (c.component == "memory") {
      EXPECT_DOUBLE_EQ(c.pj, 2048 + 24576 + 32768 + 32768 + 65536);
    }
  }
  EXPECT_DOUBLE_EQ(sum, want);
  // Per link: (0,0) east 1 flit, (1,0) west 1, (0,0) host 1; the functional latency is analytic.
  uint64_t flits = 0;
  for (const LinkLoad& l : e.links) {
    flits += l.flits;
    if (l.x == 0 && l.direction == "east") {
      EXPECT_EQ(l.flits, 1u);
    }
    if (l.x == 0 && l.direction == "host") {
      EXPECT_EQ(l.flits, 1u);
    }
  }
  EXPECT_EQ(flits, 3u);
  EXPECT_FALSE(e.cycle_accurate);
  EXPECT_NE(e.latency_method.find("ANALYTIC"), std::string::npos);
  // Without the image the functional run has no latency at all: a clear error, not a guess.
  EXPECT_THROW(estimate(r, nullptr, powers_of_two(), {}), InputError);
}

TEST(Estimate, StaticPowerLatencyAndThroughputFromCycles) {
  pb::RunResult r = run_relay("functional");
  r.set_backend("hand-made cycles");
  const uint64_t cycles[] = {100, 200, 300};
  for (int i = 0; i < 3; ++i) r.mutable_per_step(i)->set_cycles(cycles[i]);
  EstimateOptions o;
  o.inference_steps = 1;
  o.step_rate_hz = 1000;
  const Estimate e = estimate(r, nullptr, powers_of_two(1000), o);  // 1 mW per core, 100 MHz
  EXPECT_TRUE(e.cycle_accurate);
  EXPECT_EQ(e.inferences, 3u);
  EXPECT_DOUBLE_EQ(e.run_time_s, 600 / 1e8);
  EXPECT_DOUBLE_EQ(e.step_latency_mean_s, 2e-6);
  EXPECT_DOUBLE_EQ(e.step_latency_max_s, 3e-6);
  EXPECT_DOUBLE_EQ(e.inference_latency_s, 2e-6);
  EXPECT_DOUBLE_EQ(e.inferences_per_s, 5e5);
  EXPECT_DOUBLE_EQ(e.static_pj, 2 * 1e-3 * 6e-6 * 1e12);  // 2 cores x 1 mW x 6 us = 12 nJ
  EXPECT_DOUBLE_EQ(e.total_pj, 158930 + 12000);
  EXPECT_DOUBLE_EQ(e.energy_per_inference_j, (158930 + 12000) * 1e-12 / 3);
  EXPECT_DOUBLE_EQ(e.average_power_w, 158930e-12 / 3 * 1000 + 2e-3);
  EXPECT_TRUE(e.step_rate_feasible);
  // Hop latency per packet: 3 E-W hops + 2 local at 1 ns each over 3 packets (2 sent + 1 host in).
  EXPECT_DOUBLE_EQ(e.noc_transit_per_packet_s, 5e-9 / 3);
  // A clock override halves every latency.
  o.clock_hz = 2e8;
  EXPECT_DOUBLE_EQ(estimate(r, nullptr, powers_of_two(1000), o).step_latency_mean_s, 1e-6);
  o.clock_hz = 0;
  o.step_rate_hz = 1e6;  // faster than the 500 k steps/s the cycles allow
  EXPECT_FALSE(estimate(r, nullptr, powers_of_two(1000), o).step_rate_feasible);
  o.inference_steps = 2;  // does not divide 3
  EXPECT_THROW(estimate(r, nullptr, powers_of_two(), o), InputError);
}

TEST(Estimate, SystemCGivesTheSameEnergyAndExactCycles) {
  const pb::RunResult f = run_relay("functional"), c = run_relay("systemc");
  const pb::ChipImage image = relay_image();
  const EnergyModel m = energy_preset("loihi1");
  const Estimate ef = estimate(f, &image, m, {}), ec = estimate(c, &image, m, {});
  EXPECT_DOUBLE_EQ(ef.dynamic_pj, ec.dynamic_pj);  // the same counters in every model
  EXPECT_TRUE(ec.cycle_accurate);
  double cycles = 0;
  for (const pb::StepFigures& s : c.per_step()) cycles += static_cast<double>(s.cycles());
  EXPECT_GT(cycles, 0);
  EXPECT_DOUBLE_EQ(ec.run_time_s, cycles / 1e8);
}

TEST(EnergyModel, Loihi1ReproducesTable2) {
  const EnergyModel m = energy_preset("loihi1");
  EXPECT_EQ(m.get("syn_op_pj"), 23.6);
  EXPECT_EQ(m.get("neuron_active_pj"), 81);
  EXPECT_EQ(m.get("neuron_idle_pj"), 52);
  EXPECT_EQ(m.get("hop_local_pj"), 1.7);
  EXPECT_EQ(m.get("hop_ew_pj"), 3.0);
  EXPECT_EQ(m.get("hop_ns_pj"), 4.0);
  EXPECT_EQ(m.get("stdp_update_pj"), 120);
  EXPECT_EQ(m.get("hop_ew_ns"), 4.1);
  EXPECT_EQ(m.get("hop_ns_ns"), 6.5);
  EXPECT_EQ(m.get("hop_local_ns"), 2.1);
  // Per op through the estimate: one synaptic op, one active update, one N-S hop.
  pb::RunResult r;
  r.set_steps(1);
  pb::CoreCounters* cc = r.mutable_counters()->add_cores();
  cc->mutable_values()->Resize(s::CNT_PER_CORE, 0);
  cc->set_values(s::CNT_SYN_OPS, 1000);
  cc->set_values(s::CNT_NEURON_ACTIVE, 10);
  cc->set_values(s::CNT_NEURON_IDLE, 100);
  cc->set_values(s::CNT_STDP_UPDATES, 3);
  r.add_per_step()->set_cycles(50);
  const Estimate e = estimate(r, nullptr, m, {});
  EXPECT_DOUBLE_EQ(e.dynamic_pj, 1000 * 23.6 + 10 * 81 + 100 * 52 + 3 * 120);

  const EnergyModel t = energy_preset("truenorth");
  EXPECT_EQ(t.get("syn_op_pj"), 26);
  EXPECT_EQ(t.get("hop_ew_pj"), 2.3);
  EXPECT_EQ(t.get("hop_ns_pj"), 2.3);
  EXPECT_DOUBLE_EQ(estimate(r, nullptr, t, {}).dynamic_pj, 26000);
  EXPECT_GT(energy_preset("default").get("static_uw_per_core"), 0);
  EXPECT_THROW(energy_preset("loihi2"), InputError);
}

TEST(EnergyModel, FileFormatRoundTripAndErrors) {
  for (const std::string& name : energy_preset_names()) {
    const EnergyModel m = energy_preset(name);
    const EnergyModel back = parse_energy_model(format_energy_model(m), "x");
    EXPECT_EQ(back.values, m.values) << name;
    EXPECT_EQ(back.name, m.name);
  }
  const EnergyModel d =
      parse_energy_model("base = loihi1\nname = mine\nsyn_op_pj = 10  # cheaper\n", "m.txt");
  EXPECT_EQ(d.name, "mine");
  EXPECT_EQ(d.get("syn_op_pj"), 10);
  EXPECT_EQ(d.get("neuron_active_pj"), 81);
  const auto err = [](const std::string& text) {
    try {
      parse_energy_model(text, "m.txt");
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(err("base = loihi1\nsyn_op = 1\n"),
            "m.txt:2: unknown key 'syn_op' (docs/estimate.md lists the keys)");
  EXPECT_EQ(err("base = loihi1\nsyn_op_pj = -1\n"), "m.txt:2: syn_op_pj = '-1' must be a finite number >= 0");
  EXPECT_EQ(err("base = loihi1\nsyn_op_pj = nan\n"),
            "m.txt:2: syn_op_pj = 'nan' must be a finite number >= 0");
  EXPECT_EQ(err("base = loihi1\nsyn_op_pj = 1pJ\n"),
            "m.txt:2: syn_op_pj = '1pJ' must be a finite number >= 0");
  EXPECT_EQ(err("base = loihi1\nsyn_op_pj = 1\nsyn_op_pj = 2\n"), "m.txt:3: 'syn_op_pj' is given twice");
  EXPECT_EQ(err("syn_op_pj = 1\nbase = loihi1\n"), "m.txt:2: 'base' must come before every other key");
  EXPECT_EQ(err("base = loihi1\nclock_hz = 0\n"), "m.txt:2: clock_hz must be > 0");
  EXPECT_EQ(err("base = loihi1\njust words\n"), "m.txt:2: expected 'key = value'");
  EXPECT_EQ(err("syn_op_pj = 1\n"), "m.txt: missing key 'neuron_active_pj' (or start with base = PRESET)");
  EXPECT_EQ(err("base = loihi9\n"),
            "unknown energy model preset 'loihi9' (presets: loihi1, truenorth, default)");
}

}  // namespace
}  // namespace lifchip::flow
