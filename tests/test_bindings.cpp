// The one bindings file: `map --bindings` writes it, encode/decode/evaluate read it. Round trip,
// strict errors, the encoder reading a multi-core network's inputs from it, and the response
// decoders.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "lifchip/flow/bindings.h"
#include "lifchip/flow/encode.h"
#include "lifchip/mapper/synthetic.h"
#include "support/cli_run.h"

namespace lifchip::flow {
namespace {

mapper::MapResult multi_core() {
  mapper::SyntheticOptions so;
  so.seed = 3;
  const mapper::Network net = mapper::synthetic_layered({40, 300, 10}, 40, so);  // 300 > 256 neurons per core
  return mapper::map_network(net, mapper::MapOptions{});
}

std::string error_of(const std::string& text) {
  try {
    parse_bindings(text, "b.json");
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Bindings, RoundTripAndTheEncoderReadsEveryTarget) {
  const mapper::MapResult m = multi_core();
  ASSERT_GE(m.image.cores_size(), 2);
  const std::string text = bindings_json(m);
  EXPECT_TRUE(is_bindings_document(text));
  const Bindings b = parse_bindings(text, "b.json");
  EXPECT_EQ(b.dt, m.report.dt);
  ASSERT_EQ(b.input.targets.size(), m.input.targets.size());
  for (std::size_t i = 0; i < b.input.targets.size(); ++i) EXPECT_EQ(b.input.targets[i], m.input.targets[i]) << i;
  EXPECT_EQ(b.output.channels.size(), m.output.channels.size());
  EXPECT_EQ(b.output.latency, m.output.latency);
  EXPECT_EQ(b.output.bias, m.output.bias);
  EXPECT_EQ(bindings_json(mapper::MapResult{m.image, m.report, b.input, b.output, {}}), text);

  // The encoder takes the same file: an input read on two cores sends two packets.
  const Binding enc = parse_binding(text, "b.json", m.input.size());
  std::size_t multi = 0;
  for (std::size_t i = 0; i < enc.channels.size(); ++i) {
    ASSERT_EQ(enc.channels[i].size(), m.input.targets[i].size());
    multi += enc.channels[i].size() > 1;
  }
  EXPECT_GT(multi, 0u) << "the test network should spread an input over cores";
  EXPECT_NE([&] {
    try {
      parse_binding(text, "b.json", m.input.size() + 1);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string();
  }().find("the mapped network has 40 inputs; the encoding has 41 channels"),
            std::string::npos);
}

// LI/CubaLI read-outs (spec §2.6): their sites and scales and the [r, w, "v"] terms round-trip, and
// a term naming a read-out that does not exist is an error naming it.
TEST(Bindings, ReadoutsRoundTrip) {
  mapper::SyntheticOptions so;
  so.seed = 5;
  mapper::Network net = mapper::synthetic_layered({12, 20, 4}, 12, so);
  mapper::make_readout(net, "l2");  // the LIF layer feeding the outputs, read out as LI
  const mapper::MapResult m = mapper::map_network(net, mapper::MapOptions{});
  ASSERT_EQ(m.output.readouts.size(), 4u);
  ASSERT_TRUE(m.output.channels.empty());
  const std::string text = bindings_json(m);
  const Bindings b = parse_bindings(text, "b.json");
  ASSERT_EQ(b.output.readouts.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(b.output.readouts[i].core_neuron, m.output.readouts[i].core_neuron);
    EXPECT_EQ(b.output.readouts[i].scale, m.output.readouts[i].scale);
    ASSERT_EQ(b.output.terms[i].size(), 1u);
    EXPECT_TRUE(b.output.terms[i][0].readout);
  }
  EXPECT_EQ(bindings_json(mapper::MapResult{m.image, m.report, b.input, b.output, {}}), text);
  std::string bad = text;
  const std::size_t at = bad.find("\"v\"");
  ASSERT_NE(at, std::string::npos);
  const std::size_t open = bad.rfind('[', at);
  bad.replace(open, at - open, "[9, 1.0, ");
  EXPECT_NE(error_of(bad).find("read-out 9 >= the 4 output read-outs"), std::string::npos) << error_of(bad);
}

TEST(Bindings, MalformedFilesNameTheField) {
  const std::string good = bindings_json(multi_core());
  auto with = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    const auto at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return s.replace(at, from.size(), to);
  };
  EXPECT_EQ(error_of("[1]"), "b.json: a bindings file must be a JSON object");
  EXPECT_EQ(error_of("{"), "b.json: not valid JSON (byte 2)");
  EXPECT_NE(error_of(with("\"lifchip-bindings-1\"", "\"x\"")).find("'format' is 'x'"), std::string::npos);
  EXPECT_EQ(error_of(with("\"latency\"", "\"latenc\"")), "b.json: unknown field 'latenc'");
  EXPECT_EQ(error_of(with("\"dt_s\": 0.001", "\"dt_s\": -1")), "b.json: 'dt_s' must be > 0");
  EXPECT_NE(error_of(with("\"reset\": \"zero\"", "\"reset\": \"half\"")).find("'reset' is 'half'"),
            std::string::npos);
  EXPECT_NE(error_of(with("\"output_bias\": [", "\"output_bias\": [1.0,")).find("'output_bias' has 11 values for 10"),
            std::string::npos);
}

// Seeded mutations of a valid bindings file: parsed, or one InputError naming the file; never a
// crash or another exception.
TEST(Bindings, FuzzedFilesNeverCrash) {
  mapper::SyntheticOptions so;
  const std::string valid = bindings_json(mapper::map_network(mapper::synthetic_layered({4, 6, 3}, 4, so), {}));
  std::mt19937 rng(20261206);
  int parsed = 0, rejected = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string b = valid;
    for (int k = 0, edits = 1 + static_cast<int>(rng() % 3); k < edits; ++k) {
      const std::size_t at = rng() % b.size();
      switch (rng() % 3) {
        case 0: b[at] = "0123456789-.,:[]{}\"aez"[rng() % 23]; break;
        case 1: b.erase(at, 1 + rng() % 8); break;
        default: b.insert(at, 1, "-9.e[]\""[rng() % 7]);
      }
      if (b.empty()) b = "{";
    }
    try {
      parse_bindings(b, "fuzz.json");
      ++parsed;
    } catch (const InputError& e) {
      EXPECT_EQ(std::string(e.what()).rfind("fuzz.json: ", 0), 0u) << e.what();
      ++rejected;
    }
  }
  EXPECT_GT(rejected, 1000);
  EXPECT_GT(parsed, 10);
}

TEST(Bindings, ResponseDecoders) {
  mapper::NetworkResponse r;
  r.num_steps = 3;
  r.values = {{0.5, 0.5, 0.5}, {0.5, 3.0, 0.5}, {2.0, 0.5, 2.5}};  // bias 0.5 each
  const std::vector<double> bias{0.5, 0.5, 0.5};
  EXPECT_EQ(decode_response(r, ResponseDecode::kCount), 1);  // sums 3.0, 4.0, 3.5
  EXPECT_EQ(decode_response(r, ResponseDecode::kMean), 1);
  EXPECT_EQ(decode_response(r, ResponseDecode::kMax), 1);
  EXPECT_EQ(decode_response(r, ResponseDecode::kLast), 2);
  EXPECT_EQ(decode_response(r, ResponseDecode::kFirst, bias), 1);
  mapper::NetworkResponse silent{2, {{0.5, 0.5}, {0.5, 0.5}}};
  EXPECT_EQ(decode_response(silent, ResponseDecode::kFirst, {0.5, 0.5}), -1);
  EXPECT_EQ(decode_response(mapper::NetworkResponse{}, ResponseDecode::kMax), -1);
  EXPECT_EQ(parse_response_decode("last"), ResponseDecode::kLast);
  EXPECT_THROW(parse_response_decode("median"), InputError);
}

}  // namespace
}  // namespace lifchip::flow
