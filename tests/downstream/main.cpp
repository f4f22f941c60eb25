// Built against an installed lifchip only (tests/downstream/CMakeLists.txt): the bundled digits
// network imported and mapped, its test images latency-coded and run on the functional model and
// in the float reference, the figures printed on one line, exit 1 when the chip's accuracy is not
// that of a trained network.   downstream [EXAMPLES_DIR]
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "lifchip/flow/energy.h"
#include "lifchip/flow/evaluate.h"
#include "lifchip/mapper/map.h"

int main(int argc, char** argv) {
  namespace mapper = lifchip::mapper;
  namespace flow = lifchip::flow;
  try {
    const std::string dir = argc > 1 ? argv[1] : LIFCHIP_EXAMPLES_DIR;
    const mapper::Network net = mapper::import_network(dir + "/digits.nir");
    const mapper::MapResult mapped = mapper::map_network(net, mapper::MapOptions{});
    // As `lifchip evaluate ... --encoding latency --steps 10 --max 16` encodes them.
    const flow::Matrix x = flow::read_matrix(dir + "/digits_test_x.npy");
    const std::vector<mapper::NetworkStimulus> samples =
        flow::encoded_samples(x, "digits_test_x.npy", "latency", 10, 16, 1);
    const std::vector<int> labels = flow::read_labels(dir + "/digits_test_y.npy");
    const flow::Evaluation ev = flow::evaluate_samples(net, mapped, samples, labels, flow::EvaluateOptions{});

    flow::EstimateOptions eo;
    eo.inference_steps = ev.steps_per_sample;
    const flow::Estimate e = flow::estimate(ev.run, &mapped.image, flow::load_energy_model("loihi1"), eo);
    const flow::Agreement& a = ev.agreement;
    std::printf("samples %llu cores %u chip_accuracy %.6f float_accuracy %.6f energy_per_inference_j %.6e\n",
                static_cast<unsigned long long>(a.samples), mapped.report.fit.cores_used,
                a.chip_accuracy.value_or(-1), a.float_accuracy.value_or(-1), e.energy_per_inference_j);
    return a.chip_accuracy.value_or(0) >= 0.8 ? 0 : 1;
  } catch (const std::exception& ex) {
    std::fprintf(stderr, "downstream: %s\n", ex.what());
    return 1;
  }
}
