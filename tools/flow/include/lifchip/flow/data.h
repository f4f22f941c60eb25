// Numeric arrays for `lifchip encode`: a strict NPY reader (our own, no NumPy) and a CSV reader,
// both giving a row-major matrix of doubles and errors that name the file, the field and the limit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace lifchip::flow {

/// A row-major matrix: rows are samples (or time steps), columns are features (input channels).
struct Matrix {
  std::size_t rows = 0, cols = 0;
  std::vector<double> values;  // rows * cols
  double at(std::size_t r, std::size_t c) const { return values[r * cols + c]; }
};

/// The most elements an input array may hold (2^26 doubles = 512 MiB): a corrupt shape in a header
/// must give a clear error, not an attempt to allocate terabytes.
inline constexpr std::size_t kMaxArrayElements = std::size_t{1} << 26;

/// An N-dimensional array in C order (the last index runs fastest).
struct NdArray {
  std::vector<std::size_t> shape;
  std::vector<double> values;
};

/// Parses an NPY file's bytes as parse_npy does, of any number of dimensions (up to 8).
NdArray parse_npy_array(const std::string& bytes, const std::string& name);
/// Reads a file by its extension: .npy (parse_npy_array) or .csv/.txt (a 2-D array, parse_csv).
NdArray read_array(const std::string& path);

/// Parses an NPY file's bytes (format versions 1.0, 2.0 and 3.0; dtypes <f4 <f8 <i4 <i8 |u1 |b1; C or
/// Fortran order; 1-D arrays are one row, 2-D arrays are rows x columns). `name` prefixes every error.
/// Throws InputError on anything else: bad magic, truncated header or data, trailing bytes, a
/// header dict with unknown or missing keys, NaN or infinite values, a bool byte other than 0 or 1.
Matrix parse_npy(const std::string& bytes, const std::string& name);

/// Parses CSV text: numbers separated by commas, one row per line; blank lines and lines starting
/// with '#' are skipped; a first line that is not all numbers is a header (its names are ignored).
/// Every row must have the same number of fields.
Matrix parse_csv(const std::string& text, const std::string& name);

/// Reads a file by its extension: .npy (parse_npy) or .csv/.txt (parse_csv).
Matrix read_matrix(const std::string& path);

/// Serialises a matrix as an NPY 1.0 file with dtype <f8 (for tests and the demo's data).
std::string write_npy(const Matrix& m);
std::string write_npy(const NdArray& a);

/// The whole file as bytes; throws InputError naming the path and the system error.
std::string read_file_bytes(const std::string& path);

}  // namespace lifchip::flow
