// The pending-event set of a Simulator: an implicit min-heap keyed by
// (time, priority, sequence number).
//
// The sequence number is assigned here, at scheduling, so two events at the
// same time and priority fire in the order they were scheduled (FIFO). That
// one rule is what makes every run of a scenario replay the same event order.
//
// Layout, for speed with many events pending: the heap holds only
// 16-byte keys (time; priority, sequence and a slot index packed in one
// word), compared without branches (ties are common and mispredict), and pop
// walks the hole to a leaf before placing the last entry (Floyd). What an
// event does (callback, context, tag, lane) waits in a slot array recycled
// through a free list, so a warm queue never allocates. The heap is binary:
// 4,096 keys fit in L2, so a pop costs its chain of dependent comparisons,
// not cache misses, and a 4-ary heap measured 10-20% slower
// (bench_engine BM_NullEvents/4096, BM_ScatteredEvents/4096).
//
// Events scheduled in firing order skip the heap: a push that sorts after the
// latest such event (the same delay again, a wake-up at the current instant
// after others) is appended to a FIFO run, and pop takes the earlier of the
// run's front and the heap's top. The run is always sorted, so this changes
// only the cost, never the order.
//
// The packed sequence number has 31 bits. When it runs out (every 2^31
// events) the pending events are renumbered 0..n-1 in firing order, which
// keeps every comparison the same: the order is exact for runs of any length.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/ring_queue.h"
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
  Callback callback;
  void* context;
  std::uint64_t tag;  // free for the scheduler's use, e.g. a generation counter
  // A daemon event keeps no run alive (Simulator::run). It plays no part in
  // the firing order.
  bool is_daemon;
  // Withdrawn by EventQueue::cancel before it fired: it is popped in its
  // turn but does nothing (Simulator::step neither runs nor counts it).
  bool cancelled = false;
  bool daemon() const { return is_daemon; }
};

// Names one scheduled event, for EventQueue::cancel. Stays safe to use after
// the event fired or was cancelled (the stamp no longer matches: a no-op).
struct EventId {
  std::uint32_t slot = 0;
  std::uint64_t stamp = 0;  // 0: no event
};

class EventQueue {
 public:
  static constexpr int kSequenceBits = 31;

  // sequence_bits < kSequenceBits only for tests of the renumbering.
  explicit EventQueue(int sequence_bits = kSequenceBits);

  // REQUIRES: callback != nullptr, time >= 0.
  EventId push(Time time, Priority priority, Event::Callback callback, void* context,
               std::uint64_t tag, bool daemon = false);
  // Withdraws a pending event: it keeps its place (no other event's order
  // changes, no sequence number is reused) but pops as cancelled. Returns
  // false, changing nothing, if `id` already fired or was cancelled; on
  // success `*daemon` (if given) says whether it was a daemon event.
  bool cancel(EventId id, bool* daemon = nullptr);
  // REQUIRES: !empty(). Removes and returns the earliest event.
  Event pop();
  // REQUIRES: !empty(). The time of the earliest event.
  Time top_time() const;
  bool empty() const { return heap_.empty() && run_.empty(); }
  std::size_t size() const { return heap_.size() + run_.size(); }
  void clear();

 private:
  struct Entry {
    Time time;
    std::uint64_t key;  // priority (bit 63) | sequence (bits 32..) | slot (bits 0..31)
  };
  struct Slot {
    Event::Callback callback;
    void* context;
    std::uint64_t tag;
    bool daemon;
    bool cancelled;
    std::uint64_t stamp;  // unique per push; cleared when the slot is freed
  };

  // Time, then priority, then sequence (the slot bits never decide: the
  // sequence is unique). Times are never negative, so one unsigned 128-bit
  // comparison does it, which compiles without branches (ties are common and
  // would mispredict).
  __extension__ using Wide = unsigned __int128;
  static Wide wide(const Entry& e) {
    return (static_cast<Wide>(static_cast<std::uint64_t>(e.time)) << 64) | e.key;
  }
  static bool before(const Entry& a, const Entry& b) { return wide(a) < wide(b); }
  void sift_up(std::size_t hole, Entry entry);
  void sift_down(std::size_t hole, Entry entry);
  void renumber();

  std::vector<Entry> heap_;
  RingQueue<Entry> run_;  // sorted; run_back_ is its last entry
  Entry run_back_{};
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_slots_;
  std::uint64_t next_sequence_ = 0;
  std::uint64_t next_stamp_ = 1;  // 64 bits: never wraps
  std::uint64_t sequence_limit_;
};

}  // namespace sim
