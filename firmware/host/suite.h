// Regression suites (docs/firmware.md, "Suite files"): a JSON list of cases, each an image, stimuli,
// learning on/off, steps and a check (golden file and/or "backends must agree"), run on chosen
// platforms through the firmware, with pass/fail and the first divergence per case (their JUnit XML:
// tools/flow, lifchip/flow/regress.h).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "trace.h"

namespace lifchip::hil {

struct SuiteCase {
  std::string name;
  std::string image_path, stimuli_path, golden_path;  // resolved against the suite's directory
  uint32_t steps = 0;                                 // 0: from the stimuli
  std::optional<bool> learning;
  bool check_golden = false, check_agree = false;
  bool memory_every_step = true;
  std::vector<Fault> faults;           // armed in every platform run (never in the golden)
  bool expect_fault_detected = false;  // pass iff the first divergence is where the fault acted
  int expect_status = LC_OK;           // firmware status the run must end with
  std::vector<uint32_t> corrupt_words;
};

struct Suite {
  std::string name, path;
  std::vector<std::string> backends;
  std::vector<SuiteCase> cases;
};

/// The sizes a suite file may declare (docs/reliability.md, "Limits").
inline constexpr std::size_t kSuiteMaxCases = 4096;
inline constexpr uint32_t kSuiteMaxSteps = uint32_t{1} << 20;
inline constexpr std::size_t kSuiteMaxCorruptWords = 4096;

/// Reads and checks a suite file; throws InputError naming the file, the case and the field (a
/// directory, an unreadable file, bad JSON or a number out of its field's range included).
Suite read_suite(const std::string& path);

struct CaseResult {
  std::string name;
  bool passed = false;
  bool skipped = false;              // no platform of the run could run it (passed is then true)
  std::string message;               // the first divergence, why the case could not run or was skipped
  double seconds = 0;                // wall time, for the JUnit report only
  std::vector<std::string> details;  // per platform: steps, bus accesses, bus cycles
};

struct SuiteOptions {
  std::vector<std::string> backends;               // empty: the suite's
  bool record = false;                             // write golden files from the first backend
  std::vector<Fault> extra_faults;                 // --fault: armed in every case
  std::string only_case;                           // run only this case
  std::function<void(const CaseResult&)> on_case;  // progress
};

std::vector<CaseResult> run_suite(const Suite& suite, const SuiteOptions& options);

}  // namespace lifchip::hil
