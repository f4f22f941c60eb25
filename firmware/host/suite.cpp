// Regression suites: parsing, running each case through the firmware on every platform, checks
// against golden files and between platforms (see suite.h, docs/firmware.md).
#include "suite.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "lifchip/for_file.h"
#include "lifchip/json_read.h"
#include "lifchip/run.h"

namespace lifchip::hil {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string resolve(const std::string& dir, const std::string& p) {
  if (p.empty() || fs::path(p).is_absolute()) return p;
  return (fs::path(dir) / p).lexically_normal().string();
}

int status_code(const std::string& name, const std::string& where) {
  for (int st = LC_OK; st <= LC_ERR_NO_IMAGE; ++st)
    if (name == lc_status_name(static_cast<lc_status_t>(st))) return st;
  std::string known;
  for (int st = LC_OK; st <= LC_ERR_NO_IMAGE; ++st)
    known +=
        std::string(known.empty() ? "" : ", ") + "\"" + lc_status_name(static_cast<lc_status_t>(st)) + "\"";
  throw InputError(where + ": expect_status \"" + name + "\" is not a firmware status (" + known + ")");
}

}  // namespace

Suite read_suite(const std::string& path) {
  namespace jr = json_read;
  const json j = jr::parse_file(path, "the suite file");
  Suite suite;
  suite.path = path;
  const std::string dir = fs::path(path).parent_path().string();
  static const std::set<std::string> kSuiteKeys = {"suite", "backends", "cases"};
  static const std::set<std::string> kCaseKeys = {
      "name",   "image",  "stimuli", "steps",         "learning",      "check",  "golden",
      "memory", "faults", "expect",  "expect_status", "corrupt_words", "comment"};
  auto where = [&](const std::string& s) { return path + ": " + s; };
  if (!j.is_object()) throw InputError(where("the top level must be an object"));
  for (const auto& [k, v] : j.items())
    if (!kSuiteKeys.count(k)) throw InputError(where("unknown field \"" + k + "\" (known: suite, backends, cases)"));
  suite.name = j.contains("suite") ? jr::text(j.at("suite"), path, "suite") : fs::path(path).stem().string();
  suite.backends = j.contains("backends") ? jr::texts(j.at("backends"), path, "backends")
                                          : std::vector<std::string>{"functional", "systemc"};
  if (suite.backends.empty()) throw InputError(where("backends: at least one is needed"));
  if (!j.contains("cases") || !j.at("cases").is_array() || j.at("cases").empty())
    throw InputError(where("cases: a non-empty array is required"));
  if (j.at("cases").size() > kSuiteMaxCases)
    throw InputError(where("cases: " + std::to_string(j.at("cases").size()) + " cases exceed the limit " +
                           std::to_string(kSuiteMaxCases)));
  std::set<std::string> names;
  for (std::size_t i = 0; i < j.at("cases").size(); ++i) {
    const json& c = j.at("cases")[i];
    const std::string cw = "case " + std::to_string(i);
    if (!c.is_object()) throw InputError(where(cw + ": must be an object"));
    for (const auto& [k, v] : c.items())
      if (!kCaseKeys.count(k)) throw InputError(where(cw + ": unknown field \"" + k + "\""));
    // The fields of case i, named "case i: FIELD" until the case has its name.
    auto str = [&](const std::string& key, const std::string& w, const std::string& fallback) {
      return c.contains(key) ? jr::text(c.at(key), path, w + ": " + key) : fallback;
    };
    SuiteCase sc;
    sc.name = jr::text(jr::member(c, "name", path, cw), path, cw + ": name");
    const std::string w = "case \"" + sc.name + "\"";
    if (!names.insert(sc.name).second) throw InputError(where(w + ": name used twice"));
    if (!c.contains("image")) throw InputError(where(w + ": image is required"));
    sc.image_path = resolve(dir, str("image", w, ""));
    sc.stimuli_path = resolve(dir, str("stimuli", w, ""));
    if (c.contains("steps")) {
      const json& st = c.at("steps");
      if (st.is_number_integer() && (!st.is_number_unsigned() || st.get<uint64_t>() > kSuiteMaxSteps))
        throw InputError(where(w + ": steps " + st.dump() + " not in 0 ... " + std::to_string(kSuiteMaxSteps)));
      sc.steps = jr::integer<uint32_t>(st, path, w + ": steps", 0, kSuiteMaxSteps);
    }
    if (c.contains("learning")) sc.learning = jr::boolean(c.at("learning"), path, w + ": learning");
    const std::string check = str("check", w, "agree");
    if (check == "golden") {
      sc.check_golden = true;
    } else if (check == "agree") {
      sc.check_agree = true;
    } else if (check == "both") {
      sc.check_golden = sc.check_agree = true;
    } else {
      throw InputError(where(w + ": check \"" + check + "\" is not golden, agree or both"));
    }
    if (sc.check_golden) {
      if (!c.contains("golden")) throw InputError(where(w + ": check " + check + " needs a golden file"));
      sc.golden_path = resolve(dir, str("golden", w, ""));
    }
    const std::string memory = str("memory", w, "every-step");
    if (memory != "every-step" && memory != "final")
      throw InputError(where(w + ": memory \"" + memory + "\" is not every-step or final"));
    sc.memory_every_step = memory == "every-step";
    if (c.contains("faults"))
      for (const auto& f : jr::texts(c.at("faults"), path, w + ": faults"))
        sc.faults.push_back(for_file(path, [&] { return parse_fault(f); }));
    const std::string expect = str("expect", w, "pass");
    if (expect != "pass" && expect != "fault-detected")
      throw InputError(where(w + ": expect \"" + expect + "\" is not pass or fault-detected"));
    sc.expect_fault_detected = expect == "fault-detected";
    if (sc.expect_fault_detected && sc.faults.empty()) throw InputError(where(w + ": expect fault-detected needs faults"));
    if (c.contains("expect_status")) sc.expect_status = status_code(str("expect_status", w, ""), where(w));
    if (c.contains("corrupt_words"))
      sc.corrupt_words = jr::integers<uint32_t>(c.at("corrupt_words"), path, w + ": corrupt_words", kSuiteMaxCorruptWords);
    suite.cases.push_back(std::move(sc));
  }
  return suite;
}

