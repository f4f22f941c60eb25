// Naming the file an input error came from, once, for every layer that reads files (the CLI and
// the Python module through the flow layer, the HIL runner's suites).
#pragma once

#include <string>

#include "lifchip/image.h"  // InputError

namespace lifchip {

/// Runs `f`; an InputError it throws is rethrown with `path: ` in front unless it already names it.
template <typename F>
auto for_file(const std::string& path, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const InputError& e) {
    const std::string msg = e.what();
    if (msg.compare(0, path.size(), path) == 0) throw;
    throw InputError(path + ": " + msg);
  }
}

}  // namespace lifchip
