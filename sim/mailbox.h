// Mailbox<T>: an unbounded FIFO channel between processes of one Simulator.
//
// send() never blocks. receive() returns at once if a message is queued,
// otherwise suspends the caller until one is sent. Waiting receivers are
// served first come, first served, and each woken receiver resumes as an
// ordinary event at the instant of the send (not inline), so a sender keeps
// running until its own next suspension point, as in SimPy.
#pragma once

#include <cassert>
#include <coroutine>
#include <optional>
#include <utility>

#include "sim/ring_queue.h"
#include "sim/simulator.h"

namespace sim {

template <class T>
class Mailbox {
 public:
  explicit Mailbox(Simulator& sim) : sim_(&sim) {}
  Mailbox(const Mailbox&) = delete;
  Mailbox& operator=(const Mailbox&) = delete;
  Mailbox(Mailbox&&) noexcept = default;
  Mailbox& operator=(Mailbox&&) noexcept = default;

  void send(T message) {
    if (!waiters_.empty()) {
      ReceiveAwaiter* waiter = waiters_.front();
      waiters_.pop_front();
      waiter->slot_.emplace(std::move(message));
      sim_->schedule_resume(sim_->now(), waiter->handle_);
      return;
    }
    messages_.push_back(std::move(message));
  }

  class ReceiveAwaiter {
   public:
    explicit ReceiveAwaiter(Mailbox& box) : box_(&box) {}
    bool await_ready() {
      // Invariant: messages are only queued while nobody waits.
      assert(box_->messages_.empty() || box_->waiters_.empty());
      if (box_->messages_.empty()) return false;
      slot_.emplace(std::move(box_->messages_.front()));
      box_->messages_.pop_front();
      return true;
    }
    void await_suspend(std::coroutine_handle<> h) {
      handle_ = h;
      box_->waiters_.push_back(this);
    }
    T await_resume() { return std::move(*slot_); }

   private:
    friend class Mailbox;
    Mailbox* box_;
    std::coroutine_handle<> handle_;
    std::optional<T> slot_;
  };

  ReceiveAwaiter receive() { return ReceiveAwaiter(*this); }

  // Takes a queued message without waiting, if there is one.
  std::optional<T> try_receive() {
    if (messages_.empty()) return std::nullopt;
    std::optional<T> message(std::move(messages_.front()));
    messages_.pop_front();
    return message;
  }

  std::size_t queued() const { return messages_.size(); }
  std::size_t waiting_receivers() const { return waiters_.size(); }

 private:
  Simulator* sim_;
  // Ring queues, not deques: no allocation per message once warm (issue #7).
  RingQueue<T> messages_;
  RingQueue<ReceiveAwaiter*> waiters_;  // awaiters live in suspended frames
};

}  // namespace sim
