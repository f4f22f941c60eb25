// The mapper's internal stages after import: the quantised network (QNet) every later stage reads,
// and the partition, place and emit steps with their strategy registries. Not a public header.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "lifchip/image.h"
#include "lifchip/mapper/ir.h"
#include "lifchip/mapper/map.h"

namespace lifchip::mapper::detail {

// ---- time step (dt_rule.cpp) --------------------------------------------------------------------

/// The time step a mapping uses and why (docs/nir.md §5): the option, else Network::dt, else what
/// the producer's export convention implies, else 1 ms with `warning` set.
struct DtChoice {
  double dt = 1e-3;
  std::string rule;      // "dt = tau_mem / r = 0.001 s, the same in every LIF/CubaLIF neuron (...)"
  std::string producer;  // the convention the parameters match, e.g. "snnTorch (r = tau_mem/dt, ...)"
  std::string warning;   // non-empty when nothing implied a dt
};
DtChoice choose_dt(const Network& net, const std::optional<double>& option);

// ---- quantise (quantise.cpp) -------------------------------------------------------------------

/// A port or neuron population in the flat index spaces (inputs; chip neurons; outputs).
struct PopRange {
  PopulationId id = 0;
  std::string name;
  NeuronKind kind = NeuronKind::kLIF;
  uint32_t first = 0;  // flat index of its first element
  uint32_t size = 0;
};

/// The quantised network: chip integers per neuron and per synapse, independent of where the
/// neurons go. Sources are the network inputs [0, num_inputs) then the chip neurons
/// (num_inputs + neuron index).
struct QNet {
  double dt = 0;
  pb::ResetMode reset_mode = pb::RESET_ZERO;
  std::vector<PopRange> inputs, pops, outputs;
  uint32_t num_inputs = 0, num_neurons = 0, num_outputs = 0;

  // Per chip neuron.
  std::vector<uint32_t> profile;      // index into `profiles`
  std::vector<pb::Profile> profiles;  // distinct profiles of the whole network
  std::vector<int32_t> bias_mant, init_v;
  std::vector<uint32_t> pop_of;  // index into `pops`
  std::vector<uint8_t> to_host;  // 1 when the neuron feeds an output (one host fan-out entry)
  // Read-out neurons (LI, CubaLI; spec §2.6): the host reads v; float v = v * scale + offset.
  std::vector<uint8_t> readout;
  std::vector<double> readout_scale, readout_offset;

  // Synapses by source, targets ascending within a source: out_target[out_start[s] ..].
  std::vector<uint64_t> out_start;
  std::vector<uint32_t> out_target;
  std::vector<int8_t> out_weight;  // 8-bit mantissa
  std::vector<int8_t> out_exp;     // its group's weight exponent

  // Distinct sources per neuron (for axon counts), synapse entries per neuron, exponents used.
  std::vector<uint64_t> in_start;
  std::vector<uint32_t> in_source;
  std::vector<uint32_t> in_entries;
  std::vector<uint16_t> in_exp_mask;  // bit (exp + 8)

  // Outputs: value[o] = out_bias[o] + sum of weight * spike(neuron) (same step), where a read-out
  // neuron's term is weight * its float v instead.
  std::vector<std::vector<std::pair<uint32_t, double>>> out_terms;
  std::vector<double> out_bias;
  uint32_t latency = 0;

  std::vector<LayerQuant> layers;
  std::vector<std::string> notes;

  /// Per projection into a neuron population: its non-zero float weights and how many of them
  /// quantisation zeroed (mantissa 0, dropped) or clipped (mantissa saturated).
  struct ProjectionQuant {
    std::string name, source, target;
    uint64_t nonzero = 0, zeroed = 0, clipped = 0;
  };
  std::vector<ProjectionQuant> projections;

