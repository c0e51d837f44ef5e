// The ring all-reduce (collectives.h), also the leaders' stage of the
// hierarchical one.
#include "algorithms/runtime/collectives.h"
#include "algorithms/runtime/collectives_parts.h"

namespace algo {
namespace collective_parts {

// Chunk c is split into `segments` segments; a segment received at step t is
// reduced (steps < n-1) or stored, then forwarded at step t+1 at once. With
// more than one segment, a rank's segments to the next rank go over one
// connection (Communicator::send_queued): each leaves when the one before it
// has drained, so a step's later segments are still on the wire while its
// first ones are forwarded (the pipeline). One segment sends as before, each
// step's chunk on its own. Rendezvous: a segment of step t+1 leaves only once
// one of this rank's step-t segments has arrived, and the rank is done once
// its last step's have.
sim::Task ring_among(Communicator& comm, const std::vector<int>& members, int me,
                     CollectiveBuffer data, int segments, std::uint64_t operation,
                     RingProtocol protocol, int phase) {
  const int n = static_cast<int>(members.size());
  co_await ring_steps(comm, members, me, data, segments, operation, protocol, phase, 0,
                      2 * (n - 1));
}

sim::Task ring_steps(Communicator& comm, const std::vector<int>& members, int me,
                     CollectiveBuffer data, int segments, std::uint64_t operation,
                     RingProtocol protocol, int phase, int first, int last) {
  const bool rendezvous = protocol == RingProtocol::rendezvous;
  const int n = static_cast<int>(members.size());
  if (n == 1 || first >= last) co_return;
  const int rank = members[static_cast<std::size_t>(me)];
  const int next = members[static_cast<std::size_t>((me + 1) % n)];
  const bool pipelined = segments > 1;
  const auto forward = [&](int step, CollectiveBuffer range) {
    const std::size_t offset = range.offset() - data.offset();
    if (pipelined) {
      comm.send_queued(rank, next, {operation, phase, step}, offset, range, rendezvous);
    } else if (rendezvous) {
      comm.send_notified(rank, next, {operation, phase, step}, offset, range);
    } else {
      comm.send(rank, next, {operation, phase, step}, offset, range);
    }
  };
  // Step t sends chunk (me - t) mod n: at step 0 its own, later what the
  // step before brought.
  const int chunk = ((me - first) % n + n) % n;
  for (int s = 0; s < segments; ++s) forward(first, part(part(data, n, chunk), segments, s));
  Packet packet;
  for (int step = first; step < last; ++step) {
    for (int s = 0; s < segments; ++s) {
      co_await comm.receive(rank, {operation, phase, step}, packet);
      if (step < n - 1) {
        add_into(data, packet);
      } else {
        copy_into(data, packet);
      }
      if (step + 1 < last) {
        if (rendezvous) co_await comm.wait_delivered(rank, {operation, phase, step});
        forward(step + 1, data.part(packet.offset, packet.elements));
      }
    }
  }
  if (!rendezvous) co_return;
  for (int s = 0; s < segments; ++s) {
    co_await comm.wait_delivered(rank, {operation, phase, last - 1});
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
