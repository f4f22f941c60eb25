// NIR files through libhdf5's C++ API: the root `version` and `node` group, node groups with their
// `type` string and parameter datasets, nested `nodes` groups and `edges` string pairs. Every HDF5
// failure (corrupt, truncated, wrong type) becomes one InputError naming file, node and field.
#include "nir_file.h"

#include <H5Cpp.h>
#include <zlib.h>

#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>

#include "lifchip/image.h"  // InputError

namespace lifchip::mapper::nir {

namespace {

constexpr int kMaxDepth = kMaxNestingDepth;
// One dataset may hold at most this many values (1 GiB as doubles), in at most kMaxChunks chunks.
constexpr uint64_t kMaxValues = uint64_t{1} << 27;
constexpr uint64_t kMaxChunks = uint64_t{1} << 16;
// A compressed dataset cannot expand more than this from its stored bytes (deflate's limit is
// about 1032:1); a larger claim is a corrupt header, refused before any allocation.
constexpr uint64_t kMaxExpansion = 1100;

// libhdf5 1.10.8 loads some metadata (a local heap's data segment, object header continuation
// chunks) by allocating the size the file declares before checking it against the end of the file
// (fixed upstream: HDF5 PR #5076, #6506); a corrupt size asks for petabytes, or for tens of GB that
// may be granted. Two defences, both before libhdf5 reads: every local heap's declared data segment
// must lie inside the file (scan_local_heaps), and while libhdf5 reads, this process may grow its
// address space by at most kMaxReadBytes (AddressSpaceCap), so any other such request fails as an
// HDF5 error instead of being granted.
constexpr uint64_t kMaxReadBytes = uint64_t{4} << 30;

std::string where(const std::string& file, const std::string& at) { return file + ": " + at; }

#if defined(__SANITIZE_ADDRESS__)
#define LIFCHIP_NIR_NO_AS_CAP 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LIFCHIP_NIR_NO_AS_CAP 1
#endif
#endif

// RLIMIT_AS lowered to (current address space + kMaxReadBytes) for its lifetime, then restored.
// Not under AddressSanitizer, whose allocator reserves its heap up front (it reports such requests
// itself).
class AddressSpaceCap {
 public:
  AddressSpaceCap() {
#ifndef LIFCHIP_NIR_NO_AS_CAP
    unsigned long pages = 0;
    if (FILE* f = std::fopen("/proc/self/statm", "r")) {
      if (std::fscanf(f, "%lu", &pages) != 1) pages = 0;
      std::fclose(f);
    }
    if (pages == 0 || ::getrlimit(RLIMIT_AS, &old_) != 0) return;
    const uint64_t want = static_cast<uint64_t>(pages) * 4096 + kMaxReadBytes;
    if (old_.rlim_cur != RLIM_INFINITY && old_.rlim_cur <= want) return;  // already tighter
    rlimit cap = old_;
    cap.rlim_cur = static_cast<rlim_t>(want);
    active_ = ::setrlimit(RLIMIT_AS, &cap) == 0;
#endif
  }
  ~AddressSpaceCap() {
    if (active_) ::setrlimit(RLIMIT_AS, &old_);
  }
  AddressSpaceCap(const AddressSpaceCap&) = delete;
  AddressSpaceCap& operator=(const AddressSpaceCap&) = delete;

