// `lifchip evaluate NETWORK --inputs X.npy [--labels Y.npy]`: the researcher's question "how
// accurate is my network on the chip, against float": map it (every option of `map`), run every
// sample from a reset chip and in the float reference, and print agreement, accuracy and the energy
// and latency per inference (docs/cli.md, "evaluate"). A thin caller of flow::evaluate_samples.
#include <filesystem>
#include <iostream>
#include <memory>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "cli.h"
#include "lifchip/flow/bindings.h"
#include "lifchip/flow/evaluate.h"
#include "lifchip/flow/session.h"

namespace lifchip::cli {

namespace {

struct EvaluateCliOptions {
  std::string inputs, labels, backend = "functional", decode = "auto", encoding, model = "loihi1", image, bindings;
  uint32_t steps = 0, max_samples = 0;
  double max_value = 1;
  uint64_t seed = 1;
  bool populations = false;
};

std::string percent(double v) {
  std::ostringstream os;
  os.precision(4);
  os << 100 * v << " %";
  return os.str();
}

std::string fixed3(double v) {
  std::ostringstream os;
  os.setf(std::ios::fixed);
  os.precision(3);
  os << v;
  return os.str();
}

const char* decode_meaning(flow::ResponseDecode d) {
  switch (d) {
    case flow::ResponseDecode::kCount: return "the output with the largest sum over steps (spike count)";
    case flow::ResponseDecode::kMean: return "the output with the largest mean over steps";
    case flow::ResponseDecode::kMax: return "the output with the largest value at any step";
    case flow::ResponseDecode::kLast: return "the output with the largest value at the last step";
    case flow::ResponseDecode::kFirst: return "the first output to move (first spike)";
  }
  return "";
}

// --image + --bindings: a stored mapping of the network (what `map -o IMG --bindings B` wrote)
// instead of mapping it now; the network itself still gives the float reference.
NetworkMapping stored_mapping(const EvaluateCliOptions& o, const std::function<NetworkMapping(bool)>& map) {
  if (o.image.empty() != o.bindings.empty())
    throw InputError("options '--image' and '--bindings': give both (a stored mapping) or neither");
  NetworkMapping nm = map(false);
  reject_directory(o.image);
  reject_directory(o.bindings);
  nm.mapped.image = for_file(o.image, [&] {
    pb::ChipImage im = read_image_file(o.image);
    validate_sealed_image(im);
    return im;
  });
  const flow::Bindings b =
      for_file(o.bindings, [&] { return flow::parse_bindings(flow::read_file_bytes(o.bindings), o.bindings); });
  if (b.input.size() != nm.network.num_inputs())
    throw InputError(o.bindings + ": " + std::to_string(b.input.size()) + " inputs, but " + nm.path + " has " +
                     std::to_string(nm.network.num_inputs()) + ": not a mapping of this network");
  nm.mapped.input = b.input;
  nm.mapped.output = b.output;
  nm.mapped.report.dt = b.dt;
  nm.mapped.report.reset_mode = b.reset_mode;
  nm.mapped.report.fit.cores_used = static_cast<uint32_t>(nm.mapped.image.cores_size());
  nm.mapped.report.fit.message = "the stored image " + o.image + " (" + std::to_string(nm.mapped.image.cores_size()) +
                                 " cores) with " + o.bindings;
  return nm;
}

int evaluate_command(const EvaluateCliOptions& o, const std::function<NetworkMapping(bool)>& map) {
  if (o.decode != "auto") flow::parse_response_decode(o.decode);  // a bad name fails before any work
  const flow::EnergyModel model = flow::load_energy_model(o.model);
  reject_directory(o.inputs);
  // Inputs first (a bad file fails before the mapping work), then labels, then the mapping.
  std::vector<mapper::NetworkStimulus> samples = for_file(o.inputs, [&] {
    if (o.encoding.empty()) return flow::read_spike_samples(o.inputs, o.steps);
    return flow::encoded_samples(flow::read_matrix(o.inputs), o.inputs, o.encoding, o.steps, o.max_value, o.seed);
  });
  if (o.max_samples && samples.size() > o.max_samples) samples.resize(o.max_samples);
  std::vector<int> labels;
  if (!o.labels.empty()) {
    reject_directory(o.labels);
    labels = for_file(o.labels, [&] { return flow::read_labels(o.labels); });
    if (o.max_samples && labels.size() > o.max_samples) labels.resize(o.max_samples);
    if (labels.size() != samples.size())
      throw InputError(o.labels + ": " + std::to_string(labels.size()) + " labels for " +
                       std::to_string(samples.size()) + " samples in " + o.inputs);
  }
  if (o.populations && !(o.image.empty() && o.bindings.empty()))
    throw InputError("option '--populations': maps the network with its populations routed to the host, so it "
                     "cannot use a stored mapping (--image, --bindings)");
  NetworkMapping nm;
  if (o.populations) {  // every spiking population routed to the host as well, compared spike for spike
    nm = map(false);
    nm.network = flow::observe_populations(nm.network, nullptr);
    nm.mapped = for_file(nm.path, [&] {
      try {
        return flow::map_network_file(flow::NetworkFile{nm.path, nm.network, {}}, nm.options, "--samples");
      } catch (const InputError& e) {
        throw InputError(std::string("--populations (every hidden neuron routed to the host too): ") + e.what());
      }
    });
  } else {
    nm = o.image.empty() && o.bindings.empty() ? map(true) : stored_mapping(o, map);
  }
  const mapper::MapResult& mapped = nm.mapped;
  // The network's own outputs come first; observed populations' ports follow (their populations
  // were added last, and ports follow population order).
  uint32_t own_outputs = 0;
  bool observed_seen = false;
  for (const mapper::PortSlice& p : mapped.output.ports) {
    const bool observed = p.name.rfind(flow::kObservePrefix, 0) == 0 && o.populations;
    if (!observed && observed_seen) throw std::logic_error("evaluate: an observed port precedes an output port");
    observed_seen |= observed;
    if (!observed) own_outputs += p.size;
  }
  for (std::size_t i = 0; i < samples.size(); ++i)
    for (const mapper::SpikeEvent& e : samples[i].spikes)
      if (e.index >= mapped.input.size())
        throw InputError(o.inputs + ": sample " + std::to_string(i) + " has a spike on input " +
                         std::to_string(e.index) + "; " + nm.path + " has " + std::to_string(mapped.input.size()) +
                         " inputs");

  // auto: spike outputs by count, read-out outputs (LI/CubaLI v) by their maximum over time (as
  // Norse's and SpyTorch's classifiers decode them).
  const std::string decode_name = flow::auto_decode(o.decode, mapped.output);
  const flow::ResponseDecode decode = flow::parse_response_decode(decode_name);
  flow::EvaluateOptions eo;
  eo.backend = o.backend;
  eo.decode = decode;
  eo.class_outputs = own_outputs;
  Progress progress("lifchip evaluate", "samples");
  eo.on_sample = [&](uint64_t done, uint64_t total) { progress(done, total); };
  const flow::Evaluation ev = for_file(nm.path, [&] { return flow::evaluate_samples(nm.network, mapped, samples, labels, eo); });
  progress.finish();
  const flow::Agreement& a = ev.agreement;
  flow::EstimateOptions est;
  est.inference_steps = ev.steps_per_sample;
  const flow::Estimate e = flow::estimate(ev.run, &mapped.image, model, est);

  // What is likely wrong, said once on stderr.
  const std::vector<std::string> warnings = flow::evaluation_warnings(a);

  if (nm.json) {
    nlohmann::json j = flow::evaluation_json(ev, mapped, e, nm.path, o.inputs, o.backend, decode_name, warnings);
    // Observed populations' ports go under "populations", by their own names.
    nlohmann::json ports = nlohmann::json::array(), pops = nlohmann::json::array();
    for (nlohmann::json p : j["ports"]) {
      const std::string name = p["name"].get<std::string>();
      const bool observed = o.populations && name.rfind(flow::kObservePrefix, 0) == 0;
      if (observed) p["name"] = name.substr(std::string(flow::kObservePrefix).size());
      (observed ? pops : ports).push_back(std::move(p));
    }
    j["ports"] = ports;
    if (o.populations) j["populations"] = pops;
    std::cout << j.dump(1) << "\n";
    print_warnings(nm.path, mapped.report.fit.warnings);
    print_warnings(o.inputs, warnings);
    return kExitOk;
  }
  std::cout << "lifchip evaluate: " << nm.path << " (" << mapped.input.size() << " inputs, " << mapped.output.size()
            << " outputs), " << a.samples << " samples of " << samples.front().num_steps << " steps from " << o.inputs
            << ", on the " << o.backend << " model\n"
            << "  mapped: " << mapped.report.fit.message << " (mesh " << mapped.image.config().mesh_width() << "x"
            << mapped.image.config().mesh_height() << ", dt " << mapped.report.dt * 1e3 << " ms)\n"
            << "  decode: " << decode_name << (o.decode == "auto" ? " (auto)" : "") << ", " << decode_meaning(decode)
            << "\n\n";
  Table t({"figure", "chip", "float"});
  if (a.chip_accuracy) t.add({"accuracy", percent(*a.chip_accuracy), percent(*a.float_accuracy)});
  t.add({"same class on chip and in float",
         percent(a.samples ? double(a.argmax_equal) / double(a.samples) : 0.0) + " (" +
             std::to_string(a.argmax_equal) + " / " + std::to_string(a.samples) + ")",
         ""});
  t.add({"output (step, output) cells equal", percent(a.spike_agreement), ""});
  t.add({"output count correlation", fixed3(a.count_correlation), ""});
  t.add({"silent samples (outputs never move)", std::to_string(a.chip_silent), std::to_string(a.float_silent)});
  t.add({"energy per inference (" + model.name + ")", flow::eng(e.energy_per_inference_j, "J"), ""});
  t.add({"latency per inference (" + std::to_string(ev.steps_per_sample) + " steps)",
         flow::eng(e.inference_latency_s, "s"), ""});
  std::cout << t.str() << "  latency: " << e.latency_method << "\n\n";
  Table p({"output port", "cells equal", "count correlation", "chip events", "float events"});
  Table q({"population", "cells equal", "count correlation", "chip spikes", "float spikes"});
  for (const auto& port : a.ports) {
    const bool observed = o.populations && port.name.rfind(flow::kObservePrefix, 0) == 0;
    (observed ? q : p)
        .add({observed ? port.name.substr(std::string(flow::kObservePrefix).size()) : port.name,
              percent(port.spike_agreement), fixed3(port.count_correlation), fixed3(port.chip_events),
              fixed3(port.float_events)});
  }
  std::cout << p.str();
  if (o.populations)
    std::cout << "\n  populations (routed to the host for the comparison; the mapping, energy and latency above "
                 "are of that observed network)\n"
              << q.str();
  print_warnings(nm.path, mapped.report.fit.warnings);
  print_warnings(o.inputs, warnings);
  return kExitOk;
}

}  // namespace

void add_evaluate_command(CLI::App& app, Action& action) {
  auto o = std::make_shared<EvaluateCliOptions>();
  CLI::App* sub = app.add_subcommand(
      "evaluate", "How accurate is a network on the chip, against float: map it, run samples on a chip model "
                  "and in the float reference, compare");
  const std::function<NetworkMapping(bool)> map = add_network_mapping(sub);
  sub->add_option("--inputs", o->inputs,
                  "Sample inputs: a spike raster [samples, steps, inputs] (.npy, 0/1), argwhere rows (sample, "
                  "step, input), or analogue data [samples, inputs] with --encoding")
      ->required();
  sub->add_option("--labels", o->labels, "True classes, one per sample (.npy or .csv): accuracy on chip and in float");
  sub->add_option("--backend", o->backend, "Chip model")->capture_default_str();
  sub->add_option("--decode", o->decode,
                  "How outputs become a class: count | mean | max | last | first (auto: count for spike "
                  "outputs, max for read-outs)")
      ->check(CLI::IsMember({"auto", "count", "mean", "max", "last", "first"}))
      ->capture_default_str();
  sub->add_option("--encoding", o->encoding, "Analogue inputs: rate | latency coding")
      ->check(CLI::IsMember({"rate", "latency"}));
  sub->add_option("--steps", o->steps,
                  "Steps per sample (with --encoding; for argwhere rows, default 1 + the largest step)")
      ->check(CLI::Range(uint32_t{1}, uint32_t{1} << 16));
  sub->add_option("--max", o->max_value, "With --encoding: the full-scale input value")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  sub->add_option("--encoding-seed", o->seed, "With --encoding rate: the seed (each sample its own stream)")
      ->capture_default_str();
  sub->add_option("--max-samples", o->max_samples, "Evaluate only the first N samples (0: all)")
      ->capture_default_str();
  sub->add_option("--image", o->image, "A stored mapping: the image `lifchip map -o` wrote (with --bindings)");
  sub->add_option("--bindings", o->bindings, "A stored mapping: the bindings `lifchip map --bindings` wrote");
  sub->add_option("--model", o->model, "Energy model: loihi1, truenorth, default or a file")->capture_default_str();
  sub->add_flag("--populations", o->populations,
                "Also compare every hidden spiking population, spike for spike (each is routed to the host "
                "for it: the mapping, energy and latency are those of the observed network)");
  sub->callback([&action, o, map] { action = [o, map] { return evaluate_command(*o, map); }; });
}

}  // namespace lifchip::cli
