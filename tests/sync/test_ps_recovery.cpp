// A crashed parameter server restarts (from its last checkpoint or its
// initial state), and workers retry RPCs lost to a lossy link. Oracles: a
// fault-free run of the same set-up (its step period, its parameters at each
// version), the checkpoint arithmetic (last multiple of K), and the update
// accounting identity.
#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "algorithms/sync/ps_async.h"
#include "algorithms/sync/ps_ssp.h"
#include "algorithms/sync/ps_sync.h"
#include "fault_world.h"

using algo::Fault;
using namespace fault_world;

namespace {

// One of the three servers, all with config `base` (ps_ssp with bound 0).
std::unique_ptr<algo::ParameterServer> make_ps(const std::string& kind,
                                               const algo::PsConfig& base) {
  if (kind == "ps_async") return std::make_unique<algo::PsAsync>(base);
  if (kind == "ps_ssp") {
    algo::PsSspConfig config;
    static_cast<algo::PsConfig&>(config) = base;
    return std::make_unique<algo::PsSsp>(config);
  }
  algo::PsSyncConfig config;
  static_cast<algo::PsConfig&>(config) = base;
  return std::make_unique<algo::PsSync>(config);
}

// The global parameters at every evaluation, by (time, version).
struct ParamLog {
  std::map<std::pair<sim::Time, std::int64_t>, ml::Vector> at;
  void attach(FaultWorld& world) {
    world.monitor->set_evaluation_observer([this, &world](sim::Time t) {
      at[{t, world.monitor->rows().back().step}] = world.algorithm->global_parameters();
    });
  }
  const ml::Vector& version(std::int64_t v) const {
    for (const auto& [key, params] : at) {
      if (key.second == v) return params;
    }
    FAIL("no parameters logged for version " << v);
    return at.begin()->second;
  }
};

// Runs to the stop condition, or to `limit` if the run hangs (a test of
// retries must fail, not spin, when the retries do not work).
void run_within(FaultWorld& world, sim::Time limit) {
  world.sim.run_until(limit);
  world.monitor->finish("limit");
}

Fault loss_on(int link, double p) {
  Fault f;
  f.kind = Fault::Kind::loss;
  f.links = {link};
  f.probability = p;
  return f;
}

}  // namespace

TEST_CASE("a crashed server restarts from its last checkpoint and its worker resumes at once",
          "[faults][ps][recovery]") {
  // One server, one slow worker: without faults version v is published at
  // v * T for all three servers. The server crashes in the middle of the
  // worker's compute after version v (the worker's push is then lost: the
  // server is unreachable) and reboots at t_r. It restores version r (the
  // last multiple of K at or below v; 0 without checkpoints) and announces
  // itself: the cycle restarts as at launch, so version r + m is published
  // at t_r + m * T, and the parameters at the restore are exactly the
  // fault-free run's at version r.
  const std::string kind = GENERATE("ps_async", "ps_sync", "ps_ssp");
  const std::int64_t every = GENERATE(0, 4);
  const std::int64_t v = GENERATE(5, 7, 8);
  INFO(kind << " K=" << every << " crash after version " << v);
  const std::int64_t steps = 12;
  const algo::StopCondition stop{0, 0.0, steps, 0.0};
  algo::PsConfig config = ps_config(1);
  config.checkpoint_interval = every;

  FaultWorld baseline(ps_hosts(1, 2e7), stop);
  ParamLog expected;
  baseline.start(make_ps(kind, config), {});
  expected.attach(baseline);
  baseline.run();
  const sim::Time period = baseline.time_of(1);
  for (int u = 1; u <= steps; ++u) REQUIRE(baseline.time_of(u) == u * period);

  const sim::Time crash_at = v * period + period / 2;
  const sim::Time reboot_at = (v + 2) * period + 123;
  FaultWorld world(ps_hosts(1, 2e7), stop);
  ParamLog seen;
  auto& ps = world.start(make_ps(kind, config), {crash(0, crash_at, reboot_at - crash_at)});
  seen.attach(world);
  world.run();

  const std::int64_t restored = every > 0 ? v / every * every : 0;
  CHECK(ps.restarts(0) == 1);
  CHECK(ps.last_restored_version(0) == restored);
  if (restored < v) {
    // The rollback is a metrics row at the reboot, with the restored model.
    REQUIRE(seen.at.count({reboot_at, restored}) == 1);
    CHECK(seen.at.at({reboot_at, restored}) == expected.version(restored));
  } else {
    CHECK(seen.at.count({reboot_at, restored}) == 0);  // nothing to undo
  }
  for (std::int64_t m = 1; restored + m <= steps; ++m) {
    CHECK(seen.at.count({reboot_at + m * period, restored + m}) == 1);
  }
  const algo::RunTotals& t = world.monitor->totals();
  CHECK(t.steps == steps);
  CHECK(t.updates_applied == steps);  // applied and still in the model
  CHECK(t.dropped_by_reason.count("rolled_back") == (restored < v ? 1 : 0));
  if (restored < v) CHECK(t.dropped_by_reason.at("rolled_back") == v - restored);
  CHECK(t.updates_lost == 1);  // the push to the dead server
  CHECK(t.updates_produced == (v + 1) + (steps - restored));
  CHECK(ps.gradients_outstanding() == 0);
  CHECK(t.updates_produced ==
        t.updates_applied + dropped_total(t) + t.updates_lost + ps.gradients_outstanding());
  // Samples count what the final model holds: one batch per version.
  CHECK(t.samples == steps * 8);
}

