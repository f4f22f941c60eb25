// Firmware-path runs, golden-file JSON and first-divergence comparison (see trace.h).
#include "trace.h"

#include <algorithm>
#include <map>
#include <sstream>

#include "lifchip/chip_constants.h"
#include "lifchip/json_read.h"

namespace lifchip::hil {

namespace s = spec;

namespace {

std::vector<const pb::Core*> cores_y_major(const pb::ChipImage& image) {
  std::vector<const pb::Core*> v;
  for (const pb::Core& c : image.cores()) v.push_back(&c);
  std::sort(v.begin(), v.end(), [](const pb::Core* p, const pb::Core* q) {
    return p->y() != q->y() ? p->y() < q->y() : p->x() < q->x();
  });
  return v;
}

struct Sink {
  std::vector<std::pair<uint32_t, uint32_t>> spikes;  // (step, channel)
  static void out(void* user, uint32_t step, uint32_t channel) {
    static_cast<Sink*>(user)->spikes.push_back({step, channel});
  }
};

// Reads every counter of every core of the mesh and the chip counters through the firmware.
lc_status_t read_counters(const lc_hal_t* hal, const ChipShape& shape, CounterSet& cs) {
  cs.width = shape.width;
  cs.height = shape.height;
  cs.cores.assign(shape.num_cores(), CoreCounterArray{});
  for (uint32_t i = 0; i < shape.num_cores(); ++i) {
    const lc_status_t st = lc_read_counters(hal, false, i, 0, s::CNT_PER_CORE, cs.cores[i].data());
    if (st != LC_OK) return st;
  }
  return lc_read_counters(hal, true, 0, 0, s::CNT_CHIP_SLOTS, cs.chip.data());
}

lc_status_t read_memory(const lc_hal_t* hal, const ChipShape& shape, const pb::ChipImage& image,
                        std::vector<CoreSnapshot>& out) {
  out.clear();
  for (const pb::Core* c : cores_y_major(image)) {
    CoreSnapshot snap;
    snap.x = c->x();
    snap.y = c->y();
    const auto N = static_cast<uint32_t>(c->neuron_profile_size());
    const auto A = static_cast<uint32_t>(c->axon_syn_base_size());
    const auto S = static_cast<uint32_t>(c->syn_neuron_size());
    const uint32_t core = shape.core_index(c->x(), c->y());
    snap.state.resize(3 * N);
    snap.post.resize(N);
    snap.pre.resize(A);
    snap.syn.resize(S);
    lc_status_t st = lc_read_memory(hal, core, s::MEM_NEURON_STATE, 0, 3 * N, snap.state.data());
    if (st == LC_OK && N)
      st = lc_read_memory(hal, core, s::MEM_TRACE, s::AXONS_PER_CORE_MAX, N, snap.post.data());
    if (st == LC_OK && A) st = lc_read_memory(hal, core, s::MEM_TRACE, 0, A, snap.pre.data());
    if (st == LC_OK && S) st = lc_read_memory(hal, core, s::MEM_SYNAPSE, 0, S, snap.syn.data());
    if (st != LC_OK) return st;
    out.push_back(std::move(snap));
  }
  return LC_OK;
}

}  // namespace

RunTrace run_firmware(Platform& platform, const pb::ChipImage& image, const RunSpec& spec) {
  RunTrace tr;
  tr.platform = platform.name();
  tr.timing = platform.has_timing();
  const lc_hal_t* hal = platform.hal();
  auto fail = [&](lc_status_t st, uint32_t step) {
    tr.status = st;
    tr.status_text = lc_status_name(st);
    tr.status_step = step;
    tr.bus_cycles = platform.bus_cycles();
    tr.accesses = platform.accesses();
    tr.fault_events = platform.fault_events();
    return tr;
  };
  std::vector<uint32_t> words = flat_stream(image);
  for (uint32_t w : spec.corrupt_words)
    if (w < words.size()) words[w] ^= 1u;
  lc_status_t st = lc_boot(hal, words.data(), words.size(), image.checksum());
  if (st != LC_OK) return fail(st, 0);
  const ChipShape shape = chip_shape(image.config());
  if (spec.learning) {
    st = lc_set_learning(hal, *spec.learning);
    if (st != LC_OK) return fail(st, 0);
  }
  st = lc_clear_counters(hal);  // zero already after commit; the firmware's own sequence is exercised
  if (st != LC_OK) return fail(st, 0);
  for (const Fault& f : spec.faults) platform.inject_fault(f);

  std::vector<lc_spike_in_t> in;
  for (const InputSpike& sp : spec.stimuli)
    in.push_back(
        {sp.step, static_cast<uint8_t>(sp.x), static_cast<uint8_t>(sp.y), static_cast<uint16_t>(sp.axon)});
  std::stable_sort(in.begin(), in.end(),
                   [](const lc_spike_in_t& a, const lc_spike_in_t& b) { return a.step < b.step; });
  std::size_t next = 0;
  for (uint32_t t = 0; t < spec.steps; ++t) {
    std::size_t end = next;
    while (end < in.size() && in[end].step == t) ++end;
    Sink sink;
    st = lc_step(hal, t, in.data() + next, end - next, &Sink::out, &sink);
    next = end;
    StepRecord rec;
    rec.step = t;
    const std::vector<uint64_t> cycles = platform.take_output_cycles();
    std::vector<std::pair<uint32_t, uint64_t>> outs;
    for (std::size_t i = 0; i < sink.spikes.size(); ++i)
      outs.push_back({sink.spikes[i].second, i < cycles.size() ? cycles[i] : 0});
    std::sort(outs.begin(), outs.end());
    for (const auto& o : outs) {
      rec.outputs.push_back(o.first);
      if (tr.timing) rec.output_cycles.push_back(o.second);
    }
    if (st != LC_OK) return fail(st, t);
    st = read_counters(hal, shape, rec.counters);
    if (st == LC_OK && (spec.memory_every_step || t + 1 == spec.steps))
      st = read_memory(hal, shape, image, rec.memory);
    if (st != LC_OK) return fail(st, t);
    tr.steps.push_back(std::move(rec));
  }
  tr.bus_cycles = platform.bus_cycles();
  tr.accesses = platform.accesses();
  tr.fault_events = platform.fault_events();
  return tr;
}

// ---------------------------------------------------------------- comparison

namespace {

const char* const kCounterNames[] = {
    "AXON_EVENTS",      "SYN_OPS",          "NEURON_ACTIVE",    "NEURON_IDLE",       "SPIKES",
    "PACKETS_SENT",     "PACKETS_RECEIVED", "AXON_COLLISIONS",  "STDP_UPDATES",      "TRACE_UPDATES",
    "SYN_MEM_READS",    "SYN_MEM_WRITES",   "NEURON_MEM_READS", "NEURON_MEM_WRITES", "AXON_MEM_READS",
    "FANOUT_MEM_READS", "LINK_LOCAL",       "LINK_NORTH",       "LINK_EAST",         "LINK_SOUTH",
    "LINK_WEST",        "CYCLES_DELIVER",   "CYCLES_UPDATE",    "CYCLES_LEARN",      "CYCLES_WAIT",
    "FANOUT_STALLS",    "ROUTER_BLOCKED",   "ROUTER_FLITS_IN"};
// The step phase (spec §5) in which each counter advances.
const char* const kCounterPhases[] = {"DELIVER", "DELIVER", "UPDATE",  "UPDATE",  "UPDATE",        "UPDATE",
                                      "UPDATE",  "UPDATE",  "LEARN",   "LEARN",   "DELIVER/LEARN", "LEARN",
                                      "UPDATE",  "UPDATE",  "DELIVER", "UPDATE",  "UPDATE",        "UPDATE",
                                      "UPDATE",  "UPDATE",  "UPDATE",  "DELIVER", "UPDATE",        "LEARN",
                                      "BARRIER", "UPDATE",  "UPDATE",  "UPDATE"};
const char* const kChipNames[] = {"HOST_IN", "HOST_OUT", "TIMESTEPS", "CYCLES", "CYCLES_INJECT"};
const char* const kChipPhases[] = {"INJECT", "UPDATE", "BARRIER", "BARRIER", "INJECT"};
constexpr int kKnownCounters = static_cast<int>(sizeof(kCounterNames) / sizeof(kCounterNames[0]));
constexpr int kKnownChip = static_cast<int>(sizeof(kChipNames) / sizeof(kChipNames[0]));

std::string counter_label(int id) {
  return id < kKnownCounters ? kCounterNames[id] : "counter " + std::to_string(id);
}

struct Builder {
  const RunTrace& a;
  const RunTrace& b;
  std::string who(bool first) const { return (first ? "A(" : "B(") + (first ? a : b).platform + ")"; }
  Divergence make(uint32_t step, int x, int y, const std::string& kind, int64_t index,
                  const std::string& variable, const std::string& phase, const std::string& va,
                  const std::string& vb, const std::string& item_extra = "") const {
    Divergence d;
    d.identical = false;
    d.step = step;
    d.x = x;
    d.y = y;
    d.kind = kind;
    d.index = index;
    d.variable = variable;
    d.phase = phase;
    d.a = va;
    d.b = vb;
    std::ostringstream os;
    os << "step " << step;
    if (x >= 0) os << ", core (" << x << "," << y << ")";
    if (!kind.empty() && kind != "output") os << ", " << kind << " " << index << item_extra;
    os << ", variable " << variable << ", phase " << phase << ": " << who(true) << "=" << va << " "
       << who(false) << "=" << vb;
    d.text = os.str();
    return d;
  }
};

std::string list_str(const std::vector<uint32_t>& v) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size() && i < 16; ++i) out += (i ? "," : "") + std::to_string(v[i]);
  if (v.size() > 16) out += ",... " + std::to_string(v.size()) + " spikes";
  return out + "]";
}

