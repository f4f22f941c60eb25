// `lifchip report`: one self-contained HTML page whose figures are inline SVG written here (no
// scripts, no external files): spike raster, per-core utilisation and energy on the mesh, NoC link
// load, cycles per step, and the mapper's mapping and quantisation tables when given.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lifchip/image.h"
#include "lifchip/flow/energy.h"
#include "lifchip/mapper/map.h"

namespace lifchip::flow {

struct ReportInputs {
  std::string title;
  const pb::RunResult* result = nullptr;                   // required
  const pb::ChipImage* image = nullptr;                    // optional: utilisation map, analytic latency
  const pb::Stimuli* stimuli = nullptr;                    // optional: input raster
  const mapper::InputBinding* inputs = nullptr;            // optional: the raster in network inputs, not packets
  const nlohmann::json* mapping = nullptr;                 // optional: `lifchip map --json` output
  const Estimate* estimate = nullptr;                      // optional: energy heatmap and tables
  std::vector<std::pair<std::string, std::string>> facts;  // extra key/value lines (files, commands)
};

/// The figures as standalone SVG documents, by file stem ("raster", "utilisation", "energy",
/// "links", "cycles"); a figure whose data is missing is left out.
std::map<std::string, std::string> report_figures(const ReportInputs& in);

/// True when `mapping` is a `lifchip map --json` document (it has "fit" and "layers"): the page then
/// draws it as the CLI's tables (mapper::map_report_tables, which throws on a missing field);
/// any other JSON object is shown as tables of its arrays of objects.
bool is_map_report(const nlohmann::json& mapping);

/// The HTML page with the figures inline.
std::string report_html(const ReportInputs& in);

/// Escapes text for HTML, SVG and any XML (the JUnit files of `lifchip regress` too): & < > " ' as
/// entities, other control characters than tab, newline and carriage return as spaces.
std::string xml_escape(const std::string& s);

/// A colour on a perceptually ordered scale (dark blue -> yellow) for t in [0, 1], as "#rrggbb".
std::string heat_colour(double t);

}  // namespace lifchip::flow
