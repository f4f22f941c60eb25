// The machine's own bounds, for the roofline of docs/benchmarks.md §10: how fast one core streams
// memory (read, and read + write as a neuron update does) and how fast it does scattered
// read-modify-writes of 32-bit words (what a synaptic event does to its accumulator), each for
// working sets from L1-sized to far beyond the last-level cache. No lifchip code runs here.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <numeric>
#include <random>
#include <vector>

namespace {

// The loops are cloned for AVX-512 and AVX2 as the neuron kernel is (core_datapath.cpp), so the
// bounds are the vector units' and not the baseline x86-64 build's.
#define LIFCHIP_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))

LIFCHIP_CLONES uint32_t sum_of(const uint32_t* a, std::size_t n) {
  uint32_t sum = 0;  // wraps: only the reading counts
  for (std::size_t i = 0; i < n; ++i) sum += a[i];
  return sum;
}

LIFCHIP_CLONES void update_all(int32_t* a, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) a[i] = a[i] * 3 + 1;
}

// Working sets in bytes, 16 KiB (L1) to 256 MiB (DRAM), by factors of 4.
void sizes(benchmark::internal::Benchmark* b) {
  for (int64_t bytes = int64_t{16} << 10; bytes <= int64_t{256} << 20; bytes *= 4) b->Arg(bytes);
}

// Sums a 32-bit array: bytes read per second (the bound of state that is only read).
void BM_StreamRead(benchmark::State& state) {
  std::vector<uint32_t> a(static_cast<std::size_t>(state.range(0)) / sizeof(uint32_t), 1);
  for (auto _ : state) {
    benchmark::DoNotOptimize(sum_of(a.data(), a.size()));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_StreamRead)->Apply(sizes);

// Reads and writes back every word of a 32-bit array (a neuron update reads and writes its state):
// bytes moved (read + written) per second.
void BM_StreamUpdate(benchmark::State& state) {
  std::vector<int32_t> a(static_cast<std::size_t>(state.range(0)) / sizeof(int32_t), 1);
  for (auto _ : state) {
    update_all(a.data(), a.size());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0) * 2);
}
BENCHMARK(BM_StreamUpdate)->Apply(sizes);

// acc[idx[k]] += w[k] over a random index stream into an array of the given size: scattered
// read-modify-writes per second (items), the bound of synaptic delivery into accumulators that
// are spread over that much memory. The (index, weight) stream itself is read sequentially.
void BM_ScatterAdd(benchmark::State& state) {
  const std::size_t n = static_cast<std::size_t>(state.range(0)) / sizeof(int32_t);
  constexpr std::size_t kEvents = std::size_t{1} << 20;
  std::vector<int32_t> acc(n, 0);
  std::vector<uint32_t> idx(kEvents);
  std::vector<int32_t> w(kEvents);
  std::mt19937 rng(1);
  for (std::size_t k = 0; k < kEvents; ++k) {
    idx[k] = static_cast<uint32_t>(rng() % n);
    w[k] = static_cast<int32_t>(rng() % 255) - 127;
  }
  for (auto _ : state) {
    for (std::size_t k = 0; k < kEvents; ++k) acc[idx[k]] += w[k];
    benchmark::ClobberMemory();
  }
  benchmark::DoNotOptimize(std::accumulate(acc.begin(), acc.end(), int64_t{0}));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kEvents));
}
BENCHMARK(BM_ScatterAdd)->Apply(sizes);

}  // namespace

BENCHMARK_MAIN();
