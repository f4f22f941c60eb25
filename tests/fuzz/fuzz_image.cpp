// Chip images as `lifchip run` reads them: read_image_file (binary, or text when built with
// LIFCHIP_FUZZ_TEXT), validate_sealed_image, then a load into the functional model and a few steps.
#include <google/protobuf/stubs/logging.h>

#include "fuzz_support.h"
#include "lifchip/backend.h"

#ifdef LIFCHIP_FUZZ_TEXT
static const char* const kName = "image.txtpb";
#else
static const char* const kName = "image.pb";
#endif

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static google::protobuf::LogSilencer quiet;
  const std::string path = lifchip::fuzz::input_file(kName, data, size);
  lifchip::fuzz::expect_clean([&] {
    const lifchip::pb::ChipImage img = lifchip::read_image_file(path);
    lifchip::validate_sealed_image(img);
    std::unique_ptr<lifchip::Backend> b = lifchip::BackendRegistry::create("functional");
    b->load(img);
    b->step(2);
    b->counters();
  });
  return 0;
}
