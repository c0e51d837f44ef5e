// topology::Network, faults: lossy links, link and host up/down, bandwidth
// factors and partitions, and the loss of the transfers they sever.
#include "topology/network.h"

#include <cassert>
#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

namespace topology {

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

bool Network::severed(const Flow& t) const {
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

void Network::lose(std::uint32_t slot) {
  // Released before on_lost runs: that is a foreground event of its own, so
  // the run stays open for it.
  Flow& flow = flows_[slot];
  end_flow(flow);
  ++transfers_lost_;
  if (!flow.on_lost) {
    free_slot(slot);
    return;
  }
  flow.stage = Stage::losing;
  sim_->schedule_at(sim_->now(), &Network::on_loss_event, this, tag(slot));
}

void Network::on_loss_event(void* self, std::uint64_t tag) {
  auto& network = *static_cast<Network*>(self);
  const std::uint32_t slot = network.slot_of_tag(tag, Stage::losing);
  assert(slot != kNone);
  std::function<void()> callback = std::move(network.flows_[slot].on_lost);
  network.free_slot(slot);
  callback();
}

void Network::purge_severed() {
  faults_set_ = true;
  advance();  // flows drained by now move on to propagating (and are checked there)
  // Faults are rare: a scan of every slot, then id order, is fine here.
  cut_.clear();
  for (std::uint32_t slot = 0; slot < flows_.size(); ++slot) {
    if (flows_[slot].stage == Stage::draining && severed(flows_[slot])) cut_.push_back(slot);
  }
  sort_by_id(cut_);
  for (std::uint32_t slot : cut_) {
    stop_draining(slot);
    lose(slot);
  }
  cut_.clear();
  for (std::uint32_t slot = 0; slot < flows_.size(); ++slot) {
    const Flow& flow = flows_[slot];
    if (flow.stage == Stage::propagating && flow.route != nullptr && severed(flow)) {
      cut_.push_back(slot);
    }
  }
  sort_by_id(cut_);
  for (std::uint32_t slot : cut_) {
    --propagating_count_;
    lose(slot);
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
  const double bandwidth =
      topo_->link(link_id).bandwidth_bytes_per_s * factor * calibration_.bandwidth_efficiency;
  faults_set_ = true;
  for (int direction = 0; direction < 2; ++direction) {
    const int c = channel_of(link_id, direction);
    channel_capacity_[static_cast<std::size_t>(c)] = bandwidth;
    mark_dirty(c);
  }
  request_resolve();  // which first brings remaining bytes up to now at the old rates
}

void Network::set_channel_bandwidth(int channel, double bytes_per_s) {
  if (!std::isfinite(bytes_per_s) || bytes_per_s <= 0) {
    throw std::invalid_argument("channel bandwidth must be finite and > 0, got " +
                                std::to_string(bytes_per_s));
  }
  channel_capacity_.at(static_cast<std::size_t>(channel)) =
      bytes_per_s * calibration_.bandwidth_efficiency;
  mark_dirty(channel);
  request_resolve();
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

}  // namespace topology
