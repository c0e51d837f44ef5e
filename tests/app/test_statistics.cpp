// Student-t quantiles and mean intervals (run/statistics.h) against published
// table values and hand computations; the replicate statistics tables
// (run/replicate_stats.h) on a small summary written out by hand.
#include <catch2/catch.hpp>
#include <cmath>

#include "run/replicate_stats.h"
#include "run/statistics.h"

using syncsim::mean_interval;
using syncsim::student_t_quantile;
using syncsim::student_t_two_sided;

TEST_CASE("Student t quantiles match the published table") {
  // Two-sided 95% critical values, t(0.975, df), to the tables' 3 decimals
  // and to 1e-9 of the values R's qt() prints.
  struct Row {
    int df;
    double table, exact;
  };
  const Row row =
      GENERATE(Row{1, 12.706, 12.706204736174698}, Row{2, 4.303, 4.302652729749464},
               Row{4, 2.776, 2.7764451051977987}, Row{10, 2.228, 2.2281388519862744},
               Row{30, 2.042, 2.0422724563012373}, Row{1000, 1.962, 1.9623390808264074});
  const double t = student_t_quantile(0.975, row.df);
  INFO("df " << row.df << ": " << t);
  CHECK(std::abs(t - row.table) < 5e-4);
  CHECK(std::abs(t - row.exact) < 1e-9 * row.exact);
  SECTION("other levels") {
    CHECK(std::abs(student_t_quantile(0.995, 5) - 4.032142983557536) < 1e-9);
    CHECK(std::abs(student_t_quantile(0.95, 3) - 2.3533634348018264) < 1e-9);
    CHECK(student_t_quantile(0.5, 7) == Approx(0.0).margin(1e-12));
  }
}

TEST_CASE("the two-sided t probability has its closed forms") {
  // df = 1 is the Cauchy distribution: P(|T| <= t) = 2 atan(t) / pi.
  CHECK(student_t_two_sided(1.0, 1) == Approx(0.5).epsilon(1e-14));
  // df = 2: t / sqrt(2 + t^2).
  CHECK(student_t_two_sided(3.0, 2) == Approx(3.0 / std::sqrt(11.0)).epsilon(1e-14));
  CHECK(student_t_two_sided(0.0, 9) == 0.0);
  // Large df approaches the normal: P(|Z| <= 1.959963985) = 0.95.
  CHECK(student_t_two_sided(1.959963984540054, 100000) == Approx(0.95).epsilon(1e-4));
}

TEST_CASE("a mean interval is mean +- t * sd / sqrt(n)") {
  SECTION("five values by hand") {
    const auto m = mean_interval({1, 2, 3, 4, 5});
    CHECK(m.n == 5);
    CHECK(m.mean == 3.0);
    CHECK(m.sd == Approx(std::sqrt(2.5)).epsilon(1e-15));
    const double half = 2.7764451051977987 * std::sqrt(2.5) / std::sqrt(5.0);
    CHECK(m.half_width == Approx(half).epsilon(1e-9));
    CHECK(m.low == Approx(3.0 - half).epsilon(1e-9));
    CHECK(m.high == Approx(3.0 + half).epsilon(1e-9));
  }
  SECTION("equal values have no spread") {
    const auto m = mean_interval({0.5, 0.5, 0.5});
    CHECK(m.sd == 0.0);
    CHECK(m.half_width == 0.0);
    CHECK(m.low == 0.5);
  }
  SECTION("one value has a mean but no interval") {
    const auto m = mean_interval({0.7});
    CHECK(m.mean == 0.7);
    CHECK(std::isnan(m.sd));
    CHECK(std::isnan(m.half_width));
  }
  SECTION("no value has no mean") { CHECK(std::isnan(mean_interval({}).mean)); }
}

TEST_CASE("summary statistics and paired differences come from the summary rows") {
  syncsim::SummaryTable t;
  t.columns = {"scenario",    "algorithm",           "seed",
               "stop_reason", "final_test_accuracy", "time_to_target_s"};
  t.rows = {{"s", "a", "1", "epochs", "0.8", "1"},  {"s", "b", "1", "epochs", "0.7", ""},
            {"s", "a", "2", "epochs", "0.9", "2"},  {"s", "b", "2", "epochs", "0.75", ""},
            {"s", "a", "3", "epochs", "0.85", "3"}, {"s", "b", "3", "epochs", "0.8", "4"}};
  const auto stats = syncsim::summary_stats(t);
  SECTION("one row per algorithm and numeric metric with a value") {
    REQUIRE(stats.size() == 4);
    CHECK(stats[0].algorithm == "a");
    CHECK(stats[0].metric == "final_test_accuracy");
    CHECK(stats[0].interval.mean == Approx(0.85));
    CHECK(stats[0].interval.sd == Approx(0.05));
    CHECK(stats[0].interval.half_width == Approx(4.302652729749464 * 0.05 / std::sqrt(3.0)));
    CHECK(stats[3].metric == "time_to_target_s");
    CHECK(stats[3].interval.n == 1);  // b reached the target on one seed only
    CHECK(syncsim::find_stats(stats, "b", "final_test_accuracy")->interval.mean == Approx(0.75));
  }
  SECTION("paired by seed: a - b") {
    const auto paired = syncsim::paired_stats(t, "b");
    REQUIRE(paired.size() == 2);
    CHECK(paired[0].algorithm == "a");
    CHECK(paired[0].reference == "b");
    // Differences 0.1, 0.15, 0.05.
    CHECK(paired[0].difference.mean == Approx(0.1));
    CHECK(paired[0].difference.sd == Approx(0.05));
    CHECK(paired[1].difference.n == 1);  // time_to_target_s: seed 3 only, 3 - 4
    CHECK(paired[1].difference.mean == -1.0);
  }
  SECTION("the CSVs leave unknown spreads empty") {
    const std::string csv = syncsim::summary_stats_csv(stats);
    CHECK(csv.rfind("algorithm,metric,n,mean,sd,half_width_95,low_95,high_95\n", 0) == 0);
    CHECK(csv.find("\nb,time_to_target_s,1,4,,,,\n") != std::string::npos);
    CHECK(syncsim::paired_csv(syncsim::paired_stats(t, "b"))
              .find("\na,b,time_to_target_s,1,-1,,,,\n") != std::string::npos);
  }
}
