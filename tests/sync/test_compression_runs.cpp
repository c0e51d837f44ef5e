// Compression inside the algorithms, against equivalences and byte counts:
//  - top-k at 100% sends the vector itself: ps_sync ends with the dense
//    run's parameters bit for bit; the all-reduce (an all-gather summed in
//    rank order instead of the ring's order) and FedAvg (the update sent as
//    a difference from the global model) end within float rounding;
//  - QSGD with 2^31 - 1 levels ends within 1e-5 of the dense run;
//  - the bytes on the wire are the encodings' (wire_bytes), push by push;
//  - the all-gather of encodings on a star takes (N - 1)(alpha + S / B).
#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "algorithms/runtime/collectives.h"
#include "algorithms/runtime/quantizers.h"
#include "algorithms/runtime/sparsifiers.h"
#include "algorithms/sync/data_parallel.h"
#include "algorithms/sync/fedavg.h"
#include "algorithms/sync/ps_sync.h"
#include "star_world.h"

namespace {

constexpr double kBandwidth = 1.25e8;   // 1 Gb/s
constexpr sim::Time kLatency = 10'000;  // 10 us per link

std::vector<StarWorld::Host> hosts(int servers, int workers) {
  std::vector<StarWorld::Host> h;
  for (int i = 0; i < servers; ++i) h.push_back({"server" + std::to_string(i), 100e9});
  for (int i = 0; i < workers; ++i) h.push_back({"worker" + std::to_string(i), 50e9});
  return h;
}

struct World : StarWorld {
  World(int servers, int workers, int steps)
      : StarWorld(hosts(servers, workers), {kBandwidth, kLatency}, synthetic(512, 3),
                  synthetic(128, 4), small_mlp(), ml::make_sgd({0.1f, 0.9f, 0.0f, false}),
                  algo::StopCondition{0, 0.0, steps, 0.0}, algo::EvalSchedule{}, 5),
        servers(servers) {}
  std::vector<int> range(int from, int to) const {
    std::vector<int> r;
    for (int i = from; i < to; ++i) r.push_back(i);
    return r;
  }
  std::vector<int> workers() const { return range(servers, static_cast<int>(ctx.nodes.size())); }
  std::int64_t parameters() const { return ml::Mlp(spec).num_parameters(); }
  int servers;
};

algo::CompressorFactory topk(double fraction, bool feedback) {
  return [=] { return std::make_unique<algo::TopK>(algo::KeepRule{fraction, 0}, feedback); };
}
algo::CompressorFactory qsgd(std::int64_t levels) {
  return [=] { return std::make_unique<algo::Qsgd>(levels, false); };
}

struct PsRun {
  ml::Vector parameters;
  double bytes;
  std::int64_t pushes;
};

PsRun run_ps(int servers, algo::CompressorFactory compressor, int steps = 6) {
  World world(servers, 4, steps);
  algo::PsSyncConfig config;
  config.servers = world.range(0, servers);
  config.workers = world.workers();
  config.batch_size = 16;
  if (compressor) config.compressor = compressor;
  auto& ps = world.launch(std::make_unique<algo::PsSync>(config));
  world.run();
  return {ps.global_parameters(), world.net->total_bytes_sent(), ps.gradients_pushed()};
}

struct RingRun {
  ml::Vector parameters;
  bool identical = true;
  double bytes;
};

RingRun run_ring(algo::CompressorFactory compressor, int steps = 6, int workers = 4) {
  World world(0, workers, steps);
  algo::DataParallelConfig config;
  config.workers = world.workers();
  config.batch_size = 16;
  if (compressor) config.compressor = compressor;
  auto& ring = world.launch(std::make_unique<algo::DataParallel>(config));
  world.run();
  RingRun run{ring.global_parameters(), true, world.net->total_bytes_sent()};
  for (int w = 1; w < workers; ++w) run.identical &= ring.replica(w) == ring.replica(0);
  return run;
}

ml::Vector run_fedavg(algo::CompressorFactory compressor, double* bytes = nullptr) {
  World world(1, 4, 3);
  algo::FedAvgConfig config;
  config.server = 0;
  config.clients = world.workers();
  config.batch_size = 16;
  if (compressor) config.compressor = compressor;
  auto& fedavg = world.launch(std::make_unique<algo::FedAvg>(config));
  world.run();
  if (bytes) *bytes = world.net->total_bytes_sent();
  return fedavg.global_parameters();
}

float largest_difference(const ml::Vector& a, const ml::Vector& b) {
  REQUIRE(a.size() == b.size());
  return (a - b).cwiseAbs().maxCoeff();
}

}  // namespace

TEST_CASE(
    "top-k at 100% with error feedback ends with the dense parameter server's parameters, bit for "
    "bit") {
  const int servers = GENERATE(1, 2);
  const PsRun dense = run_ps(servers, nullptr);
  const PsRun all = run_ps(servers, topk(1.0, true));
  CHECK(all.parameters == dense.parameters);
  // Not a run that stood still: the model moved from its start.
  CHECK(largest_difference(dense.parameters, run_ps(servers, nullptr, 1).parameters) > 1e-3f);
}

TEST_CASE("QSGD with 2^31 - 1 levels ends within 1e-5 of the dense run") {
  const PsRun dense = run_ps(1, nullptr);
  const PsRun fine = run_ps(1, qsgd(2147483647));
  const float diff = largest_difference(fine.parameters, dense.parameters);
  INFO("largest parameter difference " << diff);
  CHECK(diff <= 1e-5f * dense.parameters.cwiseAbs().maxCoeff());
  // And with 1 level it does not: the tolerance can fail.
  CHECK(largest_difference(run_ps(1, qsgd(1)).parameters, dense.parameters) > 1e-3f);
}

