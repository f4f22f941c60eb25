// The NIR importer: flattens nested graphs, infers every node's tensor shape, folds the linear
// nodes between neuron populations into projections (LinearMap algebra) and builds the IR.
#include "lifchip/mapper/import_nir.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <memory>
#include <new>
#include <optional>
#include <set>
#include <stdexcept>

#include "lifchip/image.h"  // InputError
#include "lifchip/mapper/import.h"
#include "linear_map.h"
#include "nir_file.h"

namespace lifchip::mapper {

namespace {

using detail::ConvGeometry;
using detail::LinearMap;
using Shape = std::vector<uint64_t>;

// The same limit as the IR's: no population (or intermediate tensor) beyond 2^26 values.
constexpr uint64_t kMaxTensor = uint64_t{1} << 26;
// One convolution may expand to at most this many synapses (2^27: more than the 10^8 of the whole
// network the mapping benchmark targets; 2 GiB of expansion terms).
constexpr uint64_t kMaxTerms = uint64_t{1} << 27;

const char* const kSupported =
    "Input, Output, Affine, Linear, Scale, Flatten, Conv1d, Conv2d, SumPool2d, AvgPool2d, LIF, CubaLIF, IF, "
    "LI, "
    "NIRGraph";

enum class Role { kInput, kOutput, kNeuron, kOp, kPass };

struct FlatNode {
  std::string name;  // dotted path: the population name
  const nir::Node* node = nullptr;
  Role role = Role::kOp;
  NeuronKind kind = NeuronKind::kLIF;
};

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

// "2" < "10": names made of indices sort as a person reads them.
bool natural_less(const std::string& a, const std::string& b) {
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (std::isdigit(static_cast<unsigned char>(a[i])) && std::isdigit(static_cast<unsigned char>(b[j]))) {
      std::size_t i2 = i, j2 = j;
      while (i2 < a.size() && std::isdigit(static_cast<unsigned char>(a[i2]))) ++i2;
      while (j2 < b.size() && std::isdigit(static_cast<unsigned char>(b[j2]))) ++j2;
      std::string x = a.substr(i, i2 - i), y = b.substr(j, j2 - j);
      x.erase(0, std::min(x.find_first_not_of('0'), x.size()));
      y.erase(0, std::min(y.find_first_not_of('0'), y.size()));
      if (x.size() != y.size()) return x.size() < y.size();
      if (x != y) return x < y;
      i = i2;
      j = j2;
      continue;
    }
    if (a[i] != b[j]) return a[i] < b[j];
    ++i;
    ++j;
  }
  return a.size() - i < b.size() - j || (a.size() - i == b.size() - j && a < b);
}

// Why NIR node types we know of are not supported (yet), so the error says more than "unsupported".
std::string unsupported_reason(const std::string& type) {
  if (type == "Delay") return " (the chip has no synaptic delays)";
  if (type == "Threshold") return " (a bare threshold without a neuron state is not a chip neuron)";
  if (type == "I") return " (a non-spiking integrator without threshold; use IF or LI)";
  if (type == "CubaLI") return " (non-spiking current-based integrator: not supported yet)";
  return "";
}

struct OpResult {
  Shape out;
  LinearMap map;
  std::vector<double> bias;  // empty = none
};

struct Contribution {
  LinearMap map;
  std::vector<std::string> nodes;
};

// What flows out of a node: a sum of linear maps of source populations plus a constant.
struct Expr {
  std::map<std::size_t, Contribution> by_source;
  std::vector<double> bias;
};

class Lowering {
 public:
  Lowering(std::string file, const nir::File& f, ReportSection& report)
      : file_(std::move(file)), nir_(f), report_(report) {}

  Network run() {
    version_notes();
    flatten_graph(nir_.root, true);
    mark_live();
    infer_shapes();
    return build();
  }

 private:
  // ---- errors and fields ------------------------------------------------------------------

  [[noreturn]] void fail(const FlatNode& n, const std::string& field, const std::string& what) const {
    throw InputError(file_ + ": " + nir::describe(*n.node) + ": field '" + field + "': " + what);
  }
  [[noreturn]] void fail_node(const FlatNode& n, const std::string& what) const {
    throw InputError(file_ + ": " + nir::describe(*n.node) + ": " + what);
  }

  const nir::Field* maybe(const FlatNode& n, const std::string& field) const {
    auto it = n.node->fields.find(field);
    return it == n.node->fields.end() ? nullptr : &it->second;
  }

  const nir::Field& need_numbers(const FlatNode& n, const std::string& field) const {
    const nir::Field* f = maybe(n, field);
    if (!f) fail(n, field, "missing");
    check_numbers(n, field, *f);
    return *f;
  }

  void check_numbers(const FlatNode& n, const std::string& field, const nir::Field& f) const {
    if (f.kind != nir::Field::Kind::kNumbers)
      fail(n, field, "expected numbers, found a " + f.type_class + " dataset");
    for (std::size_t i = 0; i < f.numbers.size(); ++i)
      if (!std::isfinite(f.numbers[i]))
        fail(n, field, "value " + std::to_string(i) + " is not finite (" + num_text(f.numbers[i]) + ")");
  }

