// Writes the seeded random images and stimuli of the bundled regression suite (tests/regress/), so the
// suite's inputs can be regenerated: `cmake --build BUILD --target regress_make_images` then
// `BUILD/regress_make_images tests/regress`. Golden files are then re-recorded with `lifchip regress
// tests/regress/suite.json --record`.
#include <iostream>
#include <string>

#include "lifchip/image.h"
#include "support/random_network.h"

namespace {

void write(const std::string& dir, const std::string& name, const std::string& preset, uint64_t seed,
           uint32_t steps) {
  lifchip::test::RandomNetOptions opt = lifchip::test::preset(preset, seed);
  lifchip::pb::ChipImage image = lifchip::test::random_image(opt);
  image.set_name(name);
  const auto spikes = lifchip::test::random_stimuli(image, seed, steps, opt.input_rate);
  lifchip::pb::Stimuli stim;
  stim.set_name(name);
  stim.set_num_steps(steps);
  for (const lifchip::InputSpike& sp : spikes) {
    if (stim.steps_size() == 0 || stim.steps(stim.steps_size() - 1).step() != sp.step)
      stim.add_steps()->set_step(sp.step);
    lifchip::pb::StepInput* in = stim.mutable_steps(stim.steps_size() - 1);
    in->add_x(sp.x);
    in->add_y(sp.y);
    in->add_axon(sp.axon);
  }
  lifchip::write_message_file(dir + "/" + name + ".image.txtpb", image);
  lifchip::write_message_file(dir + "/" + name + ".stimuli.txtpb", stim);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: regress_make_images DIR\n";
    return 2;
  }
  const std::string dir = argv[1];
  write(dir, "recurrent_s3", "recurrent", 3, 24);
  write(dir, "plastic_s2", "plastic", 2, 24);
  write(dir, "congest_s4", "congest", 4, 12);
  return 0;
}