TEST_CASE("a worker's pushes weigh their encoding's bytes, slice by slice") {
  const int servers = GENERATE(1, 2);
  const PsRun dense = run_ps(servers, nullptr);
  const PsRun sparse = run_ps(servers, topk(0.01, false));
  REQUIRE(sparse.pushes == dense.pushes);
  World world(servers, 4, 1);
  const std::int64_t p = world.parameters();
  double saved = 0.0;  // per push, over its slices
  for (const algo::ShardRange& r : algo::shard_ranges(p, servers)) {
    saved += 4.0 * static_cast<double>(r.size) -
             algo::sparse_wire_bytes(algo::KeepRule{0.01, 0}.kept(r.size), r.size);
  }
  INFO(p << " parameters, " << dense.pushes << " pushes");
  CHECK(dense.bytes - sparse.bytes == static_cast<double>(dense.pushes) * saved);
}

TEST_CASE("the all-reduce with top-k at 100% ends within float rounding of the dense ring") {
  const RingRun dense = run_ring(nullptr);
  const RingRun all = run_ring(topk(1.0, true));
  CHECK(all.identical);
  const float diff = largest_difference(all.parameters, dense.parameters);
  INFO("largest parameter difference " << diff);
  CHECK(diff <= 1e-5f * dense.parameters.cwiseAbs().maxCoeff());
}

TEST_CASE(
    "the compressed all-reduce moves every encoding to every other worker, and nothing else") {
  const int workers = GENERATE(2, 3, 4);
  const int steps = 5;
  const RingRun sparse = run_ring(topk(0.05, true), steps, workers);
  CHECK(sparse.identical);
  World world(0, workers, 1);
  const std::int64_t p = world.parameters();
  const double block = algo::sparse_wire_bytes(algo::KeepRule{0.05, 0}.kept(p), p) + 4.0;
  CHECK(sparse.bytes == steps * workers * (workers - 1) * block);
}

TEST_CASE("fedavg uploads the update delta: top-k at 100% ends within float rounding of dense") {
  double dense_bytes = 0.0, sparse_bytes = 0.0;
  const ml::Vector dense = run_fedavg(nullptr, &dense_bytes);
  const ml::Vector all = run_fedavg(topk(1.0, true));
  const float diff = largest_difference(all, dense);
  INFO("largest parameter difference " << diff);
  CHECK(diff <= 1e-5f * dense.cwiseAbs().maxCoeff());
  SECTION("and top-k at 10% sends 3 rounds x 4 uploads of its encoding instead of 4P bytes") {
    const ml::Vector sparse = run_fedavg(topk(0.1, true), &sparse_bytes);
    World world(1, 4, 1);
    const std::int64_t p = world.parameters();
    const double wire = algo::sparse_wire_bytes(algo::KeepRule{0.1, 0}.kept(p), p);
    CHECK(dense_bytes - sparse_bytes == 12 * (4.0 * static_cast<double>(p) - wire));
    CHECK(largest_difference(sparse, dense) > 0.0f);  // lossy: another model
  }
}

TEST_CASE("an all-gather of encodings on a star takes (N - 1)(alpha + S / B)") {
  const int n = GENERATE(2, 3, 5, 8);
  const double bytes = GENERATE(1000.0, 1e6);
  std::vector<std::string> names;
  for (int r = 0; r < n; ++r) names.push_back("h" + std::to_string(r));
  const topology::Topology topo = topology::build_star(names, {kBandwidth, kLatency});
  sim::Simulator sim;
  topology::Network net(sim, topo);
  std::vector<topology::NodeId> ids;
  for (const std::string& name : names) ids.push_back(*topo.find(name));
  algo::Communicator comm(sim, net, ids);
  const std::size_t block = 10;
  std::vector<std::vector<float>> buffers(
      static_cast<std::size_t>(n), std::vector<float>(block * static_cast<std::size_t>(n), 0.0f));
  std::vector<sim::Time> done(static_cast<std::size_t>(n), -1);
  for (int r = 0; r < n; ++r) {
    auto& mine = buffers[static_cast<std::size_t>(r)];
    for (std::size_t i = 0; i < block; ++i)
      mine[static_cast<std::size_t>(r) * block + i] =
          static_cast<float>(r * 100 + static_cast<int>(i));
    sim.spawn(
        [](algo::Communicator& c, int rank, std::vector<float>& data, std::size_t b, double s,
           sim::Simulator& simulator, sim::Time& at) -> sim::Task {
          co_await algo::ring_allgather(c, rank, data, b, s);
          at = simulator.now();
        }(comm, r, mine, block, bytes, sim, done[static_cast<std::size_t>(r)]),
        names[static_cast<std::size_t>(r)]);
  }
  sim.run();
  const double alpha = sim::to_seconds(2 * kLatency);
  const double expected = (n - 1) * (alpha + bytes / kBandwidth);
  const double got = sim::to_seconds(*std::max_element(done.begin(), done.end()));
  INFO(n << " ranks, " << bytes << " bytes: " << got << " s, expected " << expected);
  CHECK(std::abs(got - expected) <= 0.01 * expected);
  for (const auto& data : buffers) {
    for (int r = 0; r < n; ++r) {
      for (std::size_t i = 0; i < block; ++i) {
        CHECK(data[static_cast<std::size_t>(r) * block + i] ==
              static_cast<float>(r * 100 + static_cast<int>(i)));
      }
    }
  }
  CHECK(net.total_bytes_sent() == n * (n - 1) * bytes);
}
