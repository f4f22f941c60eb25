// The mapper's benchmarks (not run in CI): mapping time and peak memory (getrusage max RSS) of
// synthetic networks up to 1,000,000 neurons / 100,000,000 synapses, and the traffic (packets x
// hops per step) of the optimising strategies against the greedy + row-major baseline on layered,
// convolutional and random-recurrent networks. Commands and recorded figures: docs/mapper.md §6.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <chrono>
#include <memory>

#include "lifchip/chip_constants.h"
#include "lifchip/mapper/map.h"
#include "lifchip/mapper/synthetic.h"

namespace {

namespace m = lifchip::mapper;
namespace s = lifchip::spec;

double max_rss_mib() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return double(u.ru_maxrss) / 1024.0;  // Linux reports KiB
}

// The largest chip the spec allows: 16 x 16 cores at their maximum capacities.
m::MapOptions biggest_chip() {
  m::MapOptions o;
  o.mesh_width = s::MESH_DIM_MAX;
  o.mesh_height = s::MESH_DIM_MAX;
  o.neurons_per_core = s::NEURONS_PER_CORE_MAX;
  o.axons_per_core = s::AXONS_PER_CORE_MAX;
  o.synapses_per_core = s::SYNAPSES_PER_CORE_MAX;
  o.fanout_per_core = s::FANOUT_PER_CORE_MAX;
  o.profiles_per_core = s::PROFILES_PER_CORE_MAX;
  return o;
}

// Layered, locally wired: `layers` populations of `n` neurons after an input of `n`, fan-in `k`
// from a window of 256, so that every core's axons stay within the limit.
m::Network layered_local(uint32_t n, uint32_t layers, uint32_t k) {
  m::SyntheticOptions so;
  so.window = 256;
  so.max_outputs = 1000;
  std::vector<uint32_t> sizes(layers + 1, n);
  return m::synthetic_layered(sizes, k, so);
}

// Whole pipeline on the biggest chip. Args: neurons per layer, layers, fan-in, optimise (0/1).
void BM_MapLayered(benchmark::State& state) {
  const m::Network net =
      layered_local(static_cast<uint32_t>(state.range(0)), static_cast<uint32_t>(state.range(1)),
                    static_cast<uint32_t>(state.range(2)));
  m::MapOptions o = biggest_chip();
  if (state.range(3)) o.partition = "optimise", o.place = "optimise";
  uint32_t cores = 0;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    const m::MapResult r = m::map_network(net, o);
    state.SetIterationTime(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    cores = static_cast<uint32_t>(r.image.cores_size());
  }
  state.counters["neurons"] = double(net.num_neurons());
  state.counters["synapses"] = double(net.num_synapses());
  state.counters["cores"] = cores;
  state.counters["max_rss_MiB"] = max_rss_mib();
}
BENCHMARK(BM_MapLayered)
    ->Args({16384, 4, 60, 0})
    ->Args({16384, 4, 60, 1})
    ->Args({62500, 4, 60, 0})
    ->Args({62500, 4, 60, 1})
    ->UseManualTime()
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

// 1,000,000 neurons and 100,000,000 synapses: more than any chip the spec allows holds (at most
// 256 cores x 1,024 neurons, 65,536 synapse entries each), so this measures the fit dry run
// (import-free: quantise + greedy partition + limit checks) that tells the user by how much.
void BM_FitHuge(benchmark::State& state) {
  const m::Network net = layered_local(100000, 10, 100);
  const m::MapOptions o = biggest_chip();
  m::FitResult f;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    f = m::fit_network(net, o);
    state.SetIterationTime(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  state.counters["neurons"] = double(net.num_neurons());
  state.counters["synapses"] = double(net.num_synapses());
  state.counters["cores_needed"] = f.cores_used;
  state.counters["fits"] = f.fits ? 1 : 0;
  state.counters["max_rss_MiB"] = max_rss_mib();
  state.SetLabel(f.message);
}
BENCHMARK(BM_FitHuge)->UseManualTime()->Iterations(1)->Unit(benchmark::kMillisecond);

// Traffic of optimise+optimise against greedy+rowmajor, with rates measured on sample stimuli.
// Arg: 0 layered (random sparse), 1 convolutional, 2 random recurrent.
void BM_Traffic(benchmark::State& state) {
  m::SyntheticOptions so;
  so.seed = 5;
  m::Network net;
  const char* label = "";
  switch (state.range(0)) {
    case 0:
      net = m::synthetic_layered({200, 1000, 1000, 500}, 40, so);
      label = "layered 200-1000-1000-500, fan-in 40";
      break;
    case 1:
      net = m::synthetic_conv({2, 8, 8, 8}, 16, 16, 3, so);
      label = "conv 2-8-8-8 channels, 16x16, 3x3";
      break;
    default:
      net = m::synthetic_recurrent(100, 2000, 20, 40, 50, so);
      label = "recurrent 2000, fan-in 20 ext + 40 rec";
      break;
  }
  // 16 x 16 default cores: the greedy baseline of the recurrent network needs ~100 cores.
  m::MapOptions o;
  o.mesh_width = s::MESH_DIM_MAX;
  o.mesh_height = s::MESH_DIM_MAX;
  uint32_t inputs = 0;
  for (auto v : net.populations())
    if (net.population(v).kind == m::NeuronKind::kInput) inputs += net.population(v).size;
  for (uint64_t i = 0; i < 3; ++i) o.sample_stimuli.push_back(m::synthetic_stimulus(inputs, 50, 0.2, 40 + i));
  o.partition = "optimise";
  o.place = "optimise";
  m::MapResult r;
  for (auto _ : state) r = m::map_network(net, o);
  state.counters["packet_hops"] = r.report.traffic.packet_hops;
  state.counters["baseline_packet_hops"] = r.report.traffic.baseline_packet_hops;
  state.counters["ratio"] = r.report.traffic.packet_hops / r.report.traffic.baseline_packet_hops;
  state.counters["cores"] = r.image.cores_size();
  state.SetLabel(label);
}
BENCHMARK(BM_Traffic)->Arg(0)->Arg(1)->Arg(2)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
