#include "algorithms/runtime/collectives.h"

#include <algorithm>
#include <cassert>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>

#include "algorithms/runtime/messaging.h"
#include "topology/builders.h"

namespace algo {
namespace {

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
};

// Element range [begin, end) of part `index` of `parts` over n elements:
// as balanced as integer division allows.
std::size_t part_begin(std::size_t n, int parts, int index) {
  return n * static_cast<std::size_t>(index) / static_cast<std::size_t>(parts);
}

std::span<float> part(std::span<float> data, int parts, int index) {
  const std::size_t begin = part_begin(data.size(), parts, index);
  const std::size_t end = part_begin(data.size(), parts, index + 1);
  return data.subspan(begin, end - begin);
}

void add_into(std::span<float> data, const Packet& packet) {
  assert(packet.offset + packet.data.size() <= data.size());
  float* out = data.data() + packet.offset;
  for (std::size_t i = 0; i < packet.data.size(); ++i) out[i] += packet.data[i];
}

void copy_into(std::span<float> data, const Packet& packet) {
  assert(packet.offset + packet.data.size() <= data.size());
  std::copy(packet.data.begin(), packet.data.end(),
            data.begin() + static_cast<std::ptrdiff_t>(packet.offset));
}

void send_range(Communicator& comm, int from, int to, Tag tag, std::span<float> data,
                std::span<float> range) {
  comm.send(from, to, tag, static_cast<std::size_t>(range.data() - data.data()), range);
}

void check(const Communicator& comm, int rank, int segments) {
  if (rank < 0 || rank >= comm.size()) {
    throw std::invalid_argument("collective: rank " + std::to_string(rank) + " outside 0.." +
                                std::to_string(comm.size() - 1));
  }
  if (segments < 1) throw std::invalid_argument("collective: segments must be >= 1");
}

// The ring all-reduce among `members` (ranks, in ring order), run by
// members[me]. Chunk c is split into `segments` segments; a segment received
// at step t is reduced (steps < n-1) or stored, then forwarded at step t+1.
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

}  // namespace

Communicator::Communicator(sim::Simulator& sim, topology::Network& net,
                           std::vector<topology::NodeId> hosts, bool carries_data,
                           bool abort_on_loss)
    : sim_(&sim),
      net_(&net),
      hosts_(std::move(hosts)),
      carries_data_(carries_data),
      abort_on_loss_(abort_on_loss) {
  if (hosts_.empty()) throw std::invalid_argument("Communicator needs at least one host");
  std::vector<topology::NodeId> sorted = hosts_;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
    throw std::invalid_argument("Communicator hosts must be distinct");
  }
  const std::vector<int> rack_of = topology::rack_index(net.topology());
  std::map<int, std::size_t> group_of_rack;  // rack index -> position in racks_
  for (int rank = 0; rank < size(); ++rank) {
    const int rack = rack_of.at(static_cast<std::size_t>(host(rank)));
    const auto it = rack < 0 ? group_of_rack.end() : group_of_rack.find(rack);
    if (it != group_of_rack.end()) {
      racks_[it->second].push_back(rank);
      continue;
    }
    if (rack >= 0) group_of_rack.emplace(rack, racks_.size());
    racks_.push_back({rank});  // ranks ascend, so groups come ordered by lowest rank
  }
  for (int rank = 0; rank < size(); ++rank) {
    inboxes_.push_back(std::make_unique<sim::Mailbox<Packet>>(sim));
  }
  early_.resize(hosts_.size());
  next_operation_.assign(hosts_.size(), 0);
}

void Communicator::send(int from, int to, Tag tag, std::size_t offset,
                        std::span<const float> data) {
  const double bytes = static_cast<double>(data.size()) * sizeof(float);
  send_message(*net_, host(from), host(to), bytes, *inboxes_.at(static_cast<std::size_t>(to)),
               Packet{from, tag, offset,
                      carries_data_ ? std::vector<float>(data.begin(), data.end())
                                    : std::vector<float>(),
                      data.size()},
               "chunk",
               abort_on_loss_ ? std::function<void()>([this, from, tag] { abort(from, tag.operation); })
                              : std::function<void()>());
}

void Communicator::abort(int rank, std::uint64_t operation) {
  Packet packet;
  packet.source = rank;
  packet.tag.operation = operation;
  packet.abort = true;
  inboxes_.at(static_cast<std::size_t>(rank))->send(std::move(packet));
}

sim::Task Communicator::receive(int rank, Tag tag, Packet& out) {
  std::vector<Packet>& early = early_.at(static_cast<std::size_t>(rank));
  const auto it =
      std::find_if(early.begin(), early.end(), [&tag](const Packet& p) { return p.tag == tag; });
  if (it != early.end()) {
    out = std::move(*it);
    early.erase(it);
    co_return;
  }
  sim::Mailbox<Packet>& inbox = *inboxes_[static_cast<std::size_t>(rank)];
  while (true) {
    Packet packet = co_await algo::receive(*net_, host(rank), inbox, "chunk");
    if (packet.abort) {
      if (packet.tag.operation >= tag.operation) throw CollectiveAborted();
      continue;  // an operation this rank has finished: too late to matter
    }
    if (packet.tag == tag) {
      out = std::move(packet);
      co_return;
    }
    early.push_back(std::move(packet));
  }
}

const char* collective_name(CollectiveKind kind) {
  switch (kind) {
    case CollectiveKind::ring:
      return "ring";
    case CollectiveKind::rabenseifner:
      return "rabenseifner";
    case CollectiveKind::binary_tree:
      return "binary_tree";
    case CollectiveKind::hierarchical:
      return "hierarchical";
  }
  return "ring";
}

