// Running a command-line program from a test as users and scripts do: stdin closed, stdout and
// stderr captured to files (never a terminal), the exit code decoded; scratch directories; and the
// checks every CLI test makes of a bad-input or usage failure. Header-only (it uses GoogleTest).
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

namespace lifchip::test {

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

/// A shell word: single quotes, with embedded single quotes escaped.
inline std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

inline bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

/// A fresh directory, removed with everything in it; on a RAM file system where there is one
/// (tests rewrite files often).
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "lifchip_test") {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path base = fs::is_directory("/dev/shm", ec) && ::access("/dev/shm", W_OK) == 0
                              ? fs::path("/dev/shm")
                              : fs::temp_directory_path();
    static int counter = 0;
    path_ = base / (prefix + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string operator/(const std::string& name) const { return (path_ / name).string(); }
  /// Writes `text` to `name` and returns its path.
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path_ / name, std::ios::binary) << text;
    return (path_ / name).string();
  }
  std::vector<std::string> files() const {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(path_))
      out.push_back(e.path().filename().string());
    return out;
  }
  std::size_t count() const { return files().size(); }

 private:
  std::filesystem::path path_;
};

struct CliResult {
  int code = -1;  // exit code; 128 + signal when killed by one
  std::string out, err;
};

inline std::ostream& operator<<(std::ostream& os, const CliResult& r) {
  return os << "exit " << r.code << "\n--- stdout ---\n" << r.out << "--- stderr ---\n" << r.err;
}

/// Runs `binary args` through the shell (args are shell words: quote() paths), with `env`
/// ("NAME=value ...") in front when given.
inline CliResult run_cli(const std::string& binary, const std::string& args, const std::string& env = "") {
  TempDir io("lifchip_cli_io");
  const std::string cmd = env + " " + quote(binary) + " " + args + " >" + quote(io / "out") + " 2>" +
                          quote(io / "err") + " </dev/null";
  const int status = std::system(cmd.c_str());
  CliResult r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  r.out = slurp(io / "out");
  r.err = slurp(io / "err");
  return r;
}

/// A bad-input failure: exit 1, nothing on stdout, exactly one stderr line, "lifchip: error: ...",
/// that names every one of `names`.
inline void expect_input_error(const CliResult& r, const std::vector<std::string>& names) {
  EXPECT_EQ(r.code, 1) << r;
  EXPECT_EQ(r.out, "") << r;
  EXPECT_EQ(r.err.rfind("lifchip: error: ", 0), 0u) << r;
  ASSERT_FALSE(r.err.empty());
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "more than one line:\n" << r;
  for (const std::string& n : names) EXPECT_TRUE(contains(r.err, n)) << "missing '" << n << "' in\n" << r;
}

/// A usage failure: exit 2, nothing on stdout, "lifchip: usage error: ..." on stderr.
inline void expect_usage_error(const CliResult& r) {
  EXPECT_EQ(r.code, 2) << r;
  EXPECT_EQ(r.out, "") << r;
  EXPECT_EQ(r.err.rfind("lifchip: usage error: ", 0), 0u) << r;
}

}  // namespace lifchip::test
