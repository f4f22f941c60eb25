// The time step of a mapping: the option, else the network's own dt, else what the producer's
// export convention implies (NIR is continuous time; docs/nir.md §5 lists the conventions), else
// 1 ms with a warning. Also names the producer convention the parameters match (or, for Lava-DL,
// the one the importer read them by: producers.h).
#include <algorithm>
#include <cmath>
#include <sstream>

#include "../stages.h"
#include "producers.h"

namespace lifchip::mapper::detail {
namespace {

std::string seconds(double v) {
  std::ostringstream os;
  os.precision(6);
  os << v << " s";
  return os.str();
}

bool is_one(double v) { return v == 1.0; }

// Relative agreement of two positive time steps computed from float32 exports (snnTorch divides in
// float32: about 1e-7 apart; 1e-4 leaves room and still tells 1e-4 from 1.0001e-4 apart).
bool same_dt(double a, double b) { return std::abs(a - b) <= 1e-4 * std::max(a, b); }

// Rockpool's export writes r = tau exp(-dt/tau) / dt, so c = tau / r = dt exp(dt/tau): dt solves
// that equation. Newton's method from dt = c (f(c) >= 0, f convex and increasing for dt > 0) descends
// monotonically onto the root.
double rockpool_dt(double tau, double c) {
  double dt = c;
  for (int i = 0; i < 60; ++i) {
    const double e = std::exp(dt / tau);
    const double next = dt - (dt * e - c) / (e * (1 + dt / tau));
    if (!(next > 0) || next == dt) break;
    dt = next;
  }
  return dt;
}

struct Detection {
  std::optional<double> dt;
  std::string rule, producer, why_not;
};

Detection detect(const Network& net) {
  Detection d;
  std::vector<const Population*> lif, all;  // LIF and CubaLIF; every neuron population
  bool has_if = false, has_cuba = false, has_li = false, all_r_one = true, all_w_in_one = true;
  double tau_min = INFINITY;
  for (PopulationId v : net.populations()) {
    const Population& p = net.population(v);
    if (p.kind == NeuronKind::kInput || p.kind == NeuronKind::kOutput) continue;
    all.push_back(&p);
    has_if |= p.kind == NeuronKind::kIF;
    has_cuba |= p.kind == NeuronKind::kCubaLIF;
    has_li |= is_readout(p.kind);
    if (p.kind == NeuronKind::kLIF || p.kind == NeuronKind::kCubaLIF) lif.push_back(&p);
    all_r_one &= std::all_of(p.params.r.begin(), p.params.r.end(), is_one);
    all_w_in_one &= std::all_of(p.params.w_in.begin(), p.params.w_in.end(), is_one);
    for (double t : p.params.tau_mem) tau_min = std::min(tau_min, t);
    for (double t : p.params.tau_syn) tau_min = std::min(tau_min, t);
  }
  if (all.empty()) {
    d.why_not = "the network has no neuron population";
    return d;
  }

  // snnTorch: r = tau_mem / dt (and w_in = tau_syn / dt for CubaLIF) in every LIF/CubaLIF neuron; a
  // neuron trained with beta = 0 has tau_mem = dt and so r = 1, which the same ratio covers.
  if (!lif.empty() && !has_if && !has_li && !all_r_one) {
    std::optional<double> dt;
    std::string first, conflict;
    for (const Population* p : lif)
      for (std::size_t i = 0; i < p->params.r.size() && conflict.empty(); ++i) {
        const double c = p->params.tau_mem[i] / p->params.r[i];
        if (!dt) {
          dt = c;
          first = "'" + p->name + "' neuron " + std::to_string(i);
        } else if (!same_dt(*dt, c)) {
          conflict = "tau_mem / r is " + seconds(*dt) + " in " + first + " but " + seconds(c) + " in '" +
                     p->name + "' neuron " + std::to_string(i);
        }
        // w_in = tau_syn / dt; w_in = 1 only for a synapse trained with alpha = 0 (tau_syn = dt).
        if (p->kind == NeuronKind::kCubaLIF && conflict.empty()) {
          const double s = p->params.tau_syn[i] / p->params.w_in[i];
          if (!same_dt(*dt, s))
            conflict = "tau_syn / w_in is " + seconds(s) + " in '" + p->name + "' neuron " +
                       std::to_string(i) + " but tau_mem / r is " + seconds(*dt);
        }
      }
    if (conflict.empty()) {
      d.dt = *dt;
      d.producer = "snnTorch (r = tau_mem/dt, w_in = tau_syn/dt)";
      d.rule = "dt = tau_mem / r = " + seconds(*dt) +
               ", the same in every LIF/CubaLIF neuron (snnTorch's export writes r = tau_mem/dt)";
      return d;
    }
    // Rockpool: LIFTorch -> CubaLIF and LIFNeuronTorch -> LIF with r = tau_mem exp(-dt/tau_mem) / dt
    // and no w_in (1): one dt solves that in every neuron.
    if (all_w_in_one) {
      std::optional<double> rdt;
      std::string rfirst, rconflict;
      for (const Population* p : lif)
        for (std::size_t i = 0; i < p->params.r.size() && rconflict.empty(); ++i) {
          const double c = rockpool_dt(p->params.tau_mem[i], p->params.tau_mem[i] / p->params.r[i]);
          if (!rdt) {
            rdt = c;
            rfirst = "'" + p->name + "' neuron " + std::to_string(i);
          } else if (!same_dt(*rdt, c)) {
            rconflict = "dt from r = tau_mem exp(-dt/tau_mem) / dt is " + seconds(*rdt) + " in " + rfirst +
                        " but " + seconds(c) + " in '" + p->name + "' neuron " + std::to_string(i);
          }
        }
      if (rconflict.empty()) {
        d.dt = *rdt;
        d.producer = "Rockpool (r = tau_mem exp(-dt/tau_mem)/dt, w_in = 1)";
        d.rule = "dt = " + seconds(*rdt) +
                 " solves r = tau_mem exp(-dt/tau_mem) / dt in every LIF/CubaLIF neuron (Rockpool's export)";
        return d;
      }
    }
    d.producer = "unknown (r != 1, but tau_mem / r is not one time step)";
    d.why_not = conflict;
    return d;
  }

  if (all_r_one && !has_cuba && tau_min >= 1.0) {
    // Sinabs: LIF/ExpLeak time constants in steps (alpha = exp(-1/tau)) and IAF with r = 1, so one
    // step is one time unit. An IF-only network (tau_min stays infinite) integrates v <- v + r x dt,
    // Sinabs' v <- v + x for dt = 1.
    const bool if_only = lif.empty() && !has_li;
    d.dt = 1.0;
    d.producer =
        if_only ? "Sinabs (IF with r = 1: v <- v + x per step)" : "Sinabs (r = 1, time constants in steps)";
    d.rule = if_only ? "dt = 1 / r = 1 s: an IF-only network with r = 1 integrates v <- v + x per step"
                     : "dt = 1 s: r = 1 and every time constant is >= 1, i.e. counted in steps";
    return d;
  }
  if (all_r_one && all_w_in_one) {
    d.producer = "Norse or another r = 1 export (r = 1, w_in = 1, time constants in seconds)";
    d.why_not = "r = 1 and w_in = 1 in every neuron: the file does not say its time step";
    return d;
  }
  d.producer = "unknown";
  d.why_not = "r and w_in follow no known export convention (docs/nir.md §5)";
  return d;
}

}  // namespace

DtChoice choose_dt(const Network& net, const std::optional<double>& option) {
  const Detection d = detect(net);
  DtChoice c;
  // A network whose importer read its parameters by the producer's own convention says so.
  const std::optional<nir::ProducerReading> read = nir::producer_reading(net);
  c.producer = read ? read->producer : net.dt ? "lifchip network format (dt stated)" : d.producer;
  if (option) {
    c.dt = *option;
    c.rule = "dt = " + seconds(*option) + " (given)";
    return c;
  }
  if (net.dt) {
    c.dt = *net.dt;
    c.rule = read ? read->rule : "dt = " + seconds(*net.dt) + ", the network's own dt";
    return c;
  }
  if (d.dt) {
    c.dt = *d.dt;
    c.rule = d.rule;
    return c;
  }
  c.dt = 1e-3;
  c.rule = "dt = 1 ms, the fallback: nothing in the network implies a time step";
  c.warning = "cannot infer dt: " + d.why_not + "; 1 ms assumed — pass --dt SECONDS";
  return c;
}

}  // namespace lifchip::mapper::detail
