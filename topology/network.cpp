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
      link_up_(static_cast<std::size_t>(topo.link_count()), 1),
      loss_probability_(static_cast<std::size_t>(topo.link_count()), 0.0),
      loss_stream_(static_cast<std::size_t>(topo.link_count())),
      host_up_(static_cast<std::size_t>(topo.node_count()), 1),
      incarnation_(static_cast<std::size_t>(topo.node_count()), 0),
      partition_(static_cast<std::size_t>(topo.node_count()), 0),
      bytes_sent_(static_cast<std::size_t>(topo.node_count()), 0.0),
      channel_bytes_(static_cast<std::size_t>(2 * topo.link_count()), 0.0) {
  channel_flows_.resize(static_cast<std::size_t>(2 * topo.link_count()));
  channel_visited_.assign(static_cast<std::size_t>(2 * topo.link_count()), 0);
  channel_capacity_.reserve(static_cast<std::size_t>(2 * topo.link_count()));
  for (int link = 0; link < topo.link_count(); ++link) {
    const double bandwidth = topo.link(link).bandwidth_bytes_per_s;
    channel_capacity_.push_back(bandwidth);  // direction 0
    channel_capacity_.push_back(bandwidth);  // direction 1: full duplex
  }
}

std::uint64_t Network::start_transfer(NodeId src, NodeId dst, double bytes,
                                      std::function<void()> on_delivered,
                                      std::function<void()> on_lost) {
  if (!topo_->contains(src) || !topo_->contains(dst)) {
    throw std::invalid_argument("transfer " + std::to_string(src) + " -> " + std::to_string(dst) +
                                ": unknown node id");
  }
  if (!std::isfinite(bytes) || bytes < 0) {
    throw std::invalid_argument("transfer " + topo_->name(src) + " -> " + topo_->name(dst) +
                                ": bytes must be finite and >= 0, got " + std::to_string(bytes));
  }
  const std::uint64_t id = next_flow_id_++;
  // A daemon's message is delivered in the daemon lane; any other holds the
  // run open until delivered, whatever lane its drain events end up in.
  if (sim_->in_daemon()) {
    daemon_flows_.insert(id);
  } else {
    sim_->hold();
  }
  Transfer transfer{src, dst, nullptr, false, std::move(on_delivered), std::move(on_lost)};
  if (faults_set_ && !can_reach(src, dst)) {  // nothing is sent, nothing is counted as sent
    lose(id, std::move(transfer));
    return id;
  }
  const Routing::Route& route = routing_.route(src, dst);  // throws if unreachable
  transfer.route = &route;
  transfer.doomed = doomed_by_loss(route);
  bytes_sent_[static_cast<std::size_t>(src)] += bytes;
  total_bytes_sent_ += bytes;

  if (src == dst) {
    schedule_delivery(id, sim_->now(), std::move(transfer));
    return id;
  }
  if (bytes == 0) {
    schedule_delivery(id, sim_->now() + route.latency, std::move(transfer));
    return id;
  }
  for (int c : route.channels) channel_bytes_[static_cast<std::size_t>(c)] += bytes;
  advance();
  draining_.push_back(Flow{id, &route, bytes, 0.0, sim::kTimeMax, std::move(transfer), 0});
  for (int c : route.channels) {
    channel_flows_[static_cast<std::size_t>(c)].push_back(id);
    dirty_channels_.push_back(c);
  }
  request_resolve();
  return id;
}

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

