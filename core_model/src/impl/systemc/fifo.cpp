// See fifo.h.
#include "fifo.h"

#include <stdexcept>

#include "chip.h"

namespace lifchip::sysc {

using sc_core::sc_time;

void FlitFifo::push(uint32_t flit, Cycle c) {
  if (occupancy(c) >= kDepth || pushed_at_ == c)
    throw std::logic_error(std::string(name()) + ": push beyond the spec's FIFO rules");
  buf_[(head_ + count_) % buf_.size()] = {flit, c + 1};
  ++count_;
  pushed_at_ = c;
  ++(*owner_.counters)[s::CNT_ROUTER_FLITS_IN];
  chip_.on_push(owner_, c);
}

void NoLink::push(uint32_t, Cycle) { throw std::logic_error("XY routing left the mesh"); }
void NoLink::eject(uint32_t, Cycle) {
  throw std::logic_error("XY routing ejected at a port with no receiver");
}

}  // namespace lifchip::sysc
