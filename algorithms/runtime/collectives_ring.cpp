// The ring all-reduce (collectives.h), also the leaders' stage of the
// hierarchical one.
#include "algorithms/runtime/collectives.h"
#include "algorithms/runtime/collectives_parts.h"

namespace algo {
namespace collective_parts {

// Chunk c is split into `segments` segments; a segment received at step t is
// reduced (steps < n-1) or stored, then forwarded at step t+1.
sim::Task ring_among(Communicator& comm, const std::vector<int>& members, int me,
                     std::span<float> data, int segments, std::uint64_t operation) {
  const int n = static_cast<int>(members.size());
  if (n == 1) co_return;
  const int rank = members[static_cast<std::size_t>(me)];
  const int next = members[static_cast<std::size_t>((me + 1) % n)];
  const int steps = 2 * (n - 1);
  // Step 0 sends chunk `me`; every later step forwards what the previous brought.
  for (int s = 0; s < segments; ++s) {
    send_range(comm, rank, next, {operation, k_ring, 0}, data,
               part(part(data, n, me), segments, s));
  }
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
        send_range(comm, rank, next, {operation, k_ring, step + 1}, data,
                   data.subspan(packet.offset, packet.elements));
      }
    }
  }
}

}  // namespace collective_parts

sim::Task ring_allreduce(Communicator& comm, int rank, std::span<float> data, int segments) {
  using namespace collective_parts;
  check(comm, rank, segments);
  const std::uint64_t operation = comm.begin_operation(rank);
  co_await ring_among(comm, all_ranks(comm), rank, data, segments, operation);
}

}  // namespace algo
