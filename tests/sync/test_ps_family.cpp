// The parameter-server family (ps_async, ps_ssp, sharded servers, backup
// workers) against independent oracles:
//  - ps_async: a sequential replay that, given only the order in which the
//    server applied the workers' gradients, recomputes every gradient from
//    the version its worker last pulled (so it checks the staleness too);
//  - ps_ssp: s = 0 is ps_sync and a bound larger than the run is ps_async,
//    bit for bit and nanosecond for nanosecond; the clock bound holds, and
//    is reached, with a straggler; N = 1 is ps_async/ps_sync;
//  - sharding: k shards give the parameters of one server, and the step time
//    is the alpha-beta sum with 1/k of the bytes on each server link;
//  - backup workers: the straggler is always the one dropped, and the first
//    step ends at the alpha-beta time of the N - b fast workers.
#include <catch2/catch.hpp>
#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "algorithms/ml/batch_sampler.h"
#include "algorithms/ml/partition.h"
#include "algorithms/ml/synthetic.h"
#include "algorithms/runtime/aggregator.h"
#include "algorithms/runtime/compressor.h"
#include "algorithms/sync/ps_async.h"
#include "algorithms/sync/ps_ssp.h"
#include "algorithms/sync/ps_sync.h"
#include "algorithms/runtime/training_seeds.h"
#include "star_world.h"

namespace {

constexpr std::uint64_t kSeed = 11;
constexpr double kBandwidth = 1.25e9;  // 10 Gb/s
constexpr sim::Time kLatency = 5'000;  // 5 us per link
constexpr double kServerFlops = 100e9;
constexpr double kWorkerFlops = 50e9;

struct Setup {
  int servers = 1;
  int workers = 4;
  int batch = 8;
  std::vector<double> slowdown;  // per worker, constant straggler factor (default 1)
  sim::Distribution straggler = sim::Distribution::constant_value(1.0);  // when slowdown is empty
  algo::StopCondition stop;
  algo::EvalSchedule eval;
};

using Factory = std::function<std::unique_ptr<algo::ParameterServer>(const algo::PsConfig&)>;

Factory sync_ps(int backup = 0) {
  return [backup](const algo::PsConfig& base) {
    algo::PsSyncConfig config;
    static_cast<algo::PsConfig&>(config) = base;
    config.backup_workers = backup;
    return std::make_unique<algo::PsSync>(config);
  };
}
Factory async_ps() {
  return [](const algo::PsConfig& base) { return std::make_unique<algo::PsAsync>(base); };
}
Factory ssp_ps(int bound) {
  return [bound](const algo::PsConfig& base) {
    algo::PsSspConfig config;
    static_cast<algo::PsConfig&>(config) = base;
    config.staleness_bound = bound;
    return std::make_unique<algo::PsSsp>(config);
  };
}

std::vector<StarWorld::Host> ps_hosts(const Setup& setup) {
  std::vector<StarWorld::Host> hosts;
  for (int j = 0; j < setup.servers; ++j) {
    hosts.push_back({setup.servers == 1 ? "server" : "server" + std::to_string(j), kServerFlops});
  }
  for (int i = 0; i < setup.workers; ++i) {
    const auto n = static_cast<std::size_t>(i);
    hosts.push_back({"worker" + std::to_string(i), kWorkerFlops,
                     setup.slowdown.empty()
                         ? setup.straggler
                         : sim::Distribution::constant_value(setup.slowdown[n])});
  }
  return hosts;
}

struct World : StarWorld {
  World(const Setup& setup, const Factory& make)
      : StarWorld(ps_hosts(setup), {kBandwidth, kLatency}, synthetic(512, 3), synthetic(128, 4),
                  small_mlp(), ml::make_sgd({0.1f, 0.9f, 0.0f, false}), setup.stop, setup.eval,
                  kSeed) {
    algo::PsConfig config;
    for (int n = 0; n < setup.servers + setup.workers; ++n) {
      (n < setup.servers ? config.servers : config.workers).push_back(n);
    }
    config.batch_size = setup.batch;
    ps = &launch(make(config));
  }

