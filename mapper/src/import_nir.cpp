// The NIR importer's graph walk: flattens nested graphs, resolves edges, infers every node's tensor
// shape, folds the linear nodes between neuron populations into projections (LinearMap algebra) and
// builds the IR. What each node type means is its translator's (nir/translator.h, one file per
// node family); this file knows only the families.
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
#include "nir/producers.h"
#include "nir/translator.h"
#include "nir_file.h"

namespace lifchip::mapper {

namespace {

using detail::LinearMap;
using nir::count_of;
using nir::Family;
using nir::kMaxTensor;
using nir::NodeReader;
using nir::NodeTranslator;
using nir::OpResult;
using nir::Shape;
using nir::shape_text;

enum class Role { kInput, kOutput, kNeuron, kOp, kPass };

struct FlatNode {
  std::string name;  // dotted path: the population name
  const nir::Node* node = nullptr;
  Role role = Role::kOp;
  NeuronKind kind = NeuronKind::kLIF;
  const NodeTranslator* translator = nullptr;
};

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

// Why NIR node types we know of have no translator (yet), so the error says more than "unsupported".
std::string unsupported_reason(const std::string& type) {
  if (type == "Delay") return " (the chip has no synaptic delays)";
  if (type == "Threshold") return " (a bare threshold without a neuron state is not a chip neuron)";
  if (type == "I") return " (a non-spiking integrator without threshold; use IF or LI)";
  return "";
}

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
    const detail::TermBudget budget(detail::kMaxImportTerms);  // every map built below is charged
    version_notes();
    flatten_graph(nir_.root, true);
    mark_live();
    infer_shapes();
    return build();
  }

 private:
  // ---- errors and fields ------------------------------------------------------------------

  NodeReader reader(const FlatNode& n) const { return NodeReader(file_, *n.node, report_, defaulted_); }
  [[noreturn]] void fail_node(const FlatNode& n, const std::string& what) const { reader(n).fail_node(what); }

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
      const NodeTranslator* t = nir::find_translator(child.type);
      if (t && t->family == Family::kGraph) {
        scope->sub[child.name] = flatten_graph(child, false);
        continue;
      }
      if (!t)
        throw InputError(file_ + ": node '" + child.path + "': field 'type': unsupported NIR node type '" +
                         child.type + "'" + unsupported_reason(child.type) +
                         "; supported: " + nir::supported_types());
      FlatNode n;
      n.name = child.path;
      n.node = &child;
      n.translator = t;
      switch (t->family) {
        case Family::kInput:
          n.role = top ? Role::kInput : Role::kPass;
          n.kind = NeuronKind::kInput;
          break;
        case Family::kOutput:
          n.role = top ? Role::kOutput : Role::kPass;
          n.kind = NeuronKind::kOutput;
          break;
        case Family::kNeuron:
          n.role = Role::kNeuron;
          n.kind = t->kind;
          break;
        default:
          n.role = Role::kOp;
          break;
      }
      if (!names_.insert(n.name).second)
        throw InputError(file_ + ": node '" + n.name +
                         "': the name is used twice once nested graphs are flattened");
      const std::size_t idx = flat_.size();
      flat_.push_back(n);
      scope->leaf[child.name] = idx;
      if (t->family == Family::kInput) scope->inputs.push_back(idx);
      if (t->family == Family::kOutput) scope->outputs.push_back(idx);
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

  // A neuron node's size from its parameters: the shape of its per-neuron arrays (all of one
  // size), or nullopt when every parameter is a scalar (the input then decides).
  std::optional<Shape> neuron_param_shape(const FlatNode& n) const {
    const NodeReader r = reader(n);
    std::optional<Shape> shape;
    std::string first;
    for (const nir::NeuronField& p : n.translator->params) {
      const char* field = p.field;
      const nir::Field* f = r.maybe(field);
      if (!f) {
        if (!p.dflt) r.fail(field, "missing");
        continue;
      }
      r.check_numbers(field, *f);
      const uint64_t c = f->count();
      if (c == 0) r.fail(field, "no values");
      if (c == 1) continue;
      if (!shape) {
        shape = f->shape;
        first = field;
        if (count_of(*shape) > kMaxTensor)
          r.fail(field, "more than " + std::to_string(kMaxTensor) + " neurons");
      } else if (count_of(*shape) != c) {
        r.fail(field, std::to_string(c) + " values, but '" + first + "' has " +
                          std::to_string(count_of(*shape)) + " (scalars broadcast; arrays must agree)");
      }
    }
    return shape;
  }

