// The pipelined chain all-reduce (collectives.h): a segmented reduce down a
// chain to rank 0, then a segmented broadcast back up it.
#include <vector>

#include "algorithms/runtime/collectives.h"
#include "algorithms/runtime/collectives_parts.h"

namespace algo {

// Every send goes over its connection (Communicator::send_queued), so a
// rank's segments leave one after another and a segment moves on as soon as
// it has arrived (and, in the reduce, been added), while the ones behind it
// are still on the wire.
sim::Task pipelined_chain_allreduce(Communicator& comm, int rank, CollectiveBuffer data,
                                    int segments) {
  using namespace collective_parts;
  check(comm, rank, segments);
  const std::uint64_t operation = comm.begin_operation(rank);
  const int n = comm.size();
  if (n == 1) co_return;
  Packet packet;
  for (int s = 0; s < segments; ++s) {
    const CollectiveBuffer segment = part(data, segments, s);
    if (rank + 1 < n) {
      co_await comm.receive(rank, {operation, k_chain_reduce, s}, packet);
      add_into(data, packet);
    }
    if (rank > 0) {
      comm.send_queued(rank, rank - 1, {operation, k_chain_reduce, s},
                       segment.offset() - data.offset(), segment);
    }
  }
  for (int s = 0; s < segments; ++s) {
    const CollectiveBuffer segment = part(data, segments, s);
    if (rank > 0) {
      co_await comm.receive(rank, {operation, k_chain_broadcast, s}, packet);
      copy_into(data, packet);
    }
    if (rank + 1 < n) {
      comm.send_queued(rank, rank + 1, {operation, k_chain_broadcast, s},
                       segment.offset() - data.offset(), segment);
    }
  }
}

}  // namespace algo
