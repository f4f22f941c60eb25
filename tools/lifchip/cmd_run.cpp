// `lifchip run`: load an image on a backend, inject stimuli, run, and report output spikes, the
// spec §8 counters and probes as text for people, JSON for machines or a RunResult file.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli.h"
#include "lifchip/backend.h"
#include "lifchip/chip_constants.h"
#include "lifchip/run.h"

namespace lifchip::cli {

namespace {

namespace s = spec;

struct RunCmdOptions {
  std::string image;
  std::string stimuli;
  uint32_t steps = 0;  // 0: from the stimuli
  std::string backend = "functional";
  std::string probes;
  bool json = false;
  std::string output;
  std::string learning;  // "", "on" or "off"
  unsigned threads = 1;
};

// With --json every probe value is kept (and printed); this bounds the memory that takes. Without
// --json the run streams (to -o, or only into the summary) and holds no values.
constexpr uint64_t kMaxProbeValues = uint64_t{1} << 27;

std::string core_name(uint32_t x, uint32_t y) {
  return "(" + std::to_string(x) + "," + std::to_string(y) + ")";
}

bool has_timing(const pb::RunResult& r) {
  for (const auto& c : r.counters().cores())
    for (int id = s::CNT_FUNCTIONAL_COUNT; id < c.values_size(); ++id)
      if (c.values(id) != 0) return true;
  return false;
}

// What the text summary shows of a run's per-step data, gathered part by part (a long run streams
// its parts to the -o file and keeps only this): spike totals, the raster of a short run, the first
// steps with spikes, and first/last/min/max of each probe.
struct RunDigest {
  static constexpr uint32_t kRasterSteps = 100, kRasterChannels = 24;
  static constexpr std::size_t kListSteps = 30, kListChannels = 24;
  struct StepSpikes {
    uint32_t step = 0;
    std::vector<uint32_t> channels;  // the first kListChannels + 1
    uint64_t count = 0;
  };
  struct Probe {
    std::string what;
    uint64_t values = 0;
    int32_t first = 0, last = 0, min = 0, max = 0;
  };
  uint64_t spikes = 0, spike_steps = 0;
  std::set<uint32_t> channels;
  std::map<uint32_t, std::map<uint32_t, uint32_t>> raster;  // channel -> step -> count, steps < kRasterSteps
  std::vector<StepSpikes> listed;                           // the first kListSteps + 1 steps with spikes
  std::vector<Probe> probes;                                // by label, in the order first seen

