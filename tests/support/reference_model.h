// A deliberately naive reference model of docs/spec.md, written from the spec text alone: plain
// structs, one loop per phase, every packet routed hop by hop. A test oracle, not a product backend
// (it is not registered; construct it directly). Speed does not matter; obviousness does.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "lifchip/backend.h"

namespace lifchip::test {

class ReferenceBackend : public Backend {
 public:
  /// How often the boundary behaviours of spec §2 and §4 happened since load: lets tests prove that
  /// a generated network really reaches them.
  struct Coverage {
    uint64_t u_wrap_high = 0;  // u1 > 2^23 wrapped down
    uint64_t u_wrap_low = 0;   // u1 <= -2^23 wrapped up
    uint64_t u_plus_2_23 = 0;  // u ended exactly at +2^23
    uint64_t v_sat_high = 0;
    uint64_t v_sat_low = 0;
    uint64_t a_in_sat = 0;           // acc outside the 18-bit range
    uint64_t acc_wrap = 0;           // the 32-bit accumulator differed from the exact sum
    uint64_t spikes_subtract = 0;    // spikes of RESET_SUBTRACT neurons
    uint64_t refractory_holds = 0;   // updates that ended in step 2 of §2.4
    uint64_t readout_above_threshold = 0;  // read-out updates with v above vth << 6 (no spike, §2.6)
    uint64_t weight_clamps = 0;      // STDP results clamped to w_min or w_max
    uint64_t trace_saturations = 0;  // impulses that hit TRACE_MAX
    uint64_t host_outputs = 0;
  };

  std::string name() const override { return "reference"; }
  void load(const pb::ChipImage& image) override;
  void set_learning(bool enabled) override { learn_en_ = enabled; }
  void inject(const std::vector<InputSpike>& spikes) override;
  void step(uint32_t n) override;
  std::vector<OutputSpike> drain() override;
  CounterSet counters() const override;
  void clear_counters() override;
  uint32_t timestep() const override { return timestep_; }
  uint32_t read_word(uint32_t x, uint32_t y, uint32_t mem, uint32_t addr) const override;
  std::vector<StepFigure> take_step_figures() override;

  const Coverage& coverage() const { return coverage_; }

 private:
  struct Profile {
    uint32_t du = 0, dv = 0, vth = 0;
    int32_t bias_exp = 0;
    bool subtract = false;
    uint32_t refractory = 0;
    bool readout = false;
  };
  struct Group {
    int32_t weight_exp = 0;
    bool plastic = false;
    uint32_t lr_pot_shift = 0, lr_dep_shift = 0;
    int32_t w_min = -128, w_max = 127;
  };
  struct Neuron {
    uint32_t profile = 0;
    int32_t bias_mant = 0;
    uint32_t fanout_base = 0, fanout_count = 0;
    int64_t u = 0, v = 0;
    uint32_t ref = 0;
    uint32_t acc = 0;       // 32-bit two's complement accumulator
    int64_t exact_sum = 0;  // the same sum without the wrap (coverage only)
    uint32_t post_trace = 0;
    bool spiked = false;  // in this step's update phase
  };
  struct Axon {
    uint32_t syn_base = 0, syn_count = 0;
    bool pending_current = false, pending_next = false;
    bool delivered = false;  // in this step's delivery phase
    uint32_t pre_trace = 0;
  };
  struct Synapse {
    uint32_t neuron = 0;
    int32_t weight = 0;
    uint32_t group = 0;
  };
  struct Fanout {
    bool to_host = false;
    uint32_t x = 0, y = 0, axon = 0;
  };
  struct Core {
    bool in_image = false;
    std::vector<Profile> profiles;
    std::vector<pb::Profile> profile_msgs;  // for the MEM window encoders
    std::array<Group, 8> groups{};
    std::array<pb::SynapseGroup, 8> group_msgs{};
    uint32_t pre_decay = 0, post_decay = 0, pre_impulse = 0, post_impulse = 0;
    uint32_t lfsr = 1;
    std::vector<Neuron> neurons;
    std::vector<Axon> axons;
    std::vector<Synapse> synapses;
    std::vector<Fanout> fanouts;
    std::array<uint64_t, 32> counters{};
  };

  Core& core_at(uint32_t x, uint32_t y) { return cores_[y * width_ + x]; }
  const Core* find_core(uint32_t x, uint32_t y) const;
  uint32_t draw(Core& c);
  void route(uint32_t from_x, uint32_t from_y, bool to_host, uint32_t dest_x, uint32_t dest_y, uint32_t axon,
             bool from_host_input);
  void run_one_step();
  void deliver(Core& c);
  void update(Core& c, uint32_t cx, uint32_t cy);
  void learn(Core& c);

  uint32_t width_ = 0, height_ = 0;
  std::vector<Core> cores_;  // every mesh position, index y * width + x
  bool learn_en_ = false;
  bool loaded_ = false;
  uint32_t timestep_ = 0;
  std::vector<InputSpike> queued_;  // host inputs not yet injected, in inject order
  std::vector<OutputSpike> outputs_;
  std::array<uint64_t, 8> chip_counters_{};
  std::vector<StepFigure> figures_;
  StepFigure current_figure_;
  Coverage coverage_;
};

}  // namespace lifchip::test
