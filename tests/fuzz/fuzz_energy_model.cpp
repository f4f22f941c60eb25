// Energy-model files as `lifchip estimate --model FILE` reads them: flow::load_energy_model(path).
#include "fuzz_support.h"
#include "lifchip/flow/energy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = lifchip::fuzz::input_file("model.energy", data, size);
  lifchip::fuzz::expect_clean([&] {
    const lifchip::flow::EnergyModel m = lifchip::flow::load_energy_model(path);
    lifchip::flow::format_energy_model(m);
  });
  return 0;
}
