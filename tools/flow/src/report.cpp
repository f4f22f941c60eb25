// The HTML report and its SVG figures (see report.h). Figures are drawn in plain SVG with fixed
// sizes so that the page renders identically offline in any browser.
#include "lifchip/flow/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <sstream>

#include "lifchip/chip_constants.h"

namespace lifchip::flow {

namespace s = spec;

std::string xml_escape(const std::string& in) {
  std::string out;
  for (char c : in) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        // XML 1.0 has no control characters other than tab, newline and carriage return.
        out += (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r') ? ' ' : c;
    }
  }
  return out;
}

std::string heat_colour(double t) {
  // Stops of a viridis-like scale.
  static const double stops[][3] = {
      {68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};
  if (!(t >= 0)) t = 0;
  if (t > 1) t = 1;
  const double f = t * 4;
  const int i = std::min(3, static_cast<int>(f));
  const double w = f - i;
  char buf[8];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x",
                static_cast<int>(stops[i][0] + w * (stops[i + 1][0] - stops[i][0])),
                static_cast<int>(stops[i][1] + w * (stops[i + 1][1] - stops[i][1])),
                static_cast<int>(stops[i][2] + w * (stops[i + 1][2] - stops[i][2])));
  return buf;
}

namespace {

std::string num(double v, int precision = 3) {
  std::ostringstream os;
  os.precision(precision);
  os << v;
  return os.str();
}

// A value for people: fixed notation with `sig` significant digits (never 1e+02 or 1e-04).
std::string plain(double v, int sig = 3) {
  if (v == 0 || !std::isfinite(v)) return v == 0 ? "0" : num(v);
  const int digits = std::clamp(sig - 1 - static_cast<int>(std::floor(std::log10(std::abs(v)))), 0, 6);
  std::ostringstream os;
  os.setf(std::ios::fixed);
  os.precision(digits);
  os << v;
  return os.str();
}

// Engineering notation for the page: 1.23 mJ, 45.6 µs.
std::string html_eng(double v, const std::string& unit) { return eng(v, unit, 3, "µ"); }

std::string svg_open(int w, int h) {
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(w) + "\" height=\"" +
         std::to_string(h) + "\" viewBox=\"0 0 " + std::to_string(w) + " " + std::to_string(h) +
         "\" font-family=\"sans-serif\" font-size=\"11\">\n<rect width=\"100%\" height=\"100%\" "
         "fill=\"#ffffff\"/>\n";
}

std::string text(double x, double y, const std::string& t, const char* anchor = "start",
                 const char* extra = "") {
  return "<text x=\"" + num(x, 6) + "\" y=\"" + num(y, 6) + "\" text-anchor=\"" + anchor + "\" " + extra +
         ">" + xml_escape(t) + "</text>\n";
}

std::string rect(double x, double y, double w, double h, const std::string& fill,
                 const std::string& title = "") {
  std::string r = "<rect x=\"" + num(x, 6) + "\" y=\"" + num(y, 6) + "\" width=\"" + num(w, 6) +
                  "\" height=\"" + num(h, 6) + "\" fill=\"" + fill + "\"";
  if (title.empty()) return r + "/>\n";
  return r + "><title>" + xml_escape(title) + "</title></rect>\n";
}

// A colour bar legend from 0 to vmax.
std::string legend(double x, double y, double vmax, const std::string& unit) {
  std::string out;
  for (int i = 0; i < 50; ++i) out += rect(x + i * 3, y, 3, 10, heat_colour(i / 49.0));
  out += text(x, y + 22, "0");
  out += text(x + 150, y + 22, plain(vmax) + " " + unit, "end");
  return out;
}

// Raster of (step, row) events; rows are channels (outputs) or bound axons (inputs).
std::string raster_panel(const std::vector<std::pair<uint32_t, uint32_t>>& events, uint32_t steps,
                         const std::string& label, int x0, int y0, int w, int h, const std::string& colour) {
  std::string out;
  uint32_t rows = 1;
  for (const auto& e : events) rows = std::max(rows, e.second + 1);
  const double sx = static_cast<double>(w) / std::max<uint32_t>(steps, 1), sy = static_cast<double>(h) / rows;
  out += "<rect x=\"" + std::to_string(x0) + "\" y=\"" + std::to_string(y0) + "\" width=\"" +
         std::to_string(w) + "\" height=\"" + std::to_string(h) +
         "\" fill=\"#f7f7f7\" stroke=\"#999999\"/>\n";
  out += text(x0 - 6, y0 + h / 2.0, label, "end");
  out += text(x0 - 6, y0 + 10, std::to_string(rows - 1), "end", "fill=\"#666666\"");
  out += text(x0 - 6, y0 + h, "0", "end", "fill=\"#666666\"");
  out += "<g fill=\"" + colour + "\" class=\"spikes\">\n";
  const std::size_t cap = 40000;  // keeps the page light; the count says when events were left out
  for (std::size_t k = 0; k < events.size() && k < cap; ++k) {
    const auto& [t, row] = events[k];
    out += "<rect x=\"" + num(x0 + t * sx, 6) + "\" y=\"" + num(y0 + h - (row + 1) * sy, 6) + "\" width=\"" +
           num(std::max(sx, 1.0), 4) + "\" height=\"" + num(std::max(sy, 1.0), 4) + "\"/>\n";
  }
  out += "</g>\n";
  std::string note = std::to_string(events.size()) + " spikes";
  if (events.size() > cap) note += " (first " + std::to_string(cap) + " drawn)";
  out += text(x0 + w, y0 - 4, note, "end", "fill=\"#444444\"");
  return out;
}

std::string raster_svg(const ReportInputs& in) {
  const pb::RunResult& r = *in.result;
  std::vector<std::pair<uint32_t, uint32_t>> outputs, inputs;
  for (const pb::OutputSpike& sp : r.spikes()) outputs.push_back({sp.step(), sp.channel()});
  if (in.stimuli && in.inputs) {
    // Each network input reaches every core that reads it: one mark per (step, input), not per packet.
    std::map<std::tuple<uint32_t, uint32_t, uint32_t>, uint32_t> input_of;  // (x, y, axon) -> input
    for (uint32_t i = 0; i < in.inputs->size(); ++i)
      for (const mapper::AxonAddress& a : in.inputs->targets[i]) input_of.emplace(std::make_tuple(a.x, a.y, a.axon), i);
    std::set<std::pair<uint32_t, uint32_t>> seen;
    for (const pb::StepInput& st : in.stimuli->steps())
      for (int k = 0; k < st.axon_size() && k < st.x_size() && k < st.y_size(); ++k) {
        const auto it = input_of.find(std::make_tuple(st.x(k), st.y(k), st.axon(k)));
        if (st.step() < r.steps() && it != input_of.end() && seen.insert({st.step(), it->second}).second)
          inputs.push_back({st.step(), it->second});
      }
  } else if (in.stimuli) {
    std::map<std::tuple<uint32_t, uint32_t, uint32_t>, uint32_t> rows;  // (y, x, axon) -> row
    for (const pb::StepInput& st : in.stimuli->steps())
      for (int k = 0; k < st.axon_size() && k < st.x_size() && k < st.y_size(); ++k)
        rows.emplace(std::make_tuple(st.y(k), st.x(k), st.axon(k)), 0);
    uint32_t n = 0;
    for (auto& [key, row] : rows) row = n++;
    for (const pb::StepInput& st : in.stimuli->steps())
      for (int k = 0; k < st.axon_size() && k < st.x_size() && k < st.y_size(); ++k)
        if (st.step() < r.steps())
          inputs.push_back({st.step(), rows[std::make_tuple(st.y(k), st.x(k), st.axon(k))]});
  }
  const int w = 760, left = 110, ph = 180;
  const int panels = in.stimuli ? 2 : 1;
  const int h = 40 + panels * (ph + 40);
  std::string out = svg_open(w + left + 20, h);
  int y = 30;
  if (in.stimuli) {
    out += raster_panel(inputs, r.steps(), in.inputs ? "network inputs" : "input axons", left, y, w, ph, "#1f77b4");
    y += ph + 40;
  }
  out += raster_panel(outputs, r.steps(), "output channels", left, y, w, ph, "#d62728");
  out += text(left + w / 2.0, y + ph + 16, "time step (0 .. " + std::to_string(r.steps()) + ")", "middle");
  return out + "</svg>\n";
}

// A mesh heatmap: one square per core, coloured by value, labelled with the value.
std::string mesh_svg(uint32_t width, uint32_t height, const std::vector<double>& values,
                     const std::string& unit, const std::string& caption) {
  const int cell = std::max(24, std::min(80, 480 / static_cast<int>(std::max(width, height))));
  const int left = 40, top = 30;
  const int w = left + cell * static_cast<int>(width) + 20, h = top + cell * static_cast<int>(height) + 74;
  std::string out = svg_open(std::max(w, 480), h);
  out += text(left, 16, caption);
  double vmax = 0;
  for (double v : values) vmax = std::max(vmax, v);
  // Core coordinates on the axes (x along the bottom, y up the left; spec §6) and in each cell.
  const int every = width > 16 || height > 16 ? 4 : 1;
  for (uint32_t x = 0; x < width; x += every)
    out += text(left + (x + 0.5) * cell, top + cell * height + 12.0, std::to_string(x), "middle", "fill=\"#666666\"");
  for (uint32_t y = 0; y < height; y += every)
    out += text(left - 4, top + (height - 1 - y + 0.5) * cell + 4, std::to_string(y), "end", "fill=\"#666666\"");
  for (uint32_t y = 0; y < height; ++y)
    for (uint32_t x = 0; x < width; ++x) {
      const double v = values[y * width + x];
      // y grows northwards (spec §6), so row 0 is drawn at the bottom.
      const double px = left + x * cell, py = top + (height - 1 - y) * cell;
      const bool light = vmax > 0 && v / vmax > 0.6;
      out += rect(px + 1, py + 1, cell - 2, cell - 2, heat_colour(vmax > 0 ? v / vmax : 0),
                  "core (" + std::to_string(x) + "," + std::to_string(y) + "): " + plain(v) + " " + unit);
      if (cell >= 40) {
        out += text(px + cell / 2.0, py + cell / 2.0 + 4, plain(v), "middle",
                    light ? "fill=\"#000000\"" : "fill=\"#ffffff\"");
        out += text(px + 4, py + 11, std::to_string(x) + "," + std::to_string(y), "start",
                    light ? "fill=\"#333333\" font-size=\"8\"" : "fill=\"#cccccc\" font-size=\"8\"");
      }
    }
  out += legend(left, top + cell * height + 28, vmax, unit);
  return out + "</svg>\n";
}

std::string links_svg(const Estimate& e, uint32_t width, uint32_t height) {
  const int cell = std::max(40, std::min(110, 520 / static_cast<int>(std::max(width, height))));
  const int left = 60, top = 30;
  std::string out = svg_open(std::max(left + cell * static_cast<int>(width) + 40, 480),
                             top + cell * static_cast<int>(height) + 60);
  out += text(left, 16, "NoC link load (flits per link and direction; host link at (0,0) west)");
  uint64_t vmax = 0;
  for (const LinkLoad& l : e.links) vmax = std::max(vmax, l.flits);
  const auto centre = [&](uint32_t x, uint32_t y) {
    return std::make_pair(left + (x + 0.5) * cell, top + (height - 1 - y + 0.5) * cell);
  };
  for (const LinkLoad& l : e.links) {
    auto [x1, y1] = centre(l.x, l.y);
    double x2 = x1, y2 = y1, ox = 0, oy = 0;
    const double off = cell * 0.08;
    if (l.direction == "east") x2 += cell, oy = -off;
    if (l.direction == "west") x2 -= cell, oy = off;
    if (l.direction == "host") x2 = 4, oy = off;
    if (l.direction == "north") y2 -= cell, ox = off;
    if (l.direction == "south") y2 += cell, ox = -off;
    const double t = vmax ? static_cast<double>(l.flits) / vmax : 0;
    out += "<line class=\"link\" x1=\"" + num(x1 + ox, 6) + "\" y1=\"" + num(y1 + oy, 6) + "\" x2=\"" +
           num(x2 + ox, 6) + "\" y2=\"" + num(y2 + oy, 6) + "\" stroke=\"" +
           (l.flits ? heat_colour(t) : "#dddddd") + "\" stroke-width=\"" + num(2 + 5 * t) + "\"><title>" +
           xml_escape("(" + std::to_string(l.x) + "," + std::to_string(l.y) + ") " + l.direction + ": " +
                      std::to_string(l.flits) + " flits") +
           "</title></line>\n";
  }
  for (uint32_t y = 0; y < height; ++y)
    for (uint32_t x = 0; x < width; ++x) {
      auto [cx, cy] = centre(x, y);
      out += "<circle cx=\"" + num(cx, 6) + "\" cy=\"" + num(cy, 6) + "\" r=\"" + num(cell * 0.16) +
             "\" fill=\"#ffffff\" stroke=\"#333333\"/>\n";
      if (cell >= 60)
        out += text(cx, cy + 4, std::to_string(x) + "," + std::to_string(y), "middle", "font-size=\"9\"");
    }
  out += legend(left, top + cell * height + 14, static_cast<double>(vmax), "flits");
  return out + "</svg>\n";
}

std::string cycles_svg(const Estimate& e) {
  const int w = 760, h = 220, left = 70, top = 30;
  std::string out = svg_open(w + left + 20, h + top + 50);
  out += text(left, 16,
              std::string(e.cycle_accurate ? "Cycles per time step (" : "Cycles per time step, ") +
                  (e.cycle_accurate ? e.backend + " backend)" : "analytic estimate"));
  double vmax = 1;
  for (double c : e.step_cycles) vmax = std::max(vmax, c);
  const std::size_t n = e.step_cycles.size();
  std::string pts;
  for (std::size_t i = 0; i < n; ++i) {
    const double x = left + (n > 1 ? static_cast<double>(i) / (n - 1) : 0.5) * w;
    const double y = top + h - e.step_cycles[i] / vmax * h;
    pts += num(x, 7) + "," + num(y, 7) + " ";
  }
  out += "<rect x=\"" + std::to_string(left) + "\" y=\"" + std::to_string(top) + "\" width=\"" +
         std::to_string(w) + "\" height=\"" + std::to_string(h) +
         "\" fill=\"#f7f7f7\" stroke=\"#999999\"/>\n";
  out += "<polyline class=\"cycles\" fill=\"none\" stroke=\"#2ca02c\" stroke-width=\"1.5\" points=\"" + pts +
         "\"/>\n";
  out += text(left - 6, top + 10, num(vmax), "end");
  out += text(left - 6, top + h, "0", "end");
  out += text(left + w / 2.0, top + h + 18, "time step (0 .. " + std::to_string(n) + ")", "middle");
  return out + "</svg>\n";
}

// A JSON value as table cell text.
std::string cell(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_float()) return num(v.get<double>(), 5);
  return v.dump();
}

