// A heartbeat failure detector, run over the simulated network on the
// nodes' own clocks.
//
// Every watched node sends a heartbeat of `packet_bytes` to the monitor every
// `interval` of its own clock (a timer on its oscillator: interval /
// (1 + drift) of true time), stamped with its clock reading and a sequence
// number. The monitor suspects a node once its own clock has run
// `suspect_after` x interval (k missed heartbeats) past
//   * `since = arrival` (default): the arrival of the node's latest
//     heartbeat, measured on the monitor's clock alone. Offsets do not
//     matter; rates do: with sender drift ds and monitor drift dm a healthy
//     node is suspected only if (1 + dm) / (1 + ds) x gap exceeds k x
//     interval, so ppm drift never does it for k >= 2, while congestion
//     (heartbeats delayed or bunched) can;
//   * `since = sent`: the send time stamped on that heartbeat by the sender's
//     clock, compared with the monitor's clock (a lease: "alive until my
//     time + k x interval"). Then the offset between the two clocks adds to
//     the delay: a sender whose clock is behind by more than
//     k x interval - delay is suspected even as its heartbeats arrive, and
//     one ahead is suspected late. This is what clock sync protects.
// A fresher heartbeat (higher sequence number) that moves the expiry past
// the monitor's clock clears the suspicion. The monitor's timer is armed as a
// duration on its own oscillator; when it fires early by the monitor's clock
// (a step back, or the drift's rounding) it waits out the rest.
//
// Everything runs as daemon processes (sim::Simulator::spawn_daemon), so the
// detector never keeps a run alive after the training is over. Heartbeats
// are real flows: they share links with the training traffic and count in
// the network's bytes.
//
// For fault injection: a node for which `is_up` returns false sends no
// heartbeat (a crashed node falls silent), and a suspicion is false if the
// node is up when suspected.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "sim/clock.h"
#include "sim/mailbox.h"
#include "sim/simulator.h"
#include "topology/network.h"

namespace algo {

struct FailureDetectorConfig {
  topology::NodeId monitor = -1;
  std::vector<topology::NodeId> nodes;           // watched, in order; the monitor is not one
  sim::Time interval = 100 * sim::kMillisecond;  // between a node's heartbeats, its own clock; > 0
  int suspect_after = 3;                         // k >= 1 missed heartbeats
  double packet_bytes = 64.0;                    // one heartbeat on the wire
  enum class Since { arrival, sent };
  Since since = Since::arrival;
  std::function<bool(topology::NodeId)> is_up;  // empty: every node is always up
};

// A change of the monitor's opinion about one node.
struct Suspicion {
  sim::Time true_time = 0;
  sim::Time monitor_local = 0;  // the monitor's clock at that instant
  std::size_t node = 0;         // position in FailureDetectorConfig::nodes
  bool suspected = true;        // true: suspected from now; false: trusted again
  bool node_up = true;          // the node was really up (a suspicion is then false)
};

class FailureDetector {
 public:
  // `clocks` is indexed by NodeId. Throws std::invalid_argument for a bad
  // config (no nodes, interval <= 0, k < 1, bytes < 0, ids outside `clocks`
  // or the monitor among the nodes).
  // REQUIRES: sim, net and clocks outlive this object, which outlives the run.
  FailureDetector(sim::Simulator& sim, topology::Network& net, std::vector<sim::NodeClock>& clocks,
                  FailureDetectorConfig config);
  FailureDetector(const FailureDetector&) = delete;
  FailureDetector& operator=(const FailureDetector&) = delete;

  // Spawns the monitor and one sender per node, as daemons; heartbeats start now.
  void launch();

  const std::vector<Suspicion>& events() const { return events_; }  // in time order
  std::int64_t suspicions() const { return suspicions_; }
  std::int64_t false_suspicions() const { return false_suspicions_; }
  bool suspected(std::size_t node) const { return watch_[node].suspected; }
  std::int64_t messages_sent() const { return messages_; }
  double bytes_sent() const { return bytes_; }

 private:
  struct Heartbeat {
    std::size_t node;
    std::int64_t sequence;
    sim::Time sent_local;  // the sender's clock when it sent it
  };
  struct Watch {
    sim::Time expiry = 0;          // on the monitor's clock: suspect once it reads this
    std::int64_t sequence = -1;    // latest heartbeat taken
    std::uint64_t generation = 0;  // of the one live timer
    bool suspected = false;
  };

  sim::Task send_heartbeats(std::size_t node);
  sim::Task watch();
  // (Re)arms node's timer for its expiry, or suspects it now if that has passed.
  void arm(std::size_t node, std::uint64_t generation);
  static void on_timer(void* self, std::uint64_t tag);
  void record(std::size_t node, bool suspected);
  sim::Time monitor_now();

  // Constant after construction.
  sim::Simulator* sim_;
  topology::Network* net_;
  std::vector<sim::NodeClock>* clocks_;
  FailureDetectorConfig config_;

  // Owned by the event loop.
  sim::Mailbox<Heartbeat> inbox_;
  std::vector<Watch> watch_;  // by node
  std::vector<Suspicion> events_;
  std::int64_t suspicions_ = 0;
  std::int64_t false_suspicions_ = 0;
  std::int64_t messages_ = 0;
  double bytes_ = 0.0;
};

}  // namespace algo
