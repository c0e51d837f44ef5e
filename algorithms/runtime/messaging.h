// Sending a message between simulated nodes: the payload travels as a flow of
// `bytes` over the network and lands in the receiver's mailbox on delivery.
// Receiving one: algo::receive, which records the time a node spends blocked.
#pragma once

#include <coroutine>
#include <cstdint>
#include <functional>
#include <optional>
#include <utility>

#include "algorithms/runtime/update_census.h"
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
// on_delivered, if given, runs right after the message is pushed (a sender
// that waits for its send to complete, as a blocking MPI send does).
// on_drained, if given, runs when the message's last byte has left the
// sender (topology::Network::start_transfer).
//
// A message that carries an update (a member `UpdateCopy update_copy`, see
// update_census.h) moves its copy onto the network, and into the receiver's
// host at delivery; a lost message's copy dies with it.
template <class T>
void send_message(topology::Network& net, topology::NodeId from, topology::NodeId to, double bytes,
                  sim::Mailbox<T>& inbox, T message, const char* tag = "message",
                  std::function<void()> on_lost = {}, std::function<void()> on_delivered = {},
                  std::function<void()> on_drained = {}) {
  constexpr bool carries_update = requires { message.update_copy.place_in_network(); };
  if constexpr (carries_update) {
    UpdateCensus* census = message.update_copy.census();
    if (census != nullptr && census->take_vanish()) return;  // test only: see UpdateCensus
    message.update_copy.place_in_network();
  }
  sim::LamportClocks* lamport = net.lamport_clocks();
  sim::Recorder* recorder = net.recorder();
  const std::uint64_t stamp = lamport ? lamport->on_send(from) : 0;
  const std::uint64_t id = recorder ? recorder->message_sent(from, to, bytes, tag, stamp) : 0;
  net.start_transfer(
      from, to, bytes,
      [&inbox, m = std::move(message), lamport, recorder, from, to, stamp, id, bytes, tag,
       then = std::move(on_delivered), network = &net]() mutable {
        const std::uint64_t received = lamport ? lamport->on_deliver(from, to, stamp) : 0;
        if (recorder) recorder->message_received(id, from, to, bytes, tag, received);
        if constexpr (carries_update) m.update_copy.place_at(to, network->incarnation(to));
        inbox.send(std::move(m));
        if (then) then();
      },
      std::move(on_lost), std::move(on_drained));
}

// `co_await receive(net, node, inbox, tag)`: inbox.receive(), and if a
// Recorder is attached and the node had to wait, a wait span for `node` from
// the suspension to the resumption. receive_until / receive_for: the same
// with a deadline in true time (std::nullopt if nothing came by then; see
// sim/mailbox.h); a timeout on the node's own clock is wait_for_local's
// (local_time.h).
template <class Inner>
class RecordedReceive {
 public:
  RecordedReceive(topology::Network& net, topology::NodeId node, Inner inner, const char* tag)
      : inner_(std::move(inner)), net_(&net), node_(node), tag_(tag) {}
  bool await_ready() { return inner_.await_ready(); }
  void await_suspend(std::coroutine_handle<> h) {
    if (net_->recorder()) since_ = net_->simulator().now();
    inner_.await_suspend(h);
  }
  auto await_resume() {
    if (since_) {
      net_->recorder()->span(sim::Recorder::Span::Kind::wait, node_, *since_,
                             net_->simulator().now(), tag_);
    }
    return inner_.await_resume();
  }

 private:
  Inner inner_;
  topology::Network* net_;
  topology::NodeId node_;
  const char* tag_;
  std::optional<sim::Time> since_;
};

template <class T>
using ReceiveAwaiter = RecordedReceive<typename sim::Mailbox<T>::ReceiveAwaiter>;
template <class T>
using ReceiveUntilAwaiter = RecordedReceive<typename sim::Mailbox<T>::ReceiveUntilAwaiter>;

template <class T>
ReceiveAwaiter<T> receive(topology::Network& net, topology::NodeId node, sim::Mailbox<T>& inbox,
                          const char* tag = "message") {
  return ReceiveAwaiter<T>(net, node, inbox.receive(), tag);
}

template <class T>
ReceiveUntilAwaiter<T> receive_until(topology::Network& net, topology::NodeId node,
                                     sim::Mailbox<T>& inbox, sim::Time deadline,
                                     const char* tag = "message") {
  return ReceiveUntilAwaiter<T>(net, node, inbox.receive_until(deadline), tag);
}

template <class T>
ReceiveUntilAwaiter<T> receive_for(topology::Network& net, topology::NodeId node,
                                   sim::Mailbox<T>& inbox, sim::Time timeout,
                                   const char* tag = "message") {
  return ReceiveUntilAwaiter<T>(net, node, inbox.receive_for(timeout), tag);
}

}  // namespace algo
