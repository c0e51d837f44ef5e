// The testbed's schedule (app/testbed_plan.h), its calibration pattern
// (app/testbed_calibration.h) and its line fit (app/testbed_report.h),
// against closed forms: a ring all-reduce's message counts, sizes and
// alpha-beta step time, and exact lines.
#include <catch2/catch.hpp>
#include <cmath>
#include <sstream>
#include <string>

#include "app/scenario_loader.h"
#include "app/testbed_calibration.h"
#include "app/testbed_messages.h"
#include "app/testbed_plan.h"
#include "app/testbed_report.h"
#include "run/run.h"

using app::testbed::Op;

namespace {

// Four workers ring-all-reduce (100 + 1) x 1000 + (1000 + 1) x 12 = 113012
// parameters and the sample count (113013 floats: chunks of 28254 and 28253
// floats, 113016 and 113012 bytes) three times on a 100 Mbit/s star; compute
// is a few ns.
const std::string kRing = R"yaml(name: t
seed: 3
cluster:
  worker: {count: 4, flops: 100TFLOPS}
topology: {kind: star, bandwidth: 100Mbps, latency: 5us}
data: {dataset: synthetic, samples: 400, features: 100, classes: 12}
model: {layers: [100, 1000, 12]}
algorithm: {kind: allreduce_ring, batch_size: 4}
math: none
outputs: {trace: true}
stop: {steps: 3}
)yaml";

app::testbed::Plan ring_plan() {
  const app::Scenario s = app::load_scenario_string(kRing, "s.yaml");
  return app::testbed::plan_of(syncsim::run(s).runs.at(0));
}

}  // namespace

TEST_CASE("a ring all-reduce's plan sends 2(N-1) chunks per step to the next rank") {
  const app::testbed::Plan plan = ring_plan();
  REQUIRE(plan.hosts == 4);
  for (int h = 0; h < 4; ++h) {
    int sends = 0, receives = 0;
    sim::Time last = 0;
    for (const Op& op : plan.ops[static_cast<std::size_t>(h)]) {
      CHECK(op.sim_time >= last);  // replay order is simulated-time order
      last = op.sim_time;
      if (op.kind == Op::Kind::send) {
        ++sends;
        CHECK(op.peer == (h + 1) % 4);
        CHECK((op.bytes == 28253 * 4 || op.bytes == 28254 * 4));
      }
      if (op.kind == Op::Kind::receive) {
        ++receives;
        CHECK(op.peer == (h + 3) % 4);
      }
    }
    CHECK(sends == 3 * 2 * 3);
    CHECK(receives == 3 * 2 * 3);
  }
  CHECK(app::testbed::total_messages(plan) == 4 * 3 * 2 * 3);
  // Every phase moves each chunk once: the whole buffer.
  CHECK(app::testbed::total_bytes(plan) == std::int64_t{113013} * 4 * 2 * 3 * 3);
}

TEST_CASE("a ring all-reduce's predicted steps take the alpha-beta time") {
  const app::testbed::Plan plan = ring_plan();
  const auto bounds = app::testbed::step_bounds(plan, app::testbed::simulated_times(plan));
  REQUIRE(bounds.size() == 4);  // three steps
  // T = 2(N-1) (alpha + chunk / B), alpha = two 5 us links, B = 12.5e6 B/s,
  // the larger chunk deciding; the steps' compute adds a few microseconds.
  const double expected = 2 * 3 * (10e-6 + 28254.0 * 4 / 12.5e6);
  for (std::size_t k = 1; k < bounds.size(); ++k) {
    const double step = static_cast<double>(bounds[k] - bounds[k - 1]) * 1e-9;
    INFO("step " << k << ": " << step << " s, expected " << expected);
    CHECK(std::abs(step - expected) < 1e-5);
  }
}

TEST_CASE("a plan survives its text form") {
  const app::testbed::Plan plan = ring_plan();
  std::stringstream text;
  app::testbed::write_plan(text, plan);
  const app::testbed::Plan back = app::testbed::read_plan(text);
  REQUIRE(back.hosts == plan.hosts);
  CHECK(back.end == plan.end);
  for (std::size_t h = 0; h < plan.ops.size(); ++h) {
    REQUIRE(back.ops[h].size() == plan.ops[h].size());
    for (std::size_t i = 0; i < plan.ops[h].size(); ++i) {
      const Op& a = plan.ops[h][i];
      const Op& b = back.ops[h][i];
      CHECK((a.kind == b.kind && a.sim_time == b.sim_time && a.duration == b.duration &&
             a.message == b.message && a.peer == b.peer && a.bytes == b.bytes));
    }
  }
  std::stringstream bad("not a plan");
  CHECK_THROWS(app::testbed::read_plan(bad));
}

