// The quantise step: float, continuous-time populations and weights to the chip's integers
// (decays, thresholds, biases, 8-bit weight mantissas with a per-group exponent), following the
// written contract of docs/mapper.md §2, plus its per-layer error report.
#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <map>
#include <sstream>
#include <tuple>

#include "lifchip/arith.h"
#include "lifchip/chip_constants.h"
#include "stages.h"

namespace lifchip::mapper::detail {
namespace {

namespace s = lifchip::spec;

constexpr int32_t kWeightMax = (1 << (s::WEIGHT_BITS - 1)) - 1;  // 127
constexpr int32_t kWeightMin = -(1 << (s::WEIGHT_BITS - 1));
constexpr int32_t kBiasMax = (1 << (s::BIAS_MANT_BITS - 1)) - 1;  // 4095
constexpr int32_t kBiasMin = -(1 << (s::BIAS_MANT_BITS - 1));
constexpr int64_t kVthMax = (int64_t{1} << s::VTH_BITS) - 1;
// u and v span (-2^23, 2^23): a headroom of H thresholds puts the largest threshold at 2^23 / H.
constexpr double kRange = double(1 << 23);
// The largest magnitude that still rounds into the mantissa (127.5 would round to 128).
constexpr double kMantTop = kWeightMax + 0.49;

std::string fmt(double v) {
  std::ostringstream os;
  os.precision(6);
  os << v;
  return os.str();
}

// Rounding of every quantity: to nearest, halves away from zero (std::lround), then clamped.
int64_t round_clamp(double x, int64_t lo, int64_t hi, bool* clamped = nullptr) {
  const double r = std::round(x);
  if (r < double(lo) || r > double(hi) || !std::isfinite(r)) {
    if (clamped) *clamped = true;
    return r < double(lo) ? lo : hi;
  }
  return static_cast<int64_t>(r);
}

// Per target neuron: the chip units a float weight of 1 becomes in a_in (before << 6).
double weight_gain(const Population& p, uint32_t i, double dt, double lambda) {
  const NeuronParams& q = p.params;
  switch (p.kind) {
    case NeuronKind::kCubaLIF:
    case NeuronKind::kCubaLI: {
      const double am = std::min(1.0, dt / q.tau_mem[i]), as = std::min(1.0, dt / q.tau_syn[i]);
      return lambda * am * q.r[i] * as * q.w_in[i] / double(1 << s::INPUT_SHIFT);
    }
    case NeuronKind::kLIF:
    case NeuronKind::kLI:
      return lambda * std::min(1.0, dt / q.tau_mem[i]) * q.r[i] / double(1 << s::INPUT_SHIFT);
    case NeuronKind::kIF:
      return lambda * dt * q.r[i] / double(1 << s::INPUT_SHIFT);
    default:
      return 0;
  }
}

// The same gain for the constant input (bias) which the chip adds to v directly (<< 0).
double bias_gain(const Population& p, uint32_t i, double dt, double lambda) {
  const NeuronParams& q = p.params;
  switch (p.kind) {
    case NeuronKind::kCubaLIF:
    case NeuronKind::kCubaLI:
      return lambda * std::min(1.0, dt / q.tau_mem[i]) * q.r[i] * q.w_in[i];
    case NeuronKind::kLIF:
    case NeuronKind::kLI:
      return lambda * std::min(1.0, dt / q.tau_mem[i]) * q.r[i];
    case NeuronKind::kIF:
      return lambda * dt * q.r[i];
    default:
      return 0;
  }
}

double v_leak_of(const Population& p, uint32_t i) {
  return p.params.v_leak.empty() ? 0.0 : p.params.v_leak[i];
}

// The largest |v| (float units, relative to v_leak) a read-out neuron of population `id` can reach:
// v relaxes toward r x I, and I (LI: the input sum; CubaLI: relaxing toward w_in x the input sum)
// never exceeds every input at once plus the bias, so |v| <= r x w_in x (sum |w| + |bias|), or
// |v_leak| where it starts. 1 when everything is 0.
double readout_bound(const Network& net, PopulationId id, const std::vector<ProjectionId>& in) {
  const Population& p = net.population(id);
  std::vector<double> sum(p.size, 0.0);
  for (ProjectionId e : in)
    for (const Synapse& syn : net.graph[e].synapses) sum[syn.post] += std::abs(double(syn.weight));
  double b = 0;
  for (uint32_t i = 0; i < p.size; ++i) {
    const double w_in = has_current(p.kind) ? std::abs(p.params.w_in[i]) : 1.0;
    b = std::max({b, std::abs(p.params.r[i]) * w_in * (sum[i] + std::abs(p.params.input_bias[i])),
                  std::abs(v_leak_of(p, i))});
  }
  return b > 0 ? b : 1.0;
}

// The smallest power of two >= x (x > 0).
double pow2_ceil(double x) { return std::exp2(std::ceil(std::log2(x))); }

}  // namespace

double largest_threshold(const Population& p) {
  if (p.params.v_threshold.empty()) return 1.0;  // a read-out: no threshold (its scale: readout_bound)
  double theta_max = 0;
  for (uint32_t i = 0; i < p.size; ++i)
    theta_max = std::max(theta_max, p.params.v_threshold[i] - v_leak_of(p, i));
  return theta_max > 0 ? theta_max : 1.0;
}

QNet quantise(const Network& net, double dt, pb::ResetMode reset_mode, const ScaleOptions& scale) {
  if (!(dt > 0) || !std::isfinite(dt))
    throw InputError("option 'dt': " + fmt(dt) + " s is not a positive time step");
  QNet q;
  q.dt = dt;
  q.reset_mode = reset_mode;
  const std::vector<PopulationId> all = net.populations();
  std::vector<int64_t> flat(all.size(), -1);  // population -> its flat offset in its space
  for (PopulationId v : all) {
    const Population& p = net.population(v);
    PopRange r{v, p.name, p.kind, 0, p.size};
    if (p.kind == NeuronKind::kInput) {
      r.first = q.num_inputs;
      q.num_inputs += p.size;
      q.inputs.push_back(r);
    } else if (p.kind == NeuronKind::kOutput) {
      r.first = q.num_outputs;
      q.num_outputs += p.size;
      q.outputs.push_back(r);
    } else {
      if (uint64_t{q.num_neurons} + p.size > (uint64_t{1} << 31))
        throw InputError("population '" + p.name + "': network has more than 2^31 neurons");
      r.first = q.num_neurons;
      q.num_neurons += p.size;
      q.pops.push_back(r);
    }
    flat[v] = r.first;
  }
  if (q.num_neurons == 0) throw InputError("network: no neuron population to map");
  if (scale.headroom != 0 && !(scale.headroom >= kHeadroomMin && scale.headroom <= kHeadroomMax))
    throw InputError("option 'headroom': " + fmt(scale.headroom) + " thresholds is outside " +
                     fmt(kHeadroomMin) + " ... " + fmt(kHeadroomMax));

  // ---- the scale lambda per population: thresholds first, then the weights' range ----
  std::vector<double> lambda(all.size(), 0.0);
  std::vector<std::vector<ProjectionId>> incoming(all.size());
  for (ProjectionId e : net.projections()) incoming[boost::target(e, net.graph)].push_back(e);
  q.layers.resize(q.pops.size());
  for (std::size_t k = 0; k < q.pops.size(); ++k) {
    const Population& p = net.population(q.pops[k].id);
    const bool readout = is_readout(p.kind);
    // A read-out has no threshold: its reference is the largest |v| it can reach (readout_bound).
    const double theta_max = readout ? readout_bound(net, q.pops[k].id, incoming[q.pops[k].id]) : largest_threshold(p);
    // Headroom: given, calibrated on samples, or the default; and how far small weights may raise
    // the scale (trading headroom for mantissa bits): never below a given or calibrated headroom.
    LayerQuant& L = q.layers[k];
    const PopulationId id = q.pops[k].id;
    const bool calibrated = !readout && scale.headroom == 0 && id < scale.peak.size();
    double headroom = kDefaultHeadroom, floor = kRaisedHeadroomFloor;
    if (readout) {
      // The bound is hard (|v| never exceeds it), so 2x covers rounding; raising the scale for
      // small weights would let v saturate, so it stays.
      headroom = floor = kReadoutHeadroom;
      L.notes.push_back("read-out (never spikes; the host reads v every step): scale from |v| <= " +
                        fmt(theta_max) + " (r x (w_in x sum|w| + |bias|)), " + fmt(kReadoutHeadroom) +
                        "x headroom");
    } else if (scale.headroom > 0) {
      headroom = floor = scale.headroom;
    } else if (calibrated) {
      L.calibrated_peak = scale.peak[id];
      headroom = floor = std::max(2.0, pow2_ceil(std::max(1e-9, kCalibrationMargin * scale.peak[id])));
      headroom = floor = std::min(headroom, kHeadroomMax);
    }
    double lam = kRange / (headroom * theta_max);
    double w_max = 0;  // largest |gain x weight| at lam
    for (ProjectionId e : incoming[id])
      for (const Synapse& syn : net.graph[e].synapses)
        w_max = std::max(w_max, std::abs(weight_gain(p, syn.post, dt, lam) * double(syn.weight)));
    const double w_top = kMantTop * double(1 << s::WEIGHT_EXP_MAX);
    // The scale moves in powers of two, so weights trained on the chip's grid (m * 2^e) stay exact.
    if (w_max > w_top) {
      const double down = pow2_ceil(w_max / w_top);  // the weights need a larger range than exponent 7 gives
      lam /= down;
      L.notes.push_back("weights larger than the threshold allows: scale lowered by " + fmt(down) +
                        "x (headroom " + fmt(kRange / (lam * theta_max)) + " thresholds)");
    } else if (w_max > 0 && w_max < kMantTop) {
      // Small weights would use few mantissa bits: raise the scale, keeping at least `floor`
      // thresholds of headroom and vth within 17 bits.
      const double up = std::exp2(std::floor(std::log2(
          std::min({kMantTop / w_max, headroom / floor, double(kVthMax) * 64.0 / (lam * theta_max)}))));
      if (up > 1) {
        lam *= up;
        L.notes.push_back("small weights: scale raised by " + fmt(up) + "x for mantissa bits (headroom " +
                          fmt(kRange / (lam * theta_max)) + " thresholds)");
      } else if (w_max < 0.5 * kMantTop) {
        L.notes.push_back("small weights use " + fmt(std::log2(2 * w_max)) +
                          " mantissa bits (the headroom keeps the scale from rising)");
      }
    }
    L.headroom = kRange / (lam * theta_max);
    if (calibrated && scale.peak[id] * kCalibrationMargin > L.headroom)
      L.notes.push_back("calibrated peak " + fmt(scale.peak[id]) + " thresholds exceeds the headroom " +
                        fmt(L.headroom) + ": u may wrap and v saturate");
    lambda[q.pops[k].id] = lam;
  }

  // ---- per neuron: profile, bias, initial v ----
  q.profile.resize(q.num_neurons);
  q.bias_mant.resize(q.num_neurons);
  q.init_v.resize(q.num_neurons);
  q.pop_of.resize(q.num_neurons);
  q.to_host.assign(q.num_neurons, 0);
  std::map<std::tuple<uint32_t, uint32_t, uint32_t, int32_t, bool>, uint32_t> profile_ids;
  q.readout.assign(q.num_neurons, 0);
  q.readout_scale.assign(q.num_neurons, 0.0);
  q.readout_offset.assign(q.num_neurons, 0.0);
  for (std::size_t k = 0; k < q.pops.size(); ++k) {
    const Population& p = net.population(q.pops[k].id);
    const double lam = lambda[q.pops[k].id];
    LayerQuant& L = q.layers[k];
    L.population = p.name;
    L.kind = kind_name(p.kind);
    L.size = p.size;
    L.scale = lam;
    // One bias exponent per population: the smallest >= 0 that holds the largest bias.
    double b_max = 0;
    for (uint32_t i = 0; i < p.size; ++i)
      b_max = std::max(b_max, std::abs(bias_gain(p, i, dt, lam) * p.params.input_bias[i]));
    int32_t bias_exp = 0;
    while (bias_exp < s::BIAS_EXP_MAX && b_max / double(1 << bias_exp) > kBiasMax + 0.5) ++bias_exp;
    const bool readout = is_readout(p.kind);
    uint64_t reset_moved = 0, cuba_bias = 0, frozen = 0;
    std::map<uint32_t, uint64_t> du_hist, dv_hist;
    for (uint32_t i = 0; i < p.size; ++i) {
      const uint32_t g = q.pops[k].first + i;
      q.pop_of[g] = static_cast<uint32_t>(k);
      if (readout) {
        q.readout[g] = 1;
        q.readout_scale[g] = 1.0 / lam;  // chip v -> float v relative to v_leak
        q.readout_offset[g] = v_leak_of(p, i);
      }
      uint32_t du = 4095, dv = 0;
      if (has_current(p.kind)) {
        const double as = dt / p.params.tau_syn[i];
        du = static_cast<uint32_t>(round_clamp(as * s::DECAY_ONE, 1, s::DECAY_ONE) - 1);
        const double tau_real = dt * s::DECAY_ONE / double(du + 1);
        L.tau_syn_error =
            std::max(L.tau_syn_error, std::abs(tau_real - p.params.tau_syn[i]) / p.params.tau_syn[i]);
      }
      if (!p.params.tau_mem.empty()) {  // LIF, CubaLIF, LI, CubaLI
        const double am = dt / p.params.tau_mem[i];
        dv = static_cast<uint32_t>(round_clamp(am * s::DECAY_ONE, 0, s::DECAY_ONE - 1));
        if (readout && dv == 0) ++frozen;
        const double tau_real =
            dv == 0 ? std::numeric_limits<double>::infinity() : dt * s::DECAY_ONE / double(dv);
        L.tau_mem_error =
            std::max(L.tau_mem_error, std::abs(tau_real - p.params.tau_mem[i]) / p.params.tau_mem[i]);
      }
      ++du_hist[du];
      ++dv_hist[dv];
      const double theta = readout ? 0.0 : p.params.v_threshold[i] - v_leak_of(p, i);
      bool sat = false;
      const int64_t vth = readout ? 0 : round_clamp(lam * theta / 64.0, 0, kVthMax, &sat);
      if (sat) ++L.threshold_saturated;
      if (theta != 0)
        L.threshold_error =
            std::max(L.threshold_error, std::abs(double(vth) * 64.0 / lam - theta) / std::abs(theta));
      const double beta = bias_gain(p, i, dt, lam) * p.params.input_bias[i];
      if (beta != 0 && has_current(p.kind)) ++cuba_bias;
      bool bsat = false;
      q.bias_mant[g] =
          static_cast<int32_t>(round_clamp(beta / double(1 << bias_exp), kBiasMin, kBiasMax, &bsat));
      if (bsat) ++L.bias_saturated;
      // The chip's v is relative to v_leak (it decays toward 0 and resets to 0): start at -v_leak.
      q.init_v[g] = static_cast<int32_t>(round_clamp(-lam * v_leak_of(p, i), -arith::kVMax, arith::kVMax));
      if (!readout && reset_mode == pb::RESET_ZERO && p.params.v_reset[i] != v_leak_of(p, i)) ++reset_moved;
      const auto key = std::make_tuple(du, dv, static_cast<uint32_t>(vth), bias_exp, readout);
      auto it = profile_ids.find(key);
      if (it == profile_ids.end()) {
        pb::Profile pr;
        pr.set_du(du);
        pr.set_dv(dv);
        pr.set_vth(static_cast<uint32_t>(vth));
        pr.set_bias_exp(bias_exp);
        pr.set_reset_mode(reset_mode);
        pr.set_readout(readout);
        it = profile_ids.emplace(key, static_cast<uint32_t>(q.profiles.size())).first;
        q.profiles.push_back(pr);
      }
      q.profile[g] = it->second;
    }
    auto most = [](const std::map<uint32_t, uint64_t>& h) {
      return std::max_element(h.begin(), h.end(), [](auto& a, auto& b) { return a.second < b.second; })
          ->first;
    };
    L.du = most(du_hist);
    L.dv = most(dv_hist);
    if (reset_moved)
      L.notes.push_back(std::to_string(reset_moved) +
                        " neurons have v_reset != v_leak: the chip resets v to v_leak");
    if (reset_mode == pb::RESET_SUBTRACT && !readout) L.notes.push_back("reset by subtraction: v_reset ignored");
    if (frozen)
      L.notes.push_back(std::to_string(frozen) + " read-out neurons have tau_mem >= 8192 dt: v does not decay on "
                        "the chip (dv 0) and may saturate");
    if (cuba_bias)
      L.notes.push_back(
          std::to_string(cuba_bias) +
          " CubaLIF biases enter v directly at their steady-state value (the chip has no current bias)");
    if (L.threshold_saturated)
      L.notes.push_back(std::to_string(L.threshold_saturated) + " thresholds clamped to vth 131,071");
    if (L.bias_saturated) L.notes.push_back(std::to_string(L.bias_saturated) + " bias mantissas saturated");
  }

  // ---- synapses: each synapse entry gets the smallest exponent that holds its weight (the
  // exponents 0 ... 7 are the core's synapse groups, so any mix of them fits a core's 8 groups), so
  // a small weight keeps its mantissa bits instead of sharing the exponent of the largest weight
  // into its neuron — finer than Rockpool's per-output-channel scales (channel_quantize), at no
  // cost in synapse memory. The per-projection exponent of earlier versions is still computed for
  // the report's "before" figures. ----
  std::vector<uint64_t> count(q.num_sources() + 1, 0);
  std::vector<double> sig(q.pops.size(), 0), noise(q.pops.size(), 0), noise_proj(q.pops.size(), 0);
  std::vector<std::map<int32_t, uint64_t>> exp_hist(q.pops.size());
  auto exponent_for = [](double w_max) {
    int32_t exp = 0;
    while (exp < s::WEIGHT_EXP_MAX && w_max / double(1 << exp) > kMantTop) ++exp;
    return exp;
  };
  struct Quantised {
    ProjectionId e;
    int32_t exp;  // per projection (the report's comparison)
  };
  std::vector<Quantised> qproj;
  std::vector<int64_t> pop_index(all.size(), -1);
  for (std::size_t k = 0; k < q.pops.size(); ++k) pop_index[q.pops[k].id] = static_cast<int64_t>(k);
  q.out_terms.resize(q.num_outputs);
  q.out_bias.assign(q.num_outputs, 0.0);
  for (const PopRange& o : q.outputs) {
    const Population& p = net.population(o.id);
    for (uint32_t i = 0; i < o.size; ++i) q.out_bias[o.first + i] = p.params.input_bias[i];
  }
  for (ProjectionId e : net.projections()) {
    const PopulationId src = boost::source(e, net.graph), dst = boost::target(e, net.graph);
    const Population& sp = net.population(src);
    const Population& tp = net.population(dst);
    const Projection& pr = net.graph[e];
    if (tp.kind == NeuronKind::kOutput) {
      if (sp.kind == NeuronKind::kInput)
        throw InputError("output '" + tp.name + "': fed directly by input '" + sp.name + "' (projection '" +
                         pr.name + "'): the chip can only output spikes of its neurons");
      for (const Synapse& syn : pr.synapses) {
        const uint32_t g = static_cast<uint32_t>(flat[src]) + syn.pre;
        if (!is_readout(sp.kind)) q.to_host[g] = 1;  // a read-out's v is read, it sends nothing
        q.out_terms[flat[dst] + syn.post].emplace_back(g, double(syn.weight));
      }
      continue;
    }
    const double lam = lambda[dst];
    double w_max = 0;
    for (const Synapse& syn : pr.synapses)
      w_max = std::max(w_max, std::abs(weight_gain(tp, syn.post, dt, lam) * double(syn.weight)));
    Quantised qp{e, exponent_for(w_max)};
    qproj.push_back(std::move(qp));
    const uint32_t src_base = sp.kind == NeuronKind::kInput ? 0 : q.num_inputs;
    for (const Synapse& syn : pr.synapses) ++count[src_base + flat[src] + syn.pre + 1];
  }
  for (std::size_t s = 1; s < count.size(); ++s) count[s] += count[s - 1];
  q.out_start = count;
  q.out_target.resize(count.back());
  q.out_weight.resize(count.back());
  q.out_exp.resize(count.back());
  std::vector<uint64_t> fill(count.begin(), count.end() - 1);
  for (const Quantised& qp : qproj) {
    const PopulationId src = boost::source(qp.e, net.graph), dst = boost::target(qp.e, net.graph);
    const Population& sp = net.population(src);
    const Population& tp = net.population(dst);
    const std::size_t k = static_cast<std::size_t>(pop_index[dst]);
    LayerQuant& L = q.layers[k];
    const double lam = lambda[dst];
    const double unit_proj = double(1 << qp.exp);
    const uint32_t src_base = sp.kind == NeuronKind::kInput ? 0 : q.num_inputs;
    QNet::ProjectionQuant pq;
    pq.name = net.graph[qp.e].name;
    pq.source = sp.name;
    pq.target = tp.name;
    for (const Synapse& syn : net.graph[qp.e].synapses) {
      const double w = weight_gain(tp, syn.post, dt, lam) * double(syn.weight);
      const int32_t exp = exponent_for(std::abs(w));
      ++exp_hist[k][exp];
      const double unit = double(1 << exp);
      bool clip = false;
      const int64_t m = round_clamp(w / unit, kWeightMin, kWeightMax, &clip);
      if (clip) ++L.weights_clipped, ++pq.clipped;
      if (m == 0 && syn.weight != 0) ++L.weights_zeroed, ++pq.zeroed;
      if (syn.weight != 0) ++pq.nonzero;
      sig[k] += w * w;
      const double err = w - double(m) * unit;
      noise[k] += err * err;
      bool clip_proj = false;  // the same weight under the projection's one exponent
      const int64_t mp = round_clamp(w / unit_proj, kWeightMin, kWeightMax, &clip_proj);
      if (mp == 0 && syn.weight != 0) ++L.weights_zeroed_per_projection;
      const double err_proj = w - double(mp) * unit_proj;
      noise_proj[k] += err_proj * err_proj;
      ++L.synapses;
      const uint64_t at = fill[src_base + flat[src] + syn.pre]++;
      q.out_target[at] = static_cast<uint32_t>(flat[dst]) + syn.post;
      q.out_weight[at] = static_cast<int8_t>(m);
      q.out_exp[at] = static_cast<int8_t>(exp);
    }
    q.projections.push_back(std::move(pq));
  }
  for (std::size_t k = 0; k < q.pops.size(); ++k) {
    LayerQuant& L = q.layers[k];
    L.weight_sqnr_db =
        noise[k] == 0 ? std::numeric_limits<double>::infinity() : 10 * std::log10(sig[k] / noise[k]);
    L.weight_sqnr_per_projection_db = noise_proj[k] == 0 ? std::numeric_limits<double>::infinity()
                                                          : 10 * std::log10(sig[k] / noise_proj[k]);
    if (!exp_hist[k].empty())
      L.weight_exp = std::max_element(exp_hist[k].begin(), exp_hist[k].end(), [](auto& a, auto& b) {
                       return a.second < b.second;
                     })->first;
    if (L.weights_zeroed != L.weights_zeroed_per_projection ||
        std::abs(L.weight_sqnr_db - L.weight_sqnr_per_projection_db) > 0.05) {
      std::ostringstream os;
      os.setf(std::ios::fixed);
      os.precision(1);
      os << "per-synapse weight exponents: SQNR " << L.weight_sqnr_db << " dB, " << L.weights_zeroed
         << " weights zeroed (one exponent per projection: " << L.weight_sqnr_per_projection_db << " dB, "
         << L.weights_zeroed_per_projection << " zeroed)";
      L.notes.push_back(os.str());
    }
    if (L.weights_clipped)
      L.notes.push_back(std::to_string(L.weights_clipped) + " weights clipped to the 8-bit mantissa");
    if (L.weights_zeroed)
      L.notes.push_back(std::to_string(L.weights_zeroed) + " non-zero weights rounded to 0 (dropped)");
  }
  // A synapse whose mantissa is 0 adds nothing on the chip but would cost a synapse entry, maybe
  // an axon and a fan-out packet, and a synaptic op per spike: drop it (counted above as zeroed).
  {
    uint64_t kept = 0;
    for (uint32_t s = 0; s < q.num_sources(); ++s) {
      const uint64_t b = q.out_start[s], e = q.out_start[s + 1];
      q.out_start[s] = kept;
      for (uint64_t i = b; i < e; ++i)
        if (q.out_weight[i] != 0) {
          q.out_target[kept] = q.out_target[i], q.out_weight[kept] = q.out_weight[i],
          q.out_exp[kept] = q.out_exp[i];
          ++kept;
        }
    }
    q.out_start[q.num_sources()] = kept;
    q.out_target.resize(kept);
    q.out_weight.resize(kept);
    q.out_exp.resize(kept);
  }
  // Targets ascending within each source (stable: projections in insertion order for duplicates).
  for (uint32_t s = 0; s < q.num_sources(); ++s) {
    const uint64_t b = q.out_start[s], n = q.out_start[s + 1] - b;
    bool sorted = true;
    for (uint64_t i = 1; i < n && sorted; ++i) sorted = q.out_target[b + i - 1] <= q.out_target[b + i];
    if (sorted) continue;
    std::vector<uint64_t> idx(n);
    for (uint64_t i = 0; i < n; ++i) idx[i] = b + i;
    std::stable_sort(idx.begin(), idx.end(),
                     [&](uint64_t x, uint64_t y) { return q.out_target[x] < q.out_target[y]; });
    std::vector<uint32_t> t(n);
    std::vector<int8_t> w(n), x(n);
    for (uint64_t i = 0; i < n; ++i)
      t[i] = q.out_target[idx[i]], w[i] = q.out_weight[idx[i]], x[i] = q.out_exp[idx[i]];
    std::copy(t.begin(), t.end(), q.out_target.begin() + b);
    std::copy(w.begin(), w.end(), q.out_weight.begin() + b);
    std::copy(x.begin(), x.end(), q.out_exp.begin() + b);
  }

  // ---- the in-view: distinct sources per neuron, entries, exponent masks ----
  q.in_entries.assign(q.num_neurons, 0);
  q.in_exp_mask.assign(q.num_neurons, 0);
  std::vector<uint64_t> in_count(q.num_neurons + 1, 0);
  for (uint32_t s = 0; s < q.num_sources(); ++s) {
    uint32_t last = UINT32_MAX;
    for (uint64_t i = q.out_start[s]; i < q.out_start[s + 1]; ++i) {
      const uint32_t t = q.out_target[i];
      ++q.in_entries[t];
      q.in_exp_mask[t] |= static_cast<uint16_t>(1u << (q.out_exp[i] + 8));
      if (t != last) ++in_count[t + 1];
      last = t;
    }
  }
  for (uint32_t n = 0; n < q.num_neurons; ++n) in_count[n + 1] += in_count[n];
  q.in_start = in_count;
  q.in_source.resize(in_count.back());
  std::vector<uint64_t> in_fill(in_count.begin(), in_count.end() - 1);
  for (uint32_t s = 0; s < q.num_sources(); ++s) {
    uint32_t last = UINT32_MAX;
    for (uint64_t i = q.out_start[s]; i < q.out_start[s + 1]; ++i) {
      const uint32_t t = q.out_target[i];
      if (t != last) q.in_source[in_fill[t]++] = s;
      last = t;
    }
  }

  // ---- latency: neuron populations crossed from an input to an output's source, minus one ----
  std::vector<int64_t> depth(all.size(), -1);
  std::deque<PopulationId> queue;
  for (const PopRange& r : q.inputs) depth[r.id] = 0, queue.push_back(r.id);
  while (!queue.empty()) {
    const PopulationId v = queue.front();
    queue.pop_front();
    for (auto [it, end] = boost::out_edges(v, net.graph); it != end; ++it) {
      const PopulationId t = boost::target(*it, net.graph);
      if (depth[t] < 0 && pop_index[t] >= 0) depth[t] = depth[v] + 1, queue.push_back(t);
    }
  }
  for (ProjectionId e : net.projections()) {
    const PopulationId src = boost::source(e, net.graph), dst = boost::target(e, net.graph);
    if (net.population(dst).kind == NeuronKind::kOutput && depth[src] >= 1)
      q.latency = std::max<uint32_t>(q.latency, static_cast<uint32_t>(depth[src] - 1));
  }
  return q;
}

FixedRun simulate_fixed(const QNet& q, const NetworkStimulus& stim, uint32_t steps) {
  FixedRun run;
  run.source_spikes.assign(q.num_sources(), 0);
  run.neuron_spikes.resize(steps);
  std::vector<arith::NeuronParams> par(q.num_neurons);
  std::vector<arith::NeuronState> st(q.num_neurons);
  for (uint32_t n = 0; n < q.num_neurons; ++n) {
    const pb::Profile& p = q.profiles[q.profile[n]];
    par[n].fu = arith::current_factor(p.du());
    par[n].fv = arith::voltage_factor(p.dv());
    par[n].bias = arith::bias_value(q.bias_mant[n], p.bias_exp());
    par[n].thr = arith::compare_threshold(p.vth(), p.readout());
    par[n].subtract = p.reset_mode() == pb::RESET_SUBTRACT;
    st[n].v = q.init_v[n];
  }
  std::vector<uint32_t> acc(q.num_neurons, 0);  // 32-bit, wraps (spec §2.3)
  std::size_t ev = 0;
  auto deliver = [&](uint32_t source) {
    ++run.source_spikes[source];
    for (uint64_t i = q.out_start[source]; i < q.out_start[source + 1]; ++i)
      acc[q.out_target[i]] += static_cast<uint32_t>(arith::scale_weight(q.out_weight[i], q.out_exp[i]));
  };
  const bool any_readout = std::any_of(q.readout.begin(), q.readout.end(), [](uint8_t r) { return r != 0; });
  for (uint32_t t = 0; t < steps; ++t) {
    if (t > 0)
      for (uint32_t n : run.neuron_spikes[t - 1]) {
        for (uint64_t i = q.out_start[q.num_inputs + n]; i < q.out_start[q.num_inputs + n + 1]; ++i)
          acc[q.out_target[i]] += static_cast<uint32_t>(arith::scale_weight(q.out_weight[i], q.out_exp[i]));
      }
    for (; ev < stim.spikes.size() && stim.spikes[ev].step == t; ++ev)
      if (stim.spikes[ev].index < q.num_inputs) deliver(stim.spikes[ev].index);
    for (uint32_t n = 0; n < q.num_neurons; ++n) {
      if (arith::neuron_update(st[n], par[n], static_cast<int32_t>(acc[n]))) {
        run.neuron_spikes[t].push_back(n);
        ++run.source_spikes[q.num_inputs + n];
      }
      acc[n] = 0;
    }
    if (any_readout) {
      std::vector<int32_t>& v = run.readout_v.emplace_back(q.num_neurons, 0);
      for (uint32_t n = 0; n < q.num_neurons; ++n)
        if (q.readout[n]) v[n] = st[n].v;
    }
  }
  return run;
}

}  // namespace lifchip::mapper::detail
