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
    schedule_delivery(slot, sim_->now());
    return id;
  }
  if (bytes == 0) {
    schedule_delivery(slot, sim_->now() + route->latency);
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

void Network::record_usage(sim::Time now) {
  // Each channel's rate is summed over its flows in id order (its list's
  // order), channels handed over in ascending order: the same sums in the
  // same order on every run.
  usage_rate_.resize(channel_capacity_.size(), 0.0);
  for (const Flow& flow : flows_) {
    if (flow.stage != Stage::draining || flow.rate <= 0) continue;
    for (int c : flow.route->channels) {
      double& mark = usage_rate_[static_cast<std::size_t>(c)];
      if (mark == 0.0) usage_channels_.push_back(c);
      mark = 1.0;
    }
  }
  std::sort(usage_channels_.begin(), usage_channels_.end());
  for (int c : usage_channels_) {
    double rate = 0.0;
    for (std::uint32_t m = channel_first_[static_cast<std::size_t>(c)]; m != kNone;
         m = members_[m].next) {
      const double r = flows_[members_[m].slot].rate;
      if (r > 0) rate += r;
    }
    usage_->carry(c, last_update_, now, rate);
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
    take_affected_flows();
    routes_.clear();
    for (std::uint32_t slot : affected_) routes_.emplace_back(flows_[slot].route->channels);
    rates_.resize(affected_.size());
    solver_.solve(channel_capacity_, routes_, rates_);
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
      Flow& flow = flows_[slot];
      if (flow.visit == visit_stamp_ + 1) continue;
      flow.visit = visit_stamp_ + 1;
      affected_.push_back(slot);
      for (int next : flow.route->channels) {
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
  rates_.reserve(flows);
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

void Network::retire(std::uint32_t slot) {
  stop_draining(slot);
  schedule_delivery(slot, sim_->now() + flows_[slot].route->latency);
}

void Network::schedule_delivery(std::uint32_t slot, sim::Time at) {
  Flow& flow = flows_[slot];
  flow.stage = Stage::propagating;
  ++propagating_count_;
  sim_->schedule_at(at, &Network::on_delivery_event, this, tag(slot), sim::Priority::normal,
                    flow.daemon ? sim::Simulator::Lane::daemon
                                : sim::Simulator::Lane::foreground);
}

void Network::on_drain_event(void* self, std::uint64_t generation) {
  auto& network = *static_cast<Network*>(self);
  if (generation != network.generation_) return;  // rates changed since it was scheduled
  network.advance();
  network.resolve();
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

// ---- The drain heap and the list by `since`.

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

void Network::end_flow(const Flow& flow) {
  if (!flow.daemon) sim_->release();
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
  const double bandwidth = topo_->link(link_id).bandwidth_bytes_per_s * factor;
  faults_set_ = true;
  for (int direction = 0; direction < 2; ++direction) {
    const int c = channel_of(link_id, direction);
    channel_capacity_[static_cast<std::size_t>(c)] = bandwidth;
    mark_dirty(c);
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
  for (const Flow& flow : flows_) {  // for tests: a scan is fine
    if (flow.stage == Stage::draining && flow.id == flow_id) return flow.rate;
  }
  return 0.0;
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
