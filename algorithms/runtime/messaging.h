// Sending a message between simulated nodes: the payload travels as a flow of
// `bytes` over the network and lands in the receiver's mailbox on delivery.
// Receiving one: algo::receive, which records the time a node spends blocked.
#pragma once

#include <coroutine>
#include <cstdint>
#include <functional>
#include <optional>
#include <utility>

#include "sim/mailbox.h"
#include "sim/recorder.h"
#include "topology/network.h"

namespace algo {

// Starts the transfer now; `message` is pushed into `inbox` when its last
// byte arrives. The sender does not wait (like a non-blocking MPI_Isend whose
// buffer is the message itself). REQUIRES: inbox outlives the transfer; `tag`
// is a string literal naming what the message carries (for event logs).
//
// If the network carries Lamport clocks (Network::set_lamport_clocks), the
// send ticks the sender's counter and the delivery sets the receiver's to
// max(own, stamp) + 1, so every algorithm gets Lamport time without change.
// If it carries a Recorder, the send and the delivery are recorded with
// those stamps.
//
// If a fault loses the message (see topology::Network), on_lost runs instead.
template <class T>
void send_message(topology::Network& net, topology::NodeId from, topology::NodeId to, double bytes,
                  sim::Mailbox<T>& inbox, T message, const char* tag = "message",
                  std::function<void()> on_lost = {}) {
  sim::LamportClocks* lamport = net.lamport_clocks();
  sim::Recorder* recorder = net.recorder();
  const std::uint64_t stamp = lamport ? lamport->on_send(from) : 0;
  const std::uint64_t id = recorder ? recorder->message_sent(from, to, bytes, tag, stamp) : 0;
  net.start_transfer(
      from, to, bytes,
      [&inbox, m = std::move(message), lamport, recorder, from, to, stamp, id, bytes,
       tag]() mutable {
        const std::uint64_t received = lamport ? lamport->on_deliver(from, to, stamp) : 0;
        if (recorder) recorder->message_received(id, from, to, bytes, tag, received);
        inbox.send(std::move(m));
      },
      std::move(on_lost));
}

// `co_await receive(net, node, inbox, tag)`: inbox.receive(), and if a
// Recorder is attached and the node had to wait, a wait span for `node` from
// the suspension to the resumption.
template <class T>
class ReceiveAwaiter {
 public:
  ReceiveAwaiter(topology::Network& net, topology::NodeId node, sim::Mailbox<T>& inbox,
                 const char* tag)
      : inner_(inbox.receive()), net_(&net), node_(node), tag_(tag) {}
  bool await_ready() { return inner_.await_ready(); }
  void await_suspend(std::coroutine_handle<> h) {
    if (net_->recorder()) since_ = net_->simulator().now();
    inner_.await_suspend(h);
  }
  T await_resume() {
    if (since_) {
      net_->recorder()->span(sim::Recorder::Span::Kind::wait, node_, *since_,
                             net_->simulator().now(), tag_);
    }
    return inner_.await_resume();
  }

 private:
  typename sim::Mailbox<T>::ReceiveAwaiter inner_;
  topology::Network* net_;
  topology::NodeId node_;
  const char* tag_;
  std::optional<sim::Time> since_;
};

template <class T>
ReceiveAwaiter<T> receive(topology::Network& net, topology::NodeId node, sim::Mailbox<T>& inbox,
                          const char* tag = "message") {
  return ReceiveAwaiter<T>(net, node, inbox, tag);
}

}  // namespace algo