  // Non-negative integers, `counts` allowed value counts (1 = broadcast to every dimension).
  std::vector<uint32_t> integers(const FlatNode& n, const std::string& field, std::size_t dims,
                                 uint32_t min_value) const {
    const nir::Field& f = need_numbers(n, field);
    if (f.numbers.size() != 1 && f.numbers.size() != dims)
      fail(n, field, std::to_string(f.numbers.size()) + " values, expected 1 or " + std::to_string(dims));
    std::vector<uint32_t> out;
    for (double v : f.numbers) {
      if (v != std::floor(v) || v < min_value || v > 1e9)
        fail(n, field, "value " + num_text(v) + " is not an integer >= " + std::to_string(min_value));
      out.push_back(static_cast<uint32_t>(v));
    }
    if (out.size() == 1) out.assign(dims, out[0]);
    return out;
  }

  int64_t signed_integer(const FlatNode& n, const std::string& field) const {
    const nir::Field& f = need_numbers(n, field);
    if (f.numbers.size() != 1)
      fail(n, field, std::to_string(f.numbers.size()) + " values, expected one integer");
    const double v = f.numbers[0];
    if (v != std::floor(v) || std::fabs(v) > 64)
      fail(n, field, "value " + num_text(v) + " is not a small integer");
    return static_cast<int64_t>(v);
  }

  Shape shape_field(const FlatNode& n, const std::string& field, const nir::Field& f) const {
    check_numbers(n, field, f);
    if (f.shape.size() > 1)
      fail(n, field, "expected a list of dimensions, found shape " + shape_text(f.shape));
    if (f.numbers.empty()) fail(n, field, "no dimensions");
    Shape s;
    for (double v : f.numbers) {
      if (v != std::floor(v) || v < 1 || v > double(kMaxTensor))
        fail(n, field, "dimension " + num_text(v) + " is not an integer in 1.." + std::to_string(kMaxTensor));
      s.push_back(static_cast<uint64_t>(v));
    }
    if (count_of(s) > kMaxTensor)
      fail(n, field, shape_text(s) + " is more than " + std::to_string(kMaxTensor) + " values");
    return s;
  }

  // ---- versions --------------------------------------------------------------------------------

  void version_notes() {
    if (!nir_.has_version) {
      report_.figure("nir version", "none (NIR 0.1 files carry no version)");
      return;
    }
    report_.figure("nir version", nir_.version);
    const std::string& v = nir_.version;
    if (!(v.rfind("0.", 0) == 0 || v.rfind("1.", 0) == 0))
      report_.note("NIR version '" + v +
                   "' is newer than the versions this importer was written for (0.1 to 1.0); "
                   "reading it with the 1.0 layout");
  }

  // ---- flattening ------------------------------------------------------------------------------

  struct Scope {
    std::string path;
    std::map<std::string, std::size_t> leaf;
    std::map<std::string, std::unique_ptr<Scope>> sub;
    std::vector<std::size_t> inputs, outputs;
  };

  std::string graph_name(const std::string& path) const {
    return path.empty() ? "root graph" : "graph '" + path + "'";
  }

  std::unique_ptr<Scope> flatten_graph(const nir::Node& g, bool top) {
    auto scope = std::make_unique<Scope>();
    scope->path = g.path;
    for (const nir::Node& child : g.nodes) {
      if (child.type == "NIRGraph") {
        scope->sub[child.name] = flatten_graph(child, false);
        continue;
      }
      FlatNode n;
      n.name = child.path;
      n.node = &child;
      const std::string& t = child.type;
      auto set = [&n](Role role, NeuronKind kind) {
        n.role = role;
        n.kind = kind;
      };
      if (t == "Input")
        set(top ? Role::kInput : Role::kPass, NeuronKind::kInput);
      else if (t == "Output")
        set(top ? Role::kOutput : Role::kPass, NeuronKind::kOutput);
      else if (t == "LIF")
        set(Role::kNeuron, NeuronKind::kLIF);
      else if (t == "CubaLIF")
        set(Role::kNeuron, NeuronKind::kCubaLIF);
      else if (t == "IF")
        set(Role::kNeuron, NeuronKind::kIF);
      else if (t == "LI")
        set(Role::kNeuron, NeuronKind::kLI);
      else if (t == "Affine" || t == "Linear" || t == "Scale" || t == "Flatten" || t == "Conv1d" ||
               t == "Conv2d" || t == "SumPool2d" || t == "AvgPool2d")
        set(Role::kOp, NeuronKind::kLIF);
      else
        throw InputError(file_ + ": node '" + child.path + "': field 'type': unsupported NIR node type '" +
                         t + "'" + unsupported_reason(t) + "; supported: " + kSupported);
      if (!names_.insert(n.name).second)
        throw InputError(file_ + ": node '" + n.name +
                         "': the name is used twice once nested graphs are flattened");
      const std::size_t idx = flat_.size();
      flat_.push_back(n);
      scope->leaf[child.name] = idx;
      if (t == "Input") scope->inputs.push_back(idx);
      if (t == "Output") scope->outputs.push_back(idx);
    }
    for (std::size_t i = 0; i < g.edges.size(); ++i) {
      const auto& [a, b] = g.edges[i];
      const std::string at = file_ + ": " + graph_name(g.path) + ": field 'edges': edge " +
                             std::to_string(i) + " ('" + a + "' -> '" + b + "')";
      const std::size_t src = resolve_or_fail(*scope, a, false, at);
      const std::size_t dst = resolve_or_fail(*scope, b, true, at);
      edges_.emplace_back(src, dst);
    }
    return scope;
  }