namespace {

std::string detail_line(const RunTrace& t) {
  std::ostringstream os;
  os << t.platform << ": " << t.steps.size() << " steps, " << t.accesses << " bus accesses";
  if (t.timing) os << ", " << t.bus_cycles << " bus cycles";
  if (t.status != LC_OK) os << ", firmware: " << t.status_text << " in step " << t.status_step;
  return os.str();
}

CaseResult run_case(const SuiteCase& sc, const std::vector<std::string>& backends, const SuiteOptions& o) {
  CaseResult r;
  r.name = sc.name;
  const pb::ChipImage image = for_file(sc.image_path, [&] {
    pb::ChipImage img = read_image_file(sc.image_path);
    validate_sealed_image(img);
    return img;
  });
  RunSpec spec;
  pb::Stimuli stimuli;
  if (!sc.stimuli_path.empty()) {
    stimuli = for_file(sc.stimuli_path, [&] { return read_stimuli_file(sc.stimuli_path); });
    spec.stimuli = for_file(sc.stimuli_path, [&] { return stimuli_spikes(stimuli); });
  }
  spec.steps = sc.steps ? sc.steps : stimuli_steps(stimuli);
  spec.learning = sc.learning;
  spec.memory_every_step = sc.memory_every_step;
  spec.corrupt_words = sc.corrupt_words;
  RunSpec clean = spec;
  spec.faults = sc.faults;
  spec.faults.insert(spec.faults.end(), o.extra_faults.begin(), o.extra_faults.end());

  auto run_on = [&](const std::string& backend, const RunSpec& s) {
    std::unique_ptr<Platform> p = make_platform(backend);
    return for_file(sc.image_path, [&] { return run_firmware(*p, image, s); });
  };

  if (o.record) {
    if (!sc.check_golden || sc.expect_fault_detected) {  // fault cases reuse the golden of a clean case
      r.passed = true;
      r.message = "no golden file to record";
      return r;
    }
    const RunTrace t = run_on(backends.front(), clean);
    r.details.push_back(detail_line(t));
    if (t.status != sc.expect_status) {
      r.message = "not recorded: firmware " + t.status_text + " in step " + std::to_string(t.status_step);
      return r;
    }
    std::error_code ec;
    fs::create_directories(fs::path(sc.golden_path).parent_path(), ec);
    const std::string tmp = sc.golden_path + ".tmp";
    {
      std::ofstream out(tmp);
      out << trace_to_json(t).dump() << "\n";
      if (!out) throw InputError(sc.golden_path + ": cannot write the golden file");
    }
    fs::rename(tmp, sc.golden_path);
    r.passed = true;
    r.message = "recorded " + sc.golden_path + " from " + backends.front();
    return r;
  }

  std::vector<RunTrace> traces;
  // Platforms that cannot run this case (test faults on the rtl, an image beyond the rtl build) are
  // left out with their reason; the case is skipped when too few remain for its check.
  std::vector<std::string> runnable;
  std::string skipped;
  for (const std::string& b : backends) {
    const std::string why = make_platform(b)->cannot_run(image, !spec.faults.empty());
    if (why.empty()) {
      runnable.push_back(b);
    } else {
      r.details.push_back(b + ": skipped: " + why);
      skipped += (skipped.empty() ? "" : "; ") + b + ": " + why;
    }
  }
  const bool faults = !spec.faults.empty();
  const std::size_t needed = sc.check_golden || faults ? 1 : 2;
  if (runnable.size() < needed) {
    r.passed = r.skipped = true;
    r.message = "skipped: " + skipped;
    return r;
  }
  for (const std::string& b : runnable) {
    traces.push_back(run_on(b, spec));
    r.details.push_back(detail_line(traces.back()));
  }
  for (const RunTrace& t : traces)
    if (t.status != sc.expect_status) {
      r.message = t.platform + ": firmware " +
                  (t.status == LC_OK ? "ok" : t.status_text + " in step " + std::to_string(t.status_step)) +
                  ", expected " + lc_status_name(static_cast<lc_status_t>(sc.expect_status));
      return r;
    }
  if (sc.expect_status != LC_OK) {
    r.passed = true;
    r.message =
        std::string("every platform reported ") + lc_status_name(static_cast<lc_status_t>(sc.expect_status));
    return r;
  }

  Divergence first;
  const RunTrace* faulty = nullptr;
  if (sc.check_golden) {
    RunTrace golden = read_golden_file(sc.golden_path);
    // A golden file may record a longer run: a case may check its first steps.
    if (golden.status == LC_OK && golden.steps.size() > spec.steps) golden.steps.resize(spec.steps);
    for (const RunTrace& t : traces) {
      first = compare_traces(golden, t, image);
      if (!first.identical) {
        faulty = &t;
        break;
      }
    }
  }
  if (first.identical && sc.check_agree) {
    // With faults, the reference is a fault-free run of the first platform.
    RunTrace reference;
    if (faults) {
      reference = run_on(runnable.front(), clean);
      reference.platform += ", fault-free";
    }
    const RunTrace& ref = faults ? reference : traces.front();
    for (std::size_t i = faults ? 0 : 1; i < traces.size(); ++i) {
      first = compare_traces(ref, traces[i], image);
      if (!first.identical) {
        faulty = &traces[i];
        break;
      }
    }
  }
  if (sc.expect_fault_detected) {
    if (first.identical) {
      r.message = "the fault was not detected (no divergence)";
      return r;
    }
    const auto& ev = faulty->fault_events;
    r.passed = !ev.empty() && localised(first, ev.front());
    r.message = (r.passed ? "fault detected where it acted: " : "fault misplaced: ") + first.text;
    if (!ev.empty())
      r.message += " (fault acted in step " + std::to_string(ev.front().step) + ", core (" +
                   std::to_string(ev.front().x) + "," + std::to_string(ev.front().y) + "), index " +
                   std::to_string(ev.front().index) + ", " + ev.front().variable + ")";
    return r;
  }
  r.passed = first.identical;
  r.message = first.identical ? "identical" : first.text;
  return r;
}

}  // namespace

std::vector<CaseResult> run_suite(const Suite& suite, const SuiteOptions& o) {
  const std::vector<std::string> backends = o.backends.empty() ? suite.backends : o.backends;
  for (const std::string& b : backends) {
    bool known = false;
    for (const std::string& n : platform_names()) known = known || n == b;
    if (!known) make_platform(b);  // throws the InputError naming the known platforms
  }
  std::vector<CaseResult> results;
  bool found = o.only_case.empty();
  for (const SuiteCase& sc : suite.cases) {
    if (!o.only_case.empty() && sc.name != o.only_case) continue;
    found = true;
    const auto t0 = std::chrono::steady_clock::now();
    CaseResult r = run_case(sc, backends, o);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (o.on_case) o.on_case(r);
    results.push_back(std::move(r));
  }
  if (!found) throw InputError(suite.path + ": no case named \"" + o.only_case + "\"");
  return results;
}

}  // namespace lifchip::hil
