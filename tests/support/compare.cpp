// Step-by-step comparison of two backends (see compare.h). Everything is read through the Backend
// interface only, so the same code compares the functional model, the reference model, the SystemC
// model and the RTL.
#include "support/compare.h"

#include <algorithm>
#include <functional>
#include <sstream>

#include "lifchip/chip_constants.h"

namespace lifchip::test {

namespace s = spec;

std::string counter_name(int id) {
  static const char* const names[] = {
      "AXON_EVENTS",      "SYN_OPS",          "NEURON_ACTIVE",    "NEURON_IDLE",       "SPIKES",
      "PACKETS_SENT",     "PACKETS_RECEIVED", "AXON_COLLISIONS",  "STDP_UPDATES",      "TRACE_UPDATES",
      "SYN_MEM_READS",    "SYN_MEM_WRITES",   "NEURON_MEM_READS", "NEURON_MEM_WRITES", "AXON_MEM_READS",
      "FANOUT_MEM_READS", "LINK_LOCAL",       "LINK_NORTH",       "LINK_EAST",         "LINK_SOUTH",
      "LINK_WEST",        "CYCLES_DELIVER",   "CYCLES_UPDATE",    "CYCLES_LEARN",      "CYCLES_WAIT",
      "FANOUT_STALLS",    "ROUTER_BLOCKED",   "ROUTER_FLITS_IN"};
  if (id >= 0 && id < static_cast<int>(sizeof(names) / sizeof(names[0]))) return names[id];
  return "counter " + std::to_string(id);
}

std::string chip_counter_name(int id) {
  static const char* const names[] = {"HOST_IN", "HOST_OUT", "TIMESTEPS", "CYCLES", "CYCLES_INJECT"};
  if (id >= 0 && id < static_cast<int>(sizeof(names) / sizeof(names[0])))
    return "chip " + std::string(names[id]);
  return "chip counter " + std::to_string(id);
}

namespace {

// "A(functional)" / "B(reference)": the letters keep the roles clear when both names are equal.
struct Names {
  std::string a, b;
  Names(const Backend& x, const Backend& y) : a("A(" + x.name() + ")"), b("B(" + y.name() + ")") {}
};

template <typename T>
std::string values(const Names& n, const T& va, const T& vb) {
  std::ostringstream os;
  os << n.a << "=" << va << " " << n.b << "=" << vb;
  return os.str();
}

std::string core_str(uint32_t x, uint32_t y) {
  return "core (" + std::to_string(x) + "," + std::to_string(y) + ")";
}

std::string hex(uint32_t w) {
  std::ostringstream os;
  os << "0x" << std::hex << w;
  return os.str();
}

// A memory read that may throw: the value, or the error text.
struct Word {
  bool ok = true;
  uint32_t value = 0;
  std::string error;
  bool operator==(const Word& o) const { return ok == o.ok && (ok ? value == o.value : true); }
};

Word read(const Backend& b, uint32_t x, uint32_t y, uint32_t mem, uint32_t addr) {
  Word w;
  try {
    w.value = b.read_word(x, y, mem, addr);
  } catch (const std::exception& e) {
    w.ok = false;
    w.error = e.what();
  }
  return w;
}

// The failure text of a call, or "" when it did not throw.
std::string attempt(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return std::string("throws: ") + e.what();
  }
  return "";
}

class Comparer {
 public:
  Comparer(const Backend& a, const Backend& b, const pb::ChipImage& image, const CompareOptions& o)
      : a_(a), b_(b), img_(image), o_(o), n_(a, b) {
    for (int i = 0; i < image.cores_size(); ++i) order_.push_back(i);
    // y-major, so that "first" does not depend on the image's core order.
    std::sort(order_.begin(), order_.end(), [&](int p, int q) {
      const pb::Core& cp = image.cores(p);
      const pb::Core& cq = image.cores(q);
      return cp.y() != cq.y() ? cp.y() < cq.y() : cp.x() < cq.x();
    });
  }

