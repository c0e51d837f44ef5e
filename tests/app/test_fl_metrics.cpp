// Federated metrics: rounds.csv and clients.csv against hand-computed rows
// and the summary's independent totals, and the client-accuracy percentiles
// against a hand-sorted example and the training set's accuracy.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>

#include "algorithms/ml/mlp.h"
#include "app/scenario_loader.h"
#include "run/fl_outputs.h"
#include "run/outputs.h"
#include "run/run.h"
#include "run/summary_columns.h"
#include "run/world.h"
#include "scenario_text.h"

namespace {

// 3 clients, every client every round, no deadline, no drops: each round
// sends the model down to 3 clients and 3 models up. The MLP 4-8-3 has
// 4*8 + 8 + 8*3 + 3 = 67 float parameters: 268 bytes a message.
const std::string kThree = R"yaml(name: three
seed: 5
cluster:
  server: {count: 1, flops: 10GFLOPS}
  client: {count: 3, flops: 5GFLOPS}
topology: {kind: star, bandwidth: 1Gbps, latency: 10us}
data: {dataset: synthetic, samples: 90, features: 4, classes: 3, partition: iid}
model: {layers: [4, 8, 3]}
algorithm: {kind: fedavg, local_epochs: 1, batch_size: 10}
eval: {every_steps: 1}
stop: {steps: 3}
)yaml";

// Six clients, three a round, half of them offline, a deadline: drops.
const std::string kDrops = R"yaml(name: drops
seed: 3
cluster:
  server: {count: 1, flops: 10GFLOPS}
  client: {count: 6, flops: 5GFLOPS}
topology: {kind: star, bandwidth: 1Gbps, latency: 10us}
data: {dataset: synthetic, samples: 300, features: 4, classes: 3, partition: dirichlet, alpha: 0.3}
model: {layers: [4, 8, 3]}
algorithm: {kind: fedavg, clients_per_round: 3, local_epochs: 2, batch_size: 8, deadline: 5ms,
            availability: 0.5}
stop: {steps: 12}
)yaml";

using scenario_text::csv_rows;
using scenario_text::replace;

std::int64_t dropped(const syncsim::RunResult& run, const std::string& reason) {
  const auto it = run.totals.dropped_by_reason.find(reason);
  return it == run.totals.dropped_by_reason.end() ? 0 : it->second;
}

}  // namespace

TEST_CASE("rounds.csv of a fixed three-client fedavg run is the hand-computed rows") {
  const app::Scenario s = app::load_scenario_string(kThree, "s.yaml");
  const app::ScenarioResult result = syncsim::run(s);
  const syncsim::RunResult& run = result.runs.at(0);
  REQUIRE(run.fl);
  const auto rows = csv_rows(syncsim::rounds_csv(result));
  REQUIRE(rows.size() == 4);
  CHECK(rows[0][0] == "algorithm");
  CHECK(rows[0][15] == "bytes_up");
  // Round r ends when version r + 1 is published: metrics.csv's row at step r + 1.
  std::string previous_end = "0";
  for (int r = 0; r < 3; ++r) {
    const auto& row = rows[static_cast<std::size_t>(r + 1)];
    CAPTURE(r);
    CHECK(row[0] == "fedavg");
    CHECK(row[1] == std::to_string(r));
    CHECK(row[2] == previous_end);  // rounds run back to back from time 0
    CHECK(row[3] == syncsim::format_seconds(run.rows.at(static_cast<std::size_t>(r + 1)).time));
    const auto& fl = run.fl->rounds[static_cast<std::size_t>(r)];
    CHECK(row[4] == syncsim::format_seconds(fl.end - fl.start));
    CHECK(row[5] == row[2]);  // no modelled clocks: the server's clock is true time
    CHECK(row[6] == row[3]);
    const std::vector<std::string> counts(row.begin() + 7, row.end());
    CHECK(counts == std::vector<std::string>{"3", "3", "0", "0", "0", "0", "0", "804", "804"});
    previous_end = row[3];
  }
  const auto clients = csv_rows(syncsim::clients_csv(result));
  REQUIRE(clients.size() == 4);
  CHECK(clients[0] == std::vector<std::string>{"algorithm", "node", "rounds_selected",
                                               "rounds_reported", "bytes_down", "bytes_up",
                                               "accuracy"});
  for (int k = 0; k < 3; ++k) {
    const auto& row = clients[static_cast<std::size_t>(k + 1)];
    CHECK(row[1] == "client" + std::to_string(k));
    CHECK(std::vector<std::string>(row.begin() + 2, row.end() - 1) ==
          std::vector<std::string>{"3", "3", "804", "804"});  // 3 rounds x 268 bytes each way
  }
  // Every byte of the run is a model going down or up.
  CHECK(run.totals.bytes_sent == 3 * 804 * 2);
}

