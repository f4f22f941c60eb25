// Memory word layouts of spec §9.2: the one encoder of each word, used by the flat image stream and
// by every backend's MEM_SEL read window.
#include "lifchip/chip_constants.h"
#include "lifchip/image.h"

namespace lifchip::layout {

namespace {
uint32_t field(int64_t value, unsigned bits, unsigned lsb) {
  const uint64_t mask = (uint64_t{1} << bits) - 1;
  return static_cast<uint32_t>((static_cast<uint64_t>(value) & mask) << lsb);
}
}  // namespace

uint32_t profile_word0(const pb::Profile& p) {
  return field(p.du(), 12, 0) | field(p.dv(), 12, 12) | field(p.reset_mode(), 1, 24) | field(p.refractory(), 6, 25) |
         field(p.readout() ? 1 : 0, 1, spec::PROFILE_READOUT_BIT);
}
uint32_t profile_word1(const pb::Profile& p) { return field(p.vth(), 17, 0) | field(p.bias_exp(), 4, 17); }
uint32_t group_word(const pb::SynapseGroup& g) {
  return field(g.weight_exp(), 4, 0) | field(g.plastic() ? 1 : 0, 1, 4) | field(g.lr_pot_shift(), 4, 5) |
         field(g.lr_dep_shift(), 4, 9) | field(g.w_min(), 8, 13) | field(g.w_max(), 8, 21);
}
uint32_t neuron_cfg_word0(uint32_t profile, int32_t bias_mant) {
  return field(profile, 4, 0) | field(bias_mant, 13, 4);
}
uint32_t neuron_cfg_word1(uint32_t fanout_base, uint32_t fanout_count) {
  return field(fanout_base, 14, 0) | field(fanout_count, 14, 14);
}
uint32_t u_word(int32_t u) { return field(u, 25, 0); }
uint32_t v_word(int32_t v) { return field(v, 24, 0); }
uint32_t axon_word(uint32_t syn_base, uint32_t syn_count) { return field(syn_base, 16, 0) | field(syn_count, 16, 16); }
uint32_t synapse_word(uint32_t neuron, int32_t weight, uint32_t group) {
  return field(neuron, 10, 0) | field(weight, 8, 10) | field(group, 3, 18);
}
uint32_t fanout_word(bool to_host, uint32_t x, uint32_t y, uint32_t axon) {
  return field(axon, 12, 0) | field(x, 4, 12) | field(y, 4, 16) | field(to_host ? 1 : 0, 1, 20);
}
int32_t sign_extend(uint32_t word, unsigned bits) {
  const uint32_t mask = bits >= 32 ? ~0u : ((1u << bits) - 1);
  const uint32_t v = word & mask;
  const uint32_t sign = 1u << (bits - 1);
  return static_cast<int32_t>(static_cast<int64_t>(v ^ sign) - static_cast<int64_t>(sign));
}

}  // namespace lifchip::layout
