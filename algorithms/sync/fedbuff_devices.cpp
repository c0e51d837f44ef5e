// FedBuff's device and fault side: which idle client the server can start
// (online now, host up and reachable) and picks (uniform or Oort), when it
// has to look without an arrival (a session ending, a client timeout, a
// client coming online), and how it drops an update and refills the slot.
// The server's loop and the client's program are in fedbuff.cpp.
#include <algorithm>

#include "algorithms/runtime/stall.h"
#include "algorithms/sync/fedbuff.h"
#include "algorithms/sync/fedbuff_upload.h"

namespace algo {

void FedBuff::launch_devices(RunContext& ctx) {
  devices_ =
      build_fl_population(ctx, config_.clients, config_.devices, config_.client_timeout, name());
}

const Node& FedBuff::compute_node(int client) const {
  if (!devices_.device_nodes.empty())
    return devices_.device_nodes[static_cast<std::size_t>(client)];
  return ctx_->nodes[static_cast<std::size_t>(config_.clients[static_cast<std::size_t>(client)])];
}

std::optional<int> FedBuff::pick_client() {
  RunContext& ctx = *ctx_;
  const bool faults = ctx.net->faults_active();
  std::size_t j = 0;  // the pick's position in idle_
  if (!devices_.schedule && !faults && !devices_.selector) {
    if (idle_.empty()) return std::nullopt;
    j = static_cast<std::size_t>(picking_->below(idle_.size()));
  } else {
    const topology::NodeId server = ctx.nodes[static_cast<std::size_t>(config_.server)].host;
    const sim::Time now = ctx.sim->now();
    std::vector<std::size_t> positions;  // of the idle clients that can start now
    for (std::size_t p = 0; p < idle_.size(); ++p) {
      const int c = idle_[p];
      if (devices_.schedule && !devices_.schedule->online(c, now)) continue;
      const topology::NodeId host =
          ctx.nodes[static_cast<std::size_t>(config_.clients[static_cast<std::size_t>(c)])].host;
      if (faults && (!ctx.net->host_up(host) || !ctx.net->can_reach(server, host))) continue;
      positions.push_back(p);
    }
    if (positions.empty()) return std::nullopt;
    if (!devices_.selector) {
      j = positions[static_cast<std::size_t>(picking_->below(positions.size()))];
    } else {
      std::vector<int> candidates;
      for (std::size_t p : positions) candidates.push_back(idle_[p]);
      std::sort(candidates.begin(), candidates.end());
      const int chosen = devices_.selector->select(candidates, 1, *picking_).front();
      j = static_cast<std::size_t>(std::find(idle_.begin(), idle_.end(), chosen) - idle_.begin());
    }
  }
  const int c = idle_[j];
  idle_.erase(idle_.begin() + static_cast<std::ptrdiff_t>(j));
  return c;
}

std::optional<sim::Time> FedBuff::next_wake() {
  std::optional<sim::Time> next;
  const auto earliest = [&next](std::optional<sim::Time> t) {
    if (t && (!next || *t < *next)) next = t;
  };
  for (const auto& upload : training_) {
    earliest(upload->offline_at);
    earliest(upload->timeout);
  }
  if (free_slots_ > 0 && devices_.schedule) {  // none could be started: who comes online next
    const sim::Time now = ctx_->sim->now();
    std::optional<sim::Time> back;
    for (int c : idle_) {
      if (devices_.schedule->online(c, now)) continue;  // online but its host cannot be reached
      const std::optional<sim::Time> t = devices_.schedule->next_online(c, now);
      if (t && (!back || *t < *back)) back = t;
    }
    none_left_online_ = !back && training_.empty();
    earliest(back);
  }
  return next;
}

void FedBuff::expire() {
  const sim::Time now = ctx_->sim->now();
  std::vector<std::shared_ptr<Upload>> due;  // in pick order
  for (const auto& upload : training_) {
    if ((upload->offline_at && *upload->offline_at <= now) ||
        (upload->timeout && *upload->timeout <= now)) {
      due.push_back(upload);
    }
  }
  for (const auto& upload : due) {
    const char* reason = nullptr;  // lost or crashed: counted already
    if (upload->upload_lost || upload->crash_counted) {
    } else if (upload->offline_at && *upload->offline_at <= now) {
      reason = "offline";
    } else if (upload->download_lost) {
      reason = "unreachable";
    } else {
      reason = "late";
    }
    drop(upload, reason);
  }
}

void FedBuff::drop(const std::shared_ptr<Upload>& upload, const char* reason) {
  upload->dropped = true;  // the client stops, and an upload still to come is discarded
  std::erase(training_, upload);
  idle_.push_back(upload->client);
  ++free_slots_;
  if (reason == nullptr) return;
  ctx_->monitor->record_dropped(1, reason);
  count_drop(reason);
  upload->fate.settle();
  --outstanding_;
}

void FedBuff::on_host_crashed(topology::NodeId host) {
  // A training client whose update is still on its host loses it now; its
  // slot stays taken until the server's timeout (it cannot know).
  for (const auto& upload : training_) {
    const Node& node = ctx_->nodes[static_cast<std::size_t>(
        config_.clients[static_cast<std::size_t>(upload->client)])];
    if (node.host != host || upload->uploaded || upload->crash_counted) continue;
    ctx_->monitor->record_dropped(1, "crashed");
    count_drop("crashed");
    upload->crash_counted = true;
    upload->fate.settle();
    upload->update_copy.reset();
    --outstanding_;
  }
}

std::string FedBuff::stall_reason() const {
  if (none_left_online_) {
    return "the server waits for a client to come online (the availability trace has no "
           "interval left)";
  }
  std::vector<Node> nodes;
  for (const auto& upload : training_) {
    nodes.push_back(ctx_->nodes[static_cast<std::size_t>(
        config_.clients[static_cast<std::size_t>(upload->client)])]);
  }
  return stall_waiting_for(
      "the server" + std::string(config_.client_timeout > 0 ? "" : " (no client_timeout)"),
      *ctx_->net, nodes,
      "uploads from " + std::to_string(training_.size()) +
          " client(s): a lost model or upload keeps its slot");
}

}  // namespace algo
