// Spike encoders and decoders on known inputs (rate within binomial bounds for a seed, exact
// latency times, exact delta-modulation events), the input binding, and the NPY/CSV readers with
// their broken-input corpus and a seeded fuzz run.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "lifchip/flow/data.h"
#include "lifchip/flow/encode.h"

namespace lifchip::flow {
namespace {

std::string npy_bytes(const std::string& dict, const std::string& data, char major = 1) {
  std::string header = dict;
  const std::size_t prefix = major == 1 ? 10 : 12;
  header += std::string((64 - (prefix + header.size() + 1) % 64) % 64, ' ') + "\n";
  std::string out = std::string("\x93NUMPY", 6) + major + '\0';
  const uint32_t len = static_cast<uint32_t>(header.size());
  out += static_cast<char>(len & 0xff);
  out += static_cast<char>((len >> 8) & 0xff);
  if (major != 1) {
    out += static_cast<char>((len >> 16) & 0xff);
    out += static_cast<char>(len >> 24);
  }
  return out + header + data;
}

template <typename T>
std::string raw(const std::vector<T>& v) {
  std::string s(v.size() * sizeof(T), '\0');
  std::memcpy(&s[0], v.data(), s.size());
  return s;
}

void expect_error(const std::string& bytes, const std::string& part) {
  try {
    parse_npy(bytes, "x.npy");
    ADD_FAILURE() << "no error; expected one containing '" << part << "'";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("x.npy: "), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
  }
}

TEST(Npy, EveryDtypeAndVersion) {
  const std::string shape = "'shape': (2, 3), }";
  const std::string f = "{'descr': '";
  Matrix m = parse_npy(
      npy_bytes(f + "<f4', 'fortran_order': False, " + shape, raw<float>({1, 2, 3, 4, 5, 6.5f})), "a");
  EXPECT_EQ(m.rows, 2u);
  EXPECT_EQ(m.cols, 3u);
  EXPECT_EQ(m.at(1, 2), 6.5);
  m = parse_npy(npy_bytes(f + "<f8', 'fortran_order': False, " + shape, raw<double>({1, 2, 3, 4, 5, -0.25})),
                "a");
  EXPECT_EQ(m.at(1, 2), -0.25);
  m = parse_npy(npy_bytes(f + "<i4', 'fortran_order': False, " + shape, raw<int32_t>({1, 2, 3, 4, 5, -7})),
                "a");
  EXPECT_EQ(m.at(1, 2), -7);
  m = parse_npy(
      npy_bytes(f + "<i8', 'fortran_order': False, " + shape, raw<int64_t>({1, 2, 3, 4, 5, 1LL << 40})), "a");
  EXPECT_EQ(m.at(1, 2), std::ldexp(1.0, 40));
  m = parse_npy(npy_bytes(f + "|u1', 'fortran_order': False, " + shape, raw<uint8_t>({1, 2, 3, 4, 5, 255})),
                "a");
  EXPECT_EQ(m.at(1, 2), 255);
  m = parse_npy(npy_bytes(f + "|b1', 'fortran_order': False, " + shape, raw<uint8_t>({1, 0, 0, 0, 0, 1})),
                "a");
  EXPECT_EQ(m.values, (std::vector<double>{1, 0, 0, 0, 0, 1}));
  // Fortran order (numpy.argwhere's result, saved as is) stores columns one after the other.
  m = parse_npy(npy_bytes(f + "<i8', 'fortran_order': True, " + shape, raw<int64_t>({1, 4, 2, 5, 3, 6})),
                "a");
  EXPECT_EQ(m.values, (std::vector<double>{1, 2, 3, 4, 5, 6}));
  // Key order is free; version 2.0 and 3.0 have a 4-byte header length; 1-D is one row.
  m = parse_npy(
      npy_bytes("{'shape': (4,), 'fortran_order': False, 'descr': '<f8'}", raw<double>({1, 2, 3, 4}), 2),
      "a");
  EXPECT_EQ(m.rows, 1u);
  EXPECT_EQ(m.cols, 4u);
  m = parse_npy(npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (0, 3), }", "", 3), "a");
  EXPECT_EQ(m.rows, 0u);
  // write_npy round-trips.
  Matrix w{2, 2, {0.5, 1.5, -2, 3}};
  Matrix back = parse_npy(write_npy(w), "w");
  EXPECT_EQ(back.values, w.values);
}

TEST(Npy, BrokenInputsGiveClearErrors) {
  const std::string ok_dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }";
  const std::string two = raw<double>({1, 2});
  expect_error("", "not an NPY file");
  expect_error("PK\x03\x04 zip file", "not an NPY file");
  std::string v4 = npy_bytes(ok_dict, two);
  v4[6] = 4;
  expect_error(v4, "version 4.0");
  std::string long_header = npy_bytes(ok_dict, two);
  long_header[8] = '\xff';
  long_header[9] = '\x7f';
  expect_error(long_header, "header length");
  expect_error(npy_bytes("{'descr': '<f8', 'shape': (2,), }", two), "lacks");
  expect_error(
      npy_bytes("{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }", std::string("\x01\x02", 2)),
      "not 0 or 1");
  expect_error(npy_bytes("{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }", two), "dtype '>f8'");
  expect_error(npy_bytes("{'descr': '<c16', 'fortran_order': False, 'shape': (2,), }", two), "dtype");
  expect_error(npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1, 2), }", two),
               "3 dimensions");
  expect_error(npy_bytes(ok_dict, raw<double>({1})), "need 16");
  expect_error(npy_bytes(ok_dict, raw<double>({1, 2, 3})), "need 16");
  expect_error(npy_bytes(ok_dict, raw<double>({1, NAN})), "[0, 1] is not a finite number");
  expect_error(npy_bytes(ok_dict, raw<double>({INFINITY, 1})), "not a finite");
  expect_error(npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (100000000, 100000000), }", two),
               "more than");
  expect_error(npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999,), }", two),
               "too large");
  expect_error(npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (-2,), }", two), "non-negative");
  expect_error(npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'extra': 1}", two),
               "'extra'");
  expect_error(npy_bytes("{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (2,)}", two),
               "repeated");
  expect_error(npy_bytes("{'descr': '<f8, 'fortran_order': False, 'shape': (2,)}", two), "expected");
  expect_error(npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2,)} x", two), "text after");
}

