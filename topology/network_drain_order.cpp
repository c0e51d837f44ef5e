// topology::Network, the order of draining flows: the drain heap by
// (drain_end, id), and the list of draining flows by `since`.
#include "topology/network.h"

#include <cassert>

namespace topology {

bool Network::drains_before(std::uint32_t a, std::uint32_t b) const {
  const Flow& x = flows_[a];
  const Flow& y = flows_[b];
  return x.drain_end != y.drain_end ? x.drain_end < y.drain_end : x.id < y.id;
}

void Network::heap_place(std::size_t pos, std::uint32_t slot) {
  drain_heap_[pos] = slot;
  flows_[slot].heap_pos = static_cast<std::uint32_t>(pos);
}

void Network::heap_sift_up(std::size_t pos) {
  const std::uint32_t slot = drain_heap_[pos];
  while (pos > 0) {
    const std::size_t parent = (pos - 1) / 2;
    if (!drains_before(slot, drain_heap_[parent])) break;
    heap_place(pos, drain_heap_[parent]);
    pos = parent;
  }
  heap_place(pos, slot);
}

void Network::heap_sift_down(std::size_t pos) {
  const std::uint32_t slot = drain_heap_[pos];
  const std::size_t n = drain_heap_.size();
  for (;;) {
    std::size_t child = 2 * pos + 1;
    if (child >= n) break;
    if (child + 1 < n && drains_before(drain_heap_[child + 1], drain_heap_[child])) ++child;
    if (!drains_before(drain_heap_[child], slot)) break;
    heap_place(pos, drain_heap_[child]);
    pos = child;
  }
  heap_place(pos, slot);
}

void Network::heap_push(std::uint32_t slot) {
  drain_heap_.push_back(slot);
  heap_sift_up(drain_heap_.size() - 1);
}

void Network::heap_remove(std::uint32_t slot) {
  const std::size_t pos = flows_[slot].heap_pos;
  assert(pos != kNone && drain_heap_[pos] == slot);
  flows_[slot].heap_pos = kNone;
  const std::uint32_t last = drain_heap_.back();
  drain_heap_.pop_back();
  if (pos == drain_heap_.size()) return;
  heap_place(pos, last);
  heap_update(last);
}

void Network::heap_update(std::uint32_t slot) {
  const std::size_t pos = flows_[slot].heap_pos;
  if (pos > 0 && drains_before(slot, drain_heap_[(pos - 1) / 2])) {
    heap_sift_up(pos);
  } else {
    heap_sift_down(pos);
  }
}

void Network::list_append(std::uint32_t slot) {
  Flow& flow = flows_[slot];
  flow.older = newest_;
  flow.newer = kNone;
  if (newest_ != kNone) {
    flows_[newest_].newer = slot;
  } else {
    oldest_ = slot;
  }
  newest_ = slot;
}

void Network::list_unlink(std::uint32_t slot) {
  Flow& flow = flows_[slot];
  if (flow.older != kNone) {
    flows_[flow.older].newer = flow.newer;
  } else {
    oldest_ = flow.newer;
  }
  if (flow.newer != kNone) {
    flows_[flow.newer].older = flow.older;
  } else {
    newest_ = flow.older;
  }
  flow.older = flow.newer = kNone;
}

}  // namespace topology
