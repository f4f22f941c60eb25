// What the CLI and the Python module share beyond the flow's big steps: the map options as users
// spell them (mesh "auto" | "WxH", dt "auto" | seconds, reset "zero" | "subtract"), sample inputs
// checked against a network, the counters' names, an estimate as JSON, and two backends compared on
// one image through the firmware. One definition each, so both front ends say the same thing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lifchip/flow/energy.h"
#include "lifchip/for_file.h"
#include "lifchip/flow/evaluate.h"
#include "lifchip/mapper/map.h"

namespace lifchip::flow {

using lifchip::for_file;  // lifchip/for_file.h

/// Throws an InputError naming `path` when it is a directory (the library would report it as an
/// empty file). Missing files are left to the readers, whose message names the system error.
void reject_directory(const std::string& path);

/// A network file imported, with the import's report section.
struct NetworkFile {
  std::string path;
  mapper::Network network;
  mapper::Report import_report;
};
/// Imports `path` (InputError naming it). `readouts`: populations to read out (`--readout NAME`,
/// mapper::make_readout), each noted in the import report; the float reference sees them too.
NetworkFile load_network_file(const std::string& path, const std::vector<std::string>& readouts = {});
/// Maps it as `lifchip map` does: the sample inputs checked against the network (naming
/// `samples_name`), the image named after the file unless options.image_name is set, the import's
/// report sections in front of the map's.
mapper::MapResult map_network_file(const NetworkFile& file, mapper::MapOptions options,
                                   const std::string& samples_name);

/// `text` "auto" or "WxH" into options.mesh_width/height; InputError "option 'NAME': ..." otherwise.
void parse_mesh_option(const std::string& text, mapper::MapOptions& options,
                       const std::string& name = "--mesh");
/// `text` "auto" (unset) or a time step in seconds into options.dt.
void parse_dt_option(const std::string& text, mapper::MapOptions& options, const std::string& name = "--dt");
/// "zero" | "subtract".
pb::ResetMode parse_reset_option(const std::string& text, const std::string& name = "--reset");

/// Every sample spike must address one of the network's `inputs`; InputError naming `samples_name`,
/// the sample, the step and `network_name` otherwise.
void check_sample_inputs(const std::vector<mapper::NetworkStimulus>& samples, uint64_t inputs,
                         const std::string& samples_name, const std::string& network_name);

/// The spec §8 name of a per-core counter id in lower case ("syn_ops"), or "" for an unused slot.
std::string core_counter_name(uint32_t id);
/// The name of a chip counter slot ("host_in"), or "" for an unused slot.
std::string chip_counter_name(uint32_t id);

/// An estimate as the JSON document of `lifchip estimate --json` (docs/cli.md).
nlohmann::json estimate_json(const Estimate& e);

/// What is likely wrong with an evaluation, said once (`lifchip evaluate` prints them on stderr).
std::vector<std::string> evaluation_warnings(const Agreement& a);
/// The JSON document of `lifchip evaluate --json` (docs/cli.md): `network` and `inputs` name the files.
nlohmann::json evaluation_json(const Evaluation& ev, const mapper::MapResult& mapped, const Estimate& e,
                               const std::string& network, const std::string& inputs,
                               const std::string& backend, const std::string& decode,
                               const std::vector<std::string>& warnings);

/// Two backends run through the firmware on one image (`lifchip compare`): the first divergence,
/// or identical; `stopped` says when both runs agree but stopped with a firmware or chip error (a
/// failure, never "identical").
struct BackendComparison {
  bool identical = true;  // no divergence and no stop
  bool diverged = false;
  uint32_t step = 0;
  int x = -1, y = -1;
  std::string kind, variable, phase, a, b, text;
  int64_t index = -1;
  std::string stopped;
};
struct CompareSpec {
  uint32_t steps = 0;
  std::vector<InputSpike> stimuli;
  int learning = -1;  // -1: the image's; 0 off; 1 on
  bool memory_every_step = true;
  std::vector<std::string> faults;  // armed in the second backend (KIND@STEP:X,Y:INDEX[:BIT])
};
BackendComparison compare_backends(const pb::ChipImage& image, const CompareSpec& spec, const std::string& a,
                                   const std::string& b);

}  // namespace lifchip::flow
