// Sparse linear operators: composition, sums, expansion of convolutions and pooling into terms,
// and the final projection with its shared-weight classes.
#include "linear_map.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <unordered_map>

namespace lifchip::mapper::detail {

namespace {

// A synapse's signature: its (kernel, coeff) terms. Equal signatures give equal weights, so they
// are one shared-weight class.
using Signature = std::vector<std::pair<int32_t, double>>;

struct SignatureHash {
  std::size_t operator()(const Signature& s) const {
    uint64_t h = 1469598103934665603ull;
    for (const auto& [k, c] : s) {
      uint64_t bits;
      std::memcpy(&bits, &c, sizeof bits);
      h = (h ^ static_cast<uint32_t>(k)) * 1099511628211ull;
      h = (h ^ bits) * 1099511628211ull;
    }
    return static_cast<std::size_t>(h);
  }
};

bool term_less(const Term& a, const Term& b) { return a.in != b.in ? a.in < b.in : a.kernel < b.kernel; }

thread_local TermBudget* current_budget = nullptr;

// For each kernel offset k (0 .. kernel - 1), how many of the `out` output positions read an input
// inside [0, in) through it (a convolution or pooling window along one axis).
// Closed form (a loop over positions would be kernel x out steps: 2^50 for a wide pooling window):
// position o reads input o * stride - pad_lo + k * dil, inside when 0 <= that < in.
std::vector<uint64_t> valid_positions(uint32_t in, uint32_t out, uint32_t kernel, uint32_t stride,
                                      uint32_t pad_lo, uint32_t dil) {
  auto floor_div = [](int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); };
  std::vector<uint64_t> n(kernel, 0);
  for (uint32_t k = 0; k < kernel; ++k) {
    const int64_t shift = int64_t{pad_lo} - int64_t{k} * dil;  // o * stride >= shift, < in + shift
    const int64_t lo = std::max<int64_t>(0, -floor_div(-shift, stride));
    const int64_t hi = std::min<int64_t>(int64_t{out} - 1, floor_div(int64_t{in} - 1 + shift, stride));
    n[k] = hi >= lo ? static_cast<uint64_t>(hi - lo + 1) : 0;
  }
  return n;
}

}  // namespace

TermBudget::TermBudget(uint64_t limit) : limit_(limit), outer_(current_budget) { current_budget = this; }

TermBudget::~TermBudget() { current_budget = outer_; }

void TermBudget::charge(uint64_t n) {
  TermBudget* b = current_budget;
  if (!b) return;
  if (n > b->limit_ - b->used_) throw TooManyTerms{b->used_, n, b->limit_};
  b->used_ += n;
}

std::shared_ptr<const LinearMap::Rep> LinearMap::empty_rep() {
  static const std::shared_ptr<const Rep> empty = std::make_shared<const Rep>();
  return empty;
}

LinearMap LinearMap::identity(uint32_t n) {
  LinearMap m;
  m.rows_ = m.cols_ = n;
  m.identity_ = true;
  return m;
}

LinearMap LinearMap::dense(uint32_t rows, uint32_t cols, const std::vector<double>& weights) {
  const auto nonzero = static_cast<uint64_t>(
      std::count_if(weights.begin(), weights.begin() + static_cast<std::ptrdiff_t>(uint64_t{rows} * cols),
                    [](double w) { return w != 0; }));
  TermBudget::charge(nonzero);
  auto r = std::make_shared<Rep>();
  r->terms.reserve(nonzero);  // sized exactly: growing by doubling holds up to 1.5x while it copies
  r->start.assign(rows + 1, 0);
  for (uint32_t o = 0; o < rows; ++o) {
    for (uint32_t i = 0; i < cols; ++i) {
      const double w = weights[uint64_t{o} * cols + i];
      if (w != 0) r->terms.push_back({i, -1, w});
    }
    r->start[o + 1] = r->terms.size();
  }
  LinearMap m;
  m.rows_ = rows;
  m.cols_ = cols;
  m.rep_ = std::move(r);
  return m;
}

LinearMap LinearMap::diagonal(const std::vector<double>& scale) {
  const uint32_t n = static_cast<uint32_t>(scale.size());
  TermBudget::charge(
      static_cast<uint64_t>(std::count_if(scale.begin(), scale.end(), [](double v) { return v != 0; })));
  auto r = std::make_shared<Rep>();
  r->start.assign(n + 1, 0);
  for (uint32_t o = 0; o < n; ++o) {
    if (scale[o] != 0) r->terms.push_back({o, -1, scale[o]});
    r->start[o + 1] = r->terms.size();
  }
  LinearMap m;
  m.rows_ = m.cols_ = n;
  m.rep_ = std::move(r);
  return m;
}

