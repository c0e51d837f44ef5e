// Node clocks in scenarios: the `clock` and `clock_sync` keys, their errors,
// and clocks.csv and the clock summary columns of real runs.
#include <algorithm>
#include <catch2/catch.hpp>

#include <cmath>
#include <sstream>
#include <string>

#include "app/scenario_loader.h"
#include "run/outputs.h"
#include "run/run.h"
#include "scenario_text.h"

namespace {

const std::string kClocks = R"yaml(name: t
seed: 3
cluster:
  server:
    flops: 10GFLOPS
    clock: {drift_ppm: 0, offset: 0s}
  worker:
    count: 2
    flops: 5GFLOPS
    clock: {drift_ppm: "normal(0, 50)", offset: "uniform(-5ms, 5ms)", drift_walk_ppm: 1}
clock_sync: {server: server, interval: 100ms}
topology: {kind: star, bandwidth: 1Gbps, latency: 10us}
data: {dataset: synthetic, samples: 100, features: 4, classes: 3}
model: {layers: [4, 8, 3]}
algorithm: {kind: ps_sync, batch_size: 4}
stop: {sim_time: 1s}
eval: {every: 250ms}
)yaml";

}  // namespace

using scenario_text::csv_rows;

using scenario_text::error_of;
using scenario_text::replace;

TEST_CASE("clock and clock_sync keys load, offsets with duration units") {
  const app::Scenario s = app::load_scenario_string(kClocks, "s.yaml");
  REQUIRE(s.groups[1].clock);
  const app::ClockSpec& c = *s.groups[1].clock;
  CHECK(c.drift_ppm.kind == sim::Distribution::Kind::normal);
  CHECK(c.drift_ppm.b == 50.0);
  CHECK(c.offset_s.kind == sim::Distribution::Kind::uniform);
  CHECK(c.offset_s.a == -0.005);
  CHECK(c.offset_s.b == 0.005);
  CHECK(c.drift_walk_ppm == 1.0);
  REQUIRE(s.clock_sync);
  CHECK(s.clock_sync->server == "server");
  CHECK(s.clock_sync->interval == 100'000'000);
  CHECK(s.clock_sync->packet_bytes == 90.0);
  CHECK(s.models_clocks());
  CHECK_FALSE(s.clock_sync->slew);
  const app::Scenario slewing =
      app::load_scenario_string(replace(kClocks, "interval: 100ms}",
                                        "interval: 100ms, correction: slew, slew_rate_ppm: 200}"),
                                "s.yaml");
  CHECK(slewing.clock_sync->slew);
  CHECK(slewing.clock_sync->slew_rate_ppm == 200.0);
}

TEST_CASE("clock mistakes are reported at their key") {
  SECTION("an offset without a unit") {
    CHECK_THAT(error_of(replace(kClocks, "uniform(-5ms, 5ms)", "uniform(-5, 5ms)")),
               Catch::StartsWith("s.yaml:10:49: cluster.worker.clock.offset: ") &&
                   Catch::Contains("in distribution 'uniform(-5, 5ms)'"));
  }
  SECTION("an unknown clock key") {
    CHECK_THAT(error_of(replace(kClocks, "drift_walk_ppm: 1", "drift_wak_ppm: 1")),
               Catch::Contains("unknown key 'drift_wak_ppm' (did you mean 'drift_walk_ppm'?)"));
  }
  SECTION("a sync server that is not a group") {
    CHECK(error_of(replace(kClocks, "{server: server,", "{server: sever,")) ==
          "s.yaml:11:22: clock_sync.server: no cluster group 'sever' (did you mean 'server'?)");
  }
  SECTION("a sync server group of several nodes") {
    CHECK_THAT(error_of(replace(kClocks, "{server: server,", "{server: worker,")),
               Catch::EndsWith("clock_sync.server: the clock server must be a group of one node"));
  }
  SECTION("an unknown correction") {
    CHECK_THAT(
        error_of(replace(kClocks, "interval: 100ms}", "interval: 100ms, correction: smear}")),
        Catch::EndsWith(
            "clock_sync.correction: unknown correction 'smear' (expected step or slew)"));
  }
  SECTION("a slew rate without slewing") {
    CHECK_THAT(error_of(replace(kClocks, "interval: 100ms}", "interval: 100ms, slew_rate_ppm: 5}")),
               Catch::EndsWith("slew_rate_ppm is used only by 'correction: slew'"));
  }
  SECTION("a zero interval") {
    CHECK_THAT(error_of(replace(kClocks, "interval: 100ms", "interval: 0s")),
               Catch::EndsWith("clock_sync.interval: interval must be > 0"));
  }
}

