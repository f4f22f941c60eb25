// lifchip: the command-line entry point. Parses the subcommands with CLI11 and turns every failure
// into one line on stderr and an exit code (0 ok, 1 bad input, 2 usage, 3 internal error).
#include <google/protobuf/stubs/logging.h>

#include <cstdlib>
#include <iostream>
#include <new>
#include <string>

#include "cli.h"
#include "lifchip/chip_constants.h"

#ifndef LIFCHIP_VERSION
#define LIFCHIP_VERSION "0.1.0"
#endif

namespace {

using namespace lifchip::cli;

// One line, whatever the message holds: scripts grep stderr and people read the first line.
std::string one_line(std::string msg) {
  for (char& c : msg)
    if (c == '\n' || c == '\r') c = ' ';
  while (!msg.empty() && msg.back() == ' ') msg.pop_back();
  return msg;
}

// Protobuf logs parse problems itself; we report them as InputError lines, so only fatal logs pass.
void protobuf_log(google::protobuf::LogLevel level, const char* file, int line, const std::string& message) {
  if (level == google::protobuf::LOGLEVEL_FATAL)
    std::cerr << "lifchip: internal error: protobuf " << file << ":" << line << ": " << message << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  // The SystemC kernel prints a banner on stdout; it would corrupt --json output.
  ::setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  google::protobuf::SetLogHandler(protobuf_log);

  CLI::App app{
      "lifchip: a multi-core fixed-point LIF neuromorphic chip (Loihi-1 CUBA-LIF with STDP), its "
      "models and its toolchain.\nFormats: docs/formats.md; chip: docs/spec.md.",
      "lifchip"};
  app.set_version_flag("--version", std::string("lifchip ") + LIFCHIP_VERSION + " (chip spec " +
                                        std::to_string(lifchip::spec::SPEC_VERSION) + ", image format " +
                                        std::to_string(lifchip::spec::IMAGE_FORMAT_VERSION) + ")");
  app.require_subcommand(1);
  app.failure_message([](const CLI::App*, const CLI::Error& e) {
    return "lifchip: usage error: " + one_line(e.what()) +
           "\nRun 'lifchip --help' (or 'lifchip COMMAND --help').\n";
  });

  Action action;
  // In the order of the flow: import, fit, map, encode, run, estimate, compare, report, demo; then the tools.
  add_map_commands(app, action);
  add_encode_commands(app, action);
  add_run_command(app, action);
  add_estimate_command(app, action);
  add_compare_command(app, action);
  add_evaluate_command(app, action);
  add_report_command(app, action);
  add_demo_command(app, action);
  add_regress_command(app, action);
  add_image_commands(app, action);
  add_backends_command(app, action);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }
  if (!action) {  // a command group (e.g. `lifchip image`) without its subcommand
    std::cerr << "lifchip: usage error: a subcommand is required\nRun 'lifchip --help'.\n";
    return kExitUsage;
  }
  try {
    return action();
  } catch (const lifchip::InputError& e) {
    std::cerr << "lifchip: error: " << one_line(e.what()) << "\n";
    return kExitBadInput;
  } catch (const std::bad_alloc&) {
    std::cerr << "lifchip: internal error: out of memory\n";
    return kExitInternal;
  } catch (const std::exception& e) {
    std::cerr << "lifchip: internal error: " << one_line(e.what()) << "\n";
    return kExitInternal;
  }
}