sim::Task ring_allreduce(Communicator& comm, int rank, std::span<float> data, int segments) {
  check(comm, rank, segments);
  const std::uint64_t operation = comm.begin_operation(rank);
  std::vector<int> members(static_cast<std::size_t>(comm.size()));
  for (int r = 0; r < comm.size(); ++r) members[static_cast<std::size_t>(r)] = r;
  co_await ring_among(comm, members, rank, data, segments, operation);
}

sim::Task rabenseifner_allreduce(Communicator& comm, int rank, std::span<float> data) {
  check(comm, rank, 1);
  const std::uint64_t operation = comm.begin_operation(rank);
  const int n = comm.size();
  int p = 1;
  while (p * 2 <= n) p *= 2;
  const int extra = n - p;
  const std::span<float> all = data;
  Packet packet;

  // Fold: ranks 2i and 2i+1 (i < extra) become one participant, 2i+1.
  if (rank < 2 * extra && rank % 2 == 0) {
    send_range(comm, rank, rank + 1, {operation, k_fold, 0}, data, all);
    co_await comm.receive(rank, {operation, k_unfold, 0}, packet);
    copy_into(data, packet);
    co_return;
  }
  if (rank < 2 * extra) {
    co_await comm.receive(rank, {operation, k_fold, 0}, packet);
    add_into(data, packet);
  }
  const int me = rank < 2 * extra ? rank / 2 : rank - extra;  // position among the p
  const auto rank_of = [extra](int position) {
    return position < extra ? 2 * position + 1 : position + extra;
  };

  // Recursive halving over p blocks: keep the half on my side of bit d.
  int lo = 0, hi = p;  // the blocks this rank is responsible for
  const auto blocks = [&data, p](int first, int last) {
    const std::size_t begin = part_begin(data.size(), p, first);
    return data.subspan(begin, part_begin(data.size(), p, last) - begin);
  };
  int step = 0;
  for (int d = p / 2; d >= 1; d /= 2, ++step) {
    const int partner = rank_of(me ^ d);
    const int mid = (lo + hi) / 2;
    const bool lower = (me & d) == 0;
    send_range(comm, rank, partner, {operation, k_halving, step}, data,
               lower ? blocks(mid, hi) : blocks(lo, mid));
    if (lower) {
      hi = mid;
    } else {
      lo = mid;
    }
    co_await comm.receive(rank, {operation, k_halving, step}, packet);
    add_into(data, packet);
  }
  // Recursive doubling: swap what each holds, the ranges grow back to all.
  step = 0;
  for (int d = 1; d < p; d *= 2, ++step) {
    const int partner = rank_of(me ^ d);
    send_range(comm, rank, partner, {operation, k_doubling, step}, data, blocks(lo, hi));
    co_await comm.receive(rank, {operation, k_doubling, step}, packet);
    copy_into(data, packet);
    const int width = hi - lo;
    if ((me & d) == 0) {
      hi += width;
    } else {
      lo -= width;
    }
  }
  if (rank < 2 * extra) send_range(comm, rank, rank - 1, {operation, k_unfold, 0}, data, all);
}

namespace {

// Sums the vectors of `members` (ranks) into members[0], children added in
// arrival order: a binary tree in heap order, or with `flat` a star around
// members[0] (every member sends straight to it).
sim::Task reduce_to_root(Communicator& comm, const std::vector<int>& members, int me,
                         std::span<float> data, std::uint64_t operation, bool flat) {
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

// The mirror image of reduce_to_root: members[0]'s vector to every member.
sim::Task broadcast_from_root(Communicator& comm, const std::vector<int>& members, int me,
                              std::span<float> data, std::uint64_t operation, bool flat) {
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

}  // namespace

sim::Task binary_tree_allreduce(Communicator& comm, int rank, std::span<float> data) {
  check(comm, rank, 1);
  const std::uint64_t operation = comm.begin_operation(rank);
  std::vector<int> members(static_cast<std::size_t>(comm.size()));
  for (int r = 0; r < comm.size(); ++r) members[static_cast<std::size_t>(r)] = r;
  co_await reduce_to_root(comm, members, rank, data, operation, false);
  co_await broadcast_from_root(comm, members, rank, data, operation, false);
}

sim::Task hierarchical_allreduce(Communicator& comm, int rank, std::span<float> data,
                                 int segments) {
  check(comm, rank, segments);
  const std::uint64_t operation = comm.begin_operation(rank);
  const std::vector<std::vector<int>>& racks = comm.racks();
  std::vector<int> leaders;
  for (const auto& rack : racks) leaders.push_back(rack.front());
  std::size_t mine = 0;
  while (std::find(racks[mine].begin(), racks[mine].end(), rank) == racks[mine].end()) ++mine;
  const std::vector<int>& rack = racks[mine];
  const int me = static_cast<int>(std::find(rack.begin(), rack.end(), rank) - rack.begin());

  co_await reduce_to_root(comm, rack, me, data, operation, true);
  if (me == 0)
    co_await ring_among(comm, leaders, static_cast<int>(mine), data, segments, operation);
  co_await broadcast_from_root(comm, rack, me, data, operation, true);
}

sim::Task allreduce(Communicator& comm, int rank, std::span<float> data,
                    const CollectiveSpec& spec) {
  switch (spec.kind) {
    case CollectiveKind::ring:
      co_await ring_allreduce(comm, rank, data, spec.segments);
      break;
    case CollectiveKind::rabenseifner:
      co_await rabenseifner_allreduce(comm, rank, data);
      break;
    case CollectiveKind::binary_tree:
      co_await binary_tree_allreduce(comm, rank, data);
      break;
    case CollectiveKind::hierarchical:
      co_await hierarchical_allreduce(comm, rank, data, spec.segments);
      break;
  }
}

}  // namespace algo