Divergence compare_memory(const Builder& B, uint32_t step, const std::vector<CoreSnapshot>& ma,
                          const std::vector<CoreSnapshot>& mb, const pb::ChipImage& image) {
  if (ma.size() != mb.size())
    return B.make(step, -1, -1, "", -1, "memory snapshot", "-", std::to_string(ma.size()) + " cores",
                  std::to_string(mb.size()) + " cores");
  const std::vector<const pb::Core*> cores = cores_y_major(image);
  for (std::size_t c = 0; c < ma.size(); ++c) {
    const CoreSnapshot &p = ma[c], &q = mb[c];
    const int x = static_cast<int>(p.x), y = static_cast<int>(p.y);
    static const char* const vars[] = {"u", "v", "ref"};
    static const unsigned bits[] = {25, 24, 0};
    for (std::size_t i = 0; i < std::min(p.state.size(), q.state.size()); ++i) {
      if (p.state[i] == q.state[i]) continue;
      const unsigned k = static_cast<unsigned>(i % 3);
      auto val = [&](uint32_t w) {
        return bits[k] ? std::to_string(layout::sign_extend(w, bits[k])) : std::to_string(w);
      };
      return B.make(step, x, y, "neuron", static_cast<int64_t>(i / 3), vars[k], "UPDATE", val(p.state[i]),
                    val(q.state[i]));
    }
    for (std::size_t n = 0; n < std::min(p.post.size(), q.post.size()); ++n)
      if (p.post[n] != q.post[n])
        return B.make(step, x, y, "neuron", static_cast<int64_t>(n), "post-trace", "LEARN",
                      std::to_string(p.post[n]), std::to_string(q.post[n]));
    for (std::size_t ax = 0; ax < std::min(p.pre.size(), q.pre.size()); ++ax)
      if (p.pre[ax] != q.pre[ax])
        return B.make(step, x, y, "axon", static_cast<int64_t>(ax), "pre-trace", "LEARN",
                      std::to_string(p.pre[ax]), std::to_string(q.pre[ax]));
    for (std::size_t e = 0; e < std::min(p.syn.size(), q.syn.size()); ++e) {
      if (p.syn[e] == q.syn[e]) continue;
      std::string extra;
      if (c < cores.size() && e < static_cast<std::size_t>(cores[c]->syn_neuron_size()))
        extra = " (neuron " + std::to_string(cores[c]->syn_neuron(static_cast<int>(e))) + ", group " +
                std::to_string(cores[c]->syn_group(static_cast<int>(e))) + ")";
      if (((p.syn[e] ^ q.syn[e]) & ~(0xFFu << 10)) == 0)
        return B.make(step, x, y, "synapse", static_cast<int64_t>(e), "weight", "LEARN",
                      std::to_string(layout::sign_extend(p.syn[e] >> 10, 8)),
                      std::to_string(layout::sign_extend(q.syn[e] >> 10, 8)), extra);
      return B.make(step, x, y, "synapse", static_cast<int64_t>(e), "word", "LEARN", std::to_string(p.syn[e]),
                    std::to_string(q.syn[e]), extra);
    }
    if (p.state.size() != q.state.size() || p.syn.size() != q.syn.size() || p.pre.size() != q.pre.size())
      return B.make(step, x, y, "", -1, "memory size", "-", std::to_string(p.state.size() + p.syn.size()),
                    std::to_string(q.state.size() + q.syn.size()));
  }
  return {};
}

}  // namespace

