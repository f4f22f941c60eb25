// NIR's dense linear nodes: Affine (W x + b), Linear (W x) and Scale (s ⊙ x), folded into the
// projections between populations.
#include "translator.h"

namespace lifchip::mapper::nir {
namespace {

using mapper::detail::LinearMap;

// Affine and Linear: weight [out, in] over the flattened input; Affine adds `bias` (1 or out values).
OpResult dense(const NodeReader& n, const Shape& in, bool affine) {
  const uint64_t in_count = count_of(in);
  const Field& w = n.need_numbers("weight");
  if (w.shape.size() != 2) n.fail("weight", "shape " + shape_text(w.shape) + ", expected [out, in]");
  const uint64_t rows = w.shape[0], cols = w.shape[1];
  if (rows == 0 || cols == 0 || rows > kMaxTensor)
    n.fail("weight", "shape " + shape_text(w.shape) + " is empty or too large");
  if (cols != in_count)
    n.fail("weight", "shape " + shape_text(w.shape) + " takes " + std::to_string(cols) +
                         " inputs but its input carries " + std::to_string(in_count) + " values");
  OpResult r;
  r.out = {rows};
  r.map = LinearMap::dense(static_cast<uint32_t>(rows), static_cast<uint32_t>(cols), w.numbers);
  if (affine) r.bias = n.broadcast("bias", rows);
  return r;
}

OpResult affine(const NodeReader& n, const Shape& in) { return dense(n, in, true); }
OpResult linear(const NodeReader& n, const Shape& in) { return dense(n, in, false); }

// Scale: one factor, or one per input value; the shape is kept.
OpResult scale(const NodeReader& n, const Shape& in) {
  const uint64_t in_count = count_of(in);
  const Field& s = n.need_numbers("scale");
  if (s.count() != 1 && s.count() != in_count)
    n.fail("scale", std::to_string(s.count()) + " values for an input of " + std::to_string(in_count));
  OpResult r;
  r.out = in;
  r.map = LinearMap::diagonal(s.count() == 1 ? std::vector<double>(in_count, s.numbers[0]) : s.numbers);
  return r;
}

const TranslatorRegistration kAffine(linear_translator("Affine", 30, affine));
const TranslatorRegistration kLinear(linear_translator("Linear", 40, linear));
const TranslatorRegistration kScale(linear_translator("Scale", 50, scale));

}  // namespace
}  // namespace lifchip::mapper::nir
