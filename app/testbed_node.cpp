#include "app/testbed_node.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "app/testbed_plan.h"

namespace app::testbed {
namespace {

std::int64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error(what + (errno ? std::string(": ") + std::strerror(errno) : ""));
}

void write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail("send");
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

// False at a clean end of stream before the first byte.
bool read_all(int fd, char* data, std::size_t size) {
  std::size_t got = 0;
  while (got < size) {
    const ssize_t n = ::recv(fd, data + got, size - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0 && got == 0) return false;
    if (n <= 0) fail("receive");
    got += static_cast<std::size_t>(n);
  }
  return true;
}

struct Header {
  std::uint64_t message;
  std::uint64_t bytes;
};

// Before the start, every connection carries one warm-up message of this
// many bytes: the connection leaves slow start and its windows grow, so the
// replay's first message on a connection is sent as its later ones are.
// (On the 8-host Rabenseifner this changed the run's time by under 1%.)
// Its number is never a recorded one.
constexpr std::uint64_t kWarmupMessage = ~std::uint64_t{0};
constexpr std::uint64_t kWarmupBytes = 512 * 1024;

// Arrivals, filled by the receiver threads, awaited by the replay.
class Arrivals {
 public:
  void arrived(std::uint64_t message, std::int64_t at) {
    std::lock_guard lock(mutex_);
    times_[message] = at;
    changed_.notify_all();
  }
  void warmed() {
    std::lock_guard lock(mutex_);
    ++warmed_;
    changed_.notify_all();
  }
  // Until `count` warm-up messages have arrived; throws as wait() does.
  void wait_warm(std::size_t count, std::int64_t deadline_ns) {
    std::unique_lock lock(mutex_);
    while (warmed_ < count) {
      if (!error_.empty()) throw std::runtime_error(error_);
      if (monotonic_ns() > deadline_ns) throw std::runtime_error("the warm-up never arrived");
      changed_.wait_for(lock, std::chrono::milliseconds(100));
    }
  }
  void failed(const std::string& why) {
    std::lock_guard lock(mutex_);
    error_ = why;
    changed_.notify_all();
  }
  // Throws if a receiver failed or nothing arrived by `deadline_ns`.
  std::int64_t wait(std::uint64_t message, std::int64_t deadline_ns) {
    std::unique_lock lock(mutex_);
    while (!times_.count(message)) {
      if (!error_.empty()) throw std::runtime_error(error_);
      if (monotonic_ns() > deadline_ns) {
        throw std::runtime_error("message " + std::to_string(message) + " never arrived");
      }
      changed_.wait_for(lock, std::chrono::milliseconds(100));
    }
    return times_[message];
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::uint64_t, std::int64_t> times_;
  std::size_t warmed_ = 0;
  std::string error_;
};

// One outgoing connection: messages are written in the order queued.
class Sender {
 public:
  explicit Sender(int fd) : fd_(fd), thread_([this] { loop(); }) {}
  ~Sender() {
    {
      std::lock_guard lock(mutex_);
      closing_ = true;
      changed_.notify_all();
    }
    thread_.join();
  }
  void queue(const Header& h) {
    std::lock_guard lock(mutex_);
    queue_.push_back(h);
    changed_.notify_all();
  }
  std::string error() {
    std::lock_guard lock(mutex_);
    return error_;
  }
  // Until every queued message is written (or writing failed).
  void wait_idle() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return (queue_.empty() && !writing_) || !error_.empty(); });
    if (!error_.empty()) throw std::runtime_error(error_);
  }

 private:
  void loop() {
    static const std::vector<char> zeros(1 << 20, 0);
    for (;;) {
      Header h{};
      {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return closing_ || !queue_.empty(); });
        if (queue_.empty()) return;
        h = queue_.front();
        queue_.pop_front();
        writing_ = true;
      }
      try {
        write_all(fd_, reinterpret_cast<const char*>(&h), sizeof h);
        for (std::uint64_t left = h.bytes; left > 0;) {
          const std::size_t n = std::min<std::uint64_t>(left, zeros.size());
          write_all(fd_, zeros.data(), n);
          left -= n;
        }
      } catch (const std::exception& e) {
        std::lock_guard lock(mutex_);
        error_ = e.what();
        changed_.notify_all();
        return;
      }
      std::lock_guard lock(mutex_);
      writing_ = false;
      changed_.notify_all();
    }
  }

  int fd_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Header> queue_;
  bool closing_ = false;
  bool writing_ = false;
  std::string error_;
  std::thread thread_;  // last: starts once the members above exist
};

void receive_loop(int fd, Arrivals& arrivals, const std::atomic<std::int64_t>& t0) {
  std::vector<char> scratch(1 << 20);
  try {
    for (;;) {
      Header h{};
      if (!read_all(fd, reinterpret_cast<char*>(&h), sizeof h)) return;
      for (std::uint64_t left = h.bytes; left > 0;) {
        const std::size_t n = std::min<std::uint64_t>(left, scratch.size());
        read_all(fd, scratch.data(), n);
        left -= n;
      }
      if (h.message == kWarmupMessage) {
        arrivals.warmed();
      } else {
        arrivals.arrived(h.message, monotonic_ns() - t0.load());
      }
    }
  } catch (const std::exception& e) {
    arrivals.failed(e.what());
  }
}

