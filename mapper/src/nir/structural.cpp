// NIR's structural nodes: the graph's ports (Input, Output), nested graphs (NIRGraph) and Flatten,
// which reshapes without moving a value. The graph walk itself (flattening nested graphs,
// resolving edges) is import_nir.cpp's.
#include "translator.h"

namespace lifchip::mapper::nir {
namespace {

using mapper::detail::LinearMap;

// Flatten dimensions start_dim..end_dim (negative counts from the end) into one.
OpResult flatten(const NodeReader& n, const Shape& in) {
  const int64_t start = n.signed_integer("start_dim"), end = n.signed_integer("end_dim");
  if (const Field* declared = n.maybe("input_type")) {
    const Shape d = n.shape_field("input_type", *declared);
    if (count_of(d) != count_of(in))
      n.note("node '" + n.name() + "' (Flatten): declared input_type " + shape_text(d) + " has " +
             std::to_string(count_of(d)) + " values but its input carries " + std::to_string(count_of(in)) +
             " " + shape_text(in) + "; using the input");
  }
  OpResult r;
  r.map = LinearMap::identity(static_cast<uint32_t>(count_of(in)));
  const int64_t rank = static_cast<int64_t>(in.size());
  const int64_t s = start < 0 ? start + rank : start, e = end < 0 ? end + rank : end;
  if (s < 0 || e >= rank || s > e) {
    // Dimensions counted with a batch axis the propagated shape does not have: flattening never
    // reorders values, so flattening everything is the same data.
    r.out = {count_of(in)};
    return r;
  }
  r.out.assign(in.begin(), in.begin() + s);
  uint64_t mid = 1;
  for (int64_t d = s; d <= e; ++d) mid *= in[static_cast<std::size_t>(d)];
  r.out.push_back(mid);
  r.out.insert(r.out.end(), in.begin() + e + 1, in.end());
  return r;
}

NodeTranslator node(const char* type, int listing, Family family) {
  NodeTranslator t;
  t.type = type;
  t.family = family;
  t.listing = listing;
  return t;
}

// Input and Output read their `shape` field in the importer's shape pass.
const TranslatorRegistration kInput(node("Input", 10, Family::kInput));
const TranslatorRegistration kOutput(node("Output", 20, Family::kOutput));
const TranslatorRegistration kGraph(node("NIRGraph", 150, Family::kGraph));
const TranslatorRegistration kFlatten(linear_translator("Flatten", 60, flatten));

}  // namespace
}  // namespace lifchip::mapper::nir
