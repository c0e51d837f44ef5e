// The pending-event set of a Simulator: a radix queue on integer time (a
// hierarchical timing wheel with exact times), keyed by (time, priority,
// sequence number).
//
// The sequence number is assigned here, at scheduling, so two events at the
// same time and priority fire in the order they were scheduled (FIFO). That
// one rule is what makes every run of a scenario replay the same event order.
//
// Layout, for speed with many events pending. Simulated time never goes
// back: every push is at or after the last popped time (`base_`). An event
// whose time first differs from base_ in byte L (L = 0: it differs at most
// in the lowest byte) waits at level L, in the bucket named by its byte L. A
// level-0 bucket therefore holds one exact time, and a bucket is a plain
// vector of 16-byte keys (time; priority, sequence and a slot index packed in
// one word): a push is one append, with no comparisons. When the current
// instant runs dry, pop takes the next occupied level-0 bucket (a bitmap
// scan); when level 0 is empty it moves base_ to the earliest time of the
// lowest occupied bucket above and spreads that bucket over the lower levels,
// so an event moves down at most a few times (once per byte of its delay).
//
// Order within a time: every bucket keeps the events of one time in key
// order. A push nearly always carries the newest sequence number, so an
// append keeps it; an urgent event among normal ones is inserted in its
// place. Spreading a bucket is a stable partition into empty buckets, so it
// keeps it too.
//
// What an event does (callback, context, tag, lane) waits in a slot array
// recycled through a free list; buckets keep their capacity, so a warm queue
// never allocates. Measured against the binary heap it replaces in
// docs/performance.md (bench_engine BM_ScatteredEvents/4096).
//
// A push before base_ (only a caller that pops and then schedules into the
// past, which the Simulator refuses) is still ordered correctly: the queue
// lowers base_ and places everything again, in O(pending log pending).
//
// The packed sequence number has 31 bits. When it runs out (every 2^31
// events) the pending events are renumbered 0..n-1 in firing order, which
// keeps every comparison the same: the order is exact for runs of any length.
#pragma once

#include <array>
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
  // REQUIRES: !empty(). The time of the earliest event. O(1) while events
  // remain at the current instant, else a scan of one bucket.
  Time top_time() const;
  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }
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
  // Level L, bucket b: the events whose time first differs from base_ in
  // byte L and has b in that byte (level 0: the events at time b in base_'s
  // 256-ns window). Times are never negative: 8 levels.
  static constexpr int kLevels = 8;
  static constexpr int kRadixBits = 8;
  static constexpr int kBucketsPerLevel = 1 << kRadixBits;
  static constexpr int kWords = kBucketsPerLevel / 64;
  using Bucket = std::vector<Entry>;

  Bucket& bucket(int level, int index) { return buckets_[level * kBucketsPerLevel + index]; }
  Bucket& instant() { return bucket(0, static_cast<int>(base_ & (kBucketsPerLevel - 1))); }
  const Bucket& instant() const {
    return buckets_[static_cast<std::size_t>(base_ & (kBucketsPerLevel - 1))];
  }
  int lowest_occupied(int level) const;  // -1 if the level is empty
  void mark(int level, int index);
  void unmark(int level, int index);
  Bucket& bucket_for(Time time, int* level, int* index);
  void place(const Entry& entry);
  void place_urgent(const Entry& entry);
  void advance();
  void place_all(std::vector<Entry> entries, Time base);
  std::vector<Entry> drain();
  void renumber();

  // Owned by the queue; buckets keep their capacity, so a warm queue never allocates.
  std::vector<Bucket> buckets_;
  std::array<std::array<std::uint64_t, kWords>, kLevels> occupied_{};  // bit set: non-empty
  std::uint32_t occupied_levels_ = 0;  // bit L set iff level L has a non-empty bucket
  Time base_ = 0;                      // every pending event is at or after it
  std::size_t instant_head_ = 0;       // the instant bucket's entries before it have popped
  std::size_t size_ = 0;
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_slots_;
  std::uint64_t next_sequence_ = 0;
  std::uint64_t next_stamp_ = 1;  // 64 bits: never wraps
  std::uint64_t sequence_limit_;
};

}  // namespace sim