 private:
  rlimit old_{};
  bool active_ = false;
};

// The n-byte little-endian number at p (HDF5 stores every address and size so).
uint64_t le(const unsigned char* p, std::size_t n) {
  uint64_t v = 0;
  for (std::size_t i = n; i > 0; --i) v = (v << 8) | p[i - 1];
  return v;
}
uint64_t le(const std::string& bytes, uint64_t at, std::size_t n) {
  return le(reinterpret_cast<const unsigned char*>(bytes.data()) + at, n);
}

// Every local heap prefix of the file ("HEAP", version 0, 3 zero bytes, then data segment size,
// free-list offset and data segment address, each `sizeof_size`/`sizeof_addr` bytes) must declare a
// data segment inside the file that does not overlap the prefix itself, and a free list that ends.
// The prefix is found by its 8-byte signature; the bytes after one that is not a heap would have to
// spell such a segment to be refused.
void scan_local_heaps(const std::string& file, const std::string& bytes, uint64_t base, std::size_t sizeof_addr,
                      std::size_t sizeof_size) {
  static const char kSig[8] = {'H', 'E', 'A', 'P', 0, 0, 0, 0};
  const std::size_t need = 8 + 2 * sizeof_size + sizeof_addr;
  const uint64_t file_size = bytes.size();
  for (std::size_t at = bytes.find(std::string(kSig, 8)); at != std::string::npos && at + need <= bytes.size();
       at = bytes.find(std::string(kSig, 8), at + 1)) {
    const uint64_t size = le(bytes, at + 8, sizeof_size),
                   addr = le(bytes, at + 8 + 2 * sizeof_size, sizeof_addr);
    if (size == 0) continue;  // no data segment to load
    auto refuse = [&](const std::string& why) {
      throw InputError(file + ": corrupt HDF5 local heap at byte " + std::to_string(at) +
                       ": its data segment (" + std::to_string(size) + " bytes at " + std::to_string(addr) +
                       ") " + why);
    };
    if (size > file_size || addr > file_size || base + addr > file_size - std::min(size, file_size))
      refuse("lies beyond the file's " + std::to_string(file_size) + " bytes");
    // libhdf5 1.10.8 loads the prefix and the segment as two cache entries unless the segment follows
    // the prefix exactly; a segment that overlaps its own prefix makes it read through a null pointer.
    const uint64_t seg = base + addr;
    if (seg < at + need && seg + size > at)
      refuse("overlaps the heap's own " + std::to_string(need) + "-byte header");
    // The free list (HDF5 File Format Specification, "Local Heap": each free block starts with the
    // offset of the next one, 1 after the last, and its own size). libhdf5 1.10.8 follows it while
    // loading the heap, allocating a record per block, and has no check for a list that returns to
    // a block it has seen: a 30 KB file whose one free block named itself as the next made it loop
    // and allocate without end (found by the fuzz campaign). Blocks start at distinct offsets inside
    // the segment, so a list longer than the segment loops. The other faults (a block past the
    // segment, a zero offset) libhdf5 refuses itself; here they only end the walk.
    const uint64_t kLast = 1;
    uint64_t block = le(bytes, at + 8 + sizeof_size, sizeof_size);
    for (uint64_t n = 0; block != kLast; ++n) {
      if (block >= size || 2 * sizeof_size > size - block) break;
      if (n >= size) refuse("has a free list that does not end (more blocks than its bytes can hold)");
      block = le(bytes, seg + block, sizeof_size);
      if (block == 0) break;
    }
  }
}

// libhdf5 1.10.8 opens a version 0 or 1 superblock by loading its driver information block with the
// size that block declares (4 bytes: up to 4 GiB), and its default driver fills whatever lies past
// the end of the file with zeros: a 30 KB file made it allocate and clear 4 GiB (12 s, found by the
// fuzz campaign). The superblock (HDF5 File Format Specification, "Superblock" and "Driver
// Information Block") is at byte 0 or at 512, 1024, 2048, ...; a driver information block it names
// must lie inside the file. (h5py, and so every NIR writer, never writes one: it belongs to the
// family and multi drivers.)
void check_superblock(const std::string& file, const std::string& bytes) {
  static const char kSig[8] = {'\x89', 'H', 'D', 'F', '\r', '\n', '\x1a', '\n'};
  const uint64_t file_size = bytes.size();
  uint64_t at = 0;
  while (at + 8 <= file_size && bytes.compare(at, 8, kSig, 8) != 0) at = at == 0 ? 512 : at * 2;
  if (at + 16 > file_size) return;  // no superblock: libhdf5 refuses the file itself
  const unsigned version = static_cast<unsigned char>(bytes[at + 8]);
  if (version > 1) return;  // versions 2 and 3 have no driver information block
  const std::size_t sizeof_addr = static_cast<unsigned char>(bytes[at + 13]);
  const uint64_t addrs = at + (version == 0 ? 24 : 28);  // base, free space, end of file, driver info
  if (sizeof_addr == 0 || sizeof_addr > 8 || addrs + 4 * sizeof_addr > file_size) return;  // libhdf5 refuses
  const uint64_t undefined = sizeof_addr == 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * sizeof_addr)) - 1;
  // Addresses count from the superblock: libhdf5 replaces a stored base address that differs.
  const uint64_t base = at, driver = le(bytes, addrs + 3 * sizeof_addr, sizeof_addr);
  if (driver == undefined) return;
  auto refuse = [&](const std::string& why) {
    throw InputError(file + ": corrupt HDF5 superblock at byte " + std::to_string(at) +
                     ": its driver information block " + why + " (the file has " + std::to_string(file_size) +
                     " bytes)");
  };
  constexpr uint64_t kHeader = 16;  // version, 3 reserved bytes, 4-byte size, 8-byte driver name
  if (driver > file_size - base || kHeader > file_size - base - driver)
    refuse("(at " + std::to_string(driver) + ") lies beyond the end of the file");
  const uint64_t size = le(bytes, base + driver + 4, 4);
  if (size > file_size - base - driver - kHeader)
    refuse("(" + std::to_string(size) + " bytes at " + std::to_string(driver) +
           ") lies beyond the end of the file");
}

