#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "sim/clock.h"
#include "sim/lamport.h"

using namespace sim::literals;

TEST_CASE("a node clock reads offset plus drifted true time, rounded once to the nanosecond") {
  SECTION("a default clock is perfect") {
    sim::NodeClock clock;
    CHECK(clock.local_time(0) == 0);
    CHECK(clock.local_time(123'456'789) == 123'456'789);
  }
  SECTION("an offset alone shifts every reading") {
    sim::NodeClock clock({-5_ms, 0.0}, sim::RandomStream(1));
    CHECK(clock.local_time(0) == -5'000'000);
    CHECK(clock.local_time(2_s) == 2'000'000'000 - 5'000'000);
  }
  SECTION("+50 ppm gains 50 us per second") {
    sim::NodeClock clock({0, 50.0}, sim::RandomStream(1));
    CHECK(clock.local_time(1_s) == 1'000'050'000);
    CHECK(clock.local_time(10_s) == 10'000'500'000);
  }
  SECTION("a fractional nanosecond of drift is rounded, not accumulated") {
    sim::NodeClock clock({7, 1000.0}, sim::RandomStream(1));  // 1000 ppm: 0.001 ns per ns
    CHECK(clock.local_time(400) == 7 + 400);                  // 0.4 ns rounds down
    CHECK(clock.local_time(600) == 7 + 600 + 1);              // 0.6 ns rounds up
    CHECK(clock.local_time(1_s) == 7 + 1'001'000'000);
  }
}

TEST_CASE("a step correction adds to every later reading and keeps the rate") {
  sim::NodeClock clock({1_ms, 100.0}, sim::RandomStream(1));
  const sim::Time before = clock.local_time(1_s);  // 1 ms + 1 s + 100 us
  CHECK(before == 1'001'100'000);
  clock.step(1_s, -1'100'000);
  CHECK(clock.local_time(1_s) == 1'000'000'000);
  CHECK(clock.local_time(2_s) == 2'000'100'000);
}

TEST_CASE("a local duration lasts less true time on a fast clock") {
  sim::NodeClock fast({0, 1000.0}, sim::RandomStream(1));
  CHECK(fast.true_duration(1'001'000) == 1'000'000);
  sim::NodeClock perfect;
  CHECK(perfect.true_duration(12345) == 12345);
}

TEST_CASE("random-walk drift changes the rate at each interval, reproducibly") {
  const sim::ClockParams params{0, 10.0, 5.0, 100_ms};
  sim::NodeClock a(params, sim::RandomStream(42, "worker0", "clock"));
  sim::NodeClock b(params, sim::RandomStream(42, "worker0", "clock"));
  SECTION("the same stream gives the same readings, whatever the reading pattern") {
    for (sim::Time t = 0; t <= 3_s; t += 7_ms) a.local_time(t);
    CHECK(a.local_time(3_s) == b.local_time(3_s));
    CHECK(a.drift_ppm() == b.drift_ppm());
  }
  SECTION("the drift moves away from its start and readings stay continuous") {
    const sim::Time before = a.local_time(100_ms - 1);
    const sim::Time after = a.local_time(100_ms + 1);
    CHECK(after - before >= 1);
    CHECK(after - before <= 3);
    a.local_time(1_s);
    CHECK(a.drift_ppm() != 10.0);
  }
  SECTION("without a walk the drift is fixed") {
    sim::NodeClock fixed({0, 10.0}, sim::RandomStream(42));
    fixed.local_time(10_s);
    CHECK(fixed.drift_ppm() == 10.0);
  }
}

TEST_CASE("a walked drift reflects off its bounds, however far a step goes") {
  SECTION("hand-folded values") {
    CHECK(sim::walk_reflect(0.25, -1.0, 1.0) == 0.25);    // inside: unchanged
    CHECK(sim::walk_reflect(1.0, -1.0, 1.0) == 1.0);      // on a bound: unchanged
    CHECK(sim::walk_reflect(1.5, -1.0, 1.0) == 0.5);      // 0.5 past the top
    CHECK(sim::walk_reflect(-1.25, -1.0, 1.0) == -0.75);  // 0.25 past the bottom
    CHECK(sim::walk_reflect(3.5, -1.0, 1.0) == -0.5);     // down 2, off the bottom, up 0.5
    CHECK(sim::walk_reflect(5.5, -1.0, 1.0) == 0.5);      // off the top, the bottom, the top
    CHECK(sim::walk_reflect(-4.0, -1.0, 1.0) == 0.0);
    CHECK(sim::walk_reflect(2.0e5, -1e5, 1e5) == 0.0);
  }
  SECTION("a walk of 1e5 ppm per sqrt-second is the reflected sum of its normals") {
    // The same normals from a copy of the stream, summed and folded by hand.
    const sim::ClockParams params{0, 3e4, 1e5, 1_s};
    sim::NodeClock clock(params, sim::RandomStream(9, "worker3", "clock"));
    sim::RandomStream normals(9, "worker3", "clock");
    double expected = 3e4;
    double lowest = 0, highest = 0;
    sim::Time last = clock.local_time(0);
    for (sim::Time t = 1_s; t <= 2000_s; t += 1_s) {
      double next = expected + 1e5 * normals.normal(0.0, 1.0);
      while (next > 1e5 || next < -1e5) next = next > 1e5 ? 2e5 - next : -2e5 - next;
      expected = next;
      const sim::Time now = clock.local_time(t);
      REQUIRE(clock.drift_ppm() == Approx(expected).margin(1e-6));
      REQUIRE(now > last);  // never stops, never runs backwards
      REQUIRE(clock.true_duration(100_ms) > 0);
      last = now;
      lowest = std::min(lowest, expected);
      highest = std::max(highest, expected);
    }
    // The walk really reached both sides of its range.
    CHECK(lowest < -9e4);
    CHECK(highest > 9e4);
  }
  SECTION("a drift that starts beyond the bound keeps its start as the bound") {
    sim::NodeClock clock({0, -5e5, 1e5, 1_s}, sim::RandomStream(2));
    for (sim::Time t = 1_s; t <= 500_s; t += 1_s) {
      clock.local_time(t);
      REQUIRE(clock.drift_ppm() >= -5e5);
      REQUIRE(clock.drift_ppm() <= 1e5);
    }
  }
  SECTION("a walk that stays inside is the plain sum, bit for bit") {
    sim::NodeClock clock({0, 10.0, 5.0, 100_ms}, sim::RandomStream(42, "worker0", "clock"));
    sim::RandomStream normals(42, "worker0", "clock");
    double expected = 10.0;
    const double per_step = 5.0 * std::sqrt(0.1);
    for (sim::Time t = 100_ms; t <= 10_s; t += 100_ms) {
      expected += per_step * normals.normal(0.0, 1.0);
      clock.local_time(t);
      REQUIRE(clock.drift_ppm() == expected);
    }
  }
}

TEST_CASE("a local duration too long for simulated time on a slow clock is a TimeOverflow") {
  sim::NodeClock slow({0, -999'999.0}, sim::RandomStream(1));  // 1e-6 of the true rate
  CHECK(static_cast<double>(slow.true_duration(1_s)) == Approx(1e15).epsilon(1e-9));
  CHECK_THROWS_AS(slow.true_duration(100'000'000_s), sim::TimeOverflow);
}

TEST_CASE("bad clock parameters are rejected") {
  SECTION("a rate error of -1e6 ppm stops the clock") {
    CHECK_THROWS_AS(sim::NodeClock({0, -1e6}, sim::RandomStream(1)), std::invalid_argument);
  }
  SECTION("a non-finite drift") {
    CHECK_THROWS_AS(sim::NodeClock({0, std::nan("")}, sim::RandomStream(1)), std::invalid_argument);
  }
  SECTION("a negative walk") {
    CHECK_THROWS_AS(sim::NodeClock({0, 0.0, -1.0}, sim::RandomStream(1)), std::invalid_argument);
  }
  SECTION("a zero walk interval") {
    CHECK_THROWS_AS(sim::NodeClock({0, 0.0, 1.0, 0}, sim::RandomStream(1)), std::invalid_argument);
  }
}

TEST_CASE("a Lamport clock ticks on send and jumps past the stamp on delivery") {
  sim::LamportClocks clocks(3);
  SECTION("a send ticks only the sender") {
    CHECK(clocks.on_send(0) == 1);
    CHECK(clocks.value(1) == 0);
  }
  SECTION("a delivery takes the max of own and stamp, plus one") {
    for (int i = 0; i < 5; ++i) clocks.tick(2);
    CHECK(clocks.on_deliver(0, 2, 3) == 6);  // own 5 > stamp 3
    CHECK(clocks.on_deliver(0, 1, 3) == 4);  // stamp 3 > own 0
  }
}

TEST_CASE("a slew gains exactly the correction at the slew rate, without stepping") {
  SECTION("a positive slew of 1 ms at 500 ppm takes 2 s") {
    sim::NodeClock clock({0, 0.0}, sim::RandomStream(1));
    clock.slew(1_s, 1_ms, 500.0);
    CHECK(clock.slewing());
    CHECK(clock.local_time(1_s) == 1_s);
    CHECK(clock.local_time(2_s) == 2_s + 500'000);
    CHECK(clock.local_time(3_s) == 3_s + 1_ms);
    CHECK_FALSE(clock.slewing());
    CHECK(clock.local_time(10_s) == 10_s + 1_ms);
  }
  SECTION("a negative slew on a drifting clock slows it, and readings never go back") {
    sim::NodeClock clock({0, 40.0}, sim::RandomStream(1));
    clock.slew(0, -300'000, 600.0);  // 0.5 s at -600 ppm
    sim::Time previous = clock.local_time(0);
    for (sim::Time t = 1'000; t <= 600_ms; t += 1'000) {
      const sim::Time now = clock.local_time(t);
      CHECK(now >= previous);
      previous = now;
    }
    CHECK(clock.local_time(1_s) == 1_s + 40'000 - 300'000);
  }
  SECTION("a new slew takes over the remainder of the running one") {
    sim::NodeClock clock({0, 0.0}, sim::RandomStream(1));
    clock.slew(0, 1_ms, 1000.0);       // 1 s
    clock.slew(500_ms, 1_ms, 1000.0);  // 0.5 ms gained, 1.5 ms to go: 1.5 s more
    CHECK(clock.local_time(500_ms) == 500_ms + 500'000);
    CHECK(clock.local_time(2_s) == 2_s + 2_ms);
    CHECK_FALSE(clock.slewing());
  }
  SECTION("a bad slew rate is rejected") {
    sim::NodeClock clock;
    CHECK_THROWS_AS(clock.slew(0, 1, 0.0), std::invalid_argument);
    CHECK_THROWS_AS(clock.slew(0, 1, 1e6), std::invalid_argument);
  }
}
