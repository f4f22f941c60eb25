// The bindings file and the response decoders (see bindings.h).
#include "lifchip/flow/bindings.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "lifchip/image.h"
#include "lifchip/json_read.h"

namespace lifchip::flow {

namespace {

using nlohmann::json;

json ports_json(const std::vector<mapper::PortSlice>& ports) {
  json a = json::array();
  for (const auto& p : ports) a.push_back({{"name", p.name}, {"offset", p.offset}, {"size", p.size}});
  return a;
}

// Strict readers: each names the document, the field and what was expected.
struct Reader {
  const std::string& name;
  const json& at(const json& j, const std::string& key, const std::string& where) const {
    if (!j.is_object() || !j.contains(key)) throw InputError(name + ": " + where + "missing '" + key + "'");
    return j[key];
  }
  const json& array(const json& j, const std::string& what) const {
    if (!j.is_array()) throw InputError(name + ": " + what + " must be a list");
    return j;
  }
  uint32_t u32(const json& j, const std::string& what) const { return json_read::integer<uint32_t>(j, name, what); }
  double number(const json& j, const std::string& what) const { return json_read::number(j, name, what); }
  std::string text(const json& j, const std::string& what) const { return json_read::text(j, name, what); }
  std::vector<mapper::PortSlice> ports(const json& j, const std::string& key) const {
    std::vector<mapper::PortSlice> out;
    const json& a = array(at(j, key, ""), "'" + key + "'");
    for (std::size_t i = 0; i < a.size(); ++i) {
      const std::string w = key + "[" + std::to_string(i) + "]";
      out.push_back({text(at(a[i], "name", w + ": "), w + ".name"), u32(at(a[i], "offset", w + ": "), w + ".offset"),
                     u32(at(a[i], "size", w + ": "), w + ".size")});
    }
    return out;
  }
};

}  // namespace

std::string bindings_json(const mapper::MapResult& r) {
  json j;
  j["format"] = kBindingsFormat;
  j["dt_s"] = r.report.dt;
  j["reset"] = r.report.reset_mode == pb::RESET_SUBTRACT ? "subtract" : "zero";
  j["input_ports"] = ports_json(r.input.ports);
  json targets = json::array();
  for (const auto& t : r.input.targets) {
    json list = json::array();
    for (const auto& a : t) list.push_back({a.x, a.y, a.axon});
    targets.push_back(list);
  }
  j["input_targets"] = targets;  // [input index] -> [[x, y, axon], ...]
  j["output_ports"] = ports_json(r.output.ports);
  json ch = json::array();
  for (const auto& c : r.output.channels)
    ch.push_back(
        {{"population", c.population}, {"neuron", c.neuron}, {"x", c.x}, {"y", c.y}, {"core_neuron", c.core_neuron}});
  j["output_channels"] = ch;  // [host channel]
  if (!r.output.readouts.empty()) {  // only then: spike-only bindings stay as they were
    json ro = json::array();
    for (const auto& c : r.output.readouts)
      ro.push_back({{"population", c.population},
                    {"neuron", c.neuron},
                    {"x", c.x},
                    {"y", c.y},
                    {"core_neuron", c.core_neuron},
                    {"scale", c.scale},
                    {"offset", c.offset}});
    j["output_readouts"] = ro;  // [read-out index]
  }
  json terms = json::array();
  for (const auto& t : r.output.terms) {
    json list = json::array();
    for (const auto& x : t) {
      if (x.readout)
        list.push_back({x.channel, x.weight, "v"});
      else
        list.push_back({x.channel, x.weight});
    }
    terms.push_back(list);
  }
  j["output_terms"] = terms;  // [output index] -> [[channel, weight] or [read-out, weight, "v"], ...]
  j["output_bias"] = r.output.bias;
  j["latency"] = r.output.latency;
  return j.dump(2) + "\n";
}

bool is_bindings_document(const std::string& text) {
  // Only a first look (parse_bindings reads it for real): no exception, whatever the text.
  const json j = json::parse(text, nullptr, false);
  return !j.is_discarded() && j.is_object() && j.contains("input_targets");
}

Bindings parse_bindings(const std::string& text, const std::string& name) {
  const json j = json_read::parse(text, name);
  const Reader rd{name};
  if (!j.is_object()) throw InputError(name + ": a bindings file must be a JSON object");
  if (rd.text(rd.at(j, "format", ""), "'format'") != kBindingsFormat)
    throw InputError(name + ": 'format' is '" + j["format"].get<std::string>() + "', expected '" +
                     kBindingsFormat + "' (write it with `lifchip map --bindings`)");
  static const char* const kKeys[] = {"format",         "dt_s",           "reset",         "input_ports",
                                      "input_targets",  "output_ports",   "output_channels", "output_terms",
                                      "output_bias",    "latency",        "output_readouts"};
  for (const auto& [key, value] : j.items()) {
    (void)value;
    if (std::find(std::begin(kKeys), std::end(kKeys), key) == std::end(kKeys))
      throw InputError(name + ": unknown field '" + key + "'");
  }
  Bindings b;
  b.dt = rd.number(rd.at(j, "dt_s", ""), "'dt_s'");
  if (!(b.dt > 0)) throw InputError(name + ": 'dt_s' must be > 0");
  const std::string reset = rd.text(rd.at(j, "reset", ""), "'reset'");
  if (reset != "zero" && reset != "subtract")
    throw InputError(name + ": 'reset' is '" + reset + "', expected zero or subtract");
  b.reset_mode = reset == "subtract" ? pb::RESET_SUBTRACT : pb::RESET_ZERO;
  b.input.ports = rd.ports(j, "input_ports");
  const json& targets = rd.array(rd.at(j, "input_targets", ""), "'input_targets'");
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const std::string w = "input_targets[" + std::to_string(i) + "]";
    std::vector<mapper::AxonAddress> list;
    for (std::size_t k = 0; k < rd.array(targets[i], w).size(); ++k) {
      const std::string wk = w + "[" + std::to_string(k) + "]";
      const json& a = targets[i][k];
      if (!a.is_array() || a.size() != 3) throw InputError(name + ": " + wk + " must be [x, y, axon]");
      list.push_back({rd.u32(a[0], wk + " x"), rd.u32(a[1], wk + " y"), rd.u32(a[2], wk + " axon")});
    }
    b.input.targets.push_back(std::move(list));
  }
  b.output.ports = rd.ports(j, "output_ports");
  // A channel's and a read-out's shared fields: which neuron of which population, on which core.
  auto read_site = [&](const json& e, const std::string& w, auto& x) {
    x.population = rd.text(rd.at(e, "population", w + ": "), w + ".population");
    x.neuron = rd.u32(rd.at(e, "neuron", w + ": "), w + ".neuron");
    x.x = rd.u32(rd.at(e, "x", w + ": "), w + ".x");
    x.y = rd.u32(rd.at(e, "y", w + ": "), w + ".y");
    x.core_neuron = rd.u32(rd.at(e, "core_neuron", w + ": "), w + ".core_neuron");
  };
  const json& ch = rd.array(rd.at(j, "output_channels", ""), "'output_channels'");
  for (std::size_t c = 0; c < ch.size(); ++c) {
    mapper::OutputBinding::Channel x;
    read_site(ch[c], "output_channels[" + std::to_string(c) + "]", x);
    b.output.channels.push_back(x);
  }
  if (j.contains("output_readouts")) {
    const json& ro = rd.array(j["output_readouts"], "'output_readouts'");
    for (std::size_t c = 0; c < ro.size(); ++c) {
      const std::string w = "output_readouts[" + std::to_string(c) + "]";
      mapper::OutputBinding::Readout x;
      read_site(ro[c], w, x);
      x.scale = rd.number(rd.at(ro[c], "scale", w + ": "), w + ".scale");
      x.offset = rd.number(rd.at(ro[c], "offset", w + ": "), w + ".offset");
      b.output.readouts.push_back(x);
    }
  }
  const json& terms = rd.array(rd.at(j, "output_terms", ""), "'output_terms'");
  for (std::size_t o = 0; o < terms.size(); ++o) {
    const std::string w = "output_terms[" + std::to_string(o) + "]";
    std::vector<mapper::OutputBinding::Term> list;
    for (std::size_t k = 0; k < rd.array(terms[o], w).size(); ++k) {
      const std::string wk = w + "[" + std::to_string(k) + "]";
      const json& t = terms[o][k];
      const bool readout = t.is_array() && t.size() == 3 && t[2] == "v";
      if (!t.is_array() || (t.size() != 2 && !readout))
        throw InputError(name + ": " + wk + " must be [channel, weight] or [read-out, weight, \"v\"]");
      const uint32_t channel = rd.u32(t[0], wk + (readout ? " read-out" : " channel"));
      const std::size_t limit = readout ? b.output.readouts.size() : b.output.channels.size();
      if (channel >= limit)
        throw InputError(name + ": " + wk + ": " + (readout ? "read-out " : "channel ") + std::to_string(channel) +
                         " >= the " + std::to_string(limit) + (readout ? " output read-outs" : " output channels"));
      list.push_back({channel, rd.number(t[1], wk + " weight"), readout});
    }
    b.output.terms.push_back(std::move(list));
  }
  const json& bias = rd.array(rd.at(j, "output_bias", ""), "'output_bias'");
  if (bias.size() != b.output.terms.size())
    throw InputError(name + ": 'output_bias' has " + std::to_string(bias.size()) + " values for " +
                     std::to_string(b.output.terms.size()) + " outputs");
  for (std::size_t o = 0; o < bias.size(); ++o)
    b.output.bias.push_back(rd.number(bias[o], "output_bias[" + std::to_string(o) + "]"));
  b.output.latency = rd.u32(rd.at(j, "latency", ""), "'latency'");
  return b;
}