TEST_CASE("lost pushes and replies are retried: ps_sync ends with the loss-free parameters",
          "[faults][ps][recovery]") {
  // Every message over worker0's link is lost with p = 0.3. Workers resend
  // an unanswered push after rpc_timeout; the server applies each push once
  // and answers a copy of one it has applied. A BSP step's sum does not
  // depend on arrival times, so the parameters at version S are the
  // fault-free run's bit for bit (ps_ssp with bound 0 is ps_sync; sharded
  // servers sum each slice the same way).
  const std::string kind = GENERATE("ps_sync", "ps_ssp", "ps_sync_sharded");
  INFO(kind);
  const std::int64_t steps = 25;
  const algo::StopCondition stop{0, 0.0, steps, 0.0};
  const bool sharded = kind == "ps_sync_sharded";
  std::vector<StarWorld::Host> hosts{{"server0", 100e9}};
  if (sharded) hosts.push_back({"server1", 100e9});
  const int first_worker = sharded ? 2 : 1;
  for (int i = 0; i < 3; ++i) hosts.push_back({"worker" + std::to_string(i), 5e9});
  algo::PsConfig config;
  config.server = 0;
  if (sharded) config.servers = {0, 1};
  config.workers = {first_worker, first_worker + 1, first_worker + 2};
  config.batch_size = 8;
  config.rpc_timeout = sim::microseconds(400);
  const std::string server_kind = sharded ? "ps_sync" : kind;

  FaultWorld baseline(hosts, stop);
  baseline.start(make_ps(server_kind, config), {});
  baseline.run();
  REQUIRE(baseline.monitor->totals().rpc_retries == 0);

  FaultWorld world(hosts, stop);
  auto& ps = world.start(make_ps(server_kind, config), {loss_on(first_worker, 0.3)});
  run_within(world, sim::milliseconds(200));
  const algo::RunTotals& t = world.monitor->totals();
  CHECK(t.steps == steps);
  CHECK(t.rpc_retries > 0);
  CHECK(world.algorithm->global_parameters() == baseline.algorithm->global_parameters());
  CHECK(t.updates_applied == 3 * steps);  // each push once, never twice
  for (int w = 0; w < 3; ++w) {
    CHECK(std::count(ps.applied_log().begin(), ps.applied_log().end(), w) == steps);
  }
  CHECK(t.updates_lost == 0);  // every lost copy was retried
  CHECK(t.updates_produced ==
        t.updates_applied + dropped_total(t) + t.updates_lost + ps.gradients_outstanding());
  CHECK(world.time_of(steps) > baseline.time_of(steps));  // the retries cost time
}

