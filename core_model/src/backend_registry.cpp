// The registry of backends by name, filled by static registrations in core_model/src/impl/.
#include <map>

#include "lifchip/backend.h"

namespace lifchip {

namespace {
std::map<std::string, BackendRegistry::Factory>& table() {
  static std::map<std::string, BackendRegistry::Factory> t;
  return t;
}
}  // namespace

void BackendRegistry::add(const std::string& name, Factory factory) { table()[name] = std::move(factory); }

std::unique_ptr<Backend> BackendRegistry::create(const std::string& name) {
  auto it = table().find(name);
  if (it == table().end()) {
    std::string known;
    for (const auto& [n, f] : table()) known += (known.empty() ? "" : ", ") + n;
    throw InputError("unknown backend '" + name + "' (available: " + known + ")");
  }
  return it->second();
}

std::vector<std::string> BackendRegistry::names() {
  std::vector<std::string> v;
  for (const auto& [n, f] : table()) v.push_back(n);
  return v;
}

uint64_t CounterSet::total(int id) const {
  uint64_t t = 0;
  for (const CoreCounterArray& c : cores) t += c[static_cast<std::size_t>(id)];
  return t;
}

}  // namespace lifchip
