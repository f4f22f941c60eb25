// Test-fault injection (spec §11) shared by the C++ chip models: the armed faults of a chip, applied
// to a core's datapath at the points the spec names, with a record of where each first took effect.
// Both models call the same hooks at the same points of a step, so a fault acts identically in both.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "core_datapath.h"
#include "lifchip/arith.h"
#include "lifchip/backend.h"

namespace lifchip::detail {

class FaultSet {
 public:
  enum class PacketAction { kSend, kDrop, kDuplicate };

  void clear() {
    faults_.clear();
    events_.clear();
    fired_.clear();
  }
  bool empty() const { return faults_.empty(); }
  const std::vector<FaultEvent>& events() const { return events_; }

  /// Arms a fault on `dp` (the core it names); throws InputError naming the field and the limit.
  void arm(const Fault& f, const CoreDatapath& dp, uint32_t timestep) {
    const std::string where = "fault on core (" + std::to_string(f.x) + "," + std::to_string(f.y) + ")";
    auto need = [&](bool ok, const std::string& what) {
      if (!ok) throw InputError(where + ": " + what);
    };
    need(f.step >= timestep,
         "step " + std::to_string(f.step) + " is before the current step " + std::to_string(timestep));
    switch (f.kind) {
      case Fault::Kind::kFlipU:
      case Fault::Kind::kFlipV:
        need(f.bit < spec::STATE_BITS,
             "bit " + std::to_string(f.bit) + " >= " + std::to_string(spec::STATE_BITS));
        [[fallthrough]];
      case Fault::Kind::kStuckFire:
      case Fault::Kind::kStuckSilent:
        need(f.index < dp.N, "neuron " + std::to_string(f.index) + " >= N " + std::to_string(dp.N));
        break;
      case Fault::Kind::kFlipWeight:
        need(f.bit < spec::WEIGHT_BITS,
             "bit " + std::to_string(f.bit) + " >= " + std::to_string(spec::WEIGHT_BITS));
        need(f.index < dp.S, "synapse " + std::to_string(f.index) + " >= S " + std::to_string(dp.S));
        break;
      case Fault::Kind::kDropPacket:
      case Fault::Kind::kDuplicatePacket:
        need(f.index < dp.F, "fan-out entry " + std::to_string(f.index) + " >= F " + std::to_string(dp.F));
        break;
    }
    faults_.push_back(f);
    fired_.push_back(false);
  }

  /// After phase UPDATE of `dp` in `step`: stuck-at neurons (spec §11). Keeps `spiked`, the fired
  /// flags and the SPIKES counter consistent, so fan-out and learning see the forced behaviour.
  void after_update(CoreDatapath& dp, uint32_t step) {
    for (std::size_t i = 0; i < faults_.size(); ++i) {
      const Fault& f = faults_[i];
      if ((f.kind != Fault::Kind::kStuckFire && f.kind != Fault::Kind::kStuckSilent) || !on(f, dp) ||
          step < f.step)
        continue;
      const uint32_t n = f.index, k = dp.uniform ? 0 : n;
      const int32_t old_v = dp.v[n], old_ref = dp.ref[n] & CoreDatapath::kRefMask;
      if (f.kind == Fault::Kind::kStuckFire && !dp.fired(n)) {
        // The profile's own threshold: a read-out neuron's dp.thr only keeps it from firing.
        const int32_t thr = arith::threshold(dp.profiles[dp.profile_of[n]].vth());
        dp.v[n] = dp.rmask[k] ? arith::saturate24(int64_t{dp.v[n]} - thr) : 0;
        dp.ref[n] = dp.refr[k] | CoreDatapath::kFired;
        dp.spiked.insert(std::lower_bound(dp.spiked.begin(), dp.spiked.end(), n), n);
        ++dp.cnt[spec::CNT_SPIKES];
      } else if (f.kind == Fault::Kind::kStuckSilent && dp.fired(n)) {
        dp.ref[n] = 0;  // as if it had not fired: not refractory (it could fire, so ref was 0)
        dp.spiked.erase(std::lower_bound(dp.spiked.begin(), dp.spiked.end(), n));
        --dp.cnt[spec::CNT_SPIKES];
      } else {
        continue;
      }
      const int32_t new_ref = dp.ref[n] & CoreDatapath::kRefMask;
      record(i, step, dp.x, dp.y, n, dp.v[n] != old_v ? "v" : new_ref != old_ref ? "ref" : "spike");
    }
  }