  // Runs to the stop condition and closes the monitor.
  World& run() {
    StarWorld::run();
    return *this;
  }
  const ml::Vector& params() const { return ps->global_parameters(); }

  algo::ParameterServer* ps;
};

float max_difference(const ml::Vector& a, const ml::Vector& b) {
  REQUIRE(a.size() == b.size());
  return (a - b).cwiseAbs().maxCoeff();
}

// The largest gap, over every prefix of the server's apply order, between
// the worker with the most applied gradients and the one with the fewest.
// SSP keeps it at s between two updates; within one update (several
// workers released together, in worker order) it may briefly reach s + 1.
std::int64_t max_clock_gap(const std::vector<int>& log, int workers) {
  std::vector<std::int64_t> applied(static_cast<std::size_t>(workers), 0);
  std::int64_t gap = 0;
  for (int w : log) {
    ++applied[static_cast<std::size_t>(w)];
    const auto [lo, hi] = std::minmax_element(applied.begin(), applied.end());
    gap = std::max(gap, *hi - *lo);
  }
  return gap;
}

std::vector<ml::BatchSampler> worker_samplers(const World& w, int workers) {
  auto shards = ml::partition_iid(w.train.size(), workers, algo::partition_seed(kSeed));
  std::vector<ml::BatchSampler> samplers;
  for (int i = 0; i < workers; ++i) {
    samplers.emplace_back(shards[static_cast<std::size_t>(i)],
                          algo::batch_order_seed(kSeed, "worker" + std::to_string(i)));
  }
  return samplers;
}

// The ASP oracle: one optimizer applies the gradients in the server's order;
// worker w's gradient is computed on its next batch from the version w last
// pulled (0 at first, then the version right after its previous update).
struct AsyncReplay {
  ml::Vector params;
  std::map<std::int64_t, std::int64_t> staleness;
};
AsyncReplay replay_async(const World& w, int workers, int batch, const std::vector<int>& order) {
  ml::Mlp model(w.spec);
  model.initialize(algo::model_init_seed(kSeed));
  auto optimizer = ml::make_sgd({0.1f, 0.9f, 0.0f, false});
  auto samplers = worker_samplers(w, workers);
  std::vector<ml::Vector> history{model.parameters()};  // by version
  std::vector<std::int64_t> pulled(static_cast<std::size_t>(workers), 0);
  AsyncReplay out;
  ml::RowMatrix x;
  std::vector<std::int32_t> y;
  ml::Vector grad;
  for (int worker : order) {
    const auto i = static_cast<std::size_t>(worker);
    const auto version = static_cast<std::int64_t>(history.size()) - 1;
    model.parameters() = history[static_cast<std::size_t>(pulled[i])];
    ml::gather_batch(w.train, samplers[i].next_batch(batch), x, y);
    model.loss_and_gradient(x, y, grad);
    ++out.staleness[version - pulled[i]];
    ml::Vector next = history.back();
    optimizer->step(next, grad);
    history.push_back(next);
    pulled[i] = version + 1;
  }
  out.params = history.back();
  return out;
}

}  // namespace

TEST_CASE(
    "ps_async applies each gradient to the server's current model, as a sequential replay does") {
  const int workers = GENERATE(2, 4);
  Setup setup;
  setup.workers = workers;
  setup.straggler = {sim::Distribution::Kind::uniform, 1.0, 2.0};
  setup.stop = {0, 0.0, 60, 0.0};
  World world(setup, async_ps());
  world.run();
  const auto& totals = world.monitor->totals();
  REQUIRE(totals.steps == 60);
  REQUIRE(world.ps->applied_log().size() == 60);

  const AsyncReplay expected = replay_async(world, workers, setup.batch, world.ps->applied_log());
  const float diff = max_difference(world.params(), expected.params);
  INFO("workers " << workers << ", largest parameter difference " << diff);
  CHECK(diff == 0.0f);
  CHECK(world.monitor->staleness_histogram() == expected.staleness);
  CHECK(totals.updates_applied == 60);
  CHECK(*totals.staleness_max >= 1);  // with N >= 2 workers, updates do go stale
  CHECK(*totals.staleness_max <= 2 * (workers - 1));
}

