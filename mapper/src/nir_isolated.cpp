// Reading a NIR file in a child process (nir_file.h, docs/reliability.md "NIR files and libhdf5").
// libhdf5 1.10.8, Debian 12's, is not robust against corrupt files: coverage-guided fuzzing keeps
// finding inputs that make it read through a null pointer or allocate a size it never checked. The
// reader's own checks (nir_file.cpp) stop the classes we know; this file stops the rest: a reader
// process, forked at the first read and again after it died, reads each file and sends the tree back
// over a socket, so a libhdf5 crash, runaway allocation or endless loop ends that process, and this
// one reports one InputError naming the file.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <stdexcept>

#include "lifchip/image.h"  // InputError
#include "nir_file.h"

// Set by AddressSanitizer and libFuzzer's runtime (null in a normal build): a fuzzer's death
// callback would save the input as a finding from the child too, so the child clears it.
extern "C" void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

namespace lifchip::mapper::nir {

namespace {

// CPU time the reader may use per file: reading the largest legal file takes a few seconds;
// libhdf5 looping on a corrupt file is stopped by SIGXCPU, without a wall clock.
constexpr rlim_t kChildCpuSeconds = 300;

// ---- The tree as bytes (child to parent; both sides are this file) ----------------------------

void put_u64(std::string& out, uint64_t v) { out.append(reinterpret_cast<const char*>(&v), sizeof v); }

void put_str(std::string& out, const std::string& s) {
  put_u64(out, s.size());
  out += s;
}

void put_field(std::string& out, const Field& f) {
  out.push_back(static_cast<char>(f.kind));
  put_u64(out, f.shape.size());
  for (uint64_t d : f.shape) put_u64(out, d);
  put_u64(out, f.numbers.size());
  out.append(reinterpret_cast<const char*>(f.numbers.data()), f.numbers.size() * sizeof(double));
  put_u64(out, f.strings.size());
  for (const std::string& s : f.strings) put_str(out, s);
  put_str(out, f.type_class);
}

void put_node(std::string& out, const Node& n) {
  put_str(out, n.name);
  put_str(out, n.path);
  put_str(out, n.type);
  put_u64(out, n.fields.size());
  for (const auto& [key, f] : n.fields) {
    put_str(out, key);
    put_field(out, f);
  }
  put_u64(out, n.nodes.size());
  for (const Node& c : n.nodes) put_node(out, c);
  put_u64(out, n.edges.size());
  for (const auto& [a, b] : n.edges) {
    put_str(out, a);
    put_str(out, b);
  }
}

// Reads what put_* wrote. The bytes come from our own child, so a short or inconsistent message is
// an internal error (a child killed half-way is caught before: by its exit status).
class Cursor {
 public:
  explicit Cursor(const std::string& bytes) : s_(bytes) {}
  uint64_t u64() {
    need(sizeof(uint64_t));
    uint64_t v;
    std::memcpy(&v, s_.data() + at_, sizeof v);
    at_ += sizeof v;
    return v;
  }
  // A count of items each at least `item_bytes` long: bounded by the bytes left.
  uint64_t count(uint64_t item_bytes) {
    const uint64_t n = u64();
    if (n > (s_.size() - at_) / item_bytes) bad();
    return n;
  }
  std::string str() {
    const uint64_t n = count(1);
    std::string v = s_.substr(at_, n);
    at_ += n;
    return v;
  }
  unsigned char byte() {
    need(1);
    return static_cast<unsigned char>(s_[at_++]);
  }
  void doubles(std::vector<double>& out) {
    const uint64_t n = count(sizeof(double));
    out.resize(n);
    if (n > 0) std::memcpy(out.data(), s_.data() + at_, n * sizeof(double));
    at_ += n * sizeof(double);
  }
  bool done() const { return at_ == s_.size(); }
  [[noreturn]] static void bad() {
    throw std::logic_error("NIR reader: malformed tree from the child process");
  }

