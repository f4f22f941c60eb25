/* The lifchip management firmware: boots the chip from a flat image stream, runs time steps with
 * host spikes in and out, reads counters and memories, all through the register map of spec §7.
 * Freestanding C11 (no heap, no libc); the platform supplies the three-function HAL below. */
#ifndef LIFCHIP_FW_H
#define LIFCHIP_FW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes: every firmware call returns one. Values are stable (docs/firmware.md). */
typedef enum lc_status {
  LC_OK = 0,
  LC_ERR_BUS = 1,                /* ERROR.ERR_BUS after an access: unmapped address, bad selection */
  LC_ERR_TIMEOUT = 2,            /* the poll hook gave up while waiting for BUSY to clear */
  LC_ERR_CHECKSUM = 3,           /* LOAD_CRC differs from the image checksum, or ERR_CHECKSUM at commit */
  LC_ERR_IMAGE_RANGE = 4,        /* commit rejected the stream (ERR_IMAGE_RANGE) */
  LC_ERR_SPIKE_IN_OVERFLOW = 5,  /* more input spikes for one step than the input FIFO holds */
  LC_ERR_SPIKE_OUT_OVERFLOW = 6, /* the chip dropped output spikes (ERR_SPIKE_OUT_OVERFLOW) */
  LC_ERR_NOT_READY = 7,          /* ERR_NOT_READY: run or spike push without a valid image */
  LC_ERR_NO_CHIP = 8,            /* ID or VERSION register does not match this firmware */
  LC_ERR_ARGUMENT = 9,           /* a bad argument (null pointer, empty image, step out of order) */
  LC_ERR_NO_IMAGE = 10           /* STATUS.IMAGE_VALID is 0 after a commit that reported no error */
} lc_status_t;

/* The platform's HAL: two MMIO accesses and a poll hook. `ctx` is the platform's own state.
 * poll(ctx, iteration) is called while the firmware waits for the chip (iteration counts from 0);
 * it lets simulated time pass (or sleeps on silicon) and returns false to give up (timeout). */
typedef struct lc_hal {
  uint32_t (*read32)(void* ctx, uint32_t addr);
  void (*write32)(void* ctx, uint32_t addr, uint32_t value);
  bool (*poll)(void* ctx, uint32_t iteration);
  void* ctx;
} lc_hal_t;

/* One host input spike: destination core and axon, for a given time step. */
typedef struct lc_spike_in {
  uint32_t step;
  uint8_t x, y;
  uint16_t axon;
} lc_spike_in_t;

/* Receives each output spike drained after a step (channel, and the step it belongs to). */
typedef void (*lc_output_fn)(void* user, uint32_t step, uint32_t channel);

/* Human-readable name of a status code ("ok", "bus error", ...). */
const char* lc_status_name(lc_status_t status);

/* CRC-32/IEEE of 32-bit words as little-endian bytes (spec §9.3), as LOAD_CRC computes it. */
uint32_t lc_crc32_words(const uint32_t* words, size_t count);

/* Checks ID and VERSION, then soft-resets the chip (state, FIFOs, counters, errors). */
lc_status_t lc_reset(const lc_hal_t* hal);

/* Boots an image: reset, LOAD_CTRL begin, every stream word to LOAD_DATA, read back LOAD_CRC and
 * compare it with `checksum` (and with the firmware's own CRC of the words), LOAD_EXPECT, commit,
 * then check ERROR and STATUS.IMAGE_VALID. */
lc_status_t lc_boot(const lc_hal_t* hal, const uint32_t* words, size_t count, uint32_t checksum);

/* CTRL.LEARN_EN: STDP on or off (keeps the other CTRL bits at 0: they are self-clearing). */
lc_status_t lc_set_learning(const lc_hal_t* hal, bool enabled);

/* Runs one time step: pushes `count` input packets for it through SPIKE_IN (checking the FIFO
 * level), writes RUN_STEPS = 1, polls STATUS.BUSY, drains SPIKE_OUT into `out` and checks ERROR.
 * `step` is the chip's TIMESTEP before the step (used to widen the 19-bit step of SPIKE_OUT). */
lc_status_t lc_step(const lc_hal_t* hal, uint32_t step, const lc_spike_in_t* spikes, size_t count,
                    lc_output_fn out, void* user);

/* Runs `steps` steps from the chip's current TIMESTEP; `spikes` sorted by step, steps >= TIMESTEP. */
lc_status_t lc_run(const lc_hal_t* hal, const lc_spike_in_t* spikes, size_t count, uint32_t steps,
                   lc_output_fn out, void* user);

/* TIMESTEP register. */
lc_status_t lc_timestep(const lc_hal_t* hal, uint32_t* timestep);

/* Reads `count` consecutive 64-bit counters from id `first_id` of core `core_index` (y * W + x),
 * or of the chip counters when `chip` is true (core_index ignored). */
lc_status_t lc_read_counters(const lc_hal_t* hal, bool chip, uint32_t core_index, uint32_t first_id,
                             uint32_t count, uint64_t* out);

/* CTRL.COUNTER_CLEAR. */
lc_status_t lc_clear_counters(const lc_hal_t* hal);

/* Reads `count` words of memory `mem` of core `core_index` from word address `addr` through the
 * auto-incrementing MEM_SEL/MEM_DATA window (layouts of spec §9.2). */
lc_status_t lc_read_memory(const lc_hal_t* hal, uint32_t core_index, uint32_t mem, uint32_t addr,
                           uint32_t count, uint32_t* out);

#ifdef __cplusplus
}
#endif

#endif /* LIFCHIP_FW_H */
