// Sending a message between simulated nodes: the payload travels as a flow of
// `bytes` over the network and lands in the receiver's mailbox on delivery.
#pragma once

#include <cstdint>
#include <functional>
#include <utility>

#include "sim/mailbox.h"
#include "topology/network.h"

namespace algo {

// Starts the transfer now; `message` is pushed into `inbox` when its last
// byte arrives. The sender does not wait (like a non-blocking MPI_Isend whose
// buffer is the message itself). REQUIRES: inbox outlives the transfer.
//
// If the network carries Lamport clocks (Network::set_lamport_clocks), the
// send ticks the sender's counter and the delivery sets the receiver's to
// max(own, stamp) + 1, so every algorithm gets Lamport time without change.
//
// If a fault loses the message (see topology::Network), on_lost runs instead.
template <class T>
void send_message(topology::Network& net, topology::NodeId from, topology::NodeId to, double bytes,
                  sim::Mailbox<T>& inbox, T message, std::function<void()> on_lost = {}) {
  sim::LamportClocks* lamport = net.lamport_clocks();
  const std::uint64_t stamp = lamport ? lamport->on_send(from) : 0;
  net.start_transfer(
      from, to, bytes,
      [&inbox, m = std::move(message), lamport, from, to, stamp]() mutable {
        if (lamport) lamport->on_deliver(from, to, stamp);
        inbox.send(std::move(m));
      },
      std::move(on_lost));
}

}  // namespace algo
