// What the all-reduce algorithms (collectives_*.cpp) share: the tag phases,
// the split of a vector into parts, the reduction and copy of a received
// packet, and the stages more than one algorithm runs. Internal to
// algorithms/runtime.
#pragma once

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "algorithms/runtime/collectives.h"

namespace algo::collective_parts {

using Packet = Communicator::Packet;
using Tag = Communicator::Tag;

// Phases of the tags, one per stage of a collective, so stages never mix.
enum Phase : int {
  k_ring = 0,
  k_fold = 1,  // rabenseifner: the extra ranks hand their vector in
  k_halving = 2,
  k_doubling = 3,
  k_unfold = 4,       // rabenseifner: the extra ranks get the result back
  k_tree_reduce = 5,  // also the hierarchical rack reduce
  k_tree_broadcast = 6,
  k_chain_reduce = 7,  // pipelined chain: step = segment
  k_chain_broadcast = 8,
  k_rack_ring = 9,      // hierarchical with a ring inside each rack
  k_shard_ring = 10,    // ... the rings across the racks
  k_rack_gather = 11,   // ... racks of different sizes: the chunks to the leader
  k_rack_scatter = 12,  // ... and back
  k_gather = 13,        // the all-gather of encoded blocks
};

// Element range [begin, end) of part `index` of `parts` over n elements:
// as balanced as integer division allows.
inline std::size_t part_begin(std::size_t n, int parts, int index) {
  return n * static_cast<std::size_t>(index) / static_cast<std::size_t>(parts);
}

inline CollectiveBuffer part(CollectiveBuffer data, int parts, int index) {
  const std::size_t begin = part_begin(data.size(), parts, index);
  const std::size_t end = part_begin(data.size(), parts, index + 1);
  return data.part(begin, end - begin);
}

// Both do nothing for a packet without floats (math: none).
inline void add_into(CollectiveBuffer data, const Packet& packet) {
  assert(packet.offset + packet.data.size() <= data.size());
  if (packet.data.empty()) return;
  float* out = data.floats().data() + packet.offset;
  for (std::size_t i = 0; i < packet.data.size(); ++i) out[i] += packet.data[i];
}

inline void copy_into(CollectiveBuffer data, const Packet& packet) {
  assert(packet.offset + packet.data.size() <= data.size());
  if (packet.data.empty()) return;
  std::copy(packet.data.begin(), packet.data.end(),
            data.floats().begin() + static_cast<std::ptrdiff_t>(packet.offset));
}

// Sends `range`, a part of `data`, to the same offset in the receiver's buffer.
inline void send_range(Communicator& comm, int from, int to, Tag tag, CollectiveBuffer data,
                       CollectiveBuffer range) {
  comm.send(from, to, tag, range.offset() - data.offset(), range);
}

// Throws std::invalid_argument for a rank outside the group or segments < 1.
void check(const Communicator& comm, int rank, int segments);

// The ranks 0 .. comm.size() - 1, in order.
std::vector<int> all_ranks(const Communicator& comm);

// The ring all-reduce among `members` (ranks, in ring order), run by
// members[me], its messages tagged with `phase`.
sim::Task ring_among(Communicator& comm, const std::vector<int>& members, int me,
                     CollectiveBuffer data, int segments, std::uint64_t operation,
                     RingProtocol protocol, int phase = k_ring);

// Steps [first, last) of that ring under tag phase `phase`: [0, n-1) is
// its reduce-scatter, after which members[me] holds the sum of chunk
// (me + 1) mod n (chunk c = part(data, n, c)); [n-1, 2(n-1)) its all-gather.
sim::Task ring_steps(Communicator& comm, const std::vector<int>& members, int me,
                     CollectiveBuffer data, int segments, std::uint64_t operation,
                     RingProtocol protocol, int phase, int first, int last);

// The hierarchical all-reduce with IntraRack::ring, run by `rank`
// (collectives_rack_ring.cpp).
sim::Task rack_ring_allreduce(Communicator& comm, int rank, CollectiveBuffer data, int segments,
                              RingProtocol protocol, std::uint64_t operation);

// Sums the vectors of `members` (ranks) into members[0], children added in
// arrival order: a binary tree in heap order, or with `flat` a star around
// members[0] (every member sends straight to it).
sim::Task reduce_to_root(Communicator& comm, const std::vector<int>& members, int me,
                         CollectiveBuffer data, std::uint64_t operation, bool flat);
// The mirror image of reduce_to_root: members[0]'s vector to every member.
sim::Task broadcast_from_root(Communicator& comm, const std::vector<int>& members, int me,
                              CollectiveBuffer data, std::uint64_t operation, bool flat);

// The binomial tree over `members` rooted at members[0] (see
// binomial_tree_allreduce in collectives.h), run by members[me].
sim::Task binomial_reduce(Communicator& comm, const std::vector<int>& members, int me,
                          CollectiveBuffer data, std::uint64_t operation);
sim::Task binomial_broadcast(Communicator& comm, const std::vector<int>& members, int me,
                             CollectiveBuffer data, std::uint64_t operation);

}  // namespace algo::collective_parts