 private:
  void need(uint64_t n) const {
    if (s_.size() - at_ < n) bad();
  }
  const std::string& s_;
  std::size_t at_ = 0;
};

Field get_field(Cursor& c) {
  Field f;
  const unsigned char kind = c.byte();
  if (kind > static_cast<unsigned char>(Field::Kind::kOther)) Cursor::bad();
  f.kind = static_cast<Field::Kind>(kind);
  f.shape.resize(c.count(sizeof(uint64_t)));
  for (uint64_t& d : f.shape) d = c.u64();
  c.doubles(f.numbers);
  f.strings.resize(c.count(sizeof(uint64_t)));
  for (std::string& s : f.strings) s = c.str();
  f.type_class = c.str();
  return f;
}

Node get_node(Cursor& c, int depth) {
  if (depth > 2 * kMaxNestingDepth) Cursor::bad();  // the child refuses deeper graphs itself
  Node n;
  n.name = c.str();
  n.path = c.str();
  n.type = c.str();
  for (uint64_t k = c.count(2 * sizeof(uint64_t)); k > 0; --k) {
    std::string key = c.str();
    n.fields.emplace(std::move(key), get_field(c));
  }
  for (uint64_t k = c.count(3 * sizeof(uint64_t)); k > 0; --k) n.nodes.push_back(get_node(c, depth + 1));
  for (uint64_t k = c.count(2 * sizeof(uint64_t)); k > 0; --k) {
    std::string a = c.str();
    n.edges.emplace_back(std::move(a), c.str());
  }
  return n;
}

// ---- The child -------------------------------------------------------------------------------

// The child's one message: 'F' + the tree, 'E' + an InputError's text, 'M' (out of memory) or
// 'X' + another exception's text.
std::string child_message(const std::string& path) {
  try {
    const File f = read_file_in_process(path);
    std::string out = "F";
    out.push_back(f.has_version ? 1 : 0);
    put_str(out, f.version);
    put_node(out, f.root);
    return out;
  } catch (const InputError& e) {
    return std::string("E") + e.what();
  } catch (const std::bad_alloc&) {
    return "M";
  } catch (const std::exception& e) {
    return std::string("X") + e.what();
  } catch (...) {
    return "X(an exception of unknown type)";
  }
}

// Whole messages over the socket: false when the other side has gone (EOF or an error).
bool send_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);  // no SIGPIPE if the reader has died
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

// A reader that neither answers nor dies (a deadlock: no CPU time used, so RLIMIT_CPU never fires)
// is given this long in all, then killed.
constexpr int kReplyWallSeconds = 900;

bool recv_all(int fd, char* data, std::size_t size, const std::chrono::steady_clock::time_point* deadline) {
  while (size > 0) {
    if (deadline) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - std::chrono::steady_clock::now());
      pollfd p{fd, POLLIN, 0};
      const int r = left.count() <= 0 ? 0 : ::poll(&p, 1, static_cast<int>(left.count()));
      if (r < 0 && errno == EINTR) continue;
      if (r == 0) {
        errno = ETIMEDOUT;
        return false;
      }
    }
    const ssize_t n = ::recv(fd, data, size, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

bool send_message(int fd, const std::string& msg) {
  const uint64_t n = msg.size();
  return send_all(fd, reinterpret_cast<const char*>(&n), sizeof n) && send_all(fd, msg.data(), msg.size());
}

bool recv_message(int fd, std::string& msg, const std::chrono::steady_clock::time_point* deadline = nullptr) {
  uint64_t n = 0;
  if (!recv_all(fd, reinterpret_cast<char*>(&n), sizeof n, deadline)) return false;
  msg.resize(n);
  return recv_all(fd, msg.data(), n, deadline);
}

// The reader process: one path in, one message out, until the socket closes (this process exits or
// closes it). Each read may take at most kChildCpuSeconds more CPU time.
[[noreturn]] void serve(int fd) {
  // A crash ends the reader with its signal: no handler of the parent's (a sanitizer's report, a
  // fuzzer saving its input as a finding) runs here.
  for (int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGSYS, SIGXCPU}) ::signal(sig, SIG_DFL);
  if (__sanitizer_set_death_callback) __sanitizer_set_death_callback(nullptr);
  // Only the socket stays open: the reader holds none of the parent's files, sockets or pipes (a
  // test runner waiting for its output pipe to close is not kept waiting by it).
  if (fd != 3) {
    ::dup3(fd, 3, O_CLOEXEC);
    ::close(fd);
    fd = 3;
  }
  ::close_range(4, ~0U, 0);
  std::string path;
  while (recv_message(fd, path)) {
    rlimit cpu{};
    rusage used{};
    if (::getrlimit(RLIMIT_CPU, &cpu) == 0 && ::getrusage(RUSAGE_SELF, &used) == 0) {
      const rlim_t want = static_cast<rlim_t>(used.ru_utime.tv_sec + used.ru_stime.tv_sec) + kChildCpuSeconds;
      if (cpu.rlim_max == RLIM_INFINITY || want <= cpu.rlim_max) {
        cpu.rlim_cur = want;
        ::setrlimit(RLIMIT_CPU, &cpu);
      }
    }
    if (!send_message(fd, child_message(path))) break;
  }
  ::_exit(0);  // no atexit handlers, no flushing of the parent's stdio buffers a second time
}

std::string signal_text(int sig) {
  switch (sig) {
    case SIGSEGV:
      return "signal 11, SIGSEGV: an invalid memory access";
    case SIGBUS:
      return "SIGBUS: an invalid memory access";
    case SIGABRT:
      return "SIGABRT: an aborted library check";
    case SIGXCPU:
      return "SIGXCPU: more than " + std::to_string(kChildCpuSeconds) + " s of CPU time, a loop?";
    case SIGKILL:
      return "SIGKILL: out of memory?";
    default:
      return "signal " + std::to_string(sig);
  }
}

bool in_process_requested() {
  const char* v = std::getenv("LIFCHIP_NIR_IN_PROCESS");
  return v && *v && std::strcmp(v, "0") != 0;
}

// The one reader process of this process, started at the first read and again after it died.
// Reads are one at a time (libhdf5's serial build is not thread-safe anyway).
class ReaderProcess {
 public:
  // The reply message, or throws the InputError of a reader that died on this file.
  // `ok` is false when no reader process could be started.
  std::string read(const std::string& path, bool& ok) {
    const std::lock_guard<std::mutex> lock(mutex_);
    ok = running_locked();
    if (!ok) return {};
    std::string reply;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(kReplyWallSeconds);
    if (send_message(fd_, path) && recv_message(fd_, reply, &deadline) && !reply.empty()) return reply;
    const bool timed_out = errno == ETIMEDOUT;
    if (timed_out) ::kill(pid_, SIGKILL);
    ::close(fd_);  // the reader died on this file: why, from its exit status
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    const std::string failed = path + ": HDF5 error (corrupt file?): libhdf5 stopped reading it (";
    const std::string isolated = "; NIR files are read in a separate process, docs/reliability.md)";
    if (timed_out)
      throw InputError(failed + "no answer in " + std::to_string(kReplyWallSeconds) + " s" + isolated);
    if (WIFSIGNALED(status)) throw InputError(failed + signal_text(WTERMSIG(status)) + isolated);
    throw InputError(failed + "exit status " + std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) +
                     isolated);
  }