// The innermost message on HDF5's error stack (e.g. "truncated file: eof = 96, ..."), or "".
herr_t first_error(unsigned n, const H5E_error2_t* err, void* data) {
  auto* out = static_cast<std::string*>(data);
  if (n == 0 && err && err->desc) *out = err->desc;
  return 0;
}

std::string hdf5_detail(const H5::Exception& e) {
  std::string inner;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, first_error, &inner);
  H5Eclear2(H5E_DEFAULT);
  std::string detail = inner.empty() ? e.getDetailMsg() : inner;
  if (detail.find("allocation failed") != std::string::npos)
    detail += " (reading a NIR file may take at most " + std::to_string(kMaxReadBytes >> 30) +
              " GiB more address space: a corrupt size?)";
  return detail;
}

const char* class_name(H5T_class_t c) {
  switch (c) {
    case H5T_INTEGER:
      return "integer";
    case H5T_FLOAT:
      return "float";
    case H5T_STRING:
      return "string";
    case H5T_BITFIELD:
      return "bitfield";
    case H5T_OPAQUE:
      return "opaque";
    case H5T_COMPOUND:
      return "compound";
    case H5T_REFERENCE:
      return "reference";
    case H5T_ENUM:
      return "enum";
    case H5T_VLEN:
      return "variable-length sequence";
    case H5T_ARRAY:
      return "array";
    default:
      return "unknown";
  }
}

