// JUnit XML of a regression suite's results (see regress.h).
#include "lifchip/flow/regress.h"

#include <sstream>

#include "lifchip/flow/report.h"  // xml_escape

namespace lifchip::flow {

std::string junit_xml(const std::string& suite_name, const std::vector<hil::CaseResult>& results) {
  std::size_t failures = 0, skipped = 0;
  double total = 0;
  for (const hil::CaseResult& r : results) {
    failures += r.passed ? 0 : 1;
    skipped += r.skipped ? 1 : 0;
    total += r.seconds;
  }
  std::ostringstream os;
  os << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  os << "<testsuites>\n<testsuite name=\"" << flow::xml_escape(suite_name) << "\" tests=\"" << results.size()
     << "\" failures=\"" << failures << "\" errors=\"0\" skipped=\"" << skipped << "\" time=\"" << total << "\">\n";
  for (const hil::CaseResult& r : results) {
    os << "  <testcase classname=\"" << flow::xml_escape(suite_name) << "\" name=\""
       << flow::xml_escape(r.name) << "\" time=\"" << r.seconds << "\">\n";
    if (!r.passed) os << "    <failure message=\"" << flow::xml_escape(r.message) << "\"/>\n";
    if (r.skipped) os << "    <skipped message=\"" << flow::xml_escape(r.message) << "\"/>\n";
    std::string out;
    for (const std::string& d : r.details) out += d + "\n";
    os << "    <system-out>" << flow::xml_escape(r.message + "\n" + out) << "</system-out>\n";
    os << "  </testcase>\n";
  }
  os << "</testsuite>\n</testsuites>\n";
  return os.str();
}

}  // namespace lifchip::flow
