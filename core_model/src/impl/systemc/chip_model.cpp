// The SystemC chip model (see chip_model.h): FIFOs, routers, neuro-cores, the host interface and the
// step barrier, each following the cycle rules of spec §10.
#include "chip_model.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "lifchip/chip_constants.h"
#include "lifchip/image.h"

namespace lifchip::sysc {

namespace s = spec;
using sc_core::sc_time;

namespace {
constexpr std::size_t kDepth = static_cast<std::size_t>(s::ROUTER_BUF_DEPTH);
constexpr int L = static_cast<int>(s::PORT_LOCAL), NO = static_cast<int>(s::PORT_NORTH),
              EA = static_cast<int>(s::PORT_EAST), SO = static_cast<int>(s::PORT_SOUTH),
              WE = static_cast<int>(s::PORT_WEST);

uint32_t pkt_axon(uint32_t f) { return f & ((1u << s::AXON_INDEX_BITS) - 1); }
uint32_t pkt_x(uint32_t f) { return (f >> s::PKT_X_LSB) & ((1u << s::COORD_BITS) - 1); }
uint32_t pkt_y(uint32_t f) { return (f >> s::PKT_Y_LSB) & ((1u << s::COORD_BITS) - 1); }
bool pkt_host(uint32_t f) { return (f >> s::PKT_HOST_BIT) & 1u; }
uint32_t make_pkt(bool host, uint32_t x, uint32_t y, uint32_t axon) {
  return axon | x << s::PKT_X_LSB | y << s::PKT_Y_LSB | uint32_t{host} << s::PKT_HOST_BIT;
}
}  // namespace

// ---------------------------------------------------------------- FlitFifo

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

// ---------------------------------------------------------------- Router

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

// ---------------------------------------------------------------- NeuroCore

NeuroCore::NeuroCore(sc_core::sc_module_name name, Chip& chip) : sc_core::sc_module(name), chip_(chip) {
  SC_METHOD(phase_proc);
  sensitive << phase_ev_;
  dont_initialize();
}

void NeuroCore::end_of_elaboration() { to_router_fifo_ = dynamic_cast<FlitFifo*>(to_router.operator->()); }

void NeuroCore::reset() {
  phase_ = Phase::kIdle;
  phase_ev_.cancel();
  fanout_next = ~Cycle{0};
  dup_pending_ = false;
}

void NeuroCore::start(Cycle t_inj) {
  t_inj_ = t_inj;
  step_spikes = 0;
  step_ops = step_packets = 0;
  phase_ = Phase::kDeliver;
  const Cycle c = chip_.now();
  if (t_inj > c) {
    phase_ev_.notify(chip_.cycles(t_inj - c));
  } else {
    phase_proc();
  }
}

void NeuroCore::eject(uint32_t flit, Cycle cycle) {
  const bool injected = chip_.inject_phase();
  dp.arrive(injected, pkt_axon(flit));
  if (injected) chip_.on_inject_ejected(cycle);
}

// The phases of spec §10.4; each computable stretch is one timed wait.
void NeuroCore::phase_proc() {
  const Cycle c = chip_.now();
  for (;;) {
    chip_.trace_core(index, static_cast<int>(phase_));
    switch (phase_) {
      case Phase::kDeliver: {
        const detail::DeliverResult r = dp.deliver();
        const Cycle d = (dp.A + s::SCAN_BITS_PER_CYCLE - 1) / s::SCAN_BITS_PER_CYCLE + r.events + r.ops +
                        (r.events ? static_cast<Cycle>(s::DELIVER_PIPE) : 0);
        dp.cnt[s::CNT_CYCLES_DELIVER] += d;
        step_phases.deliver = static_cast<uint32_t>(d);
        step_ops = r.ops;
        u0_ = t_inj_ + d;
        phase_ = Phase::kUpdate;
        if (u0_ > c) {
          phase_ev_.notify(chip_.cycles(u0_ - c));
          return;
        }
        break;
      }
      case Phase::kUpdate: {
        step_spikes = dp.update();
        if (!chip_.faults.empty()) {
          chip_.faults.after_update(dp, chip_.timestep);
          step_spikes = static_cast<uint32_t>(dp.spiked.size());
        }
        neuron_end_ = dp.N ? u0_ + dp.N + static_cast<Cycle>(s::NEURON_PIPE) : u0_;
        spike_idx_ = 0;
        while (spike_idx_ < dp.spiked.size() && dp.fan_count[dp.spiked[spike_idx_]] == 0) ++spike_idx_;
        for (uint32_t n : dp.spiked) step_packets += dp.fan_count[n];
        if (spike_idx_ == dp.spiked.size()) {
          u_end_ = neuron_end_;
          phase_ = Phase::kLearn;
          if (u_end_ > c) {
            phase_ev_.notify(chip_.cycles(u_end_ - c));
            return;
          }
          break;
        }
        const uint32_t n = dp.spiked[spike_idx_];
        entry_ = dp.fan_base[n];
        entry_end_ = entry_ + dp.fan_count[n];
        pushed_any_ = false;
        phase_ = Phase::kFanout;
        chip_.schedule_fanout(*this, u0_ + n + static_cast<Cycle>(s::NEURON_PIPE));
        return;
      }
      case Phase::kFanout:
        return;
      case Phase::kLearn: {
        dp.cnt[s::CNT_CYCLES_UPDATE] += u_end_ - u0_;
        step_phases.update = static_cast<uint32_t>(u_end_ - u0_);
        Cycle l = 0;
        if (dp.learning_runs(chip_.learn_en)) {
          const bool weights = dp.weight_pass_runs();
          dp.learn();
          l = dp.A + dp.N + static_cast<Cycle>(s::LEARN_PIPE) + (weights ? dp.A + dp.range_total : 0);
        }
        dp.cnt[s::CNT_CYCLES_LEARN] += l;
        step_phases.learn = static_cast<uint32_t>(l);
        done_ = u_end_ + l;
        phase_ = Phase::kDone;
        if (done_ > c) {
          phase_ev_.notify(chip_.cycles(done_ - c));
          return;
        }
        break;
      }
      case Phase::kDone:
        phase_ = Phase::kIdle;
        chip_.trace_core(index, static_cast<int>(phase_));
        chip_.core_done(done_);
        return;
      case Phase::kIdle:
        return;
    }
  }
}

// The fan-out unit: one entry per cycle into the router's local input FIFO, stalling while it is full.
void NeuroCore::fanout_step(Cycle c) {
  if (to_router_fifo_->occupancy(c) >= kDepth) {
    ++dp.cnt[s::CNT_FANOUT_STALLS];
    fanout_next = c + 1;
    return;
  }
  const uint32_t pkt =
      make_pkt(dp.fan_host[entry_] != 0, dp.fan_x[entry_], dp.fan_y[entry_], dp.fan_axon[entry_]);
  if (dup_pending_) {  // the network's copy of a duplicated packet: no second fan-out read
    to_router_fifo_->push(pkt, c);
    dup_pending_ = false;
  } else {
    using Action = detail::FaultSet::PacketAction;
    const Action action =
        chip_.faults.empty() ? Action::kSend : chip_.faults.packet(dp, chip_.timestep, entry_);
    if (action != Action::kDrop) to_router_fifo_->push(pkt, c);
    ++dp.cnt[s::CNT_PACKETS_SENT];
    ++dp.cnt[s::CNT_FANOUT_MEM_READS];
    if (action == Action::kDuplicate) {
      dup_pending_ = true;
      fanout_next = c + 1;
      return;
    }
  }
  if (++entry_ < entry_end_) {
    fanout_next = c + 1;
    return;
  }
  do ++spike_idx_;
  while (spike_idx_ < dp.spiked.size() && dp.fan_count[dp.spiked[spike_idx_]] == 0);
  if (spike_idx_ < dp.spiked.size()) {
    const uint32_t n = dp.spiked[spike_idx_];
    entry_ = dp.fan_base[n];
    entry_end_ = entry_ + dp.fan_count[n];
    fanout_next = std::max(u0_ + n + static_cast<Cycle>(s::NEURON_PIPE), c + 1);
    return;
  }
  fanout_next = ~Cycle{0};
  u_end_ = std::max(neuron_end_, c + 1);
  phase_ = Phase::kLearn;
  phase_ev_.notify(chip_.cycles(u_end_ - c));
}

// ---------------------------------------------------------------- HostInterface

HostInterface::HostInterface(sc_core::sc_module_name name, Chip& chip)
    : sc_core::sc_module(name), socket("socket"), chip_(chip) {
  socket.register_b_transport(this, &HostInterface::b_transport);
  SC_METHOD(inject_proc);
  sensitive << inject_ev_;
  dont_initialize();
}

void HostInterface::reset() {
  spike_in_.clear();
  spike_out_.clear();
  inject_now_.clear();
  inject_pos_ = 0;
  popped_cycles.clear();
  inject_ev_.cancel();
}

void HostInterface::start_inject() {
  inject_now_.assign(spike_in_.begin(), spike_in_.end());
  spike_in_.clear();
  inject_pos_ = 0;
  if (!inject_now_.empty()) inject_proc();
}

// INJECT (spec §10.4): one input packet per cycle into router (0,0)'s west FIFO while it has room.
void HostInterface::inject_proc() {
  const Cycle c = chip_.now();
  if (to_mesh->occupancy(c) < kDepth) {
    to_mesh->push(inject_now_[inject_pos_++], c);
    ++chip_.chip_counters[s::CNT_CHIP_HOST_IN];
  }
  if (inject_pos_ < inject_now_.size()) inject_ev_.notify(chip_.cycles(1));
}

void HostInterface::eject(uint32_t flit, Cycle cycle) {
  ++chip_.chip_counters[s::CNT_CHIP_HOST_OUT];
  if (spike_out_.size() >= static_cast<std::size_t>(s::HOST_SPIKE_FIFO_DEPTH)) {
    error_ |= static_cast<uint32_t>(s::ERR_SPIKE_OUT_OVERFLOW);
    return;
  }
  spike_out_.push_back({pkt_axon(flit), chip_.timestep, cycle - chip_.step_start()});
}

void HostInterface::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  delay += chip_.cycles(s::HOST_ACCESS_CYCLES);
  const uint64_t addr = trans.get_address();
  if (trans.get_data_length() != 4 || (addr & 3) != 0 || trans.get_byte_enable_ptr() != nullptr) {
    trans.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    return;
  }
  uint32_t* data = reinterpret_cast<uint32_t*>(trans.get_data_ptr());
  bool ok = true;
  if (trans.is_read()) {
    *data = read_reg(static_cast<uint32_t>(addr), ok);
  } else if (trans.is_write()) {
    write_reg(static_cast<uint32_t>(addr), *data, ok);
  }
  if (!ok) error_ |= static_cast<uint32_t>(s::ERR_BUS);
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

uint32_t HostInterface::read_reg(uint32_t addr, bool& ok) {
  const ChipShape& sh = chip_.shape();
  switch (addr) {
    case s::REG_ID:
      return static_cast<uint32_t>(s::REG_ID_VALUE);
    case s::REG_VERSION:
      return static_cast<uint32_t>(s::SPEC_VERSION | s::IMAGE_FORMAT_VERSION << 16);
    case s::REG_CTRL:
      return chip_.learn_en ? 2u : 0u;
    case s::REG_STATUS:
      return uint32_t{chip_.busy()} | uint32_t{chip_.configured()} << 1 | uint32_t{loading_} << 2 |
             uint32_t{spike_in_.size() >= static_cast<std::size_t>(s::HOST_SPIKE_FIFO_DEPTH)} << 3 |
             uint32_t{!spike_out_.empty()} << 4 | uint32_t{error_ != 0} << 5;
    case s::REG_ERROR:
      return error_;
    case s::REG_TIMESTEP:
      return chip_.timestep;
    case s::REG_LOAD_CRC:
      return crc32_words(load_words_.data(), load_words_.size());
    case s::REG_SPIKE_IN_LEVEL:
      return static_cast<uint32_t>(spike_in_.size());
    case s::REG_SPIKE_OUT: {
      if (spike_out_.empty()) return 0;
      const OutEntry e = spike_out_.front();
      spike_out_.pop_front();
      popped_cycles.push_back(e.cycle);
      return e.channel | (e.step & ((1u << 19) - 1)) << 12 | 1u << 31;
    }
    case s::REG_SPIKE_OUT_LEVEL:
      return static_cast<uint32_t>(spike_out_.size());
    case s::REG_CNT_LO: {
      const uint32_t id = cnt_sel_ & 31u, core = (cnt_sel_ >> 5) & 0xFFu;
      uint64_t v = 0;
      if ((cnt_sel_ >> s::CNT_SEL_CHIP_BIT) & 1u) {
        if (id >= s::CNT_CHIP_SLOTS) return ok = false, 0;
        v = chip_.chip_counters[id];
      } else {
        if (!chip_.configured() || core >= sh.num_cores()) return ok = false, 0;
        const uint32_t x = core % sh.width, y = core / sh.width;
        v = chip_.core_at(y * s::MESH_DIM_MAX + x)->dp.cnt[id];
      }
      cnt_hi_ = static_cast<uint32_t>(v >> 32);
      return static_cast<uint32_t>(v);
    }
    case s::REG_CNT_HI:
      return cnt_hi_;
    case s::REG_MEM_DATA: {
      const uint32_t a = mem_sel_ & 0xFFFFu, mem = (mem_sel_ >> 16) & 0xFu, core = (mem_sel_ >> 20) & 0xFFu;
      mem_sel_ = (mem_sel_ & ~0xFFFFu) | ((a + 1) & 0xFFFFu);
      if (!chip_.configured() || core >= sh.num_cores()) return ok = false, 0;
      try {
        return chip_.core_at((core / sh.width) * s::MESH_DIM_MAX + core % sh.width)->dp.read_word(mem, a);
      } catch (const InputError&) {
        return ok = false, 0;
      }
    }
    default:
      return ok = false, 0;
  }
}

void HostInterface::write_reg(uint32_t addr, uint32_t value, bool& ok) {
  switch (addr) {
    case s::REG_CTRL:
      if (value & 1u) {  // SOFT_RESET
        chip_.configure(pb::ChipImage{});
        loading_ = false;
        error_ = 0;
      }
      chip_.learn_en = (value >> 1) & 1u;
      if (value & 4u) chip_.clear_counters();
      return;
    case s::REG_ERROR:
      error_ &= ~value;
      return;
    case s::REG_RUN_STEPS:
      if (!chip_.configured() || chip_.busy()) {
        error_ |= static_cast<uint32_t>(s::ERR_NOT_READY);
        return;
      }
      if (value > 0) chip_.run_steps(value, chip_.cycles(s::HOST_ACCESS_CYCLES));
      return;
    case s::REG_LOAD_CTRL:
      if (value == 1) {
        chip_.configure(pb::ChipImage{});
        load_words_.clear();
        loading_ = true;
        last_error_.clear();
      } else if (value == 2 && loading_) {
        loading_ = false;
        try {
          pb::ChipImage img = decode_flat_stream(load_words_.data(), load_words_.size());
          if (img.checksum() != load_expect_) {
            error_ |= static_cast<uint32_t>(s::ERR_CHECKSUM);
            last_error_ = "image checksum mismatch: stream CRC differs from LOAD_EXPECT";
            return;
          }
          chip_.configure(img);
          spike_in_.clear();
          spike_out_.clear();
          popped_cycles.clear();
        } catch (const InputError& e) {
          error_ |= static_cast<uint32_t>(s::ERR_IMAGE_RANGE);
          last_error_ = e.what();
        }
      } else {
        ok = false;
      }
      return;
    case s::REG_LOAD_DATA:
      if (!loading_) {
        error_ |= static_cast<uint32_t>(s::ERR_NOT_READY);
        return;
      }
      load_words_.push_back(value);
      return;
    case s::REG_LOAD_EXPECT:
      load_expect_ = value;
      return;
    case s::REG_SPIKE_IN: {
      if (!chip_.configured() || chip_.busy()) {
        error_ |= static_cast<uint32_t>(s::ERR_NOT_READY);
        return;
      }
      if (spike_in_.size() >= static_cast<std::size_t>(s::HOST_SPIKE_FIFO_DEPTH)) {
        error_ |= static_cast<uint32_t>(s::ERR_SPIKE_IN_OVERFLOW);
        return;
      }
      const ChipShape& sh = chip_.shape();
      const uint32_t x = pkt_x(value), y = pkt_y(value);
      if (pkt_host(value) || x >= sh.width || y >= sh.height ||
          pkt_axon(value) >= chip_.core_at(y * s::MESH_DIM_MAX + x)->dp.A) {
        ok = false;
        return;
      }
      spike_in_.push_back(value & ((1u << s::PKT_BITS) - 1));
      return;
    }
    case s::REG_CNT_SEL:
      cnt_sel_ = value;
      return;
    case s::REG_MEM_SEL:
      mem_sel_ = value;
      return;
    default:
      ok = false;
      return;
  }
}

// ---------------------------------------------------------------- Chip

uint32_t HostPort::access(uint32_t addr, uint32_t value, bool is_write) {
  tlm::tlm_generic_payload t;
  sc_time delay = sc_core::SC_ZERO_TIME;
  t.set_command(is_write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
  t.set_address(addr);
  t.set_data_ptr(reinterpret_cast<unsigned char*>(&value));
  t.set_data_length(4);
  t.set_streaming_width(4);
  t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  socket->b_transport(t, delay);
  bus_time += delay;
  if (!t.is_response_ok())
    throw std::runtime_error("systemc: host bus error response at address " + std::to_string(addr));
  return value;
}

Chip::Chip(sc_core::sc_module_name name)
    : sc_core::sc_module(name), host("host", *this), host_port("host_port") {
  host_port.socket.bind(host.socket);
  const uint32_t D = static_cast<uint32_t>(s::MESH_DIM_MAX);
  for (uint32_t y = 0; y < D; ++y)
    for (uint32_t x = 0; x < D; ++x) {
      const std::string suffix = "_" + std::to_string(x) + "_" + std::to_string(y);
      routers.push_back(std::make_unique<Router>(("router" + suffix).c_str(), *this, x, y));
      cores.push_back(std::make_unique<NeuroCore>(("core" + suffix).c_str(), *this));
    }
  for (uint32_t y = 0; y < D; ++y)
    for (uint32_t x = 0; x < D; ++x) {
      Router& r = *routers[index(x, y)];
      r.out[L].bind(no_link);
      r.out[NO].bind(y + 1 < D ? static_cast<LinkIf&>(*routers[index(x, y + 1)]->in[SO]) : no_link);
      r.out[SO].bind(y > 0 ? static_cast<LinkIf&>(*routers[index(x, y - 1)]->in[NO]) : no_link);
      r.out[EA].bind(x + 1 < D ? static_cast<LinkIf&>(*routers[index(x + 1, y)]->in[WE]) : no_link);
      r.out[WE].bind(x > 0 ? static_cast<LinkIf&>(*routers[index(x - 1, y)]->in[EA]) : no_link);
      r.to_core.bind(*cores[index(x, y)]);
      if (x == 0 && y == 0) {
        r.to_host.bind(host);
      } else {
        r.to_host.bind(no_link);
      }
      cores[index(x, y)]->to_router.bind(*r.in[L]);
    }
  host.to_mesh.bind(*routers[index(0, 0)]->in[WE]);
  for (uint32_t i = 0; i < routers.size(); ++i) {
    routers[i]->index = cores[i]->index = i;
    routers[i]->counters = &cores[i]->dp.cnt;
  }
  open_trace();
  SC_METHOD(control_proc);
  sensitive << ctrl_ev_;
  dont_initialize();
  SC_METHOD(noc_proc);
  sensitive << noc_tick_;
  dont_initialize();
}

void Chip::schedule_tick(Cycle at) {
  if (next_tick_ != ~Cycle{0} && next_tick_ <= at) return;
  next_tick_ = at;
  noc_tick_.notify(cycles(at - now()));
}

void Chip::on_push(Router& r, Cycle c) {
  ++flits_in_mesh_;
  if (!r.busy_listed) {
    r.busy_listed = true;
    busy_.push_back(&r);
  }
  schedule_tick(c + 1);
}

void Chip::schedule_fanout(NeuroCore& core, Cycle at) {
  core.fanout_next = at;
  fanning_.push_back(&core);
  schedule_tick(at);
}

// The mesh clock: one process activation per cycle clocks every router that holds a flit and every
// fan-out unit with work in this cycle, then sleeps until the next cycle in which one has work.
void Chip::noc_proc() {
  const Cycle c = now();
  next_tick_ = ~Cycle{0};
  const std::size_t n = busy_.size();
  for (std::size_t i = 0; i < n; ++i) busy_[i]->cycle(c);
  for (NeuroCore* core : fanning_)
    if (core->fanout_next == c) core->fanout_step(c);
  std::size_t keep = 0;
  for (Router* r : busy_) {
    if (r->stored() > 0) {
      busy_[keep++] = r;
    } else {
      r->busy_listed = false;
    }
  }
  busy_.resize(keep);
  Cycle next = keep > 0 ? c + 1 : ~Cycle{0};
  keep = 0;
  for (NeuroCore* core : fanning_) {
    if (core->fanout_next == ~Cycle{0}) continue;
    fanning_[keep++] = core;
    next = std::min(next, core->fanout_next);
  }
  fanning_.resize(keep);
  maybe_end_step();
  if (next != ~Cycle{0}) schedule_tick(next);
}

void Chip::trace_steps_from_env(unsigned* first, unsigned* last) {
  const char* path = std::getenv("LIFCHIP_VCD");
  const char* range = std::getenv("LIFCHIP_VCD_STEPS");
  if (!path || !*path || !range) return;
  unsigned a = 0, b = 0;
  char end = 0;
  if (std::sscanf(range, "%u:%u%c", &a, &b, &end) != 2 || a > b)
    throw InputError(std::string("LIFCHIP_VCD_STEPS: '") + range +
                     "' is not first:last (two step numbers, first <= last)");
  if (first) *first = a;
  if (last) *last = b;
}

void Chip::open_trace() {
  const char* path = std::getenv("LIFCHIP_VCD");
  if (!path || !*path) return;
  std::string base = path;
  if (base.size() > 4 && base.compare(base.size() - 4, 4, ".vcd") == 0) base.resize(base.size() - 4);
  trace_steps_from_env(&trace.first, &trace.last);
  trace.file = sc_core::sc_create_vcd_trace_file(base.c_str());
  trace.file->set_time_unit(1, sc_core::SC_NS);
  sc_core::sc_trace(trace.file, trace.timestep, "timestep");
  sc_core::sc_trace(trace.file, trace.inject, "inject_phase");
  sc_core::sc_trace(trace.file, trace.flits, "flits_in_mesh");
  trace.core_phase.assign(cores.size(), 0);
  trace.router_flits.assign(routers.size(), 0);
  for (uint32_t i = 0; i < cores.size(); ++i) {
    const std::string xy = std::to_string(i % s::MESH_DIM_MAX) + "_" + std::to_string(i / s::MESH_DIM_MAX);
    // Phase codes: 0 idle, 1 deliver, 2 update, 3 fan-out, 4 learn, 5 done.
    sc_core::sc_trace(trace.file, trace.core_phase[i], "core_" + xy + ".phase");
    sc_core::sc_trace(trace.file, trace.router_flits[i], "router_" + xy + ".fifo_flits");
  }
  std::atexit([] { sc_core::sc_close_vcd_trace_file(Chip::instance().trace.file); });
}

Chip& Chip::instance() {
  // Elaborated once per process (SystemC cannot elaborate after simulation starts); never freed.
  static Chip* chip = [] {
    auto* c = new Chip("lifchip");
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    return c;
  }();
  return *chip;
}

Cycle Chip::now() const { return (sc_core::sc_time_stamp().value() - epoch_.value()) / period_.value(); }

void Chip::configure(const pb::ChipImage& image) {
  configured_ = image.cores_size() > 0 || image.has_config();
  shape_ = chip_shape(image.config());
  period_ = sc_time(static_cast<double>(std::max<int64_t>(1, std::llround(1e12 / shape_.clock_hz))),
                    sc_core::SC_PS);
  epoch_ = sc_core::sc_time_stamp();
  learn_en = image.learning_enabled();
  timestep = 0;
  faults.clear();
  steps_left_ = 0;
  running_ = inject_phase_ = end_scheduled_ = false;
  ctrl_ev_.cancel();
  figures.clear();
  host.reset();
  active_.clear();
  std::vector<const pb::Core*> by_index(static_cast<std::size_t>(s::MESH_DIM_MAX * s::MESH_DIM_MAX), nullptr);
  for (const pb::Core& c : image.cores()) by_index[index(c.x(), c.y())] = &c;
  for (uint32_t y = 0; y < shape_.height; ++y)
    for (uint32_t x = 0; x < shape_.width; ++x) {
      const uint32_t i = index(x, y);
      active_.push_back(i);
      NeuroCore& core = *cores[i];
      if (by_index[i]) {
        core.dp.build(*by_index[i]);
      } else {
        pb::Core empty;
        empty.set_x(x);
        empty.set_y(y);
        empty.set_lfsr_seed(1);
        core.dp.build(empty);
      }
      core.dp.cnt.fill(0);
      core.reset();
      routers[i]->reset(&core.dp.cnt);
    }
  chip_counters.fill(0);
  flits_in_mesh_ = 0;
  busy_.clear();
  fanning_.clear();
  noc_tick_.cancel();
  next_tick_ = ~Cycle{0};
}

void Chip::clear_counters() {
  for (uint32_t i : active_) cores[i]->dp.cnt.fill(0);
  chip_counters.fill(0);
}

void Chip::run_steps(uint32_t n, sc_time after) {
  steps_left_ = n;
  running_ = true;
  ctrl_next_ = Ctrl::kStart;
  ctrl_ev_.notify(after);
}

void Chip::control_proc() {
  if (ctrl_next_ == Ctrl::kStart) {
    start_step();
    return;
  }
  // BARRIER release: the step ends at this cycle (spec §10.4 step 5).
  const Cycle c = now();
  const Cycle e = c - step_start_;
  StepFigure fig;
  fig.step = timestep;
  fig.cycles = e;
  fig.packets = step_packets_;
  for (uint32_t i : active_) {
    NeuroCore& core = *cores[i];
    core.dp.cnt[s::CNT_CYCLES_WAIT] += c - core.done_cycle();
    core.step_phases.x = core.dp.x;
    core.step_phases.y = core.dp.y;
    core.step_phases.wait = static_cast<uint32_t>(c - core.done_cycle());
    fig.phases.push_back(core.step_phases);
    fig.spikes += core.step_spikes;
    fig.syn_ops += core.step_ops;
    fig.packets += core.step_packets;
    if (!faults.empty()) faults.end_of_step(core.dp, timestep);
    core.dp.end_step();
  }
  figures.push_back(fig);
  ++chip_counters[s::CNT_CHIP_TIMESTEPS];
  chip_counters[s::CNT_CHIP_CYCLES] += e;
  chip_counters[s::CNT_CHIP_INJECT_CYCLES] += t_inj_ - step_start_;
  ++timestep;
  end_scheduled_ = false;
  if (--steps_left_ > 0) {
    start_step();
  } else {
    running_ = false;
  }
}

void Chip::start_step() {
  step_start_ = now();
  if (tracing()) trace.timestep = static_cast<int>(timestep);
  cores_done_ = 0;
  done_max_ = step_start_;
  granted_any_ = false;
  end_scheduled_ = false;
  host.start_inject();
  injected_left_ = host.inject_count();
  step_packets_ = injected_left_;
  if (injected_left_ == 0) {
    inject_phase_ = false;
    all_cores_start(step_start_);
  } else {
    inject_phase_ = true;
  }
  if (tracing()) trace.inject = inject_phase_;
}

void Chip::all_cores_start(Cycle t_inj) {
  t_inj_ = t_inj;
  for (uint32_t i : active_) cores[i]->start(t_inj);
}

void Chip::on_inject_ejected(Cycle c) {
  if (--injected_left_ == 0) {
    inject_phase_ = false;
    if (tracing()) trace.inject = 0;
    all_cores_start(c + 1);
  }
}

void Chip::core_done(Cycle c) {
  ++cores_done_;
  done_max_ = std::max(done_max_, c);
  maybe_end_step();
}

void Chip::maybe_end_step() {
  if (end_scheduled_ || inject_phase_ || cores_done_ < active_.size() || flits_in_mesh_ != 0) return;
  const Cycle mesh_empty = granted_any_ ? last_grant_ + 1 : step_start_;
  const Cycle end =
      std::max(done_max_, mesh_empty) + static_cast<Cycle>(s::BARRIER_BASE) + shape_.width + shape_.height;
  end_scheduled_ = true;
  ctrl_next_ = Ctrl::kEnd;
  ctrl_ev_.notify(cycles(end - now()));
}

}  // namespace lifchip::sysc
