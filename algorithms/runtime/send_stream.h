// SendStream: one sender's queue of messages to one receiver, sent one at a
// time, as a framework's communication thread does (BytePS, P3,
// ByteScheduler): a message starts when the one before it has drained (its
// last byte has left the sender; it then still pays the route latency), so
// back-to-back messages keep the link busy without sharing it among
// themselves.
//
// Priority, as the network is flow-level: the queue serves the waiting
// message of the lowest priority number first (ties, and every message
// without priority, in the order they were queued). A message already on the
// wire is never preempted: a more urgent one waits until it has drained.
//
// Lifetime: the stream must outlive its transfers (callbacks refer to it),
// and so must the inbox. Not copyable.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "algorithms/runtime/messaging.h"

namespace algo {

template <class T>
class SendStream {
 public:
  // `prioritized`: serve by priority number; false: first in, first out.
  SendStream(topology::Network& net, topology::NodeId from, topology::NodeId to,
             sim::Mailbox<T>& inbox, bool prioritized, const char* tag)
      : net_(&net), from_(from), to_(to), inbox_(&inbox), prioritized_(prioritized), tag_(tag) {}
  SendStream(const SendStream&) = delete;
  SendStream& operator=(const SendStream&) = delete;

  // Queues `message` of `bytes` on the wire; it is sent now if the stream is
  // idle. Lower `priority` is more urgent (ignored when not prioritized).
  void send(double bytes, T message, std::int64_t priority) {
    waiting_.push_back({priority, queued_++, bytes, std::move(message)});
    if (!busy_) start_next();
  }

  bool busy() const { return busy_; }
  std::size_t waiting() const { return waiting_.size(); }

 private:
  struct Entry {
    std::int64_t priority;
    std::int64_t order;  // when it was queued
    double bytes;
    T message;
  };

  void start_next() {
    if (waiting_.empty()) return;
    std::size_t pick = 0;
    for (std::size_t i = 1; i < waiting_.size(); ++i) {
      const bool more_urgent = prioritized_ ? waiting_[i].priority < waiting_[pick].priority
                                            : false;  // FIFO: the first stays the pick
      if (more_urgent) pick = i;                      // strict: among equals the earlier one wins
    }
    Entry entry = std::move(waiting_[pick]);
    waiting_.erase(waiting_.begin() + static_cast<std::ptrdiff_t>(pick));
    busy_ = true;
    // A message lost while draining frees the stream too; one lost after it
    // drained (while propagating) has freed it already.
    auto released = std::make_shared<bool>(false);
    auto next = [this, released] {
      if (*released) return;
      *released = true;
      busy_ = false;
      start_next();
    };
    send_message(*net_, from_, to_, entry.bytes, *inbox_, std::move(entry.message), tag_,
                 std::function<void()>(next), {}, std::function<void()>(next));
  }

  topology::Network* net_;
  topology::NodeId from_;
  topology::NodeId to_;
  sim::Mailbox<T>* inbox_;
  bool prioritized_;
  const char* tag_;
  bool busy_ = false;
  std::int64_t queued_ = 0;
  std::vector<Entry> waiting_;  // in queue order
};

}  // namespace algo
