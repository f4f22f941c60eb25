// The first mapper step: a network file (NIR or our protobuf) to the IR. Importers are
// alternatives chosen by file extension or by name; each lives in its own file and registers itself.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "lifchip/mapper/ir.h"
#include "lifchip/mapper/pass.h"

namespace lifchip::mapper {

/// Contract of an importer: run() returns a network that passes Network::validate(), with inputs
/// first, neuron populations next and outputs last, and appends figures and notes (e.g. tolerated
/// inconsistencies) to `report`. On any malformed or unsupported input it throws exactly one
/// lifchip::InputError whose message names the file and, where there is one, the node and field;
/// it never crashes, never prints, and throws no other exception type.
class Importer {
 public:
  virtual ~Importer() = default;
  virtual std::string name() const = 0;
  virtual Network run(const std::string& path, ReportSection& report) const = 0;
};

/// Registry of importers by name ("nir", "protobuf") and by file extension.
class ImporterRegistry {
 public:
  using Factory = std::function<std::unique_ptr<Importer>()>;
  /// `extensions` with their dot, lower case: {".nir", ".h5"}.
  static void add(const std::string& name, const std::vector<std::string>& extensions, Factory factory);
  /// Throws InputError naming the known importers when `name` is unknown.
  static std::unique_ptr<Importer> create(const std::string& name);
  /// The importer for a path's extension (case-insensitive); InputError listing the known ones.
  static std::unique_ptr<Importer> for_path(const std::string& path);
  static std::vector<std::string> names();
};

struct ImporterRegistration {
  ImporterRegistration(const std::string& name, const std::vector<std::string>& extensions,
                       ImporterRegistry::Factory factory) {
    ImporterRegistry::add(name, extensions, std::move(factory));
  }
};

/// The `import` step: picks the importer by extension (.nir/.h5/.hdf5 NIR, .pb/.txtpb/.pbtxt/.textproto
/// our network.proto) and runs it. If `report` is given, its "import" section is appended.
Network import_network(const std::string& path, Report* report = nullptr);

}  // namespace lifchip::mapper
