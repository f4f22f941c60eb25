// Helpers shared by the lifchip subcommands: counter names (spec §8, §10.5), atomic text output
// and plain-text tables.
#include <google/protobuf/text_format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "cli.h"
#include "lifchip/backend.h"
#include "lifchip/chip_constants.h"
#include "lifchip/run.h"

namespace lifchip::cli {

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
  PartWriter out(path);  // one part: the whole message
  out.write(message);
  out.commit();
}

PartWriter::PartWriter(std::string path)
    : path_(std::move(path)),
      tmp_(path_ + ".tmp." + std::to_string(::getpid())),
      text_(is_text_format_path(path_)) {
  out_.open(tmp_, std::ios::binary | std::ios::trunc);
  if (!out_) throw InputError(path_ + ": cannot write: " + std::strerror(errno));
}

PartWriter::~PartWriter() {
  if (committed_) return;
  out_.close();
  std::remove(tmp_.c_str());
}

void PartWriter::write(const google::protobuf::Message& part) {
  std::string data;
  if (text_) {
    google::protobuf::TextFormat::Printer printer;
    printer.SetUseShortRepeatedPrimitives(true);
    if (!printer.PrintToString(part, &data)) throw InputError(path_ + ": cannot format the message");
  } else if (!part.SerializeToString(&data)) {
    throw InputError(path_ + ": cannot serialise the message");
  }
  out_.write(data.data(), static_cast<std::streamsize>(data.size()));
  if (!out_) throw InputError(path_ + ": write failed");
  bytes_ += data.size();
}

