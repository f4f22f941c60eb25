// NIR neuron nodes: each becomes one population of the IR. The table of a type names its NIR fields,
// their defaults and which NeuronParams member each fills (docs/nir.md §3 gives the equations).
#include "translator.h"

namespace lifchip::mapper::nir {
namespace {

using P = NeuronParams;
constexpr std::nullopt_t kRequired = std::nullopt;

NodeTranslator neuron(const char* type, int listing, NeuronKind kind, std::vector<NeuronField> params,
                      bool spikes = true) {
  NodeTranslator t;
  t.type = type;
  t.family = Family::kNeuron;
  t.listing = listing;
  t.kind = kind;
  t.params = std::move(params);
  t.spikes = spikes;
  return t;
}

// v_reset defaults to 0 and w_in to 1 (absent from NIR 0.1 files); the defaults note lists them.
const TranslatorRegistration kLIF(neuron("LIF", 110, NeuronKind::kLIF,
                                         {{"tau", kRequired, true, &P::tau_mem},
                                          {"r", kRequired, false, &P::r},
                                          {"v_leak", kRequired, false, &P::v_leak},
                                          {"v_threshold", kRequired, false, &P::v_threshold},
                                          {"v_reset", 0.0, false, &P::v_reset}}));

const TranslatorRegistration kCubaLIF(neuron("CubaLIF", 120, NeuronKind::kCubaLIF,
                                             {{"tau_syn", kRequired, true, &P::tau_syn},
                                              {"tau_mem", kRequired, true, &P::tau_mem},
                                              {"r", kRequired, false, &P::r},
                                              {"v_leak", kRequired, false, &P::v_leak},
                                              {"v_threshold", kRequired, false, &P::v_threshold},
                                              {"v_reset", 0.0, false, &P::v_reset},
                                              {"w_in", 1.0, false, &P::w_in}}));

const TranslatorRegistration kIF(neuron("IF", 130, NeuronKind::kIF,
                                        {{"r", kRequired, false, &P::r},
                                         {"v_threshold", kRequired, false, &P::v_threshold},
                                         {"v_reset", 0.0, false, &P::v_reset}}));

// LI has no threshold: its output is its membrane potential, not spikes.
const TranslatorRegistration kLI(neuron("LI", 140, NeuronKind::kLI,
                                        {{"tau", kRequired, true, &P::tau_mem},
                                         {"r", kRequired, false, &P::r},
                                         {"v_leak", kRequired, false, &P::v_leak}},
                                        false));

// CubaLI (NIR 1.0): CubaLIF's current and voltage without the threshold, also a read-out.
const TranslatorRegistration kCubaLI(neuron("CubaLI", 150, NeuronKind::kCubaLI,
                                            {{"tau_syn", kRequired, true, &P::tau_syn},
                                             {"tau_mem", kRequired, true, &P::tau_mem},
                                             {"r", kRequired, false, &P::r},
                                             {"v_leak", kRequired, false, &P::v_leak},
                                             {"w_in", 1.0, false, &P::w_in}},
                                            false));

}  // namespace
}  // namespace lifchip::mapper::nir