  std::size_t resolve_or_fail(const Scope& s, const std::string& ref, bool as_target, const std::string& at) {
    std::string why;
    const std::optional<std::size_t> r = resolve(s, ref, as_target, why);
    if (r) return *r;
    throw InputError(at + ": " + (why.empty() ? "no node '" + ref + "' in this graph" : why));
  }

  // A node of this graph, a subgraph (entered by its one Input, left by its one Output), or a
  // dotted path into a subgraph ("sub.lif"); exact names win, since names may contain dots.
  std::optional<std::size_t> resolve(const Scope& s, const std::string& ref, bool as_target,
                                     std::string& why) {
    if (auto it = s.leaf.find(ref); it != s.leaf.end()) return it->second;
    if (auto it = s.sub.find(ref); it != s.sub.end()) {
      const std::vector<std::size_t>& ports = as_target ? it->second->inputs : it->second->outputs;
      if (ports.size() == 1) return ports[0];
      why = "subgraph '" + it->second->path + "' has " + std::to_string(ports.size()) + " " +
            (as_target ? "Input" : "Output") + " nodes; name one as '" + ref + ".<node>'";
      return std::nullopt;
    }
    for (std::size_t dot = ref.find('.'); dot != std::string::npos; dot = ref.find('.', dot + 1)) {
      auto it = s.sub.find(ref.substr(0, dot));
      if (it == s.sub.end()) continue;
      std::optional<std::size_t> r = resolve(*it->second, ref.substr(dot + 1), as_target, why);
      if (r) return r;
    }
    return std::nullopt;
  }

  // ---- liveness and shapes ---------------------------------------------------------------------

  bool is_source(std::size_t i) const {
    return flat_[i].role == Role::kInput || flat_[i].role == Role::kNeuron;
  }

  void mark_live() {
    preds_.assign(flat_.size(), {});
    succs_.assign(flat_.size(), {});
    for (const auto& [a, b] : edges_) {
      preds_[b].push_back(a);
      succs_[a].push_back(b);
    }
    for (auto& p : preds_) std::stable_sort(p.begin(), p.end());
    live_.assign(flat_.size(), false);
    std::vector<std::size_t> stack;
    for (std::size_t i = 0; i < flat_.size(); ++i) {
      if (flat_[i].role == Role::kInput && !preds_[i].empty())
        fail_node(flat_[i], "an Input node has incoming edges (from '" + flat_[preds_[i][0]].name + "')");
      if (flat_[i].role == Role::kOutput && !succs_[i].empty())
        fail_node(flat_[i], "an Output node has outgoing edges (to '" + flat_[succs_[i][0]].name + "')");
      if (is_source(i) || flat_[i].role == Role::kOutput) {
        live_[i] = true;
        if (is_source(i)) stack.push_back(i);
      }
    }
    while (!stack.empty()) {
      const std::size_t i = stack.back();
      stack.pop_back();
      for (std::size_t j : succs_[i])
        if (!live_[j]) {
          live_[j] = true;
          stack.push_back(j);
        }
    }
    for (std::size_t i = 0; i < flat_.size(); ++i)
      if (!live_[i])
        report_.note("node '" + flat_[i].name + "' (" + flat_[i].node->type +
                     ") gets no input from any "
                     "Input or neuron node; ignored");
  }

  std::vector<std::size_t> live_preds(std::size_t i) const {
    std::vector<std::size_t> v;
    for (std::size_t p : preds_[i])
      if (live_[p]) v.push_back(p);
    return v;
  }

  // The neuron fields of a kind: (NIR field, required).
  static std::vector<std::pair<const char*, bool>> neuron_fields(NeuronKind k) {
    switch (k) {
      case NeuronKind::kCubaLIF:
        return {{"tau_syn", true},     {"tau_mem", true},  {"r", true},    {"v_leak", true},
                {"v_threshold", true}, {"v_reset", false}, {"w_in", false}};
      case NeuronKind::kLIF:
        return {{"tau", true}, {"r", true}, {"v_leak", true}, {"v_threshold", true}, {"v_reset", false}};
      case NeuronKind::kIF:
        return {{"r", true}, {"v_threshold", true}, {"v_reset", false}};
      case NeuronKind::kLI:
        return {{"tau", true}, {"r", true}, {"v_leak", true}};
      default:
        return {};
    }
  }

  // A neuron node's size from its parameters: the shape of its per-neuron arrays (all of one
  // size), or nullopt when every parameter is a scalar (the input then decides).
  std::optional<Shape> neuron_param_shape(const FlatNode& n) const {
    std::optional<Shape> shape;
    std::string first;
    for (const auto& [field, required] : neuron_fields(n.kind)) {
      const nir::Field* f = maybe(n, field);
      if (!f) {
        if (required) fail(n, field, "missing");
        continue;
      }
      check_numbers(n, field, *f);
      const uint64_t c = f->count();
      if (c == 0) fail(n, field, "no values");
      if (c == 1) continue;
      if (!shape) {
        shape = f->shape;
        first = field;
        if (count_of(*shape) > kMaxTensor)
          fail(n, field, "more than " + std::to_string(kMaxTensor) + " neurons");
      } else if (count_of(*shape) != c) {
        fail(n, field,
             std::to_string(c) + " values, but '" + first + "' has " + std::to_string(count_of(*shape)) +
                 " (scalars broadcast; arrays must agree)");
      }
    }
    return shape;
  }