LinearMap LinearMap::from_rows(uint32_t rows, uint32_t cols, std::vector<uint64_t> start,
                               std::vector<Term> terms, std::vector<double> kernels) {
  auto r = std::make_shared<Rep>();
  r->start = std::move(start);
  r->terms = std::move(terms);
  r->kernels = std::move(kernels);
  normalise_rows(*r, rows);
  LinearMap m;
  m.rows_ = rows;
  m.cols_ = cols;
  m.rep_ = std::move(r);
  return m;
}

// In place: a row's merged terms never outnumber its terms, so they are written over them (a
// second array of terms would double a dense layer's footprint here).
void LinearMap::normalise_rows(Rep& r, uint32_t rows) {
  uint64_t written = 0, row_begin = 0;
  for (uint32_t o = 0; o < rows; ++o) {
    const uint64_t row_end = r.start[o + 1];
    auto b = r.terms.begin() + static_cast<std::ptrdiff_t>(row_begin);
    auto e = r.terms.begin() + static_cast<std::ptrdiff_t>(row_end);
    if (!std::is_sorted(b, e, term_less)) std::stable_sort(b, e, term_less);
    for (auto it = b; it != e;) {
      Term t = *it++;
      while (it != e && it->in == t.in && it->kernel == t.kernel) t.coeff += (it++)->coeff;
      if (t.coeff != 0) r.terms[written++] = t;
    }
    r.start[o + 1] = written;
    row_begin = row_end;
  }
  r.terms.resize(written);
}

LinearMap LinearMap::then(const LinearMap& next) const {
  if (identity_) return next;
  if (next.identity_) return *this;
  const int32_t offset = static_cast<int32_t>(rep_->kernels.size());
  std::vector<double> kernels = rep_->kernels;
  kernels.insert(kernels.end(), next.rep_->kernels.begin(), next.rep_->kernels.end());
  std::vector<uint64_t> start(next.rows_ + 1, 0);
  std::vector<Term> terms;
  uint64_t count = 0;  // sized exactly, as in dense()
  for (const Term& b : next.rep_->terms) count += rep_->start[b.in + 1] - rep_->start[b.in];
  TermBudget::charge(count);
  terms.reserve(count);
  for (uint32_t o = 0; o < next.rows_; ++o) {
    for (uint64_t j = next.rep_->start[o]; j < next.rep_->start[o + 1]; ++j) {
      const Term& b = next.rep_->terms[j];
      for (uint64_t k = rep_->start[b.in]; k < rep_->start[b.in + 1]; ++k) {
        const Term& a = rep_->terms[k];
        Term t;
        t.in = a.in;
        if (b.kernel >= 0 && a.kernel >= 0) {
          t.coeff = b.coeff * next.rep_->kernels[static_cast<std::size_t>(b.kernel)] * a.coeff *
                    rep_->kernels[static_cast<std::size_t>(a.kernel)];
        } else if (b.kernel >= 0) {
          t.kernel = b.kernel + offset;
          t.coeff = b.coeff * a.coeff;
        } else {
          t.kernel = a.kernel;
          t.coeff = b.coeff * a.coeff;
        }
        terms.push_back(t);
      }
    }
    start[o + 1] = terms.size();
  }
  return from_rows(next.rows_, cols_, std::move(start), std::move(terms), std::move(kernels));
}

LinearMap LinearMap::plus(const LinearMap& other) const {
  auto row_terms = [](const LinearMap& m, uint32_t o, int32_t offset, std::vector<Term>& out) {
    if (m.identity_) {
      out.push_back({o, -1, 1.0});
      return;
    }
    for (uint64_t j = m.rep_->start[o]; j < m.rep_->start[o + 1]; ++j) {
      Term t = m.rep_->terms[j];
      if (t.kernel >= 0) t.kernel += offset;
      out.push_back(t);
    }
  };
  const int32_t offset = static_cast<int32_t>(rep_->kernels.size());
  std::vector<double> kernels = rep_->kernels;
  kernels.insert(kernels.end(), other.rep_->kernels.begin(), other.rep_->kernels.end());
  std::vector<uint64_t> start(rows_ + 1, 0);
  std::vector<Term> terms;
  TermBudget::charge(num_terms() + other.num_terms());
  terms.reserve(num_terms() + other.num_terms());
  for (uint32_t o = 0; o < rows_; ++o) {
    row_terms(*this, o, 0, terms);
    row_terms(other, o, offset, terms);
    start[o + 1] = terms.size();
  }
  return from_rows(rows_, cols_, std::move(start), std::move(terms), std::move(kernels));
}