TEST_CASE("ps_ssp with staleness bound 0 is ps_sync, bit for bit and nanosecond for nanosecond") {
  Setup setup;
  setup.workers = GENERATE(1, 3, 4);
  setup.straggler = {sim::Distribution::Kind::uniform, 1.0, 3.0};
  setup.stop = {0, 0.0, 30, 0.0};
  setup.eval = {1, 0};
  World sync(setup, sync_ps());
  World ssp(setup, ssp_ps(0));
  sync.run();
  ssp.run();
  const float diff = max_difference(ssp.params(), sync.params());
  INFO("workers " << setup.workers << ", largest parameter difference " << diff);
  CHECK(diff == 0.0f);
  const auto& a = sync.monitor->rows();
  const auto& b = ssp.monitor->rows();
  REQUIRE(a.size() == b.size());
  for (std::size_t r = 0; r < a.size(); ++r) {
    INFO("row " << r);
    CHECK(a[r].time == b[r].time);
    CHECK(a[r].step == b[r].step);
    CHECK(a[r].samples == b[r].samples);
    CHECK(a[r].bytes_sent == b[r].bytes_sent);
  }
  CHECK(ssp.monitor->totals().staleness_max == 0);
  CHECK(ssp.sim.events_processed() == sync.sim.events_processed());
}

TEST_CASE("with one worker, ps_sync, ps_async and ps_ssp are the same algorithm") {
  Setup setup;
  setup.workers = 1;
  setup.straggler = {sim::Distribution::Kind::uniform, 1.0, 2.0};
  setup.stop = {0, 0.0, 25, 0.0};
  setup.eval = {1, 0};
  World sync(setup, sync_ps());
  sync.run();
  SECTION("ps_async") {
    World other(setup, async_ps());
    other.run();
    CHECK(max_difference(other.params(), sync.params()) == 0.0f);
    CHECK(other.monitor->totals().time == sync.monitor->totals().time);
  }
  SECTION("ps_ssp with a large bound") {
    World other(setup, ssp_ps(1000));
    other.run();
    CHECK(max_difference(other.params(), sync.params()) == 0.0f);
    CHECK(other.monitor->totals().time == sync.monitor->totals().time);
  }
}

TEST_CASE(
    "ps_ssp with a bound larger than the run is ps_async, bit for bit and nanosecond for "
    "nanosecond") {
  Setup setup;
  setup.workers = GENERATE(2, 3, 4);
  setup.straggler = {sim::Distribution::Kind::uniform, 1.0, 3.0};
  setup.stop = {0, 0.0, 60, 0.0};
  setup.eval = {1, 0};
  World async(setup, async_ps());
  World ssp(setup, ssp_ps(1'000'000));
  async.run();
  ssp.run();
  const float diff = max_difference(ssp.params(), async.params());
  INFO("workers " << setup.workers << ", largest parameter difference " << diff);
  CHECK(diff == 0.0f);
  CHECK(ssp.ps->applied_log() == async.ps->applied_log());
  const auto& a = async.monitor->rows();
  const auto& b = ssp.monitor->rows();
  REQUIRE(a.size() == b.size());
  for (std::size_t r = 0; r < a.size(); ++r) {
    INFO("row " << r);
    CHECK(a[r].time == b[r].time);
    CHECK(a[r].step == b[r].step);
    CHECK(a[r].samples == b[r].samples);
    CHECK(a[r].bytes_sent == b[r].bytes_sent);
    CHECK(a[r].train_loss == b[r].train_loss);
    CHECK(a[r].test_accuracy == b[r].test_accuracy);
  }
  CHECK(ssp.monitor->staleness_histogram() == async.monitor->staleness_histogram());
  CHECK(*ssp.monitor->totals().staleness_max >= 1);  // the workers did run apart
  CHECK(ssp.sim.events_processed() == async.sim.events_processed());
}

