// Recorder: an opt-in log of what the simulated nodes did, for event logs
// (events.csv) and timelines (trace.json). Nothing in the simulation reads
// it back, so a run behaves the same with or without one; code that records
// holds a Recorder* that is null when recording is off, so the cost of
// recording nothing is one pointer test per message, compute step or wait.
//
// Every record carries true (simulated) time. Message records also carry the
// node's local clock reading and its Lamport counter, so a log can be sorted
// the way a real distributed system would have to (by local timestamps) and
// the way causality allows (by Lamport timestamps).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "sim/clock.h"
#include "sim/simulator.h"
#include "sim/time.h"

namespace sim {

class Recorder {
 public:
  // One end of a message: its send (on the sender) or its delivery (on the receiver).
  struct MessageEvent {
    Time true_time;
    Time local_time;        // the node's clock at true_time (== true_time without clocks)
    std::uint64_t lamport;  // the node's Lamport counter after the event (0: not stamped)
    std::uint64_t message;  // 1, 2, ... in send order; a send and its receive share it
    int node;               // where the event happens
    int peer;               // the other end
    bool receive;
    const char* tag;  // what the message carries ("gradient", "params", ...): a string literal
    double bytes;
  };
  // A stretch of time a node spent computing or blocked on a receive.
  struct Span {
    enum class Kind { compute, wait };
    Kind kind;
    int node;
    Time start;
    Time end;
    const char* what;  // string literal: for a wait, the tag of the message awaited
  };

  // REQUIRES: sim outlives the recorder; clocks, if given, has one clock per
  // node id and outlives it too. Null clocks: every local time is true time.
  explicit Recorder(const Simulator& sim, std::vector<NodeClock>* clocks = nullptr)
      : sim_(&sim), clocks_(clocks) {}
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  // Called by algo::send_message; returns the new message's number.
  std::uint64_t message_sent(int from, int to, double bytes, const char* tag,
                             std::uint64_t lamport) {
    const std::uint64_t id = ++messages_;
    messages_out_.push_back(event(from, to, false, id, tag, bytes, lamport));
    return id;
  }
  void message_received(std::uint64_t message, int from, int to, double bytes, const char* tag,
                        std::uint64_t lamport) {
    messages_out_.push_back(event(to, from, true, message, tag, bytes, lamport));
  }
  void span(Span::Kind kind, int node, Time start, Time end, const char* what) {
    spans_.push_back({kind, node, start, end, what});
  }

  const Simulator& simulator() const { return *sim_; }
  // In the order they happened (true time, then event order within an instant).
  const std::vector<MessageEvent>& messages() const { return messages_out_; }
  // Compute spans in start order; wait spans in end order (recorded when they end).
  const std::vector<Span>& spans() const { return spans_; }

 private:
  MessageEvent event(int node, int peer, bool receive, std::uint64_t id, const char* tag,
                     double bytes, std::uint64_t lamport) {
    const Time now = sim_->now();
    const Time local = clocks_ ? (*clocks_)[static_cast<std::size_t>(node)].local_time(now) : now;
    return {now, local, lamport, id, node, peer, receive, tag, bytes};
  }

  const Simulator* sim_;
  std::vector<NodeClock>* clocks_;  // readings advance a clock's lazy state, hence non-const
  std::uint64_t messages_ = 0;
  std::vector<MessageEvent> messages_out_;
  std::vector<Span> spans_;
};

}  // namespace sim
