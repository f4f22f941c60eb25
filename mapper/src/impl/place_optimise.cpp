// Place strategy "optimise": simulated annealing over slot swaps (a core with another core or with
// an empty slot) on packets x hops, then pairwise-swap descent to a local minimum; the best of
// that and row-major is kept, so it is never worse than the baseline. Deterministic for a seed.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <random>

#include "../stages.h"

namespace lifchip::mapper::detail {
namespace {

class AnnealPlacer : public Placer {
 public:
  std::string name() const override { return "optimise"; }
  std::vector<uint32_t> run(const Traffic& t, uint32_t width, uint32_t height, uint64_t seed) const override {
    const uint32_t n = t.num_cores, slots = width * height;
    std::vector<uint32_t> slot(n), occupant(slots, UINT32_MAX);
    for (uint32_t k = 0; k < n; ++k) slot[k] = k, occupant[k] = k;
    if (n == 0) return slot;
    // Symmetric weights: a swap's change depends on traffic in both directions.
    std::vector<double> w(std::size_t{n} * n, 0);
    std::vector<double> host(n, 0);
    for (uint32_t a = 0; a < n; ++a) {
      host[a] = t.from_host[a] + t.to_host[a];
      for (uint32_t b = 0; b < n; ++b)
        if (a != b)
          w[std::size_t{a} * n + b] = t.between[std::size_t{a} * n + b] + t.between[std::size_t{b} * n + a];
    }
    auto dist = [&](uint32_t s1, uint32_t s2) {
      return double(std::abs(int(s1 % width) - int(s2 % width)) +
                    std::abs(int(s1 / width) - int(s2 / width)));
    };
    // Cost of core a sitting at slot s, with the other cores where they are (except `skip`).
    auto local = [&](uint32_t a, uint32_t s, uint32_t skip, uint32_t skip_slot) {
      double c = host[a] * dist(s, 0);
      const double* row = &w[std::size_t{a} * n];
      for (uint32_t b = 0; b < n; ++b) {
        if (b == a || row[b] == 0) continue;
        c += row[b] * dist(s, b == skip ? skip_slot : slot[b]);
      }
      return c;
    };
    auto delta = [&](uint32_t s1, uint32_t s2) {
      const uint32_t a = occupant[s1], b = occupant[s2];
      double d = 0;
      if (a != UINT32_MAX) d += local(a, s2, b, s1) - local(a, s1, UINT32_MAX, 0);
      if (b != UINT32_MAX) d += local(b, s1, a, s2) - local(b, s2, UINT32_MAX, 0);
      // The a-b pair is counted in both terms; their distance is unchanged by a swap.
      return d;
    };
    auto swap_slots = [&](uint32_t s1, uint32_t s2) {
      const uint32_t a = occupant[s1], b = occupant[s2];
      occupant[s1] = b;
      occupant[s2] = a;
      if (a != UINT32_MAX) slot[a] = s2;
      if (b != UINT32_MAX) slot[b] = s1;
    };
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> unit(0, 1);
    // Initial temperature from the average size of random moves.
    double avg = 0;
    const int probes = 200;
    for (int i = 0; i < probes; ++i)
      avg += std::abs(delta(static_cast<uint32_t>(rng() % slots), static_cast<uint32_t>(rng() % slots)));
    double temp = avg / probes + 1e-12;
    const uint64_t iters = std::min<uint64_t>(400000, uint64_t{2000} * slots);
    const double cool = std::pow(1e-4, 1.0 / double(iters));
    for (uint64_t i = 0; i < iters; ++i, temp *= cool) {
      const uint32_t s1 = static_cast<uint32_t>(rng() % slots), s2 = static_cast<uint32_t>(rng() % slots);
      if (s1 == s2 || (occupant[s1] == UINT32_MAX && occupant[s2] == UINT32_MAX)) continue;
      const double d = delta(s1, s2);
      if (d <= 0 || unit(rng) < std::exp(-d / temp)) swap_slots(s1, s2);
    }
    // Descent: any improving pairwise swap, until none.
    for (bool improved = true; improved;) {
      improved = false;
      for (uint32_t s1 = 0; s1 < slots; ++s1)
        for (uint32_t s2 = s1 + 1; s2 < slots; ++s2) {
          if (occupant[s1] == UINT32_MAX && occupant[s2] == UINT32_MAX) continue;
          if (delta(s1, s2) < -1e-9) swap_slots(s1, s2), improved = true;
        }
    }
    std::vector<uint32_t> rowmajor(n);
    for (uint32_t k = 0; k < n; ++k) rowmajor[k] = k;
    return placement_cost(t, slot, width) <= placement_cost(t, rowmajor, width) ? slot : rowmajor;
  }
};

const bool registered = [] {
  PlacerRegistry::add("optimise", [] { return std::make_unique<AnnealPlacer>(); });
  return true;
}();

}  // namespace
}  // namespace lifchip::mapper::detail
