#include "sim/event_queue.h"

#include <algorithm>
#include <cassert>
#include <stdexcept>

namespace sim {
namespace {

constexpr int kArity = 2;
constexpr int kSequenceShift = 32;
constexpr std::uint64_t kSlotMask = (std::uint64_t{1} << kSequenceShift) - 1;
constexpr int kPriorityShift = 63;

}  // namespace

EventQueue::EventQueue(int sequence_bits) {
  if (sequence_bits < 1 || sequence_bits > kSequenceBits) {
    throw std::invalid_argument("EventQueue: sequence_bits out of range");
  }
  sequence_limit_ = std::uint64_t{1} << sequence_bits;
}

Time EventQueue::top_time() const {
  assert(!empty());
  if (run_.empty()) return heap_.front().time;
  if (heap_.empty()) return run_.front().time;
  return std::min(run_.front().time, heap_.front().time);
}

void EventQueue::clear() {
  heap_.clear();
  while (!run_.empty()) run_.pop_front();
  slots_.clear();
  free_slots_.clear();
}

EventId EventQueue::push(Time time, Priority priority, Event::Callback callback, void* context,
                         std::uint64_t tag, bool daemon) {
  assert(callback != nullptr);
  assert(time >= 0);
  if (next_sequence_ == sequence_limit_) renumber();
  std::uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
    slots_[slot] = Slot{callback, context, tag, daemon, false, next_stamp_};
  } else {
    if (slots_.size() > kSlotMask) throw std::length_error("EventQueue: too many pending events");
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.push_back(Slot{callback, context, tag, daemon, false, next_stamp_});
  }
  const std::uint64_t key = (static_cast<std::uint64_t>(priority) << kPriorityShift) |
                            (next_sequence_++ << kSequenceShift) | slot;
  const Entry entry{time, key};
  const EventId id{slot, next_stamp_++};
  if (run_.empty() || !before(entry, run_back_)) {
    run_.push_back(entry);
    run_back_ = entry;
    return id;
  }
  heap_.push_back(Entry{});
  sift_up(heap_.size() - 1, entry);
  return id;
}

bool EventQueue::cancel(EventId id, bool* daemon) {
  if (id.stamp == 0 || id.slot >= slots_.size()) return false;
  Slot& s = slots_[id.slot];
  if (s.stamp != id.stamp || s.cancelled) return false;
  s.cancelled = true;
  if (daemon) *daemon = s.daemon;
  return true;
}

Event EventQueue::pop() {
  assert(!empty());
  Entry top;
  if (!run_.empty() && (heap_.empty() || before(run_.front(), heap_.front()))) {
    top = run_.front();
    run_.pop_front();
  } else {
    top = heap_.front();
    const Entry last = heap_.back();
    heap_.pop_back();
    if (!heap_.empty()) sift_down(0, last);
  }
  const auto slot = static_cast<std::uint32_t>(top.key & kSlotMask);
  Slot& s = slots_[slot];
  s.stamp = 0;  // a stale EventId no longer matches
  free_slots_.push_back(slot);
  return Event{top.time, s.callback, s.context, s.tag, s.daemon, s.cancelled};
}

void EventQueue::sift_up(std::size_t hole, Entry entry) {
  while (hole > 0) {
    const std::size_t parent = (hole - 1) / kArity;
    if (!before(entry, heap_[parent])) break;
    heap_[hole] = heap_[parent];
    hole = parent;
  }
  heap_[hole] = entry;
}

// Floyd's variant: the entry refilling the hole is the heap's last, nearly
// always among its latest events, so rather than test it at every level
// (a branch that mispredicts half the time) walk the hole down to a leaf
// along the earliest children, then let the entry rise the step or two back.
void EventQueue::sift_down(std::size_t hole, Entry entry) {
  const std::size_t n = heap_.size();
  for (;;) {
    const std::size_t first = hole * kArity + 1;
    if (first >= n) break;
    std::size_t best = first;
    Wide best_key = wide(heap_[first]);
    if (first + kArity <= n) {
      // A full family: branch-free selects.
      for (std::size_t c = first + 1; c < first + kArity; ++c) {
        const Wide k = wide(heap_[c]);
        const bool less = k < best_key;
        best = less ? c : best;
        best_key = less ? k : best_key;
      }
    } else {
      for (std::size_t c = first + 1; c < n; ++c) {
        const Wide k = wide(heap_[c]);
        if (k < best_key) {
          best = c;
          best_key = k;
        }
      }
    }
    heap_[hole] = heap_[best];
    hole = best;
  }
  sift_up(hole, entry);
}

// Gives the pending events the sequence numbers 0..n-1 in firing order. A
// sorted array is a valid heap, and every pair of pending events compares as
// before, so the firing order is unchanged; new events get n, n+1, ... (The
// run is emptied into the heap: its back would compare wrongly otherwise.)
void EventQueue::renumber() {
  if (size() >= sequence_limit_) {
    throw std::length_error("EventQueue: more pending events than sequence numbers");
  }
  while (!run_.empty()) {
    heap_.push_back(run_.front());
    run_.pop_front();
  }
  std::sort(heap_.begin(), heap_.end(), before);
  const std::uint64_t keep = (std::uint64_t{1} << kPriorityShift) | kSlotMask;
  std::uint64_t sequence = 0;
  for (Entry& e : heap_) e.key = (e.key & keep) | (sequence++ << kSequenceShift);
  next_sequence_ = sequence;
}

}  // namespace sim
