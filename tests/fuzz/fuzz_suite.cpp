// Regression suites as `lifchip regress SUITE` reads and runs them: hil::read_suite, then
// hil::run_suite on the functional platform alone (the SystemC one has its own register-level
// target), steps capped at 16 so one input stays fast. The scratch directory holds links to the
// bundled suite's images, stimuli and golden files (so the seeds' relative paths resolve) and a
// directory named like a file ("dir.json", "dir.txtpb"), the paths that once let std::ios_failure out.
#include <algorithm>
#include <filesystem>

#include "fuzz_support.h"
#include "suite.h"

namespace fs = std::filesystem;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool linked = [] {
    const fs::path src = fs::path(LIFCHIP_SOURCE_DIR) / "tests/regress";
    const fs::path dir = lifchip::fuzz::scratch_dir();
    std::error_code ec;
    // Links to the images, stimuli and golden files only: the input is written beside them, and a
    // link named like it would let the input overwrite the bundled suite.
    for (const auto& e : fs::directory_iterator(src))
      if (e.path().extension() != ".json") fs::create_symlink(e.path(), dir / e.path().filename(), ec);
    fs::create_directories(dir / "dir.json", ec);
    fs::create_directories(dir / "dir.txtpb", ec);
    return true;
  }();
  (void)linked;
  const std::string path = lifchip::fuzz::input_file("fuzz_input.suite.json", data, size);
  lifchip::fuzz::expect_clean([&] {
    lifchip::hil::Suite suite = lifchip::hil::read_suite(path);
    for (auto& c : suite.cases) c.steps = std::min<uint32_t>(c.steps == 0 ? 16 : c.steps, 16);
    lifchip::hil::SuiteOptions o;
    o.backends = {"functional"};
    lifchip::hil::run_suite(suite, o);
  });
  return 0;
}
