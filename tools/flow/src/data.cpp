// A strict NPY parser and a CSV parser: every malformed input gives one InputError naming the file
// and what is wrong (the fuzz tests in tests/test_encode.cpp feed both random mutations).
#include "lifchip/flow/data.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "lifchip/image.h"

namespace lifchip::flow {

namespace {

// A tiny cursor over the header dict: {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
class DictParser {
 public:
  DictParser(const std::string& text, const std::string& name) : s_(text), name_(name) {}

  void skip_ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t')) ++i_;
  }
  bool peek(char c) {
    skip_ws();
    return i_ < s_.size() && s_[i_] == c;
  }
  void expect(char c) {
    if (!peek(c)) fail(std::string("expected '") + c + "'");
    ++i_;
  }
  std::string quoted() {
    skip_ws();
    if (i_ >= s_.size() || (s_[i_] != '\'' && s_[i_] != '"')) fail("expected a quoted string");
    const char q = s_[i_++];
    const std::size_t end = s_.find(q, i_);
    if (end == std::string::npos) fail("unterminated string");
    std::string out = s_.substr(i_, end - i_);
    i_ = end + 1;
    return out;
  }
  bool boolean() {
    skip_ws();
    if (s_.compare(i_, 4, "True") == 0) {
      i_ += 4;
      return true;
    }
    if (s_.compare(i_, 5, "False") == 0) {
      i_ += 5;
      return false;
    }
    fail("fortran_order must be True or False");
    return false;
  }
  std::vector<std::size_t> shape() {
    expect('(');
    std::vector<std::size_t> dims;
    while (!peek(')')) {
      skip_ws();
      const std::size_t start = i_;
      while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
      if (i_ == start) fail("shape must be a tuple of non-negative integers");
      if (i_ - start > 12) fail("shape dimension " + s_.substr(start, i_ - start) + " is too large");
      dims.push_back(static_cast<std::size_t>(std::stoull(s_.substr(start, i_ - start))));
      if (dims.size() > 8) fail("shape has more than 8 dimensions");
      if (peek(',')) {
        ++i_;
        continue;
      }
      if (!peek(')')) fail("expected ',' or ')' in shape");
    }
    ++i_;
    return dims;
  }
  bool at_end() {
    skip_ws();
    return i_ == s_.size();
  }
  [[noreturn]] void fail(const std::string& what) const {
    throw InputError(name_ + ": NPY header: " + what + " at offset " + std::to_string(i_) + " of the dict");
  }

 private:
  const std::string& s_;
  const std::string& name_;
  std::size_t i_ = 0;
};

template <typename T>
T load_le(const unsigned char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);  // the formats we accept are little-endian, as is every host we build on
  return v;
}

bool parse_number(const std::string& field, double& out) {
  std::size_t a = 0, b = field.size();
  while (a < b && (field[a] == ' ' || field[a] == '\t')) ++a;
  while (b > a && (field[b - 1] == ' ' || field[b - 1] == '\t' || field[b - 1] == '\r')) --b;
  if (a == b) return false;
  const std::string t = field.substr(a, b - a);
  errno = 0;
  char* end = nullptr;
  out = std::strtod(t.c_str(), &end);
  return end == t.c_str() + t.size() && errno != ERANGE && std::isfinite(out);
}

}  // namespace

std::string read_file_bytes(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw InputError(path + ": is a directory, expected a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open: " + std::strerror(errno));
  std::ostringstream os;
  os << in.rdbuf();
  if (in.bad()) throw InputError(path + ": read failed");
  return os.str();
}