int connect_to(int rank, int me, std::int64_t deadline_ns) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(kNodePort);
  inet_pton(AF_INET, host_address(rank).c_str(), &addr.sin_addr);
  for (;;) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) fail("socket");
    // CUBIC, not the machine's default (BBR here): with BBR the calibration's
    // 4 MiB transfers on the 4-host star ran 5-60% slower and varied from
    // run to run (docs/testbed.md).
    if (setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, kCongestionControl,
                   std::strlen(kCongestionControl)) != 0) {
      fail(std::string("congestion control ") + kCongestionControl);
    }
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
      const int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      const std::int32_t hello = me;
      write_all(fd, reinterpret_cast<const char*>(&hello), sizeof hello);
      return fd;
    }
    ::close(fd);
    if (monotonic_ns() > deadline_ns) fail("cannot connect to host " + std::to_string(rank));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

int listen_socket() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) fail("socket");
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(kNodePort);
  addr.sin_addr.s_addr = htonl(INADDR_ANY);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) fail("bind");
  if (::listen(fd, 1024) != 0) fail("listen");
  return fd;
}

// A connection idle for longer than its retransmission timeout would start
// again from slow start; the replay's connections keep their window instead
// (the setting belongs to this node's namespace only).
void keep_window_when_idle() {
  std::ofstream sysctl("/proc/sys/net/ipv4/tcp_slow_start_after_idle");
  sysctl << "0\n";
  if (!sysctl) fail("cannot set tcp_slow_start_after_idle");
}

int replay(const Plan& plan, int rank) {
  keep_window_when_idle();
  const std::vector<Op>& ops = plan.ops.at(static_cast<std::size_t>(rank));
  std::set<int> to, from;
  for (const Op& op : ops) {
    if (op.kind == Op::Kind::send) to.insert(op.peer);
    if (op.kind == Op::Kind::receive) from.insert(op.peer);
  }
  const int listener = listen_socket();
  const std::int64_t setup_deadline = monotonic_ns() + 30'000'000'000;
  std::map<int, std::unique_ptr<Sender>> senders;
  std::vector<int> fds;
  for (int peer : to) {
    fds.push_back(connect_to(peer, rank, setup_deadline));
    senders[peer] = std::make_unique<Sender>(fds.back());
  }
  std::vector<int> incoming;
  for (std::size_t i = 0; i < from.size(); ++i) {
    const int fd = ::accept(listener, nullptr, nullptr);
    if (fd < 0) fail("accept");
    std::int32_t hello = -1;
    if (!read_all(fd, reinterpret_cast<char*>(&hello), sizeof hello)) fail("no hello");
    incoming.push_back(fd);
  }
  std::atomic<std::int64_t> t0{0};
  Arrivals arrivals;
  std::vector<std::thread> receivers;
  for (int fd : incoming)
    receivers.emplace_back(receive_loop, fd, std::ref(arrivals), std::cref(t0));
  for (auto& [peer, sender] : senders) sender->queue({kWarmupMessage, kWarmupBytes});
  for (auto& [peer, sender] : senders) sender->wait_idle();
  arrivals.wait_warm(incoming.size(), setup_deadline);
  std::cout << "ready" << std::endl;
  std::string word;
  std::int64_t go = 0;
  if (!(std::cin >> word >> go) || word != "go") throw std::runtime_error("no go from the testbed");
  t0.store(go);

  const timespec start{static_cast<time_t>(go / 1'000'000'000),
                       static_cast<long>(go % 1'000'000'000)};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &start, nullptr) == EINTR) {
  }
  // A generous bound: a node that waits this long is stuck, not slow.
  const std::int64_t deadline = go + 600'000'000'000;
  std::vector<std::int64_t> times;
  for (const Op& op : ops) {
    switch (op.kind) {
      case Op::Kind::compute: {
        times.push_back(monotonic_ns() - go);
        std::this_thread::sleep_for(std::chrono::nanoseconds(op.duration));
        break;
      }
      case Op::Kind::send:
        times.push_back(monotonic_ns() - go);
        senders.at(op.peer)->queue({op.message, static_cast<std::uint64_t>(op.bytes)});
        break;
      case Op::Kind::receive:
        times.push_back(arrivals.wait(op.message, deadline));
        break;
    }
  }
  for (auto& [peer, sender] : senders) {
    if (!sender->error().empty()) throw std::runtime_error(sender->error());
  }
  for (std::size_t i = 0; i < times.size(); ++i) std::cout << "t " << i << ' ' << times[i] << '\n';
  std::cout << "done" << std::endl;
  std::cin >> word;  // "quit", or the end of input
  senders.clear();   // every queued message written
  for (int fd : fds) ::shutdown(fd, SHUT_WR);
  for (int fd : incoming) ::shutdown(fd, SHUT_RDWR);
  for (std::thread& t : receivers) t.join();
  for (int fd : fds) ::close(fd);
  for (int fd : incoming) ::close(fd);
  ::close(listener);
  return 0;
}

}  // namespace

std::string host_address(int rank) {
  return "10.77." + std::to_string(rank / 250) + "." + std::to_string(rank % 250 + 1);
}

int node_main(const std::string& plan_file, int rank) {
  try {
    std::ifstream in(plan_file);
    if (!in) throw std::runtime_error("cannot read " + plan_file);
    const Plan plan = read_plan(in);
    if (rank < 0 || rank >= plan.hosts) throw std::runtime_error("no such host");
    return replay(plan, rank);
  } catch (const std::exception& e) {
    std::cerr << "testbed-node " << rank << ": " << e.what() << '\n';
    return 1;
  }
}

}  // namespace app::testbed
