// Data files as `lifchip encode` / `lifchip evaluate` read them: flow::read_matrix by extension
// (LIFCHIP_FUZZ_MATRIX_NAME: "data.npy" or "data.csv"), and read_array for N-D NPY files.
#include "fuzz_support.h"
#include "lifchip/flow/data.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = lifchip::fuzz::input_file(LIFCHIP_FUZZ_MATRIX_NAME, data, size);
  lifchip::fuzz::expect_clean([&] { lifchip::flow::read_matrix(path); });
  lifchip::fuzz::expect_clean([&] { lifchip::flow::read_array(path); });
  return 0;
}
