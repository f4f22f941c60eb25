// Wall time of the Verilated RTL against the SystemC model and the functional model on the same
// images, with simulated cycles per second, printed as ratios after the Google Benchmark table
// (project target: the SystemC model at least 5x faster than the RTL).
// Images: a 4,000-neuron CUBA network on 16 cores of a 4x4 mesh, re-drawn to fit the RTL build's
// default capacities (1,024 axons and 16,384 synapse entries per core: each core draws its inputs
// from a pool of 1,024 sources with 56 synapses per neuron instead of 4,000 with 80), and a
// congested network (15 cores send every spike to core (0,0)).
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>
#include <string>

#include "lifchip/backend.h"
#include "lifchip/chip_constants.h"
#include "rtl_chip.h"
#include "support/cuba.h"
#include "support/image_builder.h"

namespace {

using lifchip::Backend;
using lifchip::BackendRegistry;
using lifchip::pb::ChipImage;

constexpr uint32_t kSteps = 200;

// The CUBA network within the default per-core capacities; excitatory weights scaled by 80/56 so
// each neuron receives about the same drive as in the 80-synapse network.
ChipImage cuba_fit_image() {
  lifchip::test::CubaParams p;
  p.pool = 1024;
  p.synapses_per_neuron = 56;
  p.w_exc = 76;
  return lifchip::test::cuba_image(4000, 1, p);
}

// 15 cores of 64 bias-driven neurons each send every spike to core (0,0) of a 4x4 mesh: the links
// into (0,0) saturate, FIFOs fill and fan-out units stall (the image of bench_systemc).
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
    it = cache.emplace(name, name == "cuba4000fit" ? cuba_fit_image() : congested_image()).first;
  return it->second;
}

struct Result {
  double seconds = 0;      // wall time per kSteps
  double cpu_seconds = 0;  // process CPU time per kSteps (steadier on a shared machine)
  uint64_t cycles = 0, spikes = 0;
};
std::map<std::string, Result> g_results;  // "backend/image"

void run(benchmark::State& state, const std::string& backend, const std::string& name) {
  std::unique_ptr<Backend> b = BackendRegistry::create(backend);
  Result r;
  double seconds = 0, cpu = 0;
  for (auto _ : state) {
    state.PauseTiming();
    b->load(image(name));
    state.ResumeTiming();
    const auto t0 = std::chrono::steady_clock::now();
    const std::clock_t c0 = std::clock();
    b->step(kSteps);
    cpu += static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    state.PauseTiming();
    r.cycles = 0;
    for (const lifchip::StepFigure& f : b->take_step_figures()) r.cycles += f.cycles;
    r.spikes = b->counters().total(lifchip::spec::CNT_SPIKES);
    state.ResumeTiming();
  }
  r.seconds = seconds / static_cast<double>(state.iterations());
  r.cpu_seconds = cpu / static_cast<double>(state.iterations());
  g_results[backend + "/" + name] = r;
  state.counters["steps/s"] =
      benchmark::Counter(static_cast<double>(kSteps) * state.iterations(), benchmark::Counter::kIsRate);
  state.counters["spikes"] = static_cast<double>(r.spikes);
  if (r.cycles) {
    state.counters["sim_cycles/s"] =
        benchmark::Counter(static_cast<double>(r.cycles) * state.iterations(), benchmark::Counter::kIsRate);
    state.counters["cycles/step"] = static_cast<double>(r.cycles) / kSteps;
  }
}

// The model alone, without the backend's per-step bus traffic (figure counters, draining): the
// image loaded through the bus, then all kSteps in one RUN_STEPS (the image has no inputs), polling
// STATUS every 1,000 cycles. Reports clock cycles per second of the Verilated chip.
std::map<std::string, double> g_raw_hz;
void raw(benchmark::State& state, const std::string& name) {
  namespace s = lifchip::spec;
  for (auto _ : state) {
    state.PauseTiming();
    lifchip::rtl::RtlChip chip;
    chip.write(s::REG_LOAD_CTRL, 1);
    for (uint32_t w : lifchip::flat_stream(image(name))) chip.write(s::REG_LOAD_DATA, w);
    chip.write(s::REG_LOAD_EXPECT, image(name).checksum());
    chip.write(s::REG_LOAD_CTRL, 2);
    if (chip.read(s::REG_ERROR) != 0) state.SkipWithError("load failed");
    state.ResumeTiming();
    const uint64_t c0 = chip.cycles();
    const std::clock_t t0 = std::clock();
    chip.write(s::REG_RUN_STEPS, kSteps);
    while (chip.read(s::REG_STATUS) & 1u) chip.idle(1000);
    const double cpu = static_cast<double>(std::clock() - t0) / CLOCKS_PER_SEC;
    g_raw_hz[name] = static_cast<double>(chip.cycles() - c0) / cpu;
    state.counters["clock_cycles/s"] = g_raw_hz[name];
  }
}

}  // namespace

BENCHMARK_CAPTURE(raw, rtl_model_only_cuba4000fit, std::string("cuba4000fit"))
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);
BENCHMARK_CAPTURE(raw, rtl_model_only_congested, std::string("congested"))
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);
BENCHMARK_CAPTURE(run, functional_cuba4000fit, std::string("functional"), std::string("cuba4000fit"))
    ->Unit(benchmark::kMillisecond)
    ->MinTime(0.5);
BENCHMARK_CAPTURE(run, systemc_cuba4000fit, std::string("systemc"), std::string("cuba4000fit"))
    ->Unit(benchmark::kMillisecond)
    ->MinTime(0.5);
BENCHMARK_CAPTURE(run, rtl_cuba4000fit, std::string("rtl"), std::string("cuba4000fit"))
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);
BENCHMARK_CAPTURE(run, functional_congested, std::string("functional"), std::string("congested"))
    ->Unit(benchmark::kMillisecond)
    ->MinTime(0.5);
BENCHMARK_CAPTURE(run, systemc_congested, std::string("systemc"), std::string("congested"))
    ->Unit(benchmark::kMillisecond)
    ->MinTime(0.5);
BENCHMARK_CAPTURE(run, rtl_congested, std::string("rtl"), std::string("congested"))
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  std::printf("\n%u steps per run, process CPU seconds; target: systemc at least 5x faster than rtl\n",
              kSteps);
  std::printf("%-12s %12s %10s %10s %9s %9s %14s %14s\n", "image", "functional s", "systemc s", "rtl s",
              "rtl/sysc", "rtl/func", "sysc cycles/s", "rtl cycles/s");
  for (const char* name : {"cuba4000fit", "congested"}) {
    const auto f = g_results.find(std::string("functional/") + name),
               sc = g_results.find(std::string("systemc/") + name),
               r = g_results.find(std::string("rtl/") + name);
    if (f == g_results.end() || sc == g_results.end() || r == g_results.end()) continue;
    const Result &fr = f->second, &sr = sc->second, &rr = r->second;
    std::printf("%-12s %12.4f %10.4f %10.4f %8.1fx %8.1fx %14.3g %14.3g\n", name, fr.cpu_seconds,
                sr.cpu_seconds, rr.cpu_seconds, rr.cpu_seconds / sr.cpu_seconds,
                rr.cpu_seconds / fr.cpu_seconds, static_cast<double>(sr.cycles) / sr.cpu_seconds,
                static_cast<double>(rr.cycles) / rr.cpu_seconds);
  }
  for (const auto& [name, hz] : g_raw_hz)
    std::printf("rtl model alone, %s: %.3g clock cycles per CPU second\n", name.c_str(), hz);
  return 0;
}