std::vector<double> LinearMap::apply(const std::vector<double>& x) const {
  if (identity_) return x;
  std::vector<double> y(rows_, 0.0);
  for (uint32_t o = 0; o < rows_; ++o) {
    double sum = 0;
    for (uint64_t j = rep_->start[o]; j < rep_->start[o + 1]; ++j) {
      const Term& t = rep_->terms[j];
      const double w = t.kernel < 0 ? t.coeff : t.coeff * rep_->kernels[static_cast<std::size_t>(t.kernel)];
      sum += w * x[t.in];
    }
    y[o] = sum;
  }
  return y;
}

std::vector<double> LinearMap::to_dense() const {
  std::vector<double> d(uint64_t{rows_} * cols_, 0.0);
  for (uint32_t o = 0; o < rows_; ++o) {
    if (identity_) {
      d[uint64_t{o} * cols_ + o] = 1.0;
      continue;
    }
    for (uint64_t j = rep_->start[o]; j < rep_->start[o + 1]; ++j) {
      const Term& t = rep_->terms[j];
      d[uint64_t{o} * cols_ + t.in] +=
          t.kernel < 0 ? t.coeff : t.coeff * rep_->kernels[static_cast<std::size_t>(t.kernel)];
    }
  }
  return d;
}

void LinearMap::materialise(Projection& out) const {
  out.synapses.clear();
  out.kernel.clear();
  out.kernel_weights.clear();
  if (identity_) {
    out.synapses.reserve(rows_);
    for (uint32_t o = 0; o < rows_; ++o) out.synapses.push_back({o, o, 1.0f});
    return;
  }
  std::unordered_map<Signature, int32_t, SignatureHash> classes;
  std::vector<int32_t> kernel;
  bool any_shared = false;
  Signature sig;
  out.synapses.reserve(rep_->terms.size());
  for (uint32_t o = 0; o < rows_; ++o) {
    for (uint64_t j = rep_->start[o]; j < rep_->start[o + 1];) {
      const uint32_t in = rep_->terms[j].in;
      sig.clear();
      bool shared = true;
      double w = 0;
      for (; j < rep_->start[o + 1] && rep_->terms[j].in == in; ++j) {
        const Term& t = rep_->terms[j];
        if (t.kernel < 0) {
          shared = false;
          w += t.coeff;
        } else {
          sig.emplace_back(t.kernel, t.coeff);
          w += t.coeff * rep_->kernels[static_cast<std::size_t>(t.kernel)];
        }
      }
      const float weight = static_cast<float>(w);
      if (weight == 0.0f) continue;
      if (shared) {
        auto [it, fresh] = classes.emplace(sig, static_cast<int32_t>(out.kernel_weights.size()));
        if (fresh) out.kernel_weights.push_back(weight);
        if (!any_shared) {  // the class list starts at the first shared synapse: a dense layer has none
          kernel.reserve(rep_->terms.size());
          kernel.assign(out.synapses.size(), -1);
          any_shared = true;
        }
        kernel.push_back(it->second);
      } else if (any_shared) {
        kernel.push_back(-1);
      }
      out.synapses.push_back({in, o, weight});
    }
  }
  if (any_shared)
    out.kernel = std::move(kernel);
  else
    out.kernel_weights.clear();
}

std::string conv_output(ConvGeometry& g) {
  auto dim = [](uint32_t in, uint32_t pad_lo, uint32_t pad_hi, uint32_t k, uint32_t stride, uint32_t dil,
                uint32_t& out) {
    const int64_t span = int64_t{dil} * (int64_t{k} - 1) + 1;
    const int64_t padded = int64_t{in} + pad_lo + pad_hi;
    if (k == 0 || stride == 0 || dil == 0 || padded < span) return false;
    out = static_cast<uint32_t>((padded - span) / stride + 1);
    return true;
  };
  if (!dim(g.in_h, g.pad_top, g.pad_bottom, g.k_h, g.stride_h, g.dil_h, g.out_h) ||
      !dim(g.in_w, g.pad_left, g.pad_right, g.k_w, g.stride_w, g.dil_w, g.out_w))
    return "the (dilated) kernel is larger than the padded input " + std::to_string(g.in_h) + " x " +
           std::to_string(g.in_w);
  return {};
}