TEST_CASE("a run with clocks writes clocks.csv and the clock summary columns") {
  const app::Scenario s = app::load_scenario_string(kClocks, "s.yaml");
  const app::ScenarioResult result = syncsim::run(s);
  const auto clocks = csv_rows(app::clocks_csv(result));
  const auto summary = csv_rows(app::summary_csv(result));
  SECTION("one row per node every 10 ms from 0 to the end, error = local - true") {
    REQUIRE(clocks.size() == 1 + 3 * 101);
    for (std::size_t i = 1; i < clocks.size(); ++i) {
      CHECK(std::stod(clocks[i][2]) ==
            Approx(0.01 * static_cast<double>((i - 1) / 3)).margin(1e-12));
    }
    CHECK(clocks[0] ==
          std::vector<std::string>{"algorithm", "node", "true_time_s", "local_time_s", "error_s"});
    for (std::size_t i = 1; i < clocks.size(); ++i) {
      CHECK(std::stod(clocks[i][3]) - std::stod(clocks[i][2]) ==
            Approx(std::stod(clocks[i][4])).margin(1e-9));
    }
  }
  SECTION("synced workers stay within drift x interval of the perfect server") {
    // Rows after the first sync: 50 ppm x 3 sd x 100 ms is 15 us.
    for (std::size_t i = 4; i < clocks.size(); ++i) {
      INFO("row " << i);
      CHECK(std::abs(std::stod(clocks[i][4])) < 20e-6);
    }
  }
  SECTION("sync messages and bytes are counted, 90 bytes each") {
    const std::vector<std::string>& header = summary[0];
    REQUIRE(header.size() == summary[1].size());
    const auto cell = [&](const char* name) {
      const auto it = std::find(header.begin(), header.end(), name);
      REQUIRE(it != header.end());
      return summary[1][static_cast<std::size_t>(it - header.begin())];
    };
    const long messages = std::stol(cell("messages_sent_clock_sync"));
    CHECK(messages >= 2 * 2 * 10);  // 2 clients, every 100 ms for 1 s
    CHECK(std::stod(cell("bytes_sent_clock_sync")) == 90.0 * static_cast<double>(messages));
  }
  SECTION("the same seed gives the same clocks") {
    CHECK(app::clocks_csv(syncsim::run(s)) == app::clocks_csv(result));
  }
}

TEST_CASE("the clock columns are the maximum and mean over samples at a fixed interval") {
  // No sync: the server's clock is perfect, each worker's reads 2 ms + 100 ppm
  // ahead, so at true time t a worker's error and the skew are both
  // 2 ms + 1e-4 t. Sampled every 50 ms over 1 s (t = 0, 0.05, ..., 1): the
  // largest is 2.1 ms, the mean skew 2.05 ms, the mean error over the three
  // nodes (2 x 2.05 ms + 0) / 3; an end-of-run snapshot would give 2.1 ms
  // for every one of them.
  std::string yaml = replace(kClocks, "clock_sync: {server: server, interval: 100ms}\n",
                             "outputs: {clock_interval: 50ms}\n");
  yaml = replace(yaml,
                 "clock: {drift_ppm: \"normal(0, 50)\", offset: \"uniform(-5ms, 5ms)\", "
                 "drift_walk_ppm: 1}",
                 "clock: {drift_ppm: 100, offset: 2ms}");
  const app::ScenarioResult result = syncsim::run(app::load_scenario_string(yaml, "s.yaml"));
  const auto clocks = csv_rows(app::clocks_csv(result));
  REQUIRE(clocks.size() == 1 + 3 * 21);
  CHECK(clocks.back()[2] == "1");
  const auto rows = scenario_text::keyed_rows(app::summary_csv(result));
  REQUIRE(rows.size() == 1);
  const auto column = [&](const char* key) { return std::stod(rows[0].at(key)); };
  CHECK(column("clock_error_max_s") == Approx(2.1e-3).margin(1e-12));
  CHECK(column("clock_skew_max_s") == Approx(2.1e-3).margin(1e-12));
  CHECK(column("clock_skew_mean_s") == Approx(2.05e-3).margin(1e-12));
  CHECK(column("clock_error_mean_s") == Approx(2 * 2.05e-3 / 3).margin(1e-12));
}

TEST_CASE("a clock interval too fine for the run is refused at load time") {
  CHECK(error_of(replace(kClocks, "eval: {every: 250ms}",
                         "eval: {every: 250ms}\noutputs: {clock_interval: 10ns}")) ==
        "s.yaml:18:27: outputs.clock_interval: reading 3 clocks every 10ns until stop.sim_time is "
        "more than 10000000 clock samples: set a longer outputs.clock_interval");
  CHECK_THAT(error_of(replace(kClocks, "eval: {every: 250ms}",
                              "eval: {every: 250ms}\noutputs: {clock_interval: 0s}")),
             Catch::EndsWith("outputs.clock_interval: clock_interval must be greater than zero"));
}