// Tables from the mapper's JSON: every array of objects becomes a table with the union of their
// keys; scalar members go into one key/value table. Nested objects are walked with dotted names.
void json_tables(const nlohmann::json& j, const std::string& prefix, std::string& scalars,
                 std::string& tables) {
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string key = prefix.empty() ? it.key() : prefix + "." + it.key();
    const nlohmann::json& v = it.value();
    if (v.is_object()) {
      json_tables(v, key, scalars, tables);
    } else if (v.is_array() && !v.empty() && v[0].is_object()) {
      std::vector<std::string> cols;
      for (const auto& row : v)
        if (row.is_object())
          for (auto c = row.begin(); c != row.end(); ++c)
            if (std::find(cols.begin(), cols.end(), c.key()) == cols.end()) cols.push_back(c.key());
      tables += "<h3>" + xml_escape(key) + "</h3>\n<table class=\"data\"><tr>";
      for (const auto& c : cols) tables += "<th>" + xml_escape(c) + "</th>";
      tables += "</tr>\n";
      std::size_t n = 0;
      for (const auto& row : v) {
        if (++n > 500) {
          tables += "<tr><td colspan=\"" + std::to_string(cols.size()) + "\">… " +
                    std::to_string(v.size() - 500) + " more rows</td></tr>\n";
          break;
        }
        tables += "<tr>";
        for (const auto& c : cols)
          tables += "<td>" + (row.is_object() && row.contains(c) ? xml_escape(cell(row[c])) : std::string()) +
                    "</td>";
        tables += "</tr>\n";
      }
      tables += "</table>\n";
    } else {
      std::string t = cell(v);
      if (t.size() > 200) t = t.substr(0, 200) + "…";
      scalars += "<tr><th>" + xml_escape(key) + "</th><td>" + xml_escape(t) + "</td></tr>\n";
    }
  }
}

