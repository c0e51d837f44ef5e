// The opt-in outputs of a run: events.csv, trace.json and links.csv (the
// `outputs:` keys). Oracles: hand-computed compute and transfer times on a
// star, constant clock offsets, Lamport order, and the rule that recording
// changes nothing else a run writes.
#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "app/scenario_loader.h"
#include "run/outputs.h"
#include "run/run.h"
#include "scenario_text.h"

namespace {

// 4 workers at 1 GFLOP/s, no stragglers, on a 1 Gb/s star; ps_sync for 5 steps.
// The server's clock is 3 ms ahead, the workers' 2 ms behind, no drift.
const std::string kStar = R"yaml(name: t
seed: 5
cluster:
  server:
    flops: 10GFLOPS
    clock: {offset: 3ms}
  worker:
    count: 4
    flops: 1GFLOPS
    clock: {offset: -2ms}
topology: {kind: star, bandwidth: 1Gbps, latency: 10us}
data: {dataset: synthetic, samples: 200, features: 8, classes: 3}
model: {layers: [8, 16, 3]}
algorithm: {kind: ps_sync, batch_size: 10}
stop: {steps: 5}
outputs: {events: true, trace: true, links: true, links_interval: 1ms}
)yaml";

app::ScenarioResult run(const std::string& yaml) {
  return syncsim::run(app::load_scenario_string(yaml, "s.yaml"));
}

}  // namespace

using scenario_text::csv_rows;

using scenario_text::error_of;
using scenario_text::replace;

TEST_CASE("outputs keys load, default off, and bad values are reported at their key") {
  const app::Scenario on = app::load_scenario_string(kStar, "s.yaml");
  CHECK(on.outputs.events);
  CHECK(on.outputs.trace);
  CHECK(on.outputs.links);
  CHECK(on.outputs.links_interval == 1'000'000);
  const app::Scenario off = app::load_scenario_string(
      replace(kStar, "outputs: {events: true, trace: true, links: true, links_interval: 1ms}\n",
              ""),
      "s.yaml");
  CHECK_FALSE(off.outputs.events);
  CHECK_FALSE(off.outputs.trace);
  CHECK_FALSE(off.outputs.links);
  CHECK_THAT(
      error_of(replace(kStar, "trace: true", "trce: true")),
      Catch::StartsWith("s.yaml:16:25: outputs.trce: ") && Catch::Contains("did you mean 'trace'"));
  CHECK_THAT(error_of(replace(kStar, "links_interval: 1ms", "links_interval: 0s")),
             Catch::StartsWith("s.yaml:16:67: outputs.links_interval: ") &&
                 Catch::Contains("greater than zero"));
  CHECK_THAT(error_of(replace(kStar, "events: true", "events: maybe")),
             Catch::Contains("outputs.events"));
}

TEST_CASE("recording changes nothing else a run writes") {
  const app::ScenarioResult with = run(kStar);
  const app::ScenarioResult without = run(replace(
      kStar, "outputs: {events: true, trace: true, links: true, links_interval: 1ms}\n", ""));
  CHECK(app::metrics_csv(with) == app::metrics_csv(without));
  CHECK(app::summary_csv(with) == app::summary_csv(without));
  CHECK(app::clocks_csv(with) == app::clocks_csv(without));
  CHECK(app::nodes_csv(with) == app::nodes_csv(without));
  CHECK(without.runs[0].messages.empty());
  CHECK(without.runs[0].spans.empty());
  CHECK(without.runs[0].link_samples.empty());
  // And the drifting, walking, synced clocks read at every message do not move.
  // Stragglers too: a recorder that drew from a node's stream would shift every step.
  const std::string synced = replace(replace(kStar, "clock: {offset: -2ms}",
                                             "clock: {drift_ppm: \"normal(0, 50)\", offset: "
                                             "\"uniform(-5ms, 5ms)\", drift_walk_ppm: 5}\n"
                                             "    straggler: \"uniform(1, 1.5)\""),
                                     "stop: {steps: 5}",
                                     "stop: {sim_time: 300ms}\nclock_sync: {server: server, "
                                     "interval: 50ms, correction: slew}\neval: {every: 20ms}");
  const app::ScenarioResult a = run(synced);
  const app::ScenarioResult b = run(replace(synced, "events: true", "events: false"));
  const app::ScenarioResult c = run(replace(
      synced, "outputs: {events: true, trace: true, links: true, links_interval: 1ms}\n", ""));
  CHECK(app::clocks_csv(a) == app::clocks_csv(c));
  CHECK(app::metrics_csv(a) == app::metrics_csv(c));
  CHECK(app::trace_json(a) == app::trace_json(b));  // events on or off: the same trace
}