TEST_CASE("without clock keys no clock output appears and the clock columns are empty") {
  std::string yaml = replace(kClocks, "clock_sync: {server: server, interval: 100ms}\n", "");
  yaml = replace(yaml, "    clock: {drift_ppm: 0, offset: 0s}\n", "");
  yaml = replace(yaml,
                 "    clock: {drift_ppm: \"normal(0, 50)\", offset: \"uniform(-5ms, 5ms)\", "
                 "drift_walk_ppm: 1}\n",
                 "");
  const app::Scenario s = app::load_scenario_string(yaml, "s.yaml");
  CHECK_FALSE(s.models_clocks());
  const app::ScenarioResult result = syncsim::run(s);
  CHECK(result.runs[0].clock_samples.empty());
  // summary.csv keeps its clock columns, every cell empty (not a 0).
  const auto rows = scenario_text::keyed_rows(app::summary_csv(result));
  REQUIRE(rows.size() == 1);
  for (const char* column :
       {"clock_error_max_s", "clock_error_mean_s", "clock_skew_max_s", "clock_skew_mean_s",
        "messages_sent_clock_sync", "bytes_sent_clock_sync"}) {
    INFO(column);
    REQUIRE(rows[0].count(column) == 1);
    CHECK(rows[0].at(column).empty());
  }
}

TEST_CASE("failure_detector keys load, with their errors at their key") {
  const std::string yaml = replace(
      kClocks, "clock_sync: {server: server, interval: 100ms}\n",
      "clock_sync: {server: server, interval: 100ms}\n"
      "failure_detector: {monitor: server, interval: 50ms, suspect_after: 2, since: sent}\n");
  const app::Scenario s = app::load_scenario_string(yaml, "s.yaml");
  REQUIRE(s.failure_detector);
  CHECK(s.failure_detector->monitor == "server");
  CHECK(s.failure_detector->interval == 50'000'000);
  CHECK(s.failure_detector->suspect_after == 2);
  CHECK(s.failure_detector->since_sent);
  CHECK(s.failure_detector->packet_bytes == 64.0);
  SECTION("a monitor that is not a group") {
    CHECK(error_of(replace(yaml, "{monitor: server,", "{monitor: sevrer,")) ==
          "s.yaml:12:29: failure_detector.monitor: no cluster group 'sevrer' (did you mean "
          "'server'?)");
  }
  SECTION("a monitor group of several nodes") {
    CHECK_THAT(
        error_of(replace(yaml, "{monitor: server,", "{monitor: worker,")),
        Catch::EndsWith("failure_detector.monitor: the monitor must be a group of one node"));
  }
  SECTION("an unknown since") {
    CHECK_THAT(error_of(replace(yaml, "since: sent", "since: send")),
               Catch::EndsWith(
                   "failure_detector.since: unknown 'since' 'send' (expected arrival or sent)"));
  }
  SECTION("k = 0") {
    CHECK_THAT(
        error_of(replace(yaml, "suspect_after: 2", "suspect_after: 0")),
        Catch::StartsWith("s.yaml:12:") && Catch::Contains("failure_detector.suspect_after"));
  }
  SECTION("a misspelt key") {
    CHECK_THAT(error_of(replace(yaml, "suspect_after: 2", "suspect_afer: 2")),
               Catch::Contains("unknown key 'suspect_afer' (did you mean 'suspect_after'?)"));
  }
}

