// `import lifchip` (docs/python.md): the C++ side of the Python module, a thin binding of the mapper
// (import, map, the float reference) and the flow layer (evaluate, estimate, NeuroBench metrics,
// backend comparison) over NumPy arrays. No figure is computed here: every one comes from the same
// functions the CLI calls; this file only converts arrays and releases the GIL while chips run.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <google/protobuf/text_format.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "lifchip/backend.h"
#include "lifchip/chip_constants.h"
#include "lifchip/flow/bindings.h"
#include "lifchip/flow/energy.h"
#include "lifchip/flow/evaluate.h"
#include "lifchip/flow/neurobench.h"
#include "lifchip/flow/session.h"
#include "lifchip/image.h"
#include "lifchip/mapper/map.h"
#include "lifchip/run.h"

namespace py = pybind11;
using namespace lifchip;

namespace {

// ---- Objects held by Python -------------------------------------------------------------------

struct PyNetwork {
  std::shared_ptr<const flow::NetworkFile> file;
  std::string dt = "auto";
};

struct PyMapping {
  std::shared_ptr<const flow::NetworkFile> file;
  std::shared_ptr<const mapper::MapResult> mapped;
  std::shared_ptr<const pb::ChipImage> image;  // aliases mapped->image
};

// A chip image read from a file (`lifchip map -o`, or built by hand), without a mapping.
struct PyImage {
  std::string path;
  std::shared_ptr<const pb::ChipImage> image;
};

// Every sample's run back to back (flow::append_run), with the image, for estimate and NeuroBench.
struct PyRun {
  std::shared_ptr<const pb::ChipImage> image;
  std::shared_ptr<const flow::NetworkFile> file;  // null for an image loaded from a file
  pb::RunResult run;
  uint32_t steps_per_sample = 0;
  uint64_t samples = 0;
};

// ---- Arrays -------------------------------------------------------------------------------------

// A raster [steps, inputs] or [samples, steps, inputs] of bool or integers (0/1), read through the
// buffer with its strides (no copy) into one stimulus per sample.
std::vector<mapper::NetworkStimulus> raster_stimuli(const py::array& a, const std::string& name,
                                                    uint64_t inputs) {
  const std::string expected = "expected a spike raster [steps, " + std::to_string(inputs) +
                               "] or [samples, steps, " + std::to_string(inputs) +
                               "] of bool or integers (0 or 1)";
  const char kind = a.dtype().kind();
  if (kind != 'b' && kind != 'i' && kind != 'u')
    throw InputError(name + ": dtype " + std::string(py::str(a.dtype())) + " is not bool or integer; " +
                     expected);
  if (a.ndim() != 2 && a.ndim() != 3)
    throw InputError(name + ": " + std::to_string(a.ndim()) + " dimensions; " + expected);
  const bool batched = a.ndim() == 3;
  const py::ssize_t n = batched ? a.shape(0) : 1, steps = a.shape(batched ? 1 : 0),
                    width = a.shape(batched ? 2 : 1);
  const py::ssize_t ss = batched ? a.strides(0) : 0, ts = a.strides(batched ? 1 : 0),
                    is = a.strides(batched ? 2 : 1);
  if (static_cast<uint64_t>(width) != inputs) {
    std::string shape = "[";
    for (py::ssize_t d = 0; d < a.ndim(); ++d) shape += (d ? ", " : "") + std::to_string(a.shape(d));
    throw InputError(name + ": shape " + shape + "] has " + std::to_string(width) + " inputs, the network " +
                     std::to_string(inputs) + "; " + expected);
  }
  if (n == 0 || steps == 0) throw InputError(name + ": the raster has no samples or no steps; " + expected);
  if (steps > py::ssize_t{1} << 24)
    throw InputError(name + ": " + std::to_string(steps) + " steps > " + std::to_string(1 << 24));
  const auto* base = static_cast<const unsigned char*>(a.data());
  const py::ssize_t item = a.itemsize();
  auto value = [&](const unsigned char* p) -> int64_t {
    switch (item) {
      case 1:
        return kind == 'i' ? int64_t{*reinterpret_cast<const int8_t*>(p)} : int64_t{*p};
      case 2: {
        uint16_t v;
        std::memcpy(&v, p, 2);
        return kind == 'i' ? int64_t{static_cast<int16_t>(v)} : int64_t{v};
      }
      case 4: {
        uint32_t v;
        std::memcpy(&v, p, 4);
        return kind == 'i' ? int64_t{static_cast<int32_t>(v)} : int64_t{v};
      }
      default: {
        uint64_t v;
        std::memcpy(&v, p, 8);
        return kind == 'i' ? static_cast<int64_t>(v) : (v > 1 ? 2 : static_cast<int64_t>(v));
      }
    }
  };
  std::vector<mapper::NetworkStimulus> out(static_cast<std::size_t>(n));
  for (py::ssize_t s = 0; s < n; ++s) {
    out[s].num_steps = static_cast<uint32_t>(steps);
    for (py::ssize_t t = 0; t < steps; ++t)
      for (py::ssize_t i = 0; i < width; ++i) {
        const int64_t v = value(base + s * ss + t * ts + i * is);
        if (v == 0) continue;
        if (v != 1) {
          std::string at = "[";
          if (batched) at += std::to_string(s) + ", ";
          throw InputError(name + ": element " + at + std::to_string(t) + ", " + std::to_string(i) + "] is " +
                           std::to_string(v) +
                           "; a spike raster holds 0 or 1 (at most one spike per input and step)");
        }
        out[s].spikes.push_back({static_cast<uint32_t>(t), static_cast<uint32_t>(i)});
      }
  }
  return out;
}

py::array_t<double> responses_array(const std::vector<mapper::NetworkResponse>& rs, uint32_t steps,
                                    uint32_t outputs) {
  py::array_t<double> out({static_cast<py::ssize_t>(rs.size()), static_cast<py::ssize_t>(steps),
                           static_cast<py::ssize_t>(outputs)});
  double* p = out.mutable_data();
  for (const auto& r : rs)
    for (uint32_t t = 0; t < steps; ++t)
      for (uint32_t o = 0; o < outputs; ++o)
        *p++ = t < r.num_steps && o < r.values[t].size() ? r.values[t][o] : 0.0;
  return out;
}

py::object json_to_py(const nlohmann::json& j) {
  // Leaked on purpose: a static py::object would be released after the interpreter is finalised.
  static const py::object* loads = new py::object(py::module_::import("json").attr("loads"));
  return (*loads)(j.dump());
}

mapper::MapOptions map_options(const PyNetwork& net, const std::string& mesh, const std::string& partition,
                               const std::string& place, double headroom,
                               const std::optional<std::string>& dt, const std::string& reset, uint64_t seed,
                               bool strict, uint32_t neurons_per_core, uint32_t axons_per_core,
                               uint32_t synapses_per_core, uint32_t fanout_per_core,
                               uint32_t profiles_per_core) {
  mapper::MapOptions o;
  flow::parse_mesh_option(mesh, o, "mesh");
  flow::parse_dt_option(dt ? *dt : net.dt, o, "dt");
  o.reset_mode = flow::parse_reset_option(reset, "reset");
  o.partition = partition;
  o.place = place;
  o.headroom = headroom;
  o.seed = seed;
  o.strict = strict;
  o.neurons_per_core = neurons_per_core;
  o.axons_per_core = axons_per_core;
  o.synapses_per_core = synapses_per_core;
  o.fanout_per_core = fanout_per_core;
  o.profiles_per_core = profiles_per_core;
  return o;
}

// ---- Chip -----------------------------------------------------------------------------------------

class Chip {
 public:
  Chip(std::shared_ptr<const pb::ChipImage> image, std::shared_ptr<const mapper::MapResult> mapped,
       std::shared_ptr<const flow::NetworkFile> file, const std::string& backend)
      : image_(std::move(image)), mapped_(std::move(mapped)), file_(std::move(file)), name_(backend) {
    backend_ = BackendRegistry::create(backend);  // InputError listing the known names
    backend_->load(*image_);
  }

