// NeuroBench's static and workload metrics (Yik et al., "The neurobench framework for benchmarking
// neuromorphic computing algorithms and systems", Nature Communications 16, 1545 (2025)) computed
// from a run's exact counters and the chip image, not estimated. The mapping of each definition
// onto the chip is in docs/estimate.md, "NeuroBench metrics".
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "lifchip/image.h"
#include "lifchip/mapper/ir.h"
#include "lifchip/run.pb.h"

namespace lifchip::flow {

struct NeuroBenchMetrics {
  uint64_t inferences = 0, steps_per_inference = 0;
  // Static.
  uint64_t footprint_bytes = 0;  // the image's load stream: every memory word the network needs
  uint64_t synapses = 0;         // synapse entries on the chip with a non-zero weight
  std::optional<uint64_t>
      dense_connections;  // sum over projections of source x target sizes (with the network)
  std::optional<double> connection_sparsity;  // 1 - synapses / dense_connections
  // Workload, per inference.
  uint64_t neurons = 0;            // chip neurons in the image
  double activation_sparsity = 0;  // 1 - spikes / (neurons x steps), over the whole run
  double effective_macs = 0;       // 0: every activation on the chip is a binary spike
  double effective_acs = 0;        // synaptic ops (weights accumulated on a spike)
  double dense_synops = 0;         // dense connections (else synapse entries) x steps
  std::string dense_basis;         // "network projections" | "chip synapse entries"
  double membrane_updates = 0;     // active neuron updates (the state changes)
  double neuron_ops_effective = 0,
         neuron_ops_dense = 0;  // x ops per update (snnTorch Synaptic: 8 zero, 6 subtract)
};

/// `steps_per_inference` 0: the whole run is one inference. `network` (optional) gives the dense
/// connection count for ConnectionSparsity and Dense SynOps. InputError when the run and the image
/// disagree (a core of the image without counters).
NeuroBenchMetrics neurobench(const pb::RunResult& run, const pb::ChipImage& image,
                             uint32_t steps_per_inference, const mapper::Network* network = nullptr);

nlohmann::json neurobench_json(const NeuroBenchMetrics& m);
/// A plain-text table, one metric a line, with its NeuroBench name.
std::string neurobench_text(const NeuroBenchMetrics& m);

}  // namespace lifchip::flow
