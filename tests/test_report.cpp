// The HTML report: self-contained (no scripts, no external resources), every figure present as SVG,
// the mapper's tables rendered, and the page rendered by headless Chromium to a screenshot that is
// the expected size and not blank (a blank page is rendered too, to show the check can fail).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "lifchip/backend.h"
#include "lifchip/run.h"
#include "lifchip/flow/data.h"
#include "lifchip/flow/png.h"
#include "lifchip/flow/report.h"
#include "lifchip/mapper/map.h"

namespace lifchip::flow {
namespace {

namespace fs = std::filesystem;

const std::string kSource = LIFCHIP_SOURCE_DIR;

std::size_t count(const std::string& s, const std::string& part) {
  std::size_t n = 0;
  for (std::size_t p = s.find(part); p != std::string::npos; p = s.find(part, p + 1)) ++n;
  return n;
}

struct Fixture {
  pb::ChipImage image;
  pb::Stimuli stimuli;
  pb::RunResult result;
  Estimate estimate;
  nlohmann::json mapping;
  ReportInputs in;
};

// The bundled example on the SystemC model (cycles), with a mapper-like JSON report.
std::unique_ptr<Fixture> make_fixture() {
  auto f = std::make_unique<Fixture>();
  f->image = read_image_file(kSource + "/tools/examples/small_net.image.txtpb");
  f->stimuli = read_stimuli_file(kSource + "/tools/examples/small_net.stimuli.txtpb");
  auto backend = BackendRegistry::create("systemc");
  backend->load(f->image);
  f->result = run(*backend, f->stimuli, {});
  f->result.set_image_name(f->image.name());
  f->estimate = estimate(f->result, &f->image, energy_preset("loihi1"), {});
  f->mapping = nlohmann::json::parse(R"({"network": "toy <net>", "cores_used": 4,
      "layers": [{"name": "fc1", "neurons": 12, "weight_exp": -2, "max_abs_error": 0.0123},
                 {"name": "fc2", "neurons": 5, "weight_exp": 0, "max_abs_error": 0.002}],
      "placement": {"strategy": "greedy", "cores": [{"x": 0, "y": 0, "layer": "fc1"}]}})");
  f->in.title = "test report";
  f->in.result = &f->result;
  f->in.image = &f->image;
  f->in.stimuli = &f->stimuli;
  f->in.mapping = &f->mapping;
  f->in.estimate = &f->estimate;
  return f;
}

TEST(Report, SelfContainedWithEveryFigure) {
  const auto f = make_fixture();
  const std::string html = report_html(f->in);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(count(html, "<svg "), 5u);  // raster, utilisation, energy, links, cycles
  EXPECT_EQ(count(html, "</svg>"), 5u);
  EXPECT_EQ(count(html, "<script"), 0u);
  EXPECT_EQ(count(html, "src="), 0u);
  EXPECT_EQ(count(html, "href="), 0u);
  EXPECT_EQ(count(html, "http"), count(html, "xmlns=\"http://www.w3.org/2000/svg\""));
  // Every output spike is one mark in the output raster; the input raster has one per input spike.
  std::size_t inputs = 0;
  for (const pb::StepInput& s : f->stimuli.steps()) inputs += static_cast<std::size_t>(s.axon_size());
  EXPECT_NE(html.find(std::to_string(f->result.spikes_size()) + " spikes"), std::string::npos);
  EXPECT_NE(html.find(std::to_string(inputs) + " spikes"), std::string::npos);
  EXPECT_EQ(count(html, "class=\"link\""), f->estimate.links.size());
  EXPECT_EQ(count(html, "class=\"cycles\""), 1u);
  // Mapper tables: scalars, arrays of objects (nested by dotted name), escaped text.
  EXPECT_NE(html.find("<h3>layers</h3>"), std::string::npos);
  EXPECT_NE(html.find("<h3>placement.cores</h3>"), std::string::npos);
  EXPECT_NE(html.find("<th>max_abs_error</th>"), std::string::npos);
  EXPECT_NE(html.find("toy &lt;net&gt;"), std::string::npos);
  EXPECT_EQ(html.find("toy <net>"), std::string::npos);
  const auto figs = report_figures(f->in);
  EXPECT_EQ(figs.size(), 5u);
  for (const auto& [name, svg] : figs) EXPECT_EQ(svg.rfind("<svg xmlns=", 0), 0u) << name;
}

// The mapper's own report (`lifchip map --json`) is drawn as the CLI's tables, with its columns and
// units, not as a dump of its JSON; a network raster shows network inputs, not host packets.
TEST(Report, MapReportAsTheCliTablesAndInputsAsNetworkInputs) {
  const auto f = make_fixture();
  const mapper::Network net = mapper::import_network(kSource + "/tools/examples/digits.nir");
  const mapper::MapResult m = mapper::map_network(net, {});
  const nlohmann::json mapping = nlohmann::json::parse(m.report.json());
  f->in.mapping = &mapping;
  std::string html = report_html(f->in);
  EXPECT_NE(html.find("<h3>Quantisation (dt = 1.000 ms)</h3>"), std::string::npos);
  EXPECT_NE(html.find("<th>population</th><th>kind</th><th>neurons</th><th>du</th><th>dv</th><th>tau_syn%</th>"),
            std::string::npos);
  EXPECT_NE(html.find("<td style=\"text-align:left\">lif1</td><td>CubaLIF</td><td>64</td>"), std::string::npos);
  EXPECT_NE(html.find("<h3>Cores</h3>"), std::string::npos);
  EXPECT_NE(html.find("<td style=\"text-align:left\">(0,0)</td><td>74</td>"), std::string::npos);
  EXPECT_NE(html.find(xml_escape(m.report.fit.message)), std::string::npos);
  EXPECT_NE(html.find("[quantise] "), std::string::npos);       // the notes
  EXPECT_EQ(html.find("<h3>passes</h3>"), std::string::npos);  // not the generic dump
  EXPECT_EQ(html.find("weight_sqnr_per_projection_db"), std::string::npos);
  // The same cells as the terminal table.
  for (const mapper::ReportTable& t : mapper::map_report_tables(mapping))
    for (const auto& row : t.rows)
      for (const std::string& c : row) EXPECT_NE(html.find(">" + xml_escape(c) + "</td>"), std::string::npos) << c;
  // A map report with a field missing is refused, naming it.
  nlohmann::json broken = mapping;
  broken["layers"][0].erase("du");
  try {
    mapper::map_report_tables(broken);
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("no 'du'"), std::string::npos) << e.what();
  }

