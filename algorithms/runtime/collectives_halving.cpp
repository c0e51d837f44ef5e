// Rabenseifner's all-reduce (collectives.h): recursive halving, then
// recursive doubling, in either order of partner distances.
#include <algorithm>
#include <vector>

#include "algorithms/runtime/collectives.h"
#include "algorithms/runtime/collectives_parts.h"

namespace algo {

sim::Task rabenseifner_allreduce(Communicator& comm, int rank, CollectiveBuffer data,
                                 HalvingOrder order) {
  using namespace collective_parts;
  check(comm, rank, 1);
  const std::uint64_t operation = comm.begin_operation(rank);
  const int n = comm.size();
  int p = 1;
  while (p * 2 <= n) p *= 2;
  const int extra = n - p;
  const CollectiveBuffer all = data;
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
  std::vector<int> distances;  // of the halving, in order
  for (int d = 1; d < p; d *= 2) distances.push_back(d);
  if (order == HalvingOrder::farthest_first) std::reverse(distances.begin(), distances.end());
  const int steps = static_cast<int>(distances.size());

  // Recursive halving over p blocks: at distance d, keep the half of my
  // blocks on my side of bit d, send the other half to me ^ d and add what
  // it sends me. The range halves at every step whatever the order.
  int lo = 0, hi = p;  // the blocks this rank is responsible for
  const auto blocks = [&data, p](int first, int last) {
    const std::size_t begin = part_begin(data.size(), p, first);
    return data.part(begin, part_begin(data.size(), p, last) - begin);
  };
  for (int step = 0; step < steps; ++step) {
    const int d = distances[static_cast<std::size_t>(step)];
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
  // Recursive doubling, the distances in reverse: at distance d the partner
  // holds the sibling of my range (the half I gave it at d), so swapping
  // them doubles both ranges back to all.
  for (int step = 0; step < steps; ++step) {
    const int d = distances[static_cast<std::size_t>(steps - 1 - step)];
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

}  // namespace algo
