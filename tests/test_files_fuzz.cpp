// The file parsers against broken input: every file of tests/corpus/ must give an InputError whose
// message names the file or the field and limit (never a crash), and seeded mutations of valid
// binary and text files must either load or give an InputError.
#include <google/protobuf/stubs/logging.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <random>
#include <set>
#include <sstream>
#include <typeinfo>

#include "lifchip/backend.h"
#include "lifchip/flow/bindings.h"
#include "lifchip/flow/data.h"
#include "lifchip/flow/encode.h"
#include "lifchip/flow/session.h"
#include "lifchip/image.h"
#include "lifchip/run.h"
#include "suite.h"
#include "support/corpus.h"
#include "trace.h"

namespace lifchip {
namespace {

namespace fs = std::filesystem;

const std::string kCorpus = std::string(LIFCHIP_SOURCE_DIR) + "/tests/corpus";
const std::string kBaseImage = kCorpus + "/valid/base.image.txtpb";
const std::string kExampleImage = std::string(LIFCHIP_SOURCE_DIR) + "/tools/examples/small_net.image.txtpb";

using test::CorpusCase;
std::vector<CorpusCase> manifest() { return test::corpus_manifest(kCorpus); }

std::unique_ptr<Backend> loaded_backend(const std::string& image_path) {
  std::unique_ptr<Backend> b = BackendRegistry::create("functional");
  b->load(read_image_file(image_path));
  return b;
}

// The library's checks for one file of a kind, in the order lifchip run applies them. Errors thrown
// while reading must name the file; later ones name the core, field or spike.
void check_file(const std::string& kind, const std::string& path) {
  const std::string base = kind.rfind("image", 0) == 0 ? "" : kBaseImage;
  auto must_name_file = [&](const std::function<void()>& read) {
    try {
      read();
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos)
          << "a read error does not name the file: " << e.what();
      throw;
    }
  };
  if (kind.rfind("image", 0) == 0) {
    pb::ChipImage img;
    must_name_file([&] { img = read_image_file(path); });
    validate_sealed_image(img);
    BackendRegistry::create("functional")->load(img);
  } else if (kind.rfind("stimuli", 0) == 0) {
    pb::Stimuli st;
    must_name_file([&] { st = read_stimuli_file(path); });
    loaded_backend(base)->inject(stimuli_spikes(st));
  } else if (kind.rfind("probes", 0) == 0) {
    pb::ProbeSpec p;
    must_name_file([&] { p = read_probe_file(path); });
    std::unique_ptr<Backend> b = loaded_backend(base);
    for (const ProbeTarget& t : probe_targets(p)) read_probe(*b, t);
  } else {
    FAIL() << "unknown kind " << kind;
  }
}

bool cli_only(const std::string& kind) {
  return kind.size() > 4 && kind.compare(kind.size() - 4, 4, "_cli") == 0;
}

TEST(Corpus, ManifestListsEveryFile) {
  std::set<std::string> listed, on_disk;
  for (const CorpusCase& c : manifest())
    EXPECT_TRUE(listed.insert(c.file).second) << "listed twice: " << c.file;
  for (const auto& entry : fs::directory_iterator(kCorpus)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() &&
        (name.rfind("image_", 0) == 0 || name.rfind("stimuli_", 0) == 0 || name.rfind("probes_", 0) == 0))
      on_disk.insert(name);
  }
  EXPECT_EQ(listed, on_disk) << "tests/corpus/expected_errors.txt and the corpus files disagree";
  EXPECT_GE(listed.size(), 100u);
}

// The defects must be the only thing wrong with each file: the bases they come from are valid.
TEST(Corpus, ValidBasesLoadAndRun) {
  std::unique_ptr<Backend> b = loaded_backend(kBaseImage);
  for (const std::string stimuli : {"/valid/base.stimuli.txtpb", "/valid/base.stimuli.pb"}) {
    SCOPED_TRACE(stimuli);
    b->load(read_image_file(kBaseImage));
    const pb::Stimuli st = read_stimuli_file(kCorpus + stimuli);
    RunOptions opt;
    opt.probes = read_probe_file(kCorpus + "/valid/base.probes.txtpb");
    const pb::RunResult r = run(*b, st, opt);
    EXPECT_GT(r.spikes_size(), 0);
    EXPECT_EQ(r.probes_size(), 6);
  }
  const pb::ChipImage text = read_image_file(kBaseImage);
  const pb::ChipImage binary = read_image_file(kCorpus + "/valid/base.image.pb");
  EXPECT_EQ(text.SerializeAsString(), binary.SerializeAsString());
}