  void infer_shapes() {
    shape_.assign(flat_.size(), std::nullopt);
    ops_.resize(flat_.size());
    for (std::size_t i = 0; i < flat_.size(); ++i) {
      const FlatNode& n = flat_[i];
      const NodeReader r = reader(n);
      if (n.role == Role::kInput) {
        const nir::Field* f = r.maybe("shape");
        if (!f) r.fail("shape", "missing");
        shape_[i] = r.shape_field("shape", *f);
      } else if (n.role == Role::kNeuron) {
        shape_[i] = neuron_param_shape(n);
      } else if (n.role == Role::kOutput) {
        const nir::Field* f = r.maybe("shape");
        if (!f) r.fail("shape", "missing");
        declared_output_[i] = r.shape_field("shape", *f);
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
          ops_[i] = charged(i, [&] { return build_op(n, in); });
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
    if (n.role == Role::kOp) return n.translator->lower(reader(n), in);
    // A nested graph's Input or Output node: data passes through.
    OpResult r;
    r.out = in;
    r.map = LinearMap::identity(static_cast<uint32_t>(count_of(in)));
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

  // Runs f, a step that builds maps for node i, naming the node when the import's budget of terms
  // (detail::kMaxImportTerms) runs out.
  template <class F>
  auto charged(std::size_t i, F&& f) -> decltype(f()) {
    try {
      return f();
    } catch (const detail::TooManyTerms& t) {
      fail_node(flat_[i], "would need " + std::to_string(t.wanted) + " more synapse terms with " +
                              std::to_string(t.used) + " made: more than the limit " +
                              std::to_string(t.limit) + " of one import (docs/reliability.md, \"Limits\")");
    }
  }

  Expr input_of(std::size_t i) {
    Expr acc;
    for (std::size_t p : live_preds(i)) {
      if (is_source(p)) {
        Expr e;
        e.by_source[p] = Contribution{LinearMap::identity(static_cast<uint32_t>(count_of(*shape_[p]))), {}};
        charged(i, [&] { add_into(acc, e); });
      } else {
        const Expr& e = expr_of(p);
        charged(i, [&] { add_into(acc, e); });
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
      const LinearMap& before = c.map;  // a structured binding cannot be captured (C++17)
      Contribution d{charged(i, [&] { return before.then(op.map); }), c.nodes};
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
    if (n.role == Role::kNeuron) {
      const NodeReader r = reader(n);
      for (const nir::NeuronField& f : n.translator->params)
        q.*f.member = r.param(f.field, size, f.dflt, f.positive);
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

    {  // before any population is built (a per-neuron parameter is 8 bytes a neuron)
      uint64_t neurons = 0;
      for (std::size_t i : order) neurons += count_of(*shape_[i]);
      if (neurons > kMaxNetworkNeurons)
        throw InputError(file_ + ": the network's populations hold " + std::to_string(neurons) +
                         " neurons in all, more than the limit " + std::to_string(kMaxNetworkNeurons) +
                         " of one network (docs/reliability.md, \"Limits\")");
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
      if (flat_[i].role == Role::kNeuron && !flat_[i].translator->spikes)
        for (std::size_t j : succs_[i])
          if (live_[j] && flat_[j].role != Role::kOutput)
            report_.note("node '" + flat_[i].name + "' (" + flat_[i].node->type + ") feeds '" +
                         flat_[j].name + "': an " + flat_[i].node->type +
                         " neuron's output is its voltage, not spikes; the chip can only send spikes");

    // The folded maps now live only in `inputs` (their terms shared with the nodes' own maps until
    // these go): each is dropped once it is synapses, so a layer's terms and its synapses overlap
    // one layer at a time (docs/reliability.md, "Peak memory of the largest legal file").
    expr_.clear();
    ops_.clear();
    Network net;
    for (Population& p : pops) net.add_population(std::move(p));
    uint64_t folded = 0;
    for (std::size_t k = 0; k < order.size(); ++k) {
      std::vector<std::pair<std::size_t, Contribution*>> sources;
      for (auto& [src, c] : inputs[k].by_source) sources.emplace_back(vertex_of.at(src), &c);
      std::sort(sources.begin(), sources.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      for (const auto& [v, c] : sources) {
        Projection pr;
        pr.nodes = c->nodes;
        for (const std::string& name : pr.nodes) pr.name += (pr.name.empty() ? "" : "+") + name;
        if (pr.name.empty()) pr.name = net.population(v).name + "->" + net.population(k).name;
        c->map.materialise(pr);
        c->map = LinearMap();
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
  mutable std::set<std::string> defaulted_;  // "v_reset = 0", ...: filled by the NodeReaders
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

void start_nir_reader() { nir::start_reader(); }

Network import_nir(const std::string& path, ReportSection* report) {
  ReportSection scratch;
  ReportSection& r = report ? *report : scratch;
  try {
    const nir::File file = nir::read_file(path);
    Network net = Lowering(path, file, r).run();
    nir::read_lava_dl(net, r);
    return net;
  } catch (const std::bad_alloc&) {
    throw InputError(
        path + ": out of memory while importing (a corrupt size, or a network too large for this machine)");
  } catch (const std::length_error&) {
    throw InputError(path + ": a size in the file is too large to import");
  }
}

}  // namespace lifchip::mapper
