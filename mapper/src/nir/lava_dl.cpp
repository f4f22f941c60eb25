// Lava-DL's netx -> NIR export, read Lava's way (docs/nir.md §5): the converter writes Loihi's CUBA
// decays as time constants tau = 1/decay (decay in 1/4096 per step), r = 1, w_in = tau_syn, and the
// chip's integer weights and vThMant, which under NIR's equations no dt reproduces. A network of that
// form is rewritten into NIR's equations at dt = 1 step, so that every later stage (quantise, the
// float reference) runs Lava's i <- (1 - d_i) i + x; v <- (1 - d_v) v + i.
#include <cmath>

#include "producers.h"

namespace lifchip::mapper::nir {
namespace {

// Loihi's decays are 12-bit fractions of 4096 (lava-dl slayer's neuron p_scale = 1 << 12).
constexpr double kDecayUnit = 4096;

// d as an integer decay 1..4096, or 0 when it is not one (to 1e-6 relative: float32 files).
double integer_decay(double d) {
  const double k = std::round(d);
  return k >= 1 && k <= kDecayUnit && std::abs(d - k) <= 1e-6 * k ? k : 0;
}

bool integer_threshold(double v) { return v >= 1 && v == std::floor(v); }

// Every neuron population CubaLIF and every neuron passing `ok`.
template <typename Ok>
bool all_cuba(const Network& net, Ok ok) {
  bool any = false;
  for (PopulationId v : net.populations()) {
    const Population& p = net.population(v);
    if (p.kind == NeuronKind::kInput || p.kind == NeuronKind::kOutput) continue;
    if (p.kind != NeuronKind::kCubaLIF) return false;
    any = true;
    for (std::size_t i = 0; i < p.size; ++i)
      if (!ok(p.params, i)) return false;
  }
  return any;
}

}  // namespace

bool read_lava_dl(Network& net, ReportSection& report) {
  // As the converter writes it: tau_syn = 1/iDecay, tau_mem = 1/vDecay, r = 1, v_leak = 0,
  // v_threshold = vThMant, w_in = tau_syn (and no v_reset: 0).
  const bool lava = all_cuba(net, [](const NeuronParams& q, std::size_t i) {
    return q.r[i] == 1 && q.v_leak[i] == 0 && q.v_reset[i] == 0 && q.w_in[i] == q.tau_syn[i] &&
           integer_decay(1 / q.tau_syn[i]) > 0 && integer_decay(1 / q.tau_mem[i]) > 0 &&
           integer_threshold(q.v_threshold[i]);
  });
  if (!lava || net.dt) return false;
  for (PopulationId v : net.populations()) {
    Population& p = net.population(v);
    if (p.kind != NeuronKind::kCubaLIF) continue;
    NeuronParams& q = p.params;
    for (std::size_t i = 0; i < p.size; ++i) {
      // At dt = 1: dt/tau' = decay/4096, and w_in' dt/tau_syn' = r' dt/tau_mem' = 1, so x enters i
      // and i enters v unscaled, as in Lava.
      q.tau_syn[i] = kDecayUnit / integer_decay(1 / q.tau_syn[i]);
      q.tau_mem[i] = kDecayUnit / integer_decay(1 / q.tau_mem[i]);
      q.w_in[i] = q.tau_syn[i];
      q.r[i] = q.tau_mem[i];
    }
  }
  net.dt = 1.0;
  report.note(
      "Lava-DL netx convention (every neuron CubaLIF with r = 1, w_in = tau_syn, 1/tau an integer decay "
      "1..4096, an integer threshold): read Lava's way at one step per time unit: tau := 4096 tau, "
      "w_in := tau_syn, r := tau_mem; weights and thresholds as written");
  return true;
}

std::optional<ProducerReading> producer_reading(const Network& net) {
  const bool lava = net.dt && *net.dt == 1.0 && all_cuba(net, [](const NeuronParams& q, std::size_t i) {
                      return q.r[i] == q.tau_mem[i] && q.w_in[i] == q.tau_syn[i] && q.v_leak[i] == 0 &&
                             q.v_reset[i] == 0 && integer_decay(kDecayUnit / q.tau_syn[i]) > 0 &&
                             integer_decay(kDecayUnit / q.tau_mem[i]) > 0 &&
                             integer_threshold(q.v_threshold[i]);
                    });
  if (!lava) return std::nullopt;
  return ProducerReading{
      "Lava-DL netx (tau = 1/decay, decay in 1/4096 per step; r = 1, w_in = tau_syn; chip-integer weights)",
      "dt = 1 s, one Loihi step: Lava-DL's netx export read Lava's way (i <- (1 - iDecay/4096) i + x, "
      "v <- (1 - vDecay/4096) v + i)"};
}

}  // namespace lifchip::mapper::nir
