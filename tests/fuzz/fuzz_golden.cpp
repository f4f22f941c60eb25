// Golden files as `lifchip regress` reads them for a golden check: hil::read_golden_file (the
// function run_suite calls), then a comparison with itself as the check does.
#include "fuzz_support.h"
#include "trace.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = lifchip::fuzz::input_file("golden.json", data, size);
  lifchip::fuzz::expect_clean([&] {
    const lifchip::hil::RunTrace t = lifchip::hil::read_golden_file(path);
    lifchip::pb::ChipImage none;
    lifchip::hil::compare_traces(t, t, none);
  });
  return 0;
}
