// Firmware unit tests against a mock HAL: the exact register sequences of docs/firmware.md, timeouts
// and every error path, without any chip model behind the bus.
#include <gtest/gtest.h>

#include <cstring>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "lifchip/chip_constants.h"
#include "lifchip/image.h"
#include "lifchip_fw.h"
#include "support/random_network.h"

namespace lifchip {
namespace {

namespace s = spec;

struct Access {
  char op;  // 'R' or 'W'
  uint32_t addr, value;
  bool operator==(const Access& o) const { return op == o.op && addr == o.addr && value == o.value; }
};

std::ostream& operator<<(std::ostream& os, const Access& a) {
  return os << a.op << " 0x" << std::hex << a.addr << " = 0x" << a.value << std::dec;
}

// Reads answer from a per-address script (front first), else a fixed default; every access is logged.
struct MockHal {
  std::map<uint32_t, std::deque<uint32_t>> script;
  std::map<uint32_t, uint32_t> fixed;
  std::vector<Access> log;
  uint32_t polls = 0, poll_limit = 100;
  lc_hal_t hal{&MockHal::rd, &MockHal::wr, &MockHal::poll, this};

  MockHal() {
    fixed[s::REG_ID] = static_cast<uint32_t>(s::REG_ID_VALUE);
    fixed[s::REG_VERSION] = static_cast<uint32_t>(s::SPEC_VERSION | s::IMAGE_FORMAT_VERSION << 16);
    fixed[s::REG_STATUS] = 2;  // IMAGE_VALID, not busy
  }
  static uint32_t rd(void* ctx, uint32_t addr) {
    auto* m = static_cast<MockHal*>(ctx);
    uint32_t v = m->fixed.count(addr) ? m->fixed[addr] : 0;
    auto it = m->script.find(addr);
    if (it != m->script.end() && !it->second.empty()) {
      v = it->second.front();
      it->second.pop_front();
    }
    m->log.push_back({'R', addr, v});
    return v;
  }
  static void wr(void* ctx, uint32_t addr, uint32_t value) {
    static_cast<MockHal*>(ctx)->log.push_back({'W', addr, value});
  }
  static bool poll(void* ctx, uint32_t iteration) {
    auto* m = static_cast<MockHal*>(ctx);
    EXPECT_EQ(iteration, m->polls);
    ++m->polls;
    return iteration < m->poll_limit;
  }
  std::size_t writes_to(uint32_t addr) const {
    std::size_t n = 0;
    for (const Access& a : log) n += a.op == 'W' && a.addr == addr;
    return n;
  }
};

constexpr uint32_t R(int64_t a) { return static_cast<uint32_t>(a); }

TEST(FirmwareTest, BootRegisterSequence) {
  MockHal m;
  const std::vector<uint32_t> words = {0x11, 0x22, 0x33};
  const uint32_t crc = lc_crc32_words(words.data(), words.size());
  m.fixed[R(s::REG_LOAD_CRC)] = crc;
  ASSERT_EQ(lc_boot(&m.hal, words.data(), words.size(), crc), LC_OK);
  const std::vector<Access> expected = {
      {'R', R(s::REG_ID), R(s::REG_ID_VALUE)},
      {'R', R(s::REG_VERSION), R(s::SPEC_VERSION | s::IMAGE_FORMAT_VERSION << 16)},
      {'R', R(s::REG_STATUS), 2},
      {'W', R(s::REG_CTRL), 1},
      {'W', R(s::REG_ERROR), 0xFFFFFFFFu},
      {'R', R(s::REG_ERROR), 0},
      {'W', R(s::REG_LOAD_CTRL), 1},
      {'W', R(s::REG_LOAD_DATA), 0x11},
      {'W', R(s::REG_LOAD_DATA), 0x22},
      {'W', R(s::REG_LOAD_DATA), 0x33},
      {'R', R(s::REG_ERROR), 0},
      {'R', R(s::REG_LOAD_CRC), crc},
      {'W', R(s::REG_LOAD_EXPECT), crc},
      {'W', R(s::REG_LOAD_CTRL), 2},
      {'R', R(s::REG_ERROR), 0},
      {'R', R(s::REG_STATUS), 2},
  };
  EXPECT_EQ(m.log, expected);
}

TEST(FirmwareTest, CrcMatchesTheLibraryAndTheSpecCheckValue) {
  test::Rng rng(7);
  for (int n : {0, 1, 2, 17, 1000}) {
    std::vector<uint32_t> w(static_cast<std::size_t>(n));
    for (uint32_t& x : w) x = static_cast<uint32_t>(rng.next());
    EXPECT_EQ(lc_crc32_words(w.data(), w.size()), crc32_words(w.data(), w.size())) << n;
  }
  // "1234" "5678" as little-endian words: the CRC of those 8 bytes.
  uint32_t words[2];
  std::memcpy(words, "12345678", 8);
  EXPECT_EQ(lc_crc32_words(words, 2), crc32_bytes(reinterpret_cast<const uint8_t*>("12345678"), 8));
}

TEST(FirmwareTest, WrongChipIsRefusedBeforeAnyWrite) {
  MockHal m;
  m.fixed[R(s::REG_ID)] = 0x12345678;
  const uint32_t w = 1;
  EXPECT_EQ(lc_boot(&m.hal, &w, 1, 0), LC_ERR_NO_CHIP);
  EXPECT_EQ(m.writes_to(R(s::REG_CTRL)) + m.writes_to(R(s::REG_LOAD_CTRL)), 0u);
  MockHal v;
  v.fixed[R(s::REG_VERSION)] = 99;
  EXPECT_EQ(lc_reset(&v.hal), LC_ERR_NO_CHIP);
}

TEST(FirmwareTest, ChecksumReadBackMismatchStopsBeforeCommit) {
  MockHal m;
  const std::vector<uint32_t> words = {1, 2, 3};
  const uint32_t crc = lc_crc32_words(words.data(), words.size());
  m.fixed[R(s::REG_LOAD_CRC)] = crc ^ 4;  // a word corrupted on the bus
  EXPECT_EQ(lc_boot(&m.hal, words.data(), words.size(), crc), LC_ERR_CHECKSUM);
  EXPECT_EQ(m.writes_to(R(s::REG_LOAD_EXPECT)), 0u);
  EXPECT_EQ(m.log.back(), (Access{'R', R(s::REG_LOAD_CRC), crc ^ 4}));
  // The image's own checksum record disagrees with its words.
  MockHal k;
  k.fixed[R(s::REG_LOAD_CRC)] = crc;
  EXPECT_EQ(lc_boot(&k.hal, words.data(), words.size(), crc + 1), LC_ERR_CHECKSUM);
}

TEST(FirmwareTest, CommitErrorsMapToStatusesAndAreCleared) {
  const std::vector<uint32_t> words = {5};
  const uint32_t crc = lc_crc32_words(words.data(), 1);
  const std::pair<int64_t, lc_status_t> cases[] = {{s::ERR_IMAGE_RANGE, LC_ERR_IMAGE_RANGE},
                                                   {s::ERR_CHECKSUM, LC_ERR_CHECKSUM},
                                                   {s::ERR_BUS | s::ERR_IMAGE_RANGE, LC_ERR_BUS}};
  for (const auto& [bit, status] : cases) {
    MockHal m;
    m.fixed[R(s::REG_LOAD_CRC)] = crc;
    m.script[R(s::REG_ERROR)] = {0, 0, R(bit)};  // after reset, after the data, after commit
    EXPECT_EQ(lc_boot(&m.hal, words.data(), 1, crc), status);
    EXPECT_EQ(m.log.back(), (Access{'W', R(s::REG_ERROR), R(bit)})) << "RW1C: the bits read are written back";
  }
  MockHal nv;
  nv.fixed[R(s::REG_LOAD_CRC)] = crc;
  nv.fixed[R(s::REG_STATUS)] = 0;
  EXPECT_EQ(lc_boot(&nv.hal, words.data(), 1, crc), LC_ERR_NO_IMAGE);
  EXPECT_EQ(lc_boot(&nv.hal, nullptr, 1, crc), LC_ERR_ARGUMENT);
  EXPECT_EQ(lc_boot(&nv.hal, words.data(), 0, crc), LC_ERR_ARGUMENT);
}

TEST(FirmwareTest, StepPushesInputsRunsPollsAndDrains) {
  MockHal m;
  m.script[R(s::REG_STATUS)] = {3, 3, 2};  // busy twice
  m.fixed[R(s::REG_SPIKE_OUT_LEVEL)] = 2;
  const uint32_t step = (1u << 19) + 5;  // the 19-bit step field must be widened
  m.script[R(s::REG_SPIKE_OUT)] = {7u | 5u << 12 | 1u << 31, 4095u | 5u << 12 | 1u << 31};
  const lc_spike_in_t in[] = {{step, 1, 2, 300}, {step, 0, 0, 4}};
  std::vector<std::pair<uint32_t, uint32_t>> out;
  auto sink = [](void* user, uint32_t st, uint32_t ch) {
    static_cast<std::vector<std::pair<uint32_t, uint32_t>>*>(user)->push_back({st, ch});
  };
  ASSERT_EQ(lc_step(&m.hal, step, in, 2, sink, &out), LC_OK);
  EXPECT_EQ(out, (std::vector<std::pair<uint32_t, uint32_t>>{{step, 7}, {step, 4095}}));
  EXPECT_EQ(m.polls, 2u);
  const std::vector<Access> expected = {
      {'R', R(s::REG_SPIKE_IN_LEVEL), 0},
      {'W', R(s::REG_SPIKE_IN), 300u | 1u << 12 | 2u << 16},
      {'W', R(s::REG_SPIKE_IN), 4},
      {'R', R(s::REG_ERROR), 0},
      {'W', R(s::REG_RUN_STEPS), 1},
      {'R', R(s::REG_STATUS), 3},
      {'R', R(s::REG_STATUS), 3},
      {'R', R(s::REG_STATUS), 2},
      {'R', R(s::REG_SPIKE_OUT_LEVEL), 2},
      {'R', R(s::REG_SPIKE_OUT), 7u | 5u << 12 | 1u << 31},
      {'R', R(s::REG_SPIKE_OUT), 4095u | 5u << 12 | 1u << 31},
      {'R', R(s::REG_ERROR), 0},
  };
  EXPECT_EQ(m.log, expected);
}

TEST(FirmwareTest, TimeoutWhenBusyNeverClears) {
  MockHal m;
  m.fixed[R(s::REG_STATUS)] = 1;
  m.poll_limit = 5;
  EXPECT_EQ(lc_step(&m.hal, 0, nullptr, 0, nullptr, nullptr), LC_ERR_TIMEOUT);
  EXPECT_EQ(m.polls, 6u);  // iterations 0..5; the sixth answer is "give up"
  EXPECT_EQ(m.writes_to(R(s::REG_RUN_STEPS)), 1u);
}

TEST(FirmwareTest, InputFifoOverflowIsRefusedBeforeAnyPush) {
  MockHal m;
  m.fixed[R(s::REG_SPIKE_IN_LEVEL)] = R(s::HOST_SPIKE_FIFO_DEPTH) - 1;
  const lc_spike_in_t in[] = {{0, 0, 0, 1}, {0, 0, 0, 2}};
  EXPECT_EQ(lc_step(&m.hal, 0, in, 2, nullptr, nullptr), LC_ERR_SPIKE_IN_OVERFLOW);
  EXPECT_EQ(m.writes_to(R(s::REG_SPIKE_IN)), 0u);
  EXPECT_EQ(m.writes_to(R(s::REG_RUN_STEPS)), 0u);
}

TEST(FirmwareTest, ErrorsAfterPushOrRunBecomeStatuses) {
  {
    MockHal m;  // a packet to an axon the chip lacks: ERR_BUS after the pushes, no run
    m.script[R(s::REG_ERROR)] = {R(s::ERR_BUS)};
    const lc_spike_in_t in[] = {{0, 0, 0, 4000}};
    EXPECT_EQ(lc_step(&m.hal, 0, in, 1, nullptr, nullptr), LC_ERR_BUS);
    EXPECT_EQ(m.writes_to(R(s::REG_RUN_STEPS)), 0u);
  }
  {
    MockHal m;  // output FIFO overflow during the run: the spikes that came out are still delivered
    m.fixed[R(s::REG_SPIKE_OUT_LEVEL)] = 1;
    m.script[R(s::REG_SPIKE_OUT)] = {9u | 1u << 31};
    m.script[R(s::REG_ERROR)] = {R(s::ERR_SPIKE_OUT_OVERFLOW)};
    int got = 0;
    EXPECT_EQ(lc_step(
                  &m.hal, 0, nullptr, 0, [](void* u, uint32_t, uint32_t) { ++*static_cast<int*>(u); }, &got),
              LC_ERR_SPIKE_OUT_OVERFLOW);
    EXPECT_EQ(got, 1);
  }
  {
    MockHal m;
    m.script[R(s::REG_ERROR)] = {R(s::ERR_NOT_READY)};
    EXPECT_EQ(lc_step(&m.hal, 0, nullptr, 0, nullptr, nullptr), LC_ERR_NOT_READY);
  }
  {
    MockHal m;  // an empty FIFO read (valid bit 0) ends the drain early
    m.fixed[R(s::REG_SPIKE_OUT_LEVEL)] = 3;
    int got = 0;
    EXPECT_EQ(lc_step(
                  &m.hal, 0, nullptr, 0, [](void* u, uint32_t, uint32_t) { ++*static_cast<int*>(u); }, &got),
              LC_OK);
    EXPECT_EQ(got, 0);
  }
}

TEST(FirmwareTest, RunSplitsSortedInputsByStep) {
  MockHal m;
  m.fixed[R(s::REG_TIMESTEP)] = 2;
  const lc_spike_in_t in[] = {{2, 0, 0, 1}, {4, 0, 0, 2}, {4, 0, 0, 3}};
  ASSERT_EQ(lc_run(&m.hal, in, 3, 3, nullptr, nullptr), LC_OK);
  std::vector<uint32_t> pushes;
  for (const Access& a : m.log)
    if (a.op == 'W' && (a.addr == R(s::REG_SPIKE_IN) || a.addr == R(s::REG_RUN_STEPS)))
      pushes.push_back(a.addr == R(s::REG_RUN_STEPS) ? 0xFFFFFFFFu : a.value);
  EXPECT_EQ(pushes, (std::vector<uint32_t>{1, 0xFFFFFFFFu, 0xFFFFFFFFu, 2, 3, 0xFFFFFFFFu}));
  const lc_spike_in_t past[] = {{1, 0, 0, 1}};
  EXPECT_EQ(lc_run(&m.hal, past, 1, 1, nullptr, nullptr), LC_ERR_ARGUMENT);
}

TEST(FirmwareTest, CountersAndMemoryWindowEncodings) {
  MockHal m;
  m.script[R(s::REG_CNT_LO)] = {0xDEADBEEF, 7};
  m.script[R(s::REG_CNT_HI)] = {0x12, 0};
  uint64_t c[2];
  ASSERT_EQ(lc_read_counters(&m.hal, false, 5, 20, 2, c), LC_OK);
  EXPECT_EQ(c[0], 0x12DEADBEEFull);
  EXPECT_EQ(c[1], 7u);
  EXPECT_EQ(m.log[0], (Access{'W', R(s::REG_CNT_SEL), 20u | 5u << 5}));
  EXPECT_EQ(m.log[3], (Access{'W', R(s::REG_CNT_SEL), 21u | 5u << 5}));
  MockHal k;
  ASSERT_EQ(lc_read_counters(&k.hal, true, 9, 2, 1, c), LC_OK);
  EXPECT_EQ(k.log[0], (Access{'W', R(s::REG_CNT_SEL), 2u | 1u << s::CNT_SEL_CHIP_BIT}));

  MockHal w;
  w.script[R(s::REG_MEM_DATA)] = {10, 11, 12};
  uint32_t mem[3];
  ASSERT_EQ(lc_read_memory(&w.hal, 3, R(s::MEM_TRACE), 4096, 3, mem), LC_OK);
  EXPECT_EQ(w.log[0], (Access{'W', R(s::REG_MEM_SEL), 4096u | R(s::MEM_TRACE) << 16 | 3u << 20}));
  EXPECT_EQ(w.writes_to(R(s::REG_MEM_SEL)), 1u) << "one selection, then the address auto-increments";
  EXPECT_EQ(std::vector<uint32_t>(mem, mem + 3), (std::vector<uint32_t>{10, 11, 12}));
  EXPECT_EQ(lc_read_memory(&w.hal, 0, 4, 0xFFFF, 2, mem), LC_ERR_ARGUMENT);
  MockHal b;
  b.script[R(s::REG_ERROR)] = {R(s::ERR_BUS)};
  EXPECT_EQ(lc_read_memory(&b.hal, 0, 4, 0, 1, mem), LC_ERR_BUS);
}

TEST(FirmwareTest, LearningAndCounterClearKeepTheOtherCtrlBits) {
  MockHal m;
  ASSERT_EQ(lc_set_learning(&m.hal, true), LC_OK);
  EXPECT_EQ(m.log[0], (Access{'W', R(s::REG_CTRL), 2}));
  m.log.clear();
  m.fixed[R(s::REG_CTRL)] = 2;
  ASSERT_EQ(lc_clear_counters(&m.hal), LC_OK);
  EXPECT_EQ(m.log[1], (Access{'W', R(s::REG_CTRL), 2 | 4}));
}

TEST(FirmwareTest, StatusNamesAreDistinct) {
  std::set<std::string> names;
  for (int st = LC_OK; st <= LC_ERR_NO_IMAGE; ++st)
    names.insert(lc_status_name(static_cast<lc_status_t>(st)));
  EXPECT_EQ(names.size(), static_cast<std::size_t>(LC_ERR_NO_IMAGE + 1));
  EXPECT_STREQ(lc_status_name(static_cast<lc_status_t>(99)), "unknown status");
  const lc_hal_t broken{nullptr, nullptr, nullptr, nullptr};
  EXPECT_EQ(lc_reset(&broken), LC_ERR_ARGUMENT);
}

}  // namespace
}  // namespace lifchip
