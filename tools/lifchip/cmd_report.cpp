// `lifchip report`: one self-contained HTML page (inline SVG, no scripts or external files) on a
// run: raster, utilisation and energy on the mesh, NoC link load, cycles per step, mapper tables.
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>

#include <nlohmann/json.hpp>

#include "cli.h"
#include "lifchip/flow/bindings.h"
#include "lifchip/flow/data.h"
#include "lifchip/flow/energy.h"
#include "lifchip/flow/report.h"
#include "lifchip/json_read.h"

namespace lifchip::cli {

namespace {

struct ReportCmdOptions {
  RunSource src;
  std::string output, mapping, bindings, model = "default", svg_dir, title;
  flow::EstimateOptions est;
  bool json = false;
};

int report_command(const ReportCmdOptions& o) {
  check_writable(o.output);
  if (!o.svg_dir.empty()) {
    std::error_code ec;
    if (!std::filesystem::is_directory(o.svg_dir, ec))
      throw InputError(o.svg_dir + ": --svg-dir is not an existing directory");
  }
  const flow::EnergyModel model = flow::load_energy_model(o.model);
  nlohmann::json mapping;
  if (!o.mapping.empty()) {
    mapping = for_file(o.mapping, [&] { return json_read::parse(flow::read_file_bytes(o.mapping), o.mapping); });
    if (!mapping.is_object()) throw InputError(o.mapping + ": the mapping report must be a JSON object");
    // A `map --json` document is drawn as the CLI's tables: check it has their fields now.
    if (flow::is_map_report(mapping)) for_file(o.mapping, [&] { return mapper::map_report_tables(mapping); });
  }
  std::optional<flow::Bindings> bindings;
  if (!o.bindings.empty())
    bindings = for_file(o.bindings, [&] { return flow::parse_bindings(flow::read_file_bytes(o.bindings), o.bindings); });
  pb::ChipImage image;
  bool have_image = false;
  const pb::RunResult r = obtain_result(o.src, &image, &have_image);
  pb::Stimuli stimuli;
  if (!o.src.stimuli.empty())
    stimuli = for_file(o.src.stimuli, [&] { return read_stimuli_file(o.src.stimuli); });

  // The estimate needs cycles or the image; without either the page has no energy/latency part.
  bool have_estimate = true;
  flow::Estimate e;
  try {
    e = flow::estimate(r, have_image ? &image : nullptr, model, o.est);
  } catch (const InputError&) {
    if (have_image || r.per_step_size() == 0 || r.per_step(0).cycles() != 0) throw;
    have_estimate = false;
  }
  flow::ReportInputs in;
  in.title = o.title.empty()
                 ? "lifchip report: " + (r.image_name().empty() ? std::string("run") : r.image_name())
                 : o.title;
  in.result = &r;
  in.image = have_image ? &image : nullptr;
  in.stimuli = o.src.stimuli.empty() ? nullptr : &stimuli;
  in.inputs = bindings ? &bindings->input : nullptr;
  in.mapping = o.mapping.empty() ? nullptr : &mapping;
  in.estimate = have_estimate ? &e : nullptr;
  if (!o.src.result.empty()) in.facts.push_back({"run result", o.src.result});
  if (!o.src.image.empty()) in.facts.push_back({"image file", o.src.image});
  if (!o.src.stimuli.empty()) in.facts.push_back({"stimuli file", o.src.stimuli});
  if (!o.mapping.empty()) in.facts.push_back({"mapping report", o.mapping});
  if (!o.bindings.empty()) in.facts.push_back({"bindings", o.bindings});
  if (!have_estimate)
    in.facts.push_back({"energy and latency", "not shown: give --image (functional runs have no cycles)"});

  const std::string html = flow::report_html(in);
  std::vector<std::string> svgs;
  if (!o.svg_dir.empty())
    for (const auto& [stem, svg] : flow::report_figures(in)) {
      const std::string path = (std::filesystem::path(o.svg_dir) / (stem + ".svg")).string();
      write_text_file(path, svg);
      svgs.push_back(path);
    }
  write_text_file(o.output, html);
  if (o.json) {
    nlohmann::json j{
        {"report", o.output}, {"bytes", html.size()}, {"svg_files", svgs}, {"energy", have_estimate}};
    std::cout << j.dump(1) << "\n";
  } else {
    std::cout << "lifchip report: wrote " << o.output << " (" << group_digits(html.size()) << " bytes";
    if (!svgs.empty()) std::cout << ", and " << svgs.size() << " SVG files in " << o.svg_dir;
    std::cout << ")\n";
  }
  return kExitOk;
}

}  // namespace

void add_report_command(CLI::App& app, Action& action) {
  auto o = std::make_shared<ReportCmdOptions>();
  CLI::App* sub =
      app.add_subcommand("report", "Write one self-contained HTML page (inline SVG figures) on a run");
  add_run_source_options(sub, o->src);
  sub->add_option("-o,--output", o->output, "The HTML file to write")->required();
  sub->add_option("--mapping", o->mapping,
                  "The mapper's report (`lifchip map --json`) for the mapping tables");
  sub->add_option("--bindings", o->bindings,
                  "The bindings `lifchip map --bindings` wrote: the input raster in network inputs, not packets");
  add_estimate_options(sub, o->model, o->est);
  sub->add_option("--svg-dir", o->svg_dir, "Also write each figure as an SVG file into this directory");
  sub->add_option("--title", o->title, "The page title");
  sub->add_flag("--json", o->json, "Print what was written as JSON");
  sub->callback([&action, o] {
    if (o->src.result.empty() && o->src.image.empty())
      throw CLI::ValidationError("report",
                                 "give a RESULT file (from `lifchip run -o`), or --image to run now");
    action = [o] { return report_command(*o); };
  });
}

}  // namespace lifchip::cli
