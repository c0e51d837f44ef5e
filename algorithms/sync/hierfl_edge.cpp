// HierFL's edge round: invite the edge's clients, gather their uploads until
// enough came, every invited one is accounted for, or the edge deadline,
// then average them into the edge's model. The tiers' loops are in
// hierfl.cpp, the clients in hierfl_client.cpp.
#include <algorithm>
#include <functional>

#include "algorithms/runtime/local_time.h"
#include "algorithms/runtime/messaging.h"
#include "algorithms/sync/hierfl.h"

namespace algo {

sim::Task HierFl::edge_round(int e, std::uint64_t incarnation, const std::vector<int>& members,
                             int keep, Model& model, EdgeRound& round, bool& alive) {
  RunContext& ctx = *ctx_;
  const auto i = static_cast<std::size_t>(e);
  const topology::NodeId me = host(config_.edges[i]);
  // Noticing its crash, the edge lets go of what it holds (while it still
  // holds it, so the census sees each drop where its copy is).
  const auto dead = [&] {
    if (ctx.net->incarnation(me) == incarnation) return false;
    drop_held(e);
    alive = false;
    return true;
  };
  const std::int64_t serial = ++edge_serial_[i];
  std::optional<sim::Time> close;  // true time
  const sim::Time close_local = local_time(ctx, me) + config_.edge_deadline;
  if (config_.edge_deadline > 0) {
    close = ctx.sim->now() + wait_for_local(ctx, me, config_.edge_deadline);
  }
  awaited_[i] = members;
  for (int k : members) {
    const auto c = static_cast<std::size_t>(k);
    const topology::NodeId client_host = host(config_.clients[c]);
    Invitation& invitation = invitation_[c];
    invitation = Invitation();
    invitation.round = serial;
    invitation.cloud_round = model.round;
    invitation.at = ctx.sim->now();
    invitation.close_local = close_local;
    if (population_.schedule) {
      invitation.offline_at = population_.schedule->online_until(k, ctx.sim->now());
    }
    invitation.incarnation = ctx.net->incarnation(client_host);
    ++fl_clients_[c].selected;
    count_bytes(model.round, k, static_cast<double>(param_bytes_), 0.0);
    Model invite;
    invite.from = e;
    invite.values = model.values;
    invite.round = serial;
    invite.cloud_round = model.round;
    send_message(*ctx.net, me, client_host, static_cast<double>(param_bytes_), *client_inbox_[c],
                 std::move(invite), "edge_model", std::function<void()>([this, c, serial] {
                   if (invitation_[c].round == serial) invitation_[c].download_lost = true;
                 }));
  }
  round.invited = static_cast<std::int64_t>(members.size());
  std::vector<Model> updates;
  while (updates.size() < static_cast<std::size_t>(keep) && !awaited_[i].empty()) {
    // Wake at the close, or when an awaited client's session ends.
    std::optional<sim::Time> wake = close;
    for (int k : awaited_[i]) {
      const std::optional<sim::Time>& off = invitation_[static_cast<std::size_t>(k)].offline_at;
      if (off && (!wake || *off < *wake)) wake = off;
    }
    std::optional<Model> got;
    if (wake) {
      got = co_await algo::receive_until(*ctx.net, me, *edge_up_[i], *wake, "client_model");
    } else {
      got = co_await algo::receive(*ctx.net, me, *edge_up_[i], "client_model");
    }
    if (dead()) co_return;
    const sim::Time now = ctx.sim->now();
    if (!got) {
      if (close && now >= *close) break;       // the close
      std::erase_if(awaited_[i], [&](int k) {  // gone offline: no longer waited for
        const auto& off = invitation_[static_cast<std::size_t>(k)].offline_at;
        return off && *off <= now;
      });
      continue;
    }
    const bool awaited =
        std::find(awaited_[i].begin(), awaited_[i].end(), got->from) != awaited_[i].end();
    if (got->round != serial || !awaited || (close && now >= *close)) {
      drop_late(e, *got);
      continue;
    }
    std::erase(awaited_[i], got->from);
    if (population_.selector) {
      const Invitation& invitation = invitation_[static_cast<std::size_t>(got->from)];
      population_.selector->observe(
          got->from, got->samples > 0 ? got->loss_sum / static_cast<double>(got->samples) : 0.0,
          static_cast<std::int64_t>(shards_[static_cast<std::size_t>(got->from)].size()),
          now - invitation.at);
    }
    updates.push_back(std::move(*got));
  }
  edge_closed_[i] = serial;  // the clients still at work give up
  std::vector<int> accepted, missing;
  for (const Model& update : updates) accepted.push_back(update.from);
  std::sort(accepted.begin(), accepted.end());
  std::set_difference(members.begin(), members.end(), accepted.begin(), accepted.end(),
                      std::back_inserter(missing));
  settle(missing, round);
  awaited_[i].clear();
  if (updates.empty()) co_return;  // the edge's model stays as it was
  // The uploads stay outstanding until applied, after the edge's compute.
  std::vector<UpdateCopy> applying;
  for (Model& update : updates) applying.push_back(std::move(update.update_copy));
  Model next;
  co_await average(updates, client_weight_, edge_compute_[i], next);
  if (dead()) co_return;  // they were dropped at the crash
  for (const UpdateCopy& copy : applying) {
    ctx.monitor->record_applied(0);
    copy.settle();
  }
  outstanding_ -= static_cast<std::int64_t>(applying.size());
  for (int k : accepted) {
    forget_held(e, k, serial);
    ++fl_clients_[static_cast<std::size_t>(k)].reported;
  }
  round.applied = std::move(accepted);
  round.samples = next.samples;
  model.values = std::move(next.values);
}

void HierFl::settle(const std::vector<int>& missing, EdgeRound& round) const {
  const sim::Time now = ctx_->sim->now();
  for (int k : missing) {
    const auto c = static_cast<std::size_t>(k);
    const Invitation& invitation = invitation_[c];
    const topology::NodeId client_host = host(config_.clients[c]);
    if (invitation.upload_lost) {
      ++round.lost;
    } else if (ctx_->net->incarnation(client_host) != invitation.incarnation ||
               !ctx_->net->host_up(client_host)) {
      ++round.crashed;
    } else if (invitation.download_lost) {
      ++round.unreachable;
    } else if (invitation.offline_at && *invitation.offline_at <= now) {
      ++round.offline;
    } else {
      ++round.late;
    }
  }
}

void HierFl::drop_late(int e, Model& upload) {
  forget_held(e, upload.from, upload.round);
  if (!upload.update_copy) return;
  // Sent before its device went offline, it arrives after the edge stopped
  // waiting for it then: dropped as offline; else it missed the close.
  const Invitation& invitation = invitation_[static_cast<std::size_t>(upload.from)];
  const bool offline = invitation.round == upload.round && invitation.offline_at &&
                       *invitation.offline_at <= ctx_->sim->now() &&
                       edge_closed_[static_cast<std::size_t>(e)] < upload.round;
  ctx_->monitor->record_dropped(1, offline ? "offline" : "late");
  upload.update_copy.settle();
  --outstanding_;
}

}  // namespace algo
