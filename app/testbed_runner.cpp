#include "app/testbed_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "app/testbed_network.h"

namespace app::testbed {
namespace {

volatile std::sig_atomic_t g_stop_signal = 0;

void on_signal(int sig) { g_stop_signal = sig; }

// Catches the signals that end a run while it lives; restores the old ones.
class SignalGuard {
 public:
  SignalGuard() {
    struct sigaction act {};
    act.sa_handler = on_signal;
    sigemptyset(&act.sa_mask);
    for (std::size_t i = 0; i < 3; ++i) sigaction(kSignals[i], &act, &old_[i]);
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ignore, &old_pipe_);
  }
  ~SignalGuard() {
    for (std::size_t i = 0; i < 3; ++i) sigaction(kSignals[i], &old_[i], nullptr);
    sigaction(SIGPIPE, &old_pipe_, nullptr);
  }
  static void check() {
    if (g_stop_signal != 0) throw Interrupted(g_stop_signal);
  }

 private:
  static constexpr int kSignals[3] = {SIGINT, SIGTERM, SIGHUP};
  struct sigaction old_[3]{};
  struct sigaction old_pipe_ {};
};

std::int64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// The node processes; killed by id and waited for when it goes.
class Nodes {
 public:
  struct Node {
    pid_t pid = -1;
    int in = -1, out = -1;  // its standard input (we write), output (we read)
    std::string buffer;     // output not yet split into lines
    std::vector<std::string> lines;
    bool closed = false;
  };
  ~Nodes() {
    for (Node& n : nodes_) {
      if (n.in >= 0) ::close(n.in);
      if (n.out >= 0) ::close(n.out);
      if (n.pid > 0) ::kill(n.pid, SIGKILL);
    }
    for (Node& n : nodes_) {
      if (n.pid > 0) {
        while (::waitpid(n.pid, nullptr, 0) < 0 && errno == EINTR) {
        }
      }
    }
  }
  void start(const std::string& ns, const std::string& plan_file, int rank) {
    int to_child[2], from_child[2];
    if (::pipe2(to_child, O_CLOEXEC) != 0 || ::pipe2(from_child, O_CLOEXEC) != 0) {
      throw std::runtime_error("pipe failed");
    }
    const std::string netns = "/run/netns/" + ns, rank_text = std::to_string(rank);
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {  // only async-signal-safe calls until exec
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(1);
      // Real-time priority: the other programs of the machine do not delay
      // a node's next send (the nodes block on the network, never spin).
      sched_param priority{};
      priority.sched_priority = 10;
      ::sched_setscheduler(0, SCHED_FIFO, &priority);
      const int fd = ::open(netns.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0 || ::setns(fd, CLONE_NEWNET) != 0) ::_exit(1);
      ::dup2(to_child[0], 0);
      ::dup2(from_child[1], 1);
      const char* argv[] = {"syncsim", "testbed-node", plan_file.c_str(), rank_text.c_str(),
                            nullptr};
      ::execv("/proc/self/exe", const_cast<char* const*>(argv));
      ::_exit(127);
    }
    ::close(to_child[0]);
    ::close(from_child[1]);
    nodes_.push_back({pid, to_child[1], from_child[0], {}, {}, false});
  }
  // Reads what the nodes print until every one has printed `line` (each
  // node's lines are kept); throws past the deadline, if a node ends first,
  // or on a signal.
  void await(const std::string& line, std::int64_t deadline_ns) {
    for (;;) {
      SignalGuard::check();
      std::vector<pollfd> fds;
      std::vector<Node*> who;
      bool all = true;
      for (Node& n : nodes_) {
        const bool has = !n.lines.empty() && n.lines.back() == line;
        all = all && has;
        if (!has) {
          if (n.closed)
            throw std::runtime_error("a testbed node ended early (see its message above)");
          fds.push_back({n.out, POLLIN, 0});
          who.push_back(&n);
        }
      }
      if (all) return;
      if (monotonic_ns() > deadline_ns) throw std::runtime_error("the testbed nodes timed out");
      const int ready = ::poll(fds.data(), fds.size(), 100);
      if (ready < 0 && errno != EINTR) throw std::runtime_error("poll failed");
      for (std::size_t i = 0; ready > 0 && i < fds.size(); ++i) {
        if (fds[i].revents == 0) continue;
        char chunk[4096];
        const ssize_t got = ::read(fds[i].fd, chunk, sizeof chunk);
        if (got <= 0) {
          who[i]->closed = got == 0;
          continue;
        }
        who[i]->buffer.append(chunk, static_cast<std::size_t>(got));
        for (std::size_t nl; (nl = who[i]->buffer.find('\n')) != std::string::npos;) {
          who[i]->lines.push_back(who[i]->buffer.substr(0, nl));
          who[i]->buffer.erase(0, nl + 1);
        }
      }
    }
  }
  void tell_all(const std::string& line) {
    for (Node& n : nodes_) {
      const std::string text = line + "\n";
      if (::write(n.in, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
        throw std::runtime_error("a testbed node stopped listening");
      }
    }
  }
  // Waits for every node to exit; throws unless all exited 0.
  void join(std::int64_t deadline_ns) {
    for (Node& n : nodes_) {
      int status = 0;
      for (;;) {
        SignalGuard::check();
        const pid_t r = ::waitpid(n.pid, &status, WNOHANG);
        if (r == n.pid) break;
        if (monotonic_ns() > deadline_ns) throw std::runtime_error("a testbed node did not exit");
        ::usleep(20'000);
      }
      n.pid = -1;
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        throw std::runtime_error("a testbed node failed (see its message above)");
      }
    }
  }
  const Node& node(std::size_t i) const { return nodes_[i]; }

 private:
  std::vector<Node> nodes_;
};

OpTimes parse_times(const Plan& plan, const Nodes& nodes) {
  OpTimes times(plan.ops.size());
  for (std::size_t h = 0; h < plan.ops.size(); ++h) {
    times[h].assign(plan.ops[h].size(), 0);
    std::size_t seen = 0;
    for (const std::string& line : nodes.node(h).lines) {
      std::istringstream in(line);
      std::string word;
      std::size_t i = 0;
      std::int64_t ns = 0;
      if (!(in >> word >> i >> ns) || word != "t") continue;
      if (i >= times[h].size()) throw std::runtime_error("a testbed node reported an unknown op");
      times[h][i] = ns;
      ++seen;
    }
    if (seen != times[h].size()) throw std::runtime_error("a testbed node reported too few times");
  }
  return times;
}

}  // namespace

OpTimes run_plan(const topology::Topology& topo, const Plan& plan,
                 const std::filesystem::path& scratch, double time_limit_s) {
  g_stop_signal = 0;
  SignalGuard signals;
  remove_stale_testbeds();
  const std::filesystem::path plan_file = scratch / (".testbed-plan-" + std::to_string(::getpid()));
  {
    std::ofstream out(plan_file);
    write_plan(out, plan);
    if (!out) throw std::runtime_error("cannot write " + plan_file.string());
  }
  struct RemoveFile {
    std::filesystem::path path;
    ~RemoveFile() {
      std::error_code ec;
      std::filesystem::remove(path, ec);
    }
  } remove_plan{plan_file};
  Network network(topo);  // declared before the nodes: they go first
  SignalGuard::check();
  Nodes nodes;
  for (int h = 0; h < network.hosts(); ++h)
    nodes.start(network.host_namespace(h), plan_file.string(), h);
  nodes.await("ready", monotonic_ns() + 60'000'000'000);
  const std::int64_t t0 = monotonic_ns() + 200'000'000;  // every node asleep till then
  nodes.tell_all("go " + std::to_string(t0));
  nodes.await("done", t0 + static_cast<std::int64_t>(time_limit_s * 1e9));
  OpTimes times = parse_times(plan, nodes);
  nodes.tell_all("quit");
  nodes.join(monotonic_ns() + 10'000'000'000);
  return times;
}

}  // namespace app::testbed
