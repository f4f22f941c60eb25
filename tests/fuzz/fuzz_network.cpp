// Network files as `lifchip map` / `lifchip import` read them: flow::load_network_file, which picks
// the reader by extension (LIFCHIP_FUZZ_NETWORK_NAME: "net.pb" for our protobuf, "net.nir" for NIR
// through libhdf5, in its reader process), then the mapper with its defaults, as `lifchip map` runs it.
#include <google/protobuf/stubs/logging.h>

#include "fuzz_support.h"
#include "lifchip/flow/session.h"
#include "lifchip/mapper/import_nir.h"

// The NIR reader process is forked before libFuzzer starts its RSS-watching thread: a fork while
// that thread is being set up inside ASan's allocator left the reader waiting on a lock forever
// (1 start in 4 here). Later readers (after one died on an input) are forked while it sleeps.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (std::string(LIFCHIP_FUZZ_NETWORK_NAME) == "net.nir") lifchip::mapper::start_nir_reader();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static google::protobuf::LogSilencer quiet;
  const std::string path = lifchip::fuzz::input_file(LIFCHIP_FUZZ_NETWORK_NAME, data, size);
  lifchip::fuzz::expect_clean([&] {
    const lifchip::flow::NetworkFile f = lifchip::flow::load_network_file(path);
    // Mapping is the next stage of the CLI; only networks of a mappable size (the import's limits
    // are the parser's job; mapping large ones is slow, not a parser finding).
    if (f.network.num_neurons() <= 4096) lifchip::flow::map_network_file(f, lifchip::mapper::MapOptions{}, "");
  });
  return 0;
}