  // One run of a Stimuli message (text format) from a freshly loaded chip, as `lifchip run --json`
  // reports it: output spikes [n, 3] (step, channel, cycle), counters, per-step figures, and the
  // probes of a ProbeSpec message (text format, as `lifchip run --probes` reads) by their label.
  py::tuple run(const std::string& stimuli_text, uint32_t steps, const std::string& probes_text) {
    pb::Stimuli st;
    if (!google::protobuf::TextFormat::ParseFromString(stimuli_text, &st))
      throw InputError("stimuli: not a Stimuli message in text format");
    const std::vector<InputSpike> spikes = stimuli_spikes(st);
    RunOptions ro;
    if (!probes_text.empty() && !google::protobuf::TextFormat::ParseFromString(probes_text, &ro.probes))
      throw InputError("probes: not a ProbeSpec message in text format");
    ro.steps = steps ? steps : stimuli_steps(st);
    if (ro.steps == 0) throw InputError("stimuli: nothing to run (no steps); give steps");
    auto r = std::make_shared<PyRun>();
    r->image = image_;
    r->file = file_;
    r->samples = 1;
    {
      py::gil_scoped_release release;
      const std::lock_guard<std::mutex> lock(mutex_);
      backend_->load(*image_);
      backend_->inject(spikes);
      r->run = lifchip::run(*backend_, pb::Stimuli{}, ro);
    }
    r->steps_per_sample = r->run.steps();
    py::array_t<uint64_t> out({static_cast<py::ssize_t>(r->run.spikes_size()), py::ssize_t{3}});
    uint64_t* d = out.mutable_data();
    for (const pb::OutputSpike& sp : r->run.spikes())
      *d++ = sp.step(), *d++ = sp.channel(), *d++ = sp.cycle();
    py::dict record;
    add_counters(record, {r->run});
    record["backend"] = name_;
    record["steps"] = r->run.steps();
    if (r->run.probes_size() > 0) {
      py::dict probes;  // label ("w (0,0) 12") -> values per step
      for (const pb::ProbeTrace& tr : r->run.probes()) {
        py::array_t<int32_t> a(static_cast<py::ssize_t>(tr.values_size()));
        std::copy(tr.values().begin(), tr.values().end(), a.mutable_data());
        probes[py::str(tr.what())] = a;
      }
      record["probes"] = probes;
    }
    return py::make_tuple(out, record, r);
  }
  const std::string& backend() const { return name_; }