  void infer_shapes() {
    shape_.assign(flat_.size(), std::nullopt);
    ops_.resize(flat_.size());
    for (std::size_t i = 0; i < flat_.size(); ++i) {
      const FlatNode& n = flat_[i];
      if (n.role == Role::kInput) {
        const nir::Field* f = maybe(n, "shape");
        if (!f) fail(n, "shape", "missing");
        shape_[i] = shape_field(n, "shape", *f);
      } else if (n.role == Role::kNeuron) {
        shape_[i] = neuron_param_shape(n);
      } else if (n.role == Role::kOutput) {
        const nir::Field* f = maybe(n, "shape");
        if (!f) fail(n, "shape", "missing");
        declared_output_[i] = shape_field(n, "shape", *f);
      }
    }
    // Sizes flow along edges until nothing changes; recurrent loops pass through neurons, whose
    // size is known from their parameters or from their first sized input.
    for (bool changed = true; changed;) {
      changed = false;
      for (std::size_t i = 0; i < flat_.size(); ++i) {
        if (shape_[i] || !live_[i]) continue;
        const std::vector<std::size_t> preds = live_preds(i);
        const FlatNode& n = flat_[i];
        if (n.role == Role::kNeuron || n.role == Role::kOutput) {
          for (std::size_t p : preds)
            if (shape_[p]) {
              shape_[i] = shape_[p];
              break;
            }
          if (!shape_[i] && preds.empty())
            shape_[i] = n.role == Role::kOutput ? declared_output_[i] : Shape{1};
        } else {
          bool ready = !preds.empty();
          for (std::size_t p : preds) ready = ready && shape_[p].has_value();
          if (!ready) continue;
          const Shape& in = *shape_[preds[0]];
          check_same_inputs(i, preds);
          ops_[i] = build_op(n, in);
          shape_[i] = ops_[i]->out;
        }
        if (shape_[i]) changed = true;
      }
    }
    for (std::size_t i = 0; i < flat_.size(); ++i) {
      if (!live_[i] || shape_[i]) continue;
      fail_node(flat_[i],
                "cannot determine its size: its inputs' sizes are unknown (a loop of Affine/Conv/... nodes "
                "with no neuron node in it, or a loop through neurons whose parameters are all scalars)");
    }
    // Every input of a node must carry as many values as the node takes.
    for (std::size_t i = 0; i < flat_.size(); ++i) {
      if (!live_[i]) continue;
      const FlatNode& n = flat_[i];
      const std::vector<std::size_t> preds = live_preds(i);
      if (n.role == Role::kNeuron) {
        for (std::size_t p : preds)
          if (count_of(*shape_[p]) != count_of(*shape_[i]))
            fail_node(n, "its input from '" + flat_[p].name + "' carries " +
                             std::to_string(count_of(*shape_[p])) + " values but it has " +
                             std::to_string(count_of(*shape_[i])) + " neurons");
      } else if (n.role == Role::kOutput) {
        check_same_inputs(i, preds);
        const uint64_t declared = count_of(declared_output_[i]);
        if (declared != count_of(*shape_[i]))
          report_.note("node '" + n.name + "' (Output): declared shape " + shape_text(declared_output_[i]) +
                       " has " + std::to_string(declared) + " values but its input carries " +
                       std::to_string(count_of(*shape_[i])) + "; using the input's size");
      }
    }
  }

  void check_same_inputs(std::size_t i, const std::vector<std::size_t>& preds) const {
    for (std::size_t p : preds)
      if (shape_[p] && count_of(*shape_[p]) != count_of(*shape_[preds[0]]))
        fail_node(flat_[i], "its inputs carry different sizes: '" + flat_[preds[0]].name + "' " +
                                std::to_string(count_of(*shape_[preds[0]])) + ", '" + flat_[p].name + "' " +
                                std::to_string(count_of(*shape_[p])) + " (inputs are summed)");
  }

  // ---- linear nodes ----------------------------------------------------------------------------

  OpResult build_op(const FlatNode& n, const Shape& in) {
    const std::string& t = n.node->type;
    const uint64_t in_count = count_of(in);
    OpResult r;
    if (t == "Affine" || t == "Linear") {
      const nir::Field& w = need_numbers(n, "weight");
      if (w.shape.size() != 2) fail(n, "weight", "shape " + shape_text(w.shape) + ", expected [out, in]");
      const uint64_t rows = w.shape[0], cols = w.shape[1];
      if (rows == 0 || cols == 0 || rows > kMaxTensor)
        fail(n, "weight", "shape " + shape_text(w.shape) + " is empty or too large");
      if (cols != in_count)
        fail(n, "weight",
             "shape " + shape_text(w.shape) + " takes " + std::to_string(cols) +
                 " inputs but its input carries " + std::to_string(in_count) + " values");
      r.out = {rows};
      r.map = LinearMap::dense(static_cast<uint32_t>(rows), static_cast<uint32_t>(cols), w.numbers);
      if (t == "Affine") r.bias = broadcast(n, "bias", rows);
      return r;
    }
    if (t == "Scale") {
      const nir::Field& s = need_numbers(n, "scale");
      if (s.count() != 1 && s.count() != in_count)
        fail(n, "scale", std::to_string(s.count()) + " values for an input of " + std::to_string(in_count));
      r.out = in;
      r.map = LinearMap::diagonal(s.count() == 1 ? std::vector<double>(in_count, s.numbers[0]) : s.numbers);
      return r;
    }
    if (t == "Flatten") {
      r.out = flatten_shape(n, in);
      r.map = LinearMap::identity(static_cast<uint32_t>(in_count));
      return r;
    }
    if (t == "Conv1d" || t == "Conv2d") return build_conv(n, in, t == "Conv2d" ? 2 : 1);
    if (t == "SumPool2d" || t == "AvgPool2d") return build_pool(n, in, t == "AvgPool2d");
    // A nested graph's Input or Output node: data passes through.
    r.out = in;
    r.map = LinearMap::identity(static_cast<uint32_t>(in_count));
    return r;
  }

