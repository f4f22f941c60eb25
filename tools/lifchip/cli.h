// Shared pieces of the lifchip command-line program: subcommand registration, exit codes, error
// attribution to files, counter names, atomic text output and plain-text tables.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "lifchip/image.h"
#include "lifchip/mapper/map.h"
#include "lifchip/flow/energy.h"
#include "lifchip/flow/session.h"

namespace lifchip::cli {

/// Exit codes: the contract scripts and CI rely on.
enum ExitCode : int { kExitOk = 0, kExitBadInput = 1, kExitUsage = 2, kExitInternal = 3 };
/// `lifchip regress` / `lifchip compare`: the runs completed and some case failed or diverged.
inline constexpr int kExitRegressFailed = 4;

/// A subcommand's work, chosen while parsing and run after parsing succeeded (so that CLI11 usage
/// errors and our input errors never mix).
using Action = std::function<int()>;

void add_run_command(CLI::App& app, Action& action);
void add_image_commands(CLI::App& app, Action& action);
void add_backends_command(CLI::App& app, Action& action);
void add_map_commands(CLI::App& app, Action& action);  // import, fit, map (cmd_map.cpp)
void add_encode_commands(CLI::App& app, Action& action);
void add_estimate_command(CLI::App& app, Action& action);
void add_report_command(CLI::App& app, Action& action);
void add_demo_command(CLI::App& app, Action& action);
void add_regress_command(CLI::App& app, Action& action);
void add_compare_command(CLI::App& app, Action& action);
void add_evaluate_command(CLI::App& app, Action& action);

/// A network imported and mapped with the map options of `lifchip map`.
struct NetworkMapping {
  std::string path;
  mapper::Network network;
  mapper::MapResult mapped;
  mapper::MapOptions options;  // what the options asked for (to map an edited network the same way)
  bool json = false;           // --json was given
};
/// Adds NETWORK and every option of `lifchip map` but the outputs (mesh, capacities, strategies,
/// dt, reset, samples, headroom, --json) to `sub`; the function it returns, called after parsing,
/// imports and (with `true`) maps (InputError naming the file, option or population). cmd_map.cpp.
std::function<NetworkMapping(bool map)> add_network_mapping(CLI::App* sub);

/// The longest run `lifchip run` accepts. Results keep per-step figures and probe values in memory,
/// so an unbounded step count (e.g. a stimuli step of 4e9 from a corrupt file) would exhaust memory.
inline constexpr uint32_t kMaxRunSteps = uint32_t{1} << 24;

/// Errors named after their file, directories refused: the flow layer's, shared with the Python module.
using flow::for_file;
using flow::reject_directory;

/// Throws an InputError naming `path` when it could not be written (its directory is missing or not
/// writable), so a long run fails before it starts rather than after.
void check_writable(const std::string& path);

/// Counter names (spec §8): the flow layer's, shared with the Python module.
using flow::chip_counter_name;
using flow::core_counter_name;

/// Writes `text` to `path` atomically (temporary file in the same directory, then rename).
void write_text_file(const std::string& path, const std::string& text);

/// Writes a message atomically, text or binary by the file name (as write_message_file), with
/// repeated numbers in text as one `[a, b, c]` list per field, so structure-of-arrays images stay
/// readable after `lifchip image seal`.
void write_output(const std::string& path, const google::protobuf::Message& message);

/// A message written in parts as they come (a long run's RunResult, RunOptions::on_part): text or
/// binary by the file name, each part appended to a temporary file in the same directory, which
/// commit() renames to `path`. Until then `path` is untouched; destroyed uncommitted (an error part
/// way), the temporary file is removed, so no half-written result is left.
class PartWriter {
 public:
  explicit PartWriter(std::string path);
  ~PartWriter();
  PartWriter(const PartWriter&) = delete;
  PartWriter& operator=(const PartWriter&) = delete;
  void write(const google::protobuf::Message& part);
  void commit();
  uint64_t bytes() const { return bytes_; }

 private:
  std::string path_, tmp_;
  std::ofstream out_;
  bool text_ = false, committed_ = false;
  uint64_t bytes_ = 0;
};

/// A plain-text table with right-aligned numeric columns (the first column left-aligned).
class Table {
 public:
  explicit Table(std::vector<std::string> header) : rows_{std::move(header)} {}
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  /// Adds a separator line before the next row.
  void rule() { rules_.push_back(rows_.size()); }
  std::string str(const std::string& indent = "  ") const;

 private:
  std::vector<std::vector<std::string>> rows_;
  std::vector<std::size_t> rules_;
};

/// Progress of a long command on stderr: nothing for the first second (short runs stay quiet), then
/// a bar redrawn in place on a terminal, or a plain line at every 10 % when stderr is not a terminal
/// (logs, CI). LIFCHIP_PROGRESS=always shows it from the start, =never hides it.
class Progress {
 public:
  explicit Progress(std::string what, std::string unit = "steps");
  void operator()(uint64_t done, uint64_t total);
  /// Erases the bar on a terminal (the summary that follows is unchanged).
  void finish();

 private:
  std::string what_, unit_;
  bool tty_ = false, always_ = false, never_ = false, shown_ = false;
  int64_t start_ms_ = 0, last_ms_ = 0;
  uint64_t next_decile_ = 1;
};

/// A run's result: read from a RunResult file, or run now from an image and stimuli on a backend.
struct RunSource {
  std::string result;  // a RunResult file (`lifchip run -o`)
  std::string image, stimuli, backend = "functional";
  uint32_t steps = 0;
};
/// Adds --image/--stimuli/--backend/--steps and a RESULT positional to a subcommand.
void add_run_source_options(CLI::App* sub, RunSource& src);
/// Adds --model, --clock-hz, --inference-steps and --step-rate (`estimate` and `report`).
void add_estimate_options(CLI::App* sub, std::string& model, flow::EstimateOptions& est);
/// Loads or runs (with a progress bar); `image_out` receives the image when one was given.
pb::RunResult obtain_result(const RunSource& src, pb::ChipImage* image_out, bool* have_image);

/// Warnings of a command that succeeded, on stderr: "lifchip: warning: FILE: what" (a failure is one
/// error line instead).
void print_warnings(const std::string& file, const std::vector<std::string>& warnings);

/// "12,345" style thousands separators: counters reach billions and are read by people.
std::string group_digits(uint64_t v);

}  // namespace lifchip::cli
