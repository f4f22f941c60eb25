// The flat image stream of spec §9.3 as the register loader decodes it (host_regs.cpp's commit):
// decode_flat_stream of the words, then validate_image and a load into the functional model.
#include <cstring>
#include <vector>

#include "fuzz_support.h"
#include "lifchip/backend.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint32_t> words(size / 4);
  if (!words.empty()) std::memcpy(words.data(), data, words.size() * 4);
  lifchip::fuzz::expect_clean([&] {
    const lifchip::pb::ChipImage img = lifchip::decode_flat_stream(words.data(), words.size());
    lifchip::validate_image(img);
    std::unique_ptr<lifchip::Backend> b = lifchip::BackendRegistry::create("functional");
    b->load(img);
    b->step(1);
  });
  return 0;
}
