// The importer registry (filled by static registrations in import_*.cpp) and the import step.
#include "lifchip/mapper/import.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "lifchip/image.h"  // InputError

namespace lifchip::mapper {

namespace {

struct Entry {
  std::vector<std::string> extensions;
  ImporterRegistry::Factory factory;
};

std::map<std::string, Entry>& table() {
  static std::map<std::string, Entry> t;
  return t;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string known_extensions() {
  std::string s;
  for (const auto& [name, e] : table())
    for (const std::string& x : e.extensions) s += (s.empty() ? "" : ", ") + x + " (" + name + ")";
  return s;
}

}  // namespace

void ImporterRegistry::add(const std::string& name, const std::vector<std::string>& extensions,
                           Factory factory) {
  table()[name] = Entry{extensions, std::move(factory)};
}

std::unique_ptr<Importer> ImporterRegistry::create(const std::string& name) {
  auto it = table().find(name);
  if (it == table().end()) {
    std::string known;
    for (const auto& [n, e] : table()) known += (known.empty() ? "" : ", ") + n;
    throw InputError("unknown importer '" + name + "' (available: " + known + ")");
  }
  return it->second.factory();
}

std::unique_ptr<Importer> ImporterRegistry::for_path(const std::string& path) {
  const std::string p = lower(path);
  for (const auto& [name, e] : table())
    for (const std::string& x : e.extensions)
      if (p.size() > x.size() && p.compare(p.size() - x.size(), x.size(), x) == 0) return e.factory();
  throw InputError(path + ": unknown network file extension (known: " + known_extensions() + ")");
}

std::vector<std::string> ImporterRegistry::names() {
  std::vector<std::string> v;
  for (const auto& [n, e] : table()) v.push_back(n);
  return v;
}

Network import_network(const std::string& path, Report* report) {
  std::unique_ptr<Importer> importer = ImporterRegistry::for_path(path);
  ReportSection section;
  section.pass = "import";
  section.figure("importer", importer->name());
  section.figure("file", path);
  Network net = importer->run(path, section);
  section.figure("populations", static_cast<uint64_t>(net.num_populations()));
  section.figure("neurons", net.num_neurons());
  section.figure("projections", static_cast<uint64_t>(net.num_projections()));
  section.figure("synapses", net.num_synapses());
  if (report) report->sections.push_back(std::move(section));
  return net;
}

}  // namespace lifchip::mapper
