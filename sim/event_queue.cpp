#include "sim/event_queue.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <stdexcept>

namespace sim {
namespace {

constexpr int kSequenceShift = 32;
constexpr std::uint64_t kSlotMask = (std::uint64_t{1} << kSequenceShift) - 1;
constexpr int kPriorityShift = 63;
// The current instant's popped prefix is erased once it is this long and at
// least half its bucket, so an instant that keeps receiving events stays bounded.
constexpr std::size_t kCompactAfter = 4096;

// Storage of the buckets. Buckets are first used one by one as simulated
// time advances (a level-0 bucket at each new low byte of an event time, a
// level-2 one every 65 us, a level-3 one every 17 ms), so each keeping
// storage of its own would allocate long after a run is warm. Instead a
// bucket hands its storage back when it empties (its instant is over, or it
// is spread) and an empty bucket takes one handed back (or a new one while
// the pool is empty): the number of storages stops growing once the run is
// warm. The pool is per
// thread (a Simulator runs on one) and shared by the thread's queues.
template <class Bucket>
std::vector<Bucket>& spares() {
  // Reserved so that the pool itself does not grow once warm either.
  static thread_local std::vector<Bucket> pool = [] {
    std::vector<Bucket> reserved;
    reserved.reserve(1024);
    return reserved;
  }();
  return pool;
}

// Every storage in circulation holds at least this many events (4 KB), so
// one that passes from a small bucket to a busy one rarely has to grow.
constexpr std::size_t kSpareCapacity = 256;

// When the pool runs dry, as many storages as exist so far are made at once
// (one, then one, two, four...): a run whose count of busy buckets peaks
// late then finds spares made early, and the pool is made a logarithmic
// number of times.
template <class Bucket>
void take_spare(Bucket& b) {
  static thread_local std::size_t made = 0;
  std::vector<Bucket>& pool = spares<Bucket>();
  if (pool.empty()) {
    const std::size_t batch = made == 0 ? 1 : made;
    for (std::size_t i = 0; i < batch; ++i) {
      pool.emplace_back();
      pool.back().reserve(kSpareCapacity);
    }
    made += batch;
  }
  b.swap(pool.back());
  pool.pop_back();
  if (b.capacity() < kSpareCapacity) b.reserve(kSpareCapacity);
}

bool fires_before(Time a_time, std::uint64_t a_key, Time b_time, std::uint64_t b_key) {
  return a_time != b_time ? a_time < b_time : a_key < b_key;
}

}  // namespace

EventQueue::EventQueue(int sequence_bits) : buckets_(kLevels * kBucketsPerLevel) {
  if (sequence_bits < 1 || sequence_bits > kSequenceBits) {
    throw std::invalid_argument("EventQueue: sequence_bits out of range");
  }
  sequence_limit_ = std::uint64_t{1} << sequence_bits;
}

int EventQueue::lowest_occupied(int level) const {
  for (int w = 0; w < kWords; ++w) {
    const std::uint64_t word = occupied_[level][w];
    if (word != 0) return w * 64 + std::countr_zero(word);
  }
  return -1;
}

void EventQueue::mark(int level, int index) {
  occupied_[level][index >> 6] |= std::uint64_t{1} << (index & 63);
  occupied_levels_ |= 1U << level;
}

void EventQueue::unmark(int level, int index) {
  auto& words = occupied_[level];
  words[index >> 6] &= ~(std::uint64_t{1} << (index & 63));
  for (const std::uint64_t word : words) {
    if (word != 0) return;
  }
  occupied_levels_ &= ~(1U << level);
}

Time EventQueue::top_time() const {
  assert(!empty());
  if (instant_head_ < instant().size()) return base_;
  const int next = lowest_occupied(0);
  if (next >= 0) return (base_ & ~Time{kBucketsPerLevel - 1}) | next;
  const int level = std::countr_zero(occupied_levels_);
  const Bucket& lowest = buckets_[level * kBucketsPerLevel + lowest_occupied(level)];
  Time earliest = lowest.front().time;
  for (const Entry& e : lowest) earliest = std::min(earliest, e.time);
  return earliest;
}

void EventQueue::clear() {
  for (Bucket& b : buckets_) b.clear();
  occupied_ = {};
  occupied_levels_ = 0;
  base_ = 0;
  instant_head_ = 0;
  size_ = 0;
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
  if (time < base_) place_all(drain(), time);
  const Entry entry{time, key};
  if (priority == Priority::normal) {
    place(entry);  // the newest key of all: it sorts last among its time
  } else {
    place_urgent(entry);
  }
  ++size_;
  return EventId{slot, next_stamp_++};
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
  if (instant_head_ == instant().size()) advance();
  Bucket& current = instant();
  const Entry top = current[instant_head_++];
  --size_;
  if (instant_head_ == current.size()) {
    current.clear();
    spares<Bucket>().push_back(std::move(current));  // leaves it empty, with no storage
    current = Bucket();
    instant_head_ = 0;
    unmark(0, static_cast<int>(base_ & (kBucketsPerLevel - 1)));
  } else {
    // The next event's slot is usually out of L1 by now (written a whole
    // queue's worth of events ago): start loading it while this one runs.
    __builtin_prefetch(&slots_[current[instant_head_].key & kSlotMask]);
    if (instant_head_ >= kCompactAfter && 2 * instant_head_ >= current.size()) {
      current.erase(current.begin(), current.begin() + static_cast<std::ptrdiff_t>(instant_head_));
      instant_head_ = 0;
    }
  }
  const auto slot = static_cast<std::uint32_t>(top.key & kSlotMask);
  Slot& s = slots_[slot];
  s.stamp = 0;  // a stale EventId no longer matches
  free_slots_.push_back(slot);
  return Event{top.time, s.callback, s.context, s.tag, s.daemon, s.cancelled};
}

EventQueue::Bucket& EventQueue::bucket_for(Time time, int* level, int* index) {
  const auto differ = static_cast<std::uint64_t>(time ^ base_);
  *level = differ == 0 ? 0 : (63 - std::countl_zero(differ)) / kRadixBits;
  *index = static_cast<int>((time >> (*level * kRadixBits)) & (kBucketsPerLevel - 1));
  return bucket(*level, *index);
}

// REQUIRES: entry.time >= base_, and no pending event at entry.time has a
// larger key.
void EventQueue::place(const Entry& entry) {
  int level;
  int index;
  Bucket& b = bucket_for(entry.time, &level, &index);
  if (b.capacity() == 0) take_spare(b);
  b.push_back(entry);
  mark(level, index);
}

// An urgent event goes before the normal ones already at its time.
void EventQueue::place_urgent(const Entry& entry) {
  int level;
  int index;
  Bucket& b = bucket_for(entry.time, &level, &index);
  if (b.capacity() == 0) take_spare(b);
  const bool current = level == 0 && entry.time == base_;
  const auto first = b.begin() + static_cast<std::ptrdiff_t>(current ? instant_head_ : 0);
  const auto at = std::find_if(
      first, b.end(), [&](const Entry& e) { return e.time == entry.time && e.key > entry.key; });
  b.insert(at, entry);
  mark(level, index);
}

// REQUIRES: the current instant is used up and the queue is not empty.
// Moves base_ to the earliest pending time. If that is not in base_'s
// level-0 window, spreads the lowest occupied bucket around it: its events
// share base_'s bytes above their level, so each lands lower, in order.
void EventQueue::advance() {
  const int next = lowest_occupied(0);
  if (next >= 0) {
    base_ = (base_ & ~Time{kBucketsPerLevel - 1}) | next;
    return;
  }
  const int level = std::countr_zero(occupied_levels_);
  const int index = lowest_occupied(level);
  Bucket& spread = bucket(level, index);
  Time earliest = spread.front().time;
  for (const Entry& e : spread) earliest = std::min(earliest, e.time);
  base_ = earliest;
  unmark(level, index);
  for (const Entry& e : spread) place(e);
  spread.clear();
  spares<Bucket>().push_back(std::move(spread));  // leaves spread empty, with no storage
  spread = Bucket();
}

// Removes every pending entry, in no particular order; size_ is unchanged.
std::vector<EventQueue::Entry> EventQueue::drain() {
  std::vector<Entry> all;
  all.reserve(size_);
  Bucket& current = instant();
  all.insert(all.end(), current.begin() + static_cast<std::ptrdiff_t>(instant_head_),
             current.end());
  current.clear();
  for (int level = 0; level < kLevels; ++level) {
    for (int index = lowest_occupied(level); index >= 0; index = lowest_occupied(level)) {
      Bucket& b = bucket(level, index);
      if (&b != &current) all.insert(all.end(), b.begin(), b.end());
      b.clear();
      unmark(level, index);
    }
  }
  instant_head_ = 0;
  return all;
}

// Places `entries` (pending events already counted in size_) around `base`,
// in firing order, which keeps each time's events in key order.
void EventQueue::place_all(std::vector<Entry> entries, Time base) {
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return fires_before(a.time, a.key, b.time, b.key);
  });
  base_ = base;
  for (const Entry& e : entries) place(e);
}

// Gives the pending events the sequence numbers 0..n-1 in firing order, so
// every pair of pending events compares as before and the firing order is
// unchanged; new events get n, n+1, ...
void EventQueue::renumber() {
  if (size() >= sequence_limit_) {
    throw std::length_error("EventQueue: more pending events than sequence numbers");
  }
  std::vector<Entry> all = drain();
  std::sort(all.begin(), all.end(), [](const Entry& a, const Entry& b) {
    return fires_before(a.time, a.key, b.time, b.key);
  });
  const std::uint64_t keep = (std::uint64_t{1} << kPriorityShift) | kSlotMask;
  std::uint64_t sequence = 0;
  for (Entry& e : all) e.key = (e.key & keep) | (sequence++ << kSequenceShift);
  next_sequence_ = sequence;
  place_all(std::move(all), base_);
}

}  // namespace sim
