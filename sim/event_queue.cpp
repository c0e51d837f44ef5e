#include "sim/event_queue.h"

#include <algorithm>
#include <cassert>

namespace sim {
namespace {

constexpr int kPriorityShift = 56;  // 2^55 sequence numbers per run is plenty

// std heap functions build a max-heap; "later" puts the earliest event on top.
bool later(const Event& a, const Event& b) {
  if (a.time != b.time) return a.time > b.time;
  return a.order > b.order;
}

}  // namespace

void EventQueue::push(Time time, Priority priority, Event::Callback callback, void* context,
                      std::uint64_t tag, bool daemon) {
  assert(callback != nullptr);
  const std::uint64_t order = (static_cast<std::uint64_t>(priority) << kPriorityShift) |
                              (next_sequence_++ << 1) | (daemon ? 1 : 0);
  heap_.push_back(Event{time, order, callback, context, tag});
  std::push_heap(heap_.begin(), heap_.end(), later);
}

Event EventQueue::pop() {
  assert(!heap_.empty());
  std::pop_heap(heap_.begin(), heap_.end(), later);
  Event event = heap_.back();
  heap_.pop_back();
  return event;
}

}  // namespace sim