std::string shape_text(const std::vector<uint64_t>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  File read() {
    raw_.open(file_, std::ios::binary);
    if (!raw_) throw InputError(file_ + ": cannot open: " + std::strerror(errno));
    raw_.seekg(0, std::ios::end);
    const std::streamoff end = raw_.tellg();
    if (end <= 0) throw InputError(file_ + ": empty file, expected a NIR (HDF5) file");
    file_size_ = static_cast<uint64_t>(end);
    std::string bytes(file_size_, '\0');
    raw_.seekg(0);
    raw_.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!raw_) throw InputError(file_ + ": cannot read: " + std::strerror(errno));
    H5::Exception::dontPrint();
    H5::H5File h5;
    try {
      if (!H5::H5File::isHdf5(file_)) throw InputError(file_ + ": not an HDF5 file (a NIR file is HDF5)");
      check_superblock(file_, bytes);
      h5.openFile(file_, H5F_ACC_RDONLY);
    } catch (const H5::Exception& e) {
      throw InputError(file_ + ": cannot open as HDF5 (truncated or corrupt?): " + hdf5_detail(e));
    }
    File out;
    std::string at = "root";
    try {
      const H5::FileCreatPropList fcpl = h5.getCreatePlist();
      fcpl.getSizes(sizeof_addr_, sizeof_size_);
      base_ = fcpl.getUserblock();
      scan_local_heaps(file_, bytes, base_, sizeof_addr_, sizeof_size_);
      std::string().swap(bytes);
      const AddressSpaceCap cap;
      if (link_kind(h5, "version") == Link::kHard) {
        at = "root: field 'version'";
        if (h5.childObjType("version") != H5O_TYPE_DATASET)
          throw InputError(where(file_, at + ": not a dataset"));
        Field v = read_field(h5.openDataSet("version"), at);
        if (v.kind != Field::Kind::kStrings || v.strings.size() != 1)
          throw InputError(where(file_, at + ": expected one string, found " + describe_field(v)));
        out.has_version = true;
        out.version = v.strings[0];
      }
      at = "root";
      if (link_kind(h5, "node") != Link::kHard || h5.childObjType("node") != H5O_TYPE_GROUP)
        throw InputError(file_ + ": no group 'node' at the root (not a NIR file?)");
      H5::Group root = h5.openGroup("node");
      out.root = read_node(root, "", "", 0);
      if (out.root.type != "NIRGraph")
        throw InputError(file_ + ": root graph: field 'type': '" + out.root.type + "', expected 'NIRGraph'");
    } catch (const H5::Exception& e) {
      throw InputError(where(file_, at + ": HDF5 error (corrupt file?): " + hdf5_detail(e)));
    } catch (const std::bad_alloc&) {
      throw InputError(where(file_, at + ": reading it needs more than the reader's " +
                                        std::to_string(kMaxReadBytes >> 30) + " GiB of memory (corrupt sizes?)"));
    }
    return out;
  }

 private:
  enum class Link { kNone, kHard, kOther };

  Link link_kind(const H5::Group& g, const std::string& name) {
    const hid_t id = g.getId();
    const htri_t exists = H5Lexists(id, name.c_str(), H5P_DEFAULT);
    if (exists < 0) throw H5::GroupIException("H5Lexists", "cannot look up '" + name + "'");
    if (exists == 0) return Link::kNone;
    H5L_info_t info;
    if (H5Lget_info(id, name.c_str(), &info, H5P_DEFAULT) < 0)
      throw H5::GroupIException("H5Lget_info", "cannot read link '" + name + "'");
    return info.type == H5L_TYPE_HARD ? Link::kHard : Link::kOther;
  }

  std::string describe_field(const Field& f) {
    std::string s = std::string(f.type_class) + " dataset of shape " + shape_text(f.shape);
    if (f.kind == Field::Kind::kStrings && f.strings.size() == 1) s += " '" + f.strings[0] + "'";
    return s;
  }

  // HDF5 failures while reading one dataset name that dataset.
  Field read_field(const H5::DataSet& ds, const std::string& at) {
    try {
      return read_field_unchecked(ds, at);
    } catch (const H5::Exception& e) {
      throw InputError(where(file_, at + ": HDF5 error (corrupt file?): " + hdf5_detail(e)));
    }
  }

  Field read_field_unchecked(const H5::DataSet& ds, const std::string& at) {
    Field f;
    const H5::DataSpace space = ds.getSpace();
    const H5S_class_t sclass = space.getSimpleExtentType();
    if (sclass == H5S_NULL) throw InputError(where(file_, at + ": empty (null) dataspace"));
    const int rank = space.getSimpleExtentNdims();
    if (rank < 0 || rank > 32) throw InputError(where(file_, at + ": bad rank " + std::to_string(rank)));
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    if (rank > 0) space.getSimpleExtentDims(dims.data());
    uint64_t count = 1;
    for (hsize_t d : dims) {
      f.shape.push_back(d);
      if (d != 0 && count > kMaxValues / d)
        count = kMaxValues + 1;
      else
        count *= d;
    }
    if (count > kMaxValues)
      throw InputError(where(file_, at + ": " + shape_text(f.shape) + " is more than " +
                                        std::to_string(kMaxValues) + " values"));
    const H5T_class_t tclass = ds.getTypeClass();
    f.type_class = class_name(tclass);
    if (tclass == H5T_INTEGER || tclass == H5T_FLOAT) {
      check_storage(ds, count, ds.getDataType().getSize(), at);
      check_chunks(ds, ds.getDataType().getSize(), at);
      f.kind = Field::Kind::kNumbers;
      f.numbers.resize(count);
      if (count > 0) ds.read(f.numbers.data(), H5::PredType::NATIVE_DOUBLE);
    } else if (tclass == H5T_STRING) {
      f.kind = Field::Kind::kStrings;
      read_strings(ds, count, at, f.strings);
    } else {
      f.kind = Field::Kind::kOther;
    }
    return f;
  }

  // A dataset's declared size must fit what the file stores for it; a corrupt dimension otherwise
  // makes us allocate gigabytes before HDF5 notices anything.
  void check_storage(const H5::DataSet& ds, uint64_t count, std::size_t elem, const std::string& at) {
    {
      const H5::DSetCreatPropList plist = ds.getCreatePlist();
      if (plist.getLayout() == H5D_CHUNKED) check_chunk_count(ds, plist, at);
    }
    if (count == 0) return;
    const uint64_t need = count * elem;
    const uint64_t stored = ds.getStorageSize();
    const H5::DSetCreatPropList plist = ds.getCreatePlist();
    const bool filtered = plist.getNfilters() > 0;
    const uint64_t limit = filtered ? stored * kMaxExpansion + 65536 : stored;
    if (need > limit)
      throw InputError(where(file_, at + ": declares " + std::to_string(count) + " values (" +
                                        std::to_string(need) + " bytes) but the file stores " +
                                        std::to_string(stored) + " bytes for it (truncated or corrupt)"));
  }

  // libhdf5 1.10.8 copies a whole chunk's bytes even when a corrupt deflate stream inflates to
  // fewer (a heap over-read, seen crashing in our mutation fuzz). So before HDF5 reads a chunked
  // dataset, every chunk of a deflate/shuffle/fletcher32 pipeline is inflated here and must give
  // exactly the chunk's size. Other filters are left to HDF5 (h5py and NIR use gzip only).
  void check_chunks(const H5::DataSet& ds, std::size_t elem, const std::string& at) {
    const H5::DSetCreatPropList plist = ds.getCreatePlist();
    if (plist.getLayout() != H5D_CHUNKED) return;  // check_storage checked the chunk shape
    const std::string bad = at + ": corrupt compressed data";
    const int nfilters = plist.getNfilters();
    std::vector<H5Z_filter_t> filters;
    for (int i = 0; i < nfilters; ++i) {
      unsigned flags = 0, config = 0;
      std::size_t nvalues = 0;
      const H5Z_filter_t id = H5Pget_filter2(plist.getId(), static_cast<unsigned>(i), &flags, &nvalues,
                                             nullptr, 0, nullptr, &config);
      if (id != H5Z_FILTER_DEFLATE && id != H5Z_FILTER_SHUFFLE && id != H5Z_FILTER_FLETCHER32) return;
      filters.push_back(id);
    }
    const int rank = ds.getSpace().getSimpleExtentNdims();
    if (rank <= 0 || rank > 32) return;
    std::vector<hsize_t> chunk(static_cast<std::size_t>(rank));
    if (plist.getChunk(rank, chunk.data()) != rank) throw InputError(where(file_, bad + " (chunk shape)"));
    uint64_t chunk_bytes = elem;
    for (hsize_t d : chunk) {
      if (d == 0 || chunk_bytes > (uint64_t{1} << 32) / d)
        throw InputError(where(file_, bad + " (chunk shape)"));
      chunk_bytes *= d;
    }
    // The dataset's own space, not H5S_ALL, which 1.10's chunk queries mishandle (their docs say so).
    const H5::DataSpace space = ds.getSpace();
    hsize_t n = 0;
    if (H5Dget_num_chunks(ds.getId(), space.getId(), &n) < 0)
      throw H5::DataSetIException("H5Dget_num_chunks", "no chunk index");
    std::vector<hsize_t> offset(static_cast<std::size_t>(rank));
    std::vector<unsigned char> raw, inflated;
    for (hsize_t c = 0; c < n; ++c) {
      unsigned mask = 0;
      haddr_t addr = 0;
      hsize_t size = 0;
      if (H5Dget_chunk_info(ds.getId(), space.getId(), c, offset.data(), &mask, &addr, &size) < 0)
        throw H5::DataSetIException("H5Dget_chunk_info", "bad chunk index");
      if (size == 0 || size > file_size_) throw InputError(where(file_, bad + " (chunk size)"));
      raw.resize(size);
      uint32_t applied = 0;
      if (H5Dread_chunk(ds.getId(), H5P_DEFAULT, offset.data(), &applied, raw.data()) < 0)
        throw H5::DataSetIException("H5Dread_chunk", "cannot read a chunk");
      for (std::size_t i = filters.size(); i-- > 0;) {
        if (applied & (1u << i)) continue;  // this filter was skipped for this chunk
        if (filters[i] == H5Z_FILTER_FLETCHER32) {
          if (raw.size() < 4) throw InputError(where(file_, bad + " (checksum)"));
          raw.resize(raw.size() - 4);
        } else if (filters[i] == H5Z_FILTER_DEFLATE) {
          // The chunk shape alone may declare up to 4 GiB: the output buffer is only allocated for
          // what the stored bytes can inflate to (deflate's limit, kMaxExpansion), else a 30 KB file
          // made us clear 3 GB (15 s, found by tests/fuzz/ nir).
          if (chunk_bytes > raw.size() * kMaxExpansion + 65536)
            throw InputError(where(file_, bad + " (a chunk of " + std::to_string(raw.size()) +
                                              " stored bytes cannot inflate to its " +
                                              std::to_string(chunk_bytes) + " bytes)"));
          inflated.assign(chunk_bytes + 1, 0);
          uLongf out = static_cast<uLongf>(inflated.size());
          const int rc = ::uncompress(inflated.data(), &out, raw.data(), static_cast<uLong>(raw.size()));
          if (rc != Z_OK || out != chunk_bytes)
            throw InputError(where(file_, bad + " (a chunk does not inflate to its size)"));
          inflated.resize(out);
          raw.swap(inflated);
        }
      }
      if (raw.size() != chunk_bytes) throw InputError(where(file_, bad + " (chunk size)"));
    }
  }

  // libhdf5 keeps a record per chunk of a read's selection, allocated or not: a corrupt file that
  // declares a large dataset in one-element chunks made it allocate 4 GB in 8 million records
  // (found by tests/fuzz/ nir). So a dataset may span at most kMaxChunks chunks.
  void check_chunk_count(const H5::DataSet& ds, const H5::DSetCreatPropList& plist, const std::string& at) {
    const H5::DataSpace space = ds.getSpace();
    const int rank = space.getSimpleExtentNdims();
    if (rank < 0 || rank > 32) return;  // refused by the caller
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank) + 1), chunk(33);
    if (rank > 0) space.getSimpleExtentDims(dims.data());
    // A scalar dataset cannot be chunked: a chunk shape on one is a corrupt layout (libhdf5 then
    // allocated 4 GB reading it, found by tests/fuzz/ nir).
    const int chunk_rank = plist.getChunk(33, chunk.data());
    if (chunk_rank != rank)
      throw InputError(where(file_, at + ": corrupt chunk shape (" + std::to_string(chunk_rank) +
                                        " dimensions for a dataset of " + std::to_string(rank) + ")"));
    uint64_t chunks = 1;
    for (int i = 0; i < rank; ++i) {
      if (chunk[i] == 0) throw InputError(where(file_, at + ": corrupt chunk shape (a dimension of 0)"));
      const uint64_t n = dims[i] / chunk[i] + (dims[i] % chunk[i] != 0);
      chunks = n != 0 && chunks > kMaxChunks / n ? kMaxChunks + 1 : chunks * n;
    }
    if (chunks > kMaxChunks)
      throw InputError(where(file_, at + ": stored in more than " + std::to_string(kMaxChunks) +
                                        " chunks (the limit of a NIR dataset; a corrupt chunk shape?)"));
  }

  void read_strings(const H5::DataSet& ds, uint64_t count, const std::string& at,
                    std::vector<std::string>& out) {
    const H5::StrType ftype = ds.getStrType();
    if (count == 0) return;
    if (ftype.isVariableStr()) {
      check_storage(ds, count, 16, at);  // a stored variable-length string is a 16-byte heap reference
      if (read_vlen_direct(ds, count, at, out)) return;
      check_chunks(ds, 4 + sizeof_addr_ + 4, at);
      H5::StrType mtype(H5::PredType::C_S1, H5T_VARIABLE);
      mtype.setCset(ftype.getCset());
      std::vector<char*> buf(count, nullptr);
      ds.read(buf.data(), mtype);
      out.reserve(count);
      for (char* s : buf) out.emplace_back(s ? s : "");
      H5::DataSpace space = ds.getSpace();
      H5Dvlen_reclaim(mtype.getId(), space.getId(), H5P_DEFAULT, buf.data());
      return;
    }
    const std::size_t size = ftype.getSize();
    if (size == 0 || size > (uint64_t{1} << 20)) throw InputError(where(file_, at + ": bad string length"));
    check_storage(ds, count, size, at);
    check_chunks(ds, size, at);
    std::vector<char> buf(count * size);
    ds.read(buf.data(), ftype);
    const bool space_pad = ftype.getStrpad() == H5T_STR_SPACEPAD;
    for (uint64_t i = 0; i < count; ++i) {
      const char* s = buf.data() + i * size;
      std::size_t n = 0;
      while (n < size && s[n] != '\0') ++n;
      if (space_pad)
        while (n > 0 && s[n - 1] == ' ') --n;
      out.emplace_back(s, n);
    }
  }

  // ---- Variable-length strings without HDF5's conversion --------------------------------------
  // libhdf5 1.10.8 loops forever decoding some corrupt global heap collections (seen in our
  // mutation fuzz). Contiguous variable-length string datasets, which is how h5py and NIR store
  // `type`, `edges` and `version`, are therefore read here from the file format itself: each
  // element is (uint32 length, heap collection address, uint32 object index), each collection a
  // bounded "GCOL" block we walk with every offset checked.

  bool read_raw(uint64_t offset, std::size_t n, std::vector<unsigned char>& buf) {
    if (offset > file_size_ || n > file_size_ - offset) return false;
    buf.resize(n);
    raw_.clear();
    raw_.seekg(static_cast<std::streamoff>(offset));
    raw_.read(reinterpret_cast<char*>(buf.data()), static_cast<std::streamsize>(n));
    return static_cast<std::size_t>(raw_.gcount()) == n;
  }

  struct HeapObject {
    uint64_t offset, size;  // within the collection's bytes
  };
  struct Collection {
    std::vector<unsigned char> bytes;
    std::map<uint64_t, HeapObject> objects;
  };

  const Collection& collection(uint64_t addr, const std::string& at) {
    auto it = heaps_.find(addr);
    if (it != heaps_.end()) return it->second;
    const std::string bad = at + ": corrupt global heap collection at " + std::to_string(addr);
    const std::size_t header = 8 + sizeof_size_;
    std::vector<unsigned char> head;
    if (!read_raw(base_ + addr, header, head) || std::memcmp(head.data(), "GCOL", 4) != 0 || head[4] != 1)
      throw InputError(where(file_, bad));
    const uint64_t size = le(head.data() + 8, sizeof_size_);
    if (size < header || size > (uint64_t{1} << 30)) throw InputError(where(file_, bad + " (size)"));
    Collection c;
    if (!read_raw(base_ + addr, size, c.bytes))
      throw InputError(where(file_, bad + " (beyond the end of the file)"));
    const std::size_t obj_header = 8 + sizeof_size_;
    for (uint64_t p = header; p + obj_header <= size;) {
      const uint64_t index = le(c.bytes.data() + p, 2);
      const uint64_t osize = le(c.bytes.data() + p + 8, sizeof_size_);
      if (index == 0) break;  // free space: the rest of the collection
      const uint64_t padded = (osize + 7) / 8 * 8;
      if (osize > size || padded > size - p - obj_header)
        throw InputError(where(file_, bad + " (object size)"));
      if (!c.objects.emplace(index, HeapObject{p + obj_header, osize}).second)
        throw InputError(where(file_, bad + " (object " + std::to_string(index) + " twice)"));
      p += obj_header + padded;
    }
    return heaps_.emplace(addr, std::move(c)).first->second;
  }

  bool read_vlen_direct(const H5::DataSet& ds, uint64_t count, const std::string& at,
                        std::vector<std::string>& out) {
    const haddr_t offset = H5Dget_offset(ds.getId());
    H5Eclear2(H5E_DEFAULT);
    if (offset == HADDR_UNDEF) return false;  // chunked or compact: HDF5's own read below
    const std::size_t elem = 4 + sizeof_addr_ + 4;
    std::vector<unsigned char> records;
    if (count > file_size_ / elem || !read_raw(offset, count * elem, records))
      throw InputError(where(file_, at + ": string references beyond the end of the file (truncated?)"));
    out.reserve(count);
    for (uint64_t i = 0; i < count; ++i) {
      const unsigned char* r = records.data() + i * elem;
      const uint64_t length = le(r, 4), addr = le(r + 4, sizeof_addr_), index = le(r + 4 + sizeof_addr_, 4);
      if (length == 0) {
        out.emplace_back();
        continue;
      }
      const Collection& c = collection(addr, at);
      auto it = c.objects.find(index);
      if (it == c.objects.end() || length > it->second.size)
        throw InputError(where(file_, at + ": string " + std::to_string(i) + " points to no heap object"));
      out.emplace_back(reinterpret_cast<const char*>(c.bytes.data() + it->second.offset), length);
    }
    return true;
  }

  // HDF5 failures inside a node name the node, or the field being read when it failed.
  Node read_node(const H5::Group& g, const std::string& name, const std::string& path, int depth) {
    std::string at = path.empty() ? "root graph" : "node '" + path + "'";
    try {
      return read_node_body(g, name, path, depth, at);
    } catch (const H5::Exception& e) {
      throw InputError(where(file_, at + ": HDF5 error (corrupt file?): " + hdf5_detail(e)));
    }
  }

  Node read_node_body(const H5::Group& g, const std::string& name, const std::string& path, int depth,
                      std::string& at) {
    if (depth > kMaxDepth)
      throw InputError(where(file_, "node '" + path + "': graphs nested deeper than " +
                                        std::to_string(kMaxDepth) + " levels (a group linked into itself?)"));
    Node node;
    node.name = name;
    node.path = path;
    const std::string self = path.empty() ? "root graph" : "node '" + path + "'";
    at = self + ": field 'type'";
    const Link type_link = link_kind(g, "type");
    if (type_link == Link::kNone) throw InputError(where(file_, at + ": missing"));
    if (type_link != Link::kHard || g.childObjType("type") != H5O_TYPE_DATASET)
      throw InputError(where(file_, at + ": not a dataset"));
    const Field type = read_field(g.openDataSet("type"), at);
    if (type.kind != Field::Kind::kStrings || type.strings.size() != 1)
      throw InputError(where(file_, at + ": expected one string, found " + describe_field(type)));
    node.type = type.strings[0];
    const std::string described = path.empty() ? "root graph" : "node '" + path + "' (" + node.type + ")";
    const bool graph = node.type == "NIRGraph";

    const hsize_t n = g.getNumObjs();
    for (hsize_t i = 0; i < n; ++i) {
      const std::string member = g.getObjnameByIdx(i);
      if (member == "type") continue;
      at = described + ": field '" + member + "'";
      const Link link = link_kind(g, member);
      if (link != Link::kHard)
        throw InputError(where(file_, at + ": a soft or external link (not supported)"));
      const H5O_type_t otype = g.childObjType(member);
      if (otype == H5O_TYPE_GROUP) {
        if (graph && member == "nodes") continue;  // read below, after `edges`
        continue;  // `metadata` and any group a newer NIR adds: not needed for the network
      }
      if (otype != H5O_TYPE_DATASET) throw InputError(where(file_, at + ": neither a dataset nor a group"));
      Field f = read_field(g.openDataSet(member), at);
      if (graph && member == "edges") {
        read_edges(f, at, node.edges);
        continue;
      }
      node.fields.emplace(member, std::move(f));
    }
    if (!graph) return node;

    at = described + ": field 'edges'";
    if (link_kind(g, "edges") == Link::kNone) throw InputError(where(file_, at + ": missing"));
    at = described + ": field 'nodes'";
    if (link_kind(g, "nodes") == Link::kNone) throw InputError(where(file_, at + ": missing"));
    if (g.childObjType("nodes") != H5O_TYPE_GROUP) throw InputError(where(file_, at + ": not a group"));
    const H5::Group nodes = g.openGroup("nodes");
    const hsize_t m = nodes.getNumObjs();
    for (hsize_t i = 0; i < m; ++i) {
      const std::string child = nodes.getObjnameByIdx(i);
      const std::string child_path = path.empty() ? child : path + "." + child;
      at = "node '" + child_path + "'";
      if (child.empty())
        throw InputError(where(file_, described + ": field 'nodes': a node with an empty name"));
      if (link_kind(nodes, child) != Link::kHard)
        throw InputError(where(file_, at + ": a soft or external link (not supported)"));
      if (nodes.childObjType(child) != H5O_TYPE_GROUP)
        throw InputError(where(file_, at + ": a dataset where a node group was expected"));
      node.nodes.push_back(read_node(nodes.openGroup(child), child, child_path, depth + 1));
    }
    return node;
  }

  void read_edges(const Field& f, const std::string& at,
                  std::vector<std::pair<std::string, std::string>>& edges) {
    if (f.count() == 0) return;  // a graph without edges (h5py stores [] as an empty float array)
    if (f.kind != Field::Kind::kStrings)
      throw InputError(where(file_, at + ": expected N x 2 node names, found " + describe_field(f)));
    const bool pairs = (f.shape.size() == 2 && f.shape[1] == 2) || (f.shape.size() == 1 && f.shape[0] == 2);
    if (!pairs) throw InputError(where(file_, at + ": shape " + shape_text(f.shape) + ", expected N x 2"));
    for (std::size_t i = 0; i + 1 < f.strings.size(); i += 2)
      edges.emplace_back(f.strings[i], f.strings[i + 1]);
  }

  std::string file_;
  std::ifstream raw_;
  uint64_t file_size_ = 0;
  hsize_t base_ = 0;
  std::size_t sizeof_addr_ = 8, sizeof_size_ = 8;
  std::map<uint64_t, Collection> heaps_;
};

}  // namespace

uint64_t Field::count() const {
  uint64_t c = 1;
  for (uint64_t d : shape) c *= d;
  return c;
}

std::string describe(const Node& node) {
  return node.path.empty() ? "root graph" : "node '" + node.path + "' (" + node.type + ")";
}

File read_file_in_process(const std::string& path) { return Reader(path).read(); }

}  // namespace lifchip::mapper::nir
