// Reading the project's JSON documents (bindings, encode bindings, golden traces, regression suites,
// mapping reports) from untrusted files: the one place where text becomes JSON and JSON values become
// numbers, so that every number is range-checked with its field named and no nlohmann exception,
// std::ios_failure or undefined conversion (a float into an unsigned field) escapes a reader.
// Header-only: the chip library itself reads no JSON; the layers that do link nlohmann_json.
#pragma once

#include <sys/stat.h>

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "lifchip/image.h"  // InputError

namespace lifchip::json_read {

/// Objects and arrays nested deeper than this are refused (our documents nest at most 5 levels).
inline constexpr int kMaxDepth = 64;

/// Parses `text`; a syntax error, a number beyond double's range (nlohmann's out_of_range.406) or
/// nesting deeper than kMaxDepth is one InputError "NAME: not valid JSON: ...".
inline nlohmann::json parse(const std::string& text, const std::string& name) {
  // The callback sees an object or array start at the depth of its container (0 for the top level).
  const nlohmann::json::parser_callback_t depth_limit = [&](int depth, nlohmann::json::parse_event_t event,
                                                           nlohmann::json&) {
    using E = nlohmann::json::parse_event_t;
    if ((event == E::object_start || event == E::array_start) && depth >= kMaxDepth)
      throw InputError(name + ": not valid JSON: nested deeper than " + std::to_string(kMaxDepth) + " levels");
    return true;
  };
  try {
    return nlohmann::json::parse(text, depth_limit);
  } catch (const nlohmann::json::parse_error& e) {
    throw InputError(name + ": not valid JSON (byte " + std::to_string(e.byte) + ")");
  } catch (const nlohmann::json::exception& e) {
    std::string what = e.what();
    const auto close = what.find("] ");  // "[json.exception.out_of_range.406] number overflow ..."
    if (close != std::string::npos) what = what.substr(close + 2);
    throw InputError(name + ": not valid JSON: " + what);
  }
}

/// The bytes of a file; a directory, an unreadable file or a read error is one InputError naming it
/// and `what` ("the suite file", "the golden file").
inline std::string read_text_file(const std::string& path, const std::string& what) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw InputError(path + ": cannot open " + what + ": " + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) throw InputError(path + ": is a directory, expected " + what);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open " + what + ": " + std::strerror(errno));
  std::ostringstream os;
  try {
    os << in.rdbuf();
  } catch (const std::exception& e) {
    throw InputError(path + ": cannot read " + what + ": " + e.what());
  }
  if (in.bad()) throw InputError(path + ": cannot read " + what);
  return os.str();
}

/// read_text_file + parse.
inline nlohmann::json parse_file(const std::string& path, const std::string& what) {
  return parse(read_text_file(path, what), path);
}

/// A JSON value as an integer of type T within [lo, hi]; anything else (a float, even 7e+41, a
/// negative number for an unsigned field, a string) is one InputError "NAME: FIELD: ...".
template <typename T>
T integer(const nlohmann::json& j, const std::string& name, const std::string& field,
          T lo = std::numeric_limits<T>::min(), T hi = std::numeric_limits<T>::max()) {
  static_assert(std::is_integral_v<T> && !std::is_same_v<T, bool>, "an integer type");
  const auto bad = [&] {
    return InputError(name + ": " + field + ": " + j.dump().substr(0, 40) + " is not an integer in [" +
                      std::to_string(lo) + ", " + std::to_string(hi) + "]");
  };
  if (!j.is_number_integer()) throw bad();  // parsed non-negative integers are unsigned, others signed
  if constexpr (std::is_signed_v<T>) {
    int64_t v = 0;
    if (j.is_number_unsigned()) {
      const uint64_t u = j.get<uint64_t>();
      if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) throw bad();
      v = static_cast<int64_t>(u);
    } else {
      v = j.get<int64_t>();
    }
    if (v < static_cast<int64_t>(lo) || v > static_cast<int64_t>(hi)) throw bad();
    return static_cast<T>(v);
  } else {
    uint64_t v = 0;
    if (j.is_number_unsigned()) {
      v = j.get<uint64_t>();
    } else {  // a signed integer: parsed negative, or built from a C++ int
      const int64_t sv = j.get<int64_t>();
      if (sv < 0) throw bad();
      v = static_cast<uint64_t>(sv);
    }
    if (v < static_cast<uint64_t>(lo) || v > static_cast<uint64_t>(hi)) throw bad();
    return static_cast<T>(v);
  }
}

/// A finite number within [lo, hi].
inline double number(const nlohmann::json& j, const std::string& name, const std::string& field,
                     double lo = -std::numeric_limits<double>::max(),
                     double hi = std::numeric_limits<double>::max()) {
  if (!j.is_number() || !std::isfinite(j.get<double>()) || j.get<double>() < lo || j.get<double>() > hi)
    throw InputError(name + ": " + field + ": " + j.dump().substr(0, 40) + " is not a finite number in [" +
                     std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return j.get<double>();
}

inline std::string text(const nlohmann::json& j, const std::string& name, const std::string& field) {
  if (!j.is_string()) throw InputError(name + ": " + field + ": must be a string");
  return j.get<std::string>();
}

inline bool boolean(const nlohmann::json& j, const std::string& name, const std::string& field) {
  if (!j.is_boolean()) throw InputError(name + ": " + field + ": must be true or false");
  return j.get<bool>();
}

/// The member `key` of object `j`; missing is an InputError naming it.
inline const nlohmann::json& member(const nlohmann::json& j, const std::string& key, const std::string& name,
                                    const std::string& where = "") {
  if (!j.is_object()) throw InputError(name + ": " + (where.empty() ? "the document" : where) + ": must be an object");
  const auto it = j.find(key);
  if (it == j.end()) throw InputError(name + ": " + (where.empty() ? "" : where + ": ") + "missing '" + key + "'");
  return *it;
}

/// An array (at most `max_size` elements) of integers of type T within [lo, hi].
template <typename T>
std::vector<T> integers(const nlohmann::json& j, const std::string& name, const std::string& field,
                        std::size_t max_size, T lo = std::numeric_limits<T>::min(),
                        T hi = std::numeric_limits<T>::max()) {
  if (!j.is_array()) throw InputError(name + ": " + field + ": must be a list");
  if (j.size() > max_size)
    throw InputError(name + ": " + field + ": " + std::to_string(j.size()) + " values exceed the limit " +
                     std::to_string(max_size));
  std::vector<T> out;
  out.reserve(j.size());
  for (std::size_t i = 0; i < j.size(); ++i)
    out.push_back(integer<T>(j[i], name, field + "[" + std::to_string(i) + "]", lo, hi));
  return out;
}

/// An array of strings.
inline std::vector<std::string> texts(const nlohmann::json& j, const std::string& name, const std::string& field) {
  if (!j.is_array()) throw InputError(name + ": " + field + ": must be a list");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < j.size(); ++i) out.push_back(text(j[i], name, field + "[" + std::to_string(i) + "]"));
  return out;
}

}  // namespace lifchip::json_read
