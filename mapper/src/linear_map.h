// Sparse linear operators with shared-weight tags: how the NIR importer folds a chain of Affine,
// Linear, Conv, Pool, Scale and Flatten nodes between two populations into one projection.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "lifchip/mapper/ir.h"

namespace lifchip::mapper::detail {

/// One contribution to output row o from input `in`: coeff (kernel < 0) or coeff * kernels[kernel]
/// (kernel >= 0: a convolution kernel entry, the unit of weight sharing).
struct Term {
  uint32_t in = 0;
  int32_t kernel = -1;
  double coeff = 0;
};

/// The most terms the maps of one import may allocate, all maps together and freed ones counted
/// (docs/reliability.md, "Limits"): 2^27, 2 GiB of terms, and so at most 2^27 synapses imported.
inline constexpr uint64_t kMaxImportTerms = uint64_t{1} << 27;

/// Thrown by a map builder, before it allocates, when the terms would exceed the budget in force.
struct TooManyTerms {
  uint64_t used = 0, wanted = 0, limit = 0;
};

/// A budget of terms for the maps built on this thread while it lives (the importer installs one
/// per import); every builder charges its exact term count to it before allocating. Nested budgets
/// stack. Without one, builders are not limited (tests of the algebra).
class TermBudget {
 public:
  explicit TermBudget(uint64_t limit);
  ~TermBudget();
  TermBudget(const TermBudget&) = delete;
  TermBudget& operator=(const TermBudget&) = delete;
  uint64_t used() const { return used_; }
  /// Charges n terms to the budget in force, if any; throws TooManyTerms when it would overflow.
  static void charge(uint64_t n);

 private:
  uint64_t limit_, used_ = 0;
  TermBudget* outer_;
};

/// y = M x for x of size cols(), y of size rows(). Rows are stored CSR-style with their terms
/// sorted by (in, kernel), one term per (in, kernel) pair and no zero coefficients. A map is
/// immutable once made and its terms are shared between copies: the import copies maps freely
/// (a node's map into each successor's sum), and a copy of a dense layer's terms costs 16 bytes a
/// weight (docs/reliability.md, "Peak memory of the largest legal file").
class LinearMap {
 public:
  LinearMap() = default;
  static LinearMap identity(uint32_t n);
  /// Row-major [rows][cols]; exact zeros make no term.
  static LinearMap dense(uint32_t rows, uint32_t cols, const std::vector<double>& weights);
  static LinearMap diagonal(const std::vector<double>& scale);
  /// From unsorted rows: terms[start[o] .. start[o+1]) belong to row o; normalised on the way in.
  static LinearMap from_rows(uint32_t rows, uint32_t cols, std::vector<uint64_t> start,
                             std::vector<Term> terms, std::vector<double> kernels);

  uint32_t rows() const { return rows_; }
  uint32_t cols() const { return cols_; }
  bool is_identity() const { return identity_; }
  uint64_t num_terms() const { return identity_ ? rows_ : rep_->terms.size(); }
  const std::vector<double>& kernels() const { return rep_->kernels; }

  /// next ∘ this (apply this, then next). Requires next.cols() == rows(). A product of two kernel
  /// terms is no longer one kernel entry: it becomes a plain coefficient (no sharing through it).
  LinearMap then(const LinearMap& next) const;
  /// this + other (same dimensions), kernel tables concatenated.
  LinearMap plus(const LinearMap& other) const;
  /// M x, summing each row's terms in stored order.
  std::vector<double> apply(const std::vector<double>& x) const;
  /// The projection's synapses (post = row, pre = input, sorted by (post, pre)), weights rounded
  /// to float once, exact-zero weights dropped; kernel classes: synapses whose every term is a
  /// kernel term and whose (kernel, coeff) lists are equal share one class (and one float value).
  void materialise(Projection& out) const;
  /// The dense matrix (tests only).
  std::vector<double> to_dense() const;

 private:
  struct Rep {
    std::vector<uint64_t> start;  // rows_ + 1 offsets into terms
    std::vector<Term> terms;
    std::vector<double> kernels;
  };
  static std::shared_ptr<const Rep> empty_rep();
  static void normalise_rows(Rep& r, uint32_t rows);
  uint32_t rows_ = 0, cols_ = 0;
  bool identity_ = false;
  std::shared_ptr<const Rep> rep_ = empty_rep();
};

/// A 1-D or 2-D convolution as NIR (and PyTorch) define it: input [C_in, (H,) W], weight
/// [C_out, C_in / groups, (K_h,) K_w], output [C_out, (H_out,) W_out] with
/// out = floor((in + pad_lo + pad_hi - dilation * (k - 1) - 1) / stride) + 1 per spatial dimension.
/// 1-D uses the "w" fields with h = 1, k_h = 1.
struct ConvGeometry {
  uint32_t in_channels = 0, out_channels = 0, groups = 1;
  uint32_t in_h = 1, in_w = 0, k_h = 1, k_w = 0;
  uint32_t stride_h = 1, stride_w = 1, dil_h = 1, dil_w = 1;
  uint32_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
  // Derived by conv_output():
  uint32_t out_h = 0, out_w = 0;
};

/// Fills out_h/out_w; returns "" or the problem ("kernel larger than the padded input").
std::string conv_output(ConvGeometry& g);
/// Terms tagged with the weight's flat index, so every use of a kernel entry shares its class.
LinearMap conv_map(const ConvGeometry& g, const std::vector<double>& weight);
/// Sum pooling (coeff 1) or average pooling (coeff 1 / (k_h k_w), padding counted): channels kept.
LinearMap pool_map(const ConvGeometry& g, double coeff);

}  // namespace lifchip::mapper::detail
