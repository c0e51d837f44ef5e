// The ring all-reduce (collectives.h), also the leaders' stage of the
// hierarchical one.
#include "algorithms/runtime/collectives.h"
#include "algorithms/runtime/collectives_parts.h"

namespace algo {
namespace collective_parts {

// Chunk c is split into `segments` segments; a segment received at step t is
// reduced (steps < n-1) or stored, then forwarded at step t+1. Rendezvous: a
// segment of step t+1 leaves only once one of this rank's step-t segments
// has arrived, and the rank is done once its last step's have.
sim::Task ring_among(Communicator& comm, const std::vector<int>& members, int me,
                     CollectiveBuffer data, int segments, std::uint64_t operation,
                     RingProtocol protocol) {
  const bool rendezvous = protocol == RingProtocol::rendezvous;
  const int n = static_cast<int>(members.size());
  if (n == 1) co_return;
  const int rank = members[static_cast<std::size_t>(me)];
  const int next = members[static_cast<std::size_t>((me + 1) % n)];
  const int steps = 2 * (n - 1);
  // Step 0 sends chunk `me`; every later step forwards what the previous brought.
  const auto forward = [&](int step, CollectiveBuffer range) {
    const std::size_t offset = range.offset() - data.offset();
    if (rendezvous) {
      comm.send_notified(rank, next, {operation, k_ring, step}, offset, range);
    } else {
      comm.send(rank, next, {operation, k_ring, step}, offset, range);
    }
  };
  for (int s = 0; s < segments; ++s) forward(0, part(part(data, n, me), segments, s));
  Packet packet;
  for (int step = 0; step < steps; ++step) {
    for (int s = 0; s < segments; ++s) {
      co_await comm.receive(rank, {operation, k_ring, step}, packet);
      if (step < n - 1) {
        add_into(data, packet);
      } else {
        copy_into(data, packet);
      }
      if (step + 1 < steps) {
        if (rendezvous) co_await comm.wait_delivered(rank, {operation, k_ring, step});
        forward(step + 1, data.part(packet.offset, packet.elements));
      }
    }
  }
  if (!rendezvous) co_return;
  for (int s = 0; s < segments; ++s) {
    co_await comm.wait_delivered(rank, {operation, k_ring, steps - 1});
  }
}

}  // namespace collective_parts

sim::Task ring_allreduce(Communicator& comm, int rank, CollectiveBuffer data, int segments,
                         RingProtocol protocol) {
  using namespace collective_parts;
  check(comm, rank, segments);
  const std::uint64_t operation = comm.begin_operation(rank);
  co_await ring_among(comm, all_ranks(comm), rank, data, segments, operation, protocol);
}

}  // namespace algo
