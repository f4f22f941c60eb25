// Shared pieces of the libFuzzer targets (tests/fuzz/, docs/reliability.md): the input as a file
// named like the CLI's inputs, and the one rule every target checks: bad input ends in one
// InputError line; anything else (another exception type, a sanitizer report, a crash) is a finding.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <typeinfo>

#include "lifchip/image.h"  // InputError

namespace lifchip::fuzz {

/// A per-process scratch directory on a RAM file system when there is one.
inline const std::string& scratch_dir() {
  static const std::string dir = [] {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path base = fs::is_directory("/dev/shm", ec) && ::access("/dev/shm", W_OK) == 0
                              ? fs::path("/dev/shm")
                              : fs::temp_directory_path();
    const fs::path d = base / ("lifchip_fuzz_" + std::to_string(::getpid()));
    fs::create_directories(d);
    return d.string();
  }();
  return dir;
}

/// Writes the input to scratch_dir()/name (the name's extension selects the parser, as in the CLI).
inline std::string input_file(const std::string& name, const uint8_t* data, size_t size) {
  const std::string path = scratch_dir() + "/" + name;
  std::error_code ec;
  if (std::filesystem::is_symlink(path, ec)) {
    std::fprintf(stderr, "fuzz: %s is a link: the input would overwrite its target\n", path.c_str());
    std::abort();
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  out.close();
  if (!out) {
    std::fprintf(stderr, "fuzz: cannot write %s\n", path.c_str());
    std::abort();
  }
  return path;
}

[[noreturn]] inline void finding(const std::string& what) {
  std::fprintf(stderr, "fuzz finding: %s\n", what.c_str());
  std::abort();
}

/// Runs `f`: returning or a non-empty InputError is fine; any other exception is a finding (libFuzzer
/// then saves the input). A message may hold a newline that the input itself put in a quoted name
/// (a node called "out\nut"): the CLI prints it on one line (main.cpp's one_line), so that is not one.
template <typename F>
void expect_clean(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    const std::string msg = e.what();
    if (msg.empty()) finding("an empty InputError");
  } catch (const std::exception& e) {
    finding(std::string("escaped ") + typeid(e).name() + ": " + e.what());
  }
}

}  // namespace lifchip::fuzz
