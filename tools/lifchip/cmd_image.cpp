// `lifchip image check|seal|convert`: validate a chip image (spec §9.4, checksum included) and show
// its resource use; fill in format_version and checksum; convert between text and binary files.
#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli.h"
#include "lifchip/chip_constants.h"

namespace lifchip::cli {

namespace {

struct ImageOptions {
  std::string input;
  std::string output;
  bool json = false;
};

struct CoreUse {
  uint32_t x = 0, y = 0;
  uint64_t neurons = 0, axons = 0, synapses = 0, plastic = 0, fanout = 0, host = 0, profiles = 0;
};

CoreUse core_use(const pb::Core& c) {
  CoreUse u;
  u.x = c.x();
  u.y = c.y();
  u.neurons = static_cast<uint64_t>(c.neuron_profile_size());
  u.axons = static_cast<uint64_t>(c.axon_syn_base_size());
  u.synapses = static_cast<uint64_t>(c.syn_neuron_size());
  u.fanout = static_cast<uint64_t>(c.fanout_axon_size());
  u.profiles = static_cast<uint64_t>(c.profiles_size());
  for (uint32_t g : c.syn_group())
    if (static_cast<int>(g) < c.groups_size() && c.groups(static_cast<int>(g)).plastic()) ++u.plastic;
  for (bool h : c.fanout_to_host()) u.host += h ? 1 : 0;
  return u;
}

std::string hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08X", v);
  return buf;
}

std::string used(uint64_t n, uint64_t cap) {
  return group_digits(n) + " (" + std::to_string(cap ? (n * 100 + cap / 2) / cap : 0) + "%)";
}

int check(const ImageOptions& o) {
  const pb::ChipImage img = for_file(o.input, [&] {
    reject_directory(o.input);
    return read_image_file(o.input);
  });
  for_file(o.input, [&] { validate_sealed_image(img); });
  const ChipShape sh = chip_shape(img.config());
  const std::size_t words = flat_stream(img).size();
  std::vector<CoreUse> cores;
  for (const pb::Core& c : img.cores()) cores.push_back(core_use(c));

  if (o.json) {
    nlohmann::json j;
    j["file"] = o.input;
    j["valid"] = true;
    j["name"] = img.name();
    j["format_version"] = img.format_version();
    j["checksum"] = img.checksum();
    j["flat_stream_words"] = words;
    j["mesh"] = {{"width", sh.width}, {"height", sh.height}};
    j["clock_hz"] = sh.clock_hz;
    j["learning_enabled"] = img.learning_enabled();
    j["capacities"] = {{"neurons", sh.neurons},
                       {"axons", sh.axons},
                       {"synapses", sh.synapses},
                       {"fanout", sh.fanout},
                       {"profiles", sh.profiles}};
    j["cores"] = nlohmann::json::array();
    for (const CoreUse& u : cores)
      j["cores"].push_back({{"x", u.x},
                            {"y", u.y},
                            {"neurons", u.neurons},
                            {"axons", u.axons},
                            {"synapses", u.synapses},
                            {"plastic_synapses", u.plastic},
                            {"fanout", u.fanout},
                            {"host_fanout", u.host},
                            {"profiles", u.profiles}});
    std::cout << j.dump(2) << "\n";
    return kExitOk;
  }

  std::ostringstream os;
  os << o.input << ": valid chip image" << (img.name().empty() ? "" : " '" + img.name() + "'") << "\n";
  os << "  format version " << img.format_version() << ", checksum " << hex32(img.checksum())
     << " (CRC-32 of " << group_digits(words) << " flat-stream words)\n";
  os << "  mesh " << sh.width << "x" << sh.height << " (" << cores.size() << " of " << sh.num_cores()
     << " cores used), clock " << sh.clock_hz / 1e6 << " MHz, learning "
     << (img.learning_enabled() ? "on" : "off") << " at load\n";
  os << "  capacities per core: " << group_digits(sh.neurons) << " neurons, " << group_digits(sh.axons)
     << " axons, " << group_digits(sh.synapses) << " synapse entries, " << group_digits(sh.fanout)
     << " fan-out entries, " << sh.profiles << " profiles\n\n";
  Table t({"core", "neurons", "axons", "synapses", "plastic", "fan-out", "to host", "profiles"});
  CoreUse total;
  for (const CoreUse& u : cores) {
    t.add({"(" + std::to_string(u.x) + "," + std::to_string(u.y) + ")", used(u.neurons, sh.neurons),
           used(u.axons, sh.axons), used(u.synapses, sh.synapses), group_digits(u.plastic),
           used(u.fanout, sh.fanout), group_digits(u.host), used(u.profiles, sh.profiles)});
    total.neurons += u.neurons;
    total.axons += u.axons;
    total.synapses += u.synapses;
    total.plastic += u.plastic;
    total.fanout += u.fanout;
    total.host += u.host;
    total.profiles += u.profiles;
  }
  if (!cores.empty()) {
    t.rule();
    t.add({"total", group_digits(total.neurons), group_digits(total.axons), group_digits(total.synapses),
           group_digits(total.plastic), group_digits(total.fanout), group_digits(total.host),
           group_digits(total.profiles)});
  }
  os << t.str();
  std::cout << os.str();
  return kExitOk;
}

int seal(const ImageOptions& o) {
  check_writable(o.output);
  pb::ChipImage img = for_file(o.input, [&] {
    reject_directory(o.input);
    return read_image_file(o.input);
  });
  for_file(o.input, [&] { seal_image(img); });
  write_output(o.output, img);
  std::cout << o.output << ": sealed, checksum " << hex32(img.checksum()) << "\n";
  return kExitOk;
}

int convert(const ImageOptions& o) {
  check_writable(o.output);
  const pb::ChipImage img = for_file(o.input, [&] {
    reject_directory(o.input);
    return read_image_file(o.input);
  });
  for_file(o.input, [&] { validate_sealed_image(img); });
  write_output(o.output, img);
  std::cout << o.output << ": written as " << (is_text_format_path(o.output) ? "text" : "binary")
            << " ChipImage\n";
  return kExitOk;
}

}  // namespace

