// RingQueue<T>: a FIFO over a circular buffer that keeps its storage.
//
// Why not std::deque: libstdc++'s deque frees a block when the front leaves
// it and allocates one when the back enters a new one, so even a queue that
// never holds more than one element allocates every 512 bytes of traffic.
// Mailboxes pass a message per event and must allocate none in steady state.
// This queue allocates only when it grows past its largest size so far.
#pragma once

#include <cassert>
#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

namespace sim {

template <class T>
class RingQueue {
 public:
  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }

  void push_back(T value) {
    if (size_ == slots_.size()) grow();
    slots_[(head_ + size_) & (slots_.size() - 1)].emplace(std::move(value));
    ++size_;
  }

  // REQUIRES: !empty().
  T& front() {
    assert(size_ > 0);
    return *slots_[head_];
  }

  // REQUIRES: !empty().
  const T& front() const {
    assert(size_ > 0);
    return *slots_[head_];
  }

  // The i-th element from the front. REQUIRES: i < size().
  T& operator[](std::size_t i) {
    assert(i < size_);
    return *slots_[(head_ + i) & (slots_.size() - 1)];
  }

  // REQUIRES: !empty().
  void pop_front() {
    assert(size_ > 0);
    slots_[head_].reset();
    head_ = (head_ + 1) & (slots_.size() - 1);
    --size_;
  }

 private:
  // Doubles the capacity (a power of two, so wrapping is a mask), moving the
  // elements to the front in FIFO order.
  void grow() {
    std::vector<std::optional<T>> bigger(slots_.empty() ? 8 : 2 * slots_.size());
    for (std::size_t i = 0; i < size_; ++i) {
      bigger[i] = std::move(slots_[(head_ + i) & (slots_.size() - 1)]);
    }
    slots_ = std::move(bigger);
    head_ = 0;
  }

  std::vector<std::optional<T>> slots_;  // capacity: 0 or a power of two
  std::size_t head_ = 0;                 // index of the front element
  std::size_t size_ = 0;
};

}  // namespace sim