  // Runs every sample from a freshly loaded chip; `variables` are probed on every neuron of
  // `populations` (every neuron population by name; empty: those that drive an output channel).
  py::tuple evolve(const py::array& raster, const std::vector<std::string>& variables,
                   const std::vector<std::string>& populations) {
    if (!mapped_)
      throw InputError("evolve: this chip was loaded from an image file, not a mapping: use run()");
    const mapper::MapResult& m = *mapped_;
    std::vector<mapper::NetworkStimulus> samples = raster_stimuli(raster, "raster", m.input.size());
    for (const std::string& v : variables)
      if (v != "u" && v != "v" && v != "ref" && v != "post")
        throw InputError("record: '" + v + "' is not a neuron variable (u, v, ref, post)");
    // The probed neurons: (population, its size, per probed neuron its index and site).
    struct Watched {
      std::string population;
      uint32_t size = 0;
      std::vector<std::pair<uint32_t, mapper::PopulationPlacement::Site>> neurons;
    };
    std::vector<Watched> watched;
    if (populations.empty()) {
      for (const auto& ch : m.output.channels) {
        auto it = std::find_if(watched.begin(), watched.end(),
                               [&](const Watched& w) { return w.population == ch.population; });
        if (it == watched.end()) it = watched.insert(watched.end(), Watched{ch.population, 0, {}});
        it->neurons.push_back({ch.neuron, {ch.x, ch.y, ch.core_neuron}});
        it->size = std::max(it->size, ch.neuron + 1);
      }
      for (Watched& w : watched)
        if (const auto id = file_->network.find(w.population))
          w.size = std::max(w.size, file_->network.population(*id).size);
    } else {
      for (const std::string& name : populations) {
        const mapper::PopulationPlacement* pl = m.placement_of(name);
        if (!pl) {
          std::string names;
          for (const auto& p : m.placement) names += (names.empty() ? "" : ", ") + p.population;
          throw InputError("record: no neuron population '" + name + "' (populations: " + names + ")");
        }
        Watched w{name, static_cast<uint32_t>(pl->sites.size()), {}};
        for (uint32_t i = 0; i < pl->sites.size(); ++i) w.neurons.push_back({i, pl->sites[i]});
        watched.push_back(std::move(w));
      }
    }
    RunOptions ro;
    if (!variables.empty())
      for (const Watched& w : watched)
        for (const auto& [i, site] : w.neurons) {
          auto* n = ro.probes.add_neurons();
          n->set_x(site.x), n->set_y(site.y), n->set_neuron(site.core_neuron);
        }
    *ro.probes.mutable_readouts() = m.output.readout_probes().readouts();  // LI/CubaLI outputs' v
    const uint32_t steps = samples.front().num_steps, outputs = m.output.size();
    auto run = std::make_shared<PyRun>();
    run->image = image_;
    run->file = file_;
    run->samples = samples.size();
    std::vector<mapper::NetworkResponse> responses(samples.size());
    std::vector<pb::RunResult> runs(samples.size());
    {
      py::gil_scoped_release release;
      const std::lock_guard<std::mutex> lock(mutex_);  // one model: calls from several threads take turns
      for (std::size_t s = 0; s < samples.size(); ++s) {
        backend_->load(m.image);
        runs[s] = lifchip::run(*backend_, m.stimuli(samples[s]), ro);
        responses[s] = m.decode(runs[s]);
        flow::append_run(run->run, runs[s]);
      }
    }
    const uint32_t run_steps = runs.front().steps();
    run->steps_per_sample = run_steps;
    py::dict record;
    // Probes: 4 variables per neuron in the run loop's order (u, v, ref, post), [samples, steps,
    // neurons] per watched population (unprobed neurons of it stay 0).
    const char* const all[4] = {"u", "v", "ref", "post"};
    for (const std::string& v : variables) {
      const int k = v == "u" ? 0 : v == "v" ? 1 : v == "ref" ? 2 : 3;
      std::size_t probe = 0;  // index of the population's first neuron among the probed ones
      for (const Watched& w : watched) {
        const uint32_t size = w.size;
        py::array_t<int32_t> a({static_cast<py::ssize_t>(samples.size()), static_cast<py::ssize_t>(run_steps),
                                static_cast<py::ssize_t>(size)});
        int32_t* d = a.mutable_data();
        std::memset(d, 0, sizeof(int32_t) * samples.size() * run_steps * size);
        for (std::size_t s = 0; s < samples.size(); ++s)
          for (std::size_t j = 0; j < w.neurons.size(); ++j) {
            const auto& tr = runs[s].probes(static_cast<int>(4 * (probe + j) + static_cast<std::size_t>(k)));
            for (uint32_t t = 0; t < run_steps && t < static_cast<uint32_t>(tr.values_size()); ++t)
              d[(s * run_steps + t) * size + w.neurons[j].first] = tr.values(static_cast<int>(t));
          }
        probe += w.neurons.size();
        record[py::str(w.population + "." + all[k])] = a;
      }
    }
    add_counters(record, runs);
    record["backend"] = name_;
    record["steps"] = run_steps;
    // Output spikes as the host saw them: [sample, step, channel] rows.
    py::array out = responses_array(responses, steps, outputs);
    return py::make_tuple(out, record, run);
  }

