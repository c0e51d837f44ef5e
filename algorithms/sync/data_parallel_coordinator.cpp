// Elastic data parallelism, the coordinator (Horovod's driver): it gathers
// the workers' rendezvous requests, forms a new epoch once every worker it
// can reach has asked (host discovery is the network's truth), and settles
// the accounting of the rounds the old epoch left open. See data_parallel.h.
#include <memory>
#include <optional>
#include <utility>

#include "algorithms/runtime/local_time.h"
#include "algorithms/runtime/messaging.h"
#include "algorithms/sync/data_parallel.h"
#include "algorithms/sync/data_parallel_parts.h"

namespace algo {

// While gathering, the coordinator re-checks host discovery every `timeout`
// on its own clock until an epoch forms.
sim::Task DataParallel::coordinate() {
  RunContext& ctx = *ctx_;
  Elastic& e = *elastic_;
  while (true) {
    std::optional<Request> request;
    if (e.gathering) {
      request = co_await algo::receive_until(*ctx.net, e.coordinator_host, *e.coordinator_inbox,
                                             e.gathering_deadline, "rendezvous");
    } else {
      request =
          co_await algo::receive(*ctx.net, e.coordinator_host, *e.coordinator_inbox, "rendezvous");
    }
    if (request) {
      handle_request(*request);
    } else if (!try_form()) {
      arm_gathering_deadline();
    }
  }
}

void DataParallel::arm_gathering_deadline() {
  Elastic& e = *elastic_;
  e.gathering_deadline =
      ctx_->sim->now() + wait_for_local(*ctx_, e.coordinator_host, config_.elastic.timeout);
}

void DataParallel::handle_request(const Request& request) {
  RunContext& ctx = *ctx_;
  Elastic& e = *elastic_;
  const int current = current_epoch();
  const Elastic::Epoch& epoch = *e.epochs.back();
  const int rank = e.members_of(current, request.worker);
  const bool same_process =
      rank >= 0 && epoch.incarnations[static_cast<std::size_t>(rank)] == request.incarnation;
  if (!e.gathering && same_process && request.known_epoch < current) {
    send_assignment(request.worker);  // its assignment was lost: the request is a retry
    return;
  }
  if (!e.gathering) {
    e.gathering = true;
    if (!same_process) {  // someone wants in: ask the members to re-form after a round
      for (int member : epoch.members) {
        Control reset;
        reset.kind = Control::Kind::reset;
        reset.epoch = current;
        Worker& target = *workers_[static_cast<std::size_t>(member)];
        send_message(*ctx.net, e.coordinator_host, target.host(), kControlBytes, *target.control,
                     std::move(reset), "elastic_reset");
      }
    }
    arm_gathering_deadline();
  }
  e.pending[request.worker] = request;
  try_form();
}

// Forms the next epoch if every worker that is up and reachable has asked
// and one of them holds a state to go on from.
bool DataParallel::try_form() {
  RunContext& ctx = *ctx_;
  Elastic& e = *elastic_;
  std::vector<int> members;
  int root = -1;
  for (int w = 0; w < static_cast<int>(workers_.size()); ++w) {
    const topology::NodeId host = worker_host(w);
    if (!ctx.net->host_up(host) || !ctx.net->can_reach(e.coordinator_host, host)) continue;
    const auto it = e.pending.find(w);
    if (it == e.pending.end() || it->second.incarnation != ctx.net->incarnation(host)) return false;
    members.push_back(w);
    const Request& r = it->second;
    if (r.has_state &&
        (root < 0 || r.version > e.pending.at(root).version)) {  // ties: the lowest index
      root = w;
    }
  }
  if (members.empty() || root < 0) return false;  // nobody holds a model to go on from
  const Request& from = e.pending.at(root);

  auto epoch = std::make_unique<Elastic::Epoch>();
  epoch->members = members;
  epoch->root = root;
  std::vector<topology::NodeId> hosts;
  for (int w : members) {
    epoch->incarnations.push_back(ctx.net->incarnation(worker_host(w)));
    hosts.push_back(worker_host(w));
    const Request& r = e.pending.at(w);
    if (!r.has_state || r.state_epoch != from.state_epoch || r.version != from.version) {
      epoch->synced.push_back(w);
    }
  }
  epoch->comm =
      std::make_unique<Communicator>(*ctx.sim, *ctx.net, std::move(hosts), !ctx.timing_only, true);
  epoch_log_.push_back({ctx.sim->now(), members, root, from.version, epoch->synced});
  e.epochs.push_back(std::move(epoch));
  e.gathering = false;
  // Every open round is now settled: the root's state holds it or not.
  for (auto& [key, round] : e.ledger) {
    resolve(round, key.first == from.state_epoch && key.second <= from.version);
  }
  e.ledger.clear();
  for (int w : members) send_assignment(w);
  e.pending.clear();
  return true;
}

void DataParallel::send_assignment(int worker) {
  Elastic& e = *elastic_;
  Control assignment;
  assignment.kind = Control::Kind::assignment;
  assignment.epoch = current_epoch();
  Worker& target = *workers_[static_cast<std::size_t>(worker)];
  const double bytes = kControlBytes + 4.0 * static_cast<double>(e.epochs.back()->members.size());
  send_message(*ctx_->net, e.coordinator_host, target.host(), bytes, *target.control,
               std::move(assignment), "elastic_assignment");
}

// ---- Accounting (see data_parallel.h).

// A contribution is produced when its worker enters the collective.
void DataParallel::enter_round(int epoch, std::int64_t version, int worker, std::int64_t samples,
                               bool flag) {
  RunContext& ctx = *ctx_;
  Elastic& e = *elastic_;
  ctx.monitor->record_produced();
  if (flag && ctx.timing_only) e.flags[{epoch, version}] = true;
  Round& round = e.ledger[{epoch, version}];
  round.contributors.emplace_back(worker, ctx.net->incarnation(worker_host(worker)));
  UpdateCopy contribution = ctx.census->produce(worker_host(worker));
  contribution.place_in_network();
  round.copies.push_back(contribution.fate());
  Elastic::Epoch& joined = *e.epochs[static_cast<std::size_t>(epoch)];
  joined.comm->carry(e.members_of(epoch, worker), std::move(contribution));
  round.samples += samples;
  ++e.outstanding;
  if (epoch < current_epoch()) {  // a newer epoch already formed: this round can never commit
    resolve(round, false);
    e.ledger.erase({epoch, version});
  }
}

// Applied (committed by the leader or held by a new epoch's root state), or
// dropped: `crashed` if its worker crashed since, `unreachable` if it is up
// but not in the newest epoch, `aborted` if it is a member (rolled back).
void DataParallel::resolve(Round& round, bool applied) {
  RunContext& ctx = *ctx_;
  Elastic& e = *elastic_;
  const int newest = current_epoch();
  for (std::size_t i = 0; i < round.contributors.size(); ++i) {
    const auto [worker, incarnation] = round.contributors[i];
    --e.outstanding;
    // Applied or dropped where a copy is: one whose every copy vanished
    // is neither (a bug the accounting must show).
    if (!round.copies[i].exists()) continue;
    if (applied) {
      ctx.monitor->record_applied(0);
    } else if (ctx.net->incarnation(worker_host(worker)) != incarnation) {
      ctx.monitor->record_dropped(1, "crashed");
    } else if (e.members_of(newest, worker) < 0) {
      ctx.monitor->record_dropped(1, "unreachable");
    } else {
      ctx.monitor->record_dropped(1, "aborted");
    }
  }
  if (applied) e.unreported_samples += round.samples;
  round.contributors.clear();
  for (const UpdateCopy::Fate& copy : round.copies) copy.settle();
  round.copies.clear();
}

}  // namespace algo
