// ps_sync with per-bucket push and pull on a layer profile, against three
// oracles:
//   * equivalence: one bucket is today's whole-model ps_sync, to the
//     nanosecond and the byte, with or without overlap and priority;
//   * a closed form: one worker on an uncontended star, a 3-layer CSV
//     profile, one bucket per layer; the step times are computed by hand
//     below from the per-layer ready times, the transfer times and the
//     forward dependency;
//   * priority: on the same case, layer_order makes layer 0's parameters
//     arrive before layer 2's and the second step end 400 us earlier, also
//     computed by hand.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "algorithms/ml/profiles/profile_csv.h"
#include "algorithms/sync/parameter_server_layers.h"
#include "algorithms/sync/ps_sync.h"
#include "sim/recorder.h"
#include "star_world.h"

namespace {

constexpr double kBandwidth = 1e9;  // bytes/s: 4 ns per float
constexpr sim::Time kLink = 5'000;  // 5 us per link: 10 us from host to host

// Three linear layers: 25,000 / 50,000 / 100,000 parameters (100, 200 and
// 400 us on the wire), forward 1e8 / 2e8 / 1e8 FLOPs per sample (100, 200,
// 100 us at 1 TFLOPS), backward twice that.
ml::LayerProfile three_layers() {
  const auto path = std::filesystem::temp_directory_path() / "syncsim_ps_layers.csv";
  std::ofstream(path) << "name,kind,parameters,forward_flops,activation_bytes\n"
                         "l0,linear,25000,1e8,4\n"
                         "l1,linear,50000,2e8,4\n"
                         "l2,linear,100000,1e8,4\n";
  return ml::read_profile_csv(path.string());
}

struct Setup {
  int workers = 1;
  int shards = 1;
  double cap = 4;  // bytes; 0: whole model
  bool overlap = true;
  bool priority = false;
  std::int64_t steps = 2;
  double worker_flops = 1e12;
  double server_flops = 1e10;  // a piece of P floats: 3P FLOPs with one worker
  sim::Distribution straggler = sim::Distribution::constant_value(1.0);
};

struct Outcome {
  algo::RunTotals totals;
  std::vector<sim::Recorder::MessageEvent> messages;
};

Outcome run(const ml::LayerProfile& profile, const Setup& s) {
  std::vector<StarWorld::Host> hosts;
  for (int j = 0; j < s.shards; ++j)
    hosts.push_back({"server" + std::to_string(j), s.server_flops});
  for (int i = 0; i < s.workers; ++i) {
    hosts.push_back({"worker" + std::to_string(i), s.worker_flops, s.straggler});
  }
  StarWorld world(hosts, {kBandwidth, kLink}, StarWorld::synthetic(256, 1),
                  StarWorld::synthetic(16, 2), StarWorld::small_mlp(), ml::make_sgd({0.1f}),
                  algo::StopCondition{0, 0.0, s.steps, 0.0}, algo::EvalSchedule{}, 7);
  world.ctx.timing_only = true;
  world.monitor->set_timing_only();
  world.ctx.profile = &profile;
  world.ctx.device.efficiency[static_cast<int>(ml::LayerKind::linear)] = 1.0;
  sim::Recorder recorder(world.sim);
  world.net->set_recorder(&recorder);
  algo::PsSyncConfig config;
  for (int j = 0; j < s.shards; ++j) config.servers.push_back(j);
  for (int i = 0; i < s.workers; ++i) config.workers.push_back(s.shards + i);
  config.batch_size = 1;
  config.bucket_cap_bytes = s.cap;
  config.overlap = s.overlap;
  config.layer_priority = s.priority;
  world.launch(std::make_unique<algo::PsSync>(config));
  world.run();
  REQUIRE(world.monitor->totals().steps == s.steps);
  return {world.monitor->totals(), recorder.messages()};
}

double us(sim::Time t) { return static_cast<double>(t) / 1e3; }

// When the worker received the parameters of `bytes` bytes (the n-th time).
double params_arrival(const Outcome& o, double bytes, int nth = 0) {
  for (const auto& m : o.messages) {
    if (m.receive && std::string(m.tag) == "params" && m.bytes == bytes && nth-- == 0) {
      return us(m.true_time);
    }
  }
  FAIL("no such params message");
  return 0;
}

}  // namespace