TEST_CASE("ps_ssp applies gradients as they arrive and blocks only a worker s clocks ahead") {
  const int bound = GENERATE(1, 2, 4);
  Setup setup;
  setup.workers = 4;
  setup.slowdown = {1.0, 1.0, 1.0, 400.0};  // worker3 computes 400x slower
  setup.batch = 32;                         // so compute, not latency, sets the pace
  setup.stop = {0, 0.0, 60, 0.0};
  World world(setup, ssp_ps(bound));
  world.run();
  const auto& totals = world.monitor->totals();
  INFO("bound " << bound);
  REQUIRE(totals.steps == 60);
  CHECK(totals.updates_dropped == 0);
  // The fast workers run ahead as far as the bound allows, and no further.
  const auto& log = world.ps->applied_log();
  CHECK(max_clock_gap(log, 4) == bound + 1);
  // Each fast worker's first s gradients are applied alone, as they arrive
  // (one version each). From then on it sits at the bound: each of its
  // gradients waits for the straggler's next one and goes in with it, one
  // version of 4 gradients per straggler gradient.
  const auto straggler = std::count(log.begin(), log.end(), 3);
  CHECK(totals.steps - straggler == 3 * bound);
  CHECK(totals.updates_applied - totals.steps == 3 * straggler);
}

TEST_CASE("ps_ssp with an unbounded staleness never makes a fast worker wait for a straggler") {
  Setup setup;
  setup.workers = 3;
  setup.slowdown = {1.0, 1.0, 1000.0};  // worker2 computes 1000x slower
  setup.batch = 32;
  setup.stop = {0, 0.0, 5, 0.0};
  World bounded(setup, ssp_ps(0));
  World unbounded(setup, ssp_ps(1'000'000));
  bounded.run();
  unbounded.run();
  // A fast round trip (two flows, compute, update) is about 25 us, the
  // straggler's compute about 1.5 ms: with s = 0 each fast worker pushes one
  // gradient per straggler gradient; unbounded, every gradient is a version
  // and the 5 versions are the fast workers' first ones.
  CHECK(bounded.ps->gradients_pushed() <= 3 * 6);
  CHECK(*bounded.monitor->totals().staleness_max == 0);
  CHECK(unbounded.monitor->totals().time * 50 < bounded.monitor->totals().time);
  const auto& log = unbounded.ps->applied_log();
  CHECK(std::count(log.begin(), log.end(), 2) == 0);
}

TEST_CASE("k parameter shards compute exactly what one server computes") {
  const int shards = GENERATE(2, 3, 4);
  Setup setup;
  setup.workers = 4;
  setup.straggler = {sim::Distribution::Kind::uniform, 1.0, 1.5};
  setup.stop = {0, 0.0, 30, 0.0};
  Setup sharded = setup;
  sharded.servers = shards;
  SECTION("ps_sync") {
    World one(setup, sync_ps()), many(sharded, sync_ps());
    one.run();
    many.run();
    const float diff = max_difference(many.params(), one.params());
    INFO(shards << " shards, largest parameter difference " << diff);
    CHECK(diff == 0.0f);
  }
  SECTION("ps_ssp, bound 0") {
    World one(setup, ssp_ps(0)), many(sharded, ssp_ps(0));
    one.run();
    many.run();
    const float diff = max_difference(many.params(), one.params());
    INFO(shards << " shards, largest parameter difference " << diff);
    CHECK(diff == 0.0f);
  }
  SECTION("ps_ssp, bound 2: timing-dependent, but within the bound") {
    // Sharding changes the transfer times, so which stale version a worker
    // reads changes too; only the bound is common to both.
    World many(sharded, ssp_ps(2));
    many.run();
    CHECK(max_clock_gap(many.ps->applied_log(), 4) <= 3);
    CHECK(many.monitor->totals().steps == 30);
  }
  SECTION("ps_async: the oracle replay of shard 0's order") {
    World many(sharded, async_ps());
    many.run();
    // On a star every shard sees the same arrival order, so the shards hold
    // slices of one ASP model.
    const AsyncReplay expected =
        replay_async(many, setup.workers, setup.batch, many.ps->applied_log());
    const float diff = max_difference(many.params(), expected.params);
    INFO(shards << " shards, largest parameter difference " << diff);
    CHECK(diff == 0.0f);
  }
}