  // Both backends through the firmware on every sample; the first divergence (or a stop) ends it.
  py::dict compare(const std::string& other, const py::array& raster) {
    if (!mapped_) throw InputError("compare: this chip was loaded from an image file, not a mapping");
    const mapper::MapResult& m = *mapped_;
    const std::vector<mapper::NetworkStimulus> samples = raster_stimuli(raster, "raster", m.input.size());
    BackendRegistry::create(other);  // the name first: InputError listing the known ones
    flow::BackendComparison c;
    std::size_t s = 0;
    {
      py::gil_scoped_release release;
      for (; s < samples.size(); ++s) {
        const pb::Stimuli st = m.stimuli(samples[s]);
        flow::CompareSpec spec;
        spec.stimuli = stimuli_spikes(st);
        spec.steps = stimuli_steps(st);
        c = flow::compare_backends(m.image, spec, name_, other);
        if (!c.identical) break;
      }
    }
    py::dict d;
    d["identical"] = c.identical;
    d["backends"] = py::make_tuple(name_, other);
    d["samples"] = samples.size();
    if (!c.identical) {
      d["sample"] = s;
      d["diverged"] = c.diverged;
      d["step"] = c.step, d["x"] = c.x, d["y"] = c.y, d["kind"] = c.kind, d["index"] = c.index;
      d["variable"] = c.variable, d["phase"] = c.phase, d["a"] = c.a, d["b"] = c.b;
      d["text"] = c.diverged ? c.text : c.stopped;
    }
    return d;
  }

