// `faults: - random:` of every kind: what each draws (targets, factors,
// lengths), rates checked against the alternating Poisson process's
// expected count, every entry on streams of its own (adding one never moves
// another's events), bad values refused at their key, and whole runs under
// random faults whose update accounting adds up.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "app/scenario_loader.h"
#include "run/outputs.h"
#include "run/run.h"
#include "scenario_text.h"

using algo::Fault;
using scenario_text::error_of;
using scenario_text::replace;

namespace {

// Two racks of two workers under a tree, the server in a third rack.
const std::string kBase = R"yaml(name: t
seed: 4
cluster:
  worker: {count: 4, flops: 5GFLOPS}
  server: {count: 1, flops: 10GFLOPS}
topology: {kind: tree, hosts_per_rack: 2, bandwidth: 1Gbps, latency: 10us, uplink_latency: 20us}
data: {dataset: synthetic, samples: 400, features: 4, classes: 3}
model: {layers: [4, 8, 3]}
algorithm: {kind: ps_async, batch_size: 4, rpc_timeout: 20ms}
faults:
FAULTS
stop: {sim_time: 1s}
eval: {every: 100ms}
)yaml";

std::string with(const std::string& faults) { return replace(kBase, "FAULTS", faults); }

std::vector<Fault> faults_of(const std::string& faults) {
  const app::Scenario s = app::load_scenario_string(with(faults), "s.yaml");
  REQUIRE(s.faults);
  return *s.faults;
}

std::vector<Fault> of_kind(const std::vector<Fault>& all, Fault::Kind kind) {
  std::vector<Fault> out;
  for (const Fault& f : all) {
    if (f.kind == kind) out.push_back(f);
  }
  return out;
}

bool same(const std::vector<Fault>& a, const std::vector<Fault>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].at != b[i].at || a[i].duration != b[i].duration || a[i].hosts != b[i].hosts ||
        a[i].links != b[i].links || a[i].factor != b[i].factor ||
        a[i].probability != b[i].probability) {
      return false;
    }
  }
  return true;
}

const std::string kCrash = "  - random: {crash_rate: 2, mean_downtime: 50ms, nodes: worker}\n";
const std::string kLinkDown = "  - random: {link_down_rate: 2, mean_downtime: 20ms}\n";
const std::string kDegrade =
    "  - random: {degrade_rate: 3, mean_duration: 100ms, factor: 0.25, links: [tor0, spine]}\n";
const std::string kPartition =
    "  - random: {partition_rate: 4, mean_duration: 30ms, size: 2, nodes: worker}\n";
const std::string kStraggle =
    "  - random: {straggle_rate: 3, mean_duration: 40ms, factor: 5, nodes: [worker0, worker3]}\n";
const std::string kLoss =
    "  - random: {loss_rate: 2, mean_duration: 60ms, probability: 0.3, links: worker1}\n";

}  // namespace

TEST_CASE("each random fault kind draws episodes of its own shape on its targets") {
  const auto all = faults_of(kCrash + kLinkDown + kDegrade + kPartition + kStraggle + kLoss);
  for (const Fault& f : all) {
    CHECK(f.at >= 0);
    CHECK(f.at < sim::kSecond);
    CHECK(f.duration > 0);
  }
  const auto crashes = of_kind(all, Fault::Kind::crash);
  const auto downs = of_kind(all, Fault::Kind::link_down);
  const auto degrades = of_kind(all, Fault::Kind::degrade);
  const auto partitions = of_kind(all, Fault::Kind::partition);
  const auto straggles = of_kind(all, Fault::Kind::straggle);
  const auto losses = of_kind(all, Fault::Kind::loss);
  CHECK(!crashes.empty());
  CHECK(!downs.empty());
  CHECK(!degrades.empty());
  CHECK(!partitions.empty());
  CHECK(!straggles.empty());
  CHECK(!losses.empty());
  for (const Fault& f : crashes) CHECK(f.hosts.at(0) <= 3);  // workers only
  for (const Fault& f : degrades) {
    CHECK(f.factor == 0.25);
    CHECK(f.links.size() == 1);
  }
  for (const Fault& f : partitions) {
    CHECK(f.hosts.size() == 2);
    CHECK(f.hosts[0] < f.hosts[1]);
    CHECK(f.hosts[1] <= 3);
  }
  for (std::size_t i = 1; i < partitions.size(); ++i) {
    CHECK(partitions[i].group != partitions[i - 1].group);  // each cut is a group of its own
  }
  for (const Fault& f : straggles) {
    CHECK(f.factor == 5.0);
    CHECK((f.hosts.at(0) == 0 || f.hosts.at(0) == 3));
  }
  for (const Fault& f : losses) CHECK(f.probability == 0.3);
}

TEST_CASE("episodes come at the rate of an alternating Poisson process") {
  // Over T, with start rate r and mean length m, a target expects about
  // T / (1 / r + m) episodes; the lengths average m. 8 workers x 2000 s.
  const std::string yaml =
      replace(replace(with("  - random: {straggle_rate: 2, mean_duration: 250ms, factor: 2, nodes: "
                           "worker, until: 2000s}\n"),
                      "count: 4", "count: 8"),
              "hosts_per_rack: 2", "hosts_per_rack: 4");
  const app::Scenario s = app::load_scenario_string(yaml, "s.yaml");
  const auto& f = *s.faults;
  const double expected = 8 * 2000.0 / (1.0 / 2 + 0.25);  // 21333
  const double sigma = std::sqrt(expected);
  INFO("episodes " << f.size() << ", expected " << expected);
  CHECK(std::abs(static_cast<double>(f.size()) - expected) < 5 * sigma);
  double total = 0.0;
  for (const Fault& e : f) total += sim::to_seconds(e.duration);
  const double mean = total / static_cast<double>(f.size());
  INFO("mean length " << mean);
  CHECK(std::abs(mean - 0.25) < 5 * 0.25 / std::sqrt(static_cast<double>(f.size())));
}