ResponseDecode parse_response_decode(const std::string& name) {
  for (ResponseDecode d : {ResponseDecode::kCount, ResponseDecode::kMean, ResponseDecode::kMax, ResponseDecode::kLast,
                           ResponseDecode::kFirst})
    if (name == response_decode_name(d)) return d;
  throw InputError("decode method '" + name + "' is not one of count, mean, max, last, first");
}

std::string auto_decode(const std::string& name, const mapper::OutputBinding& output) {
  if (name != "auto") return name;
  return output.readouts.empty() ? "count" : "max";
}

const char* response_decode_name(ResponseDecode d) {
  switch (d) {
    case ResponseDecode::kCount: return "count";
    case ResponseDecode::kMean: return "mean";
    case ResponseDecode::kMax: return "max";
    case ResponseDecode::kLast: return "last";
    case ResponseDecode::kFirst: return "first";
  }
  return "?";
}

int decode_response(const mapper::NetworkResponse& r, ResponseDecode method, const std::vector<double>& bias) {
  if (r.values.empty() || r.values[0].empty()) return -1;
  const std::size_t outputs = r.values[0].size();
  std::vector<double> score(outputs, 0.0);
  switch (method) {
    case ResponseDecode::kCount:
    case ResponseDecode::kMean:
      return r.argmax();  // the mean ranks as the sum
    case ResponseDecode::kMax:
      score = r.values[0];
      for (const auto& row : r.values)
        for (std::size_t o = 0; o < outputs; ++o) score[o] = std::max(score[o], row[o]);
      break;
    case ResponseDecode::kLast:
      score = r.values.back();
      break;
    case ResponseDecode::kFirst:
      for (const auto& row : r.values)
        for (std::size_t o = 0; o < outputs; ++o)
          if (row[o] != (o < bias.size() ? bias[o] : 0.0))
            return static_cast<int>(std::max_element(row.begin(), row.end()) - row.begin());
      return -1;
  }
  return static_cast<int>(std::max_element(score.begin(), score.end()) - score.begin());
}

}  // namespace lifchip::flow
