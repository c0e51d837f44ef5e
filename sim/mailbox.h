// Mailbox<T>: an unbounded FIFO channel between processes of one Simulator.
//
// send() never blocks. receive() returns at once if a message is queued,
// otherwise suspends the caller until one is sent. Waiting receivers are
// served first come, first served, and each woken receiver resumes as an
// ordinary event at the instant of the send (not inline), so a sender keeps
// running until its own next suspension point, as in SimPy.
//
// receive_until(deadline) / receive_for(timeout) wait at most until a true
// time and return std::nullopt if nothing came (SimGrid's
// Mailbox::get(timeout)). The deadline is one engine event: a message that
// wins cancels it, so it neither runs nor counts; a deadline that wins
// withdraws the waiter, so the next message is queued for the next receive,
// never lost or reordered. Ties at the same instant follow the engine's one
// rule, (time, priority, sequence): the deadline is scheduled when the wait
// begins, so a delivery event scheduled earlier for that instant wins and
// one scheduled later loses. A deadline of kTimeMax is none: no event, a
// plain wait (for callers whose deadline is optional). A deadline read on a
// node's own clock is converted to true time by the caller
// (algorithms/runtime/local_time.h).
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
  struct Waiter;

 public:
  explicit Mailbox(Simulator& sim) : sim_(&sim) {}
  Mailbox(const Mailbox&) = delete;
  Mailbox& operator=(const Mailbox&) = delete;
  // Moving is for containers of mailboxes being built; REQUIRES: nobody waits.
  Mailbox(Mailbox&&) noexcept = default;
  Mailbox& operator=(Mailbox&&) noexcept = default;

  void send(T message) {
    while (!waiters_.empty()) {
      Waiter* waiter = waiters_.front();
      waiters_.pop_front();
      if (waiter == nullptr) continue;  // withdrawn at its deadline
      --live_waiters_;
      if (waiter->deadline_.stamp != 0) sim_->cancel(waiter->deadline_);
      waiter->slot_.emplace(std::move(message));
      sim_->schedule_resume(sim_->now(), waiter->handle_);
      return;
    }
    messages_.push_back(std::move(message));
  }

  // `T m = co_await box.receive()`: waits as long as it takes.
  class ReceiveAwaiter {
   public:
    explicit ReceiveAwaiter(Mailbox& box) : waiter_(box) {}
    bool await_ready() { return waiter_.take_queued(); }
    void await_suspend(std::coroutine_handle<> h) { waiter_.wait(h); }
    T await_resume() { return std::move(*waiter_.slot_); }

   private:
    Waiter waiter_;
  };
  ReceiveAwaiter receive() { return ReceiveAwaiter(*this); }

  // `if (auto m = co_await box.receive_until(t))`: a message, or nullopt at
  // true time `deadline` if none came by then. A deadline not after now()
  // returns a queued message if there is one, else nullopt, without waiting.
  class ReceiveUntilAwaiter {
   public:
    ReceiveUntilAwaiter(Mailbox& box, Time deadline) : waiter_(box), deadline_(deadline) {}
    bool await_ready() { return waiter_.take_queued() || deadline_ <= waiter_.box_->sim_->now(); }
    void await_suspend(std::coroutine_handle<> h) {
      waiter_.wait(h);
      if (deadline_ == kTimeMax) return;  // no deadline
      waiter_.deadline_ =
          waiter_.box_->sim_->schedule_at(deadline_, &Waiter::on_deadline, &waiter_);
    }
    std::optional<T> await_resume() { return std::move(waiter_.slot_); }

   private:
    Waiter waiter_;
    Time deadline_;
  };
  ReceiveUntilAwaiter receive_until(Time deadline) { return ReceiveUntilAwaiter(*this, deadline); }
  // The same, `timeout` from now. REQUIRES: timeout >= 0.
  ReceiveUntilAwaiter receive_for(Time timeout) {
    assert(timeout >= 0);
    return ReceiveUntilAwaiter(*this, sim_->now() + timeout);
  }

  // Takes a queued message without waiting, if there is one.
  std::optional<T> try_receive() {
    if (messages_.empty()) return std::nullopt;
    std::optional<T> message(std::move(messages_.front()));
    messages_.pop_front();
    return message;
  }

  std::size_t queued() const { return messages_.size(); }
  std::size_t waiting_receivers() const { return live_waiters_; }

 private:
  // One suspended receive, living in the receiver's coroutine frame.
  struct Waiter {
    explicit Waiter(Mailbox& box) : box_(&box) {}
    // Takes the front message if one is queued.
    bool take_queued() {
      // Invariant: messages are only queued while nobody waits.
      assert(box_->messages_.empty() || box_->live_waiters_ == 0);
      if (box_->messages_.empty()) return false;
      slot_.emplace(std::move(box_->messages_.front()));
      box_->messages_.pop_front();
      return true;
    }
    void wait(std::coroutine_handle<> h) {
      handle_ = h;
      box_->waiters_.push_back(this);
      ++box_->live_waiters_;
    }
    // The deadline fired first: leave the queue (a tombstone that send()
    // skips) and resume with an empty slot, in this event.
    static void on_deadline(void* context, std::uint64_t) {
      auto* self = static_cast<Waiter*>(context);
      Mailbox& box = *self->box_;
      for (std::size_t i = 0; i < box.waiters_.size(); ++i) {
        if (box.waiters_[i] == self) {
          box.waiters_[i] = nullptr;
          break;
        }
      }
      --box.live_waiters_;
      self->handle_.resume();
    }

    Mailbox* box_;
    std::coroutine_handle<> handle_;
    std::optional<T> slot_;
    EventId deadline_;  // stamp 0: no deadline
  };

  Simulator* sim_;
  // Ring queues, not deques: no allocation per message once warm.
  RingQueue<T> messages_;
  // Waiters live in suspended frames; nullptr marks one withdrawn at its
  // deadline (it stays until it reaches the front: no erase from the middle).
  RingQueue<Waiter*> waiters_;
  std::size_t live_waiters_ = 0;
};

}  // namespace sim