NdArray parse_npy_array(const std::string& bytes, const std::string& name) {
  static const char kMagic[] = "\x93NUMPY";
  if (bytes.size() < 10 || bytes.compare(0, 6, kMagic, 6) != 0)
    throw InputError(name + ": not an NPY file (the magic string \\x93NUMPY is missing)");
  const auto* u = reinterpret_cast<const unsigned char*>(bytes.data());
  const unsigned major = u[6], minor = u[7];
  std::size_t header_len = 0, offset = 0;
  if (major == 1 && minor == 0) {
    header_len = load_le<uint16_t>(u + 8);
    offset = 10;
  } else if ((major == 2 || major == 3) && minor == 0) {
    if (bytes.size() < 12) throw InputError(name + ": NPY header truncated");
    header_len = load_le<uint32_t>(u + 8);
    offset = 12;
  } else {
    throw InputError(name + ": NPY format version " + std::to_string(major) + "." + std::to_string(minor) +
                     " is not supported (1.0, 2.0, 3.0)");
  }
  if (header_len > bytes.size() - offset)
    throw InputError(name + ": NPY header length " + std::to_string(header_len) + " exceeds the file size " +
                     std::to_string(bytes.size()));
  std::string header = bytes.substr(offset, header_len);
  offset += header_len;
  while (!header.empty() && (header.back() == '\n' || header.back() == ' ')) header.pop_back();

  DictParser p(header, name);
  std::string descr;
  bool fortran = false, have_descr = false, have_fortran = false, have_shape = false;
  std::vector<std::size_t> shape;
  p.expect('{');
  while (!p.peek('}')) {
    const std::string key = p.quoted();
    p.expect(':');
    if (key == "descr" && !have_descr) {
      descr = p.quoted();
      have_descr = true;
    } else if (key == "fortran_order" && !have_fortran) {
      fortran = p.boolean();
      have_fortran = true;
    } else if (key == "shape" && !have_shape) {
      shape = p.shape();
      have_shape = true;
    } else {
      p.fail("unexpected or repeated key '" + key + "'");
    }
    if (p.peek(',')) {
      p.expect(',');
      continue;
    }
    if (!p.peek('}')) p.fail("expected ',' or '}'");
  }
  p.expect('}');
  if (!p.at_end()) p.fail("text after the dict");
  if (!have_descr || !have_fortran || !have_shape)
    throw InputError(name + ": NPY header lacks one of 'descr', 'fortran_order', 'shape'");
  std::size_t item = 0;
  if (descr == "<f4" || descr == "<i4")
    item = 4;
  else if (descr == "<f8" || descr == "<i8")
    item = 8;
  else if (descr == "|u1" || descr == "|b1")
    item = 1;
  else
    throw InputError(name + ": NPY dtype '" + descr + "' is not supported (<f4, <f8, <i4, <i8, |u1, |b1)");
  NdArray a;
  a.shape = shape;
  std::size_t count = 1;
  for (std::size_t d : shape) {
    if (d != 0 && count > kMaxArrayElements / d)
      throw InputError(name + ": NPY shape holds more than " + std::to_string(kMaxArrayElements) + " elements");
    count *= d;
  }
  if (count > kMaxArrayElements)
    throw InputError(name + ": NPY shape holds more than " + std::to_string(kMaxArrayElements) + " elements");
  if (bytes.size() - offset != count * item)
    throw InputError(name + ": NPY data is " + std::to_string(bytes.size() - offset) +
                     " bytes; shape and dtype " + descr + " need " + std::to_string(count * item));
  a.values.resize(count);
  const unsigned char* d = u + offset;
  std::vector<std::size_t> index(shape.size(), 0);  // Fortran order: the first index runs fastest
  for (std::size_t k = 0; k < count; ++k) {
    double v = 0;
    if (descr == "<f4")
      v = load_le<float>(d + 4 * k);
    else if (descr == "<f8")
      v = load_le<double>(d + 8 * k);
    else if (descr == "<i4")
      v = load_le<int32_t>(d + 4 * k);
    else if (descr == "<i8")
      v = static_cast<double>(load_le<int64_t>(d + 8 * k));
    else if (descr == "|b1" && d[k] > 1)
      throw InputError(name + ": NPY bool element " + std::to_string(k) + " is " + std::to_string(d[k]) +
                       ", not 0 or 1");
    else
      v = d[k];
    std::size_t at = k;
    if (fortran) {
      at = 0;
      for (std::size_t dim = 0; dim < shape.size(); ++dim) at = at * shape[dim] + index[dim];
      for (std::size_t dim = 0; dim < shape.size() && ++index[dim] == shape[dim]; ++dim) index[dim] = 0;
    }
    if (!std::isfinite(v)) {
      std::vector<std::size_t> idx(shape.size());
      std::size_t rest = at;
      for (std::size_t dim = shape.size(); dim-- > 0;) idx[dim] = rest % shape[dim], rest /= shape[dim];
      if (idx.size() == 1) idx.insert(idx.begin(), 0);  // a 1-D array is one row, as parse_npy reads it
      std::string where;
      for (std::size_t i : idx) where += (where.empty() ? "" : ", ") + std::to_string(i);
      throw InputError(name + ": NPY element [" + where + "] is not a finite number");
    }
    a.values[at] = v;
  }
  return a;
}