Divergence compare_traces(const RunTrace& a, const RunTrace& b, const pb::ChipImage& image) {
  const Builder B{a, b};
  const bool timing = a.timing && b.timing;
  const std::size_t n = std::min(a.steps.size(), b.steps.size());
  std::vector<CoreSnapshot> none;
  for (std::size_t i = 0; i < n; ++i) {
    const StepRecord &p = a.steps[i], &q = b.steps[i];
    const uint32_t t = p.step;
    // Memories: the most specific place (neuron, synapse) first.
    if (!p.memory.empty() || !q.memory.empty()) {
      Divergence d = compare_memory(B, t, p.memory, q.memory, image);
      if (!d.identical) return d;
    }
    // Output spikes.
    const std::size_t common = std::min(p.outputs.size(), q.outputs.size());
    for (std::size_t k = 0; k < common; ++k)
      if (p.outputs[k] != q.outputs[k])
        return B.make(t, -1, -1, "output", static_cast<int64_t>(k), "output spikes", "UPDATE",
                      list_str(p.outputs), list_str(q.outputs));
    if (p.outputs.size() != q.outputs.size())
      return B.make(t, -1, -1, "output", static_cast<int64_t>(common), "output spikes", "UPDATE",
                    list_str(p.outputs), list_str(q.outputs));
    if (timing)
      for (std::size_t k = 0; k < std::min(p.output_cycles.size(), q.output_cycles.size()); ++k)
        if (p.output_cycles[k] != q.output_cycles[k])
          return B.make(t, -1, -1, "output", static_cast<int64_t>(k), "output exit cycle", "UPDATE",
                        std::to_string(p.output_cycles[k]), std::to_string(q.output_cycles[k]));
    // Counters, id-major (ids follow the phases), cores y-major.
    const CounterSet &ca = p.counters, &cb = q.counters;
    if (ca.cores.size() != cb.cores.size())
      return B.make(t, -1, -1, "", -1, "mesh", "-",
                    std::to_string(ca.width) + "x" + std::to_string(ca.height),
                    std::to_string(cb.width) + "x" + std::to_string(cb.height));
    const int ids = timing ? static_cast<int>(s::CNT_PER_CORE) : static_cast<int>(s::CNT_FUNCTIONAL_COUNT);
    for (int id = 0; id < ids; ++id)
      for (std::size_t c = 0; c < ca.cores.size(); ++c) {
        const auto k = static_cast<std::size_t>(id);
        if (ca.cores[c][k] == cb.cores[c][k]) continue;
        return B.make(t, static_cast<int>(c % ca.width), static_cast<int>(c / ca.width), "", -1,
                      counter_label(id), id < kKnownCounters ? kCounterPhases[id] : "-",
                      std::to_string(ca.cores[c][k]), std::to_string(cb.cores[c][k]));
      }
    const int chip_ids = timing ? static_cast<int>(s::CNT_CHIP_SLOTS) : static_cast<int>(s::CNT_CHIP_COUNT);
    for (int id = 0; id < chip_ids; ++id) {
      const auto k = static_cast<std::size_t>(id);
      if (ca.chip[k] == cb.chip[k]) continue;
      return B.make(
          t, -1, -1, "", -1, std::string("chip ") + (id < kKnownChip ? kChipNames[id] : std::to_string(id)),
          id < kKnownChip ? kChipPhases[id] : "-", std::to_string(ca.chip[k]), std::to_string(cb.chip[k]));
    }
  }
  // A firmware failure (or a shorter run) diverges at the first step one side did not complete.
  if (a.status != b.status || a.steps.size() != b.steps.size()) {
    const uint32_t t = static_cast<uint32_t>(n);
    auto st = [](const RunTrace& r) {
      return r.status == LC_OK
                 ? std::to_string(r.steps.size()) + " steps ok"
                 : std::string("firmware: ") + r.status_text + " in step " + std::to_string(r.status_step);
    };
    return B.make(t, -1, -1, "", -1, "firmware status", "-", st(a), st(b));
  }
  return {};
}

