// topology::Network, the life of one transfer: construction, start_transfer,
// flow slots, delivery. Rates: network_rates.cpp; the drain heap:
// network_drain_order.cpp; faults: network_faults.cpp; counters and link
// usage: network_stats.cpp.
#include "topology/network.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

namespace topology {

Network::Network(sim::Simulator& sim, const Topology& topo, Calibration calibration)
    : sim_(&sim),
      topo_(&topo),
      calibration_(calibration),
      routing_(topo),
      last_update_(sim.now()),
      link_up_(static_cast<std::size_t>(topo.link_count()), 1),
      loss_probability_(static_cast<std::size_t>(topo.link_count()), 0.0),
      loss_stream_(static_cast<std::size_t>(topo.link_count())),
      host_up_(static_cast<std::size_t>(topo.node_count()), 1),
      incarnation_(static_cast<std::size_t>(topo.node_count()), 0),
      partition_(static_cast<std::size_t>(topo.node_count()), 0),
      bytes_sent_(static_cast<std::size_t>(topo.node_count()), 0.0),
      channel_bytes_(static_cast<std::size_t>(2 * topo.link_count()), 0.0) {
  calibration_.check();
  ticks_.push_back(last_update_);
  channel_first_.assign(static_cast<std::size_t>(2 * topo.link_count()), kNone);
  channel_last_.assign(static_cast<std::size_t>(2 * topo.link_count()), kNone);
  const auto channels = static_cast<std::size_t>(2 * topo.link_count());
  channel_visited_.assign(channels, 0);
  channel_dirty_.assign(channels, 0);
  // At most one entry per channel each (dirty and visited channels are deduplicated).
  dirty_channels_.reserve(channels);
  walk_stack_.reserve(channels);
  walk_channels_.reserve(channels);
  usage_channels_.reserve(channels);
  channel_capacity_.reserve(static_cast<std::size_t>(2 * topo.link_count()));
  for (int link = 0; link < topo.link_count(); ++link) {
    // Exact when the efficiency is 1: x 1.0 leaves every double unchanged.
    const double bandwidth =
        topo.link(link).bandwidth_bytes_per_s * calibration_.bandwidth_efficiency;
    channel_capacity_.push_back(bandwidth);  // direction 0
    channel_capacity_.push_back(bandwidth);  // direction 1: full duplex
  }
}

std::uint64_t Network::start_transfer(NodeId src, NodeId dst, double bytes,
                                      std::function<void()> on_delivered,
                                      std::function<void()> on_lost,
                                      std::function<void()> on_drained) {
  if (!topo_->contains(src) || !topo_->contains(dst)) {
    throw std::invalid_argument("transfer " + std::to_string(src) + " -> " + std::to_string(dst) +
                                ": unknown node id");
  }
  if (!std::isfinite(bytes) || bytes < 0) {
    throw std::invalid_argument("transfer " + topo_->name(src) + " -> " + topo_->name(dst) +
                                ": bytes must be finite and >= 0, got " + std::to_string(bytes));
  }
  const bool reachable = !faults_set_ || can_reach(src, dst);
  // Throws if unreachable before any fault, before anything is taken.
  const Routing::Route* route = reachable ? &routing_.route(src, dst) : nullptr;
  const std::uint64_t id = next_flow_id_++;
  const std::uint32_t slot = take_slot();
  {
    Flow& flow = flows_[slot];
    flow.id = id;
    // A daemon's message is delivered in the daemon lane; any other holds the
    // run open until delivered, whatever lane its drain events end up in.
    flow.daemon = sim_->in_daemon();
    flow.src = src;
    flow.dst = dst;
    flow.route = route;
    flow.doomed = false;
    flow.on_delivered = std::move(on_delivered);
    flow.on_lost = std::move(on_lost);
    flow.on_drained = std::move(on_drained);
  }
  if (!flows_[slot].daemon) sim_->hold();
  if (!reachable) {  // nothing is sent, nothing is counted as sent
    lose(slot);
    return id;
  }
  flows_[slot].doomed = doomed_by_loss(*route);
  bytes_sent_[static_cast<std::size_t>(src)] += bytes;
  total_bytes_sent_ += bytes;

  if (src == dst) {
    schedule_drained(slot);
    schedule_delivery(slot, sim_->now());
    return id;
  }
  if (bytes == 0) {
    schedule_drained(slot);
    schedule_delivery(slot, arrival(*route));
    return id;
  }
  for (int c : route->channels) channel_bytes_[static_cast<std::size_t>(c)] += bytes;
  advance();
  Flow& flow = flows_[slot];
  flow.stage = Stage::draining;
  flow.remaining = bytes;
  flow.rate = 0.0;
  flow.drain_end = sim::kTimeMax;
  flow.since = ticks_base_ + ticks_.size() - 1;  // now
  ++draining_count_;
  heap_push(slot);
  list_append(slot);
  join_channels(slot);
  request_resolve();
  return id;
}

std::uint32_t Network::take_slot() {
  std::uint32_t slot;
  if (free_slots_.empty()) {
    slot = static_cast<std::uint32_t>(flows_.size());
    flows_.emplace_back();
    slot_channels_.emplace_back();
    slot_visit_.push_back(0);
    reserve_scratch();
  } else {
    slot = free_slots_.back();
    free_slots_.pop_back();
  }
  ++flows_[slot].use;
  return slot;
}

void Network::free_slot(std::uint32_t slot) {
  Flow& flow = flows_[slot];
  flow.stage = Stage::free;
  flow.on_delivered = nullptr;
  flow.on_lost = nullptr;
  flow.on_drained = nullptr;
  free_slots_.push_back(slot);
}

std::uint32_t Network::slot_of_tag(std::uint64_t tag, Stage stage) const {
  const auto slot = static_cast<std::uint32_t>(tag & 0xffffffffu);
  const auto use = static_cast<std::uint32_t>(tag >> 32);
  if (slot >= flows_.size() || flows_[slot].use != use || flows_[slot].stage != stage) return kNone;
  return slot;
}

void Network::sort_by_id(std::vector<std::uint32_t>& slots) const {
  std::sort(slots.begin(), slots.end(),
            [this](std::uint32_t a, std::uint32_t b) { return flows_[a].id < flows_[b].id; });
}

void Network::retire(std::uint32_t slot) {
  stop_draining(slot);
  schedule_drained(slot);
  schedule_delivery(slot, arrival(*flows_[slot].route));
}

sim::Time Network::arrival(const Routing::Route& route) const {
  return sim_->now() + route.latency + calibration_.message_overhead;
}

void Network::schedule_drained(std::uint32_t slot) {
  if (!flows_[slot].on_drained) return;
  sim_->schedule_at(
      sim_->now(), &Network::on_drained_event, this, tag(slot), sim::Priority::normal,
      flows_[slot].daemon ? sim::Simulator::Lane::daemon : sim::Simulator::Lane::foreground);
}

// The tag names the slot while it propagates (the stage schedule_delivery
// sets right after); a transfer lost since then has no callback left to run.
void Network::on_drained_event(void* self, std::uint64_t tag) {
  auto& network = *static_cast<Network*>(self);
  const std::uint32_t slot = network.slot_of_tag(tag, Stage::propagating);
  if (slot == kNone) return;
  std::function<void()> callback = std::move(network.flows_[slot].on_drained);
  network.flows_[slot].on_drained = nullptr;
  if (callback) callback();
}

void Network::schedule_delivery(std::uint32_t slot, sim::Time at) {
  Flow& flow = flows_[slot];
  flow.stage = Stage::propagating;
  ++propagating_count_;
  sim_->schedule_at(at, &Network::on_delivery_event, this, tag(slot), sim::Priority::normal,
                    flow.daemon ? sim::Simulator::Lane::daemon : sim::Simulator::Lane::foreground);
}

void Network::on_delivery_event(void* self, std::uint64_t tag) {
  auto& network = *static_cast<Network*>(self);
  const std::uint32_t slot = network.slot_of_tag(tag, Stage::propagating);
  if (slot == kNone) return;  // lost to a fault while propagating
  Flow& flow = network.flows_[slot];
  --network.propagating_count_;
  network.end_flow(flow);
  // Moved out first: the callback may start transfers that reuse the slot.
  const bool doomed = flow.doomed;
  std::function<void()> callback = std::move(doomed ? flow.on_lost : flow.on_delivered);
  network.free_slot(slot);
  if (doomed) {
    ++network.transfers_lost_;
  } else {
    ++network.transfers_completed_;
  }
  if (callback) callback();
}

void Network::end_flow(const Flow& flow) {
  if (!flow.daemon) sim_->release();
}

}  // namespace topology
