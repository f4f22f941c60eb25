// `lifchip backends`: the chip models registered in this build (what `--backend NAME` accepts).
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "cli.h"
#include "lifchip/backend.h"

namespace lifchip::cli {

void add_backends_command(CLI::App& app, Action& action) {
  auto json = std::make_shared<bool>(false);
  CLI::App* sub =
      app.add_subcommand("backends", "List the registered chip backends (for run --backend NAME)");
  sub->add_flag("--json", *json, "Print a JSON array of names");
  sub->callback([&action, json] {
    action = [json] {
      const std::vector<std::string> names = BackendRegistry::names();
      if (*json) {
        std::cout << nlohmann::json(names).dump() << "\n";
      } else {
        for (const std::string& n : names) std::cout << n << (n == "functional" ? "  (default)" : "") << "\n";
      }
      return kExitOk;
    };
  });
}

}  // namespace lifchip::cli
