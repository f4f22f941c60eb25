// The importer's linear algebra: convolution and pooling expansion against a direct convolution
// computed here, composition and sums against dense matrix products, and shared-weight classes.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>
#include <set>

#include "linear_map.h"

namespace lifchip::mapper::detail {
namespace {

// y = conv(x) the textbook way: pad the input into a bigger array, then slide the kernel over it.
std::vector<double> direct_conv(const ConvGeometry& g, const std::vector<double>& w,
                                const std::vector<double>& x) {
  const uint32_t ph = g.in_h + g.pad_top + g.pad_bottom, pw = g.in_w + g.pad_left + g.pad_right;
  std::vector<double> padded(std::size_t{g.in_channels} * ph * pw, 0.0);
  for (uint32_t c = 0; c < g.in_channels; ++c)
    for (uint32_t y = 0; y < g.in_h; ++y)
      for (uint32_t xx = 0; xx < g.in_w; ++xx)
        padded[(std::size_t{c} * ph + y + g.pad_top) * pw + xx + g.pad_left] =
            x[(std::size_t{c} * g.in_h + y) * g.in_w + xx];
  const uint32_t cin_g = g.in_channels / g.groups, cout_g = g.out_channels / g.groups;
  std::vector<double> out(std::size_t{g.out_channels} * g.out_h * g.out_w, 0.0);
  for (uint32_t co = 0; co < g.out_channels; ++co)
    for (uint32_t oy = 0; oy < g.out_h; ++oy)
      for (uint32_t ox = 0; ox < g.out_w; ++ox) {
        double sum = 0;
        for (uint32_t cl = 0; cl < cin_g; ++cl)
          for (uint32_t ky = 0; ky < g.k_h; ++ky)
            for (uint32_t kx = 0; kx < g.k_w; ++kx) {
              const uint32_t ci = (co / cout_g) * cin_g + cl;
              const double v = padded[(std::size_t{ci} * ph + oy * g.stride_h + ky * g.dil_h) * pw +
                                      ox * g.stride_w + kx * g.dil_w];
              sum += w[((std::size_t{co} * cin_g + cl) * g.k_h + ky) * g.k_w + kx] * v;
            }
        out[(std::size_t{co} * g.out_h + oy) * g.out_w + ox] = sum;
      }
  return out;
}

void expect_close(const std::vector<double>& a, const std::vector<double>& b, const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (std::size_t i = 0; i < a.size(); ++i)
    ASSERT_NEAR(a[i], b[i], 1e-12 * (1 + std::fabs(b[i]))) << what << " at " << i;
}

std::vector<double> random_vector(std::mt19937& rng, std::size_t n, double zero_fraction = 0) {
  std::uniform_real_distribution<double> u(-1, 1), p(0, 1);
  std::vector<double> v(n);
  for (double& x : v) x = p(rng) < zero_fraction ? 0.0 : u(rng);
  return v;
}

// Sparse synapses applied to x (for the projection a LinearMap materialises).
std::vector<double> apply_synapses(const Projection& pr, uint32_t rows, const std::vector<double>& x) {
  std::vector<double> y(rows, 0.0);
  for (const Synapse& s : pr.synapses) y[s.post] += double(s.weight) * x[s.pre];
  return y;
}

TEST(MapperLinearMap, ConvolutionMatchesDirectConvolution) {
  std::mt19937 rng(7);
  int checked = 0;
  for (int trial = 0; trial < 300; ++trial) {
    ConvGeometry g;
    const bool one_d = trial % 3 == 0;
    g.groups = 1 + rng() % 3;
    g.in_channels = g.groups * (1 + rng() % 3);
    g.out_channels = g.groups * (1 + rng() % 3);
    g.in_w = 1 + rng() % 8;
    g.k_w = 1 + rng() % 4;
    g.stride_w = 1 + rng() % 3;
    g.dil_w = 1 + rng() % 3;
    g.pad_left = rng() % 3;
    g.pad_right = trial % 5 == 0 ? g.pad_left + 1 : g.pad_left;  // asymmetric, as 'same' can be
    if (!one_d) {
      g.in_h = 1 + rng() % 8;
      g.k_h = 1 + rng() % 4;
      g.stride_h = 1 + rng() % 3;
      g.dil_h = 1 + rng() % 3;
      g.pad_top = rng() % 3;
      g.pad_bottom = g.pad_top;
    }
    if (!conv_output(g).empty()) continue;
    ++checked;
    SCOPED_TRACE("trial " + std::to_string(trial));
    const std::vector<double> w =
        random_vector(rng, std::size_t{g.out_channels} * (g.in_channels / g.groups) * g.k_h * g.k_w, 0.2);
    const LinearMap m = conv_map(g, w);
    ASSERT_EQ(m.rows(), g.out_channels * g.out_h * g.out_w);
    ASSERT_EQ(m.cols(), g.in_channels * g.in_h * g.in_w);
    for (int probe = 0; probe < 3; ++probe) {
      const std::vector<double> x = random_vector(rng, m.cols());
      expect_close(m.apply(x), direct_conv(g, w, x), "apply");
    }
    // Materialised: one class per kernel entry used, each synapse's weight its entry's float value.
    Projection pr;
    m.materialise(pr);
    std::set<float> used;
    std::map<int32_t, float> value;
    for (std::size_t s = 0; s < pr.synapses.size(); ++s) {
      ASSERT_GE(pr.kernel[s], 0);
      EXPECT_EQ(pr.kernel_weights[static_cast<std::size_t>(pr.kernel[s])], pr.synapses[s].weight);
      auto [it, fresh] = value.emplace(pr.kernel[s], pr.synapses[s].weight);
      EXPECT_EQ(it->second, pr.synapses[s].weight);
      if (s > 0) {
        const Synapse& a = pr.synapses[s - 1];
        EXPECT_TRUE(a.post < pr.synapses[s].post ||
                    (a.post == pr.synapses[s].post && a.pre < pr.synapses[s].pre));
      }
    }
    const std::vector<double> x = random_vector(rng, m.cols());
    std::vector<double> wf(w.size());
    for (std::size_t i = 0; i < w.size(); ++i) wf[i] = static_cast<float>(w[i]);
    expect_close(apply_synapses(pr, m.rows(), x), direct_conv(g, wf, x), "synapses");
  }
  EXPECT_GT(checked, 150);
}

TEST(MapperLinearMap, KnownSmallConvolution) {
  // 1 channel 3 x 3 input, 2 x 2 kernel [[1, 2], [3, 4]], stride 1, no padding: 4 outputs, 16 synapses.
  ConvGeometry g;
  g.in_channels = g.out_channels = 1;
  g.in_h = g.in_w = 3;
  g.k_h = g.k_w = 2;
  ASSERT_EQ(conv_output(g), "");
  EXPECT_EQ(g.out_h, 2u);
  EXPECT_EQ(g.out_w, 2u);
  Projection pr;
  conv_map(g, {1, 2, 3, 4}).materialise(pr);
  ASSERT_EQ(pr.synapses.size(), 16u);
  // Output (1, 1) reads inputs 4, 5, 7, 8 with weights 1, 2, 3, 4.
  std::vector<Synapse> last(pr.synapses.end() - 4, pr.synapses.end());
  EXPECT_EQ(last, (std::vector<Synapse>{{4, 3, 1}, {5, 3, 2}, {7, 3, 3}, {8, 3, 4}}));
  EXPECT_EQ(pr.kernel_weights, (std::vector<float>{1, 2, 3, 4}));
  EXPECT_EQ(std::vector<int32_t>(pr.kernel.end() - 4, pr.kernel.end()), (std::vector<int32_t>{0, 1, 2, 3}));
  ConvGeometry bad = g;
  bad.k_h = 4;
  EXPECT_NE(conv_output(bad), "");
}

TEST(MapperLinearMap, PoolingSumsAndAverages) {
  ConvGeometry g;
  g.in_channels = g.out_channels = 2;
  g.in_h = 4, g.in_w = 5, g.k_h = 2, g.k_w = 3, g.stride_h = 2, g.stride_w = 2, g.pad_left = g.pad_right = 1;
  ASSERT_EQ(conv_output(g), "");
  std::mt19937 rng(3);
  const std::vector<double> x = random_vector(rng, 2 * 4 * 5);
  // Pooling is a convolution with an all-ones kernel per channel (groups = channels).
  ConvGeometry as_conv = g;
  as_conv.groups = 2;
  const std::vector<double> ones(2 * 1 * 2 * 3, 1.0);
  expect_close(pool_map(g, 1.0).apply(x), direct_conv(as_conv, ones, x), "sum");
  std::vector<double> avg = direct_conv(as_conv, ones, x);
  for (double& v : avg) v /= 6.0;
  expect_close(pool_map(g, 1.0 / 6).apply(x), avg, "average");
}

std::vector<double> matmul(const std::vector<double>& a, const std::vector<double>& b, uint32_t n, uint32_t k,
                           uint32_t m) {
  std::vector<double> c(std::size_t{n} * m, 0.0);
  for (uint32_t i = 0; i < n; ++i)
    for (uint32_t j = 0; j < k; ++j)
      for (uint32_t l = 0; l < m; ++l)
        c[std::size_t{i} * m + l] += a[std::size_t{i} * k + j] * b[std::size_t{j} * m + l];
  return c;
}

TEST(MapperLinearMap, CompositionAndSumsMatchDenseAlgebra) {
  std::mt19937 rng(11);
  for (int trial = 0; trial < 50; ++trial) {
    const uint32_t n = 1 + rng() % 6, k = 1 + rng() % 6, m = 1 + rng() % 6;
    const std::vector<double> a = random_vector(rng, std::size_t{k} * m, 0.3);  // k x m: applied first
    const std::vector<double> b = random_vector(rng, std::size_t{n} * k, 0.3);  // n x k: then this
    const LinearMap ma = LinearMap::dense(k, m, a), mb = LinearMap::dense(n, k, b);
    expect_close(ma.then(mb).to_dense(), matmul(b, a, n, k, m), "then");
    expect_close(
        ma.plus(ma).to_dense(),
        [&] {
          std::vector<double> d = a;
          for (double& v : d) v *= 2;
          return d;
        }(),
        "plus");
    expect_close(LinearMap::identity(k).then(ma.then(LinearMap::identity(k))).to_dense(), ma.to_dense(),
                 "identity");
    const std::vector<double> s = random_vector(rng, k);
    std::vector<double> diag(std::size_t{k} * k, 0.0);
    for (uint32_t i = 0; i < k; ++i) diag[std::size_t{i} * k + i] = s[i];
    expect_close(ma.then(LinearMap::diagonal(s)).to_dense(), matmul(diag, a, k, k, m), "diagonal");
    const std::vector<double> x = random_vector(rng, m);
    expect_close(ma.apply(x), matmul(a, x, k, m, 1), "apply");
  }
}

TEST(MapperLinearMap, SharingThroughPoolingAndScaleButNotThroughTwoKernels) {
  ConvGeometry pool;
  pool.in_channels = pool.out_channels = 1;
  pool.in_h = pool.in_w = 4, pool.k_h = pool.k_w = 2, pool.stride_h = pool.stride_w = 2;
  ASSERT_EQ(conv_output(pool), "");
  ConvGeometry conv;
  conv.in_channels = conv.out_channels = 1;
  conv.in_h = conv.in_w = 2, conv.k_h = conv.k_w = 2;
  ASSERT_EQ(conv_output(conv), "");
  const std::vector<double> k = {0.5, -1, 2, 0.25};
  // pool then conv: each input pixel reaches the single output through exactly one kernel entry.
  Projection pr;
  pool_map(pool, 1.0).then(conv_map(conv, k)).materialise(pr);
  ASSERT_EQ(pr.synapses.size(), 16u);
  ASSERT_TRUE(pr.shared());
  EXPECT_EQ(pr.kernel_weights, (std::vector<float>{0.5f, -1.0f, 2.0f, 0.25f}));
  // ... and a scalar Scale afterwards keeps four classes, now worth half.
  Projection scaled;
  pool_map(pool, 1.0).then(conv_map(conv, k)).then(LinearMap::diagonal({0.5})).materialise(scaled);
  EXPECT_EQ(scaled.kernel_weights, (std::vector<float>{0.25f, -0.5f, 1.0f, 0.125f}));
  // conv then conv: products of two kernels are not one entry: no sharing claimed.
  ConvGeometry c1;
  c1.in_channels = c1.out_channels = 1;
  c1.in_h = c1.in_w = 3, c1.k_h = c1.k_w = 2;
  ASSERT_EQ(conv_output(c1), "");
  Projection twice;
  conv_map(c1, k).then(conv_map(conv, k)).materialise(twice);
  EXPECT_FALSE(twice.shared());
  EXPECT_TRUE(twice.kernel_weights.empty());
  // A dense layer shares nothing; an exact zero makes no synapse.
  Projection dense;
  LinearMap::dense(2, 2, {1, 0, 0, 3}).materialise(dense);
  EXPECT_EQ(dense.synapses, (std::vector<Synapse>{{0, 0, 1}, {1, 1, 3}}));
  EXPECT_FALSE(dense.shared());
}

TEST(MapperLinearMap, CancellationDropsTheSynapse) {
  const LinearMap a = LinearMap::dense(1, 2, {1, 2});
  const LinearMap minus = LinearMap::dense(1, 2, {-1, 5});
  Projection pr;
  a.plus(minus).materialise(pr);
  EXPECT_EQ(pr.synapses, (std::vector<Synapse>{{1, 0, 7}}));
}

// Rows are merged in place (merged terms written over the row's own): unsorted rows, duplicates
// that add up and duplicates that cancel, in rows that shrink by different amounts.
TEST(MapperLinearMap, RowsNormaliseInPlace) {
  const LinearMap m = LinearMap::from_rows(
      3, 3, {0, 3, 5, 8},
      {{2, -1, 1}, {0, -1, 2}, {2, -1, -1}, {1, -1, 4}, {1, -1, 1}, {0, -1, 1}, {2, -1, 3}, {0, -1, 1}}, {});
  EXPECT_EQ(m.num_terms(), 4u);
  EXPECT_EQ(m.to_dense(), (std::vector<double>{2, 0, 0, 0, 5, 0, 2, 0, 3}));
  const LinearMap copy = m;  // copies share their terms; the copy stands on its own
  EXPECT_EQ(copy.to_dense(), m.to_dense());
}

// The class list of a projection starts at its first shared synapse: unshared ones before it are
// -1, as are unshared ones after it.
TEST(MapperLinearMap, ClassesStartAtTheFirstSharedSynapse) {
  ConvGeometry g;
  g.in_channels = g.out_channels = 1;
  g.in_h = 1, g.in_w = 3, g.k_h = g.k_w = 1;
  ASSERT_EQ(conv_output(g), "");
  Projection pr;
  LinearMap::dense(3, 3, {1, 0, 0, 0, 0, 0, 0, 0, 2}).plus(conv_map(g, {3})).materialise(pr);
  EXPECT_EQ(pr.synapses, (std::vector<Synapse>{{0, 0, 4}, {1, 1, 3}, {2, 2, 5}}));
  EXPECT_EQ(pr.kernel, (std::vector<int32_t>{-1, 0, -1}));
  EXPECT_EQ(pr.kernel_weights, (std::vector<float>{3}));
}

// The import's budget: every builder charges its exact term count before allocating (conv and pool
// counts in closed form, checked here against the terms they make), and refuses past the limit.
TEST(MapperLinearMap, BuildersChargeTheirExactTermsToTheBudget) {
  std::mt19937 rng(5);
  for (int trial = 0; trial < 200; ++trial) {
    ConvGeometry g;
    g.groups = 1 + rng() % 2;
    g.in_channels = g.groups * (1 + rng() % 2), g.out_channels = g.groups * (1 + rng() % 2);
    g.in_h = 1 + rng() % 7, g.in_w = 1 + rng() % 7, g.k_h = 1 + rng() % 4, g.k_w = 1 + rng() % 4;
    g.stride_h = 1 + rng() % 3, g.stride_w = 1 + rng() % 3, g.dil_h = 1 + rng() % 2, g.dil_w = 1 + rng() % 2;
    g.pad_top = rng() % 3, g.pad_bottom = rng() % 3, g.pad_left = rng() % 3, g.pad_right = rng() % 3;
    if (!conv_output(g).empty()) continue;
    const std::vector<double> w =
        random_vector(rng, std::size_t{g.out_channels} * (g.in_channels / g.groups) * g.k_h * g.k_w, 0.3);
    {
      const TermBudget budget(1u << 20);
      const LinearMap m = conv_map(g, w);
      EXPECT_EQ(budget.used(), m.num_terms()) << "conv, trial " << trial;
    }
    ConvGeometry p = g;
    p.out_channels = p.in_channels, p.groups = 1, p.dil_h = p.dil_w = 1;
    p.pad_top = p.pad_bottom = std::min(p.pad_top, p.k_h / 2);  // pooling pads at most half the kernel
    p.pad_left = p.pad_right = std::min(p.pad_left, p.k_w / 2);
    if (!conv_output(p).empty()) continue;
    const TermBudget budget(1u << 20);
    const LinearMap m = pool_map(p, 1.0);
    EXPECT_EQ(budget.used(), m.num_terms()) << "pool, trial " << trial;
  }
}

TEST(MapperLinearMap, TheBudgetRefusesBeforeAllocating) {
  const LinearMap a = LinearMap::dense(1, 3, {1, 2, 3}), b = LinearMap::dense(3, 1, {1, 0, 2});
  TermBudget outer(100);
  try {
    TermBudget inner(5);  // the innermost budget is the one in force
    (void)a.then(b);      // 2 rows x 3 terms = 6 terms: one past the 5
    ADD_FAILURE() << "no TooManyTerms";
  } catch (const TooManyTerms& t) {
    EXPECT_EQ(t.used, 0u);
    EXPECT_EQ(t.wanted, 6u);
    EXPECT_EQ(t.limit, 5u);
  }
  EXPECT_EQ(outer.used(), 0u);  // nothing was charged to the outer one meanwhile
  (void)a.then(b);              // the outer one is in force again
  EXPECT_EQ(outer.used(), 6u);
}

}  // namespace
}  // namespace lifchip::mapper::detail
