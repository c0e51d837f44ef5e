// The tree all-reduces (collectives.h): the heap-ordered binary tree, the
// binomial tree, and the hierarchical one (a flat tree in each rack around a
// ring of the rack leaders).
#include <algorithm>
#include <vector>

#include "algorithms/runtime/collectives.h"
#include "algorithms/runtime/collectives_parts.h"

namespace algo {
namespace collective_parts {

sim::Task reduce_to_root(Communicator& comm, const std::vector<int>& members, int me,
                         CollectiveBuffer data, std::uint64_t operation, bool flat) {
  const int n = static_cast<int>(members.size());
  const int rank = members[static_cast<std::size_t>(me)];
  std::vector<int> children;
  if (flat) {
    if (me == 0) children.assign(members.begin() + 1, members.end());
  } else {
    for (int c : {2 * me + 1, 2 * me + 2}) {
      if (c < n) children.push_back(members[static_cast<std::size_t>(c)]);
    }
  }
  const int parent = me == 0 ? -1 : members[static_cast<std::size_t>(flat ? 0 : (me - 1) / 2)];
  Packet packet;
  for (std::size_t i = 0; i < children.size(); ++i) {
    co_await comm.receive(rank, {operation, k_tree_reduce, 0}, packet);
    add_into(data, packet);
  }
  if (parent >= 0) send_range(comm, rank, parent, {operation, k_tree_reduce, 0}, data, data);
}

sim::Task broadcast_from_root(Communicator& comm, const std::vector<int>& members, int me,
                              CollectiveBuffer data, std::uint64_t operation, bool flat) {
  const int n = static_cast<int>(members.size());
  const int rank = members[static_cast<std::size_t>(me)];
  Packet packet;
  if (me != 0) {
    co_await comm.receive(rank, {operation, k_tree_broadcast, 0}, packet);
    copy_into(data, packet);
  }
  if (flat) {
    if (me != 0) co_return;
    for (int c = 1; c < n; ++c) {
      send_range(comm, rank, members[static_cast<std::size_t>(c)], {operation, k_tree_broadcast, 0},
                 data, data);
    }
    co_return;
  }
  for (int c : {2 * me + 1, 2 * me + 2}) {
    if (c < n) {
      send_range(comm, rank, members[static_cast<std::size_t>(c)], {operation, k_tree_broadcast, 0},
                 data, data);
    }
  }
}

// Reduce: at level k (mask 2^k) a member with that bit set sends its
// partial sum to me - mask and is done; the others add what me + mask sends.
sim::Task binomial_reduce(Communicator& comm, const std::vector<int>& members, int me,
                          CollectiveBuffer data, std::uint64_t operation) {
  const int n = static_cast<int>(members.size());
  const int rank = members[static_cast<std::size_t>(me)];
  Packet packet;
  for (int mask = 1, level = 0; mask < n; mask *= 2, ++level) {
    if ((me & mask) != 0) {
      co_await comm.send_and_wait(rank, members[static_cast<std::size_t>(me - mask)],
                                  {operation, k_tree_reduce, level}, 0, data);
      co_return;
    }
    if (me + mask < n) {
      co_await comm.receive(rank, {operation, k_tree_reduce, level}, packet);
      add_into(data, packet);
    }
  }
}

// Broadcast: a member receives at the level of its lowest set bit (member 0
// at none), then passes the vector down the levels below it, largest first.
sim::Task binomial_broadcast(Communicator& comm, const std::vector<int>& members, int me,
                             CollectiveBuffer data, std::uint64_t operation) {
  const int n = static_cast<int>(members.size());
  const int rank = members[static_cast<std::size_t>(me)];
  int mask = 1, level = 0;
  while (mask < n && (me & mask) == 0) {
    mask *= 2;
    ++level;
  }
  if (me != 0) {
    Packet packet;
    co_await comm.receive(rank, {operation, k_tree_broadcast, level}, packet);
    copy_into(data, packet);
  }
  for (mask /= 2, --level; mask >= 1; mask /= 2, --level) {
    if (me + mask < n) {
      co_await comm.send_and_wait(rank, members[static_cast<std::size_t>(me + mask)],
                                  {operation, k_tree_broadcast, level}, 0, data);
    }
  }
}

}  // namespace collective_parts

sim::Task binary_tree_allreduce(Communicator& comm, int rank, CollectiveBuffer data) {
  using namespace collective_parts;
  check(comm, rank, 1);
  const std::uint64_t operation = comm.begin_operation(rank);
  const std::vector<int> members = all_ranks(comm);
  co_await reduce_to_root(comm, members, rank, data, operation, false);
  co_await broadcast_from_root(comm, members, rank, data, operation, false);
}

sim::Task binomial_tree_allreduce(Communicator& comm, int rank, CollectiveBuffer data) {
  using namespace collective_parts;
  check(comm, rank, 1);
  const std::uint64_t operation = comm.begin_operation(rank);
  const std::vector<int> members = all_ranks(comm);
  co_await binomial_reduce(comm, members, rank, data, operation);
  co_await binomial_broadcast(comm, members, rank, data, operation);
}

sim::Task hierarchical_allreduce(Communicator& comm, int rank, CollectiveBuffer data, int segments,
                                 IntraRack intra, RingProtocol protocol) {
  using namespace collective_parts;
  check(comm, rank, segments);
  const std::uint64_t operation = comm.begin_operation(rank);
  if (intra == IntraRack::ring) {
    co_await rack_ring_allreduce(comm, rank, data, segments, protocol, operation);
    co_return;
  }
  const std::vector<std::vector<int>>& racks = comm.racks();
  std::vector<int> leaders;
  for (const auto& rack : racks) leaders.push_back(rack.front());
  std::size_t mine = 0;
  while (std::find(racks[mine].begin(), racks[mine].end(), rank) == racks[mine].end()) ++mine;
  const std::vector<int>& rack = racks[mine];
  const int me = static_cast<int>(std::find(rack.begin(), rack.end(), rank) - rack.begin());

  if (intra == IntraRack::binomial) {
    co_await binomial_reduce(comm, rack, me, data, operation);
  } else {
    co_await reduce_to_root(comm, rack, me, data, operation, true);
  }
  if (me == 0)
    co_await ring_among(comm, leaders, static_cast<int>(mine), data, segments, operation, protocol);
  if (intra == IntraRack::binomial) {
    co_await binomial_broadcast(comm, rack, me, data, operation);
  } else {
    co_await broadcast_from_root(comm, rack, me, data, operation, true);
  }
}

}  // namespace algo