  std::vector<double> broadcast(const FlatNode& n, const std::string& field, uint64_t size) const {
    const nir::Field& b = need_numbers(n, field);
    if (b.count() == 1) return std::vector<double>(size, b.numbers[0]);
    if (b.count() != size)
      fail(n, field, std::to_string(b.count()) + " values, expected 1 or " + std::to_string(size));
    return b.numbers;
  }

  Shape flatten_shape(const FlatNode& n, const Shape& in) {
    const int64_t start = signed_integer(n, "start_dim"), end = signed_integer(n, "end_dim");
    if (const nir::Field* declared = maybe(n, "input_type")) {
      const Shape d = shape_field(n, "input_type", *declared);
      if (count_of(d) != count_of(in))
        report_.note("node '" + n.name + "' (Flatten): declared input_type " + shape_text(d) + " has " +
                     std::to_string(count_of(d)) + " values but its input carries " +
                     std::to_string(count_of(in)) + " " + shape_text(in) + "; using the input");
    }
    const int64_t rank = static_cast<int64_t>(in.size());
    const int64_t s = start < 0 ? start + rank : start, e = end < 0 ? end + rank : end;
    if (s < 0 || e >= rank || s > e) {
      // Dimensions counted with a batch axis the propagated shape does not have: flattening never
      // reorders values, so flattening everything is the same data.
      return {count_of(in)};
    }
    Shape out(in.begin(), in.begin() + s);
    uint64_t mid = 1;
    for (int64_t d = s; d <= e; ++d) mid *= in[static_cast<std::size_t>(d)];
    out.push_back(mid);
    out.insert(out.end(), in.begin() + e + 1, in.end());
    return out;
  }

  // The spatial input size of a conv/pool node: its declared input_shape when that fits the data,
  // else the propagated [C, (H,) W] shape (leading 1s, i.e. a batch axis, dropped).
  Shape spatial_input(const FlatNode& n, const Shape& in, uint64_t channels, int dims, bool has_declared) {
    const uint64_t in_count = count_of(in);
    std::optional<Shape> declared;
    if (has_declared) {
      if (const nir::Field* f = maybe(n, "input_shape")) {
        declared = shape_field(n, "input_shape", *f);
        if (declared->size() != static_cast<std::size_t>(dims))
          fail(n, "input_shape",
               shape_text(*declared) + " has " + std::to_string(declared->size()) + " dimensions, expected " +
                   std::to_string(dims));
        if (channels * count_of(*declared) == in_count) return *declared;
      }
    }
    Shape s = in;
    while (s.size() > static_cast<std::size_t>(dims) + 1 && s.front() == 1) s.erase(s.begin());
    std::optional<Shape> propagated;
    if (s.size() == static_cast<std::size_t>(dims) + 1 && s[0] == channels)
      propagated = Shape(s.begin() + 1, s.end());
    else if (dims == 1 && channels > 0 && in_count % channels == 0)
      propagated = Shape{in_count / channels};
    if (propagated) {
      if (declared)
        report_.note("node '" + n.name + "' (" + n.node->type + "): declared input_shape " +
                     shape_text(*declared) + " does not fit its input of " + std::to_string(in_count) +
                     " values " + shape_text(in) + "; using " + shape_text(*propagated));
      return *propagated;
    }
    fail(n, has_declared ? "input_shape" : "input",
         "cannot tell the input's spatial size: the input carries " + std::to_string(in_count) + " values " +
             shape_text(in) + ", expected " + std::to_string(channels) + " channels x " +
             (dims == 2 ? "H x W" : "N") +
             (has_declared ? (declared ? " (declared " + shape_text(*declared) + " does not fit)"
                                       : " and no input_shape is given")
                           : ""));
  }

