// Producer conventions that the importer must apply to the parameters themselves, because NIR's
// equations at no dt reproduce what the producer meant (docs/nir.md §5). The conventions that only
// imply a dt are dt_rule.cpp's.
#pragma once

#include <optional>
#include <string>

#include "lifchip/mapper/ir.h"
#include "lifchip/mapper/pass.h"

namespace lifchip::mapper::nir {

/// Lava-DL's netx export (lava_dl.cpp): when every neuron population has its form, rewrites the
/// CubaLIF parameters into NIR's equations at one step per time unit, sets net.dt = 1, notes it in
/// `report` and returns true; else leaves the network alone and returns false.
bool read_lava_dl(Network& net, ReportSection& report);

/// A network whose parameters an importer read by a producer's own convention: who, and the rule
/// that fixed its dt (for choose_dt's report).
struct ProducerReading {
  std::string producer, rule;
};
/// What read_lava_dl leaves (dt = 1; every neuron CubaLIF with w_in = tau_syn, r = tau_mem, 4096/tau
/// an integer decay 1..4096, v_leak = v_reset = 0, an integer threshold), else nullopt.
std::optional<ProducerReading> producer_reading(const Network& net);

}  // namespace lifchip::mapper::nir
