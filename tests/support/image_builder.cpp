// ImageBuilder: lays out test images (see image_builder.h).
#include "support/image_builder.h"

namespace lifchip::test {

ImageBuilder::ImageBuilder(uint32_t width, uint32_t height) {
  image_.set_name("test");
  image_.mutable_config()->set_mesh_width(width);
  image_.mutable_config()->set_mesh_height(height);
}

ImageBuilder::CoreDraft& ImageBuilder::draft(uint32_t x, uint32_t y) {
  auto [it, inserted] = cores_.try_emplace({y, x});
  if (inserted) {
    it->second.core.set_x(x);
    it->second.core.set_y(y);
    it->second.core.set_lfsr_seed(1);
  }
  return it->second;
}

uint32_t ImageBuilder::profile(uint32_t x, uint32_t y, uint32_t du, uint32_t dv, uint32_t vth, int32_t bias_exp,
                               bool subtract, uint32_t refractory) {
  pb::Core& c = draft(x, y).core;
  pb::Profile* p = c.add_profiles();
  p->set_du(du);
  p->set_dv(dv);
  p->set_vth(vth);
  p->set_bias_exp(bias_exp);
  p->set_reset_mode(subtract ? pb::RESET_SUBTRACT : pb::RESET_ZERO);
  p->set_refractory(refractory);
  return static_cast<uint32_t>(c.profiles_size() - 1);
}

uint32_t ImageBuilder::neuron(uint32_t x, uint32_t y, uint32_t profile, int32_t bias_mant, int32_t u, int32_t v) {
  CoreDraft& d = draft(x, y);
  d.core.add_neuron_profile(profile);
  d.core.add_neuron_bias_mant(bias_mant);
  d.core.add_neuron_u(u);
  d.core.add_neuron_v(v);
  d.fanouts.emplace_back();
  return static_cast<uint32_t>(d.fanouts.size() - 1);
}

uint32_t ImageBuilder::axon(uint32_t x, uint32_t y) {
  CoreDraft& d = draft(x, y);
  d.axons.emplace_back();
  return static_cast<uint32_t>(d.axons.size() - 1);
}

void ImageBuilder::synapse(uint32_t x, uint32_t y, uint32_t axon, uint32_t neuron, int32_t weight, uint32_t group) {
  draft(x, y).axons.at(axon).push_back({neuron, weight, group});
}

void ImageBuilder::fanout(uint32_t x, uint32_t y, uint32_t neuron, FanoutTarget target) {
  draft(x, y).fanouts.at(neuron).push_back(target);
}

void ImageBuilder::group(uint32_t x, uint32_t y, uint32_t g, int32_t weight_exp, bool plastic, uint32_t lr_pot,
                         uint32_t lr_dep, int32_t w_min, int32_t w_max) {
  pb::Core& c = draft(x, y).core;
  while (c.groups_size() <= static_cast<int>(g)) {
    pb::SynapseGroup* ng = c.add_groups();
    ng->set_w_min(-128);
    ng->set_w_max(127);
  }
  pb::SynapseGroup* gr = c.mutable_groups(static_cast<int>(g));
  gr->set_weight_exp(weight_exp);
  gr->set_plastic(plastic);
  gr->set_lr_pot_shift(lr_pot);
  gr->set_lr_dep_shift(lr_dep);
  gr->set_w_min(w_min);
  gr->set_w_max(w_max);
}

void ImageBuilder::stdp(uint32_t x, uint32_t y, uint32_t pre_decay, uint32_t post_decay, uint32_t pre_impulse,
                        uint32_t post_impulse) {
  pb::Stdp* s = draft(x, y).core.mutable_stdp();
  s->set_pre_decay(pre_decay);
  s->set_post_decay(post_decay);
  s->set_pre_impulse(pre_impulse);
  s->set_post_impulse(post_impulse);
}

void ImageBuilder::lfsr_seed(uint32_t x, uint32_t y, uint32_t seed) { draft(x, y).core.set_lfsr_seed(seed); }

pb::ChipImage ImageBuilder::build_unsealed() const {
  pb::ChipImage img = image_;
  for (const auto& [key, d] : cores_) {
    pb::Core* c = img.add_cores();
    *c = d.core;
    for (const auto& list : d.axons) {
      c->add_axon_syn_base(static_cast<uint32_t>(c->syn_neuron_size()));
      c->add_axon_syn_count(static_cast<uint32_t>(list.size()));
      for (const SynapseSpec& s : list) {
        c->add_syn_neuron(s.neuron);
        c->add_syn_weight(s.weight);
        c->add_syn_group(s.group);
      }
    }
    for (const auto& list : d.fanouts) {
      c->add_neuron_fanout_base(static_cast<uint32_t>(c->fanout_axon_size()));
      c->add_neuron_fanout_count(static_cast<uint32_t>(list.size()));
      for (const FanoutTarget& f : list) {
        c->add_fanout_to_host(f.to_host);
        c->add_fanout_x(f.x);
        c->add_fanout_y(f.y);
        c->add_fanout_axon(f.axon);
      }
    }
  }
  return img;
}

pb::ChipImage ImageBuilder::build() const {
  pb::ChipImage img = build_unsealed();
  seal_image(img);
  return img;
}

}  // namespace lifchip::test