void add_image_commands(CLI::App& app, Action& action) {
  CLI::App* image = app.add_subcommand("image", "Check, seal or convert chip image files");
  image->require_subcommand(1);

  auto co = std::make_shared<ImageOptions>();
  CLI::App* c = image->add_subcommand(
      "check", "Validate an image (every rule of spec §9.4, checksum included) and show its resource use");
  c->add_option("IMAGE", co->input, "Chip image (.txtpb/.pbtxt/.textproto = text, else binary)")->required();
  c->add_flag("--json", co->json, "Print the summary as JSON");
  c->callback([&action, co] { action = [co] { return check(*co); }; });

  auto so = std::make_shared<ImageOptions>();
  CLI::App* s = image->add_subcommand(
      "seal",
      "Validate an image and fill in format_version and the checksum (e.g. after editing a text image)");
  s->add_option("IN", so->input, "Chip image to seal")->required();
  s->add_option("-o,--output", so->output,
                "Sealed image to write (may equal IN; text or binary by extension)")
      ->required();
  s->callback([&action, so] { action = [so] { return seal(*so); }; });

  auto vo = std::make_shared<ImageOptions>();
  CLI::App* v = image->add_subcommand(
      "convert", "Convert a valid image between text and binary protobuf (chosen by the file extensions)");
  v->add_option("IN", vo->input, "Chip image to read")->required();
  v->add_option("-o,--output", vo->output, "Image to write (.txtpb/.pbtxt/.textproto = text, else binary)")
      ->required();
  v->callback([&action, vo] { action = [vo] { return convert(*vo); }; });
}

}  // namespace lifchip::cli
