#include "algorithms/services/failure_detector.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "algorithms/runtime/messaging.h"

namespace algo {
namespace {

// A timer's event tag: the node in the low bits, the timer's generation above.
constexpr int kNodeBits = 24;
constexpr std::uint64_t kNodeMask = (std::uint64_t{1} << kNodeBits) - 1;

}  // namespace

FailureDetector::FailureDetector(sim::Simulator& sim, topology::Network& net,
                                 std::vector<sim::NodeClock>& clocks, FailureDetectorConfig config)
    : sim_(&sim), net_(&net), clocks_(&clocks), config_(std::move(config)), inbox_(sim) {
  const auto known = [&](topology::NodeId id) {
    return id >= 0 && static_cast<std::size_t>(id) < clocks.size();
  };
  if (config_.nodes.empty()) throw std::invalid_argument("failure detector needs a node to watch");
  if (config_.nodes.size() > kNodeMask)
    throw std::invalid_argument("failure detector: too many nodes");
  if (config_.interval <= 0) throw std::invalid_argument("failure detector interval must be > 0");
  if (config_.suspect_after < 1)
    throw std::invalid_argument("failure detector suspect_after must be >= 1");
  if (!(config_.packet_bytes >= 0))
    throw std::invalid_argument("failure detector packet bytes < 0");
  if (!known(config_.monitor)) throw std::invalid_argument("failure detector monitor has no clock");
  for (topology::NodeId n : config_.nodes) {
    if (!known(n) || n == config_.monitor) {
      throw std::invalid_argument("failure detector node " + std::to_string(n) +
                                  " has no clock or is the monitor");
    }
  }
  watch_.resize(config_.nodes.size());
}

void FailureDetector::launch() {
  sim_->spawn_daemon(watch(), "failure detector monitor");
  for (std::size_t i = 0; i < config_.nodes.size(); ++i) {
    sim_->spawn_daemon(send_heartbeats(i), "heartbeats " + std::to_string(config_.nodes[i]));
  }
}

sim::Time FailureDetector::monitor_now() {
  return (*clocks_)[static_cast<std::size_t>(config_.monitor)].local_time(sim_->now());
}

sim::Task FailureDetector::send_heartbeats(std::size_t node) {
  const topology::NodeId self = config_.nodes[node];
  sim::NodeClock& clock = (*clocks_)[static_cast<std::size_t>(self)];
  for (std::int64_t sequence = 0;; ++sequence) {
    const sim::Time stamp = clock.local_time(sim_->now());
    if (!config_.is_up || config_.is_up(self)) {
      ++messages_;
      bytes_ += config_.packet_bytes;
      send_message(*net_, self, config_.monitor, config_.packet_bytes, inbox_,
                   Heartbeat{node, sequence, stamp});
    }
    co_await sim_->sleep(clock.true_duration(config_.interval));
  }
}

sim::Task FailureDetector::watch() {
  const sim::Time timeout = config_.suspect_after * config_.interval;
  // Until its first heartbeat, a node is given k intervals from the start.
  const sim::Time start = monitor_now();
  for (std::size_t i = 0; i < watch_.size(); ++i) {
    watch_[i].expiry = start + timeout;
    arm(i, ++watch_[i].generation);
  }
  while (true) {
    const Heartbeat beat = co_await inbox_.receive();
    Watch& w = watch_[beat.node];
    if (beat.sequence <= w.sequence) continue;  // overtaken by a fresher one
    w.sequence = beat.sequence;
    const sim::Time now_local = monitor_now();
    w.expiry =
        (config_.since == FailureDetectorConfig::Since::arrival ? now_local : beat.sent_local) +
        timeout;
    if (w.suspected && w.expiry > now_local) record(beat.node, false);
    arm(beat.node, ++w.generation);
  }
}

void FailureDetector::arm(std::size_t node, std::uint64_t generation) {
  Watch& w = watch_[node];
  const sim::Time left = w.expiry - monitor_now();
  if (left <= 0) {
    if (!w.suspected) record(node, true);
    return;
  }
  const sim::NodeClock& clock = (*clocks_)[static_cast<std::size_t>(config_.monitor)];
  const sim::Time wait = std::max<sim::Time>(1, clock.true_duration(left));
  sim_->schedule_at(sim_->now() + wait, &FailureDetector::on_timer, this,
                    (generation << kNodeBits) | node);
}

void FailureDetector::on_timer(void* self, std::uint64_t tag) {
  auto& detector = *static_cast<FailureDetector*>(self);
  const std::size_t node = tag & kNodeMask;
  const std::uint64_t generation = tag >> kNodeBits;
  if (generation != detector.watch_[node].generation) return;  // a heartbeat re-armed it since
  detector.arm(node, generation);
}

void FailureDetector::record(std::size_t node, bool suspected) {
  Watch& w = watch_[node];
  w.suspected = suspected;
  const topology::NodeId id = config_.nodes[node];
  const bool up = !config_.is_up || config_.is_up(id);
  events_.push_back(Suspicion{sim_->now(), monitor_now(), node, suspected, up});
  if (suspected) {
    ++suspicions_;
    if (up) ++false_suspicions_;
  }
}

}  // namespace algo
