// The ring all-gather of encoded blocks (collectives.h): how an all-reduce
// runs with a lossy compressor, whose sparse or quantized vectors are not
// closed under addition. Every rank receives every other rank's encoding
// and decodes and sums them itself (data_parallel.h).
#include "algorithms/runtime/collectives.h"
#include "algorithms/runtime/collectives_parts.h"

namespace algo {

sim::Task ring_allgather(Communicator& comm, int rank, CollectiveBuffer blocks, std::size_t block,
                         double bytes) {
  using namespace collective_parts;
  check(comm, rank, 1);
  const std::uint64_t operation = comm.begin_operation(rank);
  const int n = comm.size();
  if (n == 1) co_return;
  const int next = (rank + 1) % n;
  const auto block_of = [&](int owner) {
    return blocks.part(static_cast<std::size_t>(owner) * block, block);
  };
  comm.send_encoded(rank, next, {operation, k_gather, 0}, static_cast<std::size_t>(rank) * block,
                    block_of(rank), block, bytes);
  Packet packet;
  for (int step = 0; step < n - 1; ++step) {
    co_await comm.receive(rank, {operation, k_gather, step}, packet);
    copy_into(blocks, packet);
    if (step + 1 < n - 1) {
      const auto owner = static_cast<int>(packet.offset / (block == 0 ? 1 : block));
      comm.send_encoded(rank, next, {operation, k_gather, step + 1}, packet.offset, block_of(owner),
                        block, packet.bytes);
    }
  }
}

}  // namespace algo
