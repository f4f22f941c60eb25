// The SystemC chip model's shared vocabulary (spec §6, §10.2): the cycle type, the router ports,
// the flit fields, and the two interfaces a flit crosses — a link into a neighbour's input FIFO and
// an ejection into a core's axons or the host output FIFO. One module per file, each named after its
// RTL twin: fifo (lifchip_fifo.sv), router (lifchip_router.sv), neuro_core (lifchip_core.sv),
// host_if (lifchip_host_if.sv), chip (lifchip_top.sv). The cycle counts they follow are the
// generated constants of spec §10 (lifchip/chip_constants.h), nowhere else.
#pragma once

#include <systemc>

#include <cstddef>
#include <cstdint>

#include "lifchip/chip_constants.h"

namespace lifchip::sysc {

namespace s = spec;

using Cycle = uint64_t;
inline constexpr int kPorts = static_cast<int>(spec::ROUTER_PORTS);

class Chip;

/// The receiving side of a router output: a neighbour's input FIFO.
struct LinkIf : virtual sc_core::sc_interface {
  /// Occupancy at the start of cycle `c` (spec §10.2), whatever was pushed or popped during `c`.
  virtual std::size_t occupancy(Cycle c) const = 0;
  /// A push in cycle `c`: the flit is in the FIFO from the start of cycle c + 1.
  virtual void push(uint32_t flit, Cycle c) = 0;
};

/// Where ejected flits go: a core's axons or the host output FIFO.
struct EjectIf : virtual sc_core::sc_interface {
  virtual void eject(uint32_t flit, Cycle cycle) = 0;
};

class Router;
class NeuroCore;

// Port indices and flit fields (spec §6).
inline constexpr std::size_t kDepth = static_cast<std::size_t>(s::ROUTER_BUF_DEPTH);
inline constexpr int L = static_cast<int>(s::PORT_LOCAL), NO = static_cast<int>(s::PORT_NORTH),
              EA = static_cast<int>(s::PORT_EAST), SO = static_cast<int>(s::PORT_SOUTH),
              WE = static_cast<int>(s::PORT_WEST);

inline uint32_t pkt_axon(uint32_t f) { return f & ((1u << s::AXON_INDEX_BITS) - 1); }
inline uint32_t pkt_x(uint32_t f) { return (f >> s::PKT_X_LSB) & ((1u << s::COORD_BITS) - 1); }
inline uint32_t pkt_y(uint32_t f) { return (f >> s::PKT_Y_LSB) & ((1u << s::COORD_BITS) - 1); }
inline bool pkt_host(uint32_t f) { return (f >> s::PKT_HOST_BIT) & 1u; }
inline uint32_t make_pkt(bool host, uint32_t x, uint32_t y, uint32_t axon) {
  return axon | x << s::PKT_X_LSB | y << s::PKT_Y_LSB | uint32_t{host} << s::PKT_HOST_BIT;
}

}  // namespace lifchip::sysc