std::string fixed_pct(double v) {
  std::ostringstream os;
  os.setf(std::ios::fixed);
  os.precision(1);
  os << v << " %";
  return os.str();
}

// The mapper's report as the CLI prints it (`lifchip map`): fit, warnings, the quantisation and
// cores tables (mapper::map_report_tables, the same columns and units), traffic and notes.
std::string map_report_html(const nlohmann::json& j) {
  std::ostringstream os;
  auto str = [&](const nlohmann::json& o, const char* k) {
    return o.contains(k) && o[k].is_string() ? o[k].get<std::string>() : std::string();
  };
  const nlohmann::json& fit = j.at("fit");
  os << "<table class=\"data\">\n";
  for (const auto& [label, value] :
       std::vector<std::pair<std::string, std::string>>{{"fit", str(fit, "message")},
                                                        {"mesh", str(fit, "mesh_rule")},
                                                        {"partition", str(fit, "partition_rule")},
                                                        {"time step", str(j, "dt_rule")},
                                                        {"producer convention", str(j, "producer")}})
    if (!value.empty()) os << "<tr><th>" << xml_escape(label) << "</th><td>" << xml_escape(value) << "</td></tr>\n";
  os << "</table>\n";
  if (j.contains("warnings") && j["warnings"].is_array() && !j["warnings"].empty()) {
    os << "<h3>Warnings</h3>\n<ul>\n";
    for (const nlohmann::json& w : j["warnings"])
      os << "<li class=\"note\">" << xml_escape(w.is_string() ? w.get<std::string>() : w.dump()) << "</li>\n";
    os << "</ul>\n";
  }
  for (const mapper::ReportTable& t : mapper::map_report_tables(j)) {
    os << "<h3>" << xml_escape(t.title) << "</h3>\n<table class=\"data\"><tr>";
    for (const auto& c : t.columns) os << "<th>" << xml_escape(c.header) << "</th>";
    os << "</tr>\n";
    for (const auto& row : t.rows) {
      os << "<tr>";
      for (std::size_t c = 0; c < t.columns.size(); ++c)
        os << (t.columns[c].left ? "<td style=\"text-align:left\">" : "<td>")
           << xml_escape(c < row.size() ? row[c] : std::string()) << "</td>";
      os << "</tr>\n";
    }
    os << "</table>\n";
  }
  if (j.contains("traffic") && j["traffic"].is_object()) {
    const nlohmann::json& tr = j["traffic"];
    auto value = [&](const char* k) { return tr.contains(k) && tr[k].is_number() ? tr[k].get<double>() : 0.0; };
    os << "<h3>Traffic per step</h3>\n<table class=\"data\">\n<tr><th>rates</th><td>" << xml_escape(str(tr, "rates"))
       << "</td></tr>\n<tr><th>packets</th><td>" << plain(value("packets"), 6) << "</td></tr>\n<tr><th>hops</th><td>"
       << plain(value("hops"), 6) << "</td></tr>\n<tr><th>baseline (greedy + rowmajor) hops</th><td>"
       << plain(value("baseline_packet_hops"), 6) << "</td></tr>\n</table>\n";
  }
  std::string notes;
  if (j.contains("passes") && j["passes"].is_array())
    for (const nlohmann::json& p : j["passes"])
      if (p.is_object() && p.contains("notes") && p["notes"].is_array())
        for (const nlohmann::json& n : p["notes"])
          notes += "<li>[" + xml_escape(str(p, "pass")) + "] " + xml_escape(n.is_string() ? n.get<std::string>() : n.dump()) +
                   "</li>\n";
  if (!notes.empty()) os << "<h3>Notes</h3>\n<ul>\n" << notes << "</ul>\n";
  return os.str();
}

