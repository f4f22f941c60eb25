// Partition strategy "optimise": cores grown around shared inputs (each next neuron is the one whose
// sources already reach the core the most, weighted by rate), then Fiduccia-Mattheyses-style
// refinement that moves single neurons between cores while the multicast packet count drops and
// every per-core limit holds. Deterministic for a seed (the seed orders the refinement passes).
#include <algorithm>
#include <cstdint>
#include <map>
#include <queue>
#include <random>

#include "../stages.h"

namespace lifchip::mapper::detail {
namespace {

// Grows one core at a time: the candidate with the largest rate-weighted count of sources
// already on the core comes next (ties: lowest index); with none, the lowest unassigned neuron.
Partition grow(const QNet& q, const Capacities& cap, const std::vector<double>& rates) {
  Filler f(q, cap);
  std::vector<double> score(q.num_neurons, 0);
  std::vector<uint32_t> touched, added;
  using Entry = std::pair<double, int64_t>;  // (score, -index): max-heap picks lowest index on ties
  std::priority_queue<Entry> heap;
  uint32_t next_free = 0, assigned = 0;
  while (assigned < q.num_neurons) {
    uint32_t g = UINT32_MAX;
    while (!heap.empty()) {
      const auto [sc, neg] = heap.top();
      heap.pop();
      const auto c = static_cast<uint32_t>(-neg);
      if (f.part.core_of[c] == UINT32_MAX && sc == score[c]) {
        g = c;
        break;
      }
    }
    if (g == UINT32_MAX) {
      while (f.part.core_of[next_free] != UINT32_MAX) ++next_free;
      g = next_free;
    }
    if (!f.can_add(g)) {
      if (f.empty()) f.fail(g);
      f.next_core();
      for (uint32_t t : touched) score[t] = 0;
      touched.clear();
      heap = {};
      if (!f.can_add(g)) f.fail(g);
    }
    added.clear();
    f.add(g, &added);
    ++assigned;
    for (uint32_t s : added) {
      uint32_t last = UINT32_MAX;
      for (uint64_t i = q.out_start[s]; i < q.out_start[s + 1]; ++i) {
        const uint32_t t = q.out_target[i];
        if (t == last || f.part.core_of[t] != UINT32_MAX) continue;
        last = t;
        if (score[t] == 0) touched.push_back(t);
        score[t] += rates[s] > 0 ? rates[s] : 1e-9;
        heap.emplace(score[t], -static_cast<int64_t>(t));
      }
    }
  }
  return f.finish();
}

// Single-neuron moves between existing cores, accepted when the packet count strictly drops and
// every limit holds afterwards.
class Refiner {
 public:
  Refiner(const QNet& q, const Capacities& cap, const std::vector<double>& rates, Partition& p)
      : q_(q), cap_(cap), rates_(rates), p_(p) {
    const uint32_t nc = p.num_cores;
    neurons_.assign(nc, 0);
    synapses_.assign(nc, 0);
    axons_.assign(nc, 0);
    fanout_.assign(nc, 0);
    prof_.assign(nc, {});
    groups_.assign(nc * 16, 0);
    dests_.assign(q.num_sources(), {});
    for (uint32_t g = 0; g < q.num_neurons; ++g) {
      const uint32_t c = p.core_of[g];
      ++neurons_[c];
      synapses_[c] += q.in_entries[g];
      ++prof_[c][q.profile[g]];
      fanout_[c] += q.to_host[g];
      for (int e = 0; e < 16; ++e)
        if (q.in_exp_mask[g] >> e & 1) ++groups_[c * 16 + e];
      for (uint64_t i = q.in_start[g]; i < q.in_start[g + 1]; ++i) inc(q.in_source[i], c);
    }
  }

  uint64_t pass(std::mt19937_64& rng) {
    std::vector<uint32_t> order(q_.num_neurons);
    for (uint32_t i = 0; i < q_.num_neurons; ++i) order[i] = i;
    for (uint32_t i = q_.num_neurons; i > 1; --i) std::swap(order[i - 1], order[rng() % i]);
    uint64_t moves = 0;
    std::vector<uint32_t> cands;
    for (uint32_t g : order) {
      const uint32_t a = p_.core_of[g];
      cands.clear();
      for (uint64_t i = q_.in_start[g]; i < q_.in_start[g + 1]; ++i)
        for (const auto& [c, n] : dests_[q_.in_source[i]])
          if (c != a) cands.push_back(c);
      std::sort(cands.begin(), cands.end());
      cands.erase(std::unique(cands.begin(), cands.end()), cands.end());
      double best_gain = 1e-12;
      uint32_t best = UINT32_MAX;
      for (uint32_t b : cands) {
        const double gain = move_gain(g, a, b);
        if (gain > best_gain && feasible(g, a, b)) best_gain = gain, best = b;
      }
      if (best != UINT32_MAX) move(g, a, best), ++moves;
    }
    return moves;
  }

