// Spike encoders and decoders (see encode.h). Rate coding draws from std::mt19937_64, whose output
// sequence the C++ standard fixes, and converts draws to [0, 1) by hand, so a seed gives the same
// spikes with every compiler and library.
#include "lifchip/flow/encode.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "lifchip/flow/bindings.h"
#include "lifchip/json_read.h"

namespace lifchip::flow {

namespace {

void check_range(const std::vector<double>& values, double max_value) {
  if (!(max_value > 0) || !std::isfinite(max_value))
    throw InputError("the maximum value must be a positive finite number, not " + std::to_string(max_value));
  for (std::size_t c = 0; c < values.size(); ++c)
    if (!(values[c] >= 0 && values[c] <= max_value))
      throw InputError("column " + std::to_string(c) + ": value " + std::to_string(values[c]) +
                       " is outside [0, " + std::to_string(max_value) + "] (set --max, or rescale the data)");
}

uint32_t get_u32(const nlohmann::json& j, const char* key, const std::string& where) {
  return json_read::integer<uint32_t>(json_read::member(j, key, where), where, std::string("'") + key + "'");
}

}  // namespace

Binding contiguous_binding(uint32_t channels, uint32_t x, uint32_t y, uint32_t base) {
  Binding b;
  for (uint32_t c = 0; c < channels; ++c) b.channels.push_back({{x, y, base + c}});
  return b;
}

Binding parse_binding(const std::string& text, const std::string& name, uint32_t channels) {
  const nlohmann::json j = json_read::parse(text, name);
  if (!j.is_object()) throw InputError(name + ": a binding must be a JSON object");
  if (j.contains("input_targets")) {  // the bindings file of `lifchip map --bindings`: channel = network input
    const Bindings all = parse_bindings(text, name);
    Binding b;
    for (const auto& list : all.input.targets) {
      std::vector<AxonTarget> targets;
      for (const auto& a : list) targets.push_back({a.x, a.y, a.axon});
      b.channels.push_back(std::move(targets));
    }
    if (b.channels.size() != channels)
      throw InputError(name + ": the mapped network has " + std::to_string(b.channels.size()) +
                       " inputs; the encoding has " + std::to_string(channels) + " channels");
    return b;
  }
  if (j.contains("core")) {
    const auto& core = j["core"];
    if (!core.is_array() || core.size() != 2)
      throw InputError(name + ": 'core' must be [x, y] with non-negative integers");
    const uint32_t base = j.contains("axon_base") ? get_u32(j, "axon_base", name) : 0;
    return contiguous_binding(channels, json_read::integer<uint32_t>(core[0], name, "'core' x"),
                              json_read::integer<uint32_t>(core[1], name, "'core' y"), base);
  }
  if (!j.contains("channels") || !j["channels"].is_array())
    throw InputError(name + ": a binding needs 'channels' (a list) or 'core' and 'axon_base'");
  Binding b;
  const auto& list = j["channels"];
  for (std::size_t c = 0; c < list.size(); ++c) {
    const std::string where = name + ": channels[" + std::to_string(c) + "]";
    std::vector<AxonTarget> targets;
    const auto add = [&](const nlohmann::json& t, const std::string& w) {
      targets.push_back({get_u32(t, "x", w), get_u32(t, "y", w), get_u32(t, "axon", w)});
    };
    if (list[c].is_array()) {
      for (std::size_t k = 0; k < list[c].size(); ++k) add(list[c][k], where + "[" + std::to_string(k) + "]");
    } else {
      add(list[c], where);
    }
    b.channels.push_back(std::move(targets));
  }
  if (b.channels.size() < channels)
    throw InputError(name + ": binds " + std::to_string(b.channels.size()) + " channels; the encoding has " +
                     std::to_string(channels));
  return b;
}

uint64_t mix_seed(uint64_t seed, uint64_t index) {
  uint64_t z = seed + 0x9e3779b97f4a7c15ull * (index + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

std::vector<ChannelSpike> rate_encode(const std::vector<double>& values, uint32_t steps, double max_value,
                                      uint64_t seed) {
  check_range(values, max_value);
  std::mt19937_64 rng(seed);
  std::vector<ChannelSpike> out;
  for (uint32_t t = 0; t < steps; ++t)
    for (std::size_t c = 0; c < values.size(); ++c) {
      const double u = static_cast<double>(rng() >> 11) * 0x1.0p-53;  // uniform in [0, 1)
      if (u < values[c] / max_value) out.push_back({t, static_cast<uint32_t>(c)});
    }
  return out;
}

std::vector<ChannelSpike> latency_encode(const std::vector<double>& values, uint32_t steps, double max_value,
                                         double min_fraction) {
  check_range(values, max_value);
  std::vector<ChannelSpike> out;
  if (steps == 0) return out;
  for (std::size_t c = 0; c < values.size(); ++c) {
    const double p = values[c] / max_value;
    if (p <= min_fraction) continue;
    // Ties to even, as NumPy's np.round, so spikes match data sets encoded in Python.
    const auto t = static_cast<uint32_t>(std::nearbyint((1.0 - p) * (steps - 1)));
    out.push_back({t, static_cast<uint32_t>(c)});
  }
  sort_spikes(out);
  return out;
}

std::vector<ChannelSpike> delta_encode(const Matrix& series, double threshold) {
  if (!(threshold > 0) || !std::isfinite(threshold))
    throw InputError("the delta threshold must be a positive finite number, not " +
                     std::to_string(threshold));
  std::vector<ChannelSpike> out;
  if (series.rows == 0) return out;
  std::vector<double> ref(series.values.begin(),
                          series.values.begin() + static_cast<std::ptrdiff_t>(series.cols));
  for (std::size_t t = 1; t < series.rows; ++t)
    for (std::size_t c = 0; c < series.cols; ++c) {
      const double v = series.at(t, c);
      if (v - ref[c] >= threshold) {
        out.push_back({static_cast<uint32_t>(t), static_cast<uint32_t>(2 * c)});
        ref[c] = v;
      } else if (ref[c] - v >= threshold) {
        out.push_back({static_cast<uint32_t>(t), static_cast<uint32_t>(2 * c + 1)});
        ref[c] = v;
      }
    }
  return out;
}

void sort_spikes(std::vector<ChannelSpike>& spikes) {
  std::sort(spikes.begin(), spikes.end(), [](const ChannelSpike& a, const ChannelSpike& b) {
    return a.step != b.step ? a.step < b.step : a.channel < b.channel;
  });
}

void append_stimuli(const std::vector<ChannelSpike>& spikes, uint32_t offset, const Binding& binding,
                    pb::Stimuli& out) {
  pb::StepInput* cur = nullptr;
  for (const ChannelSpike& sp : spikes) {
    if (sp.channel >= binding.channels.size())
      throw InputError("channel " + std::to_string(sp.channel) + " has no binding (the binding has " +
                       std::to_string(binding.channels.size()) + " channels)");
    const uint32_t step = offset + sp.step;
    if (!cur || cur->step() != step) {
      const int last = out.steps_size() - 1;
      if (last >= 0 && out.steps(last).step() > step)
        throw std::logic_error("append_stimuli: spikes are not sorted by step");
      if (last >= 0 && out.steps(last).step() == step) {
        cur = out.mutable_steps(last);
      } else {
        cur = out.add_steps();
        cur->set_step(step);
      }
    }
    for (const AxonTarget& t : binding.channels[sp.channel]) {
      cur->add_x(t.x);
      cur->add_y(t.y);
      cur->add_axon(t.axon);
    }
  }
}

std::vector<int> decode(const pb::RunResult& result, DecodeMethod method, uint32_t classes, uint32_t samples,
                        uint32_t steps, uint32_t period) {
  std::vector<std::vector<uint64_t>> count(samples, std::vector<uint64_t>(classes, 0));
  std::vector<std::vector<int64_t>> first(samples, std::vector<int64_t>(classes, -1));
  for (const pb::OutputSpike& sp : result.spikes()) {
    if (sp.channel() >= classes || period == 0) continue;
    const uint32_t i = sp.step() / period, within = sp.step() % period;
    if (i >= samples || within >= steps) continue;
    ++count[i][sp.channel()];
    if (first[i][sp.channel()] < 0) first[i][sp.channel()] = within;
  }
  std::vector<int> out(samples, -1);
  for (uint32_t i = 0; i < samples; ++i) {
    for (uint32_t c = 0; c < classes; ++c) {
      if (count[i][c] == 0) continue;
      const int best = out[i];
      if (best < 0 ||
          (method == DecodeMethod::kCount ? count[i][c] > count[i][best] : first[i][c] < first[i][best]))
        out[i] = static_cast<int>(c);
    }
  }
  return out;
}

}  // namespace lifchip::flow
