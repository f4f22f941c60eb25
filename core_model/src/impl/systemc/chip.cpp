// See chip.h.
#include "chip.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "lifchip/image.h"

namespace lifchip::sysc {

using sc_core::sc_time;

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
