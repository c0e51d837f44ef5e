// Lamport logical clocks, one counter per node (Lamport 1978).
//   send:    counter(sender) += 1; the message carries the new value
//   deliver: counter(receiver) = max(counter(receiver), stamp) + 1
// So for every message L(send) < L(receive), and timestamps strictly increase
// along any causal chain. Nodes are dense indices 0..n-1 (topology node ids).
#pragma once

#include <cstdint>
#include <vector>

namespace sim {

class LamportClocks {
 public:
  // One record per delivered message, kept only if logging is on (tests).
  struct Delivery {
    int from, to;
    std::uint64_t send_stamp;     // the sender's counter after its send
    std::uint64_t receive_stamp;  // the receiver's counter after the delivery
  };

  explicit LamportClocks(std::size_t nodes) : counters_(nodes, 0) {}

  // REQUIRES: 0 <= node < size().
  std::uint64_t on_send(int node) { return ++counters_.at(static_cast<std::size_t>(node)); }
  std::uint64_t on_deliver(int from, int to, std::uint64_t stamp) {
    std::uint64_t& c = counters_.at(static_cast<std::size_t>(to));
    c = (c > stamp ? c : stamp) + 1;
    if (log_enabled_) log_.push_back({from, to, stamp, c});
    return c;
  }
  // A local event (not a message) also ticks the clock.
  std::uint64_t tick(int node) { return on_send(node); }

  std::uint64_t value(int node) const { return counters_.at(static_cast<std::size_t>(node)); }
  std::size_t size() const { return counters_.size(); }

  void enable_log(bool on) { log_enabled_ = on; }
  const std::vector<Delivery>& log() const { return log_; }

 private:
  std::vector<std::uint64_t> counters_;
  bool log_enabled_ = false;
  std::vector<Delivery> log_;  // in delivery order
};

}  // namespace sim
