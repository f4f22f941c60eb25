// The manifest of the broken-file corpus (tests/corpus/expected_errors.txt), read by the library
// fuzz tests and the CLI tests alike. Header-only (it uses GoogleTest).
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace lifchip::test {

struct CorpusCase {
  std::string file, kind, expect, cli_expect;
};

/// One case per line: file <TAB> kind <TAB> expected substring [<TAB> CLI substring (default: the
/// same)]; '#' lines and blank lines are skipped, a line with fewer than three fields is a failure.
inline std::vector<CorpusCase> corpus_manifest(const std::string& corpus_dir) {
  std::ifstream in(corpus_dir + "/expected_errors.txt");
  EXPECT_TRUE(in.good()) << corpus_dir << "/expected_errors.txt";
  std::vector<CorpusCase> cases;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cols;
    std::stringstream ss(line);
    std::string col;
    while (std::getline(ss, col, '\t')) cols.push_back(col);
    if (cols.size() < 3) {
      ADD_FAILURE() << "expected_errors.txt: malformed line: " << line;
      continue;
    }
    cases.push_back({cols[0], cols[1], cols[2], cols.size() > 3 ? cols[3] : cols[2]});
  }
  return cases;
}

}  // namespace lifchip::test