  Divergence counters(const std::string& label) const {
    const CounterSet ca = a_.counters(), cb = b_.counters();
    if (ca.width != cb.width || ca.height != cb.height || ca.cores.size() != cb.cores.size())
      return fail(label + ", counters: mesh " +
                  values(n_, std::to_string(ca.width) + "x" + std::to_string(ca.height),
                         std::to_string(cb.width) + "x" + std::to_string(cb.height)));
    const int core_ids = o_.timing ? s::CNT_PER_CORE : s::CNT_FUNCTIONAL_COUNT;
    // Id-major: the ids follow the phases (delivery, update, learning, links), so the first
    // mismatch reported is the earliest phase's.
    for (int id = 0; id < core_ids; ++id) {
      for (std::size_t i = 0; i < ca.cores.size(); ++i) {
        if (ca.cores[i][static_cast<std::size_t>(id)] == cb.cores[i][static_cast<std::size_t>(id)]) continue;
        const uint32_t x = static_cast<uint32_t>(i % ca.width), y = static_cast<uint32_t>(i / ca.width);
        return fail(
            label + ", " + core_str(x, y) + ", counter " + counter_name(id) + ": " +
            values(n_, ca.cores[i][static_cast<std::size_t>(id)], cb.cores[i][static_cast<std::size_t>(id)]));
      }
    }
    const int chip_ids = o_.timing ? s::CNT_CHIP_SLOTS : s::CNT_CHIP_COUNT;
    for (int id = 0; id < chip_ids; ++id) {
      if (ca.chip[static_cast<std::size_t>(id)] == cb.chip[static_cast<std::size_t>(id)]) continue;
      return fail(label + ", counter " + chip_counter_name(id) + ": " +
                  values(n_, ca.chip[static_cast<std::size_t>(id)], cb.chip[static_cast<std::size_t>(id)]));
    }
    return {};
  }

  // The memories that change while running: neuron state, traces, synapse words.
  Divergence dynamic_memories(const std::string& label) const {
    for (int ci : order_) {
      const pb::Core& c = img_.cores(ci);
      const uint32_t x = c.x(), y = c.y();
      const std::string where = label + ", " + core_str(x, y);
      const auto N = static_cast<uint32_t>(c.neuron_profile_size());
      const auto A = static_cast<uint32_t>(c.axon_syn_base_size());
      const auto S = static_cast<uint32_t>(c.syn_neuron_size());
      static const char* const state_vars[] = {"u", "v", "ref"};
      static const unsigned state_bits[] = {25, 24, 0};
      for (uint32_t n = 0; n < N; ++n) {
        for (uint32_t k = 0; k < 3; ++k) {
          const Word wa = read(a_, x, y, s::MEM_NEURON_STATE, 3 * n + k);
          const Word wb = read(b_, x, y, s::MEM_NEURON_STATE, 3 * n + k);
          if (wa == wb) continue;
          return fail(where + ", neuron " + std::to_string(n) + ", variable " + state_vars[k] + ": " +
                      show(wa, wb, state_bits[k]));
        }
      }
      // The read-out window (spec v1.1): the same v through its own address decode.
      for (uint32_t n = 0; n < N; ++n) {
        const Word wa = read(a_, x, y, s::MEM_VOLTAGE, n), wb = read(b_, x, y, s::MEM_VOLTAGE, n);
        if (!(wa == wb))
          return fail(where + ", neuron " + std::to_string(n) + ", read-out window v: " + show(wa, wb, 24));
      }
      for (uint32_t n = 0; n < N; ++n) {
        const uint32_t addr = static_cast<uint32_t>(s::AXONS_PER_CORE_MAX) + n;
        const Word wa = read(a_, x, y, s::MEM_TRACE, addr), wb = read(b_, x, y, s::MEM_TRACE, addr);
        if (!(wa == wb))
          return fail(where + ", neuron " + std::to_string(n) + ", variable post-trace: " + show(wa, wb, 0));
      }
      for (uint32_t ax = 0; ax < A; ++ax) {
        const Word wa = read(a_, x, y, s::MEM_TRACE, ax), wb = read(b_, x, y, s::MEM_TRACE, ax);
        if (!(wa == wb))
          return fail(where + ", axon " + std::to_string(ax) + ", variable pre-trace: " + show(wa, wb, 0));
      }
      for (uint32_t e = 0; e < S; ++e) {
        const Word wa = read(a_, x, y, s::MEM_SYNAPSE, e), wb = read(b_, x, y, s::MEM_SYNAPSE, e);
        if (wa == wb) continue;
        const std::string syn = where + ", synapse " + std::to_string(e) + " (neuron " +
                                std::to_string(c.syn_neuron(static_cast<int>(e))) + ", group " +
                                std::to_string(c.syn_group(static_cast<int>(e))) + ")";
        if (wa.ok && wb.ok && ((wa.value ^ wb.value) & ~(0xFFu << 10)) == 0)
          return fail(
              syn + ", variable weight: " +
              values(n_, layout::sign_extend(wa.value >> 10, 8), layout::sign_extend(wb.value >> 10, 8)));
        return fail(syn + ", word: " + show(wa, wb, 32));
      }
    }
    return {};
  }