TEST_CASE("a sharded ps_sync step on a star puts 1/k of the bytes on each server link") {
  const int shards = GENERATE(1, 2, 4);  // 404 parameters: equal slices
  Setup setup;
  setup.servers = shards;
  setup.workers = 4;
  setup.batch = 16;
  setup.stop = {0, 0.0, 3, 0.0};
  setup.eval = {1, 0};
  World world(setup, sync_ps());
  world.run();

  const ml::Mlp model(world.spec);
  REQUIRE(model.num_parameters() % shards == 0);
  const std::int64_t slice = model.num_parameters() / shards;
  const double slice_bytes = static_cast<double>(slice) * sizeof(float);
  // Each server link carries N flows of one slice (B / N each, as N >= k);
  // each worker link carries k flows of 1/k of the model.
  const sim::Time transfer = sim::from_seconds(4 * slice_bytes / kBandwidth) + 2 * kLatency;
  const sim::Time compute =
      sim::from_seconds(model.train_flops_per_sample() * setup.batch / kWorkerFlops);
  const sim::Time update =
      sim::from_seconds(algo::ParameterServer::update_flops(slice, 4) / kServerFlops);
  const sim::Time step = transfer + compute + transfer + update;

  const auto& rows = world.monitor->rows();
  REQUIRE(rows.size() == 4);
  for (int v = 0; v <= 3; ++v) {
    INFO(shards << " shards, version " << v);
    CHECK(rows[static_cast<std::size_t>(v)].time == v * step);
  }
  // The workers pushed 3 gradients of P floats each, 1/k of it to each
  // server; each server sent its slice to the 4 workers after versions 0, 1
  // and 2, and after version 3 too if it was not the last shard to reach it.
  double worker_bytes = 0.0;
  for (int i = 0; i < 4; ++i) {
    worker_bytes +=
        world.net->bytes_sent(world.ctx.nodes[static_cast<std::size_t>(shards + i)].host);
  }
  CHECK(worker_bytes == Approx(3 * 4 * slice_bytes * shards));
  for (int j = 0; j < shards; ++j) {
    const double sent = world.net->bytes_sent(world.ctx.nodes[static_cast<std::size_t>(j)].host);
    INFO("server " << j << " sent " << sent);
    CHECK((sent == Approx(3 * 4 * slice_bytes) || sent == Approx(4 * 4 * slice_bytes)));
  }
}

