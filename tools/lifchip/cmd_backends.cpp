// `lifchip backends`: the chip models registered in this build (what `--backend NAME` accepts).
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "cli.h"
#include "lifchip/backend.h"

namespace lifchip::cli {

void add_backends_command(CLI::App& app, Action& action) {
  auto json = std::make_shared<bool>(false);
  CLI::App* sub = app.add_subcommand(
      "backends", "List the registered chip backends (for run --backend NAME) and what each chip holds");
  sub->add_flag("--json", *json, "Print a JSON array of {name, default, capacities}");
  sub->callback([&action, json] {
    action = [json] {
      nlohmann::json all = nlohmann::json::array();
      for (const std::string& n : BackendRegistry::names()) {
        const Capacities c = BackendRegistry::capacities(n);
        if (*json) {
          all.push_back({{"name", n},
                         {"default", n == "functional"},
                         {"capacities",
                          {{"mesh_width", c.mesh_width},
                           {"mesh_height", c.mesh_height},
                           {"neurons_per_core", c.neurons},
                           {"axons_per_core", c.axons},
                           {"synapses_per_core", c.synapses},
                           {"fanout_per_core", c.fanout},
                           {"profiles_per_core", c.profiles}}}});
          continue;
        }
        std::cout << n << (n == "functional" ? "  (default)" : "") << ": mesh up to " << c.mesh_width << " x "
                  << c.mesh_height << "; per core " << c.neurons << " neurons, " << c.axons << " axons, "
                  << c.synapses << " synapses, " << c.fanout << " fan-out entries, " << c.profiles
                  << " profiles\n";
      }
      if (*json) std::cout << all.dump() << "\n";
      return kExitOk;
    };
  });
}

}  // namespace lifchip::cli
