// Bindings files as the CLI reads them: `lifchip encode --binding` (flow::parse_binding: a map
// --bindings file or a hand-written binding) and `evaluate/decode/report --bindings`
// (flow::parse_bindings), each on flow::read_file_bytes of the file.
#include "fuzz_support.h"
#include "lifchip/flow/bindings.h"
#include "lifchip/flow/data.h"
#include "lifchip/flow/encode.h"
#include "lifchip/for_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = lifchip::fuzz::input_file("bindings.json", data, size);
  lifchip::fuzz::expect_clean([&] {
    lifchip::for_file(path, [&] { lifchip::flow::parse_binding(lifchip::flow::read_file_bytes(path), path, 4); });
  });
  lifchip::fuzz::expect_clean([&] {
    lifchip::for_file(path, [&] { lifchip::flow::parse_bindings(lifchip::flow::read_file_bytes(path), path); });
  });
  return 0;
}
