// The chip side of spec §7: the host register file and its decode (ID, CTRL, STATUS, ERROR, the load
// stream and its CRC, the spike FIFOs, the CNT_SEL and MEM_SEL windows, every error bit), without
// SystemC. The SystemC HostInterface (systemc/host_if.h, twin of rtl/lifchip_host_if.sv) and the
// firmware's functional register adapter (firmware/host/platform.h) both decode through it, each
// supplying its chip behind the registers. Internal to core_model (not an installed header).
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "lifchip/backend.h"
#include "lifchip/image.h"

namespace lifchip::detail {

class HostRegisterFile {
 public:
  /// What the registers ask of the chip behind them.
  class ChipSide {
   public:
    virtual ~ChipSide() = default;
    virtual bool configured() const = 0;  // STATUS.IMAGE_VALID
    virtual bool busy() const = 0;        // STATUS.BUSY
    virtual bool learning() const = 0;    // CTRL.LEARN_EN as read back
    virtual uint32_t timestep() const = 0;
    virtual const ChipShape& shape() const = 0;
    /// Axons of core (x, y) of the loaded image (0 for a core it does not have).
    virtual uint32_t axons(uint32_t x, uint32_t y) const = 0;
    /// CTRL.SOFT_RESET and LOAD_CTRL begin: the image is no longer valid.
    virtual void drop_image() = 0;
    /// LOAD_CTRL commit of a stream whose CRC matched; throws InputError when the image is refused.
    virtual void configure(const pb::ChipImage& image) = 0;
    virtual void set_learning(bool enabled) = 0;
    virtual void clear_counters() = 0;
    /// RUN_STEPS with an image and not busy; the FIFO's packets are take_spike_in()'s.
    virtual void run_steps(uint32_t steps) = 0;
    virtual uint64_t chip_counter(uint32_t id) = 0;
    virtual uint64_t core_counter(uint32_t core, uint32_t id) = 0;
    /// A word of the MEM_SEL window of core index `core`; throws InputError outside its memory.
    virtual uint32_t read_word(uint32_t core, uint32_t mem, uint32_t addr) = 0;
    /// A SPIKE_OUT read popped an entry with this exit cycle.
    virtual void spike_popped(uint64_t cycle) { (void)cycle; }
  };

  explicit HostRegisterFile(ChipSide& chip) : chip_(chip) {}

  /// One register access at byte address `addr`; an unmapped address, a write-only register read,
  /// or a selection that does not exist sets ERROR.ERR_BUS (reads then return 0).
  uint32_t read(uint32_t addr);
  void write(uint32_t addr, uint32_t value);

  /// The input packets queued for the run now starting (the FIFO is empty after).
  std::vector<uint32_t> take_spike_in();
  /// An output spike into SPIKE_OUT; a full FIFO drops it and sets ERR_SPIKE_OUT_OVERFLOW.
  void push_spike_out(uint32_t channel, uint32_t step, uint64_t cycle);
  /// Empties both spike FIFOs.
  void clear_fifos();
  /// The reason of the last refused load ("" after a load begins).
  const std::string& last_error() const { return last_error_; }

 private:
  uint32_t read_reg(uint32_t addr, bool& ok);
  void write_reg(uint32_t addr, uint32_t value, bool& ok);
  void commit_load();

  struct OutEntry {
    uint32_t channel;
    uint32_t step;
    uint64_t cycle;
  };
  ChipSide& chip_;
  std::vector<uint32_t> load_words_;
  uint32_t load_expect_ = 0;
  bool loading_ = false;
  std::deque<uint32_t> spike_in_;  // packets for the next step to run
  std::deque<OutEntry> spike_out_;
  uint32_t cnt_sel_ = 0, cnt_hi_ = 0, mem_sel_ = 0, error_ = 0;
  std::string last_error_;
};

}  // namespace lifchip::detail