TEST_CASE("a run with a failure detector writes suspicions.csv and the detector's columns") {
  // Workers 3 ms behind the perfect server, heartbeats every 2 ms, a lease of
  // k = 2 intervals on the sender's stamp: each heartbeat expires on the
  // server's clock 1 ms after it left, 1 ms before the next arrives, so
  // without sync every worker is suspected and trusted again every interval.
  // With sync the first exchange (at 0) fixes the clocks; only heartbeat 0,
  // stamped before it, expires early: one suspicion per worker.
  std::string yaml = replace(
      kClocks, "clock_sync: {server: server, interval: 100ms}\n",
      "clock_sync: {server: server, interval: 100ms}\n"
      "failure_detector: {monitor: server, interval: 2ms, suspect_after: 2, since: sent}\n");
  yaml = replace(yaml, "offset: \"uniform(-5ms, 5ms)\"", "offset: -3ms");
  const app::ScenarioResult synced = syncsim::run(app::load_scenario_string(yaml, "s.yaml"));
  const app::ScenarioResult unsynced = syncsim::run(app::load_scenario_string(
      replace(yaml, "clock_sync: {server: server, interval: 100ms}\n", ""), "s.yaml"));
  const auto summary = csv_rows(app::summary_csv(unsynced));
  const std::vector<std::string>& header = summary[0];
  REQUIRE(header.size() == summary[1].size());
  const auto at = [&](const char* name) {
    return std::find(header.begin(), header.end(), name) - header.begin();
  };
  const auto heartbeats = at("messages_sent_heartbeat");
  CHECK(std::vector<std::string>(header.begin() + heartbeats, header.begin() + heartbeats + 4) ==
        std::vector<std::string>{"messages_sent_heartbeat", "bytes_sent_heartbeat", "suspicions",
                                 "false_suspicions"});
  const app::RunResult& u = unsynced.runs[0];
  CHECK(u.heartbeat_messages >= 2 * 500);  // 2 workers, every 2 ms for 1 s
  CHECK(u.heartbeat_bytes == 64.0 * static_cast<double>(u.heartbeat_messages));
  CHECK(u.false_suspicions == u.suspicions);  // nothing crashes
  CHECK(u.suspicions >= 2 * 499);
  const auto rows = csv_rows(app::suspicions_csv(unsynced));
  CHECK(rows[0] == std::vector<std::string>{"algorithm", "true_time_s", "monitor_local_time_s",
                                            "node", "event", "node_up"});
  REQUIRE(rows.size() > 1);
  CHECK(rows[1][3] == "worker0");
  CHECK(rows[1][4] == "suspect");
  CHECK(rows[1][2] == "0.001");  // heartbeat 0 left at 0 stamped -3 ms: it expires at 1 ms
  CHECK(synced.runs[0].suspicions == 2);
}

TEST_CASE("a ps_sync timeout loads as a duration, and its mistakes are reported at the key") {
  const std::string yaml = replace(kClocks, "algorithm: {kind: ps_sync, batch_size: 4}",
                                   "algorithm: {kind: ps_sync, batch_size: 4, timeout: 2ms}");
  const app::ScenarioResult result = syncsim::run(app::load_scenario_string(yaml, "s.yaml"));
  CHECK(result.runs[0].totals.steps > 0);
  SECTION("zero") {
    CHECK_THAT(
        error_of(replace(yaml, "timeout: 2ms", "timeout: 0s")),
        Catch::EndsWith("algorithm.timeout: timeout must be greater than zero (omit it for none)"));
  }
  SECTION("no unit") {
    CHECK_THAT(error_of(replace(yaml, "timeout: 2ms", "timeout: 2")),
               Catch::StartsWith("s.yaml:15:") && Catch::Contains("algorithm.timeout"));
  }
}

TEST_CASE("a distribution of a non-finite number is an error at its key") {
  SECTION("nan") {
    CHECK_THAT(error_of(replace(kClocks, "normal(0, 50)", "normal(nan, 1)")),
               Catch::EndsWith(".clock.drift_ppm: 'nan' is not a finite number in distribution "
                               "'normal(nan, 1)'"));
  }
  SECTION("inf") {
    CHECK_THAT(error_of(replace(kClocks, "normal(0, 50)", "normal(0, inf)")),
               Catch::EndsWith("'inf' is not a finite number in distribution 'normal(0, inf)'"));
  }
}

TEST_CASE("a normal clock drift that may stop a clock is an error at its key") {
  CHECK_THAT(error_of(replace(kClocks, "normal(0, 50)", "normal(0, 1e7)")),
             Catch::EndsWith(".clock.drift_ppm: normal(mean, sd) drift_ppm may draw -1000000 ppm "
                             "or less (a clock that stops): keep mean - 10 sd above -1000000"));
  CHECK(error_of(replace(kClocks, "normal(0, 50)", "normal(0, 50000)")) == "(no error)");
}

TEST_CASE("a clock drift that may draw +1e6 ppm or more is an error at its key") {
  // A clock a million times fast waits zero true time for any timer.
  const char* message = " drift_ppm may draw +1000000 ppm or more: keep mean + 10 sd below 1000000";
  CHECK_THAT(error_of(replace(kClocks, "normal(0, 50)", "normal(1e12, 1)")),
             Catch::EndsWith(".clock.drift_ppm: normal(1e+12, 1)" + std::string(message)));
  CHECK_THAT(error_of(replace(kClocks, "normal(0, 50)", "normal(5e5, 5e4)")),
             Catch::Contains(message));
  CHECK_THAT(error_of(replace(kClocks, "normal(0, 50)", "lognormal(20, 1)")),
             Catch::Contains(message));
  CHECK_THAT(error_of(replace(kClocks, "normal(0, 50)", "exponential(1e-6)")),
             Catch::Contains(message));
  CHECK(error_of(replace(kClocks, "normal(0, 50)", "normal(0, 90000)")) == "(no error)");
  CHECK(error_of(replace(kClocks, "normal(0, 50)", "lognormal(0, 1)")) == "(no error)");
}
