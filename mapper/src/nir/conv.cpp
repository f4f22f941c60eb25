// NIR's convolution and pooling nodes: Conv1d, Conv2d (stride, padding numbers or 'same'/'valid',
// dilation, groups), SumPool2d and AvgPool2d, each expanded into synapses with shared-weight classes.
#include <optional>

#include "translator.h"

namespace lifchip::mapper::nir {
namespace {

using mapper::detail::ConvGeometry;
using mapper::detail::LinearMap;

// The spatial input size of a conv node: its declared input_shape when that fits the data, else
// the propagated [C, (H,) W] shape (leading 1s, i.e. a batch axis, dropped).
Shape spatial_input(const NodeReader& n, const Shape& in, uint64_t channels, int dims) {
  const uint64_t in_count = count_of(in);
  std::optional<Shape> declared;
  if (const Field* f = n.maybe("input_shape")) {
    declared = n.shape_field("input_shape", *f);
    if (declared->size() != static_cast<std::size_t>(dims))
      n.fail("input_shape", shape_text(*declared) + " has " + std::to_string(declared->size()) +
                                " dimensions, expected " + std::to_string(dims));
    if (channels * count_of(*declared) == in_count) return *declared;
  }
  Shape s = in;
  while (s.size() > static_cast<std::size_t>(dims) + 1 && s.front() == 1) s.erase(s.begin());
  std::optional<Shape> propagated;
  if (s.size() == static_cast<std::size_t>(dims) + 1 && s[0] == channels)
    propagated = Shape(s.begin() + 1, s.end());
  else if (dims == 1 && channels > 0 && in_count % channels == 0)
    propagated = Shape{in_count / channels};
  if (propagated) {
    if (declared)
      n.note("node '" + n.name() + "' (" + n.type() + "): declared input_shape " + shape_text(*declared) +
             " does not fit its input of " + std::to_string(in_count) + " values " + shape_text(in) +
             "; using " + shape_text(*propagated));
    return *propagated;
  }
  n.fail("input_shape", "cannot tell the input's spatial size: the input carries " +
                            std::to_string(in_count) + " values " + shape_text(in) + ", expected " +
                            std::to_string(channels) + " channels x " + (dims == 2 ? "H x W" : "N") +
                            (declared ? " (declared " + shape_text(*declared) + " does not fit)"
                                      : " and no input_shape is given"));
}

void set_padding(const NodeReader& n, ConvGeometry& g, int dims) {
  const Field* f = n.maybe("padding");
  if (!f) n.fail("padding", "missing");
  if (f->kind == Field::Kind::kStrings) {
    const std::string p = f->strings.size() == 1 ? f->strings[0] : "";
    if (p == "valid") return;
    if (p != "same") n.fail("padding", "'" + p + "', expected numbers, 'same' or 'valid'");
    // PyTorch's 'same': total padding dilation * (k - 1), the odd unit at the end.
    const uint32_t th = g.dil_h * (g.k_h - 1), tw = g.dil_w * (g.k_w - 1);
    g.pad_top = th / 2, g.pad_bottom = th - th / 2, g.pad_left = tw / 2, g.pad_right = tw - tw / 2;
    return;
  }
  const std::vector<uint32_t> p = n.integers("padding", dims, 0);
  if (dims == 2) {
    g.pad_top = g.pad_bottom = p[0];
    g.pad_left = g.pad_right = p[1];
  } else {
    g.pad_left = g.pad_right = p[0];
  }
}

OpResult conv(const NodeReader& n, const Shape& in, int dims) {
  const Field& w = n.need_numbers("weight");
  if (w.shape.size() != static_cast<std::size_t>(dims) + 2)
    n.fail("weight", "shape " + shape_text(w.shape) + ", expected [C_out, C_in / groups, " +
                         (dims == 2 ? "K_h, K_w]" : "K]"));
  for (uint64_t d : w.shape)
    if (d == 0 || d > 65536)
      n.fail("weight", "shape " + shape_text(w.shape) + " has an empty or huge dimension");
  const uint32_t groups = n.integers("groups", 1, 1)[0];
  const std::vector<uint32_t> stride = n.integers("stride", dims, 1);
  const std::vector<uint32_t> dilation = n.integers("dilation", dims, 1);
  ConvGeometry g;
  g.out_channels = static_cast<uint32_t>(w.shape[0]);
  g.in_channels = static_cast<uint32_t>(w.shape[1]) * groups;
  g.groups = groups;
  if (g.out_channels % groups != 0 || uint64_t{w.shape[1]} * groups > 65536)
    n.fail("groups", std::to_string(groups) + " does not divide " + std::to_string(g.out_channels) +
                         " output channels");
  const Shape sp = spatial_input(n, in, g.in_channels, dims);
  if (dims == 2) {
    g.in_h = static_cast<uint32_t>(sp[0]);
    g.in_w = static_cast<uint32_t>(sp[1]);
    g.k_h = static_cast<uint32_t>(w.shape[2]);
    g.k_w = static_cast<uint32_t>(w.shape[3]);
    g.stride_h = stride[0], g.stride_w = stride[1], g.dil_h = dilation[0], g.dil_w = dilation[1];
  } else {
    g.in_w = static_cast<uint32_t>(sp[0]);
    g.k_w = static_cast<uint32_t>(w.shape[2]);
    g.stride_w = stride[0], g.dil_w = dilation[0];
  }
  set_padding(n, g, dims);
  if (std::string why = mapper::detail::conv_output(g); !why.empty()) n.fail("weight", why);
  OpResult r;
  r.out = dims == 2 ? Shape{g.out_channels, g.out_h, g.out_w} : Shape{g.out_channels, g.out_w};
  if (count_of(r.out) > kMaxTensor) n.fail("weight", "output " + shape_text(r.out) + " is too large");
  if (double(count_of(r.out)) * (g.in_channels / groups) * g.k_h * g.k_w > double(kMaxTerms))
    n.fail("weight", "expands to more than " + std::to_string(kMaxTerms) + " synapses");
  r.map = mapper::detail::conv_map(g, w.numbers);
  const std::vector<double> bias = n.broadcast("bias", g.out_channels);
  r.bias.resize(count_of(r.out));
  const uint64_t plane = uint64_t{g.out_h} * g.out_w;
  for (uint64_t i = 0; i < r.bias.size(); ++i) r.bias[i] = bias[i / plane];
  return r;
}

OpResult pool(const NodeReader& n, const Shape& in, bool average) {
  const std::vector<uint32_t> k = n.integers("kernel_size", 2, 1);
  const std::vector<uint32_t> stride = n.integers("stride", 2, 1);
  const std::vector<uint32_t> pad = n.integers("padding", 2, 0);
  // PyTorch's rule (NIR's pooling comes from it): padding at most half the kernel; more would
  // only add windows that see nothing but padding.
  if (pad[0] > k[0] / 2 || pad[1] > k[1] / 2)
    n.fail("padding", "[" + std::to_string(pad[0]) + ", " + std::to_string(pad[1]) +
                          "] is more than half the kernel [" + std::to_string(k[0]) + ", " +
                          std::to_string(k[1]) + "]");
  Shape s = in;
  while (s.size() > 3 && s.front() == 1) s.erase(s.begin());
  if (s.size() != 3)
    n.fail("input", "pooling needs a [C, H, W] input, its input has shape " + shape_text(in));
  ConvGeometry g;
  g.in_channels = g.out_channels = static_cast<uint32_t>(s[0]);
  g.in_h = static_cast<uint32_t>(s[1]), g.in_w = static_cast<uint32_t>(s[2]);
  g.k_h = k[0], g.k_w = k[1], g.stride_h = stride[0], g.stride_w = stride[1];
  g.pad_top = g.pad_bottom = pad[0], g.pad_left = g.pad_right = pad[1];
  if (std::string why = mapper::detail::conv_output(g); !why.empty()) n.fail("kernel_size", why);
  OpResult r;
  r.out = {g.in_channels, g.out_h, g.out_w};
  if (count_of(r.out) > kMaxTensor) n.fail("padding", "output " + shape_text(r.out) + " is too large");
  r.map = mapper::detail::pool_map(g, average ? 1.0 / (double(g.k_h) * g.k_w) : 1.0);
  return r;
}

const TranslatorRegistration kConv1d(
    linear_translator("Conv1d", 70, [](const NodeReader& n, const Shape& in) { return conv(n, in, 1); }));
const TranslatorRegistration kConv2d(
    linear_translator("Conv2d", 80, [](const NodeReader& n, const Shape& in) { return conv(n, in, 2); }));
const TranslatorRegistration kSumPool2d(linear_translator("SumPool2d", 90,
                                                          [](const NodeReader& n, const Shape& in) {
                                                            return pool(n, in, false);
                                                          }));
const TranslatorRegistration kAvgPool2d(linear_translator("AvgPool2d", 100,
                                                          [](const NodeReader& n, const Shape& in) {
                                                            return pool(n, in, true);
                                                          }));

}  // namespace
}  // namespace lifchip::mapper::nir
