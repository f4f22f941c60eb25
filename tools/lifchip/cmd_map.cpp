// `lifchip import|fit|map`: a trained network (NIR or our protobuf) to our network format, to a
// fit verdict, or to a chip image with its report and host bindings (docs/mapper.md).
#include <iostream>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli.h"
#include "lifchip/mapper/map.h"
#include "lifchip/flow/bindings.h"
#include "lifchip/flow/data.h"
#include "lifchip/flow/evaluate.h"
#include "lifchip/flow/session.h"

namespace lifchip::cli {

namespace {

namespace m = lifchip::mapper;

struct MapCliOptions {
  std::string input, output, report, bindings, mesh = "auto", reset = "zero", samples, dt = "auto";
  std::vector<std::string> readouts;
  bool json = false;
  m::MapOptions map;
  uint32_t sample_steps = 0;
};

void add_map_options(CLI::App* c, MapCliOptions* o) {
  c->add_option("NETWORK", o->input, "Network: NIR (.nir/.h5/.hdf5) or our protobuf (.pb/.txtpb/...)")
      ->required();
  c->add_option("--readout", o->readouts,
                "Read this population out as its membrane potential (LIF -> LI, CubaLIF -> CubaLI: read-out "
                "neurons that never spike, spec §2.6); repeatable");
  c->add_option("--mesh", o->mesh,
                "Mesh size: auto (the smallest near-square mesh the network fits: 1x1, 2x1, 2x2, 3x2, ...) "
                "or WxH (at most 16x16)")
      ->capture_default_str();
  c->add_option("--neurons-per-core", o->map.neurons_per_core,
                "Neurons per core (default 256, at most 1024)");
  c->add_option("--axons-per-core", o->map.axons_per_core,
                "Input axons per core (default 1024, at most 4096)");
  c->add_option("--synapses-per-core", o->map.synapses_per_core,
                "Synapse entries per core (default 16384, at most 65536)");
  c->add_option("--fanout-per-core", o->map.fanout_per_core,
                "Fan-out entries per core (default 4096, at most 16384)");
  c->add_option("--profiles-per-core", o->map.profiles_per_core,
                "Neuron profiles per core (default 8, at most 16)");
  c->add_option("--partition", o->map.partition,
                "Partition strategy: auto (greedy, then optimise if greedy does not fit) | greedy | optimise")
      ->capture_default_str();
  c->add_option("--place", o->map.place, "Place strategy: rowmajor | optimise")->capture_default_str();
  c->add_option("--seed", o->map.seed, "Seed of the optimisers")->capture_default_str();
  c->add_option("--dt", o->dt,
                "Time step in seconds, or auto: the network's, else what the producer's NIR export implies "
                "(snnTorch: tau_mem / r), else 0.001 with a warning")
      ->capture_default_str();
  c->add_option("--reset", o->reset, "Reset mode: zero (v := v_reset) | subtract (v := v - threshold)")
      ->capture_default_str();
  c->add_option("--samples", o->samples,
                "Sample input spikes (.npy or .csv, rows (sample, step, input), e.g. numpy.argwhere of a "
                "raster): they calibrate each population's range and weight the traffic objective");
  c->add_option("--sample-steps", o->sample_steps, "Steps per sample (default: 1 + the largest step)");
  c->add_option("--headroom", o->map.headroom,
                "Range of u and v in thresholds, 1 ... 4096 (default: calibrated on --samples, else 32)");
  c->add_flag("--json", o->json, "Print the report as JSON");
  c->add_flag(
      "--strict", o->map.strict,
      "Treat every warning (guessed dt, dt > a time constant, tau error > 5 %, > 1 % of a projection's "
      "weights lost, a silent float reference) as an error");
}

void finish_options(MapCliOptions& o) {
  flow::parse_mesh_option(o.mesh, o.map);
  flow::parse_dt_option(o.dt, o.map);
  o.map.reset_mode = flow::parse_reset_option(o.reset);
  if (!o.samples.empty())
    o.map.sample_stimuli = for_file(o.samples, [&] { return flow::read_spike_samples(o.samples, o.sample_steps); });
  else if (o.sample_steps != 0)
    throw InputError("option '--sample-steps': needs --samples");
}

m::Network load(const std::string& path, m::Report* report, const std::vector<std::string>& readouts = {}) {
  flow::NetworkFile f = flow::load_network_file(path, readouts);
  if (report) *report = f.import_report;
  return std::move(f.network);
}

// Sample spikes must address the network's inputs (its input ports, concatenated).
void check_sample_inputs(const MapCliOptions& o, const m::Network& net) {
  flow::check_sample_inputs(o.map.sample_stimuli, net.num_inputs(), o.samples, o.input);
}

// Warnings go to stderr only when the command succeeds: a failure stays one line.

nlohmann::json fit_json(const m::FitResult& f) {
  return {{"fits", f.fits},
          {"mesh", {{"width", f.mesh_width}, {"height", f.mesh_height}, {"rule", f.mesh_rule}}},
          {"partition", {{"strategy", f.partition}, {"rule", f.partition_rule}}},
          {"dt_s", f.dt},
          {"dt_rule", f.dt_rule},
          {"producer", f.producer},
          {"warnings", f.warnings},
          {"cores_used", f.cores_used},
          {"cores_available", f.cores_available},
          {"binding_limit", f.binding_limit},
          {"where", f.where},
          {"needed", f.needed},
          {"limit", f.limit},
          {"headroom", f.headroom},
          {"message", f.message}};
}

int do_import(const MapCliOptions& o) {
  m::Report report;
  const m::Network net = load(o.input, &report);
  if (!o.output.empty()) {
    check_writable(o.output);
    m::write_network_file(o.output, m::to_proto(net));
  }
  const m::ReportSection* sec = report.section("import");
  if (o.json) {
    nlohmann::json j;
    j["file"] = o.input;
    nlohmann::json figs = nlohmann::json::object();
    for (const auto& [k, v] : sec->figures) figs[k] = v;
    j["figures"] = figs;
    j["notes"] = sec->notes;
    nlohmann::json pops = nlohmann::json::array();
    for (auto v : net.populations()) {
      const auto& p = net.population(v);
      pops.push_back({{"name", p.name},
                      {"kind", m::kind_name(p.kind)},
                      {"size", p.size},
                      {"source_node", p.source_node}});
    }
    j["populations"] = pops;
    if (!o.output.empty()) j["written"] = o.output;
    std::cout << j.dump(2) << "\n";
    return kExitOk;
  }
  Table t({"population", "kind", "size", "node"});
  for (auto v : net.populations()) {
    const auto& p = net.population(v);
    t.add({p.name, m::kind_name(p.kind), group_digits(p.size), p.source_node});
  }
  std::cout << "Network " << o.input << "\n" << t.str();
  for (const auto& [k, v] : sec->figures) std::cout << "  " << k << ": " << v << "\n";
  for (const auto& n : sec->notes) std::cout << "  note: " << n << "\n";
  if (!o.output.empty()) std::cout << "Wrote " << o.output << "\n";
  return kExitOk;
}

int do_fit(MapCliOptions o) {
  finish_options(o);
  const m::Network net = load(o.input, nullptr, o.readouts);
  check_sample_inputs(o, net);
  const m::FitResult f = for_file(o.input, [&] { return m::fit_network(net, o.map); });
  if (o.json) {
    // Machine output either way; the exit code says whether it fits.
    std::cout << fit_json(f).dump(2) << "\n";
    if (f.fits) print_warnings(o.input, f.warnings);
    return f.fits ? kExitOk : kExitBadInput;
  }
  if (!f.fits) throw InputError(o.input + ": does not fit: " + f.message);
  std::cout << "fits: " << f.message << "\n  " << f.mesh_rule << "\n  " << f.partition_rule << "\n  "
            << f.dt_rule << "\n  producer convention: " << f.producer << "\n";
  print_warnings(o.input, f.warnings);
  return kExitOk;
}

// Import and map (options already finished), the import's report sections in front of the map's.
NetworkMapping import_and_map(MapCliOptions& o, bool map = true) {
  NetworkMapping nm;
  nm.path = o.input;
  nm.json = o.json;
  flow::NetworkFile f = flow::load_network_file(o.input, o.readouts);
  check_sample_inputs(o, f.network);
  nm.options = o.map;
  if (map) nm.mapped = flow::map_network_file(f, o.map, o.samples);
  nm.network = std::move(f.network);
  return nm;
}

int do_map(MapCliOptions o) {
  finish_options(o);
  check_writable(o.output);
  if (!o.report.empty()) check_writable(o.report);
  if (!o.bindings.empty()) check_writable(o.bindings);
  const m::MapResult r = import_and_map(o).mapped;
  // Everything is computed before anything is written: no partial outputs on failure.
  const std::string text = o.json ? r.report.json() + "\n" : r.report.table();
  write_output(o.output, r.image);
  if (!o.report.empty()) write_text_file(o.report, r.report.json() + "\n");
  if (!o.bindings.empty()) write_text_file(o.bindings, flow::bindings_json(r));
  std::cout << text;
  if (!o.json) std::cout << "\nWrote " << o.output << " (" << r.image.cores_size() << " cores)\n";
  print_warnings(o.input, r.report.fit.warnings);
  return kExitOk;
}

}  // namespace

std::function<NetworkMapping(bool)> add_network_mapping(CLI::App* sub) {
  auto o = std::make_shared<MapCliOptions>();
  add_map_options(sub, o.get());
  return [o](bool map) {
    MapCliOptions x = *o;
    finish_options(x);
    return import_and_map(x, map);
  };
}

void add_map_commands(CLI::App& app, Action& action) {
  auto io = std::make_shared<MapCliOptions>();
  CLI::App* i = app.add_subcommand(
      "import", "Read a NIR or protobuf network; summarise it or write our protobuf format");
  i->add_option("NETWORK", io->input, "Network: NIR (.nir/.h5/.hdf5) or our protobuf (.pb/.txtpb/...)")
      ->required();
  i->add_option("-o,--output", io->output,
                "Write the network in our format (.txtpb/.pbtxt/.textproto = text, else binary)");
  i->add_flag("--json", io->json, "Print the summary as JSON");
  i->callback([&action, io] { action = [io] { return do_import(*io); }; });

  auto fo = std::make_shared<MapCliOptions>();
  CLI::App* f = app.add_subcommand("fit",
                                   "Dry run: does the network fit the chip, on how many cores, which limit "
                                   "binds (exit 1 if it does not fit)");
  add_map_options(f, fo.get());
  f->callback([&action, fo] { action = [fo] { return do_fit(*fo); }; });

  auto mo = std::make_shared<MapCliOptions>();
  CLI::App* c = app.add_subcommand("map", "Map a network to a chip image, with the mapping report");
  add_map_options(c, mo.get());
  c->add_option("-o,--output", mo->output,
                "Chip image to write (.txtpb/.pbtxt/.textproto = text, else binary)")
      ->required();
  c->add_option("--report", mo->report, "Also write the report as JSON to this file");
  c->add_option("--bindings", mo->bindings,
                "Write the host bindings (input targets, output channels) as JSON");
  c->callback([&action, mo] { action = [mo] { return do_map(*mo); }; });
}

}  // namespace lifchip::cli
