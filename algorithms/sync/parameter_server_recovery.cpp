// ParameterServer's fault protocols (see parameter_server.h, "Faults"): a
// worker's reboot and rejoin, a shard's restart from its checkpoint, the
// replies owed when the network heals, and a worker's RPC retries.
#include <algorithm>
#include <cstddef>
#include <optional>

#include "algorithms/runtime/local_time.h"
#include "algorithms/sync/parameter_server.h"
#include "algorithms/sync/parameter_server_worker.h"

namespace algo {

// A layered run has no recovery protocol: a crashed node's processes end
// and the steps that need it stall, as a non-elastic all-reduce does.
void ParameterServer::on_host_recovered(topology::NodeId host) {
  if (layered()) return;
  for (std::size_t i = 0; i < workers_.size(); ++i) {
    Worker& worker = *workers_[i];
    if (worker.node.host != host) continue;
    // The new process reuses the replica: the crashed process's math job
    // must be over first (its result is discarded).
    if (worker.replica.computing) worker.replica.computing->join();
    worker.replica.computing = nullptr;
    worker.dead_inboxes.push_back(std::move(worker.inbox));
    worker.retry_copy.reset();  // the crashed process's memory
    worker.inbox = std::make_unique<sim::Mailbox<ParamsSlice>>(*ctx_->sim);
    std::fill(worker.versions.begin(), worker.versions.end(), -1);
    ctx_->sim->spawn(work(static_cast<int>(i), true), worker.node.name);
  }
  for (std::size_t j = 0; j < shards_.size(); ++j) {
    if (shards_[j]->node.host == host) restart_shard(static_cast<int>(j));
  }
}

void ParameterServer::on_host_crashed(topology::NodeId host) {
  if (layered()) return;
  for (std::size_t i = 0; i < workers_.size(); ++i) {
    if (workers_[i]->node.host == host) ledger_->stop_retrying_all(static_cast<int>(i));
  }
  Shard& counted = *shards_.front();
  if (counted.node.host != host) return;
  // The requests queued at shard 0 and the gradients its update rule held
  // die with the process (its coroutine, blocked or not, never runs again).
  while (auto message = counted.inbox.try_receive()) {
    ledger_->copy_lost(message->worker, message->seq);
  }
  ledger_->release_held();
}

void ParameterServer::restart_shard(int index) {
  const auto j = static_cast<std::size_t>(index);
  std::unique_ptr<Shard>& slot = shards_[j];
  const std::int64_t epoch = slot->epoch + 1;
  const Node node = slot->node;
  dead_shards_.push_back(std::move(slot));
  const Checkpoint& checkpoint = checkpoints_[j];
  slot = std::make_unique<Shard>(*ctx_, config_, index, node, ranges_[j], params_);
  Shard& shard = *slot;
  init_tables(shard);
  shard.params = checkpoint.params;
  shard.optimizer = checkpoint.optimizer->clone();
  shard.version = checkpoint.version;
  shard.epoch = epoch;
  ++restarts_[j];
  restored_version_[j] = checkpoint.version;
  if (!ctx_->timing_only) params_.segment(shard.range.offset, shard.range.size) = shard.params;

  if (index == 0) {
    // Shard 0's versions after the checkpoint are undone: their updates are
    // no longer applied, and their samples never become global.
    std::int64_t undone = 0;
    for (std::int64_t count : applied_since_checkpoint_) undone += count;
    applied_since_checkpoint_.clear();
    if (undone > 0) ctx_->monitor->record_rolled_back(undone);
    const auto keep =
        static_cast<std::size_t>(std::max<std::int64_t>(0, checkpoint.version - global_version_));
    while (pending_samples_.size() > keep) pending_samples_.pop_back();
  }
  if (checkpoint.version < global_version_) {
    // The global model goes back. Shard 0's samples of the undone global
    // versions return to pending if shard 0 still has them.
    std::int64_t removed = 0;
    for (std::int64_t v = global_version_; v > checkpoint.version; --v) {
      const std::int64_t samples = global_samples_[static_cast<std::size_t>(v - 1)];
      removed += samples;
      if (index != 0) pending_samples_.push_front(samples);
    }
    global_samples_.resize(static_cast<std::size_t>(checkpoint.version));
    global_version_ = checkpoint.version;
    ctx_->monitor->on_rollback(global_version_, removed, params_);
  }
  ctx_->sim->spawn(run_shard(index), shard.node.name);
}

void ParameterServer::join(int index) {
  for (int j = 0; j < static_cast<int>(shards_.size()); ++j) send_join(index, j);
}

void ParameterServer::send_join(int index, int shard) {
  const Worker& self = *workers_[static_cast<std::size_t>(index)];
  const std::uint64_t incarnation = ctx_->net->incarnation(self.node.host);
  ctx_->net->start_transfer(
      self.node.host, shards_[static_cast<std::size_t>(shard)]->node.host, kJoinBytes,
      [this, shard, index, incarnation] { on_join(shard, index, incarnation); });
}

void ParameterServer::on_join(int index, int worker, std::uint64_t incarnation) {
  Shard& shard = *shards_[static_cast<std::size_t>(index)];
  if (!alive(shard)) return;
  const auto w = static_cast<std::size_t>(worker);
  if (shard.owed[w] > 0) return;  // a gradient of its is pending: its answer will come
  // Answered since it came back, and that answer was not lost.
  if (shard.answered_incarnation[w] == incarnation && !shard.needs_reply[w]) return;
  if (ctx_->monitor->stopping()) return;
  reply(shard, worker);
}

void ParameterServer::on_network_healed() {
  if (ctx_->monitor->stopping() || layered()) return;
  for (auto& shard : shards_) {
    for (int w = 0; w < num_workers(); ++w) {
      const auto i = static_cast<std::size_t>(w);
      if (shard->needs_reply[i] && shard->owed[i] == 0) reply(*shard, w);
    }
  }
}

std::optional<sim::Time> ParameterServer::rpc_deadline(const Worker& self) const {
  if (config_.rpc_timeout <= 0) return std::nullopt;
  return ctx_->sim->now() + wait_for_local(*ctx_, self.node.host, config_.rpc_timeout);
}

void ParameterServer::resend_unanswered(int index, std::int64_t awaiting,
                                        const std::vector<char>& answered) {
  for (std::size_t j = 0; j < shards_.size(); ++j) {
    if (answered[j]) continue;
    ctx_->monitor->record_retry();
    if (awaiting < 0) {
      send_join(index, static_cast<int>(j));
    } else {
      push(index, *shards_[j]);
    }
  }
}

}  // namespace algo