// Random mutations of a valid file: each parse either succeeds or throws InputError (never a crash,
// a hang, another exception or an allocation the data cannot back).
TEST(Npy, FuzzedFilesNeverCrash) {
  const std::string valid = npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }",
                                      raw<float>({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}));
  std::mt19937 rng(20261123);
  int parsed = 0, rejected = 0;
  for (int i = 0; i < 4000; ++i) {
    std::string b = valid;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < edits; ++k) {
      const std::size_t at = rng() % (b.size() + 1);
      switch (rng() % 4) {
        case 0:
          if (at < b.size()) b[at] = static_cast<char>(rng());
          break;
        case 1:
          b.resize(at);
          break;
        case 2:
          b.insert(at, 1, static_cast<char>(rng()));
          break;
        default:
          if (at < b.size()) b[at] = "0123456789(),'{} :"[rng() % 18];
      }
    }
    try {
      const Matrix m = parse_npy(b, "fuzz.npy");
      EXPECT_EQ(m.values.size(), m.rows * m.cols);
      ++parsed;
    } catch (const InputError& e) {
      EXPECT_EQ(std::string(e.what()).rfind("fuzz.npy: ", 0), 0u) << e.what();
      ++rejected;
    }
  }
  EXPECT_GT(rejected, 1000);  // the mutations do hit the checks
  EXPECT_GT(parsed, 10);      // and some (e.g. changed data bytes) stay valid
}