TEST_CASE("with a backup worker, ps_sync drops the straggler and stops waiting for it") {
  Setup setup;
  setup.workers = 4;
  setup.batch = 16;
  setup.slowdown = {1.0, 1.0, 1.0, 100.0};  // worker3 is 100x slower
  setup.stop = {0, 0.0, 40, 0.0};
  setup.eval = {1, 0};
  World world(setup, sync_ps(1));
  world.run();
  const auto& totals = world.monitor->totals();
  REQUIRE(totals.steps == 40);

  SECTION("the straggler's gradients are the ones dropped, and counts add up") {
    for (int worker : world.ps->applied_log()) CHECK(worker != 3);
    CHECK(totals.updates_applied == 3 * 40);
    CHECK(totals.updates_dropped >= 1);
    CHECK(totals.staleness_max == 0);
    CHECK(totals.updates_applied + totals.updates_dropped == world.ps->gradients_received());
    // What was pushed but not yet received when the run stopped is in flight.
    CHECK(world.ps->gradients_pushed() - world.ps->gradients_received() >= 0);
    CHECK(world.ps->gradients_pushed() - world.ps->gradients_received() <= 4);
  }
  SECTION("the first step ends at the alpha-beta time of the three fast workers") {
    const ml::Mlp model(world.spec);
    const double bytes = static_cast<double>(model.num_parameters()) * sizeof(float);
    const sim::Time broadcast = sim::from_seconds(4 * bytes / kBandwidth) + 2 * kLatency;
    const sim::Time compute =
        sim::from_seconds(model.train_flops_per_sample() * setup.batch / kWorkerFlops);
    const sim::Time gather = sim::from_seconds(3 * bytes / kBandwidth) + 2 * kLatency;
    const sim::Time update = sim::from_seconds(
        algo::ParameterServer::update_flops(model.num_parameters(), 3) / kServerFlops);
    REQUIRE(world.monitor->rows().size() > 1);
    CHECK(world.monitor->rows()[1].time == broadcast + compute + gather + update);
    // Without the backup, the step would wait for the straggler's compute.
    CHECK(world.monitor->rows()[1].time < broadcast + 100 * compute);
  }
}

namespace {

// Identity values, but half the bytes on the wire: a stand-in for a real
// compressor, to see that the wire size comes from the encoding.
class HalfBytes final : public algo::Compressor {
 public:
  explicit HalfBytes(int* encodes) : encodes_(encodes) {}
  std::string_view name() const override { return "half_bytes"; }
  algo::Encoded encode(ml::Vector v) override {
    ++*encodes_;
    const double bytes = wire_bytes(v.size());
    return algo::Encoded{std::move(v), bytes};
  }
  double wire_bytes(std::int64_t elements) const override {
    return static_cast<double>(elements) * sizeof(float) / 2.0;
  }

 private:
  int* encodes_;
};

// The weighted mean at a made-up cost of 5 FLOPs per element per gradient.
class CostlyMean final : public algo::Aggregator {
 public:
  explicit CostlyMean(int* calls) : calls_(calls) {}
  std::string_view name() const override { return "costly_mean"; }
  void aggregate(const algo::RunContext& ctx, std::span<const algo::Contribution> contributions,
                 ml::Vector& out) override {
    ++*calls_;
    mean_.aggregate(ctx, contributions, out);
  }
  double flops(std::int64_t parameters, int count) const override {
    return 5.0 * static_cast<double>(count) * static_cast<double>(parameters);
  }

 private:
  int* calls_;
  algo::WeightedMean mean_;
};

}  // namespace

