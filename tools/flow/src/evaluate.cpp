// Chip-vs-float evaluation (see evaluate.h).
#include "lifchip/flow/evaluate.h"

#include <algorithm>
#include <cmath>
#include <memory>

#include "lifchip/backend.h"
#include "lifchip/image.h"
#include "lifchip/run.h"

namespace lifchip::flow {

Agreement evaluate(const mapper::Network& network, const mapper::MapResult& mapped,
                   const std::vector<mapper::NetworkStimulus>& samples, const std::vector<int>& labels,
                   const std::string& backend_name) {
  if (!labels.empty() && labels.size() != samples.size())
    throw InputError("labels: " + std::to_string(labels.size()) + " labels for " +
                     std::to_string(samples.size()) + " samples");
  Agreement a;
  mapper::FloatSimOptions fo;
  fo.dt = mapped.report.dt;
  fo.reset_mode = mapped.report.reset_mode;
  const mapper::FloatReference reference(network, fo);
  std::unique_ptr<Backend> backend = BackendRegistry::create(backend_name);
  std::vector<double> chip_tot, float_tot;
  uint64_t chip_ok = 0, float_ok = 0;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    backend->load(mapped.image);
    const pb::RunResult run = lifchip::run(*backend, mapped.stimuli(samples[i]), RunOptions{});
    const mapper::NetworkResponse chip = mapped.decode(run);
    const mapper::NetworkResponse ref = reference.run(samples[i]);
    for (uint32_t t = 0; t < std::min(chip.num_steps, ref.num_steps); ++t)
      for (std::size_t o = 0; o < ref.values[t].size(); ++o) {
        ++a.output_events;
        if (std::abs(chip.values[t][o] - ref.values[t][o]) < 1e-9) ++a.equal_events;
      }
    const auto ct = chip.totals(), ft = ref.totals();
    chip_tot.insert(chip_tot.end(), ct.begin(), ct.end());
    float_tot.insert(float_tot.end(), ft.begin(), ft.end());
    const int ca = chip.argmax(), fa = ref.argmax();
    if (ca == fa) ++a.argmax_equal;
    if (!labels.empty()) chip_ok += ca == labels[i], float_ok += fa == labels[i];
    ++a.samples;
  }
  a.spike_agreement = a.output_events ? double(a.equal_events) / double(a.output_events) : 1.0;
  const std::size_t n = chip_tot.size();
  if (n > 1) {
    double mc = 0, mf = 0;
    for (std::size_t i = 0; i < n; ++i) mc += chip_tot[i], mf += float_tot[i];
    mc /= double(n), mf /= double(n);
    double sc = 0, sf = 0, scf = 0;
    for (std::size_t i = 0; i < n; ++i)
      sc += (chip_tot[i] - mc) * (chip_tot[i] - mc), sf += (float_tot[i] - mf) * (float_tot[i] - mf),
          scf += (chip_tot[i] - mc) * (float_tot[i] - mf);
    a.count_correlation = (sc > 0 && sf > 0) ? scf / std::sqrt(sc * sf) : (sc == sf ? 1.0 : 0.0);
  }
  if (!labels.empty() && !samples.empty()) {
    a.chip_accuracy = double(chip_ok) / double(samples.size());
    a.float_accuracy = double(float_ok) / double(samples.size());
  }
  return a;
}

}  // namespace lifchip::flow
