// The node-translator registry and the field reader every translator uses.
#include "translator.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "lifchip/image.h"  // InputError

namespace lifchip::mapper::nir {

namespace {

// Built on first use, so registrations from any translation unit's static initialisers find it.
std::map<std::string, NodeTranslator>& registry() {
  static std::map<std::string, NodeTranslator> r;
  return r;
}

}  // namespace

TranslatorRegistration::TranslatorRegistration(NodeTranslator t) {
  const std::string type = t.type;
  if (!registry().emplace(type, std::move(t)).second) {
    std::fprintf(stderr, "lifchip: NIR node type '%s' has two translators\n", type.c_str());
    std::abort();
  }
}

NodeTranslator linear_translator(const char* type, int listing,
                                 OpResult (*lower)(const NodeReader&, const Shape&)) {
  NodeTranslator t;
  t.type = type;
  t.family = Family::kLinear;
  t.listing = listing;
  t.lower = lower;
  return t;
}

const NodeTranslator* find_translator(const std::string& type) {
  auto it = registry().find(type);
  return it == registry().end() ? nullptr : &it->second;
}

std::string supported_types() {
  std::vector<const NodeTranslator*> all;
  for (const auto& [type, t] : registry()) all.push_back(&t);
  std::stable_sort(all.begin(), all.end(),
                   [](const NodeTranslator* a, const NodeTranslator* b) { return a->listing < b->listing; });
  std::string s;
  for (const NodeTranslator* t : all) s += (s.empty() ? "" : ", ") + t->type;
  return s;
}

uint64_t count_of(const Shape& s) {
  uint64_t c = 1;
  for (uint64_t d : s) c = (d != 0 && c > kMaxTensor / d) ? kMaxTensor + 1 : c * d;
  return c;
}

std::string shape_text(const Shape& s) {
  std::string t = "[";
  for (std::size_t i = 0; i < s.size(); ++i) t += (i ? ", " : "") + std::to_string(s[i]);
  return t + "]";
}

std::string num_text(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

// ---- NodeReader ----------------------------------------------------------------------------------

void NodeReader::fail(const std::string& field, const std::string& what) const {
  throw InputError(file_ + ": " + describe(node_) + ": field '" + field + "': " + what);
}

void NodeReader::fail_node(const std::string& what) const {
  throw InputError(file_ + ": " + describe(node_) + ": " + what);
}

void NodeReader::note(const std::string& text) const { report_.note(text); }

const Field* NodeReader::maybe(const std::string& field) const {
  auto it = node_.fields.find(field);
  return it == node_.fields.end() ? nullptr : &it->second;
}

const Field& NodeReader::need_numbers(const std::string& field) const {
  const Field* f = maybe(field);
  if (!f) fail(field, "missing");
  check_numbers(field, *f);
  return *f;
}

void NodeReader::check_numbers(const std::string& field, const Field& f) const {
  if (f.kind != Field::Kind::kNumbers) fail(field, "expected numbers, found a " + f.type_class + " dataset");
  for (std::size_t i = 0; i < f.numbers.size(); ++i)
    if (!std::isfinite(f.numbers[i]))
      fail(field, "value " + std::to_string(i) + " is not finite (" + num_text(f.numbers[i]) + ")");
}

std::vector<uint32_t> NodeReader::integers(const std::string& field, std::size_t dims,
                                           uint32_t min_value) const {
  const Field& f = need_numbers(field);
  if (f.numbers.size() != 1 && f.numbers.size() != dims)
    fail(field, std::to_string(f.numbers.size()) + " values, expected 1 or " + std::to_string(dims));
  std::vector<uint32_t> out;
  for (double v : f.numbers) {
    if (v != std::floor(v) || v < min_value || v > 1e9)
      fail(field, "value " + num_text(v) + " is not an integer >= " + std::to_string(min_value));
    out.push_back(static_cast<uint32_t>(v));
  }
  if (out.size() == 1) out.assign(dims, out[0]);
  return out;
}

int64_t NodeReader::signed_integer(const std::string& field) const {
  const Field& f = need_numbers(field);
  if (f.numbers.size() != 1) fail(field, std::to_string(f.numbers.size()) + " values, expected one integer");
  const double v = f.numbers[0];
  if (v != std::floor(v) || std::fabs(v) > 64)
    fail(field, "value " + num_text(v) + " is not a small integer");
  return static_cast<int64_t>(v);
}

Shape NodeReader::shape_field(const std::string& field, const Field& f) const {
  check_numbers(field, f);
  if (f.shape.size() > 1) fail(field, "expected a list of dimensions, found shape " + shape_text(f.shape));
  if (f.numbers.empty()) fail(field, "no dimensions");
  Shape s;
  for (double v : f.numbers) {
    if (v != std::floor(v) || v < 1 || v > double(kMaxTensor))
      fail(field, "dimension " + num_text(v) + " is not an integer in 1.." + std::to_string(kMaxTensor));
    s.push_back(static_cast<uint64_t>(v));
  }
  if (count_of(s) > kMaxTensor)
    fail(field, shape_text(s) + " is more than " + std::to_string(kMaxTensor) + " values");
  return s;
}

std::vector<double> NodeReader::broadcast(const std::string& field, uint64_t size) const {
  const Field& b = need_numbers(field);
  if (b.count() == 1) return std::vector<double>(size, b.numbers[0]);
  if (b.count() != size)
    fail(field, std::to_string(b.count()) + " values, expected 1 or " + std::to_string(size));
  return b.numbers;
}

std::vector<double> NodeReader::param(const char* field, uint64_t size, std::optional<double> dflt,
                                      bool positive) const {
  const Field* f = maybe(field);
  if (!f) {
    if (!dflt) fail(field, "missing");
    defaulted_.insert(std::string(field) + " = " + num_text(*dflt));
    return std::vector<double>(size, *dflt);
  }
  std::vector<double> v = broadcast(field, size);
  if (positive)
    for (std::size_t i = 0; i < v.size(); ++i)
      if (!(v[i] > 0))
        fail(field, "neuron " + std::to_string(i) + ": a time constant must be > 0, got " + num_text(v[i]));
  return v;
}

}  // namespace lifchip::mapper::nir