// ---------------------------------------------------------------- JSON

nlohmann::json trace_to_json(const RunTrace& tr) {
  using nlohmann::json;
  json j;
  j["format"] = "lifchip-golden-1";
  j["platform"] = tr.platform;
  j["timing"] = tr.timing;
  j["status"] = tr.status;
  j["status_text"] = tr.status_text;
  j["status_step"] = tr.status_step;
  json steps = json::array();
  for (const StepRecord& r : tr.steps) {
    json st;
    st["step"] = r.step;
    st["outputs"] = r.outputs;
    if (tr.timing) st["output_cycles"] = r.output_cycles;
    json cores = json::array();
    for (const CoreCounterArray& c : r.counters.cores)
      cores.push_back(std::vector<uint64_t>(c.begin(), c.end()));
    st["counters"] = {{"width", r.counters.width},
                      {"height", r.counters.height},
                      {"cores", cores},
                      {"chip", std::vector<uint64_t>(r.counters.chip.begin(), r.counters.chip.end())}};
    json mem = json::array();
    for (const CoreSnapshot& m : r.memory)
      mem.push_back(
          {{"x", m.x}, {"y", m.y}, {"state", m.state}, {"post", m.post}, {"pre", m.pre}, {"syn", m.syn}});
    st["memory"] = mem;
    steps.push_back(st);
  }
  j["steps"] = steps;
  return j;
}