TEST_CASE("a worker's pushes are sized by its compressor, an update costs its aggregator's FLOPs") {
  int compressors = 0;
  int encodes = 0;
  int aggregators = 0;
  int aggregations = 0;
  const Factory make = [&](const algo::PsConfig& base) {
    algo::PsSyncConfig config;
    static_cast<algo::PsConfig&>(config) = base;
    config.compressor = [&] {
      ++compressors;
      return std::unique_ptr<algo::Compressor>(new HalfBytes(&encodes));
    };
    config.aggregator = [&] {
      ++aggregators;
      return std::unique_ptr<algo::Aggregator>(new CostlyMean(&aggregations));
    };
    return std::make_unique<algo::PsSync>(config);
  };
  Setup setup;
  setup.workers = 4;
  setup.batch = 16;
  setup.stop = {0, 0.0, 3, 0.0};
  setup.eval = {1, 0};
  World world(setup, make);
  world.run();
  World plain(setup, sync_ps());
  plain.run();

  SECTION("one compressor per worker, one aggregator per server, used at every step") {
    CHECK(compressors == 4);
    CHECK(aggregators == 1);
    CHECK(encodes >= 3 * 4);
    CHECK(aggregations == 3);
    // The values are the identity's: the same model as without plug-ins.
    CHECK(max_difference(world.params(), plain.params()) == 0.0f);
  }
  SECTION("the push flows carry the encoding's bytes and the update takes its FLOPs") {
    const ml::Mlp model(world.spec);
    const auto p = model.num_parameters();
    const double bytes = static_cast<double>(p) * sizeof(float);
    const sim::Time broadcast = sim::from_seconds(4 * bytes / kBandwidth) + 2 * kLatency;
    const sim::Time compute =
        sim::from_seconds(model.train_flops_per_sample() * setup.batch / kWorkerFlops);
    const sim::Time gather = sim::from_seconds(4 * (bytes / 2) / kBandwidth) + 2 * kLatency;
    const sim::Time update = sim::from_seconds(
        (5.0 * 4 * static_cast<double>(p) + 2.0 * static_cast<double>(p)) / kServerFlops);
    const auto& rows = world.monitor->rows();
    REQUIRE(rows.size() == 4);
    CHECK(rows[1].time == broadcast + compute + gather + update);
    double worker_bytes = 0.0;
    for (int i = 0; i < 4; ++i) {
      worker_bytes += world.net->bytes_sent(world.ctx.nodes[static_cast<std::size_t>(1 + i)].host);
    }
    CHECK(worker_bytes == Approx(3 * 4 * bytes / 2));
  }
}

TEST_CASE("parameter servers reject bad configurations") {
  algo::PsConfig base;
  base.server = 0;
  base.workers = {1, 2};
  SECTION("backup workers must leave at least one gradient per step") {
    algo::PsSyncConfig config;
    static_cast<algo::PsConfig&>(config) = base;
    config.backup_workers = 2;
    CHECK_THROWS_AS(algo::PsSync(config), std::invalid_argument);
    config.backup_workers = -1;
    CHECK_THROWS_AS(algo::PsSync(config), std::invalid_argument);
  }
  SECTION("backup workers need a single server") {
    algo::PsSyncConfig config;
    static_cast<algo::PsConfig&>(config) = base;
    config.servers = {0, 3};
    config.backup_workers = 1;
    CHECK_THROWS_AS(algo::PsSync(config), std::invalid_argument);
  }
  SECTION("a negative staleness bound") {
    algo::PsSspConfig config;
    static_cast<algo::PsConfig&>(config) = base;
    config.staleness_bound = -1;
    CHECK_THROWS_AS(algo::PsSsp(config), std::invalid_argument);
  }
  SECTION("a shard server that is also a worker") {
    base.servers = {0, 2};
    CHECK_THROWS_AS(algo::PsAsync(base), std::invalid_argument);
  }
  SECTION("a server listed twice") {
    base.servers = {0, 0};
    CHECK_THROWS_AS(algo::PsAsync(base), std::invalid_argument);
  }
}

TEST_CASE("parameters split into k contiguous ranges, as equal as possible") {
  SECTION("10 into 3") {
    const auto r = algo::shard_ranges(10, 3);
    REQUIRE(r.size() == 3);
    CHECK(r[0].offset == 0);
    CHECK(r[0].size == 4);
    CHECK(r[1].offset == 4);
    CHECK(r[1].size == 3);
    CHECK(r[2].offset == 7);
    CHECK(r[2].size == 3);
  }
  SECTION("one shard holds everything") {
    const auto r = algo::shard_ranges(404, 1);
    REQUIRE(r.size() == 1);
    CHECK(r[0].size == 404);
  }
  SECTION("more shards than parameters, or none") {
    CHECK_THROWS_AS(algo::shard_ranges(3, 4), std::invalid_argument);
    CHECK_THROWS_AS(algo::shard_ranges(3, 0), std::invalid_argument);
  }
}