TEST_CASE("the calibration shift sends each member's message to the next, round by round") {
  const std::vector<int> members{0, 2, 3};
  const auto plan = app::testbed::shift_plan(4, members, {1000, 5000}, 2);
  CHECK(plan.ops[1].empty());
  for (std::size_t i = 0; i < members.size(); ++i) {
    const auto& ops = plan.ops[static_cast<std::size_t>(members[i])];
    REQUIRE(ops.size() == 2 * 4);
    CHECK(ops[0].kind == Op::Kind::send);
    CHECK(ops[0].peer == members[(i + 1) % 3]);
    CHECK(ops[1].kind == Op::Kind::receive);
    CHECK(ops[1].peer == members[(i + 2) % 3]);
    CHECK(ops[6].bytes == 5000);
  }
  // Times by hand: round 0's transfers take 1, 2 and 3 ms; round 1's 4, 1, 1.
  app::testbed::OpTimes t(4);
  t[0] = {0, 3'000'000, 10'000'000, 11'000'000, 20, 21, 30, 31};
  t[2] = {0, 1'000'000, 10'000'000, 14'000'000, 20, 21, 30, 31};
  t[3] = {0, 2'000'000, 10'000'000, 11'000'000, 20, 21, 30, 31};
  const auto points = app::testbed::round_points(plan, t, members);
  REQUIRE(points.size() == 4);
  CHECK(points[0].first == 1000);
  CHECK(points[0].second == Approx(0.002));  // the median of 1, 2 and 3 ms
  CHECK(points[1].second == Approx(0.001));  // of 4, 1 and 1 ms
}

TEST_CASE("the line fit recovers an exact line and needs two sizes") {
  std::vector<std::pair<double, double>> points;
  for (double bytes : {1e3, 1e5, 1e7}) points.emplace_back(bytes, 2e-4 + bytes * 8.5e-8);
  const app::testbed::LineFit fit = app::testbed::fit_line(points);
  CHECK(fit.intercept_s == Approx(2e-4).epsilon(1e-9));
  CHECK(fit.slope_s_per_byte == Approx(8.5e-8).epsilon(1e-9));
  CHECK_THROWS_AS(app::testbed::fit_line({{1e3, 1.0}, {1e3, 2.0}}), std::invalid_argument);
}

TEST_CASE("the fit takes the median round of each size") {
  const auto m = app::testbed::median_per_size(
      {{4e6, 0.30}, {1e6, 0.09}, {4e6, 0.90}, {4e6, 0.31}, {1e6, 0.07}});
  REQUIRE(m.size() == 2);
  CHECK(m[0].first == 1e6);
  CHECK(m[0].second == Approx(0.08));
  CHECK(m[1].first == 4e6);
  CHECK(m[1].second == Approx(0.31));
}

TEST_CASE("the header arithmetic gives TCP's share of a shaped link") {
  // 1448 payload bytes per 1514-byte frame; an ACK of 66 bytes per two
  // segments adds 33 bytes per segment on the same direction.
  CHECK(app::testbed::header_efficiency(0) == Approx(1448.0 / 1514.0));
  CHECK(app::testbed::header_efficiency(0.5) == Approx(1448.0 / 1547.0));
  CHECK(app::testbed::header_efficiency(0.5) == Approx(0.93601).epsilon(1e-4));
}

TEST_CASE("messages.csv pairs every send with its delivery") {
  // Host 0 sends message 7 (1000 bytes) to host 1 at 1 ms; it is delivered
  // at 3 ms in the simulation; the testbed measured 1.5 ms and 4 ms.
  app::testbed::Plan plan;
  plan.hosts = 2;
  plan.ops = {
      {{Op::Kind::compute, 0, 1'000'000, 0, -1, 0}, {Op::Kind::send, 1'000'000, 0, 7, 1, 1000}},
      {{Op::Kind::receive, 3'000'000, 0, 7, 0, 1000}}};
  const app::testbed::OpTimes measured{{0, 1'500'000}, {4'000'000}};
  CHECK(app::testbed::messages_csv(plan, measured) ==
        "message,from,to,bytes,predicted_send_s,predicted_delivery_s,measured_send_s,"
        "measured_delivery_s\n"
        "7,0,1,1000,0.001000000,0.003000000,0.001500000,0.004000000\n");
}
