/* The lifchip management firmware (see lifchip_fw.h and docs/firmware.md): register sequences of
 * spec §7 for boot, run, spike I/O, counters and the memory window. No heap, no libc. */
#include "lifchip_fw.h"

#include "lifchip_fw_constants.h"

#define REG(name) ((uint32_t)(LCS_REG_##name))
#define BIT(n) ((uint32_t)1u << (n))

enum {
  kCtrlSoftReset = 1u,
  kCtrlLearnEn = 2u,
  kCtrlCounterClear = 4u,
  kStatusBusy = 1u,
  kStatusImageValid = 2u,
  kLoadBegin = 1u,
  kLoadCommit = 2u,
  kOutStepBits = 19u
};

static uint32_t rd(const lc_hal_t* hal, uint32_t addr) { return hal->read32(hal->ctx, addr); }
static void wr(const lc_hal_t* hal, uint32_t addr, uint32_t value) { hal->write32(hal->ctx, addr, value); }

const char* lc_status_name(lc_status_t status) {
  switch (status) {
    case LC_OK:
      return "ok";
    case LC_ERR_BUS:
      return "bus error";
    case LC_ERR_TIMEOUT:
      return "timeout";
    case LC_ERR_CHECKSUM:
      return "checksum mismatch";
    case LC_ERR_IMAGE_RANGE:
      return "image rejected";
    case LC_ERR_SPIKE_IN_OVERFLOW:
      return "input spike FIFO overflow";
    case LC_ERR_SPIKE_OUT_OVERFLOW:
      return "output spike FIFO overflow";
    case LC_ERR_NOT_READY:
      return "chip not ready";
    case LC_ERR_NO_CHIP:
      return "no lifchip at this address (ID/VERSION)";
    case LC_ERR_ARGUMENT:
      return "bad argument";
    case LC_ERR_NO_IMAGE:
      return "no valid image after commit";
  }
  return "unknown status";
}