TEST(Corpus, EveryBrokenFileGivesAClearInputError) {
  int checked = 0;
  for (const CorpusCase& c : manifest()) {
    if (cli_only(c.kind)) continue;
    SCOPED_TRACE(c.file);
    const std::string path = kCorpus + "/" + c.file;
    try {
      check_file(c.kind, path);
      ADD_FAILURE() << c.file << " was accepted; expected an error containing: " << c.expect;
    } catch (const InputError& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find(c.expect), std::string::npos)
          << "error: " << msg << "\nexpected to contain: " << c.expect;
      EXPECT_EQ(msg.find('\n'), std::string::npos) << "not one line: " << msg;
    } catch (const std::exception& e) {
      ADD_FAILURE() << c.file << ": " << typeid(e).name() << " instead of InputError: " << e.what();
    }
    ++checked;
  }
  EXPECT_GE(checked, 95);
}

// Files only `lifchip run` rejects (its step limit, its probe-index check): the library must still
// handle them without crashing.
TEST(Corpus, CliOnlyCasesDoNotCrashTheLibrary) {
  for (const CorpusCase& c : manifest()) {
    if (!cli_only(c.kind)) continue;
    SCOPED_TRACE(c.file);
    try {
      check_file(c.kind, kCorpus + "/" + c.file);
    } catch (const InputError&) {
    }
  }
}

// read_probe computes 3 * neuron (and AXONS_PER_CORE_MAX + neuron) in 32 bits: a huge index must be
// rejected, not wrapped to another neuron's address.
TEST(Corpus, ProbeOfAHugeNeuronIndexIsRejected) {
  std::unique_ptr<Backend> b = loaded_backend(kBaseImage);
  EXPECT_THROW(read_probe(*b, ProbeTarget{"u", 0, 0, 1431655766u}), InputError);
}

// ---- The coverage-guided fuzz targets' findings (tests/fuzz/, tests/corpus/findings/) ----

// Each reproducer through the same library call as its fuzz target and the CLI: one InputError
// line containing the expected text; before the fixes these escaped as nlohmann or std::ios_failure
// exceptions or were undefined behaviour.
void check_finding(const std::string& kind, const std::string& path) {
  if (kind == "bindings") {
    for_file(path, [&] { flow::parse_bindings(flow::read_file_bytes(path), path); });
  } else if (kind == "encode_binding") {
    for_file(path, [&] { flow::parse_binding(flow::read_file_bytes(path), path, 2); });
  } else if (kind == "golden") {
    hil::read_golden_file(path);
  } else if (kind == "suite") {
    hil::read_suite(path);
  } else if (kind == "suite_run") {
    hil::SuiteOptions o;
    o.backends = {"functional"};
    hil::run_suite(hil::read_suite(path), o);
  } else if (kind == "nir") {
    flow::load_network_file(path);
  } else {
    FAIL() << "unknown kind " << kind;
  }
}

TEST(Corpus, FuzzFindingsGiveAClearInputError) {
  const std::string dir = kCorpus + "/findings";
  std::set<std::string> listed;
  int checked = 0;
  for (const CorpusCase& c : test::corpus_manifest(dir)) {
    SCOPED_TRACE(c.file + " as " + c.kind);
    listed.insert(c.file);
    try {
      check_finding(c.kind, dir + "/" + c.file);
      ADD_FAILURE() << c.file << " was accepted; expected an error containing: " << c.expect;
    } catch (const InputError& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find(c.expect), std::string::npos) << "error: " << msg << "\nexpected to contain: " << c.expect;
      EXPECT_EQ(msg.find('\n'), std::string::npos) << "not one line: " << msg;
    } catch (const std::exception& e) {
      ADD_FAILURE() << c.file << ": " << typeid(e).name() << " instead of InputError: " << e.what();
    }
    ++checked;
  }
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name != "expected_errors.txt") {
      EXPECT_TRUE(listed.count(name)) << name << " is not in the manifest";
    }
  }
  EXPECT_GE(checked, 11);
}

