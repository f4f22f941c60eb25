// `lifchip demo`: the whole flow on the bundled trained network (8x8 digits, NIR): map it, encode the
// test images (latency coding), run them on the SystemC model, and print accuracy (chip vs float),
// energy per inference, latency, and where the HTML report is.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli.h"
#include "lifchip/backend.h"
#include "lifchip/mapper/map.h"
#include "lifchip/run.h"
#include "lifchip/flow/data.h"
#include "lifchip/flow/encode.h"
#include "lifchip/flow/energy.h"
#include "lifchip/flow/evaluate.h"
#include "lifchip/flow/report.h"

#ifndef LIFCHIP_EXAMPLES_DIR
#define LIFCHIP_EXAMPLES_DIR "tools/examples"
#endif

namespace lifchip::cli {

using flow::estimate_json;

namespace {

struct DemoOptions {
  std::string network, data, labels, report = "lifchip_demo_report.html", backend = "systemc",
                                     model = "loihi1";
  uint32_t samples = 0, steps = 10, gap = 2;  // samples 0: all
  double max_value = 16;
  bool json = false;
};

// The bundled files: under the current directory (the repository root, as the README runs it),
// else beside an installed program (PREFIX/bin/lifchip -> PREFIX/share/lifchip/examples, where
// cmake --install puts them), else where the build found the sources.
std::string example(const std::string& name) {
  const std::string here = "tools/examples/" + name;
  std::error_code ec;
  if (std::filesystem::exists(here, ec)) return here;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const std::filesystem::path installed =
        exe.parent_path().parent_path() / "share" / "lifchip" / "examples" / name;
    if (std::filesystem::exists(installed, ec)) return installed.string();
  }
  return std::string(LIFCHIP_EXAMPLES_DIR) + "/" + name;
}

int demo_command(const DemoOptions& o) {
  const std::string network_path = o.network.empty() ? example("digits.nir") : o.network;
  const std::string data_path = o.data.empty() ? example("digits_test_x.npy") : o.data;
  const std::string labels_path = o.labels.empty() ? example("digits_test_y.npy") : o.labels;
  check_writable(o.report);
  const flow::EnergyModel model = flow::load_energy_model(o.model);

  // 1. Import and map.
  const mapper::Network net = for_file(network_path, [&] { return mapper::import_network(network_path); });
  mapper::MapOptions mo;
  mo.image_name = std::filesystem::path(network_path).stem().string();
  const mapper::MapResult mapped = for_file(network_path, [&] { return mapper::map_network(net, mo); });
  const uint32_t inputs = mapped.input.size(), outputs = mapped.output.size();

  // 2. Data and labels.
  const flow::Matrix x = for_file(data_path, [&] { return flow::read_matrix(data_path); });
  const flow::Matrix y = for_file(labels_path, [&] { return flow::read_matrix(labels_path); });
  if (x.cols != inputs)
    throw InputError(data_path + ": " + std::to_string(x.cols) + " columns, but the network has " +
                     std::to_string(inputs) + " inputs");
  if (y.values.size() != x.rows)
    throw InputError(labels_path + ": " + std::to_string(y.values.size()) + " labels for " +
                     std::to_string(x.rows) + " samples in " + data_path);
  const uint32_t samples =
      static_cast<uint32_t>(o.samples ? std::min<std::size_t>(o.samples, x.rows) : x.rows);
  if (samples == 0) throw InputError(data_path + ": no samples");
  const uint32_t period = o.steps + o.gap;

  // 3. Encode, run on the chip model, decode; the float reference on the same spikes.
  std::unique_ptr<Backend> backend = BackendRegistry::create(o.backend);
  mapper::FloatSimOptions fo;
  fo.dt = mapped.report.dt;
  fo.reset_mode = mo.reset_mode;
  pb::RunResult all;
  pb::Stimuli all_stimuli;
  uint32_t chip_correct = 0, float_correct = 0, agree = 0;
  Progress progress("lifchip demo", "samples");
  for (uint32_t i = 0; i < samples; ++i) {
    std::vector<double> row(x.values.begin() + static_cast<std::ptrdiff_t>(i * x.cols),
                            x.values.begin() + static_cast<std::ptrdiff_t>((i + 1) * x.cols));
    const std::vector<flow::ChannelSpike> ev = for_file(data_path, [&] {
      try {
        return flow::latency_encode(row, o.steps, o.max_value);
      } catch (const InputError& e) {
        throw InputError("row " + std::to_string(i) + ", " + e.what());
      }
    });
    mapper::NetworkStimulus ns;
    ns.num_steps = period;
    for (const flow::ChannelSpike& s : ev) ns.spikes.push_back({s.step, s.channel});
    const pb::Stimuli st = mapped.stimuli(ns);
    backend->load(mapped.image);  // every sample starts from the image's initial state
    RunOptions ro;
    ro.steps = period;
    pb::RunResult r = run(*backend, st, ro);
    const int chip = mapped.decode(r).argmax();
    const int flt = mapper::simulate_float(net, fo, ns).argmax();
    const int label = static_cast<int>(y.values[i]);
    chip_correct += chip == label ? 1 : 0;
    float_correct += flt == label ? 1 : 0;
    agree += chip == flt ? 1 : 0;
    flow::append_run(all, r);
    for (const pb::StepInput& s : st.steps()) {
      pb::StepInput* t = all_stimuli.add_steps();
      *t = s;
      t->set_step(s.step() + i * period);
    }
    progress(i + 1, samples);
  }
  progress.finish();
  all.set_image_name(mapped.image.name());

  // 4. Estimate and report.
  flow::EstimateOptions eo;
  eo.inference_steps = period;
  const flow::Estimate e = flow::estimate(all, &mapped.image, model, eo);
  const nlohmann::json mapping = nlohmann::json::parse(mapped.report.json());
  flow::ReportInputs in;
  in.title = "lifchip demo: " + mo.image_name + " on the " + o.backend + " model";
  in.result = &all;
  in.image = &mapped.image;
  in.stimuli = &all_stimuli;
  in.inputs = &mapped.input;
  in.mapping = &mapping;
  in.estimate = &e;
  std::ostringstream acc;
  acc << chip_correct << " / " << samples << " chip, " << float_correct << " / " << samples << " float";
  in.facts = {
      {"network", network_path},
      {"test data", data_path},
      {"accuracy", acc.str()},
      {"encoding", "latency, " + std::to_string(o.steps) + " steps + " + std::to_string(o.gap) + " rest"}};
  write_text_file(o.report, flow::report_html(in));

  const double chip_acc = static_cast<double>(chip_correct) / samples,
               float_acc = static_cast<double>(float_correct) / samples;
  if (o.json) {
    nlohmann::json j{{"network", network_path},
                     {"samples", samples},
                     {"backend", o.backend},
                     {"cores_used", mapped.report.fit.cores_used},
                     {"fit", mapped.report.fit.message},
                     {"chip_accuracy", chip_acc},
                     {"float_accuracy", float_acc},
                     {"chip_float_agreement", static_cast<double>(agree) / samples},
                     {"estimate", estimate_json(e)},
                     {"report", o.report}};
    std::cout << j.dump(1) << "\n";
    return kExitOk;
  }
  const ChipShape shape = chip_shape(mapped.image.config());
  std::cout << "lifchip demo: " << network_path << " (" << inputs << " inputs, " << outputs << " outputs)\n"
            << "  mapped: " << mapped.report.fit.message << " (mesh " << shape.width << " x " << shape.height
            << ")\n"
            << "  " << samples << " test images of " << data_path << ", latency-coded in " << o.steps
            << " steps (+" << o.gap << " rest), run on the " << o.backend << " model\n\n";
  Table t({"figure", "value"});
  std::ostringstream ca, fa, ag;
  ca.precision(4);
  fa.precision(4);
  ag.precision(4);
  ca << 100 * chip_acc << " % (" << chip_correct << " / " << samples << ")";
  fa << 100 * float_acc << " % (" << float_correct << " / " << samples << ")";
  ag << 100.0 * agree / samples << " % of images";
  t.add({"accuracy on the chip", ca.str()});
  t.add({"accuracy of the float network", fa.str()});
  t.add({"chip and float predict the same class", ag.str()});
  t.add({"energy per inference (" + model.name + ")", flow::eng(e.energy_per_inference_j, "J")});
  t.add({"latency per inference (" + std::to_string(period) + " steps)",
         flow::eng(e.inference_latency_s, "s")});
  t.add({"latency per step (mean)", flow::eng(e.step_latency_mean_s, "s")});
  std::ostringstream thr;
  thr.precision(4);
  thr << e.inferences_per_s << " inferences/s";
  t.add({"throughput", thr.str()});
  std::cout << t.str() << "  latency: " << e.latency_method << "\n\n"
            << "report: " << std::filesystem::absolute(o.report).string() << "\n";
  return kExitOk;
}

}  // namespace