void mesh_size(const pb::RunResult& r, uint32_t& w, uint32_t& h) {
  w = h = 0;
  for (const pb::CoreCounters& c : r.counters().cores()) {
    w = std::max(w, c.x() + 1);
    h = std::max(h, c.y() + 1);
  }
}

}  // namespace

std::map<std::string, std::string> report_figures(const ReportInputs& in) {
  std::map<std::string, std::string> figs;
  const pb::RunResult& r = *in.result;
  figs["raster"] = raster_svg(in);
  uint32_t w = 0, h = 0;
  mesh_size(r, w, h);
  if (w == 0) return figs;
  if (in.image) {
    const ChipShape shape = chip_shape(in.image->config());
    std::vector<double> util(w * h, 0);
    for (const pb::Core& c : in.image->cores())
      if (c.x() < w && c.y() < h)
        util[c.y() * w + c.x()] = 100.0 * c.neuron_profile_size() / std::max<uint32_t>(shape.neurons, 1);
    figs["utilisation"] =
        mesh_svg(w, h, util, "% neurons",
                 "Neuron utilisation per core (% of " + std::to_string(shape.neurons) + " neurons)");
  } else {
    std::vector<double> act(w * h, 0);
    for (const pb::CoreCounters& c : r.counters().cores()) {
      const double a = c.values_size() > s::CNT_NEURON_ACTIVE ? c.values(s::CNT_NEURON_ACTIVE) : 0;
      const double i = c.values_size() > s::CNT_NEURON_IDLE ? c.values(s::CNT_NEURON_IDLE) : 0;
      act[c.y() * w + c.x()] = a + i > 0 ? 100.0 * a / (a + i) : 0;
    }
    figs["utilisation"] = mesh_svg(w, h, act, "% active", "Active neuron updates per core (% of updates)");
  }
  if (in.estimate) {
    std::vector<double> energy(w * h, 0);
    for (const CoreEnergy& c : in.estimate->cores)
      energy[c.y * w + c.x] = (c.dynamic_pj + c.static_pj) * 1e-6 / in.estimate->inferences;
    figs["energy"] =
        mesh_svg(w, h, energy, "µJ", "Energy per core per inference (µJ, model " + in.estimate->model + ")");
    figs["links"] = links_svg(*in.estimate, w, h);
    figs["cycles"] = cycles_svg(*in.estimate);
  }
  return figs;
}