  OpResult build_conv(const FlatNode& n, const Shape& in, int dims) {
    const nir::Field& w = need_numbers(n, "weight");
    if (w.shape.size() != static_cast<std::size_t>(dims) + 2)
      fail(n, "weight",
           "shape " + shape_text(w.shape) + ", expected [C_out, C_in / groups, " +
               (dims == 2 ? "K_h, K_w]" : "K]"));
    for (uint64_t d : w.shape)
      if (d == 0 || d > 65536)
        fail(n, "weight", "shape " + shape_text(w.shape) + " has an empty or huge dimension");
    const uint32_t groups = integers(n, "groups", 1, 1)[0];
    const std::vector<uint32_t> stride = integers(n, "stride", dims, 1);
    const std::vector<uint32_t> dilation = integers(n, "dilation", dims, 1);
    ConvGeometry g;
    g.out_channels = static_cast<uint32_t>(w.shape[0]);
    g.in_channels = static_cast<uint32_t>(w.shape[1]) * groups;
    g.groups = groups;
    if (g.out_channels % groups != 0 || uint64_t{w.shape[1]} * groups > 65536)
      fail(
          n, "groups",
          std::to_string(groups) + " does not divide " + std::to_string(g.out_channels) + " output channels");
    const Shape sp = spatial_input(n, in, g.in_channels, dims, true);
    if (dims == 2) {
      g.in_h = static_cast<uint32_t>(sp[0]);
      g.in_w = static_cast<uint32_t>(sp[1]);
      g.k_h = static_cast<uint32_t>(w.shape[2]);
      g.k_w = static_cast<uint32_t>(w.shape[3]);
      g.stride_h = stride[0], g.stride_w = stride[1], g.dil_h = dilation[0], g.dil_w = dilation[1];
    } else {
      g.in_w = static_cast<uint32_t>(sp[0]);
      g.k_w = static_cast<uint32_t>(w.shape[2]);
      g.stride_w = stride[0], g.dil_w = dilation[0];
    }
    set_padding(n, g, dims);
    if (std::string why = detail::conv_output(g); !why.empty()) fail(n, "weight", why);
    OpResult r;
    r.out = dims == 2 ? Shape{g.out_channels, g.out_h, g.out_w} : Shape{g.out_channels, g.out_w};
    if (count_of(r.out) > kMaxTensor) fail(n, "weight", "output " + shape_text(r.out) + " is too large");
    if (double(count_of(r.out)) * (g.in_channels / groups) * g.k_h * g.k_w > double(kMaxTerms))
      fail(n, "weight", "expands to more than " + std::to_string(kMaxTerms) + " synapses");
    r.map = detail::conv_map(g, w.numbers);
    const std::vector<double> bias = broadcast(n, "bias", g.out_channels);
    r.bias.resize(count_of(r.out));
    const uint64_t plane = uint64_t{g.out_h} * g.out_w;
    for (uint64_t i = 0; i < r.bias.size(); ++i) r.bias[i] = bias[i / plane];
    return r;
  }

  void set_padding(const FlatNode& n, ConvGeometry& g, int dims) {
    const nir::Field* f = maybe(n, "padding");
    if (!f) fail(n, "padding", "missing");
    if (f->kind == nir::Field::Kind::kStrings) {
      const std::string p = f->strings.size() == 1 ? f->strings[0] : "";
      if (p == "valid") return;
      if (p != "same") fail(n, "padding", "'" + p + "', expected numbers, 'same' or 'valid'");
      // PyTorch's 'same': total padding dilation * (k - 1), the odd unit at the end.
      const uint32_t th = g.dil_h * (g.k_h - 1), tw = g.dil_w * (g.k_w - 1);
      g.pad_top = th / 2, g.pad_bottom = th - th / 2, g.pad_left = tw / 2, g.pad_right = tw - tw / 2;
      return;
    }
    const std::vector<uint32_t> p = integers(n, "padding", dims, 0);
    if (dims == 2) {
      g.pad_top = g.pad_bottom = p[0];
      g.pad_left = g.pad_right = p[1];
    } else {
      g.pad_left = g.pad_right = p[0];
    }
  }

  OpResult build_pool(const FlatNode& n, const Shape& in, bool average) {
    const std::vector<uint32_t> k = integers(n, "kernel_size", 2, 1);
    const std::vector<uint32_t> stride = integers(n, "stride", 2, 1);
    const std::vector<uint32_t> pad = integers(n, "padding", 2, 0);
    // PyTorch's rule (NIR's pooling comes from it): padding at most half the kernel; more would
    // only add windows that see nothing but padding.
    if (pad[0] > k[0] / 2 || pad[1] > k[1] / 2)
      fail(n, "padding",
           "[" + std::to_string(pad[0]) + ", " + std::to_string(pad[1]) + "] is more than half the kernel [" +
               std::to_string(k[0]) + ", " + std::to_string(k[1]) + "]");
    Shape s = in;
    while (s.size() > 3 && s.front() == 1) s.erase(s.begin());
    if (s.size() != 3)
      fail(n, "input", "pooling needs a [C, H, W] input, its input has shape " + shape_text(in));
    ConvGeometry g;
    g.in_channels = g.out_channels = static_cast<uint32_t>(s[0]);
    g.in_h = static_cast<uint32_t>(s[1]), g.in_w = static_cast<uint32_t>(s[2]);
    g.k_h = k[0], g.k_w = k[1], g.stride_h = stride[0], g.stride_w = stride[1];
    g.pad_top = g.pad_bottom = pad[0], g.pad_left = g.pad_right = pad[1];
    if (std::string why = detail::conv_output(g); !why.empty()) fail(n, "kernel_size", why);
    OpResult r;
    r.out = {g.in_channels, g.out_h, g.out_w};
    if (count_of(r.out) > kMaxTensor) fail(n, "padding", "output " + shape_text(r.out) + " is too large");
    r.map = detail::pool_map(g, average ? 1.0 / (double(g.k_h) * g.k_w) : 1.0);
    return r;
  }