void add_demo_command(CLI::App& app, Action& action) {
  auto o = std::make_shared<DemoOptions>();
  CLI::App* sub = app.add_subcommand(
      "demo", "The whole flow on the bundled trained digits network: map, encode, run on SystemC, report");
  sub->add_option("--network", o->network,
                  "Trained network (NIR or our protobuf; default: tools/examples/digits.nir)");
  sub->add_option("--data", o->data,
                  "Test inputs, one row per sample (default: tools/examples/digits_test_x.npy)");
  sub->add_option("--labels", o->labels, "Test labels (default: tools/examples/digits_test_y.npy)");
  sub->add_option("--samples", o->samples, "Test samples to run; 0 = every row of the data")
      ->check(CLI::Range(uint32_t{0}, uint32_t{1} << 20))
      ->capture_default_str();
  sub->add_option("--steps", o->steps, "Latency-coding steps per sample")
      ->check(CLI::Range(uint32_t{1}, uint32_t{1} << 16))
      ->capture_default_str();
  sub->add_option("--gap", o->gap, "Steps after the inputs for the outputs to answer")
      ->check(CLI::Range(uint32_t{0}, uint32_t{1} << 16))
      ->capture_default_str();
  sub->add_option("--max", o->max_value, "The input value that spikes first")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  sub->add_option("--backend", o->backend, "Chip model")->capture_default_str();
  sub->add_option("--model", o->model, "Energy model: loihi1, truenorth, default or a file")
      ->capture_default_str();
  sub->add_option("--report", o->report, "Where to write the HTML report")->capture_default_str();
  sub->add_flag("--json", o->json, "Print the results as JSON");
  sub->callback([&action, o] { action = [o] { return demo_command(*o); }; });
}

}  // namespace lifchip::cli
