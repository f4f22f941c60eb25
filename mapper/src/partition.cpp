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

Filler::Check Filler::check(uint32_t g) const {
  Check c;
  auto over = [&](const char* resource, uint32_t core, uint64_t need, uint64_t limit) {
    c.ok = false;
    c.resource = resource;
    c.core = core;
    c.need = need;
    c.limit = limit;
  };
  if (neurons_ + 1 > cap_.neurons) over("neurons", cur_, neurons_ + 1, cap_.neurons);
  if (c.ok && synapses_ + q_.in_entries[g] > cap_.synapses)
    over("synapse entries", cur_, synapses_ + q_.in_entries[g], cap_.synapses);
  // New axons here, and per core the new fan-out entries they cost their sources (a source
  // neuron gets one entry for this core; g itself, if it feeds itself, one on this core).
  uint32_t new_axons = 0;
  if (fan_add_.size() < fanout_.size()) fan_add_.resize(fanout_.size(), 0);
  fan_touched_.clear();
  for (uint64_t i = q_.in_start[g]; i < q_.in_start[g + 1]; ++i) {
    const uint32_t s = q_.in_source[i];
    if (axon_stamp_[s] == cur_) continue;
    ++new_axons;
    if (s < q_.num_inputs) continue;
    const uint32_t sn = s - q_.num_inputs;
    const uint32_t k = sn == g ? cur_ : part.core_of[sn];
    if (k == UINT32_MAX) continue;  // placed later: counted in its own dest_count_
    if (fan_add_[k]++ == 0) fan_touched_.push_back(k);
  }
  if (c.ok && axons_ + new_axons > cap_.axons) over("axons", cur_, axons_ + new_axons, cap_.axons);
  const uint32_t nprof = profiles_ + (profile_stamp_[q_.profile[g]] == cur_ ? 0 : 1);
  if (c.ok && nprof > cap_.profiles) over("profiles", cur_, nprof, cap_.profiles);
  const auto ng = static_cast<uint32_t>(__builtin_popcount(groups_ | q_.in_exp_mask[g]));
  if (c.ok && ng > cap_.groups) over("synapse groups (distinct weight exponents)", cur_, ng, cap_.groups);
  const uint64_t own = fanout_[cur_] + dest_count_[g] + q_.to_host[g] + fan_add_[cur_];
  if (c.ok && own > cap_.fanout) over("fan-out entries", cur_, own, cap_.fanout);
  for (uint32_t k : fan_touched_) {
    if (c.ok && k != cur_ && fanout_[k] + fan_add_[k] > cap_.fanout) {
      over("fan-out entries", k, fanout_[k] + fan_add_[k], cap_.fanout);
      // Name one source neuron on that core (for the message).
      for (uint64_t i = q_.in_start[g]; i < q_.in_start[g + 1] && c.source == UINT32_MAX; ++i) {
        const uint32_t s = q_.in_source[i];
        if (s >= q_.num_inputs && axon_stamp_[s] != cur_ && part.core_of[s - q_.num_inputs] == k)
          c.source = s - q_.num_inputs;
      }
    }
  }
  for (uint32_t k : fan_touched_) fan_add_[k] = 0;
  return c;
}

void Filler::fail(uint32_t g) const {
  const Check c = check(g);
  const PopRange& r = q_.pops[q_.pop_of[g]];
  const std::string who = "population '" + r.name + "' neuron " + std::to_string(g - r.first);
  const std::string core = "core " + std::to_string(c.core);
  if (c.ok)  // not reached: fail() is called when g does not fit an empty core
    throw PartitionError(core + ": " + who + " does not fit an empty core", "per-neuron limit", core, 0, 0);
  const std::string res = c.resource;
  const std::string binding = res.substr(0, res.find(" (")) + " per core";
  if (c.core != cur_) {
    // A dead end of the in-order fill: the source's core was closed with a full fan-out table, and
    // every new core g could go to needs one more entry there.
    const PopRange& sr = q_.pops[q_.pop_of[c.source]];
    throw PartitionError(core + " (population '" + sr.name + "'): fan-out entries " + group_digits(c.need) +
                             " > " + group_digits(c.limit) +
                             " — the source core's table is full: its neuron " +
                             std::to_string(c.source - sr.first) + " needs one more entry to reach " + who +
                             " on a new core (raise --fanout-per-core)",
                         binding, core, c.need, c.limit);
  }
  throw PartitionError(core + ": " + who + " needs " + group_digits(c.need) + " " + res +
                           " on one core, limit " + group_digits(c.limit),
                       binding, core, c.need, c.limit);
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
      // A mapped core uses at most the 8 exponents 0 ... 7 (docs/mapper.md §2), so its synapse
      // groups cannot run out; naming them the binding limit would point the user at nothing.
      if (r.field == &CoreUsage::groups && need <= r.limit) continue;
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