RunTrace trace_from_json(const nlohmann::json& j, const std::string& what) {
  namespace jr = json_read;
  using nlohmann::json;
  RunTrace tr;
  if (!j.is_object()) throw InputError(what + ": not a golden trace: the document must be an object");
  if (jr::text(jr::member(j, "format", what), what, "format") != "lifchip-golden-1")
    throw InputError(what + ": format is not lifchip-golden-1");
  tr.platform = "golden:" + jr::text(jr::member(j, "platform", what), what, "platform");
  tr.timing = jr::boolean(jr::member(j, "timing", what), what, "timing");
  tr.status = jr::integer<int>(jr::member(j, "status", what), what, "status", LC_OK, LC_ERR_NO_IMAGE);
  tr.status_text = jr::text(jr::member(j, "status_text", what), what, "status_text");
  tr.status_step = jr::integer<uint32_t>(jr::member(j, "status_step", what), what, "status_step");
  const json& steps = jr::member(j, "steps", what);
  if (!steps.is_array()) throw InputError(what + ": steps: must be a list");
  if (steps.size() > kGoldenMaxSteps)
    throw InputError(what + ": steps: " + std::to_string(steps.size()) + " steps exceed the limit " +
                     std::to_string(kGoldenMaxSteps));
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const json& st = steps[i];
    const std::string sw = "steps[" + std::to_string(i) + "]";
    StepRecord r;
    r.step = jr::integer<uint32_t>(jr::member(st, "step", what, sw), what, sw + ".step");
    r.outputs = jr::integers<uint32_t>(jr::member(st, "outputs", what, sw), what, sw + ".outputs", kGoldenMaxValues);
    if (tr.timing)
      r.output_cycles =
          jr::integers<uint64_t>(jr::member(st, "output_cycles", what, sw), what, sw + ".output_cycles", kGoldenMaxValues);
    const json& c = jr::member(st, "counters", what, sw);
    const std::string cw = sw + ".counters";
    r.counters.width = jr::integer<uint32_t>(jr::member(c, "width", what, cw), what, cw + ".width", 1, s::MESH_DIM_MAX);
    r.counters.height =
        jr::integer<uint32_t>(jr::member(c, "height", what, cw), what, cw + ".height", 1, s::MESH_DIM_MAX);
    const json& cores = jr::member(c, "cores", what, cw);
    if (!cores.is_array()) throw InputError(what + ": " + cw + ".cores: must be a list");
    for (std::size_t k = 0; k < cores.size(); ++k) {
      const auto v = jr::integers<uint64_t>(cores[k], what, cw + ".cores[" + std::to_string(k) + "]", s::CNT_PER_CORE);
      if (v.size() != s::CNT_PER_CORE)
        throw InputError(what + ": a core's counters are not " + std::to_string(s::CNT_PER_CORE) + " values");
      CoreCounterArray arr{};
      std::copy(v.begin(), v.end(), arr.begin());
      r.counters.cores.push_back(arr);
    }
    if (r.counters.cores.size() != static_cast<std::size_t>(r.counters.width) * r.counters.height)
      throw InputError(what + ": step " + std::to_string(r.step) + ": counters of " +
                       std::to_string(r.counters.cores.size()) + " cores for a " + std::to_string(r.counters.width) +
                       "x" + std::to_string(r.counters.height) + " mesh");
    const auto chip = jr::integers<uint64_t>(jr::member(c, "chip", what, cw), what, cw + ".chip", s::CNT_CHIP_SLOTS);
    if (chip.size() != s::CNT_CHIP_SLOTS)
      throw InputError(what + ": chip counters are not " + std::to_string(s::CNT_CHIP_SLOTS) + " values");
    std::copy(chip.begin(), chip.end(), r.counters.chip.begin());
    const json& mem = jr::member(st, "memory", what, sw);
    if (!mem.is_array()) throw InputError(what + ": " + sw + ".memory: must be a list");
    for (std::size_t k = 0; k < mem.size(); ++k) {
      const json& m = mem[k];
      const std::string mw = sw + ".memory[" + std::to_string(k) + "]";
      CoreSnapshot snap;
      snap.x = jr::integer<uint32_t>(jr::member(m, "x", what, mw), what, mw + ".x", 0, s::MESH_DIM_MAX - 1);
      snap.y = jr::integer<uint32_t>(jr::member(m, "y", what, mw), what, mw + ".y", 0, s::MESH_DIM_MAX - 1);
      snap.state = jr::integers<uint32_t>(jr::member(m, "state", what, mw), what, mw + ".state", kGoldenMaxValues);
      snap.post = jr::integers<uint32_t>(jr::member(m, "post", what, mw), what, mw + ".post", kGoldenMaxValues);
      snap.pre = jr::integers<uint32_t>(jr::member(m, "pre", what, mw), what, mw + ".pre", kGoldenMaxValues);
      snap.syn = jr::integers<uint32_t>(jr::member(m, "syn", what, mw), what, mw + ".syn", kGoldenMaxValues);
      r.memory.push_back(std::move(snap));
    }
    tr.steps.push_back(std::move(r));
  }
  return tr;
}

