// Chip image validation (spec §9.4), the flat image stream (§9.3) and its CRC-32.
#include <cmath>
#include <set>
#include <sstream>
#include <utility>

#include "lifchip/chip_constants.h"
#include "lifchip/image.h"

namespace lifchip {

namespace s = spec;

namespace {

// Builds the message only when a check fails.
template <typename... Parts>
[[noreturn]] void fail(const Parts&... parts) {
  std::ostringstream os;
  (os << ... << parts);
  throw InputError(os.str());
}

struct Where {
  std::string prefix;
};
std::ostream& operator<<(std::ostream& os, const Where& w) { return os << w.prefix; }

void check_range(const Where& w, const char* field, int64_t value, int64_t lo, int64_t hi) {
  if (value < lo || value > hi) fail(w, field, " = ", value, " is out of range [", lo, ", ", hi, "]");
}

uint32_t capacity(uint32_t value, int64_t def, int64_t max, const char* field) {
  if (value == 0) return static_cast<uint32_t>(def);
  if (value > max) fail("config: ", field, " = ", value, " exceeds the limit ", max);
  return value;
}

}  // namespace

pb::SynapseGroup default_group() {
  pb::SynapseGroup g;
  g.set_w_min(-(1 << (s::WEIGHT_BITS - 1)));
  g.set_w_max((1 << (s::WEIGHT_BITS - 1)) - 1);
  return g;
}

ChipShape chip_shape(const pb::ChipConfig& c) {
  ChipShape sh;
  sh.width = c.mesh_width() == 0 ? static_cast<uint32_t>(s::MESH_WIDTH_DEFAULT) : c.mesh_width();
  sh.height = c.mesh_height() == 0 ? static_cast<uint32_t>(s::MESH_HEIGHT_DEFAULT) : c.mesh_height();
  if (sh.width > s::MESH_DIM_MAX)
    fail("config: mesh_width = ", sh.width, " exceeds the limit ", s::MESH_DIM_MAX);
  if (sh.height > s::MESH_DIM_MAX)
    fail("config: mesh_height = ", sh.height, " exceeds the limit ", s::MESH_DIM_MAX);
  sh.neurons = capacity(c.neurons_per_core(), s::NEURONS_PER_CORE_DEFAULT, s::NEURONS_PER_CORE_MAX,
                        "neurons_per_core");
  sh.axons = capacity(c.axons_per_core(), s::AXONS_PER_CORE_DEFAULT, s::AXONS_PER_CORE_MAX, "axons_per_core");
  sh.synapses = capacity(c.synapses_per_core(), s::SYNAPSES_PER_CORE_DEFAULT, s::SYNAPSES_PER_CORE_MAX,
                         "synapses_per_core");
  sh.fanout =
      capacity(c.fanout_per_core(), s::FANOUT_PER_CORE_DEFAULT, s::FANOUT_PER_CORE_MAX, "fanout_per_core");
  sh.profiles = capacity(c.profiles_per_core(), s::PROFILES_PER_CORE_DEFAULT, s::PROFILES_PER_CORE_MAX,
                         "profiles_per_core");
  if (!std::isfinite(c.clock_hz()) || c.clock_hz() < 0)
    fail("config: clock_hz = ", c.clock_hz(), " must be >= 0");
  sh.clock_hz = c.clock_hz() == 0 ? 1e8 : c.clock_hz();
  return sh;
}

void validate_image(const pb::ChipImage& img) {
  if (img.format_version() != s::IMAGE_FORMAT_VERSION)
    fail("image: format_version = ", img.format_version(), ", this lifchip reads version ",
         s::IMAGE_FORMAT_VERSION);
  const ChipShape sh = chip_shape(img.config());
  // Axon counts per core, for fan-out destination checks.
  std::vector<int64_t> axons_of(sh.num_cores(), -1);
  for (int ci = 0; ci < img.cores_size(); ++ci) {
    const pb::Core& c = img.cores(ci);
    if (c.x() >= sh.width || c.y() >= sh.height)
      fail("cores[", ci, "]: core (", c.x(), ",", c.y(), ") is outside the ", sh.width, "x", sh.height,
           " mesh");
    int64_t& a = axons_of[sh.core_index(c.x(), c.y())];
    if (a >= 0) fail("cores[", ci, "]: core (", c.x(), ",", c.y(), ") is listed twice");
    a = c.axon_syn_base_size();
  }
  for (int ci = 0; ci < img.cores_size(); ++ci) {
    const pb::Core& c = img.cores(ci);
    const std::string core_name = "core (" + std::to_string(c.x()) + "," + std::to_string(c.y()) + "): ";
    const Where w{core_name};
    const int64_t N = c.neuron_profile_size(), A = c.axon_syn_base_size(), S = c.syn_neuron_size(),
                  F = c.fanout_axon_size(), P = c.profiles_size();
    auto same = [&](const char* what, int64_t n, std::initializer_list<std::pair<const char*, int>> arrays) {
      for (const auto& [name, size] : arrays)
        if (size != n) fail(w, what, " arrays differ in length: ", name, " has ", size, ", expected ", n);
    };
    same("neuron", N,
         {{"neuron_bias_mant", c.neuron_bias_mant_size()},
          {"neuron_u", c.neuron_u_size()},
          {"neuron_v", c.neuron_v_size()},
          {"neuron_fanout_base", c.neuron_fanout_base_size()},
          {"neuron_fanout_count", c.neuron_fanout_count_size()}});
    same("axon", A, {{"axon_syn_count", c.axon_syn_count_size()}});
    same("synapse", S, {{"syn_weight", c.syn_weight_size()}, {"syn_group", c.syn_group_size()}});
    same("fan-out", F,
         {{"fanout_to_host", c.fanout_to_host_size()},
          {"fanout_x", c.fanout_x_size()},
          {"fanout_y", c.fanout_y_size()}});
    if (N > sh.neurons) fail(w, "neurons ", N, " > neurons_per_core ", sh.neurons);
    if (A > sh.axons) fail(w, "axons ", A, " > axons_per_core ", sh.axons);
    if (S > sh.synapses) fail(w, "synapse entries ", S, " > synapses_per_core ", sh.synapses);
    if (F > sh.fanout) fail(w, "fan-out entries ", F, " > fanout_per_core ", sh.fanout);
    if (P > sh.profiles) fail(w, "profiles ", P, " > profiles_per_core ", sh.profiles);
    if (P == 0 && N > 0) fail(w, "has ", N, " neurons but no profile");
    if (c.groups_size() > s::SYN_GROUPS_PER_CORE)
      fail(w, "groups ", c.groups_size(), " > synapse groups per core ", s::SYN_GROUPS_PER_CORE);
    check_range(w, "lfsr_seed", c.lfsr_seed(), 1, (int64_t{1} << s::LFSR_BITS) - 1);
    const int64_t dmax = s::DECAY_ONE - 1;
    check_range(w, "stdp.pre_decay", c.stdp().pre_decay(), 0, dmax);
    check_range(w, "stdp.post_decay", c.stdp().post_decay(), 0, dmax);
    check_range(w, "stdp.pre_impulse", c.stdp().pre_impulse(), 0, s::TRACE_MAX);
    check_range(w, "stdp.post_impulse", c.stdp().post_impulse(), 0, s::TRACE_MAX);
    for (int i = 0; i < P; ++i) {
      const pb::Profile& p = c.profiles(i);
      const Where pw{core_name + "profile " + std::to_string(i) + ": "};
      check_range(pw, "du", p.du(), 0, dmax);
      check_range(pw, "dv", p.dv(), 0, dmax);
      check_range(pw, "vth", p.vth(), 0, (int64_t{1} << s::VTH_BITS) - 1);
      check_range(pw, "bias_exp", p.bias_exp(), s::BIAS_EXP_MIN, s::BIAS_EXP_MAX);
      check_range(pw, "reset_mode", p.reset_mode(), s::RESET_ZERO, s::RESET_SUBTRACT);
      check_range(pw, "refractory", p.refractory(), 0, s::REFRACTORY_MAX);
    }
    const int64_t wlo = -(int64_t{1} << (s::WEIGHT_BITS - 1)), whi = (int64_t{1} << (s::WEIGHT_BITS - 1)) - 1;
    for (int i = 0; i < c.groups_size(); ++i) {
      const pb::SynapseGroup& g = c.groups(i);
      const Where gw{core_name + "group " + std::to_string(i) + ": "};
      check_range(gw, "weight_exp", g.weight_exp(), s::WEIGHT_EXP_MIN, s::WEIGHT_EXP_MAX);
      check_range(gw, "lr_pot_shift", g.lr_pot_shift(), 0, s::LR_SHIFT_MAX);
      check_range(gw, "lr_dep_shift", g.lr_dep_shift(), 0, s::LR_SHIFT_MAX);
      check_range(gw, "w_min", g.w_min(), wlo, whi);
      check_range(gw, "w_max", g.w_max(), wlo, whi);
      if (g.w_min() > g.w_max()) fail(gw, "w_min = ", g.w_min(), " > w_max = ", g.w_max());
    }
    const int64_t two23 = int64_t{1} << 23;
    const int64_t bias_half = int64_t{1} << (s::BIAS_MANT_BITS - 1);
    for (int64_t i = 0; i < N; ++i) {
      const int n = static_cast<int>(i);
      const Where nw{core_name + "neuron " + std::to_string(i) + ": "};
      if (c.neuron_profile(n) >= P) fail(nw, "profile ", c.neuron_profile(n), " >= profiles ", P);
      check_range(nw, "bias_mant", c.neuron_bias_mant(n), -bias_half, bias_half - 1);
      check_range(nw, "u", c.neuron_u(n), -two23 + 1, two23);
      check_range(nw, "v", c.neuron_v(n), -two23 + 1, two23 - 1);
      check_range(nw, "fanout_count", c.neuron_fanout_count(n), 0, s::NEURON_FANOUT_COUNT_MAX);
      check_range(nw, "fanout_base", c.neuron_fanout_base(n), 0, (int64_t{1} << s::FANOUT_ADDR_BITS) - 1);
      if (int64_t{c.neuron_fanout_base(n)} + c.neuron_fanout_count(n) > F)
        fail(nw, "fan-out range [", c.neuron_fanout_base(n), ", ",
             int64_t{c.neuron_fanout_base(n)} + c.neuron_fanout_count(n), ") exceeds the ", F,
             " fan-out entries");
    }
    for (int64_t i = 0; i < A; ++i) {
      const int a = static_cast<int>(i);
      const Where aw{core_name + "axon " + std::to_string(i) + ": "};
      check_range(aw, "syn_count", c.axon_syn_count(a), 0, s::AXON_SYN_COUNT_MAX);
      check_range(aw, "syn_base", c.axon_syn_base(a), 0, (int64_t{1} << s::SYNAPSE_ADDR_BITS) - 1);
      if (int64_t{c.axon_syn_base(a)} + c.axon_syn_count(a) > S)
        fail(aw, "synapse range [", c.axon_syn_base(a), ", ",
             int64_t{c.axon_syn_base(a)} + c.axon_syn_count(a), ") exceeds the ", S, " synapse entries");
    }
    for (int64_t i = 0; i < S; ++i) {
      const int e = static_cast<int>(i);
      const Where sw{core_name + "synapse " + std::to_string(i) + ": "};
      if (c.syn_neuron(e) >= N) fail(sw, "neuron ", c.syn_neuron(e), " >= neurons ", N);
      check_range(sw, "weight", c.syn_weight(e), wlo, whi);
      check_range(sw, "group", c.syn_group(e), 0, s::SYN_GROUPS_PER_CORE - 1);
    }
    for (int64_t i = 0; i < F; ++i) {
      const int f = static_cast<int>(i);
      const Where fw{core_name + "fan-out " + std::to_string(i) + ": "};
      const uint32_t x = c.fanout_x(f), y = c.fanout_y(f), ax = c.fanout_axon(f);
      if (c.fanout_to_host(f)) {
        check_range(fw, "host channel", ax, 0, (int64_t{1} << s::AXON_INDEX_BITS) - 1);
        if (x != 0 || y != 0) fail(fw, "host entry has x = ", x, ", y = ", y, "; both must be 0");
        continue;
      }
      if (x >= sh.width || y >= sh.height)
        fail(fw, "destination core (", x, ",", y, ") is outside the ", sh.width, "x", sh.height, " mesh");
      const int64_t dest_axons = axons_of[sh.core_index(x, y)];
      if (dest_axons < 0) fail(fw, "destination core (", x, ",", y, ") is not in the image");
      if (ax >= dest_axons)
        fail(fw, "destination axon ", ax, " >= core (", x, ",", y, ") axons ", dest_axons);
    }
  }
}

void validate_sealed_image(const pb::ChipImage& img) {
  validate_image(img);
  const std::vector<uint32_t> words = flat_stream(img);
  const uint32_t crc = crc32_words(words.data(), words.size());
  if (crc != img.checksum()) {
    std::ostringstream os;
    os << std::hex << "image: checksum 0x" << img.checksum()
       << " does not match the image contents (CRC-32 0x" << crc
       << "); the image is corrupt or was edited without `lifchip image seal`";
    throw InputError(os.str());
  }
}

std::vector<uint32_t> flat_stream(const pb::ChipImage& img) {
  const ChipShape sh = chip_shape(img.config());
  std::vector<uint32_t> w;
  w.reserve(16);
  w.push_back(static_cast<uint32_t>(s::IMAGE_MAGIC));
  w.push_back(static_cast<uint32_t>(s::IMAGE_FORMAT_VERSION));
  w.push_back(sh.width | sh.height << 8 | uint32_t{img.learning_enabled()} << 16);
  w.insert(w.end(), {sh.neurons, sh.axons, sh.synapses, sh.fanout, sh.profiles,
                     static_cast<uint32_t>(img.cores_size())});
  for (const pb::Core& c : img.cores()) {
    const auto N = static_cast<uint32_t>(c.neuron_profile_size());
    w.insert(w.end(),
             {c.x() | c.y() << 8, static_cast<uint32_t>(c.profiles_size()), N,
              static_cast<uint32_t>(c.axon_syn_base_size()), static_cast<uint32_t>(c.syn_neuron_size()),
              static_cast<uint32_t>(c.fanout_axon_size()), c.lfsr_seed(),
              c.stdp().pre_decay() | c.stdp().post_decay() << 12,
              c.stdp().pre_impulse() | c.stdp().post_impulse() << 8});
    for (int g = 0; g < s::SYN_GROUPS_PER_CORE; ++g)
      w.push_back(layout::group_word(g < c.groups_size() ? c.groups(g) : default_group()));
    for (const pb::Profile& p : c.profiles()) {
      w.push_back(layout::profile_word0(p));
      w.push_back(layout::profile_word1(p));
    }
    for (uint32_t n = 0; n < N; ++n) {
      const int i = static_cast<int>(n);
      w.push_back(layout::neuron_cfg_word0(c.neuron_profile(i), c.neuron_bias_mant(i)));
      w.push_back(layout::neuron_cfg_word1(c.neuron_fanout_base(i), c.neuron_fanout_count(i)));
    }
    for (uint32_t n = 0; n < N; ++n) {
      w.push_back(layout::u_word(c.neuron_u(static_cast<int>(n))));
      w.push_back(layout::v_word(c.neuron_v(static_cast<int>(n))));
    }
    for (int a = 0; a < c.axon_syn_base_size(); ++a)
      w.push_back(layout::axon_word(c.axon_syn_base(a), c.axon_syn_count(a)));
    for (int e = 0; e < c.syn_neuron_size(); ++e)
      w.push_back(layout::synapse_word(c.syn_neuron(e), c.syn_weight(e), c.syn_group(e)));
    for (int f = 0; f < c.fanout_axon_size(); ++f)
      w.push_back(layout::fanout_word(c.fanout_to_host(f), c.fanout_x(f), c.fanout_y(f), c.fanout_axon(f)));
  }
  return w;
}

namespace {

// Reads words of a flat stream in order; a read past the end is a clear error.
class StreamReader {
 public:
  StreamReader(const uint32_t* w, std::size_t n) : w_(w), n_(n) {}
  uint32_t next(const char* what) {
    if (pos_ >= n_)
      throw InputError("flat image stream: ends at word " + std::to_string(n_) + " while reading " + what);
    return w_[pos_++];
  }
  std::size_t pos() const { return pos_; }
  std::size_t size() const { return n_; }

