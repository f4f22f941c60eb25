// The long-run soak (docs/reliability.md, "Long runs"): a recurrent STDP network (the random-network
// generator's plastic preset, recurrent, learning on) runs for N steps on the functional and the
// SystemC model side by side in one process, in checkpoints of K steps with fresh random input
// each. At every checkpoint the two must agree exactly: output spikes (step, channel), every
// functional counter, per-step spikes / synaptic events / packets, and probes of plastic weights,
// traces and membrane potentials read every step. It prints one line per 10 checkpoints with the
// process's resident memory (which must not grow: the runs stream, RunOptions::on_part) and exits 1
// at the first divergence, naming the checkpoint, the step and what differs.
//
//   lifchip_soak [--steps N (10000000)] [--checkpoint K (65536)] [--seed S (2)] [--rate R (0.05)]
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "lifchip/backend.h"
#include "lifchip/chip_constants.h"
#include "lifchip/run.h"
#include "support/random_network.h"

namespace {

using namespace lifchip;
namespace s = spec;

long rss_mb() {
  long pages = 0, resident = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return resident * 4096 / (1 << 20);
}

long peak_mb() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}

// Up to 8 plastic synapses, 4 neurons (u, v, ref, post) and 2 axons (pre) of every core.
pb::ProbeSpec soak_probes(const pb::ChipImage& image) {
  pb::ProbeSpec spec;
  for (const pb::Core& c : image.cores()) {
    int synapses = 0;
    for (int a = 0; a < c.syn_group_size() && synapses < 8; ++a) {
      const uint32_t g = c.syn_group(a);
      if (static_cast<int>(g) < c.groups_size() && c.groups(static_cast<int>(g)).plastic()) {
        auto* p = spec.add_synapses();
        p->set_x(c.x());
        p->set_y(c.y());
        p->set_address(static_cast<uint32_t>(a));
        ++synapses;
      }
    }
    for (int n = 0; n < std::min(4, c.neuron_profile_size()); ++n) {
      auto* p = spec.add_neurons();
      p->set_x(c.x());
      p->set_y(c.y());
      p->set_neuron(static_cast<uint32_t>(n));
    }
    for (int a = 0; a < std::min(2, c.axon_syn_base_size()); ++a) {
      auto* p = spec.add_axons();
      p->set_x(c.x());
      p->set_y(c.y());
      p->set_axon(static_cast<uint32_t>(a));
    }
  }
  return spec;
}

