// Router input FIFO and the mesh-edge stub (twin of rtl/lifchip_fifo.sv), spec §10.2.
#pragma once

#include <array>
#include <deque>

#include "flit.h"

namespace lifchip::sysc {

/// A router input FIFO with synchronous semantics. Each entry carries the cycle from which it is
/// visible and the FIFO remembers the cycle of its last push and pop, so every reader sees the
/// start-of-cycle contents whatever order the blocks of a cycle are evaluated in.
class FlitFifo : public sc_core::sc_object, public LinkIf {
 public:
  FlitFifo(const char* name, Chip& chip, Router& owner)
      : sc_core::sc_object(name), chip_(chip), owner_(owner) {}
  std::size_t occupancy(Cycle c) const override {
    return count_ + (popped_at_ == c ? 1 : 0) - (pushed_at_ == c ? 1 : 0);
  }
  void push(uint32_t flit, Cycle c) override;
  /// True when a flit is at the head at the start of cycle c.
  bool ready(Cycle c) const { return count_ > 0 && buf_[head_].visible <= c; }
  uint32_t head() const { return buf_[head_].flit; }
  void pop(Cycle c) {
    head_ = (head_ + 1) % buf_.size();
    --count_;
    popped_at_ = c;
  }
  std::size_t stored() const { return count_; }
  void clear() { head_ = count_ = 0, pushed_at_ = popped_at_ = ~Cycle{0}; }

 private:
  struct Entry {
    uint32_t flit;
    Cycle visible;
  };
  Chip& chip_;
  Router& owner_;
  std::array<Entry, spec::ROUTER_BUF_DEPTH> buf_{};
  std::size_t head_ = 0, count_ = 0;
  Cycle pushed_at_ = ~Cycle{0}, popped_at_ = ~Cycle{0};
};

/// Binds router outputs at the mesh edge; XY routing never uses them.
class NoLink : public sc_core::sc_object, public LinkIf, public EjectIf {
 public:
  NoLink() : sc_core::sc_object("no_link") {}
  std::size_t occupancy(Cycle) const override { return 0; }
  void push(uint32_t, Cycle) override;
  void eject(uint32_t, Cycle) override;
};

}  // namespace lifchip::sysc