 private:
  const uint32_t* w_;
  std::size_t n_, pos_ = 0;
};

uint32_t bits(uint32_t w, unsigned lsb, unsigned width) { return (w >> lsb) & ((1u << width) - 1); }

}  // namespace

pb::ChipImage decode_flat_stream(const uint32_t* words, std::size_t count) {
  StreamReader r(words, count);
  pb::ChipImage img;
  if (r.next("the magic word") != static_cast<uint32_t>(s::IMAGE_MAGIC))
    throw InputError("flat image stream: word 0 is not the image magic 0x4346494C");
  img.set_format_version(r.next("format_version"));
  if (img.format_version() != s::IMAGE_FORMAT_VERSION)
    fail("flat image stream: format version ", img.format_version(), ", expected ", s::IMAGE_FORMAT_VERSION);
  const uint32_t mesh = r.next("mesh word");
  pb::ChipConfig* cfg = img.mutable_config();
  cfg->set_mesh_width(bits(mesh, 0, 8));
  cfg->set_mesh_height(bits(mesh, 8, 8));
  img.set_learning_enabled(bits(mesh, 16, 1) != 0);
  cfg->set_neurons_per_core(r.next("neurons_per_core"));
  cfg->set_axons_per_core(r.next("axons_per_core"));
  cfg->set_synapses_per_core(r.next("synapses_per_core"));
  cfg->set_fanout_per_core(r.next("fanout_per_core"));
  cfg->set_profiles_per_core(r.next("profiles_per_core"));
  const ChipShape sh = chip_shape(*cfg);  // range-checks the capacities before they size anything
  const uint32_t cores = r.next("core count");
  if (cores > sh.num_cores())
    fail("flat image stream: ", cores, " core records > ", sh.num_cores(), " mesh cores");
  for (uint32_t k = 0; k < cores; ++k) {
    pb::Core* c = img.add_cores();
    const uint32_t xy = r.next("core coordinates");
    c->set_x(bits(xy, 0, 8));
    c->set_y(bits(xy, 8, 8));
    const uint32_t P = r.next("P"), N = r.next("N"), A = r.next("A"), S = r.next("S"), F = r.next("F");
    if (P > sh.profiles || N > sh.neurons || A > sh.axons || S > sh.synapses || F > sh.fanout)
      fail("flat image stream: core record ", k, " counts (P ", P, ", N ", N, ", A ", A, ", S ", S, ", F ", F,
           ") exceed the capacities");
    c->set_lfsr_seed(r.next("lfsr_seed"));
    const uint32_t d = r.next("STDP decays"), im = r.next("STDP impulses");
    c->mutable_stdp()->set_pre_decay(bits(d, 0, 12));
    c->mutable_stdp()->set_post_decay(bits(d, 12, 12));
    c->mutable_stdp()->set_pre_impulse(bits(im, 0, 8));
    c->mutable_stdp()->set_post_impulse(bits(im, 8, 8));
    for (int g = 0; g < s::SYN_GROUPS_PER_CORE; ++g) {
      const uint32_t w = r.next("group word");
      pb::SynapseGroup* gr = c->add_groups();
      gr->set_weight_exp(layout::sign_extend(bits(w, 0, 4), 4));
      gr->set_plastic(bits(w, 4, 1) != 0);
      gr->set_lr_pot_shift(bits(w, 5, 4));
      gr->set_lr_dep_shift(bits(w, 9, 4));
      gr->set_w_min(layout::sign_extend(bits(w, 13, 8), 8));
      gr->set_w_max(layout::sign_extend(bits(w, 21, 8), 8));
    }
    for (uint32_t i = 0; i < P; ++i) {
      const uint32_t w0 = r.next("profile word 0"), w1 = r.next("profile word 1");
      pb::Profile* p = c->add_profiles();
      p->set_du(bits(w0, 0, 12));
      p->set_dv(bits(w0, 12, 12));
      p->set_reset_mode(bits(w0, 24, 1) ? pb::RESET_SUBTRACT : pb::RESET_ZERO);
      p->set_refractory(bits(w0, 25, 6));
      p->set_readout(bits(w0, s::PROFILE_READOUT_BIT, 1) != 0);
      p->set_vth(bits(w1, 0, 17));
      p->set_bias_exp(layout::sign_extend(bits(w1, 17, 4), 4));
    }
    for (uint32_t i = 0; i < N; ++i) {
      const uint32_t w0 = r.next("neuron cfg word 0"), w1 = r.next("neuron cfg word 1");
      c->add_neuron_profile(bits(w0, 0, 4));
      c->add_neuron_bias_mant(layout::sign_extend(bits(w0, 4, 13), 13));
      c->add_neuron_fanout_base(bits(w1, 0, 14));
      c->add_neuron_fanout_count(bits(w1, 14, 14));
    }
    for (uint32_t i = 0; i < N; ++i) {
      c->add_neuron_u(layout::sign_extend(r.next("neuron u"), 25));
      c->add_neuron_v(layout::sign_extend(r.next("neuron v"), 24));
    }
    for (uint32_t i = 0; i < A; ++i) {
      const uint32_t w = r.next("axon word");
      c->add_axon_syn_base(bits(w, 0, 16));
      c->add_axon_syn_count(bits(w, 16, 16));
    }
    for (uint32_t i = 0; i < S; ++i) {
      const uint32_t w = r.next("synapse word");
      c->add_syn_neuron(bits(w, 0, 10));
      c->add_syn_weight(layout::sign_extend(bits(w, 10, 8), 8));
      c->add_syn_group(bits(w, 18, 3));
    }
    for (uint32_t i = 0; i < F; ++i) {
      const uint32_t w = r.next("fan-out word");
      c->add_fanout_axon(bits(w, 0, 12));
      c->add_fanout_x(bits(w, 12, 4));
      c->add_fanout_y(bits(w, 16, 4));
      c->add_fanout_to_host(bits(w, 20, 1) != 0);
    }
  }
  if (r.pos() != r.size())
    fail("flat image stream: ", r.size() - r.pos(), " words after the last core record (expected ", r.pos(),
         ")");
  validate_image(img);
  img.set_checksum(crc32_words(words, count));
  return img;
}

namespace {
struct CrcTable {
  uint32_t t[256];
  constexpr CrcTable() : t{} {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
  }
};
constexpr CrcTable kCrc;
}  // namespace

uint32_t crc32_bytes(const uint8_t* bytes, std::size_t count, uint32_t crc) {
  crc = ~crc;
  for (std::size_t i = 0; i < count; ++i) crc = kCrc.t[(crc ^ bytes[i]) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

uint32_t crc32_words(const uint32_t* words, std::size_t count) {
  uint32_t crc = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const uint8_t b[4] = {static_cast<uint8_t>(words[i]), static_cast<uint8_t>(words[i] >> 8),
                          static_cast<uint8_t>(words[i] >> 16), static_cast<uint8_t>(words[i] >> 24)};
    crc = crc32_bytes(b, 4, crc);
  }
  return crc;
}

void seal_image(pb::ChipImage& img) {
  if (img.format_version() == 0) img.set_format_version(static_cast<uint32_t>(s::IMAGE_FORMAT_VERSION));
  validate_image(img);
  const std::vector<uint32_t> words = flat_stream(img);
  img.set_checksum(crc32_words(words.data(), words.size()));
}

}  // namespace lifchip
