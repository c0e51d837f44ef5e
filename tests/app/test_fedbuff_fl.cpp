// fedbuff and fedasync as federated practitioners run them, from YAML:
//  - steps.csv, by hand for one client in flight, and summed to the
//    summary's totals (produced, applied, dropped by reason, lost, bytes,
//    staleness) with devices, timeouts and a crash;
//  - an availability trace: a client that goes offline while training is
//    dropped as offline when its session ends, and the slot waits for the
//    next client to come online;
//  - client_timeout refills the slot of a crashed client (the run goes on),
//    and without it the run stalls and says why;
//  - a tier of half the compute is the cluster at half the FLOP/s;
//  - Oort with no exploration keeps picking its one explored client;
//  - a holdout: clients.csv's accuracy is the final model's on the held-out
//    rows, and `holdout: 0` changes no output byte.
#include <catch2/catch.hpp>

#include <cstring>
#include <fstream>
#include <set>
#include <string>

#include "algorithms/ml/dataset.h"
#include "algorithms/ml/mlp.h"
#include "algorithms/ml/partition.h"
#include "algorithms/runtime/client_holdout.h"
#include "algorithms/runtime/training_seeds.h"
#include "app/scenario_loader.h"
#include "run/fl_outputs.h"
#include "run/outputs.h"
#include "run/run.h"
#include "run/world.h"
#include "scenario_text.h"
#include "scratch_folder.h"

namespace {

// 4 clients, equal speeds; an MLP 4-8-3: 67 float parameters, 268 bytes.
const std::string kAsync = R"yaml(name: a
seed: 5
cluster:
  server: {count: 1, flops: 10GFLOPS}
  client: {count: 4, flops: 5GFLOPS}
topology: {kind: star, bandwidth: 1Gbps, latency: 10us}
data: {dataset: synthetic, samples: 200, features: 4, classes: 3, partition: iid}
model: {layers: [4, 8, 3]}
algorithm: {kind: fedbuff, concurrency: 2, buffer_size: 2, local_epochs: 1, batch_size: 10KEYS}
stop: {steps: 6}
)yaml";

std::string with(const std::string& keys, const std::string& yaml = kAsync) {
  return scenario_text::replace(yaml, "KEYS", keys);
}

syncsim::ScenarioResult run_yaml(const std::string& yaml) {
  return syncsim::run(app::load_scenario_string(yaml, "s.yaml"));
}

std::int64_t dropped(const syncsim::RunResult& run, const std::string& reason) {
  const auto it = run.totals.dropped_by_reason.find(reason);
  return it == run.totals.dropped_by_reason.end() ? 0 : it->second;
}

// The rows of steps.csv against the run's independent totals.
void check_sums(const syncsim::RunResult& run) {
  REQUIRE(run.fl);
  REQUIRE(run.fl->asynchronous);
  std::int64_t started = 0, aggregated = 0, late = 0, offline = 0, crashed = 0, unreachable = 0;
  std::int64_t lost = 0, staleness = 0, staleness_max = 0, steps = 0;
  double bytes = 0.0;
  for (const algo::FlStepRow& r : run.fl->steps) {
    started += r.started;
    aggregated += r.aggregated;
    late += r.late;
    offline += r.offline;
    crashed += r.crashed;
    unreachable += r.unreachable;
    lost += r.lost;
    staleness += r.staleness_sum;
    staleness_max = std::max(staleness_max, r.staleness_max);
    bytes += r.bytes_down + r.bytes_up;
    if (r.aggregated > 0) ++steps;
  }
  CHECK(steps == run.totals.steps);
  CHECK(started == run.totals.updates_produced);
  CHECK(aggregated == run.totals.updates_applied);
  CHECK(late == dropped(run, "late"));
  CHECK(offline == dropped(run, "offline"));
  CHECK(crashed == dropped(run, "crashed"));
  CHECK(unreachable == dropped(run, "unreachable"));
  CHECK(lost == run.totals.updates_lost);
  CHECK(bytes == run.totals.bytes_sent);
  CHECK(staleness_max == run.totals.staleness_max.value_or(0));
  std::int64_t selected = 0, reported = 0;
  double client_bytes = 0.0;
  for (const algo::FlClientRow& c : run.fl->clients) {
    selected += c.selected;
    reported += c.reported;
    client_bytes += c.bytes_down + c.bytes_up;
  }
  CHECK(selected == started);
  CHECK(reported == aggregated);
  CHECK(client_bytes == bytes);
}

}  // namespace

