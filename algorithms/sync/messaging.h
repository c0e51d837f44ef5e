// Sending a message between simulated nodes: the payload travels as a flow of
// `bytes` over the network and lands in the receiver's mailbox on delivery.
#pragma once

#include <utility>

#include "sim/mailbox.h"
#include "topology/network.h"

namespace algo {

// Starts the transfer now; `message` is pushed into `inbox` when its last
// byte arrives. The sender does not wait (like a non-blocking MPI_Isend whose
// buffer is the message itself). REQUIRES: inbox outlives the transfer.
template <class T>
void send_message(topology::Network& net, topology::NodeId from, topology::NodeId to,
                  double bytes, sim::Mailbox<T>& inbox, T message) {
  net.start_transfer(from, to, bytes,
                     [&inbox, m = std::move(message)]() mutable { inbox.send(std::move(m)); });
}

}  // namespace algo
