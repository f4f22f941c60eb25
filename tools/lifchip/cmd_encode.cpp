// `lifchip encode` (data -> input spikes: rate, latency or delta modulation, through an input
// binding) and `lifchip decode` (a run's output spikes -> one class per sample, and accuracy).
#include <iostream>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli.h"
#include "lifchip/flow/bindings.h"
#include "lifchip/flow/data.h"
#include "lifchip/flow/encode.h"

namespace lifchip::cli {

namespace {

using flow::ChannelSpike;
using flow::Matrix;

struct EncodeOptions {
  std::string input, output, encoding, binding;
  uint32_t steps = 0, gap = 0, skip = 0, samples = 0;
  double max_value = 1.0, threshold = 0, min_fraction = 0;
  uint64_t seed = 1;
  std::vector<uint32_t> core{0, 0};
  uint32_t axon_base = 0;
  bool json = false;
};

int encode_command(const EncodeOptions& o) {
  check_writable(o.output);
  const Matrix data = for_file(o.input, [&] { return flow::read_matrix(o.input); });
  const bool delta = o.encoding == "delta";
  const uint32_t channels = static_cast<uint32_t>(delta ? 2 * data.cols : data.cols);
  flow::Binding binding;
  if (!o.binding.empty())
    binding = for_file(o.binding, [&] {
      return flow::parse_binding(flow::read_file_bytes(o.binding), o.binding, channels);
    });
  else
    binding = flow::contiguous_binding(channels, o.core[0], o.core[1], o.axon_base);

  pb::Stimuli st;
  st.set_name(o.input + " (" + o.encoding + ")");
  uint64_t spikes = 0, samples = 0, total_steps = 0;
  if (delta) {
    if (data.rows > kMaxRunSteps)
      throw InputError(o.input + ": " + std::to_string(data.rows) +
                       " time steps (rows), more than the limit " + std::to_string(kMaxRunSteps));
    const std::vector<ChannelSpike> ev =
        for_file(o.input, [&] { return flow::delta_encode(data, o.threshold); });
    flow::append_stimuli(ev, 0, binding, st);
    spikes = ev.size();
    samples = 1;
    total_steps = data.rows;
  } else {
    if (o.skip >= data.rows)
      throw InputError(o.input + ": --skip " + std::to_string(o.skip) + " leaves none of its " +
                       std::to_string(data.rows) + " rows");
    samples = o.samples ? std::min<uint64_t>(o.samples, data.rows - o.skip) : data.rows - o.skip;
    const uint64_t period = uint64_t{o.steps} + o.gap;
    if (samples * period > kMaxRunSteps)
      throw InputError(o.input + ": " + std::to_string(samples) + " samples x " + std::to_string(period) +
                       " steps exceed the run limit of " + std::to_string(kMaxRunSteps) +
                       " steps (use --samples)");
    for (uint64_t i = 0; i < samples; ++i) {
      const std::size_t row = o.skip + i;
      std::vector<double> values(data.values.begin() + static_cast<std::ptrdiff_t>(row * data.cols),
                                 data.values.begin() + static_cast<std::ptrdiff_t>((row + 1) * data.cols));
      const std::vector<ChannelSpike> ev = for_file(o.input, [&] {
        try {
          return o.encoding == "rate"
                     ? flow::rate_encode(values, o.steps, o.max_value, flow::mix_seed(o.seed, row))
                     : flow::latency_encode(values, o.steps, o.max_value, o.min_fraction);
        } catch (const InputError& e) {
          throw InputError("row " + std::to_string(row) + ", " + e.what());
        }
      });
      flow::append_stimuli(ev, static_cast<uint32_t>(i * period), binding, st);
      spikes += ev.size();
    }
    total_steps = samples * period;
  }
  st.set_num_steps(static_cast<uint32_t>(total_steps));
  write_output(o.output, st);

  if (o.json) {
    nlohmann::json j{{"input", o.input},         {"output", o.output},
                     {"encoding", o.encoding},   {"samples", samples},
                     {"channels", channels},     {"steps_per_sample", delta ? total_steps : o.steps},
                     {"gap", delta ? 0 : o.gap}, {"num_steps", total_steps},
                     {"input_spikes", spikes},   {"seed", o.seed}};
    std::cout << j.dump(1) << "\n";
  } else {
    std::cout << "lifchip encode: " << samples << " sample(s) x " << data.cols << " column(s) of " << o.input
              << " -> " << channels << " channel(s), " << o.encoding << " coding\n"
              << "  " << group_digits(spikes) << " input spikes over " << group_digits(total_steps)
              << " steps";
    if (!delta) std::cout << " (" << o.steps << " per sample + " << o.gap << " rest)";
    std::cout << "\n  written to " << o.output << "\n";
  }
  return kExitOk;
}

struct DecodeOptions {
  std::string result, labels, bindings, method = "count";
  uint32_t classes = 0, steps = 0, gap = 0;
  bool json = false;
};

int decode_command(const DecodeOptions& o) {
  RunSource src;
  src.result = o.result;
  pb::ChipImage unused;
  bool have_image = false;
  const pb::RunResult r = obtain_result(src, &unused, &have_image);
  const uint32_t steps = o.steps ? o.steps : r.steps();
  const uint32_t period = steps + o.gap;
  const uint32_t samples = period ? (r.steps() + o.gap) / period : 0;
  if (samples == 0)
    throw InputError(o.result + ": the run has " + std::to_string(r.steps()) +
                     " steps, fewer than one sample of " + std::to_string(steps));
  uint32_t classes = o.classes;
  std::vector<int> pred;
  if (!o.bindings.empty()) {
    // The network's outputs (terms, bias) from the chip's channels, each sample's window shifted by
    // the mapped network's latency, as `evaluate` decodes.
    if (o.classes) throw InputError("option '--classes': not with --bindings (the classes are the network's outputs)");
    reject_directory(o.bindings);
    const flow::Bindings b =
        for_file(o.bindings, [&] { return flow::parse_bindings(flow::read_file_bytes(o.bindings), o.bindings); });
    if (b.output.latency > o.gap && samples > 1)
      std::cerr << "warning: --gap " << o.gap << " is shorter than the network's latency of " << b.output.latency
                << " steps: the last " << b.output.latency - o.gap
                << " steps of each sample's answer fall into the next sample's window\n";
    const flow::ResponseDecode method = flow::parse_response_decode(o.method);
    mapper::MapResult m;
    m.output = b.output;
    classes = m.output.size();
    std::vector<std::vector<OutputSpike>> by_sample(samples);
    for (const pb::OutputSpike& sp : r.spikes()) {
      const uint32_t i = sp.step() / period;
      if (i < samples) by_sample[i].push_back({sp.step() - i * period, sp.channel(), 0});
    }
    for (uint32_t i = 0; i < samples; ++i)
      pred.push_back(flow::decode_response(m.decode(by_sample[i], period), method, m.output.bias));
  } else {
    if (o.method != "count" && o.method != "first")
      throw InputError("option '--method': " + o.method +
                       " decodes the network's outputs: it needs --bindings (without it: count or first)");
    if (classes == 0)
      for (const pb::OutputSpike& sp : r.spikes()) classes = std::max(classes, sp.channel() + 1);
    pred = flow::decode(r, o.method == "count" ? flow::DecodeMethod::kCount : flow::DecodeMethod::kFirst, classes,
                        samples, steps, period);
  }
  std::vector<int64_t> labels;
  if (!o.labels.empty()) {
    const Matrix m = for_file(o.labels, [&] { return flow::read_matrix(o.labels); });
    if (m.values.size() != samples)
      throw InputError(o.labels + ": " + std::to_string(m.values.size()) + " labels for " +
                       std::to_string(samples) + " samples");
    for (std::size_t i = 0; i < m.values.size(); ++i) {
      const double v = m.values[i];
      if (v < 0 || v != static_cast<double>(static_cast<int64_t>(v)))
        throw InputError(o.labels + ": label " + std::to_string(i) + " (" + std::to_string(v) +
                         ") is not a non-negative integer");
      labels.push_back(static_cast<int64_t>(v));
    }
  }
  uint32_t correct = 0;
  for (std::size_t i = 0; i < labels.size(); ++i) correct += pred[i] == labels[i] ? 1 : 0;
  if (o.json) {
    nlohmann::json j{{"method", o.method},
                     {"classes", classes},
                     {"samples", samples},
                     {"steps_per_sample", steps},
                     {"predicted", pred}};
    if (!labels.empty()) {
      j["labels"] = labels;
      j["correct"] = correct;
      j["accuracy"] = static_cast<double>(correct) / samples;
    }
    std::cout << j.dump(1) << "\n";
    return kExitOk;
  }
  std::cout << "lifchip decode: " << samples << " sample(s) of " << steps << " steps, " << classes
            << " classes, by " << (o.method == "count" ? "spike count (argmax)" : "first spike") << "\n";
  Table t(labels.empty() ? std::vector<std::string>{"sample", "predicted"}
                         : std::vector<std::string>{"sample", "predicted", "label"});
  for (uint32_t i = 0; i < samples && i < 20; ++i) {
    std::vector<std::string> row{std::to_string(i), pred[i] < 0 ? "-" : std::to_string(pred[i])};
    if (!labels.empty()) row.push_back(std::to_string(labels[i]));
    t.add(row);
  }
  std::cout << t.str();
  if (samples > 20) std::cout << "  ... " << samples - 20 << " more (all of them: --json)\n";
  if (!labels.empty())
    std::cout << "accuracy: " << correct << " / " << samples << " = " << (100.0 * correct / samples)
              << " %\n";
  return kExitOk;
}

}  // namespace

void add_encode_commands(CLI::App& app, Action& action) {
  auto o = std::make_shared<EncodeOptions>();
  CLI::App* sub =
      app.add_subcommand("encode", "Encode data (CSV or NPY) as input spikes: rate, latency or delta coding");
  sub->add_option("INPUT", o->input,
                  "Data: .npy or .csv, rows = samples (delta: rows = time steps), columns = channels")
      ->required();
  sub->add_option("-o,--output", o->output, "The Stimuli file to write (.txtpb = text)")->required();
  sub->add_option("--encoding", o->encoding,
                  "rate (Bernoulli per step), latency (time to first spike), delta")
      ->required()
      ->check(CLI::IsMember({"rate", "latency", "delta"}));
  CLI::Option* steps = sub->add_option("--steps", o->steps, "Steps per sample (rate, latency)")
                           ->check(CLI::Range(uint32_t{1}, kMaxRunSteps));
  sub->add_option("--gap", o->gap, "Rest steps after each sample (rate, latency)")
      ->check(CLI::Range(uint32_t{0}, kMaxRunSteps))
      ->capture_default_str();
  sub->add_option("--max", o->max_value, "The value that means probability 1 / spike at step 0")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  CLI::Option* thr = sub->add_option("--threshold", o->threshold, "Delta: the change that emits a spike")
                         ->check(CLI::PositiveNumber);
  sub->add_option("--min", o->min_fraction, "Latency: values at or below this fraction of --max do not spike")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  sub->add_option("--seed", o->seed, "Rate: the seed (each sample draws from its own stream)")
      ->capture_default_str();
  sub->add_option("--skip", o->skip, "Rows to skip before the first sample")->capture_default_str();
  sub->add_option("--samples", o->samples, "Samples (rows) to encode; 0 = all")->capture_default_str();
  CLI::Option* binding = sub->add_option(
      "--binding", o->binding, "Input binding JSON: which chip axon(s) each channel drives (docs/cli.md)");
  sub->add_option("--core", o->core, "Without --binding: the core X Y whose axons the channels drive")
      ->expected(2)
      ->excludes(binding);
  sub->add_option("--axon-base", o->axon_base, "Without --binding: channel c drives axon BASE + c")
      ->excludes(binding);
  sub->add_flag("--json", o->json, "Print the summary as JSON");
  sub->callback([&action, o, steps, thr] {
    if (o->encoding == "delta") {
      if (thr->count() == 0) throw CLI::ValidationError("encode", "delta coding needs --threshold");
      if (steps->count() != 0)
        throw CLI::ValidationError("encode", "delta coding takes its steps from the rows; drop --steps");
    } else if (steps->count() == 0) {
      throw CLI::ValidationError("encode", o->encoding + " coding needs --steps");
    }
    action = [o] { return encode_command(*o); };
  });

  auto d = std::make_shared<DecodeOptions>();
  CLI::App* dec =
      app.add_subcommand("decode", "Decode a run's output spikes to one class per sample (and accuracy)");
  dec->add_option("RESULT", d->result, "A RunResult file from `lifchip run -o`")->required();
  dec->add_option("--method", d->method,
                  "count: most spikes (largest sum) wins; first: earliest wins; with --bindings also mean, max, "
                  "last (of the network's output values)")
      ->check(CLI::IsMember({"count", "first", "mean", "max", "last"}))
      ->capture_default_str();
  dec->add_option("--bindings", d->bindings,
                  "The bindings file of `lifchip map --bindings`: decode the network's outputs, latency removed");
  dec->add_option("--classes", d->classes,
                  "Output channels 0..N-1 are the classes (default: highest channel + 1)");
  dec->add_option("--steps", d->steps, "Steps per sample, as encoded (default: the whole run is one sample)")
      ->check(CLI::Range(uint32_t{1}, kMaxRunSteps));
  dec->add_option("--gap", d->gap, "Rest steps after each sample, as encoded")->capture_default_str();
  dec->add_option("--labels", d->labels, "True classes, one per sample (.npy or .csv) for the accuracy");
  dec->add_flag("--json", d->json, "Print the predictions as JSON");
  dec->callback([&action, d] { action = [d] { return decode_command(*d); }; });
}

}  // namespace lifchip::cli
