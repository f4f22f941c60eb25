// Writes the seeds of tests/fuzz/corpus/ that are not copies of the project's files: the binary
// forms (probe spec, flat image stream, run result, network) and host-interface record sequences,
// all from the corpus's valid base image and the mapper's test network. Run once when a format
// changes: make_seeds SOURCE_DIR OUT_DIR (OUT_DIR/NAME/seed_*).
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <vector>

#include "lifchip/backend.h"
#include "lifchip/chip_constants.h"
#include "lifchip/mapper/ir.h"
#include "lifchip/run.h"

namespace fs = std::filesystem;
namespace s = lifchip::spec;

static void put(const fs::path& out, const std::string& target, const std::string& name, const std::string& bytes) {
  fs::create_directories(out / target);
  std::ofstream(out / target / name, std::ios::binary) << bytes;
}

static std::string words(const std::vector<uint32_t>& w) {
  return std::string(reinterpret_cast<const char*>(w.data()), w.size() * 4);
}

// Host-interface records: op, register byte, 32-bit value.
static std::string record(uint8_t op, uint8_t reg, uint32_t value) {
  std::string r(6, '\0');
  r[0] = static_cast<char>(op);
  r[1] = static_cast<char>(reg);
  std::memcpy(&r[2], &value, 4);
  return r;
}

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: make_seeds SOURCE_DIR OUT_DIR\n";
    return 2;
  }
  const fs::path src = argv[1], out = argv[2];
  const std::string valid = (src / "tests/corpus/valid").string();
  const lifchip::pb::ChipImage img = lifchip::read_image_file(valid + "/base.image.txtpb");
  put(out, "probes", "seed_base", lifchip::read_probe_file(valid + "/base.probes.txtpb").SerializeAsString());
  put(out, "flat_stream", "seed_base", words(lifchip::flat_stream(img)));
  const lifchip::pb::ChipImage example = lifchip::read_image_file((src / "tools/examples/small_net.image.txtpb").string());
  put(out, "flat_stream", "seed_small_net", words(lifchip::flat_stream(example)));
  put(out, "image_binary", "seed_small_net", example.SerializeAsString());

  std::unique_ptr<lifchip::Backend> b = lifchip::BackendRegistry::create("functional");
  b->load(img);
  lifchip::RunOptions ro;
  ro.probes = lifchip::read_probe_file(valid + "/base.probes.txtpb");
  put(out, "run_result", "seed_base",
      lifchip::run(*b, lifchip::read_stimuli_file(valid + "/base.stimuli.txtpb"), ro).SerializeAsString());

  const lifchip::pb::Network net = lifchip::mapper::read_network_file((src / "mapper/tests/data/proto/small.txtpb").string());
  put(out, "network_proto", "seed_small", net.SerializeAsString());

  // Boot, spikes in, run, read every register; a corrupted boot; counters and memory windows.
  std::string boot = record(2, 0, 0xFFFFFFFFu);
  for (uint8_t r = 0; r < 24; ++r) boot += record(1, r, 0);
  boot += record(0, s::REG_SPIKE_IN / 4, 0) + record(0, s::REG_SPIKE_IN / 4, 1) + record(3, 0, 3);
  for (uint8_t r = 0; r < 24; ++r) boot += record(1, r, 0);
  put(out, "host_if", "seed_boot_run", boot);
  std::string bad = record(2, 0, 5);
  for (uint8_t r = 0; r < 24; ++r) bad += record(1, r, 0);
  put(out, "host_if", "seed_bad_boot", bad);
  std::string windows = record(2, 0, 0xFFFFFFFFu) + record(3, 0, 2);
  for (uint32_t sel = 0; sel < 24; ++sel)
    windows += record(0, s::REG_CNT_SEL / 4, sel) + record(1, s::REG_CNT_LO / 4, 0) + record(1, s::REG_CNT_HI / 4, 0);
  for (uint32_t mem = 1; mem <= 8; ++mem)
    windows += record(0, s::REG_MEM_SEL / 4, mem << 16) + record(1, s::REG_MEM_DATA / 4, 0) + record(1, s::REG_ERROR / 4, 0);
  put(out, "host_if", "seed_windows", windows);
  std::cout << "seeds written under " << out << "\n";
  return 0;
}
