// Helpers shared by the lifchip subcommands: counter names (spec §8, §10.5), atomic text output
// and plain-text tables.
#include <google/protobuf/text_format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "cli.h"
#include "lifchip/chip_constants.h"

namespace lifchip::cli {

namespace s = spec;

namespace {

// Indexed by the generated constants so that no counter id is typed here.
const std::vector<std::pair<int64_t, const char*>>& core_names() {
  static const std::vector<std::pair<int64_t, const char*>> names = {
      {s::CNT_AXON_EVENTS, "axon_events"},
      {s::CNT_SYN_OPS, "syn_ops"},
      {s::CNT_NEURON_ACTIVE, "neuron_active"},
      {s::CNT_NEURON_IDLE, "neuron_idle"},
      {s::CNT_SPIKES, "spikes"},
      {s::CNT_PACKETS_SENT, "packets_sent"},
      {s::CNT_PACKETS_RECEIVED, "packets_received"},
      {s::CNT_AXON_COLLISIONS, "axon_collisions"},
      {s::CNT_STDP_UPDATES, "stdp_updates"},
      {s::CNT_TRACE_UPDATES, "trace_updates"},
      {s::CNT_SYN_MEM_READS, "syn_mem_reads"},
      {s::CNT_SYN_MEM_WRITES, "syn_mem_writes"},
      {s::CNT_NEURON_MEM_READS, "neuron_mem_reads"},
      {s::CNT_NEURON_MEM_WRITES, "neuron_mem_writes"},
      {s::CNT_AXON_MEM_READS, "axon_mem_reads"},
      {s::CNT_FANOUT_MEM_READS, "fanout_mem_reads"},
      {s::CNT_LINK_LOCAL, "link_local"},
      {s::CNT_LINK_NORTH, "link_north"},
      {s::CNT_LINK_EAST, "link_east"},
      {s::CNT_LINK_SOUTH, "link_south"},
      {s::CNT_LINK_WEST, "link_west"},
      {s::CNT_CYCLES_DELIVER, "cycles_deliver"},
      {s::CNT_CYCLES_UPDATE, "cycles_update"},
      {s::CNT_CYCLES_LEARN, "cycles_learn"},
      {s::CNT_CYCLES_WAIT, "cycles_wait"},
      {s::CNT_FANOUT_STALLS, "fanout_stalls"},
      {s::CNT_ROUTER_BLOCKED, "router_blocked"},
      {s::CNT_ROUTER_FLITS_IN, "router_flits_in"},
  };
  return names;
}

const std::vector<std::pair<int64_t, const char*>>& chip_names() {
  static const std::vector<std::pair<int64_t, const char*>> names = {
      {s::CNT_CHIP_HOST_IN, "host_in"},
      {s::CNT_CHIP_HOST_OUT, "host_out"},
      {s::CNT_CHIP_TIMESTEPS, "timesteps"},
      {s::CNT_CHIP_CYCLES, "cycles"},
      {s::CNT_CHIP_INJECT_CYCLES, "inject_cycles"},
  };
  return names;
}

std::string lookup(const std::vector<std::pair<int64_t, const char*>>& names, uint32_t id) {
  for (const auto& [i, n] : names)
    if (i == static_cast<int64_t>(id)) return n;
  return {};
}

}  // namespace

void reject_directory(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw InputError(path + ": is a directory, expected a file");
}

void check_writable(const std::string& path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  const std::string dir = parent.empty() ? "." : parent.string();
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    throw InputError(path + ": cannot write: the directory " + dir + " does not exist");
  if (::access(dir.c_str(), W_OK) != 0)
    throw InputError(path + ": cannot write: the directory " + dir + " is not writable");
  if (std::filesystem::is_directory(path, ec)) throw InputError(path + ": cannot write: it is a directory");
}

std::string core_counter_name(uint32_t id) { return lookup(core_names(), id); }
std::string chip_counter_name(uint32_t id) { return lookup(chip_names(), id); }

void write_text_file(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw InputError(path + ": cannot write: " + std::strerror(errno));
    out << text;
    out.close();
    if (!out) {
      std::remove(tmp.c_str());
      throw InputError(path + ": write failed");
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string err = std::strerror(errno);
    std::remove(tmp.c_str());
    throw InputError(path + ": cannot write: " + err);
  }
}

void write_output(const std::string& path, const google::protobuf::Message& message) {
  if (!is_text_format_path(path)) {
    write_message_file(path, message);
    return;
  }
  google::protobuf::TextFormat::Printer printer;
  printer.SetUseShortRepeatedPrimitives(true);
  std::string text;
  if (!printer.PrintToString(message, &text)) throw InputError(path + ": cannot format the message");
  write_text_file(path, text);
}

std::string Table::str(const std::string& indent) const {
  std::vector<std::size_t> width;
  for (const auto& row : rows_) {
    if (width.size() < row.size()) width.resize(row.size(), 0);
    for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }
  std::size_t total = 0;
  for (std::size_t w : width) total += w + 2;
  std::ostringstream os;
  for (std::size_t r = 0; r < rows_.size(); ++r) {
    if (std::find(rules_.begin(), rules_.end(), r) != rules_.end())
      os << indent << std::string(total > 2 ? total - 2 : 0, '-') << "\n";
    std::string line = indent;
    for (std::size_t c = 0; c < rows_[r].size(); ++c) {
      const std::string& cell = rows_[r][c];
      const std::string pad(width[c] - cell.size(), ' ');
      if (c > 0) line += "  ";
      line += c == 0 ? cell + pad : pad + cell;
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    os << line << "\n";
  }
  return os.str();
}

std::string group_digits(uint64_t v) {
  std::string digits = std::to_string(v);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace lifchip::cli