TEST_CASE("the piece plan splits every bucket over the shards") {
  const ml::LayerProfile p = three_layers();
  ml::DeviceModel device;
  SECTION("two shards: each bucket in halves") {
    const algo::PsLayerPlan plan = algo::plan_ps_layers(p, device, 4, 2);
    // Buckets in ready order: l2, l1, l0.
    REQUIRE(plan.pieces.size() == 6);
    CHECK(plan.pieces[0].floats == 50'000);
    CHECK(plan.pieces[0].shard == 0);
    CHECK(plan.pieces[1].shard == 1);
    CHECK(plan.pieces[1].first_layer == 2);
    CHECK(plan.pieces[4].floats == 12'500);
    CHECK(plan.pieces[5].first_layer == 0);
    CHECK(plan.bucket_of == std::vector<int>{2, 1, 0});
    CHECK(plan.closes == std::vector<int>{2, 1, 0});
    CHECK(plan.census_piece == 4);
    CHECK(plan.shard_pieces[1] == std::vector<int>{1, 3, 5});
  }
  SECTION("one bucket: the whole-model shard ranges") {
    const algo::PsLayerPlan plan = algo::plan_ps_layers(p, device, 1e9, 3);
    const std::vector<algo::ShardRange> ranges = algo::shard_ranges(p.parameters(), 3);
    REQUIRE(plan.pieces.size() == 3);
    for (std::size_t j = 0; j < 3; ++j) CHECK(plan.pieces[j].floats == ranges[j].size);
  }
}

TEST_CASE("one bucket moves exactly what whole-model ps_sync moves and when") {
  const ml::LayerProfile p = three_layers();
  Setup whole;
  whole.workers = 3;
  whole.shards = 2;
  whole.cap = 0;
  whole.steps = 4;
  whole.straggler = sim::Distribution{sim::Distribution::Kind::uniform, 1.0, 3.0};
  const Outcome expected = run(p, whole);
  for (const bool overlap : {true, false}) {
    for (const bool priority : {false, true}) {
      Setup one = whole;
      one.cap = 1e9;
      one.overlap = overlap;
      one.priority = priority;
      const Outcome got = run(p, one);
      INFO("overlap " << overlap << ", priority " << priority);
      CHECK(got.totals.time == expected.totals.time);
      CHECK(got.totals.samples == expected.totals.samples);
      CHECK(got.totals.bytes_sent == expected.totals.bytes_sent);
      CHECK(got.totals.updates_applied == expected.totals.updates_applied);
      REQUIRE(got.messages.size() == expected.messages.size());
      for (std::size_t m = 0; m < got.messages.size(); ++m) {
        CHECK(got.messages[m].true_time == expected.messages[m].true_time);
      }
    }
  }
}

// One worker, one server, 10 us between them, 1 GB/s; a message starts when
// the one before it on its stream has drained, arrives 10 us after draining.
// Drain: l0 100 us, l1 200, l2 400. Worker forward 100/200/100 us, backward
// 200/400/200; server update 3P FLOPs at 10 GFLOPS: l0 7.5 us, l1 15, l2 30.
//
// FIFO (pieces go in bucket order: l2, l1, l0):
//   step 1. Initial pulls: l2 0-400 (arrives 410), l1 400-600 (610), l0
//     600-700 (710). Forward waits for l0: 710-1110. Backward: l2 ready
//     1310, pushed 1310-1710 (arr 1720); l1 ready 1710, pushed 1710-1910
//     (1920); l0 ready 1910, pushed 1910-2010 (2020). Server: l2 1720-1750,
//     pulled 1750-2150 (2160); l1 1920-1935, pulled 2150-2350 (2360); l0
//     2020-2027.5: version 1 at 2027.5; pulled 2350-2450 (2460).
//   step 2. Forward waits for l0: 2460-2860. Backward: pushes l2 3060-3460
//     (3470), l1 3460-3660 (3670), l0 3660-3760 (3770). Server: l2 done
//     3500, l1 3685, l0 3777.5: version 2 at 3777.5.
// layer_order (the waiting piece of the lowest layer first):
//   step 1. Initial pulls: l0 0-100 (110), l1 100-300 (310), l2 300-700
//     (710). Forward: l0 110-210, waits for l1 310-510, waits for l2
//     710-810. Backward: pushes l2 1010-1410 (1420), l1 1410-1610 (1620),
//     l0 1610-1710 (1720). Server: l2 1420-1450, pulled 1450-1850 (1860);
//     l1 1620-1635, queued; l0 1720-1727.5: version 1 at 1727.5, queued.
//     At 1850 both wait: l0 goes first, 1850-1950 (1960), then l1
//     1950-2150 (2160).
//   step 2. Forward: l0 1960-2060, waits for l1 2160-2360, l2 2360-2460.
//     Backward: pushes l2 2660-3060 (3070), l1 3060-3260 (3270), l0
//     3260-3360 (3370). Server: l0 done 3377.5: version 2 at 3377.5.
TEST_CASE("one worker's layered step on a star matches the hand-computed closed form") {
  const ml::LayerProfile p = three_layers();
  constexpr double kTolerance = 0.01;  // us: a few nanoseconds of rounding
  SECTION("first in, first out") {
    Setup s;
    s.steps = 1;
    CHECK(us(run(p, s).totals.time) == Approx(2027.5).margin(kTolerance));
    s.steps = 2;
    const Outcome two = run(p, s);
    CHECK(us(two.totals.time) == Approx(3777.5).margin(kTolerance));
    CHECK(params_arrival(two, 400'000) == Approx(410).margin(kTolerance));
    CHECK(params_arrival(two, 100'000) == Approx(710).margin(kTolerance));
    CHECK(params_arrival(two, 100'000, 1) == Approx(2460).margin(kTolerance));
  }
  SECTION("layer order") {
    Setup s;
    s.priority = true;
    s.steps = 1;
    CHECK(us(run(p, s).totals.time) == Approx(1727.5).margin(kTolerance));
    s.steps = 2;
    const Outcome two = run(p, s);
    CHECK(us(two.totals.time) == Approx(3377.5).margin(kTolerance));
    // Layer 0's parameters come first, then the last layer's.
    CHECK(params_arrival(two, 100'000) == Approx(110).margin(kTolerance));
    CHECK(params_arrival(two, 400'000) == Approx(710).margin(kTolerance));
    // After step 1, l0 overtakes l1 in the server's queue.
    CHECK(params_arrival(two, 100'000, 1) == Approx(1960).margin(kTolerance));
    CHECK(params_arrival(two, 200'000, 1) == Approx(2160).margin(kTolerance));
  }
}

TEST_CASE("priority shortens the step where pulls queue behind the last layers") {
  const ml::LayerProfile p = three_layers();
  Setup fifo;
  Setup ordered;
  ordered.priority = true;
  const double plain = us(run(p, fifo).totals.time);
  const double prioritized = us(run(p, ordered).totals.time);
  // By hand (above): 3777.5 us and 3377.5 us.
  CHECK(plain - prioritized == Approx(400).margin(0.01));
}

TEST_CASE("per-layer push and pull overlaps communication with the backward pass") {
  const ml::LayerProfile p = three_layers();
  Setup overlapped;
  Setup serial;
  serial.overlap = false;
  serial.steps = 1;
  overlapped.steps = 1;
  // Without overlap, step 1's pushes wait for the backward pass's end at
  // 1910 us: l2 1910-2310 (2320), l1 2310-2510 (2520), l0 2510-2610
  // (2620); the server is done with l0 at 2627.5 us, 600 us after the
  // overlapped 2027.5.
  CHECK(us(run(p, serial).totals.time) == Approx(2627.5).margin(0.01));
  CHECK(us(run(p, overlapped).totals.time) == Approx(2027.5).margin(0.01));
}

TEST_CASE("per-bucket push and pull rejects what it cannot do") {
  algo::PsSyncConfig config;
  config.server = 0;
  config.workers = {1, 2};
  config.bucket_cap_bytes = 4;
  SECTION("backup workers") {
    config.backup_workers = 1;
    CHECK_THROWS_AS(algo::PsSync(config), std::invalid_argument);
  }
  SECTION("a timeout") {
    config.timeout = sim::kMillisecond;
    CHECK_THROWS_AS(algo::PsSync(config), std::invalid_argument);
  }
  SECTION("RPC retries") {
    config.rpc_timeout = sim::kMillisecond;
    CHECK_THROWS_AS(algo::PsSync(config), std::invalid_argument);
  }
}