TEST_CASE("steps.csv of fedasync with one client in flight is the hand-computed rows") {
  // concurrency 1: each step applies the one arrival (staleness 0), then
  // starts the next client: 268 bytes down per start, 268 up per arrival.
  const std::string yaml = scenario_text::replace(
      with(""), "kind: fedbuff, concurrency: 2, buffer_size: 2", "kind: fedasync, concurrency: 1");
  const syncsim::ScenarioResult result = run_yaml(yaml);
  const auto rows = scenario_text::csv_rows(syncsim::steps_csv(result));
  // The run stops at the 6th step, before starting another client: no row
  // follows the last step.
  REQUIRE(rows.size() == 1 + 6);
  CHECK(rows[0][0] == "algorithm");
  for (int k = 1; k <= 6; ++k) {
    const auto& r = rows[static_cast<std::size_t>(k)];
    CHECK(r[1] == std::to_string(k - 1));  // step
    CHECK(r[4] == "1");                    // started: the first at 0, then one per arrival
    CHECK(r[5] == "1");                    // aggregated
    CHECK(r[6] == "0");                    // staleness mean
    CHECK(r[7] == "0");                    // staleness max
    CHECK(r[13] == "268");
    CHECK(r[14] == "268");
  }
  CHECK_FALSE(syncsim::has_fl_rounds(result));  // no rounds.csv for an asynchronous run
  check_sums(result.runs.at(0));
}

TEST_CASE("steps.csv and clients.csv sum to the summary's totals, with devices and faults") {
  std::string keys;
  SECTION("plain fedbuff") {}
  SECTION("diurnal availability") {
    keys = ", diurnal: {time_scale: 0.0000001, mean_session: 2ms, peak_fraction: 0.8}";
  }
  SECTION("a crash, refilled after client_timeout") { keys = ", client_timeout: 20ms"; }
  std::string yaml = with(keys);
  yaml = scenario_text::replace(yaml, "stop: {steps: 6}",
                                "stop: {steps: 6}\nfaults:\n  - {at: 1ms, crash: client1}");
  const syncsim::ScenarioResult result = run_yaml(yaml);
  const syncsim::RunResult& run = result.runs.at(0);
  INFO(run.totals.status);
  check_sums(run);
  CHECK(run.totals.status.rfind("accounting broken", 0) == std::string::npos);
  REQUIRE(run.updates_outstanding);
  CHECK(run.totals.updates_produced == run.totals.updates_applied + run.totals.updates_dropped +
                                           run.totals.updates_lost + *run.updates_outstanding);
}