  // Counters per sample and core [samples, cores], chip counters [samples], per-step figures
  // [samples, steps], the cores' (x, y).
  static void add_counters(py::dict& record, const std::vector<pb::RunResult>& runs) {
    const std::size_t n = runs.size();
    const uint32_t run_steps = runs.front().steps();
    const int cores = runs.front().counters().cores_size();
    py::dict counters, chip, per_step;
    for (uint32_t id = 0; id < spec::CNT_PER_CORE; ++id) {
      const std::string name = flow::core_counter_name(id);
      if (name.empty()) continue;
      py::array_t<uint64_t> a({static_cast<py::ssize_t>(n), static_cast<py::ssize_t>(cores)});
      uint64_t* d = a.mutable_data();
      for (std::size_t s = 0; s < n; ++s)
        for (int c = 0; c < cores; ++c) {
          const auto& cc = runs[s].counters().cores(c);
          *d++ = static_cast<int>(id) < cc.values_size() ? cc.values(static_cast<int>(id)) : 0;
        }
      counters[py::str(name)] = a;
    }
    for (int id = 0; id < runs.front().counters().chip_size(); ++id) {
      const std::string name = flow::chip_counter_name(static_cast<uint32_t>(id));
      if (name.empty()) continue;
      py::array_t<uint64_t> a(static_cast<py::ssize_t>(n));
      for (std::size_t s = 0; s < n; ++s) a.mutable_data()[s] = runs[s].counters().chip(id);
      chip[py::str(name)] = a;
    }
    {
      py::array_t<uint64_t> sp({static_cast<py::ssize_t>(n), static_cast<py::ssize_t>(run_steps)}),
          so(sp.request().shape), pk(sp.request().shape), cy(sp.request().shape);
      for (auto* a : {&sp, &so, &pk, &cy}) std::memset(a->mutable_data(), 0, sizeof(uint64_t) * a->size());
      for (std::size_t s = 0; s < n; ++s)
        for (const pb::StepFigures& f : runs[s].per_step()) {
          if (f.step() >= run_steps) continue;
          const std::size_t i = s * run_steps + f.step();
          sp.mutable_data()[i] = f.spikes(), so.mutable_data()[i] = f.syn_ops();
          pk.mutable_data()[i] = f.packets(), cy.mutable_data()[i] = f.cycles();
        }
      per_step["spikes"] = sp, per_step["syn_ops"] = so, per_step["packets"] = pk, per_step["cycles"] = cy;
    }
    py::list core_xy;
    for (int c = 0; c < cores; ++c)
      core_xy.append(
          py::make_tuple(runs.front().counters().cores(c).x(), runs.front().counters().cores(c).y()));
    record["counters"] = counters;
    record["chip"] = chip;
    record["per_step"] = per_step;
    record["cores"] = core_xy;
  }

 private:
  std::shared_ptr<const pb::ChipImage> image_;
  std::shared_ptr<const mapper::MapResult> mapped_;
  std::shared_ptr<const flow::NetworkFile> file_;
  std::string name_;
  std::unique_ptr<Backend> backend_;
  std::mutex mutex_;
};

std::string image_text(const pb::ChipImage& image) {
  google::protobuf::TextFormat::Printer printer;
  printer.SetUseShortRepeatedPrimitives(true);
  std::string text;
  printer.PrintToString(image, &text);
  return text;
}

}  // namespace

