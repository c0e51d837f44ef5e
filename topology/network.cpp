#include "topology/network.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>

#include "topology/max_min.h"

namespace topology {

Network::Network(sim::Simulator& sim, const Topology& topo)
    : sim_(&sim),
      topo_(&topo),
      routing_(topo),
      last_update_(sim.now()),
      bytes_sent_(static_cast<std::size_t>(topo.node_count()), 0.0),
      channel_bytes_(static_cast<std::size_t>(2 * topo.link_count()), 0.0) {
  channel_capacity_.reserve(static_cast<std::size_t>(2 * topo.link_count()));
  for (int link = 0; link < topo.link_count(); ++link) {
    const double bandwidth = topo.link(link).bandwidth_bytes_per_s;
    channel_capacity_.push_back(bandwidth);  // direction 0
    channel_capacity_.push_back(bandwidth);  // direction 1: full duplex
  }
}

std::uint64_t Network::start_transfer(NodeId src, NodeId dst, double bytes,
                                      std::function<void()> on_delivered) {
  if (!topo_->contains(src) || !topo_->contains(dst)) {
    throw std::invalid_argument("transfer " + std::to_string(src) + " -> " + std::to_string(dst) +
                                ": unknown node id");
  }
  if (!std::isfinite(bytes) || bytes < 0) {
    throw std::invalid_argument("transfer " + topo_->name(src) + " -> " + topo_->name(dst) +
                                ": bytes must be finite and >= 0, got " + std::to_string(bytes));
  }
  const Routing::Route& route = routing_.route(src, dst);  // throws if unreachable
  const std::uint64_t id = next_flow_id_++;
  bytes_sent_[static_cast<std::size_t>(src)] += bytes;
  total_bytes_sent_ += bytes;

  if (src == dst) {
    schedule_delivery(id, sim_->now(), std::move(on_delivered));
    return id;
  }
  if (bytes == 0) {
    schedule_delivery(id, sim_->now() + route.latency, std::move(on_delivered));
    return id;
  }
  for (int c : route.channels) channel_bytes_[static_cast<std::size_t>(c)] += bytes;
  advance();
  draining_.push_back(Flow{id, &route, bytes, 0.0, sim::kTimeMax, std::move(on_delivered)});
  resolve();
  return id;
}

void Network::advance() {
  const sim::Time now = sim_->now();
  const double elapsed = sim::to_seconds(now - last_update_);
  last_update_ = now;
  for (Flow& flow : draining_) flow.remaining = std::max(0.0, flow.remaining - flow.rate * elapsed);
  for (std::size_t i = 0; i < draining_.size();) {
    if (draining_[i].drain_end <= now) {
      retire(i);
    } else {
      ++i;
    }
  }
}

void Network::resolve() {
  const sim::Time now = sim_->now();
  for (;;) {
    std::vector<double> old_rates;
    old_rates.reserve(draining_.size());
    for (const Flow& flow : draining_) old_rates.push_back(flow.rate);
    solve_rates();
    bool retired = false;
    for (std::size_t i = 0; i < draining_.size();) {
      Flow& flow = draining_[i];
      assert(flow.rate > 0);
      if (flow.rate != old_rates[i]) {
        flow.drain_end = now + sim::from_seconds(flow.remaining / flow.rate);
      }
      if (flow.drain_end <= now) {  // under half a nanosecond of bytes left
        retire(i);
        old_rates.erase(old_rates.begin() + static_cast<std::ptrdiff_t>(i));
        retired = true;
      } else {
        ++i;
      }
    }
    // Each pass either retires a flow or ends the loop: it terminates.
    if (!retired) break;
  }
  ++generation_;  // invalidates any drain event scheduled before
  if (draining_.empty()) return;
  sim::Time next = sim::kTimeMax;
  for (const Flow& flow : draining_) next = std::min(next, flow.drain_end);
  sim_->schedule_at(next, &Network::on_drain_event, this, generation_);
}

void Network::solve_rates() {
  std::vector<std::span<const int>> routes;
  routes.reserve(draining_.size());
  for (const Flow& flow : draining_) routes.emplace_back(flow.route->channels);
  const std::vector<double> rates = max_min_rates(std::span<const double>(channel_capacity_),
                                                  std::span<const std::span<const int>>(routes));
  for (std::size_t i = 0; i < draining_.size(); ++i) draining_[i].rate = rates[i];
}

void Network::retire(std::size_t index) {
  Flow& flow = draining_[index];
  schedule_delivery(flow.id, sim_->now() + flow.route->latency, std::move(flow.on_delivered));
  draining_.erase(draining_.begin() + static_cast<std::ptrdiff_t>(index));
}

void Network::schedule_delivery(std::uint64_t flow_id, sim::Time at,
                                std::function<void()> callback) {
  deliveries_.emplace(flow_id, std::move(callback));
  sim_->schedule_at(at, &Network::on_delivery_event, this, flow_id);
}

void Network::on_drain_event(void* self, std::uint64_t generation) {
  auto& network = *static_cast<Network*>(self);
  if (generation != network.generation_) return;  // rates changed since it was scheduled
  network.advance();
  network.resolve();
}

void Network::on_delivery_event(void* self, std::uint64_t flow_id) {
  auto& network = *static_cast<Network*>(self);
  const auto it = network.deliveries_.find(flow_id);
  assert(it != network.deliveries_.end());
  std::function<void()> callback = std::move(it->second);
  network.deliveries_.erase(it);
  ++network.transfers_completed_;
  if (callback) callback();  // may start new transfers: no iterator is held
}

double Network::flow_rate(std::uint64_t flow_id) const {
  const auto it = std::lower_bound(draining_.begin(), draining_.end(), flow_id,
                                   [](const Flow& flow, std::uint64_t id) { return flow.id < id; });
  return it != draining_.end() && it->id == flow_id ? it->rate : 0.0;
}

double Network::bytes_sent(NodeId host) const {
  if (!topo_->contains(host)) throw std::out_of_range("unknown node id " + std::to_string(host));
  return bytes_sent_[static_cast<std::size_t>(host)];
}

double Network::channel_bytes(int channel) const {
  if (channel < 0 || static_cast<std::size_t>(channel) >= channel_bytes_.size()) {
    throw std::out_of_range("unknown channel " + std::to_string(channel));
  }
  return channel_bytes_[static_cast<std::size_t>(channel)];
}

}  // namespace topology
