// The backend-agnostic run loop and probe decoding (see run.h).
#include "lifchip/run.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <map>
#include <mutex>
#include <thread>
#include <tuple>
#include <type_traits>

#include "lifchip/chip_constants.h"

namespace lifchip {

namespace s = spec;

std::string ProbeTarget::label() const {
  return var + " (" + std::to_string(x) + "," + std::to_string(y) + ") " + std::to_string(index);
}

int32_t read_probe(const Backend& b, const ProbeTarget& t) {
  // Indices beyond the spec's widths would wrap the address computations below.
  const bool neuron_var = t.var == "u" || t.var == "v" || t.var == "ref" || t.var == "post";
  const int64_t limit = neuron_var       ? s::NEURONS_PER_CORE_MAX
                        : t.var == "pre" ? s::AXONS_PER_CORE_MAX
                                         : s::SYNAPSES_PER_CORE_MAX;
  if (t.index >= limit)
    throw InputError("probe " + t.label() + ": index " + std::to_string(t.index) +
                     " >= " + std::to_string(limit));
  if (t.var == "u") return layout::sign_extend(b.read_word(t.x, t.y, s::MEM_NEURON_STATE, 3 * t.index), 25);
  if (t.var == "v")
    return layout::sign_extend(b.read_word(t.x, t.y, s::MEM_NEURON_STATE, 3 * t.index + 1), 24);
  if (t.var == "ref")
    return static_cast<int32_t>(b.read_word(t.x, t.y, s::MEM_NEURON_STATE, 3 * t.index + 2));
  if (t.var == "pre") return static_cast<int32_t>(b.read_word(t.x, t.y, s::MEM_TRACE, t.index));
  if (t.var == "post")
    return static_cast<int32_t>(
        b.read_word(t.x, t.y, s::MEM_TRACE, static_cast<uint32_t>(s::AXONS_PER_CORE_MAX) + t.index));
  if (t.var == "w") return layout::sign_extend(b.read_word(t.x, t.y, s::MEM_SYNAPSE, t.index) >> 10, 8);
  throw InputError("probe: unknown variable '" + t.var + "' (u, v, ref, pre, post, w)");
}

std::vector<ProbeTarget> probe_targets(const pb::ProbeSpec& spec) {
  std::vector<ProbeTarget> out;
  for (const auto& n : spec.neurons())
    for (const char* var : {"u", "v", "ref", "post"}) out.push_back({var, n.x(), n.y(), n.neuron()});
  for (const auto& a : spec.axons()) out.push_back({"pre", a.x(), a.y(), a.axon()});
  for (const auto& sy : spec.synapses()) out.push_back({"w", sy.x(), sy.y(), sy.address()});
  return out;
}

std::vector<InputSpike> stimuli_spikes(const pb::Stimuli& st) {
  std::vector<InputSpike> out;
  int64_t last = -1;
  for (int i = 0; i < st.steps_size(); ++i) {
    const pb::StepInput& in = st.steps(i);
    const std::string where =
        "stimuli steps[" + std::to_string(i) + "] (step " + std::to_string(in.step()) + "): ";
    if (static_cast<int64_t>(in.step()) <= last)
      throw InputError(where + "steps must be in increasing order");
    last = in.step();
    if (in.x_size() != in.axon_size() || in.y_size() != in.axon_size())
      throw InputError(where + "x, y and axon lists differ in length (" + std::to_string(in.x_size()) + ", " +
                       std::to_string(in.y_size()) + ", " + std::to_string(in.axon_size()) + ")");
    if (static_cast<uint64_t>(in.axon_size()) > kMaxSpikesPerStep)
      throw InputError(where + std::to_string(in.axon_size()) + " spikes exceed the limit " +
                       std::to_string(kMaxSpikesPerStep) + " per step");
    for (int k = 0; k < in.axon_size(); ++k) out.push_back({in.step(), in.x(k), in.y(k), in.axon(k)});
  }
  return out;
}

uint32_t stimuli_steps(const pb::Stimuli& st) {
  if (st.num_steps() > 0) return st.num_steps();
  return st.steps_size() == 0 ? 0 : st.steps(st.steps_size() - 1).step() + 1;
}

void to_proto(const CounterSet& cs, pb::Counters* out) {
  out->Clear();
  for (uint32_t y = 0; y < cs.height; ++y)
    for (uint32_t x = 0; x < cs.width; ++x) {
      pb::CoreCounters* c = out->add_cores();
      c->set_x(x);
      c->set_y(y);
      for (uint64_t v : cs.cores[y * cs.width + x]) c->add_values(v);
    }
  for (uint64_t v : cs.chip) out->add_chip(v);
}

pb::RunResult run(Backend& backend, const pb::Stimuli& stimuli, const RunOptions& options) {
  const uint32_t steps = options.steps ? options.steps : stimuli_steps(stimuli);
  const uint32_t start = backend.timestep();
  std::vector<InputSpike> spikes = stimuli_spikes(stimuli);
  for (InputSpike& sp : spikes) sp.step += start;  // stimuli steps are relative to the run's start
  backend.inject(spikes);
  const std::vector<ProbeTarget> targets = probe_targets(options.probes);
  for (const ProbeTarget& t : targets) read_probe(backend, t);  // fail early on a bad target
  // Read-out ranges (spec §10.7): checked against the chip's limits before the run, then read
  // through the read-out window after every step.
  uint64_t readout_words_per_step = 0;
  for (int k = 0; k < options.probes.readouts_size(); ++k) {
    const pb::ProbeSpec::ReadoutRange& r = options.probes.readouts(k);
    const std::string where = "readouts[" + std::to_string(k) + "] (core (" + std::to_string(r.x()) + "," +
                              std::to_string(r.y()) + "), neurons " + std::to_string(r.first()) + " + " +
                              std::to_string(r.count()) + ")";
    if (r.count() == 0) throw InputError(where + ": count is 0");
    if (uint64_t{r.first()} + r.count() > s::NEURONS_PER_CORE_MAX)
      throw InputError(where + ": beyond neuron " + std::to_string(s::NEURONS_PER_CORE_MAX - 1));
    try {  // fail early, naming the range
      backend.read_word(r.x(), r.y(), s::MEM_VOLTAGE, r.first() + r.count() - 1);
    } catch (const InputError& e) {
      throw InputError(where + ": " + e.what());
    }
    readout_words_per_step += r.count();
  }

  const bool streaming = static_cast<bool>(options.on_part);
  const uint32_t part_steps = streaming ? std::max(1u, options.part_steps) : std::max(1u, steps);
  // The part being filled: every step's values, and at its end the spikes and figures of its steps.
  pb::RunResult part;
  auto begin_part = [&](uint32_t first) {
    part.Clear();
    const uint32_t n = std::min(part_steps, steps - first);
    for (const ProbeTarget& t : targets) {
      pb::ProbeTrace* tr = part.add_probes();
      tr->set_what(t.label());
      tr->set_first_step(first);
      tr->mutable_values()->Reserve(static_cast<int>(n));
    }
    for (const pb::ProbeSpec::ReadoutRange& r : options.probes.readouts()) {
      pb::ReadoutTrace* tr = part.add_readouts();
      tr->set_x(r.x());
      tr->set_y(r.y());
      tr->set_first(r.first());
      tr->set_count(r.count());
      tr->set_first_step(first);
      tr->mutable_values()->Reserve(static_cast<int>(std::min<uint64_t>(uint64_t{n} * r.count(), 1u << 26)));
    }
  };
  auto end_part = [&] {
    for (const OutputSpike& o : backend.drain()) {
      pb::OutputSpike* p = part.add_spikes();
      p->set_step(o.step - start);
      p->set_channel(o.channel);
      p->set_cycle(o.cycle);
    }
    for (const StepFigure& f : backend.take_step_figures()) {
      pb::StepFigures* p = part.add_per_step();
      p->set_step(f.step - start);
      p->set_spikes(f.spikes);
      p->set_syn_ops(f.syn_ops);
      p->set_packets(f.packets);
      p->set_cycles(f.cycles);
      for (const CorePhaseCycles& c : f.phases) {
        pb::CorePhaseCycles* q = p->add_phases();
        q->set_x(c.x);
        q->set_y(c.y);
        q->set_deliver(c.deliver);
        q->set_update(c.update);
        q->set_learn(c.learn);
        q->set_wait(c.wait);
      }
    }
  };

  begin_part(0);
  for (uint32_t i = 0; i < steps; ++i) {
    backend.step(1);
    for (std::size_t k = 0; k < targets.size(); ++k)
      part.mutable_probes(static_cast<int>(k))->add_values(read_probe(backend, targets[k]));
    for (pb::ReadoutTrace& tr : *part.mutable_readouts())
      for (uint32_t n = 0; n < tr.count(); ++n)
        tr.add_values(
            layout::sign_extend(backend.read_word(tr.x(), tr.y(), s::MEM_VOLTAGE, tr.first() + n), 24));
    if (options.progress) options.progress(i + 1, steps);
    if (streaming && i + 1 < steps && (i + 1) % part_steps == 0) {
      end_part();
      options.on_part(part);
      begin_part(i + 1);
    }
  }
  end_part();
  pb::RunResult totals;
  totals.set_backend(backend.name());
  totals.set_steps(steps);
  totals.set_readout_words(readout_words_per_step * steps);
  totals.set_readout_host_cycles((options.probes.readouts_size() + readout_words_per_step) * steps *
                                 static_cast<uint64_t>(s::HOST_ACCESS_CYCLES));
  to_proto(backend.counters(), totals.mutable_counters());
  part.MergeFrom(totals);
  if (!streaming) return part;
  options.on_part(part);
  return totals;
}

namespace {

// Appends each piece with first_step > 0 to the first kept trace of the same key that ends at that
// step, and keeps the others in order. steps_of(trace) is the number of steps a trace holds.
template <typename Trace, typename KeyOf, typename StepsOf, typename Describe>
void join_pieces(google::protobuf::RepeatedPtrField<Trace>& all, KeyOf key_of, StepsOf steps_of,
                 Describe describe) {
  std::map<std::invoke_result_t<KeyOf, const Trace&>, std::vector<int>> kept;
  int out = 0;
  for (int i = 0; i < all.size(); ++i) {
    const Trace& t = all[i];
    if (t.first_step() > 0) {
      Trace* into = nullptr;
      for (int j : kept[key_of(t)])
        if (uint64_t{all[j].first_step()} + steps_of(all[j]) == t.first_step()) {
          into = &all[j];  // the first: a target probed twice has two traces, continued in order
          break;
        }
      if (!into)
        throw InputError(describe(i, t) + ": a piece from step " + std::to_string(t.first_step()) +
                         " continues no trace that ends there");
      into->mutable_values()->Add(t.values().begin(), t.values().end());
      continue;
    }
    if (out != i) all.SwapElements(out, i);
    kept[key_of(all[out])].push_back(out);
    ++out;
  }
  while (all.size() > out) all.RemoveLast();
}

}  // namespace

void join_run_parts(pb::RunResult& r) {
  join_pieces(
      *r.mutable_probes(), [](const pb::ProbeTrace& t) { return t.what(); },
      [](const pb::ProbeTrace& t) { return static_cast<uint64_t>(t.values_size()); },
      [](int i, const pb::ProbeTrace& t) {
        return "probes[" + std::to_string(i) + "] ('" + t.what() + "')";
      });
  join_pieces(
      *r.mutable_readouts(),
      [](const pb::ReadoutTrace& t) { return std::make_tuple(t.x(), t.y(), t.first(), t.count()); },
      [](const pb::ReadoutTrace& t) {
        return t.count() == 0 ? uint64_t{0} : static_cast<uint64_t>(t.values_size()) / t.count();
      },
      [](int i, const pb::ReadoutTrace& t) {
        return "readouts[" + std::to_string(i) + "] (core (" + std::to_string(t.x()) + "," +
               std::to_string(t.y()) + "), neurons " + std::to_string(t.first()) + " + " +
               std::to_string(t.count()) + ")";
      });
}

std::vector<pb::RunResult> run_batch(const pb::ChipImage& image, const std::vector<pb::Stimuli>& stimuli,
                                     const BatchOptions& options) {
  const std::size_t total = stimuli.size();
  std::vector<pb::RunResult> results(total);
  if (total == 0) return results;
  std::unique_ptr<Backend> first = BackendRegistry::create(options.backend);
  std::size_t threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  if (!first->concurrent_instances()) threads = 1;
  threads = std::min(threads, total);
  // Backends are made here, not in the workers: the registry is only read from this thread.
  std::vector<std::unique_ptr<Backend>> backends;
  backends.push_back(std::move(first));
  for (std::size_t k = 1; k < threads; ++k) backends.push_back(BackendRegistry::create(options.backend));
  RunOptions ro = options.run;
  ro.progress = nullptr;

  // Samples are claimed in increasing order, so when one fails every earlier one has been claimed
  // and runs to its end: the first failing sample in sample order is found whatever the timing.
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::vector<std::exception_ptr> errors(total);
  std::exception_ptr load_error;
  std::mutex progress_mutex;
  std::size_t done = 0;
  auto work = [&](Backend& backend) {
    bool loaded = false;
    for (;;) {
      if (failed.load()) return;
      const std::size_t k = next.fetch_add(1);
      if (k >= total) return;
      try {
        if (!loaded || !backend.reload()) backend.load(image);
        loaded = true;
        results[k] = run(backend, stimuli[k], ro);
      } catch (...) {
        errors[k] = std::current_exception();
        failed.store(true);
        return;
      }
      if (options.progress) {
        const std::lock_guard<std::mutex> lock(progress_mutex);
        options.progress(++done, total);
      }
    }
  };
  if (threads == 1) {
    work(*backends[0]);
  } else {
    std::vector<std::thread> pool;
    for (std::size_t t = 0; t < threads; ++t) pool.emplace_back(work, std::ref(*backends[t]));
    for (std::thread& t : pool) t.join();
  }
  for (const std::exception_ptr& e : errors)
    if (e) std::rethrow_exception(e);
  return results;
}

}  // namespace lifchip