Matrix parse_npy(const std::string& bytes, const std::string& name) {
  NdArray a = parse_npy_array(bytes, name);
  if (a.shape.size() > 2)
    throw InputError(name + ": NPY array has " + std::to_string(a.shape.size()) +
                     " dimensions; expected 1 (one sample) or 2 (rows x columns)");
  Matrix m;
  m.rows = a.shape.size() == 2 ? a.shape[0] : 1;
  m.cols = a.shape.empty() ? 1 : a.shape.back();
  m.values = std::move(a.values);
  return m;
}

Matrix parse_csv(const std::string& text, const std::string& name) {
  Matrix m;
  std::size_t line_no = 0, pos = 0;
  bool first_data = true;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos || line[line.find_first_not_of(" \t")] == '#')
      continue;
    std::vector<std::string> fields;
    std::size_t a = 0;
    while (true) {
      const std::size_t c = line.find(',', a);
      fields.push_back(line.substr(a, c == std::string::npos ? std::string::npos : c - a));
      if (c == std::string::npos) break;
      a = c + 1;
    }
    std::vector<double> row(fields.size());
    bool all_numbers = true;
    for (std::size_t k = 0; k < fields.size(); ++k)
      all_numbers = all_numbers && parse_number(fields[k], row[k]);
    if (first_data && !all_numbers) {  // a header line
      first_data = false;
      m.cols = fields.size();
      continue;
    }
    if (m.cols == 0) m.cols = fields.size();
    first_data = false;
    if (fields.size() != m.cols)
      throw InputError(name + ":" + std::to_string(line_no) + ": " + std::to_string(fields.size()) +
                       " fields; expected " + std::to_string(m.cols));
    for (std::size_t k = 0; k < fields.size(); ++k)
      if (!parse_number(fields[k], row[k]))
        throw InputError(name + ":" + std::to_string(line_no) + ": field " + std::to_string(k + 1) + " '" +
                         fields[k].substr(0, 40) + "' is not a finite number");
    if (m.values.size() + row.size() > kMaxArrayElements)
      throw InputError(name + ": more than " + std::to_string(kMaxArrayElements) + " values");
    m.values.insert(m.values.end(), row.begin(), row.end());
    ++m.rows;
  }
  if (m.rows == 0) throw InputError(name + ": no data rows");
  return m;
}

Matrix read_matrix(const std::string& path) {
  const auto ends = [&](const char* ext) {
    const std::size_t n = std::strlen(ext);
    return path.size() >= n && path.compare(path.size() - n, n, ext) == 0;
  };
  if (ends(".npy")) return parse_npy(read_file_bytes(path), path);
  if (ends(".csv") || ends(".txt")) return parse_csv(read_file_bytes(path), path);
  throw InputError(path + ": unknown data format (expected a .npy or .csv file)");
}

NdArray read_array(const std::string& path) {
  if (path.size() >= 4 && path.compare(path.size() - 4, 4, ".npy") == 0)
    return parse_npy_array(read_file_bytes(path), path);
  Matrix m = read_matrix(path);
  return NdArray{{m.rows, m.cols}, std::move(m.values)};
}

std::string write_npy(const NdArray& a) {
  std::string shape;
  for (std::size_t d : a.shape) shape += std::to_string(d) + ", ";
  if (!shape.empty()) shape.resize(shape.size() - (a.shape.size() > 1 ? 2 : 1));  // (3,) or (2, 3)
  std::string dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + shape + "), }";
  std::size_t total = 10 + dict.size() + 1;
  dict += std::string((64 - total % 64) % 64, ' ') + "\n";
  std::string out("\x93NUMPY\x01\x00", 8);
  const uint16_t len = static_cast<uint16_t>(dict.size());
  out += static_cast<char>(len & 0xff);
  out += static_cast<char>(len >> 8);
  out += dict;
  const std::size_t data = out.size();
  out.resize(data + 8 * a.values.size());
  std::memcpy(&out[data], a.values.data(), 8 * a.values.size());
  return out;
}

std::string write_npy(const Matrix& m) { return write_npy(NdArray{{m.rows, m.cols}, m.values}); }

}  // namespace lifchip::flow