LinearMap conv_map(const ConvGeometry& g, const std::vector<double>& weight) {
  const uint32_t cin_g = g.in_channels / g.groups, cout_g = g.out_channels / g.groups;
  const uint32_t rows = g.out_channels * g.out_h * g.out_w;
  const uint32_t cols = g.in_channels * g.in_h * g.in_w;
  {  // the exact count, charged before anything is allocated: each nonzero kernel entry's reach
    const std::vector<uint64_t> ny = valid_positions(g.in_h, g.out_h, g.k_h, g.stride_h, g.pad_top, g.dil_h);
    const std::vector<uint64_t> nx = valid_positions(g.in_w, g.out_w, g.k_w, g.stride_w, g.pad_left, g.dil_w);
    uint64_t count = 0;
    for (uint64_t k = 0; k < uint64_t{g.out_channels} * cin_g * g.k_h * g.k_w; ++k)
      if (weight[k] != 0) count += ny[k / g.k_w % g.k_h] * nx[k % g.k_w];
    TermBudget::charge(count);
  }
  std::vector<uint64_t> start(rows + 1, 0);
  std::vector<Term> terms;
  uint32_t row = 0;
  for (uint32_t co = 0; co < g.out_channels; ++co) {
    const uint32_t group = co / cout_g;
    for (uint32_t oy = 0; oy < g.out_h; ++oy) {
      for (uint32_t ox = 0; ox < g.out_w; ++ox, ++row) {
        for (uint32_t cl = 0; cl < cin_g; ++cl) {
          const uint32_t ci = group * cin_g + cl;
          for (uint32_t ky = 0; ky < g.k_h; ++ky) {
            const int64_t iy = int64_t{oy} * g.stride_h - g.pad_top + int64_t{ky} * g.dil_h;
            if (iy < 0 || iy >= g.in_h) continue;
            for (uint32_t kx = 0; kx < g.k_w; ++kx) {
              const int64_t ix = int64_t{ox} * g.stride_w - g.pad_left + int64_t{kx} * g.dil_w;
              if (ix < 0 || ix >= g.in_w) continue;
              const uint64_t k = ((uint64_t{co} * cin_g + cl) * g.k_h + ky) * g.k_w + kx;
              if (weight[k] == 0) continue;
              const uint32_t in = static_cast<uint32_t>(
                  (uint64_t{ci} * g.in_h + static_cast<uint64_t>(iy)) * g.in_w + static_cast<uint64_t>(ix));
              terms.push_back({in, static_cast<int32_t>(k), 1.0});
            }
          }
        }
        start[row + 1] = terms.size();
      }
    }
  }
  return LinearMap::from_rows(rows, cols, std::move(start), std::move(terms), weight);
}

LinearMap pool_map(const ConvGeometry& g, double coeff) {
  const uint32_t rows = g.in_channels * g.out_h * g.out_w;
  const uint32_t cols = g.in_channels * g.in_h * g.in_w;
  {  // the exact count, charged first (as in conv_map)
    const std::vector<uint64_t> ny = valid_positions(g.in_h, g.out_h, g.k_h, g.stride_h, g.pad_top, 1);
    const std::vector<uint64_t> nx = valid_positions(g.in_w, g.out_w, g.k_w, g.stride_w, g.pad_left, 1);
    uint64_t sy = 0, sx = 0;
    for (uint64_t v : ny) sy += v;
    for (uint64_t v : nx) sx += v;
    TermBudget::charge(uint64_t{g.in_channels} * sy * sx);
  }
  std::vector<uint64_t> start(rows + 1, 0);
  std::vector<Term> terms;
  uint32_t row = 0;
  for (uint32_t c = 0; c < g.in_channels; ++c)
    for (uint32_t oy = 0; oy < g.out_h; ++oy)
      for (uint32_t ox = 0; ox < g.out_w; ++ox, ++row) {
        for (uint32_t ky = 0; ky < g.k_h; ++ky) {
          const int64_t iy = int64_t{oy} * g.stride_h - g.pad_top + ky;
          if (iy < 0 || iy >= g.in_h) continue;
          for (uint32_t kx = 0; kx < g.k_w; ++kx) {
            const int64_t ix = int64_t{ox} * g.stride_w - g.pad_left + kx;
            if (ix < 0 || ix >= g.in_w) continue;
            terms.push_back(
                {static_cast<uint32_t>((uint64_t{c} * g.in_h + static_cast<uint64_t>(iy)) * g.in_w +
                                       static_cast<uint64_t>(ix)),
                 -1, coeff});
          }
        }
        start[row + 1] = terms.size();
      }
  return LinearMap::from_rows(rows, cols, std::move(start), std::move(terms), {});
}

}  // namespace lifchip::mapper::detail
