// `lifchip compare IMAGE --stimuli S --backends a,b`: runs two backends through the firmware on the same
// image and stimuli and prints the first divergence (step, core, neuron or synapse, variable, phase,
// both values), "identical", or the step and error at which both stopped (exit 4).
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "cli.h"
#include "lifchip/run.h"
#include "lifchip/flow/session.h"

namespace lifchip::cli {

namespace {
struct CompareOptions {
  std::string image, stimuli, backends = "functional,systemc", learning;
  uint32_t steps = 0;
  std::vector<std::string> faults;
  bool json = false, final_only = false;
};
}  // namespace

void add_compare_command(CLI::App& app, Action& action) {
  auto o = std::make_shared<CompareOptions>();
  CLI::App* sub = app.add_subcommand(
      "compare", "Run two backends through the firmware on one image and print the first divergence");
  sub->add_option("IMAGE", o->image, "Sealed chip image")->required();
  sub->add_option("--stimuli", o->stimuli, "Input spikes (a Stimuli message)");
  sub->add_option("--steps", o->steps, "Steps to run (default: from the stimuli)")
      ->check(CLI::Range(uint32_t{1}, kMaxRunSteps));
  sub->add_option("--backends", o->backends, "Two comma-separated backends (default functional,systemc)");
  sub->add_option("--learning", o->learning, "Override the image's learning_enabled")
      ->check(CLI::IsMember({"on", "off"}));
  sub->add_option("--fault", o->faults,
                  "Arm a test fault in the second backend (KIND@STEP:X,Y:INDEX[:BIT]; repeatable)");
  sub->add_flag("--final-memory", o->final_only, "Compare memories only after the last step (faster)");
  sub->add_flag("--json", o->json, "Print the result as JSON");
  sub->callback([&action, o] {
    action = [o] {
      const auto comma = o->backends.find(',');
      if (comma == std::string::npos || o->backends.find(',', comma + 1) != std::string::npos)
        throw InputError("--backends '" + o->backends + "': exactly two comma-separated names are needed");
      const std::string na = o->backends.substr(0, comma), nb = o->backends.substr(comma + 1);
      reject_directory(o->image);
      const pb::ChipImage image = for_file(o->image, [&] {
        pb::ChipImage img = read_image_file(o->image);
        validate_sealed_image(img);
        return img;
      });
      flow::CompareSpec spec;
      pb::Stimuli stimuli;
      if (!o->stimuli.empty()) {
        reject_directory(o->stimuli);
        stimuli = for_file(o->stimuli, [&] { return read_stimuli_file(o->stimuli); });
        spec.stimuli = for_file(o->stimuli, [&] { return stimuli_spikes(stimuli); });
      }
      spec.steps = o->steps ? o->steps : stimuli_steps(stimuli);
      if (spec.steps > kMaxRunSteps)
        throw InputError("steps " + std::to_string(spec.steps) + " > " + std::to_string(kMaxRunSteps));
      if (!o->learning.empty()) spec.learning = o->learning == "on" ? 1 : 0;
      spec.memory_every_step = !o->final_only;
      spec.faults = o->faults;
      const flow::BackendComparison d = for_file(o->image, [&] { return flow::compare_backends(image, spec, na, nb); });
      const bool ok = d.identical;
      if (o->json) {
        nlohmann::json j{{"identical", !d.diverged}, {"steps", spec.steps}, {"backends", {na, nb}}};
        if (!d.stopped.empty() && !d.diverged) j["error"] = d.stopped;
        if (d.diverged)
          j["divergence"] = {
              {"step", d.step},         {"x", d.x},         {"y", d.y}, {"kind", d.kind}, {"index", d.index},
              {"variable", d.variable}, {"phase", d.phase}, {"a", d.a}, {"b", d.b},       {"text", d.text}};
        std::cout << j.dump(1) << "\n";
      } else {
        std::cout << (d.diverged ? d.text
                      : ok ? "identical (" + std::to_string(spec.steps) + " steps, " + na + " vs " + nb + ")"
                           : d.stopped + " (" + na + " and " + nb + " agree up to there)")
                  << "\n";
      }
      return ok ? kExitOk : kExitRegressFailed;
    };
  });
}

}  // namespace lifchip::cli