  // ---- folding linear nodes into projections -----------------------------------------------------

  static void add_into(Expr& acc, const Expr& e) {
    for (const auto& [src, c] : e.by_source) {
      auto it = acc.by_source.find(src);
      if (it == acc.by_source.end()) {
        acc.by_source.emplace(src, c);
        continue;
      }
      it->second.map = it->second.map.plus(c.map);
      for (const std::string& name : c.nodes)
        if (std::find(it->second.nodes.begin(), it->second.nodes.end(), name) == it->second.nodes.end())
          it->second.nodes.push_back(name);
    }
    if (e.bias.empty()) return;
    if (acc.bias.empty())
      acc.bias = e.bias;
    else
      for (std::size_t i = 0; i < acc.bias.size(); ++i) acc.bias[i] += e.bias[i];
  }

  Expr input_of(std::size_t i) {
    Expr acc;
    for (std::size_t p : live_preds(i)) {
      if (is_source(p)) {
        Expr e;
        e.by_source[p] = Contribution{LinearMap::identity(static_cast<uint32_t>(count_of(*shape_[p]))), {}};
        add_into(acc, e);
      } else {
        add_into(acc, expr_of(p));
      }
    }
    return acc;
  }

  const Expr& expr_of(std::size_t i) {
    if (expr_[i]) return *expr_[i];
    if (visiting_.count(i)) fail_node(flat_[i], "lies on a loop of linear nodes with no neuron node in it");
    visiting_.insert(i);
    Expr in = input_of(i);
    const OpResult& op = *ops_[i];
    Expr out;
    const bool pass = flat_[i].role == Role::kPass;
    for (auto& [src, c] : in.by_source) {
      Contribution d{c.map.then(op.map), c.nodes};
      if (!pass) d.nodes.push_back(flat_[i].name);
      out.by_source.emplace(src, std::move(d));
    }
    if (!in.bias.empty()) out.bias = op.map.apply(in.bias);
    if (!op.bias.empty()) {
      if (out.bias.empty())
        out.bias = op.bias;
      else
        for (std::size_t k = 0; k < out.bias.size(); ++k) out.bias[k] += op.bias[k];
    }
    visiting_.erase(i);
    expr_[i] = std::move(out);
    return *expr_[i];
  }

  // ---- the network ---------------------------------------------------------------------------

  std::vector<double> param(const FlatNode& n, const char* field, uint64_t size, std::optional<double> dflt,
                            bool positive) {
    const nir::Field* f = maybe(n, field);
    if (!f) {
      if (!dflt) fail(n, field, "missing");
      defaulted_.insert(std::string(field) + " = " + num_text(*dflt));
      return std::vector<double>(size, *dflt);
    }
    std::vector<double> v = broadcast(n, field, size);
    if (positive)
      for (std::size_t i = 0; i < v.size(); ++i)
        if (!(v[i] > 0))
          fail(n, field,
               "neuron " + std::to_string(i) + ": a time constant must be > 0, got " + num_text(v[i]));
    return v;
  }

  Population make_population(std::size_t i) {
    const FlatNode& n = flat_[i];
    Population p;
    p.name = n.name;
    p.kind = n.kind;
    p.source_node = n.name;
    const Shape& s = *shape_[i];
    p.size = static_cast<uint32_t>(count_of(s));
    for (uint64_t d : s) p.shape.push_back(static_cast<uint32_t>(d));
    const uint64_t size = p.size;
    NeuronParams& q = p.params;
    switch (n.kind) {
      case NeuronKind::kCubaLIF:
        q.tau_syn = param(n, "tau_syn", size, std::nullopt, true);
        q.tau_mem = param(n, "tau_mem", size, std::nullopt, true);
        q.r = param(n, "r", size, std::nullopt, false);
        q.v_leak = param(n, "v_leak", size, std::nullopt, false);
        q.v_threshold = param(n, "v_threshold", size, std::nullopt, false);
        q.v_reset = param(n, "v_reset", size, 0.0, false);
        q.w_in = param(n, "w_in", size, 1.0, false);
        break;
      case NeuronKind::kLIF:
        q.tau_mem = param(n, "tau", size, std::nullopt, true);
        q.r = param(n, "r", size, std::nullopt, false);
        q.v_leak = param(n, "v_leak", size, std::nullopt, false);
        q.v_threshold = param(n, "v_threshold", size, std::nullopt, false);
        q.v_reset = param(n, "v_reset", size, 0.0, false);
        break;
      case NeuronKind::kIF:
        q.r = param(n, "r", size, std::nullopt, false);
        q.v_threshold = param(n, "v_threshold", size, std::nullopt, false);
        q.v_reset = param(n, "v_reset", size, 0.0, false);
        break;
      case NeuronKind::kLI:
        q.tau_mem = param(n, "tau", size, std::nullopt, true);
        q.r = param(n, "r", size, std::nullopt, false);
        q.v_leak = param(n, "v_leak", size, std::nullopt, false);
        break;
      default:
        break;
    }
    if (n.kind != NeuronKind::kInput) q.input_bias.assign(size, 0.0);
    return p;
  }