  // The memories a run never writes: profiles, groups, neuron configuration, axons, fan-out.
  Divergence static_memories(const std::string& label) const {
    for (int ci : order_) {
      const pb::Core& c = img_.cores(ci);
      const uint32_t x = c.x(), y = c.y();
      const std::string where = label + ", " + core_str(x, y);
      struct Region {
        uint32_t mem;
        uint32_t words;
        const char* name;
        uint32_t words_per_item;
      };
      const Region regions[] = {
          {s::MEM_PROFILE, 2 * static_cast<uint32_t>(c.profiles_size()), "profile", 2},
          {s::MEM_GROUP, static_cast<uint32_t>(s::SYN_GROUPS_PER_CORE), "group", 1},
          {s::MEM_NEURON_CFG, 2 * static_cast<uint32_t>(c.neuron_profile_size()), "neuron configuration", 2},
          {s::MEM_AXON, static_cast<uint32_t>(c.axon_syn_base_size()), "axon", 1},
          {s::MEM_FANOUT, static_cast<uint32_t>(c.fanout_axon_size()), "fan-out entry", 1},
      };
      for (const Region& r : regions) {
        for (uint32_t addr = 0; addr < r.words; ++addr) {
          const Word wa = read(a_, x, y, r.mem, addr), wb = read(b_, x, y, r.mem, addr);
          if (wa == wb) continue;
          return fail(where + ", " + r.name + " " + std::to_string(addr / r.words_per_item) + " word " +
                      std::to_string(addr % r.words_per_item) + " (memory " + std::to_string(r.mem) +
                      " address " + std::to_string(addr) + "): " + show(wa, wb, 32));
        }
      }
    }
    return {};
  }

  Divergence spikes(const std::string& label, uint32_t step, const std::vector<OutputSpike>& sa,
                    const std::vector<OutputSpike>& sb) const {
    for (const auto* list : {&sa, &sb}) {
      const std::string& who = list == &sa ? n_.a : n_.b;
      if (!std::is_sorted(list->begin(), list->end()))
        return fail(label + ", output spikes: " + who + " drained spikes not sorted by (step, channel)");
      for (const OutputSpike& sp : *list)
        if (sp.step != step)
          return fail(label + ", output spikes: " + who + " reports a spike of step " +
                      std::to_string(sp.step));
    }
    const std::size_t common = std::min(sa.size(), sb.size());
    for (std::size_t i = 0; i < common; ++i) {
      if (sa[i].channel != sb[i].channel)
        return fail(label + ", output spike " + std::to_string(i) +
                    ", channel: " + values(n_, sa[i].channel, sb[i].channel) + " (" + list_str(sa) + " vs " +
                    list_str(sb) + ")");
      if (o_.timing && sa[i].cycle != sb[i].cycle)
        return fail(label + ", output spike " + std::to_string(i) + " (channel " +
                    std::to_string(sa[i].channel) + "), cycle: " + values(n_, sa[i].cycle, sb[i].cycle));
    }
    if (sa.size() != sb.size())
      return fail(label + ", output spike count: " + values(n_, sa.size(), sb.size()) + " (" + list_str(sa) +
                  " vs " + list_str(sb) + ")");
    return {};
  }

  Divergence figures(const std::string& label, const std::vector<StepFigure>& fa,
                     const std::vector<StepFigure>& fb) const {
    if (fa.size() != fb.size())
      return fail(label + ", step figures count: " + values(n_, fa.size(), fb.size()));
    for (std::size_t i = 0; i < fa.size(); ++i) {
      const StepFigure &x = fa[i], &y = fb[i];
      const std::string w = label + ", step figure of step " + std::to_string(x.step);
      if (x.step != y.step) return fail(w + ", step: " + values(n_, x.step, y.step));
      if (x.spikes != y.spikes) return fail(w + ", spikes: " + values(n_, x.spikes, y.spikes));
      if (x.syn_ops != y.syn_ops) return fail(w + ", syn_ops: " + values(n_, x.syn_ops, y.syn_ops));
      if (x.packets != y.packets) return fail(w + ", packets: " + values(n_, x.packets, y.packets));
      if (o_.timing && x.cycles != y.cycles) return fail(w + ", cycles: " + values(n_, x.cycles, y.cycles));
      if (!o_.timing) continue;
      // Per core per phase (spec §10.4); the counters hold only the sums over steps.
      if (x.phases.size() != y.phases.size())
        return fail(w + ", phase entries: " + values(n_, x.phases.size(), y.phases.size()));
      for (std::size_t c = 0; c < x.phases.size(); ++c) {
        const CorePhaseCycles &p = x.phases[c], &q = y.phases[c];
        const std::string wc = w + ", core (" + std::to_string(p.x) + "," + std::to_string(p.y) + ") ";
        if (p.x != q.x || p.y != q.y)
          return fail(wc + "phase entry " + std::to_string(c) + " is core (" + std::to_string(q.x) + "," +
                      std::to_string(q.y) + ") in " + n_.b);
        if (p.deliver != q.deliver) return fail(wc + "DELIVER cycles: " + values(n_, p.deliver, q.deliver));
        if (p.update != q.update) return fail(wc + "UPDATE cycles: " + values(n_, p.update, q.update));
        if (p.learn != q.learn) return fail(wc + "LEARN cycles: " + values(n_, p.learn, q.learn));
        if (p.wait != q.wait) return fail(wc + "WAIT cycles: " + values(n_, p.wait, q.wait));
      }
    }
    return {};
  }