TEST_CASE("events.csv: every message sent once and received once, Lamport and local time") {
  const app::ScenarioResult r = run(kStar);
  const auto rows = csv_rows(app::events_csv(r));
  REQUIRE(rows.at(0) == std::vector<std::string>{"algorithm", "true_time_ns", "node",
                                                 "local_time_ns", "lamport", "kind", "peer", "tag",
                                                 "bytes_message", "message"});
  const double param_bytes = (8.0 * 16 + 16 + 16 * 3 + 3) * 4;  // float32 parameters
  struct Ends {
    int sends = 0, receives = 0;
    std::int64_t send_time = 0, receive_time = 0;
    std::uint64_t send_stamp = 0, receive_stamp = 0;
  };
  std::map<std::string, Ends> by_message;
  std::int64_t previous = 0;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto& row = rows[i];
    REQUIRE(row.size() == 10);
    const std::int64_t true_ns = std::stoll(row[1]);
    const std::int64_t local_ns = std::stoll(row[3]);
    CHECK(true_ns >= previous);  // in the order they happened
    previous = true_ns;
    // Constant offsets: local - true is exactly the node's offset.
    CHECK(local_ns - true_ns == (row[2] == "server" ? 3'000'000 : -2'000'000));
    CHECK(std::stod(row[8]) == param_bytes);
    CHECK(((row[7] == "params" && (row[5] == "send") == (row[2] == "server")) ||
           (row[7] == "gradient" && (row[5] == "send") == (row[2] != "server"))));
    Ends& e = by_message[row[9]];
    if (row[5] == "send") {
      ++e.sends;
      e.send_time = true_ns;
      e.send_stamp = std::stoull(row[4]);
    } else {
      ++e.receives;
      e.receive_time = true_ns;
      e.receive_stamp = std::stoull(row[4]);
    }
  }
  // 5 steps: the server sends 4 params per step plus the final ones; workers 4 gradients per step.
  CHECK(by_message.size() >= 40);
  for (const auto& [id, e] : by_message) {
    INFO("message " << id);
    CHECK(e.sends == 1);
    CHECK(e.receives <= 1);
    if (e.receives == 1) {
      CHECK(e.receive_stamp > e.send_stamp);
      CHECK(e.receive_time > e.send_time);
    }
  }
}

TEST_CASE("trace.json: compute spans last FLOPs / FLOP/s, sends last the flow time") {
  const app::ScenarioResult r = run(kStar);
  const app::RunResult& run0 = r.runs.at(0);
  // Forward 2 x in x out per sample per layer, backward twice that: 6 x (8x16 + 16x3) x 10 samples.
  const sim::Time worker_compute = sim::from_seconds(6.0 * (8 * 16 + 16 * 3) * 10 / 1e9);
  int worker_spans = 0;
  for (const sim::Recorder::Span& s : run0.spans) {
    if (s.kind == sim::Recorder::Span::Kind::compute && s.node != 0) {
      CHECK(s.end - s.start == worker_compute);
      ++worker_spans;
    }
    CHECK(s.end >= s.start);
  }
  CHECK(worker_spans >= 4 * 5);
  // The first broadcast: 4 flows of P x 4 bytes share the server's 1 Gb/s
  // link, so each takes latency x 2 hops + 4 x bytes / bandwidth.
  const double bytes = (8.0 * 16 + 16 + 16 * 3 + 3) * 4;
  const sim::Time broadcast = 2 * 10'000 + sim::from_seconds(4 * bytes / 125e6);
  std::map<std::uint64_t, sim::Time> sent;
  int checked = 0;
  for (const sim::Recorder::MessageEvent& e : run0.messages) {
    if (!e.receive) sent[e.message] = e.true_time;
    if (e.receive && e.message <= 4) {
      CHECK(std::llabs(e.true_time - sent.at(e.message) - broadcast) <= 1);
      ++checked;
    }
  }
  CHECK(checked == 4);
  const std::string json = app::trace_json(r);
  CHECK(json == app::trace_json(run(kStar)));  // byte-identical across runs
  CHECK_THAT(json, Catch::Contains("\"name\":\"thread_name\",\"args\":{\"name\":\"worker3\"}"));
  CHECK_THAT(json,
             Catch::Contains("\"ph\":\"X\",\"cat\":\"compute\",\"name\":\"compute\",\"ts\":"));
  CHECK_THAT(json, Catch::Contains("\"dur\":" + std::to_string(worker_compute / 1000) + "." +
                                   std::to_string(worker_compute % 1000 + 1000).substr(1)));
}

TEST_CASE("links.csv: a direction carries every byte sent through it, at most its bandwidth") {
  const app::ScenarioResult r = run(kStar);
  const app::RunResult& run0 = r.runs.at(0);
  std::map<std::string, double> carried;
  for (const app::RunResult::LinkSample& l : run0.link_samples) {
    const double length = sim::to_seconds(l.end - l.start);
    CHECK(l.bytes <= l.bandwidth * length * (1 + 1e-9));
    CHECK(l.busy <= l.end - l.start);
    carried[l.from + ">" + l.to] += l.bytes;
  }
  // Each worker link carries, towards the switch, the worker's gradients (its
  // bytes_sent), and the server's link towards the switch everything the server sent.
  for (const app::RunResult::NodeTraffic& t : run0.traffic) {
    INFO(t.node);
    const auto it = std::find_if(carried.begin(), carried.end(), [&](const auto& kv) {
      return kv.first.rfind(t.node + ">", 0) == 0;
    });
    REQUIRE(it != carried.end());
    CHECK(it->second == Approx(t.bytes_sent).epsilon(1e-9));
  }
  const auto rows = csv_rows(app::links_csv(r));
  CHECK(rows.at(0) == std::vector<std::string>{"algorithm", "link", "from", "to", "start_s",
                                               "end_s", "bytes_carried", "utilisation",
                                               "busy_fraction"});
}
