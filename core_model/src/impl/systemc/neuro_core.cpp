// See neuro_core.h.
#include "neuro_core.h"

#include <algorithm>

#include "chip.h"

namespace lifchip::sysc {

using sc_core::sc_time;

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

}  // namespace lifchip::sysc