TEST_CASE("a client that goes offline while training is dropped, and the slot waits for the next") {
  // One slot. client0 is online only for the first 10 us (its model takes
  // longer to arrive), client1 from 5 ms on, the others never: the server
  // starts client0 at 0, sees it go at 10 us (dropped offline), has no one
  // to start until client1 comes online at 5 ms, and steps on its update.
  ScratchFolder folder("fedbuff-trace");
  const auto trace = folder.path / "online.csv";
  std::ofstream(trace) << "client,start_s,end_s\nclient0,0,0.00001\nclient1,0.005,10\n";
  std::string yaml =
      scenario_text::replace(with(", availability_trace: " + trace.string()),
                             "concurrency: 2, buffer_size: 2", "concurrency: 1, buffer_size: 1");
  yaml = scenario_text::replace(yaml, "stop: {steps: 6}", "stop: {steps: 1}");
  const syncsim::ScenarioResult result = run_yaml(yaml);
  const syncsim::RunResult& run = result.runs.at(0);
  REQUIRE(run.fl);
  REQUIRE(run.fl->steps.size() >= 1);
  const algo::FlStepRow& step = run.fl->steps[0];
  CHECK(step.started == 2);  // client0, then client1
  CHECK(step.offline == 1);
  CHECK(step.aggregated == 1);
  CHECK(step.time > 5 * sim::kMillisecond);
  CHECK(run.fl->clients[0].selected == 1);
  CHECK(run.fl->clients[0].reported == 0);
  CHECK(run.fl->clients[1].reported == 1);
  CHECK(run.fl->clients[2].selected == 0);
  CHECK(dropped(run, "offline") == 1);
}

TEST_CASE("client_timeout refills a crashed client's slot; without it the run stalls") {
  // One slot, client0 picked or not: every client is crashed at 1 ms for
  // good except client3, so whoever trains then loses its update.
  std::string yaml = scenario_text::replace(with("KEYS2"), "concurrency: 2, buffer_size: 2",
                                            "concurrency: 1, buffer_size: 1");
  yaml = scenario_text::replace(
      yaml, "stop: {steps: 6}",
      "stop: {steps: 6, sim_time: 10s}\nfaults:\n  - {at: 1us, crash: client0}\n"
      "  - {at: 1us, crash: client1}\n  - {at: 1us, crash: client2}");
  SECTION("with a timeout the slot goes to client3 and the run reaches its steps") {
    const syncsim::RunResult run =
        run_yaml(scenario_text::replace(yaml, "KEYS2", ", client_timeout: 50ms")).runs.at(0);
    INFO(run.totals.status);
    CHECK(run.totals.steps == 6);
    CHECK(run.totals.status == "ok");
    check_sums(run);
    // Whoever was first picked crashed with its update (unless it was client3).
    CHECK(dropped(run, "crashed") + run.fl->clients[3].reported == 6 + dropped(run, "crashed"));
  }
  SECTION("without a timeout a crashed client keeps its slot: the run stalls and says why") {
    const syncsim::RunResult run = run_yaml(scenario_text::replace(yaml, "KEYS2", "")).runs.at(0);
    if (run.fl->clients[3].selected == 1 && run.totals.steps == 6) {
      SUCCEED("the first pick was client3: nothing crashed under it");
    } else {
      CHECK(run.totals.status.rfind("stalled: ", 0) == 0);
      CHECK_THAT(run.totals.status, Catch::Contains("(crashed)"));
      CHECK(dropped(run, "crashed") == 1);
    }
  }
}

TEST_CASE("a tier of half the compute is the cluster at half the FLOP/s, bit for bit") {
  const syncsim::ScenarioResult tier =
      run_yaml(with(", tiers: [{name: half, share: 1, compute: 0.5}]"));
  const syncsim::ScenarioResult half = run_yaml(scenario_text::replace(
      with(""), "client: {count: 4, flops: 5GFLOPS}", "client: {count: 4, flops: 2.5GFLOPS}"));
  const syncsim::ScenarioResult full = run_yaml(with(""));
  CHECK(syncsim::steps_csv(tier) == syncsim::steps_csv(half));
  CHECK(syncsim::steps_csv(tier) != syncsim::steps_csv(full));  // the tier does something
  const ml::Vector& a = tier.runs.at(0).final_parameters;
  const ml::Vector& b = half.runs.at(0).final_parameters;
  REQUIRE(a.size() == b.size());
  CHECK(std::memcmp(a.data(), b.data(), static_cast<std::size_t>(a.size()) * 4) == 0);
}

