// See router.h.
#include "router.h"

#include "chip.h"

namespace lifchip::sysc {

using sc_core::sc_time;

Router::Router(sc_core::sc_module_name name, Chip& chip, uint32_t x, uint32_t y)
    : sc_core::sc_module(name), chip_(chip), x_(x), y_(y) {
  static const char* kNames[kPorts] = {"in_l", "in_n", "in_e", "in_s", "in_w"};
  for (int i = 0; i < kPorts; ++i) {
    in[i] = std::make_unique<FlitFifo>(kNames[i], chip, *this);
    fifo_[i] = in[i].get();
  }
}

void Router::end_of_elaboration() {
  for (int o = 0; o < kPorts; ++o) {
    link_[o] = out[o].operator->();
    next_[o] = dynamic_cast<FlitFifo*>(link_[o]);
  }
  core_model_ = dynamic_cast<NeuroCore*>(to_core.operator->());
  core_ = to_core.operator->();
  host_ = to_host.operator->();
}

void Router::reset(CoreCounterArray* c) {
  counters = c;
  for (auto& f : in) f->clear();
  rr_.fill(0);
  busy_listed = false;
}

std::size_t Router::stored() const {
  std::size_t n = 0;
  for (const auto& f : in) n += f->stored();
  return n;
}

// One cycle of spec §10.3: requests from the start-of-cycle FIFO heads, readiness from the
// start-of-cycle occupancy downstream, round-robin grants; effects land at the next cycle.
void Router::cycle(Cycle c) {
  const bool origin = x_ == 0 && y_ == 0;
  int8_t want[kPorts];
  uint32_t requested = 0;  // bit o: some input requests output o
  for (int i = 0; i < kPorts; ++i) {
    want[i] = -1;
    if (!fifo_[i]->ready(c)) continue;
    const uint32_t f = fifo_[i]->head();
    const bool host = pkt_host(f);
    const uint32_t dx = host ? 0 : pkt_x(f), dy = host ? 0 : pkt_y(f);
    want[i] = static_cast<int8_t>(dx > x_   ? EA
                                  : dx < x_ ? WE
                                  : dy > y_ ? NO
                                  : dy < y_ ? SO
                                            : (host ? WE : L));
    requested |= 1u << want[i];
  }
  if (!requested) return;
  uint32_t granted = 0, grants = 0;
  for (int o = 0; requested >> o; ++o) {
    if (!((requested >> o) & 1u)) continue;
    const bool to_host = o == WE && origin;
    if (o != L && !to_host && next_[o]->occupancy(c) >= kDepth) continue;
    int i = rr_[o];
    while (want[i] != o) i = i + 1 == kPorts ? 0 : i + 1;
    rr_[o] = static_cast<uint8_t>(i + 1 == kPorts ? 0 : i + 1);
    granted |= 1u << i;
    ++grants;
    FlitFifo* fifo = fifo_[i];
    const uint32_t f = fifo->head();
    fifo->pop(c);
    ++(*counters)[s::CNT_LINK_LOCAL + o];
    if (o == L) {
      core_model_->eject(f, c);
    } else if (to_host) {
      host_->eject(f, c);
    } else {
      next_[o]->push(f, c);
    }
  }
  for (int i = 0; i < kPorts; ++i)
    if (want[i] >= 0 && !((granted >> i) & 1u)) ++(*counters)[s::CNT_ROUTER_BLOCKED];
  if (chip_.tracing()) chip_.trace_router(index, static_cast<int>(stored()));
  chip_.on_grants(c, grants);
}

}  // namespace lifchip::sysc
