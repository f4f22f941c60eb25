// `lifchip estimate`: energy per inference and per step, average power, latency and throughput of a
// run, with breakdowns per component, core and link, from a preset or file energy model
// (docs/estimate.md). The run is a RunResult file or is run now from an image and stimuli.
#include <algorithm>
#include <cmath>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli.h"
#include "lifchip/flow/energy.h"
#include "lifchip/flow/neurobench.h"
#include "lifchip/flow/session.h"

namespace lifchip::cli {

namespace {

using flow::Estimate;

struct EstimateCmdOptions {
  RunSource src;
  std::string model = "default";
  flow::EstimateOptions est;
  bool json = false, show_model = false, neurobench = false;
  std::string network;  // --network: the dense connection count of NeuroBench's ConnectionSparsity
};

std::string pct(double part, double whole) {
  std::ostringstream os;
  os.precision(3);
  os << (whole > 0 ? 100 * part / whole : 0) << " %";
  return os.str();
}

}  // namespace

using flow::estimate_json;

std::string estimate_text(const Estimate& e, const flow::EnergyModel& m) {
  std::ostringstream os;
  os << "lifchip estimate: " << e.steps << " steps on backend " << e.backend << ", " << e.inferences
     << " inference(s) of " << e.inference_steps << " steps\n";
  os << "  energy model " << m.name << (m.source.empty() ? "" : " (" + m.source + ")") << ", clock "
     << flow::eng(e.clock_hz, "Hz") << "\n\n";
  Table s({"figure", "value"});
  s.add({"energy per inference", flow::eng(e.energy_per_inference_j, "J")});
  s.add({"energy per step", flow::eng(e.energy_per_step_j, "J")});
  std::ostringstream rate;
  rate << "average power at " << e.step_rate_hz << " steps/s";
  s.add({rate.str(),
         flow::eng(e.average_power_w, "W") + (e.step_rate_feasible ? "" : "  (above the max step rate)")});
  s.add({"latency per step (mean)", flow::eng(e.step_latency_mean_s, "s")});
  s.add({"latency per step (max)", flow::eng(e.step_latency_max_s, "s")});
  s.add({"latency per inference", flow::eng(e.inference_latency_s, "s")});
  std::ostringstream thr, maxr;
  thr.precision(4);
  maxr.precision(4);
  thr << e.inferences_per_s << " inferences/s";
  maxr << e.max_step_rate_hz << " steps/s";
  s.add({"throughput", thr.str()});
  s.add({"max step rate", maxr.str()});
  if (e.noc_transit_per_packet_s > 0)
    s.add({"NoC transit per packet (model hop latencies)", flow::eng(e.noc_transit_per_packet_s, "s")});
  os << s.str();
  os << "  latency: " << e.latency_method << "\n\n";

  os << "energy by component (per inference):\n";
  Table c({"component", "energy", "share"});
  for (const auto& k : e.components)
    c.add({k.component, flow::eng(k.pj * 1e-12 / e.inferences, "J"), pct(k.pj, e.total_pj)});
  c.rule();
  c.add({"total", flow::eng(e.energy_per_inference_j, "J"), "100 %"});
  os << c.str() << "\n";

  std::vector<flow::CoreEnergy> cores = e.cores;
  std::stable_sort(cores.begin(), cores.end(), [](const auto& a, const auto& b) {
    return a.dynamic_pj + a.static_pj > b.dynamic_pj + b.static_pj;
  });
  const std::size_t shown = std::min<std::size_t>(cores.size(), 10);
  os << "energy by core (per inference, "
     << (shown < cores.size() ? "top " + std::to_string(shown) + " of " : "") << cores.size() << " cores):\n";
  Table t({"core", "dynamic", "static", "total", "share"});
  for (std::size_t i = 0; i < shown; ++i) {
    const auto& k = cores[i];
    t.add({"(" + std::to_string(k.x) + "," + std::to_string(k.y) + ")",
           flow::eng(k.dynamic_pj * 1e-12 / e.inferences, "J"),
           flow::eng(k.static_pj * 1e-12 / e.inferences, "J"),
           flow::eng((k.dynamic_pj + k.static_pj) * 1e-12 / e.inferences, "J"),
           pct(k.dynamic_pj + k.static_pj, e.total_pj)});
  }
  os << t.str() << "\n";

  std::vector<flow::LinkLoad> links;
  for (const auto& l : e.links)
    if (l.flits) links.push_back(l);
  std::stable_sort(links.begin(), links.end(),
                   [](const auto& a, const auto& b) { return a.flits > b.flits; });
  if (links.empty()) {
    os << "links: no flit crossed a link\n";
  } else {
    const std::size_t n = std::min<std::size_t>(links.size(), 10);
    os << "busiest links (" << n << " of " << links.size() << " with traffic; flits over the whole run):\n";
    Table l({"link", "flits", "energy"});
    for (std::size_t i = 0; i < n; ++i)
      l.add({"(" + std::to_string(links[i].x) + "," + std::to_string(links[i].y) + ") " + links[i].direction,
             group_digits(links[i].flits), flow::eng(links[i].pj * 1e-12, "J")});
    os << l.str();
  }
  return os.str();
}

namespace {

int estimate_command(const EstimateCmdOptions& o) {
  if (o.show_model) {
    std::cout << flow::format_energy_model(flow::load_energy_model(o.model));
    return kExitOk;
  }
  const flow::EnergyModel model = flow::load_energy_model(o.model);
  pb::ChipImage image;
  bool have_image = false;
  const pb::RunResult r = obtain_result(o.src, &image, &have_image);
  const Estimate e = for_file(o.src.result.empty() ? o.src.image : o.src.result, [&] {
    return flow::estimate(r, have_image ? &image : nullptr, model, o.est);
  });
  if (!o.neurobench) {
    if (!o.network.empty()) throw InputError("option '--network': needs --neurobench");
    if (o.json)
      std::cout << estimate_json(e).dump(1) << "\n";
    else
      std::cout << estimate_text(e, model);
    return kExitOk;
  }
  // NeuroBench's metrics need the image (its neurons, synapses and load stream).
  if (!have_image) throw InputError("--neurobench: give the run's image with --image");
  std::optional<flow::NetworkFile> net;
  if (!o.network.empty()) net = flow::load_network_file(o.network);
  const flow::NeuroBenchMetrics nb = for_file(o.src.result.empty() ? o.src.image : o.src.result, [&] {
    return flow::neurobench(r, image, e.inference_steps, net ? &net->network : nullptr);
  });
  if (o.json) {
    nlohmann::json j = estimate_json(e);
    j["neurobench"] = flow::neurobench_json(nb);
    std::cout << j.dump(1) << "\n";
  } else {
    std::cout << estimate_text(e, model) << "\n" << flow::neurobench_text(nb);
  }
  return kExitOk;
}

}  // namespace

void add_estimate_command(CLI::App& app, Action& action) {
  auto o = std::make_shared<EstimateCmdOptions>();
  CLI::App* sub = app.add_subcommand(
      "estimate",
      "Energy, power, latency and throughput of a run, per component, core and link (docs/estimate.md)");
  add_run_source_options(sub, o->src);
  add_estimate_options(sub, o->model, o->est);
  sub->add_flag("--show-model", o->show_model, "Print the energy model in its file format and exit");
  sub->add_flag("--json", o->json, "Print the estimate as JSON");
  sub->add_flag("--neurobench", o->neurobench,
                "Also NeuroBench's metrics from the counters (Footprint, ConnectionSparsity, ActivationSparsity, "
                "SynapticOperations, MembraneUpdates, NeuronOperations; needs --image)");
  sub->add_option("--network", o->network,
                  "With --neurobench: the network the image was mapped from (ConnectionSparsity, Dense SynOps)");
  sub->callback([&action, o] {
    if (!o->show_model && o->src.result.empty() && o->src.image.empty())
      throw CLI::ValidationError("estimate",
                                 "give a RESULT file (from `lifchip run -o`), or --image to run now");
    action = [o] { return estimate_command(*o); };
  });
}

}  // namespace lifchip::cli
