#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include "algorithms/runtime/math_pool.h"

TEST_CASE("every submitted job has run once it is joined, whatever the thread count",
          "[math_pool]") {
  const int threads = GENERATE(1, 2, 4);
  algo::MathPool pool(threads);
  REQUIRE(pool.threads() == threads);
  std::vector<long> results(64, 0);
  std::vector<algo::MathPool::Job> jobs;
  for (std::size_t i = 0; i < results.size(); ++i) {
    jobs.push_back(pool.submit([&results, i] {
      long sum = 0;
      for (long k = 0; k <= static_cast<long>(i) * 1000; ++k) sum += k;
      results[i] = sum;
    }));
  }
  for (auto& job : jobs) job.join();
  for (std::size_t i = 0; i < results.size(); ++i) {
    const long n = static_cast<long>(i) * 1000;
    CHECK(results[i] == n * (n + 1) / 2);
  }
  CHECK(pool.math_seconds() >= 0.0);
}

TEST_CASE("a job's exception reaches whoever joins it", "[math_pool]") {
  const int threads = GENERATE(1, 2);
  algo::MathPool pool(threads);
  algo::MathPool::Job job = pool.submit([] { throw std::runtime_error("bad batch"); });
  CHECK_THROWS_WITH(job.join(), "bad batch");
  job.join();  // now empty: nothing left to rethrow
}

TEST_CASE("with one thread a job runs when joined, and an unjoined job never runs", "[math_pool]") {
  algo::MathPool pool(1);
  std::atomic<int> runs{0};
  {
    algo::MathPool::Job dropped = pool.submit([&] { ++runs; });
  }
  CHECK(runs == 0);  // the run ended before its completion event: not wanted
  algo::MathPool::Job job = pool.submit([&] { ++runs; });
  CHECK(runs == 0);
  job.join();
  CHECK(runs == 1);
}

TEST_CASE("without a pool submit_math runs the work at once", "[math_pool]") {
  int runs = 0;
  algo::MathPool::Job job = algo::submit_math(nullptr, [&] { ++runs; });
  CHECK(runs == 1);
  job.join();
  CHECK(runs == 1);
}

TEST_CASE("a pool needs at least one thread", "[math_pool]") {
  CHECK_THROWS_AS(algo::MathPool(0), std::invalid_argument);
}

TEST_CASE("a MathTimer scope adds its host time to the pool's math seconds", "[math_pool]") {
  algo::MathPool pool(1);
  {
    algo::MathTimer timer(&pool);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(pool.math_seconds() >= 0.020);  // a steady clock never reads short
  CHECK(pool.math_seconds() < 10.0);    // nor absurdly long (a unit mix-up)
  algo::MathTimer nothing(nullptr);     // unit tests without a pool: no effect
}