  static Divergence fail(const std::string& where) { return Divergence{false, where}; }
  const Names& names() const { return n_; }

 private:
  std::string show(const Word& wa, const Word& wb, unsigned signed_bits) const {
    auto one = [&](const Word& w) -> std::string {
      if (!w.ok) return "(" + w.error + ")";
      if (signed_bits == 32) return hex(w.value);
      if (signed_bits > 0) return std::to_string(layout::sign_extend(w.value, signed_bits));
      return std::to_string(w.value);
    };
    return n_.a + "=" + one(wa) + " " + n_.b + "=" + one(wb);
  }

  static std::string list_str(const std::vector<OutputSpike>& v) {
    std::string out = "[";
    for (std::size_t i = 0; i < v.size() && i < 16; ++i) out += (i ? "," : "") + std::to_string(v[i].channel);
    if (v.size() > 16) out += ",... " + std::to_string(v.size()) + " spikes";
    return out + "]";
  }

  const Backend& a_;
  const Backend& b_;
  const pb::ChipImage& img_;
  const CompareOptions& o_;
  Names n_;
  std::vector<int> order_;
};

}  // namespace

Divergence compare_state(const Backend& a, const Backend& b, const pb::ChipImage& image,
                         const std::string& step_label, const CompareOptions& options) {
  const Comparer cmp(a, b, image, options);
  if (a.timestep() != b.timestep())
    return Comparer::fail(step_label + ", timestep: " + values(cmp.names(), a.timestep(), b.timestep()));
  Divergence d = cmp.counters(step_label);
  if (d.identical) d = cmp.dynamic_memories(step_label);
  if (d.identical) d = cmp.static_memories(step_label);
  return d;
}

Divergence run_and_compare(Backend& a, Backend& b, const pb::ChipImage& image,
                           const std::vector<InputSpike>& stimuli, uint32_t steps,
                           const CompareOptions& options) {
  const Comparer cmp(a, b, image, options);
  const Names& n = cmp.names();
  // Runs f on both backends. Only one throwing is a divergence; both throwing ends the comparison
  // (same behaviour), with the reason in `where`.
  bool both_threw = false;
  auto both = [&](const std::string& what, const std::function<void(Backend&)>& f) -> Divergence {
    const std::string ea = attempt([&] { f(a); }), eb = attempt([&] { f(b); });
    if (ea.empty() && eb.empty()) return {};
    const std::string msg =
        what + ": " + n.a + " " + (ea.empty() ? "ok" : ea) + "; " + n.b + " " + (eb.empty() ? "ok" : eb);
    both_threw = !ea.empty() && !eb.empty();
    return Divergence{both_threw, msg};
  };
  Divergence d = both("load", [&](Backend& x) { x.load(image); });
  if (d.identical && !both_threw) d = both("inject", [&](Backend& x) { x.inject(stimuli); });
  if (both_threw || !d.identical) return d;
  d = compare_state(a, b, image, "after load", options);
  if (!d.identical) return d;
  // Figures of earlier runs are not ours to compare.
  a.take_step_figures();
  b.take_step_figures();

  for (uint32_t i = 0; i < steps; ++i) {
    const uint32_t step = a.timestep();
    const std::string label = "step " + std::to_string(step);
    if (options.before_step) {
      d = both(label + ", before_step", [&](Backend& x) { options.before_step(x, step); });
      if (both_threw || !d.identical) return d;
    }
    d = both(label + ", step()", [](Backend& x) { x.step(1); });
    if (both_threw || !d.identical) return d;
    // Most specific first: counters (by phase), then state, then what follows from them.
    const std::vector<OutputSpike> sa = a.drain(), sb = b.drain();
    const std::vector<StepFigure> fa = a.take_step_figures(), fb = b.take_step_figures();
    if (a.timestep() != b.timestep())
      d = Comparer::fail(label + ", timestep: " + values(n, a.timestep(), b.timestep()));
    if (d.identical) d = cmp.counters(label);
    if (d.identical && (options.memories_every_step || i + 1 == steps)) d = cmp.dynamic_memories(label);
    if (d.identical) d = cmp.spikes(label, step, sa, sb);
    if (d.identical && options.step_figures) d = cmp.figures(label, fa, fb);
    if (!d.identical) return d;
  }
  return cmp.static_memories("after step " + std::to_string(a.timestep() == 0 ? 0 : a.timestep() - 1));
}

}  // namespace lifchip::test