// The first difference between two checkpoints' results, or "".
std::string difference(const pb::RunResult& f, const pb::RunResult& c) {
  if (f.spikes_size() != c.spikes_size())
    return "output spikes: " + std::to_string(f.spikes_size()) + " vs " + std::to_string(c.spikes_size());
  for (int i = 0; i < f.spikes_size(); ++i)
    if (f.spikes(i).step() != c.spikes(i).step() || f.spikes(i).channel() != c.spikes(i).channel())
      return "output spike " + std::to_string(i) + ": step " + std::to_string(f.spikes(i).step()) +
             " channel " + std::to_string(f.spikes(i).channel()) + " vs step " +
             std::to_string(c.spikes(i).step()) + " channel " + std::to_string(c.spikes(i).channel());
  for (int i = 0; i < f.per_step_size() && i < c.per_step_size(); ++i) {
    const pb::StepFigures &a = f.per_step(i), &b = c.per_step(i);
    if (a.spikes() != b.spikes() || a.syn_ops() != b.syn_ops() || a.packets() != b.packets())
      return "step " + std::to_string(a.step()) + " figures: spikes/syn_ops/packets " +
             std::to_string(a.spikes()) + "/" + std::to_string(a.syn_ops()) + "/" +
             std::to_string(a.packets()) + " vs " + std::to_string(b.spikes()) + "/" +
             std::to_string(b.syn_ops()) + "/" + std::to_string(b.packets());
  }
  if (f.per_step_size() != c.per_step_size()) return "per-step figure counts differ";
  for (int i = 0; i < f.probes_size(); ++i)
    for (int k = 0; k < f.probes(i).values_size(); ++k)
      if (k >= c.probes(i).values_size() || f.probes(i).values(k) != c.probes(i).values(k))
        return "probe " + f.probes(i).what() + " at step " + std::to_string(k) +
               " of the checkpoint: " + std::to_string(f.probes(i).values(k)) + " vs " +
               (k < c.probes(i).values_size() ? std::to_string(c.probes(i).values(k)) : std::string("none"));
  for (int i = 0; i < f.counters().cores_size(); ++i)
    for (int id = 0; id < s::CNT_FUNCTIONAL_COUNT; ++id)
      if (f.counters().cores(i).values(id) != c.counters().cores(i).values(id))
        return "core (" + std::to_string(f.counters().cores(i).x()) + "," +
               std::to_string(f.counters().cores(i).y()) + ") counter " + std::to_string(id) + ": " +
               std::to_string(f.counters().cores(i).values(id)) + " vs " +
               std::to_string(c.counters().cores(i).values(id));
  for (int id = 0; id < s::CNT_CHIP_COUNT; ++id)
    if (f.counters().chip(id) != c.counters().chip(id))
      return "chip counter " + std::to_string(id) + " differs";
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t steps = 10000000, checkpoint = 65536, seed = 2;
  double rate = 0.05;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    if (k == "--steps")
      steps = std::strtoull(argv[i + 1], nullptr, 10);
    else if (k == "--checkpoint")
      checkpoint = std::strtoull(argv[i + 1], nullptr, 10);
    else if (k == "--seed")
      seed = std::strtoull(argv[i + 1], nullptr, 10);
    else if (k == "--rate")
      rate = std::strtod(argv[i + 1], nullptr);
    else {
      std::fprintf(stderr, "lifchip_soak: unknown option %s\n", k.c_str());
      return 2;
    }
  }
  if (checkpoint == 0 || checkpoint > (1u << 24) || steps == 0 || steps > 0xFFFFFFFFu) {
    std::fprintf(stderr, "lifchip_soak: --steps 1..2^32-1, --checkpoint 1..2^24\n");
    return 2;
  }
  test::RandomNetOptions opts = test::RandomNetOptions::plastic_net(seed);
  opts.recurrence = true;
  opts.learning = true;
  const pb::ChipImage image = test::random_image(opts);
  std::unique_ptr<Backend> functional = BackendRegistry::create("functional");
  std::unique_ptr<Backend> systemc = BackendRegistry::create("systemc");
  functional->load(image);
  systemc->load(image);
  RunOptions ro;
  ro.probes = soak_probes(image);
  std::printf(
      "soak: plastic preset seed %llu (recurrent, learning on): %d cores, %d probe targets; %llu steps "
      "in checkpoints of %llu, input rate %.3f\n",
      static_cast<unsigned long long>(seed), image.cores_size(),
      static_cast<int>(probe_targets(ro.probes).size()), static_cast<unsigned long long>(steps),
      static_cast<unsigned long long>(checkpoint), rate);
  uint64_t done = 0, spikes = 0, synops = 0;
  long first_rss = 0;
  for (uint64_t k = 0; done < steps; ++k) {
    const auto n = static_cast<uint32_t>(std::min(checkpoint, steps - done));
    // Fresh input for this checkpoint, steps relative to its start (run() shifts them).
    const std::vector<InputSpike> in = test::random_stimuli(image, seed * 1000003 + k, n, rate);
    pb::Stimuli st;
    for (std::size_t i = 0; i < in.size();) {
      pb::StepInput* si = st.add_steps();
      si->set_step(in[i].step);
      for (; i < in.size() && in[i].step == si->step(); ++i) {
        si->add_x(in[i].x);
        si->add_y(in[i].y);
        si->add_axon(in[i].axon);
      }
    }
    ro.steps = n;
    const pb::RunResult f = run(*functional, st, ro);
    const pb::RunResult c = run(*systemc, st, ro);
    const std::string d = difference(f, c);
    if (!d.empty()) {
      std::printf("soak: DIVERGED in checkpoint %llu (steps %llu..%llu): %s\n",
                  static_cast<unsigned long long>(k), static_cast<unsigned long long>(done),
                  static_cast<unsigned long long>(done + n - 1), d.c_str());
      return 1;
    }
    done += n;
    spikes += static_cast<uint64_t>(f.spikes_size());
    for (const pb::StepFigures& fig : f.per_step()) synops += fig.syn_ops();
    if (k == 1) first_rss = rss_mb();
    if (k % 10 == 9 || done == steps)
      std::printf(
          "soak: step %llu: identical; %llu output spikes, %llu synaptic events so far; RSS %ld MB "
          "(%ld MB after checkpoint 1), peak %ld MB\n",
          static_cast<unsigned long long>(done), static_cast<unsigned long long>(spikes),
          static_cast<unsigned long long>(synops), rss_mb(), first_rss, peak_mb());
    std::fflush(stdout);
  }
  std::printf("soak: PASSED: %llu steps identical on functional and systemc\n",
              static_cast<unsigned long long>(done));
  return 0;
}