RunTrace read_golden_file(const std::string& path) {
  return trace_from_json(json_read::parse_file(path, "the golden file (record it with --record)"), path);
}

// ---------------------------------------------------------------- faults

namespace {
const std::map<std::string, Fault::Kind>& fault_kinds() {
  static const std::map<std::string, Fault::Kind> k = {{"flip-u", Fault::Kind::kFlipU},
                                                       {"flip-v", Fault::Kind::kFlipV},
                                                       {"flip-w", Fault::Kind::kFlipWeight},
                                                       {"stuck-fire", Fault::Kind::kStuckFire},
                                                       {"stuck-silent", Fault::Kind::kStuckSilent},
                                                       {"drop", Fault::Kind::kDropPacket},
                                                       {"dup", Fault::Kind::kDuplicatePacket}};
  return k;
}
bool is_flip(Fault::Kind k) {
  return k == Fault::Kind::kFlipU || k == Fault::Kind::kFlipV || k == Fault::Kind::kFlipWeight;
}
}  // namespace

Fault parse_fault(const std::string& text) {
  const std::string usage = "fault '" + text +
                            "': expected KIND@STEP:X,Y:INDEX[:BIT] with KIND one of flip-u, flip-v, flip-w, "
                            "stuck-fire, stuck-silent, drop, dup (e.g. flip-v@3:0,0:5:7)";
  const auto at = text.find('@');
  if (at == std::string::npos) throw InputError(usage);
  const auto it = fault_kinds().find(text.substr(0, at));
  if (it == fault_kinds().end()) throw InputError(usage);
  Fault f;
  f.kind = it->second;
  unsigned long step = 0, x = 0, y = 0, index = 0, bit = 0;
  char extra = 0;
  const std::string rest = text.substr(at + 1);
  const int got = std::sscanf(rest.c_str(), "%lu:%lu,%lu:%lu:%lu%c", &step, &x, &y, &index, &bit, &extra);
  const int want = is_flip(f.kind) ? 5 : 4;
  if (got != want || rest.find('-') != std::string::npos) throw InputError(usage);
  if (step > 0xFFFFFFFFul || x >= s::MESH_DIM_MAX || y >= s::MESH_DIM_MAX || index > 0xFFFFul || bit > 31)
    throw InputError("fault '" + text + "': step, core or index out of range");
  f.step = static_cast<uint32_t>(step);
  f.x = static_cast<uint32_t>(x);
  f.y = static_cast<uint32_t>(y);
  f.index = static_cast<uint32_t>(index);
  f.bit = static_cast<uint32_t>(bit);
  return f;
}