void PartWriter::commit() {
  out_.close();
  if (!out_) throw InputError(path_ + ": write failed");
  if (std::rename(tmp_.c_str(), path_.c_str()) != 0)
    throw InputError(path_ + ": cannot write: " + std::strerror(errno));
  committed_ = true;
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

namespace {
int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

Progress::Progress(std::string what, std::string unit) : what_(std::move(what)), unit_(std::move(unit)) {
  tty_ = ::isatty(STDERR_FILENO) != 0;
  const char* env = std::getenv("LIFCHIP_PROGRESS");
  const std::string mode = env ? env : "";
  always_ = mode == "always";
  never_ = mode == "never";
  start_ms_ = now_ms();
}

void Progress::operator()(uint64_t done, uint64_t total) {
  if (never_ || total == 0) return;
  const int64_t now = now_ms();
  if (!always_ && now - start_ms_ < 1000) return;  // short runs stay quiet
  const unsigned pct = static_cast<unsigned>(done * 100 / total);
  if (tty_ && !always_) {
    if (done < total && now - last_ms_ < 100) return;
    last_ms_ = now;
    const int width = 30, filled = static_cast<int>(done * width / total);
    std::fprintf(stderr, "\r%s [%s%s] %llu / %llu %s (%u%%)", what_.c_str(), std::string(filled, '#').c_str(),
                 std::string(width - filled, '.').c_str(), static_cast<unsigned long long>(done),
                 static_cast<unsigned long long>(total), unit_.c_str(), pct);
    std::fflush(stderr);
    shown_ = true;
    return;
  }
  // Plain lines: one per completed tenth (and the end), never a carriage return.
  if (done * 10 < next_decile_ * total && done < total) return;
  while (next_decile_ <= 10 && done * 10 >= next_decile_ * total) ++next_decile_;
  // The singular unit reads as a label: "step 480 / 4800".
  const std::string label =
      unit_.size() > 1 && unit_.back() == 's' ? unit_.substr(0, unit_.size() - 1) : unit_;
  std::fprintf(stderr, "%s: %s %llu / %llu (%u%%)\n", what_.c_str(), label.c_str(),
               static_cast<unsigned long long>(done), static_cast<unsigned long long>(total), pct);
  std::fflush(stderr);
}

void Progress::finish() {
  if (shown_) std::fprintf(stderr, "\r%*s\r", static_cast<int>(what_.size()) + 60, "");
  shown_ = false;
}

void add_run_source_options(CLI::App* sub, RunSource& src) {
  sub->add_option("RESULT", src.result,
                  "A RunResult file from `lifchip run -o` (or give --image to run now)");
  sub->add_option("--image", src.image, "The chip image (runs it when no RESULT is given)");
  sub->add_option("--stimuli", src.stimuli, "Input spikes for the run (a Stimuli message)");
  sub->add_option("--backend", src.backend, "Chip model for the run (systemc gives exact cycles)")
      ->capture_default_str();
  sub->add_option("--steps", src.steps, "Steps to run (default: from the stimuli)")
      ->check(CLI::Range(uint32_t{1}, kMaxRunSteps));
}

void add_estimate_options(CLI::App* sub, std::string& model, flow::EstimateOptions& est) {
  sub->add_option("--model", model, "Energy model: a preset (loihi1, truenorth, default) or a model file")
      ->capture_default_str();
  sub->add_option("--clock-hz", est.clock_hz, "Clock (default: the image's, else the model's)")
      ->check(CLI::PositiveNumber);
  sub->add_option("--inference-steps", est.inference_steps, "Steps per inference (default: the whole run)")
      ->check(CLI::Range(uint32_t{1}, kMaxRunSteps));
  sub->add_option("--step-rate", est.step_rate_hz, "Time steps per second for the average power")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  sub->add_flag("--static-all-cores", est.static_all_cores,
                "Static power of every core of the mesh (default: only the cores the image uses)");
}

pb::RunResult obtain_result(const RunSource& src, pb::ChipImage* image_out, bool* have_image) {
  *have_image = false;
  if (src.result.empty() && src.image.empty())
    throw InputError("give a RESULT file (from `lifchip run -o`), or --image (and --stimuli) to run");
  if (!src.image.empty()) {
    *image_out = for_file(src.image, [&] {
      reject_directory(src.image);
      pb::ChipImage im = read_image_file(src.image);
      validate_sealed_image(im);
      return im;
    });
    *have_image = true;
  }
  if (!src.result.empty()) {
    if (!src.stimuli.empty() || src.steps != 0)
      throw InputError(src.result + ": a RESULT file was given, so --stimuli and --steps do not apply");
    return for_file(src.result, [&] {
      reject_directory(src.result);
      pb::RunResult r;
      const std::string bytes = [&] {
        std::ifstream in(src.result, std::ios::binary);
        if (!in) throw InputError(src.result + ": cannot open: " + std::strerror(errno));
        std::ostringstream os;
        os << in.rdbuf();
        return os.str();
      }();
      const bool ok = is_text_format_path(src.result)
                          ? google::protobuf::TextFormat::ParseFromString(bytes, &r)
                          : r.ParseFromString(bytes);
      if (!ok) throw InputError("not a RunResult message (lifchip run -o writes one)");
      join_run_parts(r);  // a long run's file holds its traces in pieces
      if (r.counters().cores_size() == 0) throw InputError("the RunResult has no counters");
      for (const pb::CoreCounters& c : r.counters().cores())
        if (c.values_size() > spec::CNT_PER_CORE)
          throw InputError("core (" + std::to_string(c.x()) + "," + std::to_string(c.y()) + ") has " +
                           std::to_string(c.values_size()) + " counters, more than " +
                           std::to_string(spec::CNT_PER_CORE));
      return r;
    });
  }
  std::unique_ptr<Backend> backend = BackendRegistry::create(src.backend);
  for_file(src.image, [&] { backend->load(*image_out); });
  pb::Stimuli stimuli;
  if (!src.stimuli.empty()) {
    stimuli = for_file(src.stimuli, [&] {
      reject_directory(src.stimuli);
      return read_stimuli_file(src.stimuli);
    });
    for_file(src.stimuli, [&] { stimuli_spikes(stimuli); });
  }
  RunOptions ro;
  ro.steps = src.steps ? src.steps : stimuli_steps(stimuli);
  if (ro.steps == 0) throw InputError("nothing to run: give --stimuli with steps, or --steps N");
  if (ro.steps > kMaxRunSteps)
    throw InputError(src.stimuli + ": the stimuli ask for " + std::to_string(ro.steps) +
                     " steps, more than " + std::to_string(kMaxRunSteps));
  Progress progress("lifchip: running " + src.backend);
  ro.progress = [&progress](uint32_t done, uint32_t total) { progress(done, total); };
  pb::RunResult r =
      for_file(src.stimuli.empty() ? src.image : src.stimuli, [&] { return run(*backend, stimuli, ro); });
  progress.finish();
  r.set_image_name(image_out->name());
  return r;
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

void print_warnings(const std::string& file, const std::vector<std::string>& warnings) {
  for (const std::string& w : warnings) std::cerr << "lifchip: warning: " << file << ": " << w << "\n";
}

}  // namespace lifchip::cli
