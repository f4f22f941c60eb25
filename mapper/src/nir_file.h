// Reading a NIR file (HDF5) into a plain tree of nodes and their datasets, with libhdf5's C++ API.
// No NIR semantics here beyond the layout (docs/nir.md): the lowering to the IR is import_nir.cpp.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace lifchip::mapper::nir {

/// One dataset of a node group, as read: numbers (any integer or float type, converted to double
/// exactly for float32/float64 and integers below 2^53), strings (fixed or variable length), or
/// something else (compound, enum, ...), kept only by its class name for the error message.
struct Field {
  enum class Kind { kNumbers, kStrings, kOther };
  Kind kind = Kind::kOther;
  std::vector<uint64_t> shape;  // empty = scalar dataspace
  std::vector<double> numbers;
  std::vector<std::string> strings;
  std::string type_class;  // "integer", "float", "string", "compound", ...
  uint64_t count() const;
};

struct Node {
  std::string name;                     // its key in the parent's `nodes` group ("" for the root)
  std::string path;                     // dotted path from the root graph ("" for the root)
  std::string type;                     // its `type` string: "Affine", "NIRGraph", ...
  std::map<std::string, Field> fields;  // its datasets other than `type` (and `edges` for graphs)
  // NIRGraph only: children in HDF5 name order and the `edges` pairs in file order.
  std::vector<Node> nodes;
  std::vector<std::pair<std::string, std::string>> edges;
};

struct File {
  bool has_version = false;
  std::string version;  // the root `version` string
  Node root;            // the root `node` group (type NIRGraph)
};

/// Nested graphs deeper than this are refused: real networks nest a few levels, and a corrupt file
/// can link a group into itself.
inline constexpr int kMaxNestingDepth = 32;

/// Reads the whole file. Throws lifchip::InputError naming the file and, where one applies, the
/// node path and the field: "net.nir: node 'lif1.lin' (Affine): field 'weight': ..." HDF5's own
/// error printing is switched off (process-wide) and its errors become InputErrors.
/// libhdf5 runs in a child process (nir_isolated.cpp), so that a corrupt file that crashes it or
/// makes it loop ends in an InputError too; LIFCHIP_NIR_IN_PROCESS=1 reads here (for a debugger).
File read_file(const std::string& path);
/// The same, in this process: what the child runs.
File read_file_in_process(const std::string& path);
/// Forks the reader process now if none is running (lifchip::mapper::start_nir_reader).
void start_reader();

/// "node 'a.b' (Affine)" or "root graph": how errors name a node.
std::string describe(const Node& node);

}  // namespace lifchip::mapper::nir