void Network::advance() {
  const sim::Time now = sim_->now();
  if (usage_ && now > last_update_) record_usage(now);
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

void Network::record_usage(sim::Time now) {
  usage_rate_.resize(channel_capacity_.size(), 0.0);
  for (const Flow& flow : draining_) {
    if (flow.rate <= 0) continue;
    for (int c : flow.route->channels) {
      double& rate = usage_rate_[static_cast<std::size_t>(c)];
      if (rate == 0.0) usage_channels_.push_back(c);
      rate += flow.rate;
    }
  }
  // Ascending channel order, so each channel's sums are made in one order on every run.
  std::sort(usage_channels_.begin(), usage_channels_.end());
  for (int c : usage_channels_) {
    usage_->carry(c, last_update_, now, usage_rate_[static_cast<std::size_t>(c)]);
    usage_rate_[static_cast<std::size_t>(c)] = 0.0;
  }
  usage_channels_.clear();
}

void Network::resolve() {
  resolve_pending_ = false;
  const sim::Time now = sim_->now();
  // Only the flows connected (through shared channels) to a channel whose
  // flow set changed can change rate: max-min shares of separate components
  // are independent. Each pass either retires a flow (which dirties its
  // channels) or ends the loop, so it terminates.
  while (!dirty_channels_.empty()) {
    const std::vector<std::size_t> affected = take_affected_flows();
    std::vector<double> old_rates;
    old_rates.reserve(affected.size());
    for (std::size_t i : affected) old_rates.push_back(draining_[i].rate);
    solve_rates(affected);
    std::vector<std::uint64_t> drained;
    for (std::size_t k = 0; k < affected.size(); ++k) {
      Flow& flow = draining_[affected[k]];
      assert(flow.rate > 0);
      if (flow.rate != old_rates[k]) {
        flow.drain_end = now + sim::from_seconds(flow.remaining / flow.rate);
      }
      if (flow.drain_end <= now) drained.push_back(flow.id);  // under half a ns of bytes left
    }
    for (std::uint64_t id : drained) retire(index_of(id));
  }
  ++generation_;  // invalidates any drain event scheduled before
  if (draining_.empty()) return;
  sim::Time next = sim::kTimeMax;
  for (const Flow& flow : draining_) next = std::min(next, flow.drain_end);
  sim_->schedule_at(next, &Network::on_drain_event, this, generation_);
}

std::vector<std::size_t> Network::take_affected_flows() {
  // Depth-first over the channel/flow graph from the dirty channels.
  std::vector<int> stack;
  std::vector<int> visited_channels;
  for (int c : dirty_channels_) {
    if (!channel_visited_[static_cast<std::size_t>(c)]) {
      channel_visited_[static_cast<std::size_t>(c)] = 1;
      visited_channels.push_back(c);
      stack.push_back(c);
    }
  }
  dirty_channels_.clear();
  std::vector<std::uint64_t> ids;
  while (!stack.empty()) {
    const int c = stack.back();
    stack.pop_back();
    for (std::uint64_t id : channel_flows_[static_cast<std::size_t>(c)]) {
      Flow& flow = draining_[index_of(id)];
      if (flow.visit == visit_stamp_ + 1) continue;
      flow.visit = visit_stamp_ + 1;
      ids.push_back(id);
      for (int next : flow.route->channels) {
        if (!channel_visited_[static_cast<std::size_t>(next)]) {
          channel_visited_[static_cast<std::size_t>(next)] = 1;
          visited_channels.push_back(next);
          stack.push_back(next);
        }
      }
    }
  }
  ++visit_stamp_;
  for (int c : visited_channels) channel_visited_[static_cast<std::size_t>(c)] = 0;
  std::sort(ids.begin(), ids.end());  // solve in id order, whatever the walk order
  std::vector<std::size_t> indices;
  indices.reserve(ids.size());
  for (std::uint64_t id : ids) indices.push_back(index_of(id));
  return indices;
}

std::size_t Network::index_of(std::uint64_t flow_id) const {
  const auto it = std::lower_bound(draining_.begin(), draining_.end(), flow_id,
                                   [](const Flow& flow, std::uint64_t id) { return flow.id < id; });
  assert(it != draining_.end() && it->id == flow_id);
  return static_cast<std::size_t>(it - draining_.begin());
}

void Network::solve_rates(const std::vector<std::size_t>& flows) {
  std::vector<std::span<const int>> routes;
  routes.reserve(flows.size());
  for (std::size_t i : flows) routes.emplace_back(draining_[i].route->channels);
  const std::vector<double> rates = max_min_rates(std::span<const double>(channel_capacity_),
                                                  std::span<const std::span<const int>>(routes));
  for (std::size_t k = 0; k < flows.size(); ++k) draining_[flows[k]].rate = rates[k];
}

void Network::retire(std::size_t index) {
  Flow& flow = draining_[index];
  for (int c : flow.route->channels) {
    auto& on_channel = channel_flows_[static_cast<std::size_t>(c)];
    on_channel.erase(std::find(on_channel.begin(), on_channel.end(), flow.id));
    dirty_channels_.push_back(c);
  }
  schedule_delivery(flow.id, sim_->now() + flow.route->latency, std::move(flow.transfer));
  draining_.erase(draining_.begin() + static_cast<std::ptrdiff_t>(index));
}

void Network::schedule_delivery(std::uint64_t flow_id, sim::Time at, Transfer transfer) {
  deliveries_.emplace(flow_id, std::move(transfer));
  const bool daemon = daemon_flows_.count(flow_id) != 0;
  sim_->schedule_at(at, &Network::on_delivery_event, this, flow_id, sim::Priority::normal,
                    daemon ? sim::Simulator::Lane::daemon : sim::Simulator::Lane::foreground);
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
  if (it == network.deliveries_.end()) return;  // lost to a fault while propagating
  Transfer transfer = std::move(it->second);
  network.deliveries_.erase(it);
  network.end_flow(flow_id);
  if (transfer.doomed) {
    ++network.transfers_lost_;
    if (transfer.on_lost) transfer.on_lost();
    return;
  }
  ++network.transfers_completed_;
  if (transfer.on_delivered)
    transfer.on_delivered();  // may start new transfers: no iterator is held
}

// ---- Faults.

bool Network::doomed_by_loss(const Routing::Route& route) {
  bool doomed = false;
  for (int c : route.channels) {  // every lossy link draws, so draws do not depend on earlier ones
    const auto link = static_cast<std::size_t>(link_of_channel(c));
    if (loss_probability_[link] > 0 && loss_stream_[link]->bernoulli(loss_probability_[link])) {
      doomed = true;
    }
  }
  return doomed;
}

bool Network::can_reach(NodeId src, NodeId dst) {
  if (!host_up(src) || !host_up(dst)) return false;
  if (partition_of(src) != partition_of(dst)) return false;
  return routing_.reachable(src, dst);
}

bool Network::severed(const Transfer& t) const {
  if (!host_up_[static_cast<std::size_t>(t.src)] || !host_up_[static_cast<std::size_t>(t.dst)]) {
    return true;
  }
  if (partition_[static_cast<std::size_t>(t.src)] != partition_[static_cast<std::size_t>(t.dst)]) {
    return true;
  }
  for (int c : t.route->channels) {
    if (!routing_.link_usable(link_of_channel(c))) return true;
  }
  return false;
}

void Network::end_flow(std::uint64_t flow_id) {
  if (daemon_flows_.erase(flow_id) == 0) sim_->release();
}

void Network::lose(std::uint64_t flow_id, Transfer transfer) {
  // Released before on_lost runs: that is a foreground event of its own, so
  // the run stays open for it.
  end_flow(flow_id);
  ++transfers_lost_;
  if (!transfer.on_lost) return;
  losses_.emplace(flow_id, std::move(transfer.on_lost));
  sim_->schedule_at(sim_->now(), &Network::on_loss_event, this, flow_id);
}

void Network::on_loss_event(void* self, std::uint64_t flow_id) {
  auto& network = *static_cast<Network*>(self);
  const auto it = network.losses_.find(flow_id);
  assert(it != network.losses_.end());
  std::function<void()> callback = std::move(it->second);
  network.losses_.erase(it);
  callback();
}

void Network::purge_severed() {
  faults_set_ = true;
  advance();  // flows drained by now move on to propagating (and are checked there)
  std::vector<std::uint64_t> cut;
  for (const Flow& flow : draining_) {
    if (severed(flow.transfer)) cut.push_back(flow.id);
  }
  for (std::uint64_t id : cut) {  // in id order
    const std::size_t index = index_of(id);
    Flow& flow = draining_[index];
    for (int c : flow.route->channels) {
      auto& on_channel = channel_flows_[static_cast<std::size_t>(c)];
      on_channel.erase(std::find(on_channel.begin(), on_channel.end(), flow.id));
      dirty_channels_.push_back(c);
    }
    Transfer transfer = std::move(flow.transfer);
    draining_.erase(draining_.begin() + static_cast<std::ptrdiff_t>(index));
    lose(id, std::move(transfer));
  }
  for (auto it = deliveries_.begin(); it != deliveries_.end();) {  // in id order
    if (it->second.route != nullptr && severed(it->second)) {
      Transfer transfer = std::move(it->second);
      const std::uint64_t id = it->first;
      it = deliveries_.erase(it);
      lose(id, std::move(transfer));
    } else {
      ++it;
    }
  }
  if (!dirty_channels_.empty()) request_resolve();
}

void Network::refresh_link(int link_id) {
  const auto [a, b] = topo_->link_ends(link_id);
  routing_.set_link_usable(link_id, link_up(link_id) && host_up(a) && host_up(b));
}

void Network::set_link_up(int link_id, bool up) {
  link_up_.at(static_cast<std::size_t>(link_id)) = up ? 1 : 0;
  refresh_link(link_id);
  purge_severed();
}

void Network::set_link_bandwidth_factor(int link_id, double factor) {
  if (!std::isfinite(factor) || factor <= 0) {
    throw std::invalid_argument("bandwidth factor must be finite and > 0, got " +
                                std::to_string(factor));
  }
  const double bandwidth = topo_->link(link_id).bandwidth_bytes_per_s * factor;
  faults_set_ = true;
  for (int direction = 0; direction < 2; ++direction) {
    const int c = channel_of(link_id, direction);
    channel_capacity_[static_cast<std::size_t>(c)] = bandwidth;
    dirty_channels_.push_back(c);
  }
  request_resolve();  // which first brings remaining bytes up to now at the old rates
}

void Network::set_link_loss(int link_id, double probability, std::uint64_t seed) {
  if (!(probability >= 0 && probability <= 1)) {
    throw std::invalid_argument("loss probability must be in [0, 1], got " +
                                std::to_string(probability));
  }
  const auto link = static_cast<std::size_t>(link_id);
  loss_probability_.at(link) = probability;
  loss_stream_[link] = std::make_unique<sim::RandomStream>(seed);
  faults_set_ = true;
}

void Network::crash_host(NodeId host) {
  char& up = host_up_.at(static_cast<std::size_t>(host));
  if (!up) return;
  up = 0;
  ++incarnation_[static_cast<std::size_t>(host)];
  for (const auto& [link, neighbour] : topo_->incident_links(host)) refresh_link(link);
  purge_severed();
}

void Network::recover_host(NodeId host) {
  char& up = host_up_.at(static_cast<std::size_t>(host));
  if (up) return;
  up = 1;
  for (const auto& [link, neighbour] : topo_->incident_links(host)) refresh_link(link);
  faults_set_ = true;
}

void Network::set_partition(const std::vector<NodeId>& hosts, int group) {
  for (NodeId h : hosts) partition_.at(static_cast<std::size_t>(h)) = group;
  purge_severed();
}

double Network::flow_rate(std::uint64_t flow_id) {
  if (resolve_pending_) {
    advance();
    resolve();
  }
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