TEST_CASE("oort without exploration keeps picking the one client it has explored") {
  // One slot: the first pick is unexplored (nothing is explored yet); from
  // then on epsilon = 0 gives no slot to unexplored clients, and the only
  // explored one is the first.
  std::string yaml =
      scenario_text::replace(with(", selection: oort, oort: {exploration: 0}"),
                             "concurrency: 2, buffer_size: 2", "concurrency: 1, buffer_size: 1");
  const syncsim::RunResult run = run_yaml(yaml).runs.at(0);
  REQUIRE(run.fl);
  int picked = 0;
  for (const algo::FlClientRow& c : run.fl->clients) {
    if (c.selected == 0) continue;
    ++picked;
    CHECK(c.selected == 6);  // one start per step; the run stops at the 6th
    CHECK(c.reported == 6);
  }
  CHECK(picked == 1);
}

TEST_CASE("with a holdout, clients.csv's accuracy is the final model's on the held-out rows") {
  for (const char* kind : {"kind: fedbuff", "kind: fedavg", "kind: hierfl"}) {
    INFO(kind);
    std::string yaml = with(", holdout: 0.3");
    yaml = scenario_text::replace(yaml, "kind: fedbuff", kind);
    if (std::string(kind) != "kind: fedbuff") {
      yaml = scenario_text::replace(yaml, "concurrency: 2, buffer_size: 2, ", "");
    }
    if (std::string(kind) == "kind: hierfl") {  // two edges of two clients, one edge round
      yaml = scenario_text::replace(yaml, "  client: {count: 4",
                                    "  edge: {count: 2, flops: 10GFLOPS}\n  client: {count: 4");
      yaml = scenario_text::replace(yaml, "kind: hierfl,", "kind: hierfl, edge_rounds: 1,");
    }
    const app::Scenario s = app::load_scenario_string(yaml, "s.yaml");
    const syncsim::ScenarioResult result = syncsim::run(s);
    const syncsim::RunResult& run = result.runs.at(0);
    REQUIRE(run.fl);
    // IID shards of 200 / 4 = 50 rows: 15 held out each. Which ones: the
    // client's stream (seed, node name, "fl-holdout") over its shard.
    const syncsim::Datasets data = syncsim::load_datasets(s);
    ml::Mlp model(s.model);
    model.parameters() = run.final_parameters;
    const std::vector<ml::Shard> shards =
        ml::partition_iid(data.train.size(), 4, algo::partition_seed(s.seed));
    for (std::size_t k = 0; k < 4; ++k) {
      ml::Shard shard = shards[k];
      const ml::Shard held = algo::hold_out(
          shard, 0.3, sim::derive_seed(s.seed, "client" + std::to_string(k), "fl-holdout"));
      REQUIRE(held.size() == 15);
      ml::Dataset part;
      part.num_classes = data.train.num_classes;
      ml::gather_batch(data.train, held, part.features, part.labels);
      REQUIRE(run.fl->clients[k].accuracy);
      CHECK(*run.fl->clients[k].accuracy == model.evaluate(part).accuracy);
    }
    // The clients trained on 35 rows each: 4 x 35 samples an epoch.
    CHECK(run.totals.samples % 35 == 0);
  }
}

TEST_CASE("holdout: 0 changes no output byte") {
  for (const std::string& yaml : {with(""), scenario_text::replace(with(""),
                                                                   "kind: fedbuff, concurrency: 2, "
                                                                   "buffer_size: 2",
                                                                   "kind: fedavg")}) {
    const auto files = syncsim::output_files(run_yaml(yaml));
    const auto zero = syncsim::output_files(
        run_yaml(scenario_text::replace(yaml, "batch_size: 10", "batch_size: 10, holdout: 0")));
    REQUIRE(files.size() == zero.size());
    for (std::size_t i = 0; i < files.size(); ++i) {
      // Their wall-time cells differ from run to run.
      if (files[i].first == "summary.csv" || files[i].first == "timing.csv") continue;
      INFO(files[i].first);
      CHECK(files[i].second == zero[i].second);
    }
  }
}
