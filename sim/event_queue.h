// The pending-event set of a Simulator: a binary min-heap keyed by
// (time, priority, sequence number).
//
// The sequence number is assigned here, at scheduling, so two events at the
// same time and priority fire in the order they were scheduled (FIFO). That
// one rule is what makes every run of a scenario replay the same event order.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/time.h"

namespace sim {

enum class Priority : std::uint8_t {
  urgent = 0,  // process starts and interrupts: run before ordinary events at the same instant
  normal = 1,  // everything else: wake-ups, deliveries, timers
};

// An event is a plain function pointer plus two words of context, so
// scheduling never allocates (a coroutine resume is fn = resume, ctx = frame).
struct Event {
  using Callback = void (*)(void* context, std::uint64_t tag);
  Time time;
  std::uint64_t order;  // priority in the top byte, then the sequence number, then the daemon bit
  Callback callback;
  void* context;
  std::uint64_t tag;  // free for the scheduler's use, e.g. a generation counter
  // A daemon event keeps no run alive (Simulator::run). Stored below the
  // sequence number, which is unique, so it never changes the firing order.
  bool daemon() const { return (order & 1) != 0; }
};

class EventQueue {
 public:
  // REQUIRES: callback != nullptr.
  void push(Time time, Priority priority, Event::Callback callback, void* context,
            std::uint64_t tag, bool daemon = false);
  // REQUIRES: !empty(). Removes and returns the earliest event.
  Event pop();
  const Event& top() const { return heap_.front(); }
  bool empty() const { return heap_.empty(); }
  std::size_t size() const { return heap_.size(); }
  void clear() { heap_.clear(); }

 private:
  std::vector<Event> heap_;
  std::uint64_t next_sequence_ = 0;
};

}  // namespace sim