 private:
  uint32_t count(uint32_t s, uint32_t c) const {
    for (const auto& [k, n] : dests_[s])
      if (k == c) return n;
    return 0;
  }
  void inc(uint32_t s, uint32_t c) {
    for (auto& [k, n] : dests_[s])
      if (k == c) {
        ++n;
        return;
      }
    dests_[s].emplace_back(c, 1);
    ++axons_[c];
    if (s >= q_.num_inputs) ++fanout_[p_.core_of[s - q_.num_inputs]];
  }
  void dec(uint32_t s, uint32_t c) {
    auto& d = dests_[s];
    for (std::size_t i = 0; i < d.size(); ++i)
      if (d[i].first == c) {
        if (--d[i].second == 0) {
          d.erase(d.begin() + static_cast<std::ptrdiff_t>(i));
          --axons_[c];
          if (s >= q_.num_inputs) --fanout_[p_.core_of[s - q_.num_inputs]];
        }
        return;
      }
  }
  double move_gain(uint32_t g, uint32_t a, uint32_t b) const {
    double gain = 0;
    for (uint64_t i = q_.in_start[g]; i < q_.in_start[g + 1]; ++i) {
      const uint32_t s = q_.in_source[i];
      const double r = rates_[s];
      if (count(s, a) == 1) gain += r;
      if (count(s, b) == 0) gain -= r;
    }
    return gain;
  }
  bool feasible(uint32_t g, uint32_t a, uint32_t b) const {
    if (neurons_[b] + 1 > cap_.neurons || synapses_[b] + q_.in_entries[g] > cap_.synapses) return false;
    if (!prof_[b].count(q_.profile[g]) && prof_[b].size() + 1 > cap_.profiles) return false;
    uint32_t ng = 0;
    for (int e = 0; e < 16; ++e) ng += (groups_[b * 16 + e] > 0 || (q_.in_exp_mask[g] >> e & 1)) ? 1 : 0;
    if (ng > cap_.groups) return false;
    int64_t new_axons = 0;
    std::vector<std::pair<uint32_t, int64_t>> fan;  // core -> delta
    auto add_fan = [&](uint32_t c, int64_t d) {
      for (auto& [k, v] : fan)
        if (k == c) {
          v += d;
          return;
        }
      fan.emplace_back(c, d);
    };
    const int64_t own = static_cast<int64_t>(dests_[q_.num_inputs + g].size()) + q_.to_host[g];
    add_fan(a, -own);
    add_fan(b, own);
    for (uint64_t i = q_.in_start[g]; i < q_.in_start[g + 1]; ++i) {
      const uint32_t s = q_.in_source[i];
      const bool gains_b = count(s, b) == 0, loses_a = count(s, a) == 1;
      new_axons += gains_b;
      if (s >= q_.num_inputs) {
        const uint32_t sn = s - q_.num_inputs;
        const uint32_t c = sn == g ? b : p_.core_of[sn];
        add_fan(c, int64_t{gains_b} - int64_t{loses_a});
      }
    }
    if (axons_[b] + new_axons > cap_.axons) return false;
    for (const auto& [c, d] : fan)
      if (static_cast<int64_t>(fanout_[c]) + d > static_cast<int64_t>(cap_.fanout)) return false;
    return true;
  }
  void move(uint32_t g, uint32_t a, uint32_t b) {
    // g's own fan-out entries move with it.
    const uint64_t own = dests_[q_.num_inputs + g].size() + q_.to_host[g];
    fanout_[a] -= own;
    fanout_[b] += own;
    for (uint64_t i = q_.in_start[g]; i < q_.in_start[g + 1]; ++i) dec(q_.in_source[i], a);
    p_.core_of[g] = b;
    for (uint64_t i = q_.in_start[g]; i < q_.in_start[g + 1]; ++i) inc(q_.in_source[i], b);
    --neurons_[a];
    ++neurons_[b];
    synapses_[a] -= q_.in_entries[g];
    synapses_[b] += q_.in_entries[g];
    if (--prof_[a][q_.profile[g]] == 0) prof_[a].erase(q_.profile[g]);
    ++prof_[b][q_.profile[g]];
    for (int e = 0; e < 16; ++e)
      if (q_.in_exp_mask[g] >> e & 1) --groups_[a * 16 + e], ++groups_[b * 16 + e];
  }

  const QNet& q_;
  Capacities cap_;
  const std::vector<double>& rates_;
  Partition& p_;
  std::vector<uint32_t> neurons_, axons_;
  std::vector<uint64_t> synapses_, fanout_;
  std::vector<std::map<uint32_t, uint32_t>> prof_;
  std::vector<uint32_t> groups_;
  std::vector<std::vector<std::pair<uint32_t, uint32_t>>> dests_;
};

// Drops cores a refinement emptied and renumbers the rest in order.
void compact(Partition& p) {
  std::vector<uint32_t> used(p.num_cores, 0), id(p.num_cores, 0);
  for (uint32_t c : p.core_of) used[c] = 1;
  uint32_t n = 0;
  for (uint32_t c = 0; c < p.num_cores; ++c) id[c] = used[c] ? n++ : 0;
  for (uint32_t& c : p.core_of) c = id[c];
  p.num_cores = n;
}

class OptimisePartitioner : public Partitioner {
 public:
  std::string name() const override { return "optimise"; }
  Partition run(const QNet& q, const Capacities& cap, const std::vector<double>& rates,
                uint64_t seed) const override {
    Partition grown = grow(q, cap, rates);
    Partition greedy = greedy_fill(q, cap);
    // Keep the better start (a layered network in order can already be optimal).
    Partition p = partition_packets(q, grown, rates) <= partition_packets(q, greedy, rates)
                      ? std::move(grown)
                      : std::move(greedy);
    std::mt19937_64 rng(seed);
    Refiner r(q, cap, rates, p);
    for (int i = 0; i < 4 && r.pass(rng) > 0; ++i) {
    }
    compact(p);
    return p;
  }
};

const bool registered = [] {
  PartitionerRegistry::add("optimise", [] { return std::make_unique<OptimisePartitioner>(); });
  return true;
}();

}  // namespace
}  // namespace lifchip::mapper::detail