std::string fault_str(const Fault& f) {
  std::string kind;
  for (const auto& [name, k] : fault_kinds())
    if (k == f.kind) kind = name;
  std::string out = kind + "@" + std::to_string(f.step) + ":" + std::to_string(f.x) + "," +
                    std::to_string(f.y) + ":" + std::to_string(f.index);
  if (is_flip(f.kind)) out += ":" + std::to_string(f.bit);
  return out;
}

bool localised(const Divergence& d, const FaultEvent& e) {
  if (d.identical || d.step != e.step) return false;
  const bool core = d.x == static_cast<int>(e.x) && d.y == static_cast<int>(e.y);
  if (e.variable == "u" || e.variable == "v" || e.variable == "ref")
    return core && d.kind == "neuron" && d.index == e.index && d.variable == e.variable;
  if (e.variable == "weight")
    return core && d.kind == "synapse" && d.index == e.index && d.variable == "weight";
  if (e.variable ==
      "spike")  // no state change: the neuron's own trace, the core's SPIKES, or an output spike
    return (core && d.kind == "neuron" && d.index == e.index) || (core && d.variable == "SPIKES") ||
           d.variable == "output spikes";
  if (e.variable == "packets_received") return core && d.variable == "PACKETS_RECEIVED";
  if (e.variable == "output spikes") return d.variable == "output spikes";
  return false;
}

}  // namespace lifchip::hil