TEST_CASE("rounds.csv and clients.csv sum to the summary's totals when clients drop out") {
  std::string yaml = kDrops;
  SECTION("offline and late") {}
  SECTION("one client a round") {
    yaml = replace(yaml, "clients_per_round: 3", "clients_per_round: 1");
  }
  const app::Scenario s = app::load_scenario_string(yaml, "s.yaml");
  const app::ScenarioResult result = syncsim::run(s);
  const syncsim::RunResult& run = result.runs.at(0);
  REQUIRE(run.fl);
  std::int64_t reported = 0, late = 0, offline = 0, crashed = 0, unreachable = 0, lost = 0;
  std::int64_t selected = 0;
  double bytes = 0.0;
  for (const algo::FlRoundRow& r : run.fl->rounds) {
    selected += r.selected;
    reported += r.reported;
    late += r.late;
    offline += r.offline;
    crashed += r.crashed;
    unreachable += r.unreachable;
    lost += r.lost;
    bytes += r.bytes_down + r.bytes_up;
    CHECK(r.selected == r.reported + r.late + r.offline + r.crashed + r.unreachable + r.lost);
  }
  CHECK(static_cast<std::int64_t>(run.fl->rounds.size()) == run.totals.steps);
  CHECK(selected == run.totals.updates_produced);
  CHECK(reported == run.totals.updates_applied);
  CHECK(late == dropped(run, "late"));
  CHECK(offline == dropped(run, "offline"));
  CHECK(crashed == dropped(run, "crashed"));
  CHECK(unreachable == dropped(run, "unreachable"));
  CHECK(lost == run.totals.updates_lost);
  CHECK(late + offline > 0);  // the case this checks is not vacuous
  CHECK(bytes == run.totals.bytes_sent);

  std::int64_t client_selected = 0, client_reported = 0;
  double client_bytes = 0.0;
  for (const algo::FlClientRow& c : run.fl->clients) {
    client_selected += c.selected;
    client_reported += c.reported;
    client_bytes += c.bytes_down + c.bytes_up;
    if (c.selected == 0) {
      CHECK(c.reported == 0);
      CHECK(c.bytes_down == 0.0);
      CHECK(c.bytes_up == 0.0);
    }
  }
  CHECK(client_selected == selected);
  CHECK(client_reported == reported);
  CHECK(client_bytes == run.totals.bytes_sent);
  // The same run again: the same bytes.
  CHECK(syncsim::rounds_csv(syncsim::run(s)) == syncsim::rounds_csv(result));
}

TEST_CASE("a client never selected has 0 rounds and 0 bytes") {
  // 6 clients, 1 a round, 2 rounds: at least 4 clients are never selected.
  std::string yaml = replace(kDrops, "clients_per_round: 3", "clients_per_round: 1");
  yaml = replace(yaml, "deadline: 5ms,\n            availability: 0.5", "deadline: 1s");
  yaml = replace(yaml, "steps: 12", "steps: 2");
  const app::ScenarioResult result = syncsim::run(app::load_scenario_string(yaml, "s.yaml"));
  const auto rows = csv_rows(syncsim::clients_csv(result));
  REQUIRE(rows.size() == 7);
  int never = 0;
  for (std::size_t k = 1; k < rows.size(); ++k) {
    if (rows[k][2] != "0") continue;
    ++never;
    CHECK(std::vector<std::string>(rows[k].begin() + 3, rows[k].end() - 1) ==
          std::vector<std::string>{"0", "0", "0"});
  }
  CHECK(never >= 4);
}