  uint32_t num_sources() const { return num_inputs + num_neurons; }
};

/// How each population's scale is chosen (docs/mapper.md §2, step 1). Headroom H is the range of u
/// and v in units of the population's largest threshold: lambda = 2^23 / (H * theta_max).
struct ScaleOptions {
  /// > 0: this headroom for every population (MapOptions::headroom). 0: calibrated when `peak` has
  /// the population, else kDefaultHeadroom.
  double headroom = 0;
  /// Per population id: the float reference's peak |u|, |v| and one step's |input| over sample
  /// stimuli, in units of the population's largest threshold (calibrate()); empty: not calibrated.
  std::vector<double> peak;
};
inline constexpr double kDefaultHeadroom = 32;     // u and v keep +-32 thresholds
inline constexpr double kRaisedHeadroomFloor = 8;  // small weights may trade headroom down to this
inline constexpr double kCalibrationMargin = 1.25;
inline constexpr double kHeadroomMin = 1, kHeadroomMax = 4096;  // vth >= 32 at the top
inline constexpr double kReadoutHeadroom = 2;  // read-outs: twice their hard bound on |v|

/// Docs: docs/mapper.md §2 (the quantisation contract). Throws InputError naming the population
/// and field for networks the chip cannot express.
QNet quantise(const Network& network, double dt, pb::ResetMode reset_mode, const ScaleOptions& scale = {});

/// The largest v_threshold - v_leak of a population (1 when none is positive): lambda's reference.
double largest_threshold(const Population& p);

/// Throws InputError naming `where`, the spike and the limit unless every spike addresses an input
/// below `num_inputs` and a step below `num_steps`, in (step, index) order without repeats.
void check_stimulus(const NetworkStimulus& stimulus, uint64_t num_inputs, const std::string& where);

/// The float reference (simulate_float's equations) run over `samples` (checked by the caller with
/// check_stimulus): `peak` per population id (0 for ports and silent populations) is the peak of
/// |u|, |v| and one step's |input| in units of the population's largest threshold (u is what the
/// chip adds to v each step, r * alpha_m * I); `spikes` counts every neuron spike of every sample.
struct Calibration {
  std::vector<double> peak;
  uint64_t spikes = 0;
};
Calibration calibrate(const Network& network, double dt, pb::ResetMode reset_mode,
                      const std::vector<NetworkStimulus>& samples);

/// Spikes of the quantised network, simulated directly with the chip's integer rules
/// (lifchip/arith.h) and timing, independent of partition and placement.
struct FixedRun {
  std::vector<uint64_t> source_spikes;               // per source: spikes over the run
  std::vector<std::vector<uint32_t>> neuron_spikes;  // [step] -> neurons that spiked, ascending
  std::vector<std::vector<int32_t>> readout_v;       // [step][neuron]: v after the step (read-outs only)
};
FixedRun simulate_fixed(const QNet& q, const NetworkStimulus& stimulus, uint32_t steps);

// ---- partition (partition.cpp, impl/partition_*.cpp) ------------------------------------------

struct Capacities {
  uint32_t neurons = 0, axons = 0, synapses = 0, fanout = 0, profiles = 0, groups = 0;
};

struct Partition {
  std::vector<uint32_t> core_of;  // per chip neuron
  uint32_t num_cores = 0;
};

/// Usage of every core of a partition, recomputed from scratch.
struct Usage {
  std::vector<CoreUsage> cores;  // x, y unset
  uint64_t host_channels = 0;
};
Usage partition_usage(const QNet& q, const Partition& p);

/// Multicast packets per step of a partition: per source, rate x (distinct destination cores +
/// host entry).
double partition_packets(const QNet& q, const Partition& p, const std::vector<double>& rates);

/// The first limit a partition breaks (empty when none), e.g. "core 3: synapse entries 17,412 >
/// 16,384", with the FitResult fields filled in.
bool check_partition(const QNet& q, const Partition& p, const Capacities& cap, FitResult& fit);

/// Contract of a partitioner: returns a partition where every core respects every capacity, or
/// throws InputError naming the population, the neuron and the limit a single neuron already
/// breaks on an empty core. Deterministic for (q, cap, rates, seed).
class Partitioner {
 public:
  virtual ~Partitioner() = default;
  virtual std::string name() const = 0;
  virtual Partition run(const QNet& q, const Capacities& cap, const std::vector<double>& rates,
                        uint64_t seed) const = 0;
};

class PartitionerRegistry {
 public:
  using Factory = std::function<std::unique_ptr<Partitioner>()>;
  static void add(const std::string& name, Factory f);
  static std::unique_ptr<Partitioner> create(const std::string& name);
  static std::vector<std::string> names();
};

/// A partition that cannot be completed: InputError with the fit figures of the limit that binds
/// (FitResult::binding_limit, where, needed, limit), so `fit` reports it like any other limit.
class PartitionError : public InputError {
 public:
  PartitionError(const std::string& message, std::string binding, std::string where_, uint64_t need,
                 uint64_t lim)
      : InputError(message),
        binding_limit(std::move(binding)),
        where(std::move(where_)),
        needed(need),
        limit(lim) {}
  std::string binding_limit, where;
  uint64_t needed = 0, limit = 0;
};

/// Fills cores one after the other with every per-core limit checked incrementally: the current
/// core's own limits and, because a neuron placed on an earlier core gains one fan-out entry for
/// every new core its targets land on, the fan-out tables of its sources' cores.
class Filler {
 public:
  Filler(const QNet& q, const Capacities& cap);
  bool can_add(uint32_t g) const { return check(g).ok; }
  /// Adds g to the current core; appends the sources that got a new axon there.
  void add(uint32_t g, std::vector<uint32_t>* new_sources = nullptr);
  void next_core();
  bool empty() const { return neurons_ == 0; }
  uint32_t core() const { return cur_; }
  /// Throws the PartitionError that says which limit blocks neuron g on an empty core: one of its
  /// own needs, or the full fan-out table of a source's (earlier) core.
  [[noreturn]] void fail(uint32_t g) const;
  Partition finish();
  Partition part;