  void start() {
    const std::lock_guard<std::mutex> lock(mutex_);
    running_locked();
  }

 private:
  // Starts the reader unless this process has one: false when none could be started.
  bool running_locked() {
    if (pid_ > 0 && owner_ != ::getpid()) forget();  // a fork()ed copy of us: start our own reader
    return pid_ > 0 || start_locked();
  }

  bool start_locked() {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) return false;
    std::fflush(nullptr);  // nothing buffered is written twice
    const pid_t pid = ::fork();
    if (pid < 0) {
      ::close(fds[0]);
      ::close(fds[1]);
      return false;
    }
    if (pid == 0) {
      ::close(fds[0]);
      serve(fds[1]);
    }
    ::close(fds[1]);
    pid_ = pid;
    fd_ = fds[0];
    owner_ = ::getpid();
    return true;
  }
  void forget() {  // in a fork()ed copy: the reader belongs to the original process
    ::close(fd_);
    pid_ = -1;
  }

  std::mutex mutex_;
  pid_t pid_ = -1, owner_ = 0;
  int fd_ = -1;
};

ReaderProcess& reader_process() {
  static ReaderProcess* const reader = new ReaderProcess;  // never destroyed: the reader exits with us
  return *reader;
}

}  // namespace

void start_reader() {
  if (!in_process_requested()) reader_process().start();
}

File read_file(const std::string& path) {
  if (in_process_requested()) return read_file_in_process(path);
  bool ok = false;
  const std::string msg = reader_process().read(path, ok);
  if (!ok) return read_file_in_process(path);  // no process to spare: read here, as without isolation
  switch (msg[0]) {
    case 'E':
      throw InputError(msg.substr(1));
    case 'M':
      throw InputError(path + ": out of memory reading the file (a corrupt size?)");
    case 'X':
      throw std::runtime_error(msg.substr(1));
    case 'F':
      break;
    default:
      Cursor::bad();
  }
  Cursor c(msg);
  c.byte();  // 'F'
  File f;
  f.has_version = c.byte() != 0;
  f.version = c.str();
  f.root = get_node(c, 0);
  if (!c.done()) Cursor::bad();
  return f;
}

}  // namespace lifchip::mapper::nir
