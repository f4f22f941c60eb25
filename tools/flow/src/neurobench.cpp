// NeuroBench metrics from a run's counters (see neurobench.h; definitions and mapping: docs/estimate.md).
#include "lifchip/flow/neurobench.h"

#include <map>
#include <sstream>

#include "lifchip/chip_constants.h"

namespace lifchip::flow {

namespace {

// NeuroBench's NeuronOperations counts per update of an snnTorch "Synaptic" neuron (two state
// variables, current and membrane: the chip's CUBA-LIF): 8 operations with reset to zero, 6 with
// reset by subtraction.
constexpr double kOpsResetZero = 8, kOpsResetSubtract = 6;

}  // namespace

NeuroBenchMetrics neurobench(const pb::RunResult& run, const pb::ChipImage& image,
                             uint32_t steps_per_inference, const mapper::Network* network) {
  NeuroBenchMetrics m;
  const uint64_t steps = run.steps();
  if (steps == 0) throw InputError("the run has no steps: nothing to measure");
  m.steps_per_inference = steps_per_inference ? steps_per_inference : steps;
  if (steps % m.steps_per_inference != 0)
    throw InputError("the run's " + std::to_string(steps) +
                     " steps are not a whole number of inferences of " +
                     std::to_string(m.steps_per_inference) + " steps");
  m.inferences = steps / m.steps_per_inference;
  m.footprint_bytes = uint64_t{flat_stream(image).size()} * 4;

  std::map<std::pair<uint32_t, uint32_t>, const pb::CoreCounters*> counters;
  for (const pb::CoreCounters& c : run.counters().cores()) counters[{c.x(), c.y()}] = &c;
  auto value = [](const pb::CoreCounters& c, int id) -> uint64_t {
    return id < c.values_size() ? c.values(id) : 0;
  };
  uint64_t spikes = 0, syn_ops = 0, active = 0, entries = 0;
  double ops_effective = 0, ops_dense = 0;
  for (const pb::Core& core : image.cores()) {
    const auto it = counters.find({core.x(), core.y()});
    if (it == counters.end())
      throw InputError("core (" + std::to_string(core.x()) + "," + std::to_string(core.y()) +
                       ") of the image has no counters in the run: not a run of this image");
    const pb::CoreCounters& c = *it->second;
    for (int i = 0; i < core.syn_weight_size(); ++i) m.synapses += core.syn_weight(i) != 0;
    entries += static_cast<uint64_t>(core.syn_weight_size());
    m.neurons += static_cast<uint64_t>(core.neuron_profile_size());
    double ops = 0;  // per update, averaged over the core's neurons
    for (uint32_t p : core.neuron_profile())
      ops += p < static_cast<uint32_t>(core.profiles_size()) &&
                     core.profiles(static_cast<int>(p)).reset_mode() == pb::RESET_SUBTRACT
                 ? kOpsResetSubtract
                 : kOpsResetZero;
    if (core.neuron_profile_size()) ops /= core.neuron_profile_size();
    const uint64_t a = value(c, spec::CNT_NEURON_ACTIVE), idle = value(c, spec::CNT_NEURON_IDLE);
    spikes += value(c, spec::CNT_SPIKES);
    syn_ops += value(c, spec::CNT_SYN_OPS);
    active += a;
    ops_effective += ops * double(a);
    ops_dense += ops * double(a + idle);
  }
  if (network) {
    uint64_t dense = 0;
    for (auto e : network->projections()) {
      const auto& src = network->population(boost::source(e, network->graph));
      const auto& tgt = network->population(boost::target(e, network->graph));
      if (tgt.kind == mapper::NeuronKind::kOutput) continue;  // a host binding, no synapses on the chip
      dense += uint64_t{src.size} * tgt.size;
    }
    m.dense_connections = dense;
    m.connection_sparsity = dense ? 1.0 - double(m.synapses) / double(dense) : 0.0;
  }
  const double n = double(m.inferences);
  m.activation_sparsity = m.neurons ? 1.0 - double(spikes) / (double(m.neurons) * double(steps)) : 1.0;
  m.effective_macs = 0;
  m.effective_acs = double(syn_ops) / n;
  m.dense_basis = m.dense_connections ? "network projections" : "chip synapse entries";
  m.dense_synops =
      double(m.dense_connections ? *m.dense_connections : entries) * double(m.steps_per_inference);
  m.membrane_updates = double(active) / n;
  m.neuron_ops_effective = ops_effective / n;
  m.neuron_ops_dense = ops_dense / n;
  return m;
}

nlohmann::json neurobench_json(const NeuroBenchMetrics& m) {
  nlohmann::json j{
      {"reference", "Yik et al., NeuroBench, Nature Communications 16, 1545 (2025)"},
      {"inferences", m.inferences},
      {"steps_per_inference", m.steps_per_inference},
      {"Footprint", m.footprint_bytes},
      {"ConnectionSparsity", nullptr},
      {"ActivationSparsity", m.activation_sparsity},
      {"SynapticOperations",
       {{"Effective_MACs", m.effective_macs},
        {"Effective_ACs", m.effective_acs},
        {"Dense", m.dense_synops},
        {"dense_basis", m.dense_basis}}},
      {"MembraneUpdates", m.membrane_updates},
      {"NeuronOperations", {{"Effective", m.neuron_ops_effective}, {"Dense", m.neuron_ops_dense}}},
      {"chip", {{"neurons", m.neurons}, {"synapses", m.synapses}}}};
  if (m.connection_sparsity) {
    j["ConnectionSparsity"] = *m.connection_sparsity;
    j["chip"]["dense_connections"] = *m.dense_connections;
  }
  return j;
}

std::string neurobench_text(const NeuroBenchMetrics& m) {
  std::ostringstream os;
  os.precision(6);
  os << "NeuroBench metrics (Yik et al., Nature Communications 2025), from the chip's counters, per "
        "inference ("
     << m.inferences << " of " << m.steps_per_inference << " steps):\n";
  os << "  Footprint                        " << m.footprint_bytes << " bytes (the image's load stream)\n";
  os << "  ConnectionSparsity               ";
  if (m.connection_sparsity)
    os << *m.connection_sparsity << " (" << m.synapses << " non-zero of " << *m.dense_connections << ")\n";
  else
    os << "- (needs the network: --network)\n";
  os << "  ActivationSparsity               " << m.activation_sparsity << " (" << m.neurons << " neurons)\n";
  os << "  SynapticOperations Effective_MACs " << m.effective_macs << "\n";
  os << "  SynapticOperations Effective_ACs  " << m.effective_acs << "\n";
  os << "  SynapticOperations Dense          " << m.dense_synops << " (" << m.dense_basis << ")\n";
  os << "  MembraneUpdates                  " << m.membrane_updates << "\n";
  os << "  NeuronOperations Effective        " << m.neuron_ops_effective << "\n";
  os << "  NeuronOperations Dense            " << m.neuron_ops_dense << "\n";
  return os.str();
}

}  // namespace lifchip::flow
