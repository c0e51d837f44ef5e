// hierfl's client sampling against oracles:
//  - sampling every client (K = N, uniform or oort) is the run without
//    sampling, bit for bit (no draw is made);
//  - with K < N the cloud's draws are a partial Fisher-Yates shuffle on the
//    stream (seed, cloud, "hierfl-sampling"), replayed here: each client's
//    invitations in clients.csv are edge_rounds x the rounds it was drawn
//    for; with over-selection o the edges keep K per edge round in all,
//    shared by largest remainder;
//  - rounds.csv sums to the run's totals: reported to updates_applied, bytes
//    to bytes_sent (a run stopped by cloud rounds, no faults).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <memory>
#include <numeric>

#include "algorithms/runtime/client_selection.h"
#include "algorithms/sync/hierfl.h"
#include "fedavg_world.h"

using namespace fedavg_world;

namespace {

// Node 0 the cloud, nodes 1 ... edges the edge aggregators, the rest clients.
algo::HierFlConfig tiered(int edges, int clients, int edge_rounds) {
  algo::HierFlConfig config;
  for (int i = 1; i <= edges; ++i) config.edges.push_back(i);
  for (int i = edges + 1; i <= edges + clients; ++i) config.clients.push_back(i);
  config.local_epochs = 1;
  config.edge_rounds = edge_rounds;
  config.batch_size = 16;
  return config;
}

struct Outcome {
  ml::Vector params;
  algo::RunTotals totals;
  sim::Time end = 0;
  algo::FlMetrics metrics;
};

Outcome run_hierfl(const WorldOptions& options, const algo::HierFlConfig& config) {
  World world(options);
  const algo::HierFl& hierfl = world.launch(std::make_unique<algo::HierFl>(config));
  world.run();
  return {hierfl.global_parameters(), world.monitor->totals(), world.sim.now(),
          *hierfl.fl_metrics()};
}

}  // namespace

TEST_CASE("hierfl sampling every client is the run without sampling, bit for bit") {
  WorldOptions options;
  options.clients = 8;  // 2 edges, 6 clients
  options.partition.kind = ml::PartitionKind::dirichlet;
  options.partition.alpha = 0.5;
  options.stop = {0, 0.0, 3, 0.0};
  const algo::HierFlConfig plain = tiered(2, 6, 2);
  const Outcome expected = run_hierfl(options, plain);
  algo::HierFlConfig all = plain;
  all.clients_per_round = 6;
  SECTION("uniform") {}
  SECTION("oort") { all.devices.selection = algo::SelectionPolicy::oort; }
  const Outcome got = run_hierfl(options, all);
  REQUIRE(got.params.size() == expected.params.size());
  CHECK(std::memcmp(got.params.data(), expected.params.data(),
                    static_cast<std::size_t>(got.params.size()) * 4) == 0);
  CHECK(got.end == expected.end);
  CHECK(got.totals.bytes_sent == expected.totals.bytes_sent);
  CHECK(got.totals.updates_applied == expected.totals.updates_applied);
}

TEST_CASE("hierfl's edges share the K kept uploads by largest remainder") {
  const auto lists = [](std::vector<int> sizes) {
    std::vector<std::vector<int>> members;
    for (int s : sizes) members.emplace_back(static_cast<std::size_t>(s), 0);
    return members;
  };
  // 10 sampled, 8 wanted: 8 x (1, 2, 3, 4) / 10 = 0.8, 1.6, 2.4, 3.2.
  CHECK(algo::HierFl::apportion(lists({1, 2, 3, 4}), 8) == std::vector<int>{1, 2, 2, 3});
  // 2 x (2, 2, 2) / 6 = 0.67 each: the equal remainders go to the lower edges.
  CHECK(algo::HierFl::apportion(lists({2, 2, 2}), 2) == std::vector<int>{1, 1, 0});
  CHECK(algo::HierFl::apportion(lists({2, 0, 3}), 5) == std::vector<int>{2, 0, 3});
  CHECK(algo::HierFl::apportion(lists({2, 0, 3}), 9) == std::vector<int>{2, 0, 3});  // K > M
}

TEST_CASE("hierfl's cloud samples K clients per cloud round from its own stream") {
  const int edges = 3, n = 9, edge_rounds = 2, rounds = 5;
  WorldOptions options;
  options.clients = edges + n;
  options.stop = {0, 0.0, rounds, 0.0};
  algo::HierFlConfig config = tiered(edges, n, edge_rounds);
  config.clients_per_round = 3;
  const double o = GENERATE(0.0, 0.5);
  CAPTURE(o);
  config.devices.over_selection = o;
  const Outcome got = run_hierfl(options, config);

  // The oracle: the same draws, replayed.
  const int m = algo::over_selected(3, o, n);  // 3 or ceil(4.5) = 5
  sim::RandomStream stream(options.seed, "server", "hierfl-sampling");
  std::vector<std::int64_t> invited(n, 0);
  std::vector<std::int64_t> keep_per_round, asked_per_round;
  std::vector<int> edges_used;
  for (int r = 0; r < rounds; ++r) {
    std::vector<int> everyone(n);
    std::iota(everyone.begin(), everyone.end(), 0);
    const std::vector<int> drawn = algo::ClientSelector::uniform(everyone, m, stream);
    std::vector<std::vector<int>> at_edge(edges);
    for (int c : drawn) {
      at_edge[static_cast<std::size_t>(algo::HierFl::edge_of(c, edges, n))].push_back(c);
    }
    const std::vector<int> keep = algo::HierFl::apportion(at_edge, 3);
    int used = 0;
    std::int64_t asked = 0;
    for (std::size_t i = 0; i < at_edge.size(); ++i) {
      if (keep[i] == 0) continue;  // sits out
      ++used;
      asked += static_cast<std::int64_t>(at_edge[i].size());
      for (int c : at_edge[i]) invited[static_cast<std::size_t>(c)] += edge_rounds;
    }
    keep_per_round.push_back(3 * edge_rounds);  // K = 3 kept per edge round, shared
    asked_per_round.push_back(asked * edge_rounds);
    edges_used.push_back(used);
  }
  REQUIRE(got.metrics.rounds.size() == static_cast<std::size_t>(rounds));
  for (int k = 0; k < n; ++k) {
    CAPTURE(k);
    CHECK(got.metrics.clients[static_cast<std::size_t>(k)].selected ==
          invited[static_cast<std::size_t>(k)]);
  }
  const double model_bytes = 4.0 * static_cast<double>(got.params.size());
  std::int64_t reported = 0;
  double bytes = 0.0;
  for (int r = 0; r < rounds; ++r) {
    const algo::FlRoundRow& row = got.metrics.rounds[static_cast<std::size_t>(r)];
    CAPTURE(r);
    CHECK(row.selected == asked_per_round[static_cast<std::size_t>(r)]);
    CHECK(row.reported == keep_per_round[static_cast<std::size_t>(r)]);
    CHECK(row.late == row.selected - row.reported);  // the over-selected ones
    // Down: the model to each edge used and to each invited client.
    CHECK(row.bytes_down == (edges_used[static_cast<std::size_t>(r)] + row.selected) * model_bytes);
    reported += row.reported;
    bytes += row.bytes_down + row.bytes_up;
  }
  CHECK(reported == got.totals.updates_applied);
  CHECK(bytes == got.totals.bytes_sent);
}