  // Inputs: the stimuli of two network inputs, each bound to two cores (two packets per spike).
  mapper::InputBinding two;
  two.targets = {{{0, 0, 0}, {1, 0, 0}}, {{0, 0, 1}, {1, 0, 1}}};
  pb::Stimuli st;
  for (uint32_t t : {0u, 3u}) {
    pb::StepInput* s = st.add_steps();
    s->set_step(t);
    for (uint32_t x : {0u, 1u})
      for (uint32_t a : {0u, 1u}) s->add_x(x), s->add_y(0), s->add_axon(a);
  }
  f->in.stimuli = &st;
  html = report_html(f->in);
  EXPECT_NE(html.find(">input axons<"), std::string::npos);
  EXPECT_NE(html.find(">8 spikes<"), std::string::npos);  // packets
  f->in.inputs = &two;
  html = report_html(f->in);
  EXPECT_NE(html.find(">network inputs<"), std::string::npos);
  EXPECT_NE(html.find(">4 spikes<"), std::string::npos);  // 2 inputs x 2 steps
}

// Numbers for people: the heat maps label their cores and print values in fixed notation.
TEST(Report, HeatMapsHaveCoordinatesAndNoExponents) {
  const auto f = make_fixture();
  const auto figs = report_figures(f->in);
  for (const char* name : {"utilisation", "energy"}) {
    const std::string& svg = figs.at(name);
    EXPECT_NE(svg.find(">0,0<"), std::string::npos) << name;
    EXPECT_NE(svg.find(">1,1<"), std::string::npos) << name;
    for (const char* e : {"e+0", "e-0", "e+1", "e-1"}) EXPECT_EQ(svg.find(std::string(e) + "<"), std::string::npos) << name;
  }
  const std::string html = report_html(f->in);
  for (const char* e : {"e+0", "e-0"}) {
    EXPECT_EQ(html.find(std::string(e) + " %"), std::string::npos);
    EXPECT_EQ(html.find(std::string(e) + "<"), std::string::npos);
  }
}

TEST(Report, WithoutEstimateOrImageStillRenders) {
  const auto f = make_fixture();
  f->in.estimate = nullptr;
  f->in.image = nullptr;
  f->in.mapping = nullptr;
  const std::string html = report_html(f->in);
  EXPECT_EQ(count(html, "<svg "), 2u);  // raster and activity map
  EXPECT_EQ(html.find("Mapping and quantisation"), std::string::npos);
}

std::string find_chromium() {
  for (const char* c : {"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"})
    if (::access(c, X_OK) == 0) return c;
  return {};
}

// Renders a page with headless Chromium; returns the screenshot's bytes.
std::string screenshot(const std::string& chromium, const fs::path& dir, const std::string& html) {
  const fs::path page = dir / "page.html", png = dir / "shot.png";
  std::ofstream(page) << html;
  const std::string cmd = chromium +
                          " --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run" +
                          " --user-data-dir=" + (dir / "profile").string() + " --window-size=1200,2400" +
                          " --screenshot=" + png.string() + " file://" + page.string() + " >" +
                          (dir / "log").string() + " 2>&1 </dev/null";
  const int status = std::system(cmd.c_str());
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << cmd;
  return read_file_bytes(png.string());
}

TEST(Report, RendersInHeadlessChromium) {
  const std::string chromium = find_chromium();
  if (chromium.empty())
    GTEST_SKIP() << "chromium is not installed (tools/install_deps.sh --tests installs it)";
  const fs::path dir = fs::temp_directory_path() / ("lifchip_report_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const auto f = make_fixture();
  const PngSummary page = inspect_png(screenshot(chromium, dir, report_html(f->in)), "shot.png");
  EXPECT_EQ(page.width, 1200u);
  EXPECT_EQ(page.height, 2400u);
  // The figures fill a good part of the page in many colours (heat scale, rasters, tables).
  EXPECT_GT(page.non_white, uint64_t{1200} * 2400 / 20) << page.non_white;
  EXPECT_GT(page.distinct_colours, 50u);
  // The same check on an empty page fails, so it measures rendering.
  const PngSummary blank =
      inspect_png(screenshot(chromium, dir, "<!DOCTYPE html><html><body></body></html>"), "b");
  EXPECT_EQ(blank.non_white, 0u);
  std::error_code ec;
  fs::remove_all(dir, ec);
}

TEST(Png, RejectsWhatItCannotRead) {
  EXPECT_THROW(inspect_png("", "x.png"), InputError);
  EXPECT_THROW(inspect_png("\x89PNG\r\n\x1a\n", "x.png"), InputError);
  EXPECT_THROW(inspect_png(std::string("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR", 16), "x.png"), InputError);
}

}  // namespace
}  // namespace lifchip::flow
