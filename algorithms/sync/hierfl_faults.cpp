// HierFL under faults: what a crash drops, and what a stalled run waits for.
// The algorithm itself is in hierfl.cpp.
#include <string>
#include <vector>

#include "algorithms/runtime/stall.h"
#include "algorithms/sync/hierfl.h"

namespace algo {

bool HierFl::crashed(int node_index) const {
  const topology::NodeId h = host(node_index);
  return ctx_->net->incarnation(h) != 0 || !ctx_->net->host_up(h);
}

void HierFl::drop_held(int e) {
  auto& held = held_[static_cast<std::size_t>(e)];
  for (const Held& h : held) {
    // Dropped only where a copy of it is; one that vanished without a trace
    // is neither, so the accounting shows it.
    if (h.fate.exists()) {
      ctx_->monitor->record_dropped(1, "crashed");
      --outstanding_;
    }
    h.fate.settle();
  }
  held.clear();
}

void HierFl::forget_held(int e, int client, std::int64_t round) {
  std::erase_if(held_[static_cast<std::size_t>(e)],
                [&](const Held& h) { return h.client == client && h.round == round; });
}

void HierFl::on_host_crashed(topology::NodeId crashed_host) {
  // An edge's memory goes with its host: the uploads that reached it and
  // were not yet applied (queued, or being averaged) are dropped now.
  for (std::size_t e = 0; e < config_.edges.size(); ++e) {
    if (host(config_.edges[e]) == crashed_host) drop_held(static_cast<int>(e));
  }
}

std::string HierFl::stall_reason() const {
  const topology::Network& net = *ctx_->net;
  const auto node = [&](int index) { return ctx_->nodes[static_cast<std::size_t>(index)]; };
  if (none_left_online_) {
    return "the cloud waits for a client to come online (the availability trace has no "
           "interval left)";
  }
  if (crashed(config_.server)) {
    return "every edge waits for the cloud " + node(config_.server).name + " (crashed)";
  }
  std::vector<std::string> parts;
  std::vector<Node> dead_edges;
  for (int index : config_.edges) {
    if (crashed(index)) dead_edges.push_back(node(index));
  }
  if (!dead_edges.empty()) parts.push_back(stall_waiting_for("the cloud", net, dead_edges, ""));
  for (std::size_t e = 0; e < config_.edges.size(); ++e) {
    if (crashed(config_.edges[e]) || awaited_[e].empty()) continue;
    std::vector<Node> clients;
    for (int k : awaited_[e]) clients.push_back(node(config_.clients[static_cast<std::size_t>(k)]));
    parts.push_back(stall_waiting_for("edge " + node(config_.edges[e]).name, net, clients,
                                      "an upload or its model lost on the way"));
  }
  if (parts.empty()) return "the cloud and its edges wait for a model lost on the way";
  std::string reason;
  for (const std::string& part : parts) reason += (reason.empty() ? "" : " while ") + part;
  return reason;
}

}  // namespace algo
