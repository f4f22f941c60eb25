// The regression runner's reports: a suite's results (firmware/host/suite.h) as JUnit XML.
#pragma once

#include <string>
#include <vector>

#include "suite.h"

namespace lifchip::flow {

/// JUnit XML (one testsuite, a testcase per case, a <failure> with the first divergence, a <skipped>
/// with the reason a case could not run on the chosen platforms).
std::string junit_xml(const std::string& suite_name, const std::vector<hil::CaseResult>& results);

}  // namespace lifchip::flow
