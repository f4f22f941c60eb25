// The partition step's shared parts: the strategy registry, the in-order fill that checks every
// per-core limit incrementally, and the usage/objective of any partition recomputed from scratch.
#include <algorithm>
#include <map>
#include <mutex>

#include "lifchip/chip_constants.h"
#include "stages.h"

namespace lifchip::mapper::detail {
namespace {

std::map<std::string, PartitionerRegistry::Factory>& partitioners() {
  static std::map<std::string, PartitionerRegistry::Factory> m;
  return m;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

}  // namespace

std::string group_digits(uint64_t v) {
  std::string s = std::to_string(v);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<std::size_t>(i), ",");
  return s;
}

void PartitionerRegistry::add(const std::string& name, Factory f) { partitioners()[name] = std::move(f); }
std::unique_ptr<Partitioner> PartitionerRegistry::create(const std::string& name) {
  auto it = partitioners().find(name);
  if (it == partitioners().end())
    throw InputError("option 'partition': unknown strategy '" + name + "' (known: " + join(names()) + ")");
  return it->second();
}
std::vector<std::string> PartitionerRegistry::names() {
  std::vector<std::string> v;
  for (const auto& [k, f] : partitioners()) v.push_back(k);
  return v;
}

Filler::Filler(const QNet& q, const Capacities& cap)
    : q_(q),
      cap_(cap),
      axon_stamp_(q.num_sources(), UINT32_MAX),
      dest_count_(q.num_neurons, 0),
      profile_stamp_(q.profiles.size(), UINT32_MAX) {
  part.core_of.assign(q.num_neurons, UINT32_MAX);
  fanout_.push_back(0);
}

bool Filler::can_add(uint32_t g) const {
  uint32_t new_axons = 0;
  bool fan_ok = true;
  for (uint64_t i = q_.in_start[g]; i < q_.in_start[g + 1]; ++i) {
    const uint32_t s = q_.in_source[i];
    if (axon_stamp_[s] == cur_) continue;
    ++new_axons;
    if (s >= q_.num_inputs) {
      const uint32_t sn = s - q_.num_inputs;
      const uint32_t c = sn == g ? cur_ : part.core_of[sn];
      if (c != UINT32_MAX && fanout_[c] + 1 > cap_.fanout) fan_ok = false;
    }
  }
  const uint64_t own_fan = dest_count_[g] + q_.to_host[g];
  const uint16_t ng = static_cast<uint16_t>(groups_ | q_.in_exp_mask[g]);
  const uint32_t nprof = profiles_ + (profile_stamp_[q_.profile[g]] == cur_ ? 0 : 1);
  return neurons_ + 1 <= cap_.neurons && synapses_ + q_.in_entries[g] <= cap_.synapses &&
         axons_ + new_axons <= cap_.axons && nprof <= cap_.profiles &&
         static_cast<uint32_t>(__builtin_popcount(ng)) <= cap_.groups && fan_ok &&
         fanout_[cur_] + own_fan <= cap_.fanout;
}

void Filler::fail(uint32_t g) const {
  const PopRange& r = q_.pops[q_.pop_of[g]];
  auto say = [&](const std::string& what, uint64_t need, uint64_t limit) {
    throw InputError("population '" + r.name + "' neuron " + std::to_string(g - r.first) + " needs " +
                     group_digits(need) + " " + what + " on one core, limit " + group_digits(limit));
  };
  uint64_t srcs = q_.in_start[g + 1] - q_.in_start[g];
  const auto ng = static_cast<uint32_t>(__builtin_popcount(q_.in_exp_mask[g]));
  if (q_.in_entries[g] > cap_.synapses) say("synapse entries", q_.in_entries[g], cap_.synapses);
  if (srcs > cap_.axons) say("axons", srcs, cap_.axons);
  if (ng > cap_.groups) say("synapse groups (distinct weight exponents)", ng, cap_.groups);
  say("fan-out entries", dest_count_[g] + q_.to_host[g] + 1, cap_.fanout);
  throw InputError("population '" + r.name + "': neuron does not fit an empty core");  // not reached
}

void Filler::add(uint32_t g, std::vector<uint32_t>* new_sources) {
  part.core_of[g] = cur_;
  ++neurons_;
  synapses_ += q_.in_entries[g];
  groups_ = static_cast<uint16_t>(groups_ | q_.in_exp_mask[g]);
  if (profile_stamp_[q_.profile[g]] != cur_) profile_stamp_[q_.profile[g]] = cur_, ++profiles_;
  fanout_[cur_] += dest_count_[g] + q_.to_host[g];
  for (uint64_t i = q_.in_start[g]; i < q_.in_start[g + 1]; ++i) {
    const uint32_t s = q_.in_source[i];
    if (axon_stamp_[s] == cur_) continue;
    axon_stamp_[s] = cur_;
    ++axons_;
    if (new_sources) new_sources->push_back(s);
    if (s >= q_.num_inputs) {
      const uint32_t sn = s - q_.num_inputs;
      ++dest_count_[sn];
      if (part.core_of[sn] != UINT32_MAX) ++fanout_[part.core_of[sn]];
    }
  }
}

void Filler::next_core() {
  ++cur_;
  neurons_ = axons_ = profiles_ = 0;
  synapses_ = 0;
  groups_ = 0;
  fanout_.push_back(0);
}

Partition Filler::finish() {
  part.num_cores = neurons_ == 0 ? cur_ : cur_ + 1;
  return std::move(part);
}

Partition greedy_fill(const QNet& q, const Capacities& cap, const std::vector<uint32_t>* order) {
  Filler f(q, cap);
  for (uint32_t k = 0; k < q.num_neurons; ++k) {
    const uint32_t g = order ? (*order)[k] : k;
    if (!f.can_add(g)) {
      if (f.empty()) f.fail(g);
      f.next_core();
      if (!f.can_add(g)) f.fail(g);
    }
    f.add(g);
  }
  return f.finish();
}

Usage partition_usage(const QNet& q, const Partition& p) {
  Usage u;
  u.cores.resize(p.num_cores);
  std::vector<uint32_t> stamp(p.num_cores, UINT32_MAX);
  std::vector<std::vector<uint8_t>> prof(p.num_cores), pops(p.num_cores);
  std::vector<uint16_t> groups(p.num_cores, 0);
  for (uint32_t g = 0; g < q.num_neurons; ++g) {
    CoreUsage& c = u.cores[p.core_of[g]];
    ++c.neurons;
    c.synapses += q.in_entries[g];
    groups[p.core_of[g]] |= q.in_exp_mask[g];
    auto& pr = prof[p.core_of[g]];
    if (pr.empty()) pr.assign(q.profiles.size(), 0);
    if (!pr[q.profile[g]]) pr[q.profile[g]] = 1, ++c.profiles;
    auto& pp = pops[p.core_of[g]];
    if (pp.empty()) pp.assign(q.pops.size(), 0);
    if (!pp[q.pop_of[g]]) pp[q.pop_of[g]] = 1, c.populations.push_back(q.pops[q.pop_of[g]].name);
    if (q.to_host[g]) ++c.fanout, ++u.host_channels;
  }
  for (uint32_t s = 0; s < q.num_sources(); ++s) {
    for (uint64_t i = q.out_start[s]; i < q.out_start[s + 1]; ++i) {
      const uint32_t c = p.core_of[q.out_target[i]];
      if (stamp[c] == s) continue;
      stamp[c] = s;
      ++u.cores[c].axons;
      if (s >= q.num_inputs) ++u.cores[p.core_of[s - q.num_inputs]].fanout;
    }
  }
  for (uint32_t c = 0; c < p.num_cores; ++c)
    u.cores[c].groups = static_cast<uint32_t>(__builtin_popcount(groups[c]));
  return u;
}

double partition_packets(const QNet& q, const Partition& p, const std::vector<double>& rates) {
  std::vector<uint32_t> stamp(p.num_cores, UINT32_MAX);
  double total = 0;
  for (uint32_t s = 0; s < q.num_sources(); ++s) {
    uint32_t dests = 0;
    for (uint64_t i = q.out_start[s]; i < q.out_start[s + 1]; ++i) {
      const uint32_t c = p.core_of[q.out_target[i]];
      if (stamp[c] != s) stamp[c] = s, ++dests;
    }
    if (s >= q.num_inputs) dests += q.to_host[s - q.num_inputs];
    total += rates[s] * dests;
  }
  return total;
}

bool check_partition(const QNet& q, const Partition& p, const Capacities& cap, FitResult& fit) {
  const Usage u = partition_usage(q, p);
  struct Res {
    const char* name;
    const char* short_name;
    uint32_t CoreUsage::*field;
    uint32_t limit;
  };
  const Res res[] = {{"neurons per core", "neurons", &CoreUsage::neurons, cap.neurons},
                     {"axons per core", "axons", &CoreUsage::axons, cap.axons},
                     {"synapse entries per core", "synapse entries", &CoreUsage::synapses, cap.synapses},
                     {"fan-out entries per core", "fan-out entries", &CoreUsage::fanout, cap.fanout},
                     {"profiles per core", "profiles", &CoreUsage::profiles, cap.profiles},
                     {"synapse groups per core", "synapse groups", &CoreUsage::groups, cap.groups}};
  double best = -1e300;
  bool ok = true;
  for (uint32_t c = 0; c < p.num_cores; ++c)
    for (const Res& r : res) {
      const uint64_t need = u.cores[c].*r.field;
      const double ratio = double(need) / double(r.limit);
      if (ratio > best || (need > r.limit && ok)) {
        best = ratio;
        fit.binding_limit = r.name;
        fit.where = "core " + std::to_string(c);
        fit.needed = need;
        fit.limit = r.limit;
        if (need > r.limit) {
          ok = false;
          fit.message = "core " + std::to_string(c) + ": " + r.short_name + " " + group_digits(need) + " > " +
                        group_digits(r.limit);
        }
      }
    }
  if (u.host_channels > (uint64_t{1} << spec::AXON_INDEX_BITS)) {
    ok = false;
    fit.binding_limit = "host output channels";
    fit.where = "chip";
    fit.needed = u.host_channels;
    fit.limit = uint64_t{1} << spec::AXON_INDEX_BITS;
    fit.message = "chip: host output channels " + group_digits(fit.needed) + " > " + group_digits(fit.limit);
  }
  fit.headroom = fit.limit ? 1.0 - double(fit.needed) / double(fit.limit) : 0;
  return ok;
}

}  // namespace lifchip::mapper::detail