  /// The fate of the packet of fan-out entry `entry` of `dp`, sent in `step`.
  PacketAction packet(const CoreDatapath& dp, uint32_t step, uint32_t entry) {
    for (std::size_t i = 0; i < faults_.size(); ++i) {
      const Fault& f = faults_[i];
      if ((f.kind != Fault::Kind::kDropPacket && f.kind != Fault::Kind::kDuplicatePacket) || fired_[i] ||
          !on(f, dp) || f.index != entry || step < f.step)
        continue;
      const bool host = dp.fan_host[entry] != 0;
      record(i, step, host ? 0 : dp.fan_x[entry], host ? 0 : dp.fan_y[entry], dp.fan_axon[entry],
             host ? "output spikes" : "packets_received");
      return f.kind == Fault::Kind::kDropPacket ? PacketAction::kDrop : PacketAction::kDuplicate;
    }
    return PacketAction::kSend;
  }

  /// True when some packet fault may still act on core `dp` (lets the models keep a fast path).
  bool has_packet_faults(const CoreDatapath& dp) const {
    for (std::size_t i = 0; i < faults_.size(); ++i)
      if ((faults_[i].kind == Fault::Kind::kDropPacket || faults_[i].kind == Fault::Kind::kDuplicatePacket) &&
          !fired_[i] && on(faults_[i], dp))
        return true;
    return false;
  }

  /// At the end of `step` (after LEARN, before the barrier): bit flips in u, v and weights.
  void end_of_step(CoreDatapath& dp, uint32_t step) {
    for (std::size_t i = 0; i < faults_.size(); ++i) {
      const Fault& f = faults_[i];
      if (fired_[i] || f.step != step || !on(f, dp)) continue;
      const uint32_t mask24 = (1u << spec::STATE_BITS) - 1;
      if (f.kind == Fault::Kind::kFlipU) {
        // The 24-bit pattern flipped, then the register's own wrap rule (−2^23 is held as +2^23).
        const int32_t u = arith::wrap24(
            layout::sign_extend((static_cast<uint32_t>(dp.u[f.index]) & mask24) ^ (1u << f.bit), 24));
        if (u != dp.u[f.index]) record(i, step, dp.x, dp.y, f.index, "u");
        dp.u[f.index] = u;
      } else if (f.kind == Fault::Kind::kFlipV) {
        const int32_t v = arith::saturate24(
            layout::sign_extend((static_cast<uint32_t>(dp.v[f.index]) & mask24) ^ (1u << f.bit), 24));
        if (v != dp.v[f.index]) record(i, step, dp.x, dp.y, f.index, "v");
        dp.v[f.index] = v;
      } else if (f.kind == Fault::Kind::kFlipWeight) {
        const uint32_t e = f.index;
        const int32_t w =
            layout::sign_extend((static_cast<uint32_t>(dp.syn_weight[e]) & 0xFFu) ^ (1u << f.bit), 8);
        dp.syn_weight[e] = w;
        dp.set_scaled(e, arith::scale_weight(w, dp.groups[dp.syn_group[e]].weight_exp()));
        record(i, step, dp.x, dp.y, e, "weight");
      }
    }
  }

 private:
  static bool on(const Fault& f, const CoreDatapath& dp) { return f.x == dp.x && f.y == dp.y; }
  void record(std::size_t i, uint32_t step, uint32_t x, uint32_t y, uint32_t index, const char* variable) {
    if (fired_[i]) return;  // only the first activation is the place a comparison must name
    fired_[i] = true;
    events_.push_back(FaultEvent{i, step, x, y, index, variable});
  }

  std::vector<Fault> faults_;
  std::vector<FaultEvent> events_;
  std::vector<bool> fired_;
};

}  // namespace lifchip::detail