TEST_CASE("nearest-rank percentiles, by hand") {
  using syncsim::nearest_rank_percentile;
  // Sorted: 0.1 0.3 0.5 0.9; ranks ceil(0.4) = 1, ceil(2) = 2, ceil(3.6) = 4.
  const std::vector<double> four = {0.5, 0.1, 0.9, 0.3};
  CHECK(nearest_rank_percentile(four, 10) == 0.1);
  CHECK(nearest_rank_percentile(four, 50) == 0.3);
  CHECK(nearest_rank_percentile(four, 90) == 0.9);
  CHECK(nearest_rank_percentile(four, 0) == 0.1);
  CHECK(nearest_rank_percentile(four, 100) == 0.9);
  // 1..10: ranks 1, 5, 9.
  const std::vector<double> ten = {10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
  CHECK(nearest_rank_percentile(ten, 10) == 1.0);
  CHECK(nearest_rank_percentile(ten, 50) == 5.0);
  CHECK(nearest_rank_percentile(ten, 90) == 9.0);
  CHECK(nearest_rank_percentile({0.7}, 90) == 0.7);
  CHECK_FALSE(nearest_rank_percentile({}, 50).has_value());
}

TEST_CASE("client accuracies agree with the final model on the training set") {
  const app::Scenario s = app::load_scenario_string(kThree, "s.yaml");
  const app::ScenarioResult result = syncsim::run(s);
  const syncsim::RunResult& run = result.runs.at(0);
  REQUIRE(run.fl);
  // IID shards cover the training set: the clients' correct counts add up
  // to the final model's correct count on the whole of it.
  const syncsim::Datasets data = syncsim::load_datasets(s);
  ml::Mlp model(s.model);
  model.parameters() = run.final_parameters;
  const double train_accuracy = model.evaluate(data.train).accuracy;
  double correct = 0.0;
  std::vector<double> accuracies;
  for (std::size_t k = 0; k < run.fl->clients.size(); ++k) {
    REQUIRE(run.fl->clients[k].accuracy);
    accuracies.push_back(*run.fl->clients[k].accuracy);
    correct +=
        std::round(*run.fl->clients[k].accuracy * static_cast<double>(run.partition.at(k).samples));
  }
  CHECK(correct == std::round(train_accuracy * static_cast<double>(data.train.size())));
  // The summary's columns are those percentiles; empty for a non-federated run.
  const syncsim::SummaryTable table = syncsim::summary_table(result);
  const auto cell = [&](const std::string& name) {
    for (std::size_t i = 0; i < table.columns.size(); ++i) {
      if (table.columns[i] == name) return table.rows.at(0)[i];
    }
    FAIL("no column " << name);
    return std::string();
  };
  std::sort(accuracies.begin(), accuracies.end());  // 3 clients: ranks 1, 2, 3
  CHECK(cell("client_accuracy_p10") == syncsim::format_number(accuracies[0]));
  CHECK(cell("client_accuracy_p50") == syncsim::format_number(accuracies[1]));
  CHECK(cell("client_accuracy_p90") == syncsim::format_number(accuracies[2]));

  const std::string allreduce =
      replace(kThree, "algorithm: {kind: fedavg, local_epochs: 1, batch_size: 10}",
              "algorithm: {kind: allreduce_ring, workers: [client], batch_size: 10}");
  const app::ScenarioResult other = syncsim::run(app::load_scenario_string(allreduce, "s.yaml"));
  CHECK_FALSE(other.runs.at(0).fl);
  CHECK_FALSE(syncsim::has_fl_metrics(other));
  const syncsim::SummaryTable plain = syncsim::summary_table(other);
  for (std::size_t i = 0; i < plain.columns.size(); ++i) {
    if (plain.columns[i].rfind("client_accuracy_", 0) == 0) CHECK(plain.rows.at(0)[i].empty());
  }
}
