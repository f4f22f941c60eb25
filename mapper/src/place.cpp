// The place step's shared parts: the placer registry, the core-to-core traffic of a partition and
// the placement objective (rate-weighted packets x XY hops, host traffic entering and leaving at
// router (0,0)).
#include <cstdlib>
#include <map>

#include "stages.h"

namespace lifchip::mapper::detail {
namespace {

std::map<std::string, PlacerRegistry::Factory>& placers() {
  static std::map<std::string, PlacerRegistry::Factory> m;
  return m;
}

}  // namespace

void PlacerRegistry::add(const std::string& name, Factory f) { placers()[name] = std::move(f); }
std::unique_ptr<Placer> PlacerRegistry::create(const std::string& name) {
  auto it = placers().find(name);
  if (it == placers().end()) {
    std::string known;
    for (const auto& n : names()) known += (known.empty() ? "" : ", ") + n;
    throw InputError("option 'place': unknown strategy '" + name + "' (known: " + known + ")");
  }
  return it->second();
}
std::vector<std::string> PlacerRegistry::names() {
  std::vector<std::string> v;
  for (const auto& [k, f] : placers()) v.push_back(k);
  return v;
}

Traffic core_traffic(const QNet& q, const Partition& p, const std::vector<double>& rates) {
  Traffic t;
  t.num_cores = p.num_cores;
  t.between.assign(std::size_t{p.num_cores} * p.num_cores, 0);
  t.from_host.assign(p.num_cores, 0);
  t.to_host.assign(p.num_cores, 0);
  std::vector<uint32_t> stamp(p.num_cores, UINT32_MAX);
  for (uint32_t s = 0; s < q.num_sources(); ++s) {
    const double r = rates[s];
    if (r == 0) continue;
    const bool input = s < q.num_inputs;
    const uint32_t src_core = input ? 0 : p.core_of[s - q.num_inputs];
    for (uint64_t i = q.out_start[s]; i < q.out_start[s + 1]; ++i) {
      const uint32_t c = p.core_of[q.out_target[i]];
      if (stamp[c] == s) continue;
      stamp[c] = s;
      if (input)
        t.from_host[c] += r;
      else
        t.between[std::size_t{src_core} * p.num_cores + c] += r;
    }
    if (!input && q.to_host[s - q.num_inputs]) t.to_host[src_core] += r;
  }
  return t;
}

double placement_cost(const Traffic& t, const std::vector<uint32_t>& slot, uint32_t width) {
  auto hops_to_origin = [&](uint32_t a) { return double(slot[a] % width + slot[a] / width); };
  double cost = 0;
  for (uint32_t a = 0; a < t.num_cores; ++a) {
    cost += t.from_host[a] * hops_to_origin(a) + t.to_host[a] * (hops_to_origin(a) + 1);
    for (uint32_t b = 0; b < t.num_cores; ++b) {
      const double v = t.between[std::size_t{a} * t.num_cores + b];
      if (v == 0) continue;
      const int dx = int(slot[a] % width) - int(slot[b] % width),
                dy = int(slot[a] / width) - int(slot[b] / width);
      cost += v * double(std::abs(dx) + std::abs(dy));
    }
  }
  return cost;
}

}  // namespace lifchip::mapper::detail
