// The one bindings file (docs/cli.md, "Bindings"): how the host talks to a mapped network. `map
// --bindings` writes it; `encode --binding` reads its inputs, `decode --bindings` its outputs and
// latency, `evaluate --image --bindings` all of it.
#pragma once

#include <string>
#include <vector>

#include "lifchip/mapper/map.h"

namespace lifchip::flow {

/// What a bindings file holds: the mapped network's host side, and the dt and reset mode it was
/// mapped with (so the float reference can be run beside a stored image).
struct Bindings {
  mapper::InputBinding input;
  mapper::OutputBinding output;
  double dt = 0;
  pb::ResetMode reset_mode = pb::RESET_ZERO;
};

inline constexpr const char* kBindingsFormat = "lifchip-bindings-1";

/// The JSON document (`"format": "lifchip-bindings-1"`), two-space indented, with a final newline.
std::string bindings_json(const mapper::MapResult& mapped);
/// Parses a bindings document; throws InputError naming `name` and the field on anything malformed.
Bindings parse_bindings(const std::string& json_text, const std::string& name);
/// True when the text is a bindings document (has "input_targets"): what `encode --binding` checks
/// to tell it from a hand-written channel binding.
bool is_bindings_document(const std::string& json_text);

/// How a per-step network response becomes one class (`--decode`): kCount the largest sum over
/// steps, kMean the largest mean (the same class as kCount), kMax the largest value at any step,
/// kLast the largest value at the last step, kFirst the output that first differs from its bias
/// (the largest at that step). Ties: the lowest index. -1: no steps, or (kFirst) no output moved.
enum class ResponseDecode { kCount, kMean, kMax, kLast, kFirst };
ResponseDecode parse_response_decode(const std::string& name);  // InputError listing the names
/// `name`, or for "auto" what suits the outputs: "count" for spike outputs, "max" (over time) when
/// they include LI/CubaLI read-outs. The front ends' default.
std::string auto_decode(const std::string& name, const mapper::OutputBinding& output);
const char* response_decode_name(ResponseDecode d);
/// `bias`: the outputs' value on a step without spikes (OutputBinding::bias; empty = zeros), for kFirst.
int decode_response(const mapper::NetworkResponse& response, ResponseDecode method,
                    const std::vector<double>& bias = {});

}  // namespace lifchip::flow