TEST(Csv, HeaderCommentsAndErrors) {
  Matrix m = parse_csv("# a comment\na,b,c\n1, 2 ,3\n\n4.5,-5,6e1\r\n", "d.csv");
  EXPECT_EQ(m.rows, 2u);
  EXPECT_EQ(m.cols, 3u);
  EXPECT_EQ(m.at(1, 0), 4.5);
  EXPECT_EQ(m.at(1, 2), 60);
  m = parse_csv("7\n8\n", "d.csv");
  EXPECT_EQ(m.rows, 2u);
  EXPECT_EQ(m.cols, 1u);
  const auto err = [](const std::string& text) {
    try {
      parse_csv(text, "d.csv");
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(err("1,2\n3\n"), "d.csv:2: 1 fields; expected 2");
  EXPECT_EQ(err("1,2\n3,x\n"), "d.csv:2: field 2 'x' is not a finite number");
  EXPECT_EQ(err("1,2\n3,nan\n"), "d.csv:2: field 2 'nan' is not a finite number");
  EXPECT_EQ(err("1,2\n3,1e999\n"), "d.csv:2: field 2 '1e999' is not a finite number");
  EXPECT_EQ(err("a,b\n"), "d.csv: no data rows");
  EXPECT_EQ(err(""), "d.csv: no data rows");
}

TEST(Csv, FuzzedTextNeverCrashes) {
  const std::string valid = "x,y\n0.1,0.2\n3,4\n";
  std::mt19937 rng(7);
  for (int i = 0; i < 3000; ++i) {
    std::string b = valid;
    for (int k = 0; k < 3; ++k) {
      const std::size_t at = rng() % (b.size() + 1);
      if (rng() % 2 && at < b.size())
        b[at] = ",\n.-e0123x #"[rng() % 12];
      else
        b.insert(at, 1, static_cast<char>(rng()));
    }
    try {
      const Matrix m = parse_csv(b, "f.csv");
      EXPECT_EQ(m.values.size(), m.rows * m.cols);
    } catch (const InputError& e) {
      EXPECT_EQ(std::string(e.what()).rfind("f.csv", 0), 0u) << e.what();
    }
  }
}

TEST(Encode, RateIsWithinBinomialBoundsAndSeeded) {
  const std::vector<double> p = {0.0, 0.05, 0.3, 0.5, 0.8, 1.0};
  const uint32_t steps = 4000;
  const auto spikes = rate_encode(p, steps, 1.0, 42);
  std::vector<uint32_t> count(p.size(), 0);
  for (const ChannelSpike& s : spikes) {
    ASSERT_LT(s.step, steps);
    ++count[s.channel];
  }
  for (std::size_t c = 0; c < p.size(); ++c) {
    const double mean = steps * p[c], sigma = std::sqrt(steps * p[c] * (1 - p[c]));
    EXPECT_LE(std::fabs(count[c] - mean), 5 * sigma + 1e-9) << "channel " << c << ": " << count[c];
  }
  EXPECT_EQ(count[0], 0u);
  EXPECT_EQ(count[5], steps);
  EXPECT_EQ(rate_encode(p, steps, 1.0, 42), spikes);  // same seed, same spikes
  EXPECT_NE(rate_encode(p, steps, 1.0, 43), spikes);  // another seed, other spikes
  EXPECT_EQ(rate_encode({0.5, 10.0}, 100, 20.0, 1).size(), rate_encode({0.5, 10.0}, 100, 20.0, 1).size());
  EXPECT_NE(mix_seed(1, 0), mix_seed(1, 1));
  EXPECT_THROW(rate_encode({0.5, 1.5}, 10, 1.0, 1), InputError);
  EXPECT_THROW(rate_encode({-0.1}, 10, 1.0, 1), InputError);
}

TEST(Encode, LatencyTimesAreExact) {
  const auto spikes = latency_encode({1.0, 0.5, 0.0, 0.25, 0.9}, 11, 1.0);
  const std::vector<ChannelSpike> want = {{0, 0}, {1, 4}, {5, 1}, {8, 3}};  // round((1 - p) * 10)
  EXPECT_EQ(spikes, want);
  // Scaled by --max, with a floor below which nothing fires.
  const std::vector<ChannelSpike> want2 = {{0, 1}, {2, 0}};
  EXPECT_EQ(latency_encode({192, 255, 10}, 9, 255.0, 0.1), want2);  // round(63/255 * 8) = 2
  // Halves round to even, as np.round: (1 - 8/16) * 9 = 4.5 -> 4 and 0.5 * 11 = 5.5 -> 6.
  EXPECT_EQ(latency_encode({8}, 10, 16.0), (std::vector<ChannelSpike>{{4, 0}}));
  EXPECT_EQ(latency_encode({0.5}, 12, 1.0), (std::vector<ChannelSpike>{{6, 0}}));
  EXPECT_THROW(latency_encode({2.0}, 5, 1.0), InputError);
}

TEST(Encode, DeltaEventsAreExact) {
  Matrix series{5,
                2,
                {0, 1,      //
                 0.5, 1,    //
                 0.6, 0.2,  //
                 1.2, 0.2,  //
                 0.1, 0.9}};
  const std::vector<ChannelSpike> want = {{1, 0}, {2, 3}, {3, 0}, {4, 1}, {4, 2}};
  EXPECT_EQ(delta_encode(series, 0.5), want);
  EXPECT_TRUE(delta_encode(series, 5).empty());
  EXPECT_THROW(delta_encode(series, 0), InputError);
}

TEST(Encode, BindingsAndStimuli) {
  Binding b = parse_binding(R"({"core": [1, 2], "axon_base": 10})", "b.json", 3);
  ASSERT_EQ(b.channels.size(), 3u);
  EXPECT_EQ(b.channels[2][0].axon, 12u);
  EXPECT_EQ(b.channels[2][0].x, 1u);
  b = parse_binding(
      R"({"channels": [{"x":0,"y":0,"axon":5}, [{"x":1,"y":0,"axon":0},{"x":1,"y":1,"axon":2}]]})", "b.json",
      2);
  ASSERT_EQ(b.channels.size(), 2u);
  EXPECT_EQ(b.channels[1].size(), 2u);
  pb::Stimuli st;
  append_stimuli({{0, 1}, {0, 0}, {3, 1}}, 10, b, st);
  ASSERT_EQ(st.steps_size(), 2);
  EXPECT_EQ(st.steps(0).step(), 10u);
  EXPECT_EQ(st.steps(0).axon_size(), 3);
  EXPECT_EQ(st.steps(1).step(), 13u);
  EXPECT_THROW(append_stimuli({{20, 2}}, 0, b, st), InputError);  // channel 2 unbound
  const auto err = [](const std::string& j, uint32_t n) {
    try {
      parse_binding(j, "b.json", n);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(err("{", 1), "b.json: not valid JSON (byte 2)");
  EXPECT_EQ(err("[]", 1), "b.json: a binding must be a JSON object");
  EXPECT_EQ(err(R"({"channels": [{"x":0,"y":0}]})", 1), "b.json: channels[0]: missing 'axon'");
  EXPECT_EQ(err(R"({"channels": [{"x":0,"y":0,"axon":-1}]})", 1),
            "b.json: channels[0]: 'axon': -1 is not an integer in [0, 4294967295]");
  EXPECT_EQ(err(R"({"channels": [{"x":0,"y":0,"axon":1.5}]})", 1),
            "b.json: channels[0]: 'axon': 1.5 is not an integer in [0, 4294967295]");
  EXPECT_EQ(err(R"({"core": [0, 4294967296]})", 1), "b.json: 'core' y: 4294967296 is not an integer in [0, 4294967295]");
  EXPECT_EQ(err(R"({"core": [1e999, 0]})", 1), "b.json: not valid JSON: number overflow parsing '1e999'");
  EXPECT_EQ(err(R"({"channels": []})", 2), "b.json: binds 0 channels; the encoding has 2");
  EXPECT_EQ(err(R"({"core": [1]})", 2), "b.json: 'core' must be [x, y] with non-negative integers");
}

TEST(Decode, CountArgmaxAndFirstSpike) {
  pb::RunResult r;
  r.set_steps(20);
  const auto add = [&](uint32_t step, uint32_t ch) {
    pb::OutputSpike* s = r.add_spikes();
    s->set_step(step);
    s->set_channel(ch);
  };
  // Sample 0 (steps 0..7): channel 2 first, channel 1 most. Sample 1 (10..17): tie 0/3 -> 0 by count.
  add(1, 2);
  add(2, 1);
  add(3, 1);
  add(8, 2);  // in the gap: ignored
  add(12, 3);
  add(13, 0);
  add(14, 9);  // beyond the classes: ignored
  EXPECT_EQ(decode(r, DecodeMethod::kCount, 4, 2, 8, 10), (std::vector<int>{1, 0}));
  EXPECT_EQ(decode(r, DecodeMethod::kFirst, 4, 2, 8, 10), (std::vector<int>{2, 3}));
  EXPECT_EQ(decode(r, DecodeMethod::kCount, 4, 3, 5, 5), (std::vector<int>{1, 2, 0}));      // tie 3/0: lowest
  EXPECT_EQ(decode(r, DecodeMethod::kCount, 4, 4, 5, 5), (std::vector<int>{1, 2, 0, -1}));  // no spike: -1
}

}  // namespace
}  // namespace lifchip::flow
