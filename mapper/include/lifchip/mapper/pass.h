// The mapper's pass contract and pipeline (LLVM new-pass-manager shape): each step from IR to IR is
// one class with one run() method, in its own file, appending its own section to the report.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "lifchip/mapper/ir.h"

namespace lifchip::mapper {

/// One pass's part of the mapping report: named figures (in the order added) and free-text notes
/// (warnings, decisions taken, e.g. "node 'out': declared shape [1, 1, 7] has 7 elements").
struct ReportSection {
  std::string pass;
  std::vector<std::pair<std::string, std::string>> figures;
  std::vector<std::string> notes;

  void figure(const std::string& key, const std::string& value) { figures.emplace_back(key, value); }
  void figure(const std::string& key, uint64_t value) { figures.emplace_back(key, std::to_string(value)); }
  void note(const std::string& text) { notes.push_back(text); }
  /// The value of a figure, or "" when absent.
  std::string value(const std::string& key) const;
};

struct Report {
  std::vector<ReportSection> sections;
  /// The section of a pass, or nullptr.
  const ReportSection* section(const std::string& pass) const;
};

/// Contract of a pass: run() reads the network and its own options only (never another pass's
/// internals), changes the network in place or adds to it, and fills `report` (whose `pass` field
/// the pipeline has already set to name()). On input it cannot handle it throws InputError naming
/// the population/projection and the field or limit; it never leaves a half-changed network behind
/// for a caller to continue with (the pipeline stops at the first throw).
class Pass {
 public:
  virtual ~Pass() = default;
  virtual std::string name() const = 0;
  virtual void run(Network& network, ReportSection& report) = 0;
};

/// Runs passes in order; each gets a fresh report section. The network is validated before the
/// first pass and after each one, so a pass that breaks an IR rule is caught where it happened.
class Pipeline {
 public:
  Pipeline& add(std::unique_ptr<Pass> pass);
  std::vector<std::string> names() const;
  void run(Network& network, Report& report) const;

 private:
  std::vector<std::unique_ptr<Pass>> passes_;
};

}  // namespace lifchip::mapper
