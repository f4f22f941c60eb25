// Run results as `lifchip estimate RESULT` reads them: the CLI's obtain_result (compiled in from
// tools/lifchip/cli_util.cpp) on a binary RunResult file, then flow::estimate with the default model.
#include <google/protobuf/stubs/logging.h>

#include "../../tools/lifchip/cli.h"
#include "fuzz_support.h"
#include "lifchip/flow/energy.h"
#include "lifchip/for_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static google::protobuf::LogSilencer quiet;
  static const lifchip::flow::EnergyModel model = lifchip::flow::load_energy_model("default");
  lifchip::cli::RunSource src;
  src.result = lifchip::fuzz::input_file("result.pb", data, size);
  lifchip::fuzz::expect_clean([&] {
    lifchip::pb::ChipImage image;
    bool have_image = false;
    const lifchip::pb::RunResult r = lifchip::cli::obtain_result(src, &image, &have_image);
    lifchip::for_file(src.result, [&] { lifchip::flow::estimate(r, nullptr, model, lifchip::flow::EstimateOptions{}); });
  });
  return 0;
}