TEST_CASE("every random entry draws from its own streams") {
  const auto crash_alone = faults_of(kCrash);
  const auto down_alone = faults_of(kLinkDown);
  const auto together = faults_of(kCrash + kLinkDown + kPartition + kStraggle + kLoss);
  SECTION("adding other kinds leaves a kind's events as they were") {
    CHECK(same(of_kind(together, Fault::Kind::crash), crash_alone));
    CHECK(same(of_kind(together, Fault::Kind::link_down), down_alone));
    CHECK(same(of_kind(faults_of(kLoss + kLinkDown), Fault::Kind::link_down), down_alone));
  }
  SECTION("a second entry of one kind draws other events, and moves not the first") {
    const auto two = faults_of(kCrash + kCrash);
    REQUIRE(two.size() > crash_alone.size());
    const std::vector<Fault> first(two.begin(),
                                   two.begin() + static_cast<std::ptrdiff_t>(crash_alone.size()));
    const std::vector<Fault> second(two.begin() + static_cast<std::ptrdiff_t>(crash_alone.size()),
                                    two.end());
    CHECK(same(first, crash_alone));
    CHECK(!same(second, crash_alone));
  }
  SECTION("another seed, other events") {
    const auto other =
        app::load_scenario_string(replace(with(kCrash), "seed: 4", "seed: 5"), "s.yaml");
    CHECK(!same(*other.faults, crash_alone));
  }
}

TEST_CASE("bad random faults are refused at their key") {
  const auto error = [](const std::string& entry) {
    return error_of(with("  - random: " + entry + "\n"));
  };
  CHECK(error("{link_down_rate: 0, mean_downtime: 1s}") ==
        "s.yaml:11:30: faults[0].random.link_down_rate: link_down_rate (episodes per link per "
        "second) must be > 0");
  CHECK(error("{straggle_rate: -1, mean_duration: 1s, factor: 2}") ==
        "s.yaml:11:29: faults[0].random.straggle_rate: straggle_rate (episodes per node per "
        "second) must be > 0");
  CHECK(error("{degrade_rate: 1, mean_duration: 0s, factor: 0.5}") ==
        "s.yaml:11:46: faults[0].random.mean_duration: mean_duration must be > 0");
  CHECK(error("{degrade_rate: 1, mean_duration: 1s, factor: 2}") ==
        "s.yaml:11:58: faults[0].random.factor: a degrade factor (of the bandwidth) must be in "
        "(0, 1]");
  CHECK(error("{straggle_rate: 1, mean_duration: 1s, factor: 0.5}") ==
        "s.yaml:11:59: faults[0].random.factor: a straggle factor (of the compute time) must be "
        ">= 1");
  CHECK(error("{loss_rate: 1, mean_duration: 1s, probability: 0}") ==
        "s.yaml:11:60: faults[0].random.probability: a loss probability must be > 0");
  CHECK(error("{partition_rate: 1, mean_duration: 1s, size: 5}") ==
        "s.yaml:11:58: faults[0].random.size: must be between 1 and 4, got 5");
  CHECK(error("{crash_rate: 1, link_down_rate: 1, mean_downtime: 1s}") ==
        "s.yaml:11:13: faults[0].random: a random entry draws one kind of fault: give one "
        "*_rate key per entry");
  CHECK(error("{mean_downtime: 1s}") ==
        "s.yaml:11:13: faults[0].random: expected one of crash_rate, link_down_rate, "
        "degrade_rate, partition_rate, straggle_rate or loss_rate");
  CHECK_THAT(error("{loss_rate: 1, mean_duration: 1s, probabilty: 0.1}"),
             Catch::Contains("unknown key 'probabilty' (did you mean 'probability'?)"));
  SECTION("an absurd rate is refused before anything is drawn") {
    CHECK_THAT(error("{crash_rate: 1e12, mean_downtime: 1ns}"),
               Catch::Equals("s.yaml:11:26: faults[0].random.crash_rate: expects about 5e+12 "
                             "episodes over the run (rate x targets x until); at most "
                             "100000 per entry"));
    CHECK_THAT(error("{loss_rate: 1e300, mean_duration: 1s, probability: 0.5}"),
               Catch::Contains("at most 100000 per entry"));
  }
}

TEST_CASE("runs under random faults of every kind account for every update") {
  const app::Scenario s = app::load_scenario_string(
      with(kCrash + kLinkDown + kDegrade + kPartition + kStraggle + kLoss), "s.yaml");
  const app::ScenarioResult result = syncsim::run(s);
  const auto rows = scenario_text::keyed_rows(app::summary_csv(result));
  REQUIRE(rows.size() == 1);
  scenario_text::check_accounting(rows[0]);
  CHECK(std::stoll(rows[0].at("crashes")) > 0);
  // The same seed, the same bytes.
  const app::ScenarioResult again = syncsim::run(s);
  CHECK(app::summary_csv(again) == app::summary_csv(result));
}