 private:
  /// The first limit adding g to the current core would break (ok: none). `core` is the core whose
  /// table overflows (the current one or a source's), `source` the source neuron for a source core.
  struct Check {
    bool ok = true;
    const char* resource = "";  // "synapse entries", "axons", ...
    uint32_t core = 0, source = UINT32_MAX;
    uint64_t need = 0, limit = 0;
  };
  Check check(uint32_t g) const;

  const QNet& q_;
  Capacities cap_;
  std::vector<uint32_t> axon_stamp_, dest_count_, profile_stamp_;
  std::vector<uint64_t> fanout_;
  // Scratch of check(): new fan-out entries per core for the neuron being tried.
  mutable std::vector<uint32_t> fan_add_;
  mutable std::vector<uint32_t> fan_touched_;
  uint32_t cur_ = 0, neurons_ = 0, axons_ = 0, profiles_ = 0;
  uint64_t synapses_ = 0;
  uint16_t groups_ = 0;
};

/// In-order fill (the given order, else neuron order); shared by the strategies.
Partition greedy_fill(const QNet& q, const Capacities& cap, const std::vector<uint32_t>* order = nullptr);

// ---- place (place.cpp, impl/place_*.cpp) --------------------------------------------------------

/// Traffic between cores per step (rate-weighted packets), from the host and to the host.
struct Traffic {
  uint32_t num_cores = 0;
  std::vector<double> between;  // [a * num_cores + b]: packets a -> b
  std::vector<double> from_host, to_host;
};
Traffic core_traffic(const QNet& q, const Partition& p, const std::vector<double>& rates);

/// Slot of each core: y * W + x. Cost: packets x hops, with host packets entering and leaving at
/// router (0,0) (a host-bound packet also crosses the host link: one more hop).
double placement_cost(const Traffic& t, const std::vector<uint32_t>& slot, uint32_t width);

class Placer {
 public:
  virtual ~Placer() = default;
  virtual std::string name() const = 0;
  /// Returns one distinct slot in [0, width * height) per core.
  virtual std::vector<uint32_t> run(const Traffic& t, uint32_t width, uint32_t height,
                                    uint64_t seed) const = 0;
};

class PlacerRegistry {
 public:
  using Factory = std::function<std::unique_ptr<Placer>()>;
  static void add(const std::string& name, Factory f);
  static std::unique_ptr<Placer> create(const std::string& name);
  static std::vector<std::string> names();
};

// ---- route + emit (emit.cpp) -------------------------------------------------------------------

struct Emitted {
  pb::ChipImage image;
  InputBinding input;
  OutputBinding output;
  std::vector<uint32_t> neuron_core_index;  // per chip neuron: its index on its core
  std::vector<PopulationPlacement> placement;
};
Emitted emit_image(const QNet& q, const Partition& p, const std::vector<uint32_t>& slot,
                   const ChipShape& shape, const std::string& name, uint64_t seed);

/// Predicted packets and link traversals (LINK_NORTH..WEST counters) of a run whose sources spiked
/// `spikes[s]` times in total.
struct TrafficCount {
  double packets = 0, hops = 0;
};
TrafficCount predict_traffic(const QNet& q, const Partition& p, const std::vector<uint32_t>& slot,
                             uint32_t width, const std::vector<double>& spikes);

std::string group_digits(uint64_t v);

}  // namespace lifchip::mapper::detail