  void add(const pb::RunResult& part) {
    for (const pb::OutputSpike& sp : part.spikes()) {
      ++spikes;
      channels.insert(sp.channel());
      if (sp.step() < kRasterSteps) ++raster[sp.channel()][sp.step()];
      if (listed.empty() || listed.back().step != sp.step()) {
        ++spike_steps;
        if (listed.size() <= kListSteps) listed.push_back({sp.step(), {}, 0});
      }
      if (listed.back().step == sp.step()) {
        StepSpikes& l = listed.back();
        if (l.channels.size() <= kListChannels) l.channels.push_back(sp.channel());
        ++l.count;
      }
    }
    // Every part holds every probe once, in the same order; the first part names them.
    if (probes.empty())
      for (const pb::ProbeTrace& p : part.probes()) probes.push_back({p.what()});
    for (int i = 0; i < part.probes_size() && static_cast<std::size_t>(i) < probes.size(); ++i) {
      const pb::ProbeTrace& p = part.probes(i);
      Probe& d = probes[static_cast<std::size_t>(i)];
      for (int32_t v : p.values()) {
        if (d.values++ == 0) d.first = d.min = d.max = v;
        d.last = v;
        d.min = std::min(d.min, v);
        d.max = std::max(d.max, v);
      }
    }
  }
};

// Output spikes: a channel x step raster when it fits a terminal, otherwise a per-step list.
std::string spikes_text(const RunDigest& d, uint32_t steps) {
  std::ostringstream os;
  if (d.spikes == 0) {
    os << "output spikes: none\n";
    return os.str();
  }
  os << "output spikes: " << group_digits(d.spikes) << " on " << d.channels.size() << " channel(s) in "
     << d.spike_steps << " of " << steps << " steps\n";
  if (d.channels.size() <= RunDigest::kRasterChannels && steps <= RunDigest::kRasterSteps) {
    os << "  (one column per step: . none, | one spike, 2-9 that many, # ten or more)\n";
    std::string axis(steps, ' ');
    for (uint32_t t = 0; t < steps; t += 10) {
      const std::string n = std::to_string(t);
      for (std::size_t k = 0; k < n.size() && t + k < steps; ++k) axis[t + k] = n[k];
    }
    while (!axis.empty() && axis.back() == ' ') axis.pop_back();
    os << "  step    " << axis << "\n";
    for (uint32_t ch : d.channels) {
      std::string row(steps, '.');
      const auto it = d.raster.find(ch);
      if (it != d.raster.end())
        for (const auto& [t, n] : it->second)
          if (t < steps) row[t] = n == 1 ? '|' : n < 10 ? static_cast<char>('0' + n) : '#';
      char label[16];
      std::snprintf(label, sizeof label, "  ch %4u ", ch);
      os << label << row << "\n";
    }
    return os.str();
  }
  std::size_t lines = 0;
  for (const RunDigest::StepSpikes& l : d.listed) {
    if (lines++ == RunDigest::kListSteps) {
      os << "  ... " << d.spike_steps - RunDigest::kListSteps
         << " more steps with spikes (all of them: --json or -o)\n";
      break;
    }
    os << "  step " << l.step << ":";
    for (std::size_t k = 0; k < l.channels.size() && k < RunDigest::kListChannels; ++k)
      os << " " << l.channels[k];
    if (l.count > RunDigest::kListChannels) os << " ... (" << l.count << " spikes)";
    os << "\n";
  }
  return os.str();
}

struct Column {
  int id;
  const char* header;
};

std::string counter_table(const pb::RunResult& r, const std::vector<Column>& cols,
                          const std::set<std::size_t>& rows) {
  std::vector<std::string> header{"core"};
  for (const Column& c : cols) header.push_back(c.header);
  Table t(header);
  std::vector<uint64_t> total(cols.size(), 0);
  for (std::size_t i : rows) {
    const pb::CoreCounters& cc = r.counters().cores(static_cast<int>(i));
    std::vector<std::string> row{core_name(cc.x(), cc.y())};
    for (std::size_t k = 0; k < cols.size(); ++k) {
      const uint64_t v = cols[k].id < cc.values_size() ? cc.values(cols[k].id) : 0;
      total[k] += v;
      row.push_back(group_digits(v));
    }
    t.add(row);
  }
  t.rule();
  std::vector<std::string> row{"total"};
  for (uint64_t v : total) row.push_back(group_digits(v));
  t.add(row);
  return t.str();
}

std::string summary_text(const RunCmdOptions& o, const pb::ChipImage& image, const pb::RunResult& r,
                         const RunDigest& digest, bool learning, std::size_t inputs,
                         std::size_t late_inputs) {
  std::ostringstream os;
  os << "lifchip run: " << (image.name().empty() ? "image" : "'" + image.name() + "'") << " (" << o.image
     << ") on backend " << r.backend() << "\n";
  os << "  " << r.steps() << " steps, learning " << (learning ? "on" : "off") << ", " << group_digits(inputs)
     << " input spikes";
  if (late_inputs) os << " (" << late_inputs << " after the last step run, not delivered)";
  os << "\n\n" << spikes_text(digest, r.steps()) << "\n";

  // Cores of the image, plus any other core whose router carried traffic.
  std::set<std::pair<uint32_t, uint32_t>> in_image;
  for (const pb::Core& c : image.cores()) in_image.insert({c.x(), c.y()});
  std::set<std::size_t> rows;
  std::size_t hidden = 0;
  for (int i = 0; i < r.counters().cores_size(); ++i) {
    const pb::CoreCounters& cc = r.counters().cores(i);
    bool nonzero = false;
    for (uint64_t v : cc.values()) nonzero = nonzero || v != 0;
    if (nonzero || in_image.count({cc.x(), cc.y()}))
      rows.insert(static_cast<std::size_t>(i));
    else
      ++hidden;
  }
  os << "counters per core (spec §8; --json has the full names):\n";
  os << counter_table(r,
                      {{s::CNT_AXON_EVENTS, "axon ev"},
                       {s::CNT_SYN_OPS, "syn ops"},
                       {s::CNT_NEURON_ACTIVE, "active"},
                       {s::CNT_NEURON_IDLE, "idle"},
                       {s::CNT_SPIKES, "spikes"},
                       {s::CNT_PACKETS_SENT, "pkt sent"},
                       {s::CNT_PACKETS_RECEIVED, "pkt recv"},
                       {s::CNT_AXON_COLLISIONS, "collide"},
                       {s::CNT_STDP_UPDATES, "stdp"},
                       {s::CNT_TRACE_UPDATES, "traces"}},
                      rows)
     << "\n";
  os << counter_table(r,
                      {{s::CNT_SYN_MEM_READS, "syn rd"},
                       {s::CNT_SYN_MEM_WRITES, "syn wr"},
                       {s::CNT_NEURON_MEM_READS, "neuron rd"},
                       {s::CNT_NEURON_MEM_WRITES, "neuron wr"},
                       {s::CNT_AXON_MEM_READS, "axon rd"},
                       {s::CNT_FANOUT_MEM_READS, "fanout rd"},
                       {s::CNT_LINK_LOCAL, "link L"},
                       {s::CNT_LINK_NORTH, "link N"},
                       {s::CNT_LINK_EAST, "link E"},
                       {s::CNT_LINK_SOUTH, "link S"},
                       {s::CNT_LINK_WEST, "link W"}},
                      rows);
  if (has_timing(r)) {
    os << "\ntiming counters per core (spec §10.5, cycles):\n";
    os << counter_table(r,
                        {{s::CNT_CYCLES_DELIVER, "deliver"},
                         {s::CNT_CYCLES_UPDATE, "update"},
                         {s::CNT_CYCLES_LEARN, "learn"},
                         {s::CNT_CYCLES_WAIT, "wait"},
                         {s::CNT_FANOUT_STALLS, "fo stalls"},
                         {s::CNT_ROUTER_BLOCKED, "rtr blocked"},
                         {s::CNT_ROUTER_FLITS_IN, "flits in"}},
                        rows);
  }
  if (hidden) os << "  (" << hidden << " core(s) with no neurons and no traffic not shown)\n";
  os << "\nchip:";
  const char* sep = " ";
  for (int id = 0; id < r.counters().chip_size(); ++id) {
    const std::string name = chip_counter_name(static_cast<uint32_t>(id));
    const uint64_t v = r.counters().chip(id);
    if (name.empty() || (id >= s::CNT_CHIP_COUNT && v == 0)) continue;
    os << sep << name << " " << group_digits(v);
    sep = ", ";
  }
  os << "\n";
  if (!digest.probes.empty()) {
    os << "\nprobes (" << digest.probes.size() << "; values per step: --json or -o):\n";
    Table t({"probe", "first", "last", "min", "max"});
    for (const RunDigest::Probe& p : digest.probes) {
      if (p.values == 0) {
        t.add({p.what, "-", "-", "-", "-"});
        continue;
      }
      t.add({p.what, std::to_string(p.first), std::to_string(p.last), std::to_string(p.min),
             std::to_string(p.max)});
    }
    os << t.str();
  }
  if (r.readouts_size() > 0)
    os << "\nread-outs: " << r.readouts_size() << " ranges, " << group_digits(r.readout_words())
       << " words read (" << group_digits(r.readout_host_cycles())
       << " host-bus cycles, spec §10.7; values per step: --json or -o)\n";
  return os.str();
}

nlohmann::json summary_json(const RunCmdOptions& o, const pb::ChipImage& image, const pb::RunResult& r,
                            bool learning, std::size_t inputs) {
  using nlohmann::json;
  json j;
  j["backend"] = r.backend();
  j["image"] = image.name();
  j["image_file"] = o.image;
  j["stimuli_file"] = o.stimuli;
  j["steps"] = r.steps();
  j["learning"] = learning;
  j["input_spikes"] = inputs;
  json spikes = json::array();
  for (const pb::OutputSpike& sp : r.spikes())
    spikes.push_back({{"step", sp.step()}, {"channel", sp.channel()}, {"cycle", sp.cycle()}});
  j["spikes"] = std::move(spikes);
  json cores = json::array();
  std::map<std::string, uint64_t> totals;
  for (const pb::CoreCounters& cc : r.counters().cores()) {
    json values = json::object();
    for (int id = 0; id < cc.values_size(); ++id) {
      const std::string name = core_counter_name(static_cast<uint32_t>(id));
      if (name.empty()) continue;
      values[name] = cc.values(id);
      totals[name] += cc.values(id);
    }
    cores.push_back({{"x", cc.x()}, {"y", cc.y()}, {"counters", std::move(values)}});
  }
  j["cores"] = std::move(cores);
  j["totals"] = totals;
  json chip = json::object();
  for (int id = 0; id < r.counters().chip_size(); ++id) {
    const std::string name = chip_counter_name(static_cast<uint32_t>(id));
    if (!name.empty()) chip[name] = r.counters().chip(id);
  }
  j["chip"] = std::move(chip);
  json per_step = json::array();
  for (const pb::StepFigures& f : r.per_step())
    per_step.push_back({{"step", f.step()},
                        {"spikes", f.spikes()},
                        {"syn_ops", f.syn_ops()},
                        {"packets", f.packets()},
                        {"cycles", f.cycles()}});
  j["per_step"] = std::move(per_step);
  json probes = json::array();
  for (const pb::ProbeTrace& p : r.probes())
    probes.push_back(
        {{"what", p.what()}, {"values", std::vector<int32_t>(p.values().begin(), p.values().end())}});
  j["probes"] = std::move(probes);
  if (r.readouts_size() > 0) {
    json ro = json::array();
    for (const pb::ReadoutTrace& t : r.readouts())
      ro.push_back({{"x", t.x()},
                    {"y", t.y()},
                    {"first", t.first()},
                    {"count", t.count()},
                    {"v", std::vector<int32_t>(t.values().begin(), t.values().end())}});
    j["readouts"] = std::move(ro);
    j["readout_words"] = r.readout_words();
    j["readout_host_cycles"] = r.readout_host_cycles();
  }
  return j;
}

// Probe targets checked against the image with errors in the probe file's own terms (the backend's
// read window would report a raw memory address instead, and 3 * neuron could wrap around).
void check_probes(const pb::ProbeSpec& probes, const pb::ChipImage& image) {
  struct Counts {
    int64_t neurons = 0, axons = 0, synapses = 0;
  };
  std::map<std::pair<uint32_t, uint32_t>, Counts> cores;
  for (const pb::Core& c : image.cores())
    cores[{c.x(), c.y()}] = {c.neuron_profile_size(), c.axon_syn_base_size(), c.syn_neuron_size()};
  auto check = [&](const char* list, int i, uint32_t x, uint32_t y, const char* what, uint32_t index,
                   int64_t Counts::*count, const char* plural) {
    const std::string where = std::string(list) + "[" + std::to_string(i) + "]: ";
    const auto it = cores.find({x, y});
    if (it == cores.end()) throw InputError(where + "core " + core_name(x, y) + " is not in the image");
    if (index >= it->second.*count)
      throw InputError(where + what + " " + std::to_string(index) + " >= core " + core_name(x, y) + "'s " +
                       std::to_string(it->second.*count) + " " + plural);
  };
  for (int i = 0; i < probes.neurons_size(); ++i) {
    const auto& p = probes.neurons(i);
    check("neurons", i, p.x(), p.y(), "neuron", p.neuron(), &Counts::neurons, "neurons");
  }
  for (int i = 0; i < probes.axons_size(); ++i) {
    const auto& p = probes.axons(i);
    check("axons", i, p.x(), p.y(), "axon", p.axon(), &Counts::axons, "axons");
  }
  for (int i = 0; i < probes.synapses_size(); ++i) {
    const auto& p = probes.synapses(i);
    check("synapses", i, p.x(), p.y(), "synapse address", p.address(), &Counts::synapses, "synapse entries");
  }
}

int run_command(const RunCmdOptions& o) {
  if (!o.output.empty()) check_writable(o.output);
  const pb::ChipImage image = for_file(o.image, [&] {
    reject_directory(o.image);
    return read_image_file(o.image);
  });
  std::unique_ptr<Backend> backend = BackendRegistry::create(o.backend);
  backend->set_threads(o.threads);
  for_file(o.image, [&] { backend->load(image); });
  bool learning = image.learning_enabled();
  if (!o.learning.empty()) {
    learning = o.learning == "on";
    backend->set_learning(learning);
  }

  // Stimuli are checked and queued here, not inside run(), so that every error names its file.
  uint64_t steps = o.steps;
  std::size_t inputs = 0, late_inputs = 0;
  std::vector<InputSpike> spikes;
  if (!o.stimuli.empty()) {
    const pb::Stimuli stimuli = for_file(o.stimuli, [&] {
      reject_directory(o.stimuli);
      return read_stimuli_file(o.stimuli);
    });
    spikes = for_file(o.stimuli, [&] { return stimuli_spikes(stimuli); });
    if (steps == 0) {
      steps = stimuli.num_steps() > 0    ? stimuli.num_steps()
              : stimuli.steps_size() > 0 ? uint64_t{stimuli.steps(stimuli.steps_size() - 1).step()} + 1
                                         : 0;
      if (steps > kMaxRunSteps)
        throw InputError(o.stimuli + ": the stimuli ask for " + std::to_string(steps) +
                         " steps (num_steps, or the last input step + 1), more than the limit " +
                         std::to_string(kMaxRunSteps) + " of lifchip run (use --steps N to run fewer)");
    }
    for_file(o.stimuli, [&] { backend->inject(spikes); });
    inputs = spikes.size();
    for (const InputSpike& sp : spikes) late_inputs += sp.step >= steps ? 1 : 0;
  }

  RunOptions ro;
  ro.steps = static_cast<uint32_t>(steps);
  if (!o.probes.empty()) {
    ro.probes = for_file(o.probes, [&] {
      reject_directory(o.probes);
      return read_probe_file(o.probes);
    });
    const std::vector<ProbeTarget> targets = probe_targets(ro.probes);
    for_file(o.probes, [&] {
      check_probes(ro.probes, image);
      for (const ProbeTarget& t : targets) read_probe(*backend, t);
    });
    if (o.json && uint64_t{targets.size()} * steps > kMaxProbeValues)
      throw InputError(o.probes + ": " + std::to_string(targets.size()) + " probe values x " +
                       std::to_string(steps) + " steps exceed the limit of " +
                       std::to_string(kMaxProbeValues) +
                       " values --json holds (without --json, -o streams them)");
  }
  Progress progress("lifchip run");
  ro.progress = [&progress](uint32_t done, uint32_t total) { progress(done, total); };

  const pb::Stimuli queued;  // the inputs are already in the backend
  if (o.json) {              // JSON prints every spike and value: the whole result is kept
    pb::RunResult result = run(*backend, queued, ro);
    progress.finish();
    result.set_image_name(image.name());
    if (!o.output.empty()) write_output(o.output, result);
    std::cout << summary_json(o, image, result, learning, inputs).dump(1) << "\n";
    return kExitOk;
  }
  // Text: the run streams (RunOptions::on_part). Each part goes to the -o file as it comes and into
  // the digest the summary prints, so memory does not grow with the number of steps.
  // A part is written when the next one comes: the last gets the image name (which run() does not
  // know) before it is written, so a run of one part writes exactly the message it always did.
  RunDigest digest;
  std::unique_ptr<PartWriter> file;
  if (!o.output.empty()) file = std::make_unique<PartWriter>(o.output);
  pb::RunResult held;
  bool holding = false;
  ro.on_part = [&](const pb::RunResult& part) {
    digest.add(part);
    if (!file) return;
    if (holding) file->write(held);
    held = part;
    holding = true;
  };
  pb::RunResult totals = run(*backend, queued, ro);
  progress.finish();
  totals.set_image_name(image.name());
  if (file) {
    held.set_image_name(image.name());
    file->write(held);
    file->commit();
  }
  std::cout << summary_text(o, image, totals, digest, learning, inputs, late_inputs);
  return kExitOk;
}

}  // namespace

void add_run_command(CLI::App& app, Action& action) {
  auto o = std::make_shared<RunCmdOptions>();
  CLI::App* sub = app.add_subcommand(
      "run", "Run a chip image on a backend: stimuli in; output spikes, counters and probes out");
  sub->add_option("IMAGE", o->image, "Sealed chip image (.txtpb/.pbtxt/.textproto = text, else binary)")
      ->required();
  CLI::Option* stim = sub->add_option("--stimuli", o->stimuli, "Input spikes (a Stimuli message)");
  CLI::Option* steps =
      sub->add_option("--steps", o->steps,
                      "Steps to run (default: the stimuli's num_steps, or one past its last input step)")
          ->check(CLI::Range(uint32_t{1}, kMaxRunSteps));
  sub->add_option("--backend", o->backend, "Chip model to run on (see `lifchip backends`)")
      ->capture_default_str();
  sub->add_option("--probes", o->probes, "What to record every step (a ProbeSpec message)");
  sub->add_flag("--json", o->json, "Print the results as JSON instead of tables");
  sub->add_option("-o,--output", o->output, "Write the RunResult here (.txtpb = text, else binary protobuf)");
  sub->add_option("--learning", o->learning, "Override the image's learning_enabled")
      ->check(CLI::IsMember({"on", "off"}));
  sub->add_option("--threads", o->threads,
                  "Threads over cores within a step (functional model; identical results for any count)")
      ->check(CLI::Range(1u, 256u))
      ->capture_default_str();
  sub->callback([&action, o, stim, steps] {
    if (stim->count() == 0 && steps->count() == 0)
      throw CLI::ValidationError("run", "give --stimuli FILE, --steps N, or both");
    action = [o] { return run_command(*o); };
  });
}

}  // namespace lifchip::cli
