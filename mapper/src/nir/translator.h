// NIR node translators: what each NIR node type means to the importer, one file per node family
// (neurons.cpp, linear.cpp, conv.cpp, structural.cpp), found by type name in a registry that each
// file fills from static registrations. import_nir.cpp walks the graph and asks the registry.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "../linear_map.h"
#include "../nir_file.h"
#include "lifchip/mapper/ir.h"
#include "lifchip/mapper/pass.h"

namespace lifchip::mapper::nir {

using Shape = std::vector<uint64_t>;

// The same limit as the IR's: no population (or intermediate tensor) beyond 2^26 values.
constexpr uint64_t kMaxTensor = uint64_t{1} << 26;
// One convolution may expand to at most this many synapses, counted before its weights are looked
// at (what bounds the expansion's loop); all maps of an import together are held to the same
// number, exactly, by detail::TermBudget.
constexpr uint64_t kMaxTerms = mapper::detail::kMaxImportTerms;

uint64_t count_of(const Shape& s);  // saturates at kMaxTensor + 1
std::string shape_text(const Shape& s);
std::string num_text(double v);

/// One node's fields as a translator reads them: every error names the file, the node and the
/// field ("net.nir: node 'fc' (Affine): field 'weight': ..."), every note goes to the import report.
class NodeReader {
 public:
  NodeReader(const std::string& file, const Node& node, ReportSection& report,
             std::set<std::string>& defaulted)
      : file_(file), node_(node), report_(report), defaulted_(defaulted) {}

  const Node& node() const { return node_; }
  const std::string& name() const { return node_.path; }  // the dotted path: the population name
  const std::string& type() const { return node_.type; }

  [[noreturn]] void fail(const std::string& field, const std::string& what) const;
  [[noreturn]] void fail_node(const std::string& what) const;
  void note(const std::string& text) const;

  const Field* maybe(const std::string& field) const;
  /// A present field of finite numbers.
  const Field& need_numbers(const std::string& field) const;
  void check_numbers(const std::string& field, const Field& f) const;
  /// Non-negative integers >= min_value, 1 value (broadcast to `dims`) or `dims` values.
  std::vector<uint32_t> integers(const std::string& field, std::size_t dims, uint32_t min_value) const;
  /// One small signed integer (|v| <= 64), e.g. a dimension index.
  int64_t signed_integer(const std::string& field) const;
  /// A list of dimensions (a shape), each 1..kMaxTensor, at most kMaxTensor values in all.
  Shape shape_field(const std::string& field, const Field& f) const;
  /// One value broadcast to `size`, or exactly `size` values.
  std::vector<double> broadcast(const std::string& field, uint64_t size) const;
  /// A neuron parameter: broadcast to `size`; absent -> `dflt` (recorded for the defaults note) or
  /// an error; `positive` demands every value > 0 (time constants).
  std::vector<double> param(const char* field, uint64_t size, std::optional<double> dflt,
                            bool positive) const;

 private:
  const std::string& file_;
  const Node& node_;
  ReportSection& report_;
  std::set<std::string>& defaulted_;
};

/// What a linear node does to the values flowing through it: their shape after it, the linear map
/// (input values -> output values) and a constant added after the map (empty = none).
struct OpResult {
  Shape out;
  mapper::detail::LinearMap map;
  std::vector<double> bias;
};

/// How the importer treats a node type.
///   kInput / kOutput: the network's ports at the top level; inside a nested graph, the graph's
///     ports, through which data passes unchanged.
///   kGraph: a nested NIRGraph, flattened into its parent with dotted names.
///   kNeuron: a population; `kind` and `params` say which and how its parameters are read.
///   kLinear: folded with its neighbours into the projection between two populations; `lower`
///     gives its linear map for the propagated input shape.
enum class Family { kInput, kOutput, kGraph, kNeuron, kLinear };

/// One neuron parameter: NIR field -> NeuronParams member. Absent fields take `dflt` (nullopt =
/// required); `positive` for time constants. A node's size comes from its array-valued fields.
struct NeuronField {
  const char* field;
  std::optional<double> dflt;
  bool positive;
  std::vector<double> NeuronParams::*member;
};

struct NodeTranslator {
  std::string type;  // the NIR `type` string
  Family family = Family::kLinear;
  // Where the type appears in the "supported: ..." list of the unsupported-type error (ascending).
  int listing = 0;
  // kNeuron only.
  NeuronKind kind = NeuronKind::kLIF;
  std::vector<NeuronField> params;
  bool spikes = true;  // false: its output is a voltage (the importer notes a non-output consumer)
  // kLinear only.
  OpResult (*lower)(const NodeReader& node, const Shape& in) = nullptr;
};

/// Registers a translator at static initialisation: `const TranslatorRegistration kX({...});` in
/// the family's file. A type registered twice aborts the program start with a message (a bug).
class TranslatorRegistration {
 public:
  explicit TranslatorRegistration(NodeTranslator t);
};

/// A kLinear translator (the usual case for a new op): `lower` gives its map.
NodeTranslator linear_translator(const char* type, int listing,
                                 OpResult (*lower)(const NodeReader&, const Shape&));

/// The translator of a NIR type, or nullptr.
const NodeTranslator* find_translator(const std::string& type);
/// "Input, Output, Affine, ...": every registered type in listing order.
std::string supported_types();

}  // namespace lifchip::mapper::nir
