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

namespace lifchip::flow {

struct ReportInputs {
  std::string title;
  const pb::RunResult* result = nullptr;                   // required
  const pb::ChipImage* image = nullptr;                    // optional: utilisation map, analytic latency
  const pb::Stimuli* stimuli = nullptr;                    // optional: input raster
  const nlohmann::json* mapping = nullptr;                 // optional: `lifchip map --json` output
  const Estimate* estimate = nullptr;                      // optional: energy heatmap and tables
  std::vector<std::pair<std::string, std::string>> facts;  // extra key/value lines (files, commands)
};

/// The figures as standalone SVG documents, by file stem ("raster", "utilisation", "energy",
/// "links", "cycles"); a figure whose data is missing is left out.
std::map<std::string, std::string> report_figures(const ReportInputs& in);

/// The HTML page with the figures inline.
std::string report_html(const ReportInputs& in);

/// Escapes text for HTML, SVG and any XML (the JUnit files of `lifchip regress` too): & < > " ' as
/// entities, other control characters than tab, newline and carriage return as spaces.
std::string xml_escape(const std::string& s);

/// A colour on a perceptually ordered scale (dark blue -> yellow) for t in [0, 1], as "#rrggbb".
std::string heat_colour(double t);

}  // namespace lifchip::flow