uint32_t lc_crc32_words(const uint32_t* words, size_t count) {
  uint32_t crc = 0xFFFFFFFFu;
  for (size_t i = 0; i < count; ++i) {
    for (unsigned byte = 0; byte < 4; ++byte) {
      crc ^= (words[i] >> (8u * byte)) & 0xFFu;
      for (unsigned k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
  }
  return crc ^ 0xFFFFFFFFu;
}

/* Reads ERROR; if any bit is set, clears it (RW1C) and maps the most specific bit to a status. */
static lc_status_t take_error(const lc_hal_t* hal) {
  const uint32_t err = rd(hal, REG(ERROR));
  if (err == 0) return LC_OK;
  wr(hal, REG(ERROR), err);
  if (err & (uint32_t)LCS_ERR_BUS) return LC_ERR_BUS;
  if (err & (uint32_t)LCS_ERR_CHECKSUM) return LC_ERR_CHECKSUM;
  if (err & (uint32_t)LCS_ERR_IMAGE_RANGE) return LC_ERR_IMAGE_RANGE;
  if (err & (uint32_t)LCS_ERR_SPIKE_IN_OVERFLOW) return LC_ERR_SPIKE_IN_OVERFLOW;
  if (err & (uint32_t)LCS_ERR_SPIKE_OUT_OVERFLOW) return LC_ERR_SPIKE_OUT_OVERFLOW;
  if (err & (uint32_t)LCS_ERR_NOT_READY) return LC_ERR_NOT_READY;
  return LC_ERR_BUS; /* a bit this firmware does not know: treat the access as failed */
}

/* Waits for STATUS.BUSY to clear, calling the platform's poll hook between reads. */
static lc_status_t wait_idle(const lc_hal_t* hal) {
  for (uint32_t i = 0;; ++i) {
    if ((rd(hal, REG(STATUS)) & kStatusBusy) == 0) return LC_OK;
    if (!hal->poll(hal->ctx, i)) return LC_ERR_TIMEOUT;
  }
}

static bool hal_ok(const lc_hal_t* hal) { return hal && hal->read32 && hal->write32 && hal->poll; }

lc_status_t lc_reset(const lc_hal_t* hal) {
  if (!hal_ok(hal)) return LC_ERR_ARGUMENT;
  if (rd(hal, REG(ID)) != (uint32_t)LCS_REG_ID_VALUE) return LC_ERR_NO_CHIP;
  const uint32_t version = rd(hal, REG(VERSION));
  if ((version & 0xFFFFu) != (uint32_t)LCS_SPEC_VERSION ||
      (version >> 16) != (uint32_t)LCS_IMAGE_FORMAT_VERSION)
    return LC_ERR_NO_CHIP;
  /* A soft reset while a run is in progress would be undefined: let it finish first. */
  lc_status_t st = wait_idle(hal);
  if (st != LC_OK) return st;
  wr(hal, REG(CTRL), kCtrlSoftReset);
  wr(hal, REG(ERROR), 0xFFFFFFFFu);
  return take_error(hal);
}

lc_status_t lc_boot(const lc_hal_t* hal, const uint32_t* words, size_t count, uint32_t checksum) {
  if (!hal_ok(hal) || !words || count == 0) return LC_ERR_ARGUMENT;
  lc_status_t st = lc_reset(hal);
  if (st != LC_OK) return st;
  wr(hal, REG(LOAD_CTRL), kLoadBegin);
  for (size_t i = 0; i < count; ++i) wr(hal, REG(LOAD_DATA), words[i]);
  st = take_error(hal);
  if (st != LC_OK) return st;
  /* Read back: the chip's CRC of what it received must match both the firmware's CRC of what it
   * sent (a corrupted transfer) and the image's checksum record (a corrupted image). */
  const uint32_t chip_crc = rd(hal, REG(LOAD_CRC));
  if (chip_crc != lc_crc32_words(words, count) || chip_crc != checksum) return LC_ERR_CHECKSUM;
  wr(hal, REG(LOAD_EXPECT), checksum);
  wr(hal, REG(LOAD_CTRL), kLoadCommit);
  st = take_error(hal);
  if (st != LC_OK) return st;
  if ((rd(hal, REG(STATUS)) & kStatusImageValid) == 0) return LC_ERR_NO_IMAGE;
  return LC_OK;
}

lc_status_t lc_set_learning(const lc_hal_t* hal, bool enabled) {
  if (!hal_ok(hal)) return LC_ERR_ARGUMENT;
  wr(hal, REG(CTRL), enabled ? kCtrlLearnEn : 0u);
  return take_error(hal);
}

lc_status_t lc_clear_counters(const lc_hal_t* hal) {
  if (!hal_ok(hal)) return LC_ERR_ARGUMENT;
  /* COUNTER_CLEAR with LEARN_EN kept: CTRL is read-modify-write for the persistent bit. */
  const uint32_t learn = rd(hal, REG(CTRL)) & kCtrlLearnEn;
  wr(hal, REG(CTRL), learn | kCtrlCounterClear);
  return take_error(hal);
}

lc_status_t lc_timestep(const lc_hal_t* hal, uint32_t* timestep) {
  if (!hal_ok(hal) || !timestep) return LC_ERR_ARGUMENT;
  *timestep = rd(hal, REG(TIMESTEP));
  return take_error(hal);
}

lc_status_t lc_step(const lc_hal_t* hal, uint32_t step, const lc_spike_in_t* spikes, size_t count,
                    lc_output_fn out, void* user) {
  if (!hal_ok(hal) || (count > 0 && !spikes)) return LC_ERR_ARGUMENT;
  if (count > 0) {
    /* Refuse before pushing: a partial step of inputs would be worse than none. */
    const uint32_t level = rd(hal, REG(SPIKE_IN_LEVEL));
    if ((uint64_t)level + count > (uint64_t)LCS_HOST_SPIKE_FIFO_DEPTH) return LC_ERR_SPIKE_IN_OVERFLOW;
    for (size_t i = 0; i < count; ++i) {
      if (spikes[i].step != step) return LC_ERR_ARGUMENT;
      wr(hal, REG(SPIKE_IN),
         (uint32_t)spikes[i].axon | (uint32_t)spikes[i].x << LCS_PKT_X_LSB |
             (uint32_t)spikes[i].y << LCS_PKT_Y_LSB);
    }
    const lc_status_t st = take_error(hal);
    if (st != LC_OK) return st;
  }
  wr(hal, REG(RUN_STEPS), 1u);
  lc_status_t st = wait_idle(hal);
  if (st != LC_OK) return st;
  /* Errors of the run (e.g. an output FIFO overflow) are reported after the spikes that did come out. */
  uint32_t level = rd(hal, REG(SPIKE_OUT_LEVEL));
  while (level-- > 0) {
    const uint32_t w = rd(hal, REG(SPIKE_OUT));
    if ((w & BIT(31)) == 0) break;
    const uint32_t mask = BIT(kOutStepBits) - 1u;
    const uint32_t low = (w >> 12) & mask;
    uint32_t s = (step & ~mask) | low;
    if (s > step) s -= BIT(kOutStepBits);
    if (out) out(user, s, w & ((uint32_t)LCS_HOST_SPIKE_FIFO_DEPTH - 1u));
  }
  return take_error(hal);
}

lc_status_t lc_run(const lc_hal_t* hal, const lc_spike_in_t* spikes, size_t count, uint32_t steps,
                   lc_output_fn out, void* user) {
  if (!hal_ok(hal) || (count > 0 && !spikes)) return LC_ERR_ARGUMENT;
  uint32_t t = 0;
  lc_status_t st = lc_timestep(hal, &t);
  if (st != LC_OK) return st;
  size_t next = 0;
  for (uint32_t i = 0; i < steps; ++i, ++t) {
    size_t end = next;
    while (end < count && spikes[end].step == t) ++end;
    if (end < count && spikes[end].step < t) return LC_ERR_ARGUMENT; /* unsorted or in the past */
    st = lc_step(hal, t, spikes + next, end - next, out, user);
    if (st != LC_OK) return st;
    next = end;
  }
  return LC_OK;
}

lc_status_t lc_read_counters(const lc_hal_t* hal, bool chip, uint32_t core_index, uint32_t first_id,
                             uint32_t count, uint64_t* out) {
  if (!hal_ok(hal) || (count > 0 && !out)) return LC_ERR_ARGUMENT;
  for (uint32_t i = 0; i < count; ++i) {
    const uint32_t sel =
        ((first_id + i) & 31u) | (chip ? BIT(LCS_CNT_SEL_CHIP_BIT) : (core_index & 0xFFu) << 5);
    wr(hal, REG(CNT_SEL), sel);
    const uint32_t lo = rd(hal, REG(CNT_LO));
    const uint32_t hi = rd(hal, REG(CNT_HI));
    out[i] = (uint64_t)hi << 32 | lo;
  }
  return take_error(hal);
}

lc_status_t lc_read_memory(const lc_hal_t* hal, uint32_t core_index, uint32_t mem, uint32_t addr,
                           uint32_t count, uint32_t* out) {
  if (!hal_ok(hal) || (count > 0 && !out) || addr + (uint64_t)count > 0x10000u || mem > 15u)
    return LC_ERR_ARGUMENT;
  wr(hal, REG(MEM_SEL), addr | mem << 16 | (core_index & 0xFFu) << 20);
  for (uint32_t i = 0; i < count; ++i) out[i] = rd(hal, REG(MEM_DATA));
  return take_error(hal);
}
