// Speed of the functional model: the CUBA benchmark network (4,000 and 40,000 neurons, 10,000 steps
// = 1 s at dt 0.1 ms) and one full core's update step. tools/bench/compare_brian2.sh reads its JSON.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>

#include "lifchip/backend.h"
#include "lifchip/chip_constants.h"
#include "support/cuba.h"

namespace {

using lifchip::Backend;
using lifchip::BackendRegistry;
using lifchip::CounterSet;
namespace pb = lifchip::pb;
namespace s = lifchip::spec;

constexpr uint32_t kSteps = 10000;  // 1 s of biological time at dt = 0.1 ms
constexpr uint64_t kSeed = 1;

// Images are built once per size, outside every timed region (the 40,000-neuron one takes ~1 s).
const pb::ChipImage& cuba(uint32_t neurons) {
  static std::map<uint32_t, std::unique_ptr<pb::ChipImage>> images;
  auto& slot = images[neurons];
  if (!slot) slot = std::make_unique<pb::ChipImage>(lifchip::test::cuba_image(neurons, kSeed));
  return *slot;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// One iteration: load the image (untimed), then run 10,000 steps (timed by hand: UseManualTime).
// Second argument: threads over cores (Backend::set_threads).
void BM_Cuba(benchmark::State& state) {
  const uint32_t neurons = static_cast<uint32_t>(state.range(0));
  const unsigned threads = static_cast<unsigned>(state.range(1));
  const pb::ChipImage& image = cuba(neurons);
  std::unique_ptr<Backend> chip = BackendRegistry::create("functional");
  chip->set_threads(threads);
  uint64_t syn_ops = 0, spikes = 0;
  double seconds = 0, best = 1e300;
  for (auto _ : state) {
    chip->load(image);
    const auto t0 = std::chrono::steady_clock::now();
    chip->step(kSteps);
    const double dt = seconds_since(t0);
    state.SetIterationTime(dt);
    seconds += dt;
    best = std::min(best, dt);
    const CounterSet c = chip->counters();
    syn_ops = c.total(s::CNT_SYN_OPS);
    spikes = c.total(s::CNT_SPIKES);
  }
  const double iters = static_cast<double>(state.iterations());
  using benchmark::Counter;
  // Rates divide by the manual (timed) seconds of all iterations.
  state.counters["syn_events_per_s"] =
      Counter(static_cast<double>(syn_ops), Counter::kIsIterationInvariantRate);
  state.counters["neuron_updates_per_s"] =
      Counter(static_cast<double>(neurons) * kSteps, Counter::kIsIterationInvariantRate);
  state.counters["ns_per_neuron_update"] = Counter(seconds * 1e9 / (iters * neurons * kSteps));
  state.counters["s_per_10k_steps"] = Counter(seconds / iters);
  // The fastest iteration: the figure compare_brian2.sh sets against Brian2's best run, since other
  // work on a shared machine only ever adds time.
  state.counters["best_s_per_10k_steps"] = Counter(best);
  state.counters["rate_hz"] = Counter(static_cast<double>(spikes) / neurons / (kSteps * 1e-4));
  state.counters["syn_events"] = Counter(static_cast<double>(syn_ops));
  state.counters["neurons"] = Counter(neurons);
  state.counters["threads"] = Counter(threads);
}
BENCHMARK(BM_Cuba)
    ->Args({4000, 1})
    ->Args({40000, 1})
    ->Args({4000, 2})
    ->Args({40000, 2})
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond)
    ->MinTime(2.0)
    ->ArgNames({"neurons", "threads"});

// One core of N CUBA neurons (bias-driven, no synapses; N = 256 is a full core): the neuron kernel
// and the per-step overhead of the chip loop, per step. Two sizes of one core separate the two:
// the difference per neuron is the kernel's own cost with its state in L1 (tools/bench/roofline.py).
void BM_CoreUpdateStep(benchmark::State& state) {
  const uint32_t neurons = static_cast<uint32_t>(state.range(0));
  pb::ChipImage image = lifchip::test::cuba_image(neurons, kSeed);
  pb::Core* core = image.mutable_cores(0);
  for (uint32_t& f : *core->mutable_neuron_fanout_base()) f = 0;
  for (uint32_t& f : *core->mutable_neuron_fanout_count()) f = 0;
  core->clear_fanout_to_host();
  core->clear_fanout_x();
  core->clear_fanout_y();
  core->clear_fanout_axon();
  lifchip::seal_image(image);
  std::unique_ptr<Backend> chip = BackendRegistry::create("functional");
  chip->load(image);
  for (auto _ : state) {
    chip->step(1);
    // Per-step figures accumulate; take them now and then as a long run would.
    if ((chip->timestep() & 1023u) == 0) benchmark::DoNotOptimize(chip->take_step_figures());
  }
  using benchmark::Counter;
  // Seconds per neuron update (the inverse of a rate; printed with an SI prefix, e.g. "1.5n").
  state.counters["s_per_neuron_update"] =
      Counter(static_cast<double>(neurons), Counter::kIsIterationInvariantRate | Counter::kInvert);
  state.counters["rate_hz"] = Counter(static_cast<double>(chip->counters().total(s::CNT_SPIKES)) / neurons /
                                      (chip->timestep() * 1e-4));
  state.counters["neurons"] = Counter(neurons);
}
BENCHMARK(BM_CoreUpdateStep)
    ->Arg(128)
    ->Arg(lifchip::test::kCubaNeuronsPerCore)
    ->ArgName("neurons")
    ->Unit(benchmark::kNanosecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