bool is_map_report(const nlohmann::json& m) { return m.is_object() && m.contains("fit") && m.contains("layers"); }

std::string report_html(const ReportInputs& in) {
  const pb::RunResult& r = *in.result;
  const auto figs = report_figures(in);
  std::ostringstream os;
  os << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>" << xml_escape(in.title)
     << "</title>\n<style>\nbody{font-family:sans-serif;margin:24px;color:#222;max-width:1100px}\n"
        "h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid "
        "#ccc}h3{font-size:14px}\n"
        "table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px "
        "8px;text-align:right;"
        "font-size:12px}th{background:#f0f0f0}td:first-child,th:first-child{text-align:left}\n"
        ".note{color:#a00;font-weight:bold}.figure{margin:8px 0}\n</style></head><body>\n";
  os << "<h1>" << xml_escape(in.title) << "</h1>\n<table>\n";
  os << "<tr><th>backend</th><td>" << xml_escape(r.backend()) << "</td></tr>\n";
  os << "<tr><th>image</th><td>" << xml_escape(r.image_name()) << "</td></tr>\n";
  os << "<tr><th>time steps</th><td>" << r.steps() << "</td></tr>\n";
  os << "<tr><th>output spikes</th><td>" << r.spikes_size() << "</td></tr>\n";
  for (const auto& [k, v] : in.facts)
    os << "<tr><th>" << xml_escape(k) << "</th><td>" << xml_escape(v) << "</td></tr>\n";
  os << "</table>\n";

  os << "<h2>Spike raster</h2>\n<div class=\"figure\">" << figs.at("raster") << "</div>\n";
  os << "<h2>Cores on the mesh</h2>\n";
  if (figs.count("utilisation")) os << "<div class=\"figure\">" << figs.at("utilisation") << "</div>\n";
  if (in.estimate) {
    const Estimate& e = *in.estimate;
    os << "<div class=\"figure\">" << figs.at("energy") << "</div>\n";
    os << "<h2>Energy (model " << xml_escape(e.model) << ")</h2>\n<table>\n";
    os << "<tr><th>energy per inference</th><td>" << html_eng(e.energy_per_inference_j, "J")
       << "</td></tr>\n";
    os << "<tr><th>energy per time step</th><td>" << html_eng(e.energy_per_step_j, "J") << "</td></tr>\n";
    os << "<tr><th>average power at " << num(e.step_rate_hz) << " steps/s</th><td>"
       << html_eng(e.average_power_w, "W") << (e.step_rate_feasible ? "" : " (rate above the chip's maximum)")
       << "</td></tr>\n</table>\n";
    os << "<table><tr><th>component</th><th>energy per inference</th><th>share</th></tr>\n";
    for (const ComponentEnergy& c : e.components)
      os << "<tr><td>" << xml_escape(c.component) << "</td><td>" << html_eng(c.pj * 1e-12 / e.inferences, "J")
         << "</td><td>" << fixed_pct(e.total_pj > 0 ? 100 * c.pj / e.total_pj : 0) << "</td></tr>\n";
    os << "</table>\n";
    os << "<h2>Network on chip</h2>\n<div class=\"figure\">" << figs.at("links") << "</div>\n";
    os << "<h2>Latency</h2>\n";
    if (!e.cycle_accurate) os << "<p class=\"note\">" << xml_escape(e.latency_method) << "</p>\n";
    os << "<table>\n<tr><th>method</th><td>" << xml_escape(e.latency_method) << "</td></tr>\n";
    os << "<tr><th>clock</th><td>" << html_eng(e.clock_hz, "Hz") << "</td></tr>\n";
    os << "<tr><th>latency per step (mean / max)</th><td>" << html_eng(e.step_latency_mean_s, "s") << " / "
       << html_eng(e.step_latency_max_s, "s") << "</td></tr>\n";
    os << "<tr><th>latency per inference (" << e.inference_steps << " steps)</th><td>"
       << html_eng(e.inference_latency_s, "s") << "</td></tr>\n";
    os << "<tr><th>throughput</th><td>" << num(e.inferences_per_s) << " inferences/s</td></tr>\n</table>\n";
    os << "<div class=\"figure\">" << figs.at("cycles") << "</div>\n";
  }
  if (in.mapping) {
    std::string scalars, tables;
    os << "<h2>Mapping and quantisation</h2>\n";
    const nlohmann::json& m = *in.mapping;
    if (is_map_report(m)) {
      os << map_report_html(m);
    } else {  // another tool's JSON: its scalars and arrays of objects as tables
      json_tables(m, "", scalars, tables);
      if (!scalars.empty()) os << "<table class=\"data\">\n" << scalars << "</table>\n";
      os << tables;
    }
  }
  os << "<p style=\"color:#777;font-size:11px\">Written by lifchip report; figures are inline SVG.</p>\n";
  os << "</body></html>\n";
  return os.str();
}

}  // namespace lifchip::flow