PYBIND11_MODULE(_lifchip, m) {
  m.doc() = "lifchip's C++ core (the mapper and the flow layer); use the package lifchip";
  // Leaked on purpose, as json_to_py's function: released at exit it would outlive the interpreter.
  static auto* input_error = new py::exception<InputError>(m, "InputError", PyExc_ValueError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const InputError& e) {
      // One line, as the CLI prints it.
      std::string msg = e.what();
      for (char& ch : msg)
        if (ch == '\n' || ch == '\r') ch = ' ';
      (*input_error)(msg.c_str());
    }
  });

  py::class_<PyNetwork>(m, "Network")
      .def_property_readonly("path", [](const PyNetwork& n) { return n.file->path; })
      .def_property_readonly("dt", [](const PyNetwork& n) { return n.dt; })
      .def_property_readonly("num_inputs", [](const PyNetwork& n) { return n.file->network.num_inputs(); })
      .def_property_readonly("num_neurons", [](const PyNetwork& n) { return n.file->network.num_neurons(); })
      .def_property_readonly("num_synapses",
                             [](const PyNetwork& n) { return n.file->network.num_synapses(); })
      .def_property_readonly("network_dt",
                             [](const PyNetwork& n) -> std::optional<double> { return n.file->network.dt; })
      .def_property_readonly("populations",
                             [](const PyNetwork& n) {
                               py::list l;
                               for (auto v : n.file->network.populations()) {
                                 const auto& p = n.file->network.population(v);
                                 py::dict d;
                                 d["name"] = p.name, d["kind"] = mapper::kind_name(p.kind),
                                 d["size"] = p.size;
                                 d["source_node"] = p.source_node;
                                 l.append(d);
                               }
                               return l;
                             })
      .def_property_readonly("import_notes",
                             [](const PyNetwork& n) {
                               std::vector<std::string> notes;
                               for (const auto& s : n.file->import_report.sections)
                                 notes.insert(notes.end(), s.notes.begin(), s.notes.end());
                               return notes;
                             })
      .def_property_readonly("import_figures", [](const PyNetwork& n) {
        py::dict d;
        for (const auto& s : n.file->import_report.sections)
          for (const auto& [k, v] : s.figures) d[py::str(k)] = v;
        return d;
      });

  m.def(
      "load_network",
      [](const std::string& path, const std::string& dt) {
        mapper::MapOptions check;
        flow::parse_dt_option(dt, check, "dt");  // a bad dt fails here, not at map time
        PyNetwork n;
        n.file = std::make_shared<const flow::NetworkFile>(flow::load_network_file(path));
        n.dt = dt;
        return n;
      },
      py::arg("path"), py::arg("dt") = "auto");

  py::class_<PyMapping>(m, "Mapping")
      .def_property_readonly("report_json", [](const PyMapping& p) { return p.mapped->report.json(); })
      .def_property_readonly("report_table", [](const PyMapping& p) { return p.mapped->report.table(); })
      .def_property_readonly("bindings_json",
                             [](const PyMapping& p) { return flow::bindings_json(*p.mapped); })
      .def_property_readonly("warnings", [](const PyMapping& p) { return p.mapped->report.fit.warnings; })
      .def_property_readonly("fit_message", [](const PyMapping& p) { return p.mapped->report.fit.message; })
      .def_property_readonly("dt", [](const PyMapping& p) { return p.mapped->report.dt; })
      .def_property_readonly("num_inputs", [](const PyMapping& p) { return p.mapped->input.size(); })
      .def_property_readonly("num_outputs", [](const PyMapping& p) { return p.mapped->output.size(); })
      .def_property_readonly("latency", [](const PyMapping& p) { return p.mapped->output.latency; })
      .def_property_readonly("output_identity",
                             [](const PyMapping& p) { return p.mapped->output.identity(); })
      .def_property_readonly("cores_used", [](const PyMapping& p) { return p.mapped->image.cores_size(); })
      .def_property_readonly("mesh",
                             [](const PyMapping& p) {
                               return py::make_tuple(p.mapped->image.config().mesh_width(),
                                                     p.mapped->image.config().mesh_height());
                             })
      .def("image_bytes", [](const PyMapping& p) { return py::bytes(p.mapped->image.SerializeAsString()); })
      .def("image_text", [](const PyMapping& p) { return image_text(p.mapped->image); })
      .def(
          "stimuli_text",
          [](const PyMapping& p, const py::array& raster) {
            const auto s = raster_stimuli(raster, "raster", p.mapped->input.size());
            if (s.size() != 1) throw InputError("raster: one sample [steps, inputs] per Stimuli message");
            std::string text;
            google::protobuf::TextFormat::PrintToString(p.mapped->stimuli(s.front()), &text);
            return text;
          },
          py::arg("raster"));

  m.def(
      "map",
      [](const PyNetwork& net, const std::string& mesh, const std::string& partition,
         const std::string& place, double headroom, const std::optional<py::array>& samples,
         const std::optional<std::string>& dt, const std::string& reset, uint64_t seed, bool strict,
         uint32_t neurons_per_core, uint32_t axons_per_core, uint32_t synapses_per_core,
         uint32_t fanout_per_core, uint32_t profiles_per_core) {
        mapper::MapOptions o =
            map_options(net, mesh, partition, place, headroom, dt, reset, seed, strict, neurons_per_core,
                        axons_per_core, synapses_per_core, fanout_per_core, profiles_per_core);
        if (samples) o.sample_stimuli = raster_stimuli(*samples, "samples", net.file->network.num_inputs());
        PyMapping r;
        r.file = net.file;
        py::gil_scoped_release release;
        r.mapped = std::make_shared<const mapper::MapResult>(flow::map_network_file(*net.file, o, "samples"));
        r.image = std::shared_ptr<const pb::ChipImage>(r.mapped, &r.mapped->image);
        return r;
      },
      py::arg("net"), py::kw_only(), py::arg("mesh") = "auto", py::arg("partition") = "auto",
      py::arg("place") = "rowmajor", py::arg("headroom") = 0.0, py::arg("samples") = py::none(),
      py::arg("dt") = py::none(), py::arg("reset") = "zero", py::arg("seed") = 1, py::arg("strict") = false,
      py::arg("neurons_per_core") = 0, py::arg("axons_per_core") = 0, py::arg("synapses_per_core") = 0,
      py::arg("fanout_per_core") = 0, py::arg("profiles_per_core") = 0);

  py::class_<PyRun, std::shared_ptr<PyRun>>(m, "Run")
      .def_property_readonly("steps", [](const PyRun& r) { return r.run.steps(); })
      .def_property_readonly("samples", [](const PyRun& r) { return r.samples; })
      .def_property_readonly("steps_per_sample", [](const PyRun& r) { return r.steps_per_sample; });

  py::class_<Chip>(m, "Chip")
      .def(py::init([](const PyMapping& p, const std::string& backend) {
             return std::make_unique<Chip>(p.image, p.mapped, p.file, backend);
           }),
           py::arg("mapping"), py::arg("backend") = "functional")
      .def(py::init([](const PyImage& i, const std::string& backend) {
             return flow::for_file(
                 i.path, [&] { return std::make_unique<Chip>(i.image, nullptr, nullptr, backend); });
           }),
           py::arg("image"), py::arg("backend") = "functional")
      .def("run", &Chip::run, py::arg("stimuli"), py::arg("steps") = 0, py::arg("probes") = std::string())
      .def_property_readonly("backend", &Chip::backend)
      .def("evolve", &Chip::evolve, py::arg("raster"), py::arg("record") = std::vector<std::string>{},
           py::arg("populations") = std::vector<std::string>{})
      .def("compare", &Chip::compare, py::arg("other_backend"), py::arg("raster"));

  m.def("backends", [] { return BackendRegistry::names(); });

  py::class_<PyImage>(m, "Image")
      .def_property_readonly("path", [](const PyImage& i) { return i.path; })
      .def_property_readonly("name", [](const PyImage& i) { return i.image->name(); })
      .def_property_readonly("cores_used", [](const PyImage& i) { return i.image->cores_size(); });
  m.def(
      "load_image",
      [](const std::string& path) {
        PyImage i;
        i.path = path;
        i.image = std::make_shared<const pb::ChipImage>(flow::for_file(path, [&] {
          flow::reject_directory(path);
          pb::ChipImage im = read_image_file(path);
          validate_sealed_image(im);
          return im;
        }));
        return i;
      },
      py::arg("path"));

  // `lifchip image seal IN -o OUT`: the image read and validated, its checksum set, and the bytes the
  // CLI writes to OUT (text for .txtpb/.pbtxt/.textproto, else binary); the package writes them.
  m.def(
      "seal_image",
      [](const std::string& path, const std::string& out) {
        pb::ChipImage im = flow::for_file(path, [&] {
          flow::reject_directory(path);
          return read_image_file(path);
        });
        flow::for_file(path, [&] { seal_image(im); });
        std::string data;
        if (is_text_format_path(out))
          data = image_text(im);
        else if (!im.SerializeToString(&data))
          throw InputError(out + ": cannot serialise the image");
        return py::make_tuple(py::bytes(data), im.checksum());
      },
      py::arg("path"), py::arg("out"));

  m.def(
      "simulate_float",
      [](const PyMapping& p, const py::array& raster) {
        const mapper::MapResult& mr = *p.mapped;
        const auto samples = raster_stimuli(raster, "raster", mr.input.size());
        mapper::FloatSimOptions fo;
        fo.dt = mr.report.dt;
        fo.reset_mode = mr.report.reset_mode;
        std::vector<mapper::NetworkResponse> rs(samples.size());
        {
          py::gil_scoped_release release;
          const mapper::FloatReference ref(p.file->network, fo);
          for (std::size_t s = 0; s < samples.size(); ++s) rs[s] = ref.run(samples[s]);
        }
        return responses_array(rs, samples.front().num_steps, mr.output.size());
      },
      py::arg("mapping"), py::arg("raster"));

  m.def(
      "evaluate",
      [](const PyMapping& p, const py::array& raster,
         const std::optional<py::array_t<int64_t, py::array::forcecast>>& labels, const std::string& backend,
         const std::string& decode, const std::string& model) {
        const mapper::MapResult& mr = *p.mapped;
        flow::EvaluateOptions eo;
        eo.backend = backend;
        const std::string decode_name = flow::auto_decode(decode, mr.output);
        eo.decode = flow::parse_response_decode(decode_name);
        const flow::EnergyModel em = flow::load_energy_model(model);
        std::vector<mapper::NetworkStimulus> samples = raster_stimuli(raster, "raster", mr.input.size());
        std::vector<int> lab;
        if (labels) {
          if (labels->ndim() != 1 || static_cast<std::size_t>(labels->shape(0)) != samples.size())
            throw InputError("labels: expected one class per sample, shape [" +
                             std::to_string(samples.size()) + "]");
          for (py::ssize_t i = 0; i < labels->shape(0); ++i) {
            const int64_t v = labels->at(i);
            if (v < 0 || v > INT32_MAX)
              throw InputError("labels: element " + std::to_string(i) + " is " + std::to_string(v) +
                               "; a class is a non-negative integer");
            lab.push_back(static_cast<int>(v));
          }
        }
        nlohmann::json j;
        {
          py::gil_scoped_release release;
          const flow::Evaluation ev = flow::for_file(
              p.file->path, [&] { return flow::evaluate_samples(p.file->network, mr, samples, lab, eo); });
          flow::EstimateOptions est;
          est.inference_steps = ev.steps_per_sample;
          const flow::Estimate e = flow::estimate(ev.run, &mr.image, em, est);
          j = flow::evaluation_json(ev, mr, e, p.file->path, "raster", backend, decode_name,
                                    flow::evaluation_warnings(ev.agreement));
        }
        return json_to_py(j);
      },
      py::arg("mapping"), py::arg("raster"), py::arg("labels") = py::none(),
      py::arg("backend") = "functional", py::arg("decode") = "auto", py::arg("model") = "loihi1");

  m.def(
      "estimate",
      [](const PyRun& r, const std::string& model, uint32_t inference_steps, double step_rate_hz,
         bool static_all_cores) {
        const flow::EnergyModel em = flow::load_energy_model(model);
        flow::EstimateOptions est;
        est.inference_steps = inference_steps ? inference_steps : r.steps_per_sample;
        if (!(step_rate_hz > 0))
          throw InputError("step_rate: " + std::to_string(step_rate_hz) + " is not > 0");
        est.step_rate_hz = step_rate_hz;
        est.static_all_cores = static_all_cores;
        return json_to_py(flow::estimate_json(flow::estimate(r.run, r.image.get(), em, est)));
      },
      py::arg("run"), py::arg("model") = "loihi1", py::arg("inference_steps") = 0,
      py::arg("step_rate") = 1000.0, py::arg("static_all_cores") = false);

  m.def(
      "neurobench",
      [](const PyRun& r) {
        return json_to_py(flow::neurobench_json(
            flow::neurobench(r.run, *r.image, r.steps_per_sample, r.file ? &r.file->network : nullptr)));
      },
      py::arg("run"));
}
