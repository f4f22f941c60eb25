// The IR's rules (validate), equality, and its exact conversions with our protobuf network format.
#include "lifchip/mapper/ir.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <set>

#include "lifchip/image.h"  // InputError

namespace lifchip::mapper {

namespace {

// A population may not exceed this many neurons (kMaxNetworkNeurons, ir.h: the whole network may
// not either), checked before anything of that size is allocated.
constexpr uint64_t kMaxPopulationSize = kMaxNetworkNeurons;

std::string fmt(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

struct ParamField {
  const char* name;
  std::vector<double> NeuronParams::*member;
  bool ParamUse::*use;
};

const ParamField kParamFields[] = {
    {"tau_mem", &NeuronParams::tau_mem, &ParamUse::tau_mem},
    {"tau_syn", &NeuronParams::tau_syn, &ParamUse::tau_syn},
    {"r", &NeuronParams::r, &ParamUse::r},
    {"v_leak", &NeuronParams::v_leak, &ParamUse::v_leak},
    {"v_threshold", &NeuronParams::v_threshold, &ParamUse::v_threshold},
    {"v_reset", &NeuronParams::v_reset, &ParamUse::v_reset},
    {"w_in", &NeuronParams::w_in, &ParamUse::w_in},
    {"input_bias", &NeuronParams::input_bias, &ParamUse::input_bias},
};

}  // namespace

const char* kind_name(NeuronKind kind) {
  switch (kind) {
    case NeuronKind::kInput:
      return "input";
    case NeuronKind::kOutput:
      return "output";
    case NeuronKind::kCubaLIF:
      return "CubaLIF";
    case NeuronKind::kLIF:
      return "LIF";
    case NeuronKind::kIF:
      return "IF";
    case NeuronKind::kLI:
      return "LI";
    case NeuronKind::kCubaLI:
      return "CubaLI";
  }
  return "?";
}

ParamUse param_use(NeuronKind kind) {
  switch (kind) {
    case NeuronKind::kInput:
      return {false, false, false, false, false, false, false, false};
    case NeuronKind::kOutput:
      return {false, false, false, false, false, false, false, true};
    case NeuronKind::kCubaLIF:
      return {true, true, true, true, true, true, true, true};
    case NeuronKind::kLIF:
      return {true, false, true, true, true, true, false, true};
    case NeuronKind::kIF:
      return {false, false, true, false, true, true, false, true};
    case NeuronKind::kLI:
      return {true, false, true, true, false, false, false, true};
    case NeuronKind::kCubaLI:
      return {true, true, true, true, false, false, true, true};
  }
  return {};
}

bool NeuronParams::operator==(const NeuronParams& o) const {
  return tau_mem == o.tau_mem && tau_syn == o.tau_syn && r == o.r && v_leak == o.v_leak &&
         v_threshold == o.v_threshold && v_reset == o.v_reset && w_in == o.w_in && input_bias == o.input_bias;
}

bool Population::operator==(const Population& o) const {
  return name == o.name && size == o.size && kind == o.kind && shape == o.shape &&
         source_node == o.source_node && params == o.params;
}

bool Projection::operator==(const Projection& o) const {
  return name == o.name && nodes == o.nodes && synapses == o.synapses && kernel == o.kernel &&
         kernel_weights == o.kernel_weights;
}

// add_vertex(graph) and then the property, not add_vertex(property, graph): the latter goes through
// Boost's named-graph lookup, whose boost::optional GCC 12 flags as maybe-uninitialized under -O2
// with sanitizers (a false positive that -Werror would turn into a build failure).
PopulationId Network::add_population(Population p) {
  const PopulationId v = boost::add_vertex(graph);
  graph[v] = std::move(p);
  return v;
}

ProjectionId Network::add_projection(PopulationId source, PopulationId target, Projection p) {
  // boost's add_edge copies the property it is given (heaptrack: two full copies of the synapses
  // at once, 24 bytes per synapse at the import's peak). An empty edge, then the projection moved in.
  const ProjectionId e = boost::add_edge(source, target, graph).first;
  graph[e] = std::move(p);
  return e;
}

uint64_t Network::num_neurons() const {
  uint64_t n = 0;
  for (PopulationId v : populations()) {
    const Population& p = graph[v];
    if (p.kind != NeuronKind::kInput && p.kind != NeuronKind::kOutput) n += p.size;
  }
  return n;
}

uint64_t Network::num_inputs() const {
  uint64_t n = 0;
  for (PopulationId v : populations())
    if (graph[v].kind == NeuronKind::kInput) n += graph[v].size;
  return n;
}

uint64_t Network::num_synapses() const {
  uint64_t n = 0;
  for (auto [it, end] = boost::edges(graph); it != end; ++it) n += graph[*it].synapses.size();
  return n;
}

std::optional<PopulationId> Network::find(const std::string& name) const {
  for (PopulationId v : populations())
    if (graph[v].name == name) return v;
  return std::nullopt;
}

std::vector<PopulationId> Network::populations() const {
  std::vector<PopulationId> v;
  for (auto [it, end] = boost::vertices(graph); it != end; ++it) v.push_back(*it);
  return v;
}

std::vector<ProjectionId> Network::projections() const {
  std::vector<ProjectionId> e;
  for (auto [it, end] = boost::edges(graph); it != end; ++it) e.push_back(*it);
  return e;
}

void Network::validate(const std::string& where) const {
  std::set<std::string> names;
  uint64_t neurons = 0;
  for (PopulationId v : populations()) neurons += graph[v].size;
  if (neurons > kMaxNetworkNeurons)
    throw InputError(where + ": the populations hold " + std::to_string(neurons) +
                     " neurons in all, more than the limit " + std::to_string(kMaxNetworkNeurons) +
                     " of one network");
  for (PopulationId v : populations()) {
    const Population& p = graph[v];
    const std::string at = where + ": population '" + p.name + "'";
    if (p.name.empty())
      throw InputError(where + ": population " + std::to_string(v) + ": field 'name': empty");
    if (!names.insert(p.name).second) throw InputError(at + ": field 'name': used twice");
    if (p.size == 0) throw InputError(at + ": field 'size': must be >= 1");
    if (p.size > kMaxPopulationSize)
      throw InputError(at + ": field 'size': " + std::to_string(p.size) + " > limit " +
                       std::to_string(kMaxPopulationSize));
    if (!p.shape.empty()) {
      uint64_t prod = 1;
      for (uint32_t d : p.shape) prod = d == 0 || prod > kMaxPopulationSize ? 0 : prod * d;
      if (prod != p.size)
        throw InputError(at + ": field 'shape': product is not the size " + std::to_string(p.size));
    }
    const ParamUse use = param_use(p.kind);
    for (const ParamField& f : kParamFields) {
      const std::vector<double>& values = p.params.*(f.member);
      const std::string fat = at + ": field '" + f.name + "'";
      if (!(use.*(f.use))) {
        if (!values.empty())
          throw InputError(fat + ": a " + kind_name(p.kind) + " population takes no such parameter");
        continue;
      }
      if (values.size() != p.size)
        throw InputError(fat + ": " + std::to_string(values.size()) + " values for " +
                         std::to_string(p.size) + " neurons");
      const bool positive = f.member == &NeuronParams::tau_mem || f.member == &NeuronParams::tau_syn;
      for (std::size_t i = 0; i < values.size(); ++i) {
        if (!std::isfinite(values[i]))
          throw InputError(fat + ": neuron " + std::to_string(i) + ": not finite (" + fmt(values[i]) + ")");
        if (positive && !(values[i] > 0))
          throw InputError(fat + ": neuron " + std::to_string(i) + ": a time constant must be > 0, got " +
                           fmt(values[i]));
      }
    }
  }
  std::size_t index = 0;
  for (auto [it, end] = boost::edges(graph); it != end; ++it, ++index) {
    const Projection& pr = graph[*it];
    const Population& src = graph[boost::source(*it, graph)];
    const Population& dst = graph[boost::target(*it, graph)];
    const std::string at = where + ": projection " + std::to_string(index) + " '" + pr.name + "' (" +
                           src.name + " -> " + dst.name + ")";
    if (src.kind == NeuronKind::kOutput)
      throw InputError(at + ": field 'source': an output cannot be a source");
    if (dst.kind == NeuronKind::kInput)
      throw InputError(at + ": field 'target': an input cannot be a target");
    if (pr.kernel.empty() && !pr.kernel_weights.empty())
      throw InputError(at + ": field 'kernel_weights': " + std::to_string(pr.kernel_weights.size()) +
                       " classes but no 'kernel' entries");
    if (!pr.kernel.empty() && pr.kernel.size() != pr.synapses.size())
      throw InputError(at + ": field 'kernel': " + std::to_string(pr.kernel.size()) + " entries for " +
                       std::to_string(pr.synapses.size()) + " synapses");
    for (std::size_t k = 0; k < pr.kernel_weights.size(); ++k)
      if (!std::isfinite(pr.kernel_weights[k]))
        throw InputError(at + ": field 'kernel_weights': entry " + std::to_string(k) + ": not finite");
    for (std::size_t i = 0; i < pr.synapses.size(); ++i) {
      const Synapse& s = pr.synapses[i];
      // Built only on an error: a string per synapse was 4 M allocations for a 4 M-synapse import.
      const auto sat = [&] { return at + ": synapse " + std::to_string(i); };
      if (s.pre >= src.size)
        throw InputError(sat() + ": field 'pre': " + std::to_string(s.pre) + " >= source size " +
                         std::to_string(src.size));
      if (s.post >= dst.size)
        throw InputError(sat() + ": field 'post': " + std::to_string(s.post) + " >= target size " +
                         std::to_string(dst.size));
      if (!std::isfinite(s.weight))
        throw InputError(sat() + ": field 'weight': not finite (" + fmt(s.weight) + ")");
      if (pr.kernel.empty()) continue;
      const int32_t k = pr.kernel[i];
      if (k < -1 || (k >= 0 && static_cast<std::size_t>(k) >= pr.kernel_weights.size()))
        throw InputError(sat() + ": field 'kernel': " + std::to_string(k) + " is not -1 or a class below " +
                         std::to_string(pr.kernel_weights.size()));
      if (k >= 0 && pr.kernel_weights[static_cast<std::size_t>(k)] != s.weight)
        throw InputError(sat() + ": field 'weight': " + fmt(s.weight) + " differs from its kernel class " +
                         std::to_string(k) + " value " + fmt(pr.kernel_weights[static_cast<std::size_t>(k)]));
    }
  }
}

bool Network::operator==(const Network& o) const {
  if (dt != o.dt || num_populations() != o.num_populations() || num_projections() != o.num_projections())
    return false;
  for (PopulationId v : populations())
    if (!(graph[v] == o.graph[v])) return false;
  const std::vector<ProjectionId> a = projections(), b = o.projections();
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (boost::source(a[i], graph) != boost::source(b[i], o.graph) ||
        boost::target(a[i], graph) != boost::target(b[i], o.graph) || !(graph[a[i]] == o.graph[b[i]]))
      return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// protobuf <-> IR

namespace {

void put_param(const std::vector<double>& values, pb::Param* out) {
  bool uniform = !values.empty();
  for (double v : values) uniform = uniform && same_bits(v, values[0]);
  if (uniform) {
    out->add_values(values[0]);
    return;
  }
  for (double v : values) out->add_values(v);
}

void put_shape(const std::vector<uint32_t>& shape, google::protobuf::RepeatedField<uint32_t>* out) {
  for (uint32_t d : shape) out->Add(d);
}

NeuronKind kind_of(pb::NeuronModel m, const std::string& at) {
  switch (m) {
    case pb::CUBA_LIF:
      return NeuronKind::kCubaLIF;
    case pb::LIF:
      return NeuronKind::kLIF;
    case pb::IF:
      return NeuronKind::kIF;
    case pb::LI:
      return NeuronKind::kLI;
    case pb::CUBA_LI:
      return NeuronKind::kCubaLI;
    default:
      break;
  }
  throw InputError(at + ": field 'model': " +
                   (m == pb::NEURON_MODEL_UNSPECIFIED
                        ? std::string("not set (CUBA_LIF, LIF, IF, LI or CUBA_LI)")
                        : "unknown value " + std::to_string(static_cast<int>(m))));
}

pb::NeuronModel model_of(NeuronKind k) {
  switch (k) {
    case NeuronKind::kCubaLIF:
      return pb::CUBA_LIF;
    case NeuronKind::kLIF:
      return pb::LIF;
    case NeuronKind::kIF:
      return pb::IF;
    case NeuronKind::kLI:
      return pb::LI;
    case NeuronKind::kCubaLI:
      return pb::CUBA_LI;
    default:
      return pb::NEURON_MODEL_UNSPECIFIED;
  }
}

// Expands one parameter: empty = default (or an error when required), one value = broadcast.
std::vector<double> take_param(const pb::Param& param, const char* field, bool used,
                               std::optional<double> dflt, uint32_t size, NeuronKind kind,
                               const std::string& at) {
  const std::string fat = at + ": field '" + field + "'";
  const int n = param.values_size();
  if (!used) {
    if (n > 0)
      throw InputError(fat + ": a " + std::string(kind_name(kind)) + " population takes no such parameter");
    return {};
  }
  if (n == 0) {
    if (!dflt) throw InputError(fat + ": missing (required by " + kind_name(kind) + ")");
    return std::vector<double>(size, *dflt);
  }
  if (n == 1) return std::vector<double>(size, param.values(0));
  if (static_cast<uint32_t>(n) != size)
    throw InputError(fat + ": " + std::to_string(n) + " values, expected 1 or " + std::to_string(size));
  return std::vector<double>(param.values().begin(), param.values().end());
}

void check_size(uint32_t size, const std::string& at) {
  if (size == 0) throw InputError(at + ": field 'size': must be >= 1");
  if (size > kMaxPopulationSize)
    throw InputError(at + ": field 'size': " + std::to_string(size) + " > limit " +
                     std::to_string(kMaxPopulationSize));
}

Population port_population(const pb::Port& port, NeuronKind kind, const std::string& at) {
  check_size(port.size(), at);
  Population p;
  p.name = port.name();
  p.size = port.size();
  p.kind = kind;
  p.shape.assign(port.shape().begin(), port.shape().end());
  p.source_node = port.source_node();
  p.params.input_bias =
      take_param(port.input_bias(), "input_bias", kind == NeuronKind::kOutput, 0.0, p.size, kind, at);
  return p;
}

}  // namespace

std::string make_readout(Network& net, const std::string& name) {
  const std::optional<PopulationId> id = net.find(name);
  if (!id) {
    std::string names;
    for (PopulationId v : net.populations())
      if (net.population(v).kind != NeuronKind::kInput && net.population(v).kind != NeuronKind::kOutput)
        names += (names.empty() ? "" : ", ") + net.population(v).name;
    throw InputError("option '--readout': no population '" + name + "' (neuron populations: " + names + ")");
  }
  Population& p = net.population(*id);
  const std::string before = kind_name(p.kind);
  switch (p.kind) {
    case NeuronKind::kLI:
    case NeuronKind::kCubaLI:
      return "population '" + name + "' (" + before + ") is a read-out already";
    case NeuronKind::kLIF:
      p.kind = NeuronKind::kLI;
      break;
    case NeuronKind::kCubaLIF:
      p.kind = NeuronKind::kCubaLI;
      break;
    default:
      throw InputError("option '--readout': population '" + name + "' (" + before +
                       ") cannot be a read-out: only a leaky population (LIF or CubaLIF) has a v to read");
  }
  p.params.v_threshold.clear();
  p.params.v_reset.clear();
  return "population '" + name + "' (" + before + ") read out as " + kind_name(p.kind) +
         " (--readout: its v, never spiking)";
}

pb::Network to_proto(const Network& network) {
  pb::Network m;
  m.set_format_version(1);
  if (network.dt) m.set_dt(*network.dt);
  for (PopulationId v : network.populations()) {
    const Population& p = network.population(v);
    if (p.kind == NeuronKind::kInput || p.kind == NeuronKind::kOutput) {
      pb::Port* port = p.kind == NeuronKind::kInput ? m.add_inputs() : m.add_outputs();
      port->set_name(p.name);
      port->set_size(p.size);
      put_shape(p.shape, port->mutable_shape());
      port->set_source_node(p.source_node);
      if (p.kind == NeuronKind::kOutput) put_param(p.params.input_bias, port->mutable_input_bias());
      continue;
    }
    pb::Population* q = m.add_populations();
    q->set_name(p.name);
    q->set_size(p.size);
    q->set_model(model_of(p.kind));
    put_shape(p.shape, q->mutable_shape());
    q->set_source_node(p.source_node);
    const ParamUse use = param_use(p.kind);
    if (use.tau_mem) put_param(p.params.tau_mem, q->mutable_tau_mem());
    if (use.tau_syn) put_param(p.params.tau_syn, q->mutable_tau_syn());
    if (use.r) put_param(p.params.r, q->mutable_r());
    if (use.v_leak) put_param(p.params.v_leak, q->mutable_v_leak());
    if (use.v_threshold) put_param(p.params.v_threshold, q->mutable_v_threshold());
    if (use.v_reset) put_param(p.params.v_reset, q->mutable_v_reset());
    if (use.w_in) put_param(p.params.w_in, q->mutable_w_in());
    if (use.input_bias) put_param(p.params.input_bias, q->mutable_input_bias());
  }
  for (ProjectionId e : network.projections()) {
    const Projection& pr = network.graph[e];
    pb::Projection* q = m.add_projections();
    q->set_name(pr.name);
    q->set_source(network.population(boost::source(e, network.graph)).name);
    q->set_target(network.population(boost::target(e, network.graph)).name);
    pb::SparseSynapses* s = q->mutable_sparse();
    s->mutable_pre()->Reserve(static_cast<int>(pr.synapses.size()));
    s->mutable_post()->Reserve(static_cast<int>(pr.synapses.size()));
    s->mutable_weight()->Reserve(static_cast<int>(pr.synapses.size()));
    for (const Synapse& syn : pr.synapses) {
      s->add_pre(syn.pre);
      s->add_post(syn.post);
      s->add_weight(syn.weight);
    }
    for (int32_t k : pr.kernel) s->add_kernel(k);
    for (float w : pr.kernel_weights) q->add_kernel_weights(w);
    for (const std::string& n : pr.nodes) q->add_nodes(n);
  }
  return m;
}

Network from_proto(const pb::Network& m, const std::string& where) {
  if (m.format_version() > 1)
    throw InputError(where + ": field 'format_version': " + std::to_string(m.format_version()) +
                     " is newer than this tool reads (1)");
  Network net;
  if (m.has_dt()) {
    if (!std::isfinite(m.dt()) || !(m.dt() > 0))
      throw InputError(where + ": field 'dt': must be > 0, got " + fmt(m.dt()));
    net.dt = m.dt();
  }
  {  // every declared size together, before any population is built (one too large on its own is
     // named by its own check below)
    uint64_t neurons = 0, largest = 0;
    auto count = [&](uint32_t size) { neurons += size, largest = std::max<uint64_t>(largest, size); };
    for (const pb::Port& q : m.inputs()) count(q.size());
    for (const pb::Population& q : m.populations()) count(q.size());
    for (const pb::Port& q : m.outputs()) count(q.size());
    if (neurons > kMaxNetworkNeurons && largest <= kMaxPopulationSize)
      throw InputError(where + ": the populations declare " + std::to_string(neurons) +
                       " neurons in all, more than the limit " + std::to_string(kMaxNetworkNeurons) +
                       " of one network");
  }
  std::map<std::string, PopulationId> by_name;
  auto add = [&](Population p, const std::string& at) {
    if (p.name.empty()) throw InputError(at + ": field 'name': empty");
    if (by_name.count(p.name)) throw InputError(at + ": field 'name': '" + p.name + "' is used twice");
    const std::string name = p.name;
    by_name[name] = net.add_population(std::move(p));
  };
  for (int i = 0; i < m.inputs_size(); ++i) {
    const std::string at = where + ": input " + std::to_string(i) + " '" + m.inputs(i).name() + "'";
    add(port_population(m.inputs(i), NeuronKind::kInput, at), at);
  }
  for (int i = 0; i < m.populations_size(); ++i) {
    const pb::Population& q = m.populations(i);
    const std::string at = where + ": population " + std::to_string(i) + " '" + q.name() + "'";
    check_size(q.size(), at);
    Population p;
    p.name = q.name();
    p.size = q.size();
    p.kind = kind_of(q.model(), at);
    p.shape.assign(q.shape().begin(), q.shape().end());
    p.source_node = q.source_node();
    const ParamUse u = param_use(p.kind);
    const uint32_t n = p.size;
    const NeuronKind k = p.kind;
    p.params.tau_mem = take_param(q.tau_mem(), "tau_mem", u.tau_mem, std::nullopt, n, k, at);
    p.params.tau_syn = take_param(q.tau_syn(), "tau_syn", u.tau_syn, std::nullopt, n, k, at);
    p.params.r = take_param(q.r(), "r", u.r, 1.0, n, k, at);
    p.params.v_leak = take_param(q.v_leak(), "v_leak", u.v_leak, 0.0, n, k, at);
    p.params.v_threshold = take_param(q.v_threshold(), "v_threshold", u.v_threshold, std::nullopt, n, k, at);
    p.params.v_reset = take_param(q.v_reset(), "v_reset", u.v_reset, 0.0, n, k, at);
    p.params.w_in = take_param(q.w_in(), "w_in", u.w_in, 1.0, n, k, at);
    p.params.input_bias = take_param(q.input_bias(), "input_bias", u.input_bias, 0.0, n, k, at);
    add(std::move(p), at);
  }
  for (int i = 0; i < m.outputs_size(); ++i) {
    const std::string at = where + ": output " + std::to_string(i) + " '" + m.outputs(i).name() + "'";
    add(port_population(m.outputs(i), NeuronKind::kOutput, at), at);
  }
  for (int i = 0; i < m.projections_size(); ++i) {
    const pb::Projection& q = m.projections(i);
    const std::string at = where + ": projection " + std::to_string(i) + " '" + q.name() + "'";
    auto src = by_name.find(q.source());
    if (src == by_name.end())
      throw InputError(at + ": field 'source': no input or population '" + q.source() + "'");
    auto dst = by_name.find(q.target());
    if (dst == by_name.end())
      throw InputError(at + ": field 'target': no population or output '" + q.target() + "'");
    const uint32_t ns = net.population(src->second).size, nt = net.population(dst->second).size;
    Projection p;
    p.name = q.name();
    p.nodes.assign(q.nodes().begin(), q.nodes().end());
    if (q.has_dense()) {
      const auto& w = q.dense().weights();
      if (static_cast<uint64_t>(w.size()) != uint64_t{ns} * nt)
        throw InputError(at + ": field 'dense.weights': " + std::to_string(w.size()) + " values, expected " +
                         std::to_string(nt) + " x " + std::to_string(ns) + " (target x source)");
      if (q.kernel_weights_size() > 0)
        throw InputError(at + ": field 'kernel_weights': dense weights share none");
      for (uint32_t post = 0; post < nt; ++post)
        for (uint32_t pre = 0; pre < ns; ++pre) {
          const float x = w[static_cast<int>(uint64_t{post} * ns + pre)];
          if (x != 0.0f) p.synapses.push_back({pre, post, x});
        }
    } else if (q.has_sparse()) {
      const pb::SparseSynapses& s = q.sparse();
      const int n = s.pre_size();
      if (s.post_size() != n || s.weight_size() != n)
        throw InputError(at + ": field 'sparse': pre, post and weight have " + std::to_string(n) + ", " +
                         std::to_string(s.post_size()) + " and " + std::to_string(s.weight_size()) +
                         " entries");
      if (s.kernel_size() != 0 && s.kernel_size() != n)
        throw InputError(at + ": field 'sparse.kernel': " + std::to_string(s.kernel_size()) +
                         " entries for " + std::to_string(n) + " synapses");
      p.synapses.resize(static_cast<std::size_t>(n));
      for (int j = 0; j < n; ++j)
        p.synapses[static_cast<std::size_t>(j)] = {s.pre(j), s.post(j), s.weight(j)};
      p.kernel.assign(s.kernel().begin(), s.kernel().end());
      p.kernel_weights.assign(q.kernel_weights().begin(), q.kernel_weights().end());
      if (p.kernel.empty() && !p.kernel_weights.empty())
        throw InputError(at + ": field 'kernel_weights': given without 'sparse.kernel'");
    } else {
      throw InputError(at + ": field 'weights': neither 'dense' nor 'sparse' is set");
    }
    net.add_projection(src->second, dst->second, std::move(p));
  }
  net.validate(where);
  return net;
}

pb::Network read_network_file(const std::string& path) {
  pb::Network m;
  read_message_file(path, &m, "lifchip.pb.Network");
  return m;
}

void write_network_file(const std::string& path, const pb::Network& message) {
  write_message_file(path, message);
}

}  // namespace lifchip::mapper
