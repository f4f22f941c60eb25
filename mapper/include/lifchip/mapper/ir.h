// The mapper's IR: a network graph (Boost.Graph) of populations and delay-free projections with
// float, continuous-time parameters, as every importer produces it and every later pass reads it.
#pragma once

#include <boost/graph/adjacency_list.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lifchip/network.pb.h"

namespace lifchip::mapper {

/// What a population is. Input and Output are the network's ports: inputs emit spikes from the
/// host, outputs are what the host reads (spikes of the neurons projecting into them).
enum class NeuronKind { kInput, kOutput, kCubaLIF, kLIF, kIF, kLI, kCubaLI };

const char* kind_name(NeuronKind kind);
/// LI and CubaLI: non-spiking read-outs, mapped to read-out neurons (spec §2.6) whose v the host
/// reads every step.
/// The most neurons one network may hold, all populations (inputs and outputs too) together: 2^24,
/// 64 chips' worth; about 1 GiB of the IR's per-neuron parameters (docs/reliability.md, "Limits").
/// Checked by the importers before populations are built, and by Network::validate.
inline constexpr uint64_t kMaxNetworkNeurons = uint64_t{1} << 24;

constexpr bool is_readout(NeuronKind kind) { return kind == NeuronKind::kLI || kind == NeuronKind::kCubaLI; }
/// CubaLIF and CubaLI: a synaptic current state (tau_syn, w_in) in front of v.
constexpr bool has_current(NeuronKind kind) { return kind == NeuronKind::kCubaLIF || kind == NeuronKind::kCubaLI; }

/// Per-neuron float parameters, NIR's continuous-time terms (units and models: docs/nir.md). A
/// vector a kind takes holds exactly one value per neuron; the others are empty:
///   CubaLIF: all;  LIF: all but tau_syn, w_in;  LI: tau_mem, r, v_leak, input_bias;
///   CubaLI: tau_mem, tau_syn, r, v_leak, w_in, input_bias;
///   IF: r, v_threshold, v_reset, input_bias;  Output: input_bias;  Input: none.
struct NeuronParams {
  std::vector<double> tau_mem, tau_syn, r, v_leak, v_threshold, v_reset, w_in;
  /// Constant added to the population's input sum (the bias of an Affine or Conv feeding it).
  std::vector<double> input_bias;
  bool operator==(const NeuronParams& o) const;
};

/// Which NeuronParams fields a kind takes.
struct ParamUse {
  bool tau_mem, tau_syn, r, v_leak, v_threshold, v_reset, w_in, input_bias;
};
ParamUse param_use(NeuronKind kind);

struct Population {
  std::string name;  // unique in the network
  uint32_t size = 0;
  NeuronKind kind = NeuronKind::kLIF;
  std::vector<uint32_t> shape;  // tensor shape of the neurons (product = size) or empty
  std::string source_node;      // the NIR node (dotted path) or protobuf entry it came from
  NeuronParams params;
  bool operator==(const Population& o) const;
};

/// One synapse: neuron `pre` of the source population to neuron `post` of the target.
struct Synapse {
  uint32_t pre = 0;
  uint32_t post = 0;
  float weight = 0;
  bool operator==(const Synapse& o) const { return pre == o.pre && post == o.post && weight == o.weight; }
};

/// Delay-free synapses between two populations. Shared-weight bookkeeping for convolutions:
/// `kernel` is empty (no sharing) or parallel to `synapses`; kernel[i] >= 0 names the weight class
/// of synapse i, whose value is kernel_weights[kernel[i]] (== synapses[i].weight). Synapses of one
/// class come from the same kernel entries with the same coefficients, so quantisation must give
/// them one value; kernel[i] = -1 marks an unshared synapse.
struct Projection {
  std::string name;                // the NIR nodes it folds, joined with '+', or "source->target"
  std::vector<std::string> nodes;  // NIR nodes folded into it, in data-flow order
  std::vector<Synapse> synapses;   // sorted by (post, pre) when an importer made them
  std::vector<int32_t> kernel;
  std::vector<float> kernel_weights;
  bool shared() const { return !kernel.empty(); }
  bool operator==(const Projection& o) const;
};

/// vecS vertices: a population's descriptor is its index, stable while nothing is removed, so a
/// pass may keep side tables indexed by it. bidirectionalS: passes need in-edges (fan-in) as well.
/// edges(graph) visits projections in insertion order.
using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, Population, Projection>;
using PopulationId = Graph::vertex_descriptor;
using ProjectionId = Graph::edge_descriptor;

class Network {
 public:
  Graph graph;
  std::optional<double> dt;  // seconds; set when the source states the training time step

  PopulationId add_population(Population p);
  ProjectionId add_projection(PopulationId source, PopulationId target, Projection p);

  std::size_t num_populations() const { return boost::num_vertices(graph); }
  std::size_t num_projections() const { return boost::num_edges(graph); }
  uint64_t num_neurons() const;  // neurons of the neuron populations (not inputs/outputs)
  uint64_t num_inputs() const;   // network input indices: the input populations' sizes, summed
  uint64_t num_synapses() const;
  Population& population(PopulationId v) { return graph[v]; }
  const Population& population(PopulationId v) const { return graph[v]; }
  std::optional<PopulationId> find(const std::string& name) const;
  std::vector<PopulationId> populations() const;  // in index order
  std::vector<ProjectionId> projections() const;  // in insertion order

  /// Checks every IR rule (unique names, sizes, parameters per kind and finite, tau > 0, synapse
  /// indices in range, finite weights, kernel bookkeeping, no projection out of an output or into an
  /// input). Throws InputError "<where>: population 'x': field 'tau_mem': ..." for the first violation.
  void validate(const std::string& where = "network") const;

  /// Same populations (in index order), same projections (in insertion order), same dt.
  bool operator==(const Network& o) const;
  bool operator!=(const Network& o) const { return !(*this == o); }
};

/// Makes population `name` a non-spiking read-out (`--readout NAME`): LIF becomes LI and CubaLIF
/// becomes CubaLI, keeping every parameter they share (v_threshold and v_reset are dropped); LI and
/// CubaLI stay. Throws InputError naming the population for any other kind or an unknown name.
/// Returns what it did, for the report ("population 'out' (LIF) read out as LI").
std::string make_readout(Network& network, const std::string& name);

// ---- Conversions with our protobuf format (mapper/proto/lifchip/network.proto). ----
// to_proto writes ports and populations in index order by kind (inputs, populations, outputs),
// projections in insertion order, synapses sparse, and a parameter as one value when all neurons
// share it (bit for bit). from_proto builds inputs first, then populations, then outputs, so
// from_proto(to_proto(n)) == n for any network whose inputs precede its neuron populations and
// those precede its outputs (what every importer produces).

pb::Network to_proto(const Network& network);
/// Validates the message (names, sizes, parameters, indices) and the resulting IR; throws
/// InputError prefixed with `where` (the file name when read from a file).
Network from_proto(const pb::Network& message, const std::string& where = "network");

/// Reads our protobuf network: text format for .txtpb/.pbtxt/.textproto/.txt, binary otherwise.
/// Throws InputError naming the file.
pb::Network read_network_file(const std::string& path);
/// Writes atomically (temporary file, then rename), text or binary by extension as above.
void write_network_file(const std::string& path, const pb::Network& message);

}  // namespace lifchip::mapper
