// PNG decoding for inspect_png: chunk walk, zlib inflate of the IDAT stream, row unfiltering
// (PNG spec §9 filters 0-4). Only what browser screenshots use: 8-bit RGB/RGBA, no interlace.
#include "lifchip/flow/png.h"

#include <zlib.h>

#include <cstdlib>
#include <set>
#include <vector>

#include "lifchip/image.h"

namespace lifchip::flow {

namespace {

uint32_t be32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

int paeth(int a, int b, int c) {
  const int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

}  // namespace

PngSummary inspect_png(const std::string& bytes, const std::string& name) {
  const auto* u = reinterpret_cast<const unsigned char*>(bytes.data());
  if (bytes.size() < 8 || bytes.compare(0, 8, "\x89PNG\r\n\x1a\n", 8) != 0)
    throw InputError(name + ": not a PNG file");
  PngSummary out;
  int channels = 0;
  std::string idat;
  for (std::size_t p = 8; p + 12 <= bytes.size();) {
    const uint32_t len = be32(u + p);
    if (len > bytes.size() - p - 12) throw InputError(name + ": truncated PNG chunk");
    const std::string type = bytes.substr(p + 4, 4);
    const unsigned char* d = u + p + 8;
    if (type == "IHDR") {
      if (len < 13) throw InputError(name + ": short IHDR");
      out.width = be32(d);
      out.height = be32(d + 4);
      if (d[8] != 8 || (d[9] != 2 && d[9] != 6) || d[12] != 0)
        throw InputError(name + ": only 8-bit RGB/RGBA non-interlaced PNG is supported");
      channels = d[9] == 2 ? 3 : 4;
    } else if (type == "IDAT") {
      idat.append(reinterpret_cast<const char*>(d), len);
    } else if (type == "IEND") {
      break;
    }
    p += 12 + len;
  }
  if (channels == 0 || out.width == 0 || out.height == 0 || out.width > 20000 || out.height > 40000)
    throw InputError(name + ": missing or unsupported IHDR");
  const std::size_t stride = static_cast<std::size_t>(out.width) * channels;
  std::vector<unsigned char> raw((stride + 1) * out.height);
  uLongf raw_len = raw.size();
  if (uncompress(raw.data(), &raw_len, reinterpret_cast<const Bytef*>(idat.data()), idat.size()) != Z_OK ||
      raw_len != raw.size())
    throw InputError(name + ": corrupt image data");
  std::vector<unsigned char> prev(stride, 0), cur(stride);
  std::set<uint32_t> colours;
  for (uint32_t y = 0; y < out.height; ++y) {
    const unsigned char* row = &raw[y * (stride + 1)];
    const int filter = row[0];
    for (std::size_t i = 0; i < stride; ++i) {
      const int a = i >= static_cast<std::size_t>(channels) ? cur[i - channels] : 0, b = prev[i],
                c = i >= static_cast<std::size_t>(channels) ? prev[i - channels] : 0;
      int pred = 0;
      switch (filter) {
        case 0:
          pred = 0;
          break;
        case 1:
          pred = a;
          break;
        case 2:
          pred = b;
          break;
        case 3:
          pred = (a + b) / 2;
          break;
        case 4:
          pred = paeth(a, b, c);
          break;
        default:
          throw InputError(name + ": bad PNG filter type");
      }
      cur[i] = static_cast<unsigned char>(row[1 + i] + pred);
    }
    for (uint32_t x = 0; x < out.width; ++x) {
      const unsigned char* px = &cur[x * channels];
      if (px[0] < 240 || px[1] < 240 || px[2] < 240) ++out.non_white;
      if (colours.size() < 4096) colours.insert((uint32_t{px[0]} << 16) | (uint32_t{px[1]} << 8) | px[2]);
    }
    prev.swap(cur);
  }
  out.distinct_colours = colours.size();
  return out;
}

}  // namespace lifchip::flow
