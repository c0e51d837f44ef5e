// topology::Network, the rate solver glue: the tick log, batched re-solves of
// the flows connected to changed channels, and which flows cross each channel.
#include "topology/network.h"

#include <algorithm>
#include <cassert>
#include <span>

namespace topology {

void Network::request_resolve() {
  if (resolve_pending_) return;
  resolve_pending_ = true;
  sim_->schedule_at(sim_->now(), &Network::on_resolve_event, this);
}

void Network::on_resolve_event(void* self, std::uint64_t) {
  auto& network = *static_cast<Network*>(self);
  if (!network.resolve_pending_) return;  // flow_rate() already re-solved
  network.advance();
  network.resolve();
}

void Network::on_drain_event(void* self, std::uint64_t generation) {
  auto& network = *static_cast<Network*>(self);
  if (generation != network.generation_) return;  // rates changed since it was scheduled
  network.advance();
  network.resolve();
}

void Network::advance() {
  const sim::Time now = sim_->now();
  if (usage_ && now > last_update_) record_usage(now);
  last_update_ = now;
  if (now > ticks_.back()) {
    ticks_.push_back(now);
    forget_old_ticks();
  }
  due_.clear();
  while (!drain_heap_.empty() && flows_[drain_heap_.front()].drain_end <= now) {
    const std::uint32_t slot = drain_heap_.front();
    heap_remove(slot);
    due_.push_back(slot);
  }
  sort_by_id(due_);
  for (std::uint32_t slot : due_) retire(slot);
}

void Network::catch_up(std::uint32_t slot) {
  Flow& flow = flows_[slot];
  const std::uint64_t now_tick = ticks_base_ + ticks_.size() - 1;
  if (flow.rate != 0.0) {  // (a zero rate subtracts exactly nothing)
    for (std::uint64_t k = flow.since; k < now_tick; ++k) {
      const std::size_t i = static_cast<std::size_t>(k - ticks_base_);
      const double elapsed = sim::to_seconds(ticks_[i + 1] - ticks_[i]);
      flow.remaining = std::max(0.0, flow.remaining - flow.rate * elapsed);
    }
  }
  flow.since = now_tick;
  list_unlink(slot);
  list_append(slot);
}

void Network::forget_old_ticks() {
  const std::uint64_t now_tick = ticks_base_ + ticks_.size() - 1;
  const std::uint64_t needed = oldest_ == kNone ? now_tick : flows_[oldest_].since;
  const auto drop = static_cast<std::size_t>(needed - ticks_base_);
  // Only in big steps, so the erase's copying is O(1) per tick.
  if (drop < 64 || 2 * drop < ticks_.size()) return;
  ticks_.erase(ticks_.begin(), ticks_.begin() + static_cast<std::ptrdiff_t>(drop));
  ticks_base_ += drop;
}

void Network::resolve() {
  resolve_pending_ = false;
  const sim::Time now = sim_->now();
  // Only the flows connected (through shared channels) to a channel whose
  // flow set changed can change rate: max-min shares of separate components
  // are independent. Each pass either retires a flow (which dirties its
  // channels) or ends the loop, so it terminates.
  while (!dirty_channels_.empty()) {
    take_affected_flows();
    // Views into one contiguous copy of the routes, which the solver's passes
    // read in order rather than chasing each route's own storage.
    routes_.clear();
    for (std::size_t k = 0, at = 0; k < affected_.size(); ++k) {
      const std::size_t hops = slot_channels_[affected_[k]].size();
      routes_.emplace_back(crossings_.data() + at, hops);
      at += hops;
    }
    rates_.resize(affected_.size());
    weights_.clear();
    if (sharing_ == Sharing::rtt) {
      for (std::uint32_t slot : affected_) {
        const sim::Time latency = std::max<sim::Time>(flows_[slot].route->latency, 1);
        weights_.push_back(1.0 / sim::to_seconds(latency));
      }
    }
    solver_.solve(channel_capacity_, routes_, rates_, weights_);
    due_.clear();
    for (std::size_t k = 0; k < affected_.size(); ++k) {
      const std::uint32_t slot = affected_[k];
      assert(rates_[k] > 0);
      if (rates_[k] != flows_[slot].rate) {
        catch_up(slot);  // at the old rate
        Flow& flow = flows_[slot];
        flow.rate = rates_[k];
        flow.drain_end = now + sim::from_seconds(flow.remaining / flow.rate);
        heap_update(slot);
      }
      if (flows_[slot].drain_end <= now) due_.push_back(slot);  // under half a ns of bytes left
    }
    sort_by_id(due_);
    for (std::uint32_t slot : due_) retire(slot);
  }
  ++generation_;  // invalidates any drain event scheduled before
  if (drain_heap_.empty()) return;
  sim_->schedule_at(flows_[drain_heap_.front()].drain_end, &Network::on_drain_event, this,
                    generation_);
}

void Network::take_affected_flows() {
  // Depth-first over the channel/flow graph from the dirty channels. The
  // walk's order does not matter: the solver's rates do not depend on the
  // order of its flows, and retirements are sorted by id.
  walk_stack_.clear();
  walk_channels_.clear();
  affected_.clear();
  crossings_.clear();
  for (int c : dirty_channels_) {
    channel_dirty_[static_cast<std::size_t>(c)] = 0;
    if (!channel_visited_[static_cast<std::size_t>(c)]) {
      channel_visited_[static_cast<std::size_t>(c)] = 1;
      walk_channels_.push_back(c);
      walk_stack_.push_back(c);
    }
  }
  dirty_channels_.clear();
  while (!walk_stack_.empty()) {
    const int c = walk_stack_.back();
    walk_stack_.pop_back();
    for (std::uint32_t m = channel_first_[static_cast<std::size_t>(c)]; m != kNone;
         m = members_[m].next) {
      const std::uint32_t slot = members_[m].slot;
      if (slot_visit_[slot] == visit_stamp_ + 1) continue;
      slot_visit_[slot] = visit_stamp_ + 1;
      affected_.push_back(slot);
      const std::span<const int> route = slot_channels_[slot];
      crossings_.insert(crossings_.end(), route.begin(), route.end());
      for (int next : route) {
        if (!channel_visited_[static_cast<std::size_t>(next)]) {
          channel_visited_[static_cast<std::size_t>(next)] = 1;
          walk_channels_.push_back(next);
          walk_stack_.push_back(next);
        }
      }
    }
  }
  ++visit_stamp_;
  for (int c : walk_channels_) channel_visited_[static_cast<std::size_t>(c)] = 0;
}

void Network::stop_draining(std::uint32_t slot) {
  leave_channels(slot);
  if (flows_[slot].heap_pos != kNone) heap_remove(slot);
  list_unlink(slot);
  --draining_count_;
}

void Network::reserve_scratch() {
  // Reserved with room to spare, so that growing by one is rarely a reallocation.
  const std::size_t flows = 2 * flows_.size();
  const std::size_t crossings = 2 * members_.size();
  free_slots_.reserve(flows);
  drain_heap_.reserve(flows);
  affected_.reserve(flows);
  due_.reserve(flows);
  cut_.reserve(flows);
  routes_.reserve(flows);
  crossings_.reserve(crossings);
  rates_.reserve(flows);
  weights_.reserve(flows);
  solver_.reserve(flows, crossings, channel_capacity_.size());
}

void Network::mark_dirty(int channel) {
  char& dirty = channel_dirty_[static_cast<std::size_t>(channel)];
  if (dirty) return;
  dirty = 1;
  dirty_channels_.push_back(channel);
}

void Network::join_channels(std::uint32_t slot) {
  Flow& flow = flows_[slot];
  slot_channels_[slot] = flow.route->channels;
  flow.first_member = kNone;
  // Reverse route order, so the flow's chain runs in route order.
  for (auto it = flow.route->channels.rbegin(); it != flow.route->channels.rend(); ++it) {
    const int c = *it;
    std::uint32_t m = free_member_;
    if (m != kNone) {
      free_member_ = members_[m].next_of_flow;
    } else {
      m = static_cast<std::uint32_t>(members_.size());
      members_.emplace_back();
      reserve_scratch();
    }
    std::uint32_t& last = channel_last_[static_cast<std::size_t>(c)];
    members_[m] = Member{slot, last, kNone, flow.first_member, c};  // the newest id: order kept
    if (last != kNone) {
      members_[last].next = m;
    } else {
      channel_first_[static_cast<std::size_t>(c)] = m;
    }
    last = m;
    flow.first_member = m;
  }
  for (int c : flow.route->channels) mark_dirty(c);
}

void Network::leave_channels(std::uint32_t slot) {
  Flow& flow = flows_[slot];
  for (std::uint32_t m = flow.first_member; m != kNone;) {
    Member& member = members_[m];
    const auto c = static_cast<std::size_t>(member.channel);
    if (member.prev != kNone) {
      members_[member.prev].next = member.next;
    } else {
      channel_first_[c] = member.next;
    }
    if (member.next != kNone) {
      members_[member.next].prev = member.prev;
    } else {
      channel_last_[c] = member.prev;
    }
    mark_dirty(member.channel);
    const std::uint32_t next = member.next_of_flow;
    member.next_of_flow = free_member_;
    free_member_ = m;
    m = next;
  }
  flow.first_member = kNone;
}

}  // namespace topology