  Network build() {
    // Population order: inputs, then neurons, then outputs, each by distance from the inputs and
    // then by name ("2" before "10"), so an in-order fill follows the data flow.
    std::vector<uint64_t> depth(flat_.size(), UINT64_MAX);
    std::vector<std::size_t> queue;
    for (std::size_t i = 0; i < flat_.size(); ++i)
      if (flat_[i].role == Role::kInput) {
        depth[i] = 0;
        queue.push_back(i);
      }
    for (std::size_t q = 0; q < queue.size(); ++q)
      for (std::size_t j : succs_[queue[q]])
        if (depth[j] == UINT64_MAX) {
          depth[j] = depth[queue[q]] + 1;
          queue.push_back(j);
        }
    std::vector<std::size_t> order;
    for (Role role : {Role::kInput, Role::kNeuron, Role::kOutput}) {
      std::vector<std::size_t> group;
      for (std::size_t i = 0; i < flat_.size(); ++i)
        if (flat_[i].role == role) group.push_back(i);
      std::stable_sort(group.begin(), group.end(), [&](std::size_t a, std::size_t b) {
        if (depth[a] != depth[b]) return depth[a] < depth[b];
        return natural_less(flat_[a].name, flat_[b].name);
      });
      order.insert(order.end(), group.begin(), group.end());
    }

    expr_.assign(flat_.size(), std::nullopt);
    std::vector<Population> pops;
    std::vector<Expr> inputs(order.size());
    std::map<std::size_t, std::size_t> vertex_of;  // flat index -> population index
    for (std::size_t k = 0; k < order.size(); ++k) {
      const std::size_t i = order[k];
      pops.push_back(make_population(i));
      vertex_of[i] = k;
      if (flat_[i].role == Role::kInput) continue;
      inputs[k] = input_of(i);
      const std::vector<double>& bias = inputs[k].bias;
      for (std::size_t b = 0; b < bias.size(); ++b) {
        if (!std::isfinite(bias[b]))
          fail_node(flat_[i], "the bias flowing into neuron " + std::to_string(b) + " is not finite");
        pops.back().params.input_bias[b] += bias[b];
      }
    }
    for (std::size_t i = 0; i < flat_.size(); ++i)
      if (flat_[i].role == Role::kNeuron && flat_[i].kind == NeuronKind::kLI)
        for (std::size_t j : succs_[i])
          if (live_[j] && flat_[j].role != Role::kOutput)
            report_.note(
                "node '" + flat_[i].name + "' (LI) feeds '" + flat_[j].name +
                "': an LI neuron's output is its voltage, not spikes; the chip can only send spikes");

    Network net;
    for (Population& p : pops) net.add_population(std::move(p));
    uint64_t folded = 0;
    for (std::size_t k = 0; k < order.size(); ++k) {
      std::vector<std::pair<std::size_t, const Contribution*>> sources;
      for (const auto& [src, c] : inputs[k].by_source) sources.emplace_back(vertex_of.at(src), &c);
      std::sort(sources.begin(), sources.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      for (const auto& [v, c] : sources) {
        Projection pr;
        pr.nodes = c->nodes;
        for (const std::string& name : pr.nodes) pr.name += (pr.name.empty() ? "" : "+") + name;
        if (pr.name.empty()) pr.name = net.population(v).name + "->" + net.population(k).name;
        c->map.materialise(pr);
        folded += pr.nodes.size();
        net.add_projection(v, k, std::move(pr));
      }
    }
    if (!defaulted_.empty()) {
      std::string d;
      for (const std::string& s : defaulted_) d += (d.empty() ? "" : ", ") + s;
      report_.note("parameters absent from the file took NIR's defaults: " + d);
    }
    report_.figure("nir nodes", static_cast<uint64_t>(flat_.size()));
    report_.figure("linear nodes folded into projections", folded);
    report_.figure("nir edges", static_cast<uint64_t>(edges_.size()));
    net.validate(file_);
    return net;
  }

  std::string file_;
  const nir::File& nir_;
  ReportSection& report_;
  std::vector<FlatNode> flat_;
  std::set<std::string> names_;
  std::vector<std::pair<std::size_t, std::size_t>> edges_;
  std::vector<std::vector<std::size_t>> preds_, succs_;
  std::vector<bool> live_;
  std::vector<std::optional<Shape>> shape_;
  std::map<std::size_t, Shape> declared_output_;
  std::vector<std::optional<OpResult>> ops_;
  std::vector<std::optional<Expr>> expr_;
  std::set<std::size_t> visiting_;
  std::set<std::string> defaulted_;
};

class NirImporter : public Importer {
 public:
  std::string name() const override { return "nir"; }
  Network run(const std::string& path, ReportSection& report) const override {
    return import_nir(path, &report);
  }
};

const ImporterRegistration kRegistration("nir", {".nir", ".h5", ".hdf5"},
                                         [] { return std::make_unique<NirImporter>(); });

}  // namespace

Network import_nir(const std::string& path, ReportSection* report) {
  ReportSection scratch;
  ReportSection& r = report ? *report : scratch;
  try {
    const nir::File file = nir::read_file(path);
    return Lowering(path, file, r).run();
  } catch (const std::bad_alloc&) {
    throw InputError(
        path + ": out of memory while importing (a corrupt size, or a network too large for this machine)");
  } catch (const std::length_error&) {
    throw InputError(path + ": a size in the file is too large to import");
  }
}

}  // namespace lifchip::mapper
