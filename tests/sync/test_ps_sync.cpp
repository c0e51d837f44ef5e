// ps_sync against two independent oracles:
//  - the math: N workers at batch b end with the parameters of ONE worker
//    training at batch N*b on the same samples in the same order;
//  - the timing: on a star, one BSP step takes the hand-computed
//    broadcast + compute + gather + update time.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <optional>

#include "algorithms/ml/batch_sampler.h"
#include "algorithms/ml/partition.h"
#include "algorithms/ml/synthetic.h"
#include "algorithms/sync/ps_sync.h"
#include "algorithms/runtime/training_seeds.h"
#include "star_world.h"

namespace {

constexpr std::uint64_t kSeed = 11;
constexpr double kBandwidth = 1.25e9;  // 10 Gb/s
constexpr sim::Time kLatency = 5'000;  // 5 us per link

std::vector<StarWorld::Host> ps_hosts(int workers) {
  std::vector<StarWorld::Host> hosts{{"server", 100e9}};
  for (int i = 0; i < workers; ++i) hosts.push_back({"worker" + std::to_string(i), 50e9});
  return hosts;
}

struct PsWorld : StarWorld {
  PsWorld(int workers, int batch, algo::StopCondition stop, algo::EvalSchedule eval)
      : StarWorld(ps_hosts(workers), {kBandwidth, kLatency}, synthetic(512, 3), synthetic(128, 4),
                  small_mlp(), ml::make_sgd({0.1f, 0.9f, 0.0f, false}), stop, eval, kSeed) {
    algo::PsSyncConfig config;
    config.server = 0;
    for (int i = 1; i <= workers; ++i) config.workers.push_back(i);
    config.batch_size = batch;
    ps = &launch(std::make_unique<algo::PsSync>(config));
  }

  algo::PsSync* ps;
};

// The oracle: one model, one optimizer, batches formed by concatenating what
// each worker's sampler would draw, in worker order.
ml::Vector one_worker_at_combined_batch(const PsWorld& w, int workers, int batch, int steps) {
  ml::Mlp model(w.spec);
  model.initialize(algo::model_init_seed(kSeed));
  auto optimizer = ml::make_sgd({0.1f, 0.9f, 0.0f, false});
  auto shards = ml::partition_iid(w.train.size(), workers, algo::partition_seed(kSeed));
  std::vector<ml::BatchSampler> samplers;
  for (int i = 0; i < workers; ++i) {
    samplers.emplace_back(shards[static_cast<std::size_t>(i)],
                          algo::batch_order_seed(kSeed, "worker" + std::to_string(i)));
  }
  ml::RowMatrix x;
  std::vector<std::int32_t> y;
  ml::Vector grad;
  for (int s = 0; s < steps; ++s) {
    std::vector<std::int32_t> combined;
    for (auto& sampler : samplers) {
      auto b = sampler.next_batch(batch);
      combined.insert(combined.end(), b.begin(), b.end());
    }
    ml::gather_batch(w.train, combined, x, y);
    model.loss_and_gradient(x, y, grad);
    optimizer->step(model.parameters(), grad);
  }
  return model.parameters();
}

}  // namespace

TEST_CASE("N ps_sync workers at batch b match one worker at batch N*b") {
  const int workers = GENERATE(1, 3, 4);
  const int batch = 8;
  const int steps = 40;  // 40 x 8 = 320 > 512 / 4 per shard: crosses epoch boundaries
  PsWorld world(workers, batch, {0, 0.0, steps, 0.0}, {});
  world.run();
  REQUIRE(world.monitor->totals().steps == steps);

  const ml::Vector expected = one_worker_at_combined_batch(world, workers, batch, steps);
  const ml::Vector& got = world.ps->global_parameters();
  REQUIRE(got.size() == expected.size());
  const float max_diff = (got - expected).cwiseAbs().maxCoeff();
  INFO("workers " << workers << ", largest parameter difference " << max_diff);
  CHECK(max_diff < 1e-5f);
  CHECK(world.monitor->totals().staleness_max == 0);
  CHECK(world.monitor->totals().updates_applied == static_cast<std::int64_t>(workers) * steps);
}

TEST_CASE("a ps_sync step on a star takes broadcast + compute + gather + update time") {
  const int workers = 4;
  const int batch = 16;
  PsWorld world(workers, batch, {0, 0.0, 3, 0.0}, {1, 0});
  world.run();

  const ml::Mlp model(world.spec);
  const double bytes = static_cast<double>(model.num_parameters()) * sizeof(float);
  // N flows leave the server through its one link: each drains at B/N, and
  // crosses two links of latency L. The gather is the mirror image.
  const sim::Time transfer = sim::from_seconds(workers * bytes / kBandwidth) + 2 * kLatency;
  const sim::Time compute = sim::from_seconds(model.train_flops_per_sample() * batch / 50e9);
  const sim::Time update =
      sim::from_seconds(algo::PsSync::update_flops(model.num_parameters(), workers) / 100e9);
  const sim::Time step = transfer + compute + transfer + update;

  const auto& rows = world.monitor->rows();
  REQUIRE(rows.size() == 4);  // versions 0..3
  for (int v = 0; v <= 3; ++v) {
    INFO("version " << v);
    CHECK(rows[static_cast<std::size_t>(v)].time == v * step);
  }
  // Each step moves the parameters out and a gradient back for every worker.
  CHECK(world.net->total_bytes_sent() == Approx(3 * 2 * workers * bytes));
}

