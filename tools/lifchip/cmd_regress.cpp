// `lifchip regress SUITE`: runs a regression suite through the firmware on the chosen platforms, with
// golden files (--record writes them), JUnit XML and the first divergence of each failing case.
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "cli.h"
#include "lifchip/flow/regress.h"
#include "suite.h"

namespace lifchip::cli {

namespace {
struct RegressOptions {
  std::string suite, junit, only_case, backends;
  std::vector<std::string> faults;
  bool record = false, json = false;
};

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == ',') {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty() || !out.empty()) out.push_back(cur);
  for (const std::string& n : out)
    if (n.empty()) throw InputError("--backends '" + s + "': an empty name");
  return out;
}
}  // namespace

void add_regress_command(CLI::App& app, Action& action) {
  auto o = std::make_shared<RegressOptions>();
  CLI::App* sub = app.add_subcommand(
      "regress", "Run a regression suite through the firmware on each backend (docs/firmware.md)");
  sub->add_option("SUITE", o->suite, "Suite file (JSON)")->required();
  sub->add_option("--backends", o->backends,
                  "Comma-separated platforms, overriding the suite's (functional,systemc)");
  sub->add_flag("--record", o->record, "Write the golden files from the first backend instead of checking");
  sub->add_option("--junit", o->junit, "Write a JUnit XML report here");
  sub->add_option(
      "--fault", o->faults,
      "Arm a test fault in every run, e.g. flip-v@3:0,0:5:7 (KIND@STEP:X,Y:INDEX[:BIT]; repeatable)");
  sub->add_option("--case", o->only_case, "Run only the case with this name");
  sub->add_flag("--json", o->json, "Print the results as JSON");
  sub->callback([&action, o] {
    action = [o] {
      reject_directory(o->suite);
      const hil::Suite suite = hil::read_suite(o->suite);
      hil::SuiteOptions so;
      if (!o->backends.empty()) so.backends = split_list(o->backends);
      so.record = o->record;
      so.only_case = o->only_case;
      for (const std::string& f : o->faults) so.extra_faults.push_back(hil::parse_fault(f));
      if (!o->junit.empty()) check_writable(o->junit);
      if (!o->json)
        so.on_case = [](const hil::CaseResult& r) {
          std::cout << (r.skipped ? "SKIP " : r.passed ? "PASS " : "FAIL ") << r.name << ": " << r.message << "\n";
          for (const std::string& d : r.details) std::cout << "     " << d << "\n";
          std::cout.flush();
        };
      const std::vector<hil::CaseResult> results = hil::run_suite(suite, so);
      std::size_t failed = 0, skipped = 0;
      for (const auto& r : results) failed += r.passed ? 0 : 1, skipped += r.skipped ? 1 : 0;
      if (!o->junit.empty()) write_text_file(o->junit, flow::junit_xml(suite.name, results));
      if (o->json) {
        nlohmann::json j = nlohmann::json::array();
        for (const auto& r : results)
          j.push_back(
              {{"case", r.name}, {"passed", r.passed}, {"skipped", r.skipped}, {"message", r.message}, {"details", r.details}});
        std::cout << nlohmann::json{{"suite", suite.name}, {"failed", failed}, {"skipped", skipped}, {"cases", j}}.dump(1)
                  << "\n";
      } else {
        std::cout << suite.name << ": " << results.size() - failed - skipped << " passed, " << failed << " failed"
                  << (skipped ? ", " + std::to_string(skipped) + " skipped" : std::string()) << "\n";
      }
      return failed == 0 ? kExitOk : kExitRegressFailed;
    };
  });
}

}  // namespace lifchip::cli
