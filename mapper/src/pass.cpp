// The report sections and the pass pipeline.
#include "lifchip/mapper/pass.h"

namespace lifchip::mapper {

std::string ReportSection::value(const std::string& key) const {
  for (const auto& [k, v] : figures)
    if (k == key) return v;
  return {};
}

const ReportSection* Report::section(const std::string& pass) const {
  for (const ReportSection& s : sections)
    if (s.pass == pass) return &s;
  return nullptr;
}

Pipeline& Pipeline::add(std::unique_ptr<Pass> pass) {
  passes_.push_back(std::move(pass));
  return *this;
}

std::vector<std::string> Pipeline::names() const {
  std::vector<std::string> n;
  for (const auto& p : passes_) n.push_back(p->name());
  return n;
}

void Pipeline::run(Network& network, Report& report) const {
  network.validate("network before pass '" + (passes_.empty() ? std::string() : passes_.front()->name()) +
                   "'");
  for (const auto& p : passes_) {
    ReportSection section;
    section.pass = p->name();
    p->run(network, section);
    report.sections.push_back(std::move(section));
    network.validate("network after pass '" + p->name() + "'");
  }
}

}  // namespace lifchip::mapper
