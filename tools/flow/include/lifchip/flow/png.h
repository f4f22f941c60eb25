// A minimal PNG reader (8-bit RGB/RGBA, as browsers write screenshots) used by the report test to
// check that the page really rendered: size, and how many pixels differ from the background.
#pragma once

#include <cstdint>
#include <string>

namespace lifchip::flow {

struct PngSummary {
  uint32_t width = 0, height = 0;
  uint64_t non_white = 0;         // pixels that are not (near) white
  uint64_t distinct_colours = 0;  // distinct RGB values (capped at 4096)
};

/// Decodes `bytes` (throws InputError naming `name` for anything but 8-bit RGB or RGBA PNG).
PngSummary inspect_png(const std::string& bytes, const std::string& name);

}  // namespace lifchip::flow