TEST_CASE("ps_async with retries on a lossy link applies every push at most once",
          "[faults][ps][recovery]") {
  FaultWorld world(ps_hosts(3, 5e9), {0, 0.0, 150, 0.0});
  algo::PsConfig config = ps_config(3);
  config.rpc_timeout = sim::microseconds(50);
  auto& ps =
      world.start(std::make_unique<algo::PsAsync>(config), {loss_on(1, 0.25), loss_on(3, 0.25)});
  run_within(world, sim::milliseconds(200));
  const algo::RunTotals& t = world.monitor->totals();
  CHECK(t.steps == 150);
  CHECK(t.rpc_retries > 0);
  CHECK(t.updates_applied == 150);  // one push per version
  CHECK(t.updates_lost == 0);
  CHECK(t.updates_produced ==
        t.updates_applied + dropped_total(t) + t.updates_lost + ps.gradients_outstanding());
  // Without retries a lost reply or push strands its worker for good: the
  // lossy workers stop contributing; with retries they keep up.
  FaultWorld plain(ps_hosts(3, 5e9), {0, 0.0, 150, 0.0});
  auto& stranded = plain.start(std::make_unique<algo::PsAsync>(ps_config(3)),
                               {loss_on(1, 0.25), loss_on(3, 0.25)});
  plain.run();
  const auto from = [](const algo::ParameterServer& p, int w) {
    return std::count(p.applied_log().begin(), p.applied_log().end(), w);
  };
  CHECK(from(stranded, 0) + from(stranded, 2) < 10);
  INFO(from(stranded, 0) << " " << from(stranded, 2) << " " << from(ps, 0) << " " << from(ps, 2));
  CHECK(from(ps, 0) + from(ps, 2) > 60);
}

TEST_CASE("a crashed shard of a sharded server restores its checkpoint; the global version follows",
          "[faults][ps][recovery]") {
  // Two shards, two workers, ps_sync, checkpoints every 3 versions. Without
  // faults both shards publish version v at v * T. Shard c crashes in the
  // middle of step v + 1 and reboots two periods later: it restores version
  // (v / 3) * 3, the global version (the minimum over shards) goes back with
  // it, and the run still reaches S global versions holding S steps'
  // samples. Only shard 0's rollbacks count as rolled back updates.
  const int c = GENERATE(0, 1);
  const std::int64_t v = GENERATE(7, 8);
  INFO("shard " << c << " crashes after version " << v);
  const std::int64_t steps = 20;
  const algo::StopCondition stop{0, 0.0, steps, 0.0};
  std::vector<StarWorld::Host> hosts{
      {"server0", 100e9}, {"server1", 100e9}, {"worker0", 5e9}, {"worker1", 5e9}};
  algo::PsSyncConfig config;
  config.servers = {0, 1};
  config.workers = {2, 3};
  config.batch_size = 8;
  config.checkpoint_interval = 3;

  FaultWorld baseline(hosts, stop);
  baseline.start(std::make_unique<algo::PsSync>(config), {});
  baseline.run();
  const sim::Time period = baseline.time_of(1);
  for (int u = 1; u <= steps; ++u) REQUIRE(baseline.time_of(u) == u * period);

  FaultWorld world(hosts, stop);
  auto& ps = world.start(std::make_unique<algo::PsSync>(config),
                         {crash(c, v * period + period / 2, 2 * period)});
  world.run();
  const algo::RunTotals& t = world.monitor->totals();
  const std::int64_t restored = v / 3 * 3;
  CHECK(ps.restarts(c) == 1);
  CHECK(ps.restarts(1 - c) == 0);
  CHECK(ps.last_restored_version(c) == restored);
  CHECK(t.steps == steps);
  CHECK(t.samples == steps * 2 * 8);
  const std::int64_t rolled = c == 0 ? 2 * (v - restored) : 0;
  const auto it = t.dropped_by_reason.find("rolled_back");
  CHECK((it == t.dropped_by_reason.end() ? 0 : it->second) == rolled);
  CHECK(t.updates_produced ==
        t.updates_applied + dropped_total(t) + t.updates_lost + ps.gradients_outstanding());
  // The rollback row: the global version back at the restored one.
  bool rollback_row = false;
  for (const algo::MetricsRow& row : world.monitor->rows()) {
    rollback_row =
        rollback_row || (row.time == v * period + period / 2 + 2 * period && row.step == restored);
  }
  CHECK(rollback_row == (restored < v));
}

