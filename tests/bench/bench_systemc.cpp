// Wall time of the SystemC model against the functional model on the same images (the CUBA network
// and a congested many-to-one network), with simulated cycles per second. After the Google Benchmark
// table it prints the SystemC / functional ratio per image (issue target: at most 10x).
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <string>

#include "lifchip/backend.h"
#include "support/cuba.h"
#include "support/image_builder.h"

namespace {

using lifchip::Backend;
using lifchip::BackendRegistry;
using lifchip::pb::ChipImage;

constexpr uint32_t kSteps = 10000;

// 15 cores of 64 bias-driven neurons each send every spike to core (0,0) of a 4x4 mesh: the links
// into (0,0) saturate, FIFOs fill and fan-out units stall.
ChipImage congested_image() {
  lifchip::test::ImageBuilder b(4, 4);
  b.profile(0, 0, 1000, 1000, 60000);
  b.neuron(0, 0, 0);
  for (int a = 0; a < 1024; ++a) b.axon(0, 0);
  uint32_t next_axon = 0;
  for (uint32_t y = 0; y < 4; ++y)
    for (uint32_t x = 0; x < 4; ++x) {
      if (x == 0 && y == 0) continue;
      b.profile(x, y, 4095, 200, 400, 0, false, 3);
      for (uint32_t n = 0; n < 64; ++n) {
        b.neuron(x, y, 0, static_cast<int32_t>(900 + 40 * n), 0, static_cast<int32_t>(n * 300));
        b.fanout(x, y, n, {false, 0, 0, next_axon++ % 1024});
      }
    }
  return b.build();
}

const ChipImage& image(const std::string& name) {
  static std::map<std::string, ChipImage> cache;
  auto it = cache.find(name);
  if (it == cache.end())
    it = cache.emplace(name, name == "cuba4000" ? lifchip::test::cuba_image(4000, 1) : congested_image())
             .first;
  return it->second;
}

std::map<std::string, double> g_seconds;  // "backend/image" -> seconds per kSteps

void run(benchmark::State& state, const std::string& backend, const std::string& name) {
  std::unique_ptr<Backend> b = BackendRegistry::create(backend);
  uint64_t cycles = 0, spikes = 0;
  double seconds = 0;
  for (auto _ : state) {
    state.PauseTiming();
    b->load(image(name));
    state.ResumeTiming();
    const auto t0 = std::chrono::steady_clock::now();
    b->step(kSteps);
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    state.PauseTiming();
    cycles = 0;
    for (const lifchip::StepFigure& f : b->take_step_figures()) cycles += f.cycles;
    spikes = b->counters().total(lifchip::spec::CNT_SPIKES);
    state.ResumeTiming();
  }
  g_seconds[backend + "/" + name] = seconds / static_cast<double>(state.iterations());
  state.counters["steps/s"] =
      benchmark::Counter(static_cast<double>(kSteps) * state.iterations(), benchmark::Counter::kIsRate);
  state.counters["spikes"] = static_cast<double>(spikes);
  if (cycles) {
    state.counters["sim_cycles/s"] =
        benchmark::Counter(static_cast<double>(cycles) * state.iterations(), benchmark::Counter::kIsRate);
    state.counters["cycles/step"] = static_cast<double>(cycles) / kSteps;
  }
}

}  // namespace

BENCHMARK_CAPTURE(run, functional_cuba4000, std::string("functional"), std::string("cuba4000"))
    ->Unit(benchmark::kMillisecond)
    ->MinTime(1.0);
BENCHMARK_CAPTURE(run, systemc_cuba4000, std::string("systemc"), std::string("cuba4000"))
    ->Unit(benchmark::kMillisecond)
    ->MinTime(1.0);
BENCHMARK_CAPTURE(run, functional_congested, std::string("functional"), std::string("congested"))
    ->Unit(benchmark::kMillisecond)
    ->MinTime(1.0);
BENCHMARK_CAPTURE(run, systemc_congested, std::string("systemc"), std::string("congested"))
    ->Unit(benchmark::kMillisecond)
    ->MinTime(1.0);

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  std::printf("\n%-12s %14s %14s %8s   (%u steps; target: systemc <= 10x functional)\n", "image",
              "functional s", "systemc s", "ratio", kSteps);
  for (const char* name : {"cuba4000", "congested"}) {
    const auto f = g_seconds.find(std::string("functional/") + name),
               s = g_seconds.find(std::string("systemc/") + name);
    if (f == g_seconds.end() || s == g_seconds.end()) continue;
    std::printf("%-12s %14.4f %14.4f %7.1fx\n", name, f->second, s->second, s->second / f->second);
  }
  return 0;
}
