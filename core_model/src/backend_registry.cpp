// The registry of backends by name, filled by static registrations in core_model/src/impl/.
#include <map>
#include <sstream>
#include <utility>

#include "lifchip/backend.h"
#include "lifchip/chip_constants.h"

namespace lifchip {

namespace {
struct Entry {
  BackendRegistry::Factory factory;
  Capacities capacities;
};
std::map<std::string, Entry>& table() {
  static std::map<std::string, Entry> t;
  return t;
}
const Entry& entry(const std::string& name) {
  auto it = table().find(name);
  if (it == table().end()) {
    std::string known;
    for (const auto& [n, e] : table()) known += (known.empty() ? "" : ", ") + n;
    throw InputError("unknown backend '" + name + "' (available: " + known + ")");
  }
  return it->second;
}
}  // namespace

Capacities spec_capacities() {
  Capacities c;
  c.mesh_width = c.mesh_height = spec::MESH_DIM_MAX;
  c.neurons = spec::NEURONS_PER_CORE_MAX;
  c.axons = spec::AXONS_PER_CORE_MAX;
  c.synapses = spec::SYNAPSES_PER_CORE_MAX;
  c.fanout = spec::FANOUT_PER_CORE_MAX;
  c.profiles = spec::PROFILES_PER_CORE_MAX;
  return c;
}

void BackendRegistry::add(const std::string& name, Factory factory, const Capacities& capacities) {
  table()[name] = Entry{std::move(factory), capacities};
}

std::unique_ptr<Backend> BackendRegistry::create(const std::string& name) { return entry(name).factory(); }

Capacities BackendRegistry::capacities(const std::string& name) { return entry(name).capacities; }

std::vector<std::string> BackendRegistry::names() {
  std::vector<std::string> v;
  for (const auto& [n, e] : table()) v.push_back(n);
  return v;
}

std::vector<int64_t> axons_by_core(const pb::ChipImage& image) {
  const ChipShape shape = chip_shape(image.config());
  std::vector<int64_t> axons(shape.num_cores(), -1);
  for (const pb::Core& c : image.cores()) axons[shape.core_index(c.x(), c.y())] = c.axon_syn_base_size();
  return axons;
}

void check_input_spikes(const std::vector<InputSpike>& spikes, const ChipShape& shape,
                        const std::vector<int64_t>& axons_by_core, uint32_t timestep) {
  for (std::size_t i = 0; i < spikes.size(); ++i) {
    const InputSpike& sp = spikes[i];
    const std::string where = "input spike " + std::to_string(i) + " (step " + std::to_string(sp.step) +
                              ", core (" + std::to_string(sp.x) + "," + std::to_string(sp.y) + "), axon " +
                              std::to_string(sp.axon) + "): ";
    if (sp.step < timestep)
      throw InputError(where + "step is in the past (the chip is at step " + std::to_string(timestep) + ")");
    if (sp.x >= shape.width || sp.y >= shape.height)
      throw InputError(where + "core is outside the " + std::to_string(shape.width) + "x" +
                       std::to_string(shape.height) + " mesh");
    const int64_t axons = axons_by_core[shape.core_index(sp.x, sp.y)];
    if (axons < 0) throw InputError(where + "core is not in the image");
    if (sp.axon >= axons) throw InputError(where + "axon >= the core's " + std::to_string(axons) + " axons");
  }
}

std::string chip_error_message(const std::string& backend, uint32_t error_bits, uint32_t step) {
  const std::pair<int64_t, std::string> kBits[] = {
      {spec::ERR_BUS, "bus error (a host packet to a core or axon the chip does not have)"},
      {spec::ERR_CHECKSUM, "image checksum mismatch"},
      {spec::ERR_IMAGE_RANGE, "image field out of range"},
      {spec::ERR_SPIKE_IN_OVERFLOW, "input spike FIFO overflow (more than " +
                                        std::to_string(spec::HOST_SPIKE_FIFO_DEPTH) +
                                        " host packets for one step)"},
      {spec::ERR_SPIKE_OUT_OVERFLOW, "output spike FIFO overflow"},
      {spec::ERR_NOT_READY, "not ready"}};
  std::string text;
  for (const auto& [bit, what] : kBits)
    if (error_bits & static_cast<uint32_t>(bit)) text += (text.empty() ? "" : "; ") + what;
  if (text.empty()) text = "unknown error bits";
  std::ostringstream hex;
  hex << std::hex << std::uppercase << error_bits;
  return backend + ": the chip reported ERROR 0x" + hex.str() + " in step " + std::to_string(step) + ": " + text;
}

uint64_t CounterSet::total(int id) const {
  uint64_t t = 0;
  for (const CoreCounterArray& c : cores) t += c[static_cast<std::size_t>(id)];
  return t;
}

}  // namespace lifchip
