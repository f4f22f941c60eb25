// Stimuli and probe specs as `lifchip run` reads them, against the corpus's valid base image:
// read_stimuli_file + stimuli_spikes + inject + steps (LIFCHIP_FUZZ_STIMULI), or read_probe_file +
// probe_targets + read_probe (LIFCHIP_FUZZ_PROBES). Binary files; text ones go through the same
// protobuf reader as the text image target.
#include <google/protobuf/stubs/logging.h>

#include <algorithm>

#include "fuzz_support.h"
#include "lifchip/backend.h"
#include "lifchip/run.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static google::protobuf::LogSilencer quiet;
  static const lifchip::pb::ChipImage base =
      lifchip::read_image_file(std::string(LIFCHIP_SOURCE_DIR) + "/tests/corpus/valid/base.image.txtpb");
#ifdef LIFCHIP_FUZZ_STIMULI
  const std::string path = lifchip::fuzz::input_file("stimuli.pb", data, size);
#else
  const std::string path = lifchip::fuzz::input_file("probes.pb", data, size);
#endif
  lifchip::fuzz::expect_clean([&] {
    std::unique_ptr<lifchip::Backend> b = lifchip::BackendRegistry::create("functional");
    b->load(base);
#ifdef LIFCHIP_FUZZ_STIMULI
    const lifchip::pb::Stimuli st = lifchip::read_stimuli_file(path);
    b->inject(lifchip::stimuli_spikes(st));
    b->step(std::min<uint32_t>(lifchip::stimuli_steps(st), 8));
#else
    const lifchip::pb::ProbeSpec p = lifchip::read_probe_file(path);
    for (const lifchip::ProbeTarget& t : lifchip::probe_targets(p)) lifchip::read_probe(*b, t);
#endif
  });
  return 0;
}
