#include "app/testbed_network.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "app/testbed_node.h"

namespace app::testbed {
namespace {

// Runs a tool (ip, tc) and returns its exit status and what it printed.
std::pair<int, std::string> run_tool(const std::vector<std::string>& args) {
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::dup2(pipe_fds[1], 1);
    ::dup2(pipe_fds[1], 2);
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  std::string output;
  char buffer[512];
  for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    output.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(pipe_fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return {WIFEXITED(status) ? WEXITSTATUS(status) : 128, output};
}

std::string joined(const std::vector<std::string>& args) {
  std::string text;
  for (const std::string& a : args) text += (text.empty() ? "" : " ") + a;
  return text;
}

void must(const std::vector<std::string>& args) {
  const auto [status, output] = run_tool(args);
  if (status != 0) {
    std::string why = output;
    while (!why.empty() && why.back() == '\n') why.pop_back();
    throw SetupError("'" + joined(args) + "' failed: " + why);
  }
}

const char* const kPrefix = "sstb";
const char* const kNetnsDir = "/run/netns";

void shape(const std::string& ns, const std::string& dev, double bytes_per_s) {
  // A queue of 2 ms at the rate (tbf's `latency`, on top of the bucket):
  // many times the bandwidth-delay product of a veth hop, so one flow keeps
  // the link busy, and short enough that a flow's round trip, and with it
  // its recovery from a loss, stays short. With 50 ms the calibration's
  // 4 MiB transfers on the 4-host star ran 20% slower (docs/testbed.md).
  const auto bits = static_cast<long long>(std::llround(bytes_per_s * 8));
  must({"tc", "-n", ns, "qdisc", "add", "dev", dev, "root", "tbf", "rate",
        std::to_string(bits) + "bit", "burst", std::to_string(tbf_burst_bytes(bytes_per_s)),
        "latency", "2ms"});
}

}  // namespace

std::string missing_features() {
  if (::geteuid() != 0) return "the testbed needs root (it creates network namespaces)";
  for (const char* tool : {"ip", "tc"}) {
    if (run_tool({"sh", "-c", std::string("command -v ") + tool}).first != 0) {
      return std::string("the testbed needs '") + tool + "' (Debian package iproute2)";
    }
  }
  if (!std::filesystem::exists("/proc/self/ns/net")) return "this kernel has no network namespaces";
  std::ifstream available("/proc/sys/net/ipv4/tcp_available_congestion_control");
  std::string name;
  bool cubic = false;
  while (available >> name) cubic = cubic || name == kCongestionControl;
  if (!cubic) {
    return std::string("the testbed needs TCP congestion control '") + kCongestionControl +
           "' (modprobe tcp_" + kCongestionControl + ")";
  }
  return "";
}

std::int64_t tbf_burst_bytes(double bytes_per_s) {
  // One millisecond at the rate, and never under 16 KiB (a few full-size
  // frames): smaller buckets cost throughput, larger ones let a transfer's
  // first bytes through faster than the rate.
  return std::max<std::int64_t>(16 * 1024, std::llround(bytes_per_s / 1000));
}

void remove_stale_testbeds() {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(kNetnsDir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(kPrefix, 0) != 0) continue;
    const std::string digits = name.substr(4, name.find('-') - 4);
    if (digits.empty() || !std::all_of(digits.begin(), digits.end(), ::isdigit)) continue;
    const pid_t owner = static_cast<pid_t>(std::stol(digits));
    if (::kill(owner, 0) == 0 || errno != ESRCH) continue;
    run_tool({"ip", "netns", "delete", name});
  }
}

void check_buildable(const topology::Topology& topo) {
  int switches = 0, switch_links = 0;
  for (topology::NodeId n = 0; n < topo.node_count(); ++n) {
    if (topo.kind(n) == topology::NodeKind::host) {
      const auto links = topo.incident_links(n);
      if (links.size() != 1 || topo.kind(links[0].second) == topology::NodeKind::host) {
        throw std::invalid_argument("host '" + topo.name(n) +
                                    "' must have exactly one link, to a switch (testbeds build "
                                    "star and tree topologies)");
      }
    } else {
      ++switches;
    }
  }
  for (int l = 0; l < topo.link_count(); ++l) {
    const auto [a, b] = topo.link_ends(l);
    if (topo.kind(a) != topology::NodeKind::host && topo.kind(b) != topology::NodeKind::host) {
      ++switch_links;
    }
  }
  if (switches == 0 || switch_links > switches - 1) {
    throw std::invalid_argument("the switches must form a tree (bridges in a loop flood)");
  }
  if (topo.hosts().size() > 250 * 250) throw std::invalid_argument("too many hosts");
}

Network::Network(const topology::Topology& topo) {
  check_buildable(topo);
  const std::string base = std::string(kPrefix) + std::to_string(::getpid()) + "-";
  switch_ns_ = base + "sw";
  try {
    must({"ip", "netns", "add", switch_ns_});
    made_.push_back(switch_ns_);
    for (topology::NodeId n = 0; n < topo.node_count(); ++n) {
      if (topo.kind(n) == topology::NodeKind::host) {
        hosts_.push_back(base + "h" + std::to_string(hosts_.size()));
        must({"ip", "netns", "add", hosts_.back()});
        made_.push_back(hosts_.back());
        must({"ip", "-n", hosts_.back(), "link", "set", "lo", "up"});
      } else {
        const std::string bridge = "s" + std::to_string(n);
        must({"ip", "-n", switch_ns_, "link", "add", bridge, "type", "bridge"});
        must({"ip", "-n", switch_ns_, "link", "set", bridge, "up"});
      }
    }
    // Host ranks follow host ids (topology::Topology::hosts()).
    std::vector<int> rank_of(static_cast<std::size_t>(topo.node_count()), -1);
    const auto host_ids = topo.hosts();
    for (std::size_t r = 0; r < host_ids.size(); ++r)
      rank_of[static_cast<std::size_t>(host_ids[r])] = static_cast<int>(r);
    for (int l = 0; l < topo.link_count(); ++l) {
      auto [a, b] = topo.link_ends(l);
      const double rate = topo.link(l).bandwidth_bytes_per_s;
      if (topo.kind(b) == topology::NodeKind::host) std::swap(a, b);
      const std::string bridge_b = "s" + std::to_string(b);
      if (topo.kind(a) == topology::NodeKind::host) {
        const int rank = rank_of[static_cast<std::size_t>(a)];
        const std::string& ns = hosts_[static_cast<std::size_t>(rank)];
        const std::string port = "l" + std::to_string(l);
        must({"ip", "-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", port, "netns",
              switch_ns_});
        must({"ip", "-n", ns, "addr", "add", host_address(rank) + "/16", "dev", "eth0"});
        must({"ip", "-n", ns, "link", "set", "eth0", "up"});
        must({"ip", "-n", switch_ns_, "link", "set", port, "master", bridge_b, "up"});
        shape(ns, "eth0", rate);
        shape(switch_ns_, port, rate);
      } else {
        const std::string end_a = "l" + std::to_string(l) + "a",
                          end_b = "l" + std::to_string(l) + "b";
        must({"ip", "-n", switch_ns_, "link", "add", end_a, "type", "veth", "peer", "name", end_b});
        must({"ip", "-n", switch_ns_, "link", "set", end_a, "master", "s" + std::to_string(a),
              "up"});
        must({"ip", "-n", switch_ns_, "link", "set", end_b, "master", bridge_b, "up"});
        shape(switch_ns_, end_a, rate);
        shape(switch_ns_, end_b, rate);
      }
    }
  } catch (...) {
    remove();
    throw;
  }
}

Network::~Network() { remove(); }

void Network::remove() {
  for (auto it = made_.rbegin(); it != made_.rend(); ++it) run_tool({"ip", "netns", "delete", *it});
  made_.clear();
}

}  // namespace app::testbed
