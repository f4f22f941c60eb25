// The host input FIFO limit (spec §7: HOST_SPIKE_FIFO_DEPTH packets for one step) is enforced by
// every model alike: more packets for one step stop the run at that step with ERR_SPIKE_IN_OVERFLOW
// and the same message; exactly the depth is accepted. Through the CLI: `run` exits 1 naming the step,
// `compare` reports the stop as a failure (exit 4), never "identical"; `regress` skips a case the
// rtl platform cannot run, with the reason, and JUnit <skipped>.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "lifchip/backend.h"
#include "lifchip/chip_constants.h"
#include "support/cli_run.h"
#include "support/image_builder.h"

namespace lifchip {
namespace {

// Five cores of 1,024 axons on a 4x4 mesh (the RTL build's), one neuron each: room for more host
// packets in one step than the FIFO holds.
pb::ChipImage wide_image() {
  test::ImageBuilder b(4, 4);
  for (uint32_t c = 0; c < 5; ++c) {
    const uint32_t x = c % 4, y = c / 4;
    const uint32_t p = b.profile(x, y, 4095, 4095, 1000);
    const uint32_t n = b.neuron(x, y, p);
    for (uint32_t a = 0; a < 1024; ++a) {
      b.axon(x, y);
      b.synapse(x, y, a, n, 1);
    }
  }
  return b.build();
}

std::vector<InputSpike> packets(uint32_t count, uint32_t step) {
  std::vector<InputSpike> in;
  for (uint32_t i = 0; i < count; ++i) in.push_back({step, (i / 1024) % 4, (i / 1024) / 4, i % 1024});
  return in;
}

std::string step_error(const std::string& backend, uint32_t count) {
  std::unique_ptr<Backend> b = BackendRegistry::create(backend);
  b->load(wide_image());
  b->inject(packets(count, 2));
  try {
    b->step(4);
  } catch (const InputError& e) {
    return std::string(e.what()) + " [at step " + std::to_string(b->timestep()) + "]";
  }
  return "(no error)";
}

TEST(HostFifo, EveryModelStopsAtTheOverflowingStepWithOneMessage) {
  const uint32_t depth = static_cast<uint32_t>(spec::HOST_SPIKE_FIFO_DEPTH);
  for (const std::string& name : BackendRegistry::names()) {
    SCOPED_TRACE(name);
    EXPECT_EQ(step_error(name, depth), "(no error)");
    EXPECT_EQ(step_error(name, depth + 1),
              name + ": the chip reported ERROR 0x8 in step 2: input spike FIFO overflow (more than 4096 host "
                     "packets for one step) [at step 2]");
  }
}

// ---- through the CLI -------------------------------------------------------------------------------

const std::string kBinary = std::string(LIFCHIP_BINARY_DIR) + "/tools/lifchip";

struct Files {
  test::TempDir dir{"lifchip_fifo"};
  std::string image = dir / "wide.image.pb", stimuli = dir / "over.stimuli.txtpb";
  Files() {
    write_message_file(image, wide_image());
    pb::Stimuli st;
    st.set_num_steps(4);
    pb::StepInput* step = st.add_steps();
    step->set_step(1);
    for (const InputSpike& sp : packets(static_cast<uint32_t>(spec::HOST_SPIKE_FIFO_DEPTH) + 1, 1)) {
      step->add_x(sp.x);
      step->add_y(sp.y);
      step->add_axon(sp.axon);
    }
    write_message_file(stimuli, st);
  }
};

TEST(HostFifoCli, RunNamesTheStepAndCompareIsNeverIdentical) {
  const Files f;
  for (const char* backend : {"functional", "systemc"}) {
    const test::CliResult r =
        test::run_cli(kBinary, "run " + f.image + " --stimuli " + f.stimuli + " --backend " + backend);
    EXPECT_EQ(r.code, 1) << r;
    EXPECT_TRUE(test::contains(r.err, "ERROR 0x8 in step 1: input spike FIFO overflow")) << r;
  }
  const test::CliResult c = test::run_cli(kBinary, "compare " + f.image + " --stimuli " + f.stimuli);
  EXPECT_EQ(c.code, 4) << c;
  EXPECT_FALSE(test::contains(c.out, "identical (")) << c;
  EXPECT_TRUE(test::contains(c.out, "step 1")) << c;
}

#ifdef LIFCHIP_HAVE_RTL
TEST(HostFifoCli, RegressSkipsWhatTheRtlCannotRun) {
  const Files f;
  // A 5x4 mesh is beyond the rtl build (4x4): on systemc + rtl an "agree" case cannot be checked.
  test::ImageBuilder b(5, 4);
  const uint32_t p = b.profile(4, 3, 100, 100, 1000);
  b.neuron(4, 3, p);
  b.axon(4, 3);
  write_message_file(f.dir / "big.image.pb", b.build());
  f.dir.write("suite.json", R"({"suite": "s", "backends": ["systemc", "rtl"], "cases": [
    {"name": "big", "image": "big.image.pb", "steps": 3, "check": "agree"}]})");
  const test::CliResult r =
      test::run_cli(kBinary, "regress " + (f.dir / "suite.json") + " --junit " + (f.dir / "j.xml"));
  EXPECT_EQ(r.code, 0) << r;
  EXPECT_TRUE(test::contains(r.out, "SKIP big: skipped: rtl: the rtl build's capacity: mesh width 5 > 4")) << r;
  EXPECT_TRUE(test::contains(r.out, "0 passed, 0 failed, 1 skipped")) << r;
  const std::string xml = test::slurp(f.dir / "j.xml");
  EXPECT_TRUE(test::contains(xml, "skipped=\"1\"")) << xml;
  EXPECT_TRUE(test::contains(xml, "<skipped message=\"skipped: rtl:")) << xml;
}
#endif

}  // namespace
}  // namespace lifchip
