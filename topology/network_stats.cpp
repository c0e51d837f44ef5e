// topology::Network, what it reports: per-channel rates over time for
// links.csv (record_usage), flow rates and byte counters.
#include "topology/network.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace topology {

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
