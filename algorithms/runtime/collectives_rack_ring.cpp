// The hierarchical all-reduce with a ring inside each rack (collectives.h),
// as Horovod's hierarchical all-reduce runs it: reduce-scatter inside the
// rack, an all-reduce of each shard across the racks, all-gather inside the
// rack.
#include <algorithm>
#include <vector>

#include "algorithms/runtime/collectives.h"
#include "algorithms/runtime/collectives_parts.h"

namespace algo {
namespace collective_parts {
namespace {

// Which rack `rank` is in, and its position there.
std::pair<std::size_t, int> place_of(const std::vector<std::vector<int>>& racks, int rank) {
  for (std::size_t r = 0; r < racks.size(); ++r) {
    const auto it = std::find(racks[r].begin(), racks[r].end(), rank);
    if (it != racks[r].end()) return {r, static_cast<int>(it - racks[r].begin())};
  }
  return {0, 0};  // unreachable: every rank is in a rack
}

bool racks_equal(const std::vector<std::vector<int>>& racks) {
  return std::all_of(racks.begin(), racks.end(), [&racks](const std::vector<int>& rack) {
    return rack.size() == racks.front().size();
  });
}

}  // namespace

// After the rack's reduce-scatter, member `me` of a rack of h holds the
// rack's sum of chunk (me + 1) mod h. Racks of one size h: the members that
// hold chunk c, one per rack in rack order, run a ring all-reduce of that
// chunk (h rings side by side, each crossing the racks). Racks of different
// sizes have no common chunks: each member hands its chunk to its leader,
// the leaders run a ring all-reduce of the whole vector, and each leader
// hands every member its chunk back. Then the rack's all-gather.
sim::Task rack_ring_allreduce(Communicator& comm, int rank, CollectiveBuffer data, int segments,
                              RingProtocol protocol, std::uint64_t operation) {
  const std::vector<std::vector<int>>& racks = comm.racks();
  const auto [mine, me] = place_of(racks, rank);
  const std::vector<int>& rack = racks[mine];
  const int h = static_cast<int>(rack.size());
  const int owned = (me + 1) % h;
  co_await ring_steps(comm, rack, me, data, 1, operation, protocol, k_rack_ring, 0, h - 1);
  if (racks_equal(racks)) {
    std::vector<int> shard_ring;
    for (const auto& other : racks) shard_ring.push_back(other[static_cast<std::size_t>(me)]);
    co_await ring_among(comm, shard_ring, static_cast<int>(mine), part(data, h, owned), segments,
                        operation, protocol, k_shard_ring);
  } else {
    Packet packet;
    const Tag gather{operation, k_rack_gather, 0};
    const Tag scatter{operation, k_rack_scatter, 0};
    if (me != 0) {
      send_range(comm, rank, rack.front(), gather, data, part(data, h, owned));
      co_await comm.receive(rank, scatter, packet);
      copy_into(data, packet);
    } else {
      for (int i = 1; i < h; ++i) {
        co_await comm.receive(rank, gather, packet);
        copy_into(data, packet);
      }
      std::vector<int> leaders;
      for (const auto& other : racks) leaders.push_back(other.front());
      co_await ring_among(comm, leaders, static_cast<int>(mine), data, segments, operation,
                          protocol, k_shard_ring);
      for (int i = 1; i < h; ++i) {
        send_range(comm, rank, rack[static_cast<std::size_t>(i)], scatter, data,
                   part(data, h, (i + 1) % h));
      }
    }
  }
  co_await ring_steps(comm, rack, me, data, 1, operation, protocol, k_rack_ring, h - 1,
                      2 * (h - 1));
}

}  // namespace collective_parts
}  // namespace algo