TEST_CASE("ps_sync rejects a configuration without workers") {
  algo::PsSyncConfig config;
  SECTION("no workers") { CHECK_THROWS_AS(algo::PsSync(config), std::invalid_argument); }
  SECTION("server listed as a worker") {
    config.workers = {0, 1};
    CHECK_THROWS_AS(algo::PsSync(config), std::invalid_argument);
  }
  SECTION("zero batch") {
    config.workers = {1};
    config.batch_size = 0;
    CHECK_THROWS_AS(algo::PsSync(config), std::invalid_argument);
  }
}

namespace {

// A server with its own clock, a fast worker and a 10,000x slower straggler.
struct TimeoutWorld : StarWorld {
  TimeoutWorld(sim::Time timeout, std::optional<double> server_drift_ppm)
      : StarWorld({{"server", 100e9}, {"worker0", 50e9}, {"worker1", 5e6}}, {kBandwidth, kLatency},
                  synthetic(512, 3), synthetic(128, 4), small_mlp(),
                  ml::make_sgd({0.1f, 0.0f, 0.0f, false}), {0, 0.0, 10, 0.0}, {1, 0}, kSeed) {
    if (server_drift_ppm) {
      clocks.resize(static_cast<std::size_t>(topo.node_count()));
      sim::ClockParams params;
      params.drift_ppm = *server_drift_ppm;
      params.offset = 3 * sim::kMillisecond;  // an offset changes nothing in a timeout
      clocks[static_cast<std::size_t>(*topo.find("server"))] =
          sim::NodeClock(params, sim::RandomStream(1, "server", "clock"));
      ctx.clocks = &clocks;
    }
    algo::PsSyncConfig config;
    config.server = 0;
    config.workers = {1, 2};
    config.batch_size = 16;
    config.timeout = timeout;
    ps = &launch(std::make_unique<algo::PsSync>(config));
  }
  std::vector<sim::NodeClock> clocks;
  algo::PsSync* ps;
};

}  // namespace

TEST_CASE("a ps_sync timeout closes each step after timeout / (1 + drift) of true time") {
  const sim::Time timeout = 1'000'000;  // 1 ms of the server's clock
  const std::optional<double> drift =
      GENERATE(std::optional<double>(), std::optional<double>(0.0), std::optional<double>(200.0),
               std::optional<double>(-300.0));
  CAPTURE(drift.value_or(-1e9));
  TimeoutWorld world(timeout, drift);
  world.run();
  // The oracle: a timer of T on a clock running at rate (1 + d) lasts T / (1 + d)
  // of true time, rounded to the ns: 1 ms -> 999,800 ns at +200 ppm, 1,000,300 at -300.
  const sim::Time wait = !drift ? timeout
                                : static_cast<sim::Time>(std::llround(static_cast<double>(timeout) /
                                                                      (1.0 + *drift * 1e-6)));
  if (drift && *drift == 200.0) CHECK(wait == 999'800);
  if (drift && *drift == -300.0) CHECK(wait == 1'000'300);
  const ml::Mlp model(world.spec);
  const sim::Time update =
      sim::from_seconds(algo::PsSync::update_flops(model.num_parameters(), 1) / 100e9);
  const auto& rows = world.monitor->rows();
  REQUIRE(rows.size() == 11);  // versions 0..10
  for (int v = 0; v <= 10; ++v) {
    INFO("version " << v);
    // Each step opens when the previous one's parameters go out, waits the
    // timeout (the fast worker's gradient is in long before), then applies one gradient.
    CHECK(rows[static_cast<std::size_t>(v)].time == v * (wait + update));
  }
  // Only the fast worker's gradients were applied; the straggler's (7.4 ms of
  // compute) came after their step closed, were dropped, and it got newer parameters.
  CHECK(std::all_of(world.ps->applied_log().begin(), world.ps->applied_log().end(),
                    [](int w) { return w == 0; }));
  const algo::RunTotals& totals = world.monitor->totals();
  CHECK(totals.updates_applied == 10);
  CHECK(totals.updates_dropped == 1);  // 10 steps of ~1 ms: one straggler gradient came back
  CHECK(world.ps->gradients_received() == totals.updates_applied + totals.updates_dropped);
}

TEST_CASE("ps_sync rejects a negative timeout and a timeout with sharded servers") {
  algo::PsSyncConfig config;
  config.server = 0;
  config.workers = {1, 2};
  config.timeout = -1;
  CHECK_THROWS_AS(algo::PsSync(config), std::invalid_argument);
  config.timeout = 1000;
  config.servers = {0, 3};
  CHECK_THROWS_AS(algo::PsSync(config), std::invalid_argument);
}