// The superblock check that refuses a driver information block running past the end of the file
// (nir_driver_info_4gib.nir) looks for the superblock where libhdf5 does: a file behind a 512-byte
// user block (h5jam's layout, addresses counted from the superblock) still imports.
TEST(Corpus, NirBehindAUserBlockImports) {
  const std::string plain = std::string(LIFCHIP_SOURCE_DIR) + "/tests/nir_corpus/norse_lif.nir";
  const std::string jammed =
      (fs::temp_directory_path() / ("lifchip_userblock_" + std::to_string(::getpid()) + ".nir")).string();
  {
    std::ifstream in(plain, std::ios::binary);
    std::ofstream out(jammed, std::ios::binary | std::ios::trunc);
    out << std::string(512, 'u') << in.rdbuf();
  }
  const flow::NetworkFile a = flow::load_network_file(plain);
  const flow::NetworkFile b = flow::load_network_file(jammed);
  fs::remove(jammed);
  EXPECT_GT(a.network.num_neurons(), 0u);
  EXPECT_TRUE(a.network == b.network);
}

// ---- Seeded mutation fuzzing ----

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

class TempDir {
 public:
  // Prefers a RAM file system: on ext4, rewriting a file in place waits for a flush (~1 ms each).
  TempDir() : path_(base() / ("lifchip_fuzz_" + std::to_string(::getpid()))) {
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string file(const std::string& name, const std::string& content) const {
    const std::string p = (path_ / name).string();
    std::ofstream(p, std::ios::binary | std::ios::trunc) << content;
    return p;
  }

 private:
  static fs::path base() {
    std::error_code ec;
    if (fs::is_directory("/dev/shm", ec) && ::access("/dev/shm", W_OK) == 0) return "/dev/shm";
    return fs::temp_directory_path();
  }
  fs::path path_;
};

// One random edit of the kinds that damage files in practice: bit flips, overwritten, inserted and
// deleted bytes, truncation, duplicated chunks.
std::string mutate(std::string s, std::mt19937& rng, const std::string& alphabet = "") {
  auto pick = [&](std::size_t n) {
    return n == 0 ? std::size_t{0} : std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
  };
  auto byte = [&]() -> char {
    return alphabet.empty() ? static_cast<char>(rng() & 0xFF) : alphabet[pick(alphabet.size())];
  };
  const int edits = 1 + static_cast<int>(rng() % 3);
  for (int k = 0; k < edits && !s.empty(); ++k) {
    switch (rng() % 6) {
      case 0:
        if (alphabet.empty())
          s[pick(s.size())] ^= static_cast<char>(1u << (rng() % 8));
        else
          s[pick(s.size())] = byte();
        break;
      case 1:
        s[pick(s.size())] = byte();
        break;
      case 2:
        s.insert(s.begin() + static_cast<std::ptrdiff_t>(pick(s.size() + 1)), byte());
        break;
      case 3: {
        const std::size_t at = pick(s.size());
        s.erase(at, 1 + pick(8));
        break;
      }
      case 4:
        s.resize(pick(s.size()));
        break;
      default: {
        const std::size_t at = pick(s.size()), len = 1 + pick(16);
        const std::string chunk = s.substr(at, len);
        s.insert(pick(s.size() + 1), chunk);
        break;
      }
    }
  }
  return s;
}

struct Outcome {
  int read_errors = 0, invalid = 0, checksum_errors = 0, ran = 0;
};
std::ostream& operator<<(std::ostream& os, const Outcome& o) {
  return os << "read errors " << o.read_errors << ", invalid " << o.invalid << ", checksum errors "
            << o.checksum_errors << ", ran " << o.ran;
}

// Loads a mutated image file; when its structure is valid, re-seals it and runs it for a few steps
// with a spike on every axon, so that odd-but-legal images reach the backend too.
void fuzz_image_file(const std::string& path, Outcome& out) {
  pb::ChipImage img;
  try {
    img = read_image_file(path);
  } catch (const InputError& e) {
    ++out.read_errors;
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    return;
  }
  try {
    validate_image(img);
  } catch (const InputError&) {
    ++out.invalid;
    return;
  }
  try {
    validate_sealed_image(img);
  } catch (const InputError&) {
    ++out.checksum_errors;
  }
  seal_image(img);
  std::unique_ptr<Backend> b = BackendRegistry::create("functional");
  b->load(img);
  std::vector<InputSpike> spikes;
  for (const pb::Core& c : img.cores())
    for (uint32_t a = 0; a < static_cast<uint32_t>(c.axon_syn_base_size()) && a < 64; ++a)
      spikes.push_back({a % 2, c.x(), c.y(), a});
  b->inject(spikes);
  b->step(4);
  b->drain();
  b->counters();
  ++out.ran;
}

std::string binary_of(const std::string& text_path) { return read_image_file(text_path).SerializeAsString(); }

// Protobuf logs each rejected string field (invalid UTF-8) on stderr; the errors are tested, not read.
TEST(Fuzz, MutatedBinaryImagesLoadOrFailCleanly) {
  google::protobuf::LogSilencer quiet;
  TempDir dir;
  for (const std::string& source : {kBaseImage, kExampleImage}) {
    SCOPED_TRACE(source);
    const std::string good = binary_of(source);
    std::mt19937 rng(20240611);
    Outcome out;
    for (int i = 0; i < 1500; ++i) {
      const std::string path = dir.file("m.pb", mutate(good, rng));
      try {
        fuzz_image_file(path, out);
      } catch (const std::exception& e) {
        ADD_FAILURE() << "iteration " << i << ": " << typeid(e).name() << ": " << e.what();
      }
    }
    // Every path of the loader was exercised (the counts are deterministic for the seed).
    std::cout << source << ": " << out << "\n";
    EXPECT_GT(out.read_errors, 100);
    EXPECT_GT(out.invalid, 20);
    EXPECT_GT(out.checksum_errors, 10);
    EXPECT_GT(out.ran, 10);
  }
}

TEST(Fuzz, MutatedTextImagesLoadOrFailCleanly) {
  google::protobuf::LogSilencer quiet;
  TempDir dir;
  const std::string good = slurp(kBaseImage);
  std::mt19937 rng(77);
  Outcome out;
  const std::string alphabet = "0123456789-+.:{}[], \nxyefinaTRUE\"#";
  for (int i = 0; i < 1500; ++i) {
    const std::string path = dir.file("m.txtpb", mutate(good, rng, alphabet));
    try {
      fuzz_image_file(path, out);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "iteration " << i << ": " << typeid(e).name() << ": " << e.what();
    }
  }
  std::cout << "text: " << out << "\n";
  EXPECT_GT(out.read_errors, 100);
  EXPECT_GT(out.invalid, 20);
  EXPECT_GT(out.ran, 10);
}

TEST(Fuzz, MutatedStimuliAndProbesInjectOrFailCleanly) {
  google::protobuf::LogSilencer quiet;
  TempDir dir;
  const std::string stim = slurp(kCorpus + "/valid/base.stimuli.pb");
  pb::ProbeSpec probes = read_probe_file(kCorpus + "/valid/base.probes.txtpb");
  const std::string probe_bin = probes.SerializeAsString();
  std::unique_ptr<Backend> b = BackendRegistry::create("functional");
  const pb::ChipImage base = read_image_file(kBaseImage);
  std::mt19937 rng(4242);
  int ok = 0, rejected = 0;
  for (int i = 0; i < 1500; ++i) {
    const bool stimuli = i % 2 == 0;
    const std::string path = dir.file(stimuli ? "s.pb" : "p.pb", mutate(stimuli ? stim : probe_bin, rng));
    try {
      b->load(base);
      if (stimuli) {
        const pb::Stimuli st = read_stimuli_file(path);
        b->inject(stimuli_spikes(st));
        b->step(std::min<uint32_t>(stimuli_steps(st), 8));
      } else {
        const pb::ProbeSpec p = read_probe_file(path);
        for (const ProbeTarget& t : probe_targets(p)) read_probe(*b, t);
      }
      ++ok;
    } catch (const InputError&) {
      ++rejected;
    } catch (const std::exception& e) {
      ADD_FAILURE() << "iteration " << i << ": " << typeid(e).name() << ": " << e.what();
    }
  }
  std::cout << "stimuli and probes: " << ok << " accepted, " << rejected << " rejected\n";
  EXPECT_GT(ok, 20);
  EXPECT_GT(rejected, 200);
}

}  // namespace
}  // namespace lifchip