TEST_CASE("a server that stays down stalls its workers, which retry for good",
          "[faults][ps][recovery]") {
  FaultWorld world(ps_hosts(2, 5e9), {sim::milliseconds(20), 0.0, 0, 0.0});
  algo::PsConfig config = ps_config(2);
  config.rpc_timeout = sim::milliseconds(1);
  auto& ps = world.start(std::make_unique<algo::PsAsync>(config), {crash(0, 500'000, 0)});
  world.sim.run_until(sim::milliseconds(20));
  world.monitor->finish("sim_time");
  const algo::RunTotals& t = world.monitor->totals();
  const sim::Time last = world.monitor->rows().back().time;
  CHECK(last <= 500'000);
  // Each worker's last push (before 0.5 ms) is answered by nothing: the
  // server applied it, but the answer died with it, or the push itself
  // did. From then on the worker resends it every millisecond (its timer
  // armed at the push), each copy lost at once: 19 retries each by 20 ms.
  CHECK(t.rpc_retries == 2 * 19);
  // A push whose worker still retries is never lost, only outstanding.
  CHECK(t.updates_lost == 0);
  CHECK(t.updates_produced == t.updates_applied + ps.gradients_outstanding());
}

TEST_CASE("a worker retries every rpc_timeout of its own clock: T / (1 + drift) of true time",
          "[faults][ps][recovery]") {
  // The server goes down for good at t_c. The worker's last push (or the
  // answer to it) dies within one step T << 1 ms of t_c, at p; it then
  // resends every w = llround(R / (1 + drift)) of true time (a timer on its
  // oscillator), at p + w, p + 2w, ... By t_c + 20.5 w exactly 20 retries
  // have gone out, whatever p within half a w of t_c. A timer read on true
  // time would give 19 (+5%) or 21 (-5%).
  const std::optional<double> drift = GENERATE(
      std::optional<double>(), std::optional<double>(50'000.0), std::optional<double>(-50'000.0));
  CAPTURE(drift.value_or(-1e9));
  const sim::Time rpc = sim::milliseconds(1);
  const sim::Time w =
      !drift
          ? rpc
          : static_cast<sim::Time>(std::llround(static_cast<double>(rpc) / (1.0 + *drift * 1e-6)));
  FaultWorld world(ps_hosts(1, 5e9), {0, 0.0, 0, 0.0});
  std::vector<sim::NodeClock> clocks(static_cast<std::size_t>(world.topo.node_count()));
  if (drift) {
    sim::ClockParams params;
    params.drift_ppm = *drift;
    params.offset = 7 * sim::kMillisecond;  // an offset changes nothing in a timeout
    clocks[1] = sim::NodeClock(params, sim::RandomStream(1, "worker0", "clock"));
    world.ctx.clocks = &clocks;
  }
  algo::PsConfig config = ps_config(1);
  config.rpc_timeout = rpc;
  const sim::Time crash_at = sim::milliseconds(2) + 1234;
  world.start(std::make_unique<algo::PsAsync>(config), {crash(0, crash_at, 0)});
  REQUIRE(world.monitor->rows().empty());
  world.sim.run_until(crash_at + 20 * w + w / 2);
  world.monitor->finish("limit");
  const sim::Time step = world.time_of(1);
  REQUIRE(step < w / 4);
  CHECK(world.monitor->totals().rpc_retries == 20);
}
