// The host interface of spec §7 at register level: one random sequence of register writes and reads
// drives the functional platform (the register adapter over the functional backend) and the SystemC
// platform (TLM transactions into the SystemC HostInterface) side by side. Neither may crash, and
// every read must return the same value on both, ERROR bits included. The one difference the spec
// gives them: timing counters (core counters CNT_FUNCTIONAL_COUNT.., chip counters CNT_CHIP_COUNT..)
// count cycles on SystemC and are 0 on the functional model, so CNT_LO/CNT_HI reads of those are
// not compared.
//
// Input: records of 6 bytes (op, register, 32-bit value, little-endian). op % 4: 0 a write, 1 a read
// (compared), 2 a boot of the corpus's base image through the firmware's lc_boot, with the word at
// index `value` of the stream flipped when value < its length, 3 a write of RUN_STEPS with value % 8
// steps, then polls until STATUS.BUSY clears on SystemC (the functional platform is never busy).
// The register is reg % 24 * 4 (every address of the map and a few unmapped ones), or any address
// (unaligned ones too) when reg >= 240. Each input starts from lc_reset and CNT_SEL = MEM_SEL = 0 on both.
#include <cstring>
#include <memory>
#include <vector>


#include "fuzz_support.h"
#include "lifchip/chip_constants.h"
#include "lifchip_fw.h"
#include "platform.h"

namespace s = lifchip::spec;


namespace {

uint32_t rd(const lc_hal_t* h, uint32_t addr) { return h->read32(h->ctx, addr); }
void wr(const lc_hal_t* h, uint32_t addr, uint32_t v) { h->write32(h->ctx, addr, v); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<uint32_t> stream = [] {
    const lifchip::pb::ChipImage img =
        lifchip::read_image_file(std::string(LIFCHIP_SOURCE_DIR) + "/tests/corpus/valid/base.image.txtpb");
    return lifchip::flat_stream(img);
  }();
  static const uint32_t checksum =
      lifchip::read_image_file(std::string(LIFCHIP_SOURCE_DIR) + "/tests/corpus/valid/base.image.txtpb").checksum();
  // One pair for the process (the SystemC chip is one per process): what SOFT_RESET leaves (the
  // load stream, the selections) is then the same on both.
  static std::unique_ptr<lifchip::hil::Platform> fn = lifchip::hil::make_platform("functional");
  static std::unique_ptr<lifchip::hil::Platform> sc = lifchip::hil::make_platform("systemc");
  const lc_hal_t* a = fn->hal();
  const lc_hal_t* b = sc->hal();
  if (lc_reset(a) != lc_reset(b)) lifchip::fuzz::finding("lc_reset differs");
  // The selection registers are not state that SOFT_RESET clears (spec §7): each input starts them
  // at 0, so that the timing-counter rule below knows what CNT_SEL selects.
  for (const lc_hal_t* h : {a, b}) {
    wr(h, s::REG_CNT_SEL, 0);
    wr(h, s::REG_MEM_SEL, 0);
  }
  uint32_t cnt_sel = 0;
  auto timing_counter = [&] {
    const uint32_t id = cnt_sel & 31u;
    return (cnt_sel >> s::CNT_SEL_CHIP_BIT) & 1u ? id >= s::CNT_CHIP_COUNT : id >= s::CNT_FUNCTIONAL_COUNT;
  };
  auto wait_idle = [&] {
    for (int i = 0; i < 200000 && (rd(b, s::REG_STATUS) & 1u); ++i) b->poll(b->ctx, 0);
  };
  for (size_t at = 0; at + 6 <= size; at += 6) {
    const uint8_t op = data[at] % 4, reg = data[at + 1];
    uint32_t value = 0;
    std::memcpy(&value, data + at + 2, 4);
    // Unaligned addresses too: they are unmapped on every model (spec §7).
    const uint32_t addr = reg >= 240 ? (value ^ (uint32_t{reg} << 24)) : uint32_t{reg} % 24 * 4;
    switch (op) {
      case 0:
        if (addr == s::REG_RUN_STEPS) value %= 8;
        if (addr == s::REG_CNT_SEL) cnt_sel = value;
        wr(a, addr, value);
        wr(b, addr, value);
        if (addr == s::REG_RUN_STEPS) wait_idle();
        break;
      case 1: {
        const uint32_t va = rd(a, addr), vb = rd(b, addr);
        const bool timing = (addr == s::REG_CNT_LO || addr == s::REG_CNT_HI) && timing_counter();
        if (va != vb && !timing)
          lifchip::fuzz::finding("record " + std::to_string(at / 6) + ": read of register " + std::to_string(addr) +
                                 " (CNT_SEL " + std::to_string(cnt_sel) + "): functional " + std::to_string(va) +
                                 ", systemc " + std::to_string(vb));
        break;
      }
      case 2: {
        std::vector<uint32_t> w = stream;
        if (value < w.size()) w[value] ^= 1u << (value % 32);
        const lc_status_t sa = lc_boot(a, w.data(), w.size(), checksum);
        const lc_status_t sb = lc_boot(b, w.data(), w.size(), checksum);
        if (sa != sb) lifchip::fuzz::finding("lc_boot: functional " + std::to_string(sa) + ", systemc " + std::to_string(sb));
        break;
      }
      default:
        wr(a, s::REG_RUN_STEPS, value % 8);
        wr(b, s::REG_RUN_STEPS, value % 8);
        wait_idle();
        break;
    }
  }
  return 0;
}
