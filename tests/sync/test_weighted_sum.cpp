// The parameter server's pooled gradient average against the serial Eigen
// loop it replaced: the same bits for every size and thread count.
#include <catch2/catch.hpp>

#include <cstring>
#include <random>
#include <vector>

#include "algorithms/runtime/weighted_sum.h"

namespace {

ml::Vector random_vector(std::int64_t n, std::mt19937& rng) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  ml::Vector v(n);
  for (std::int64_t i = 0; i < n; ++i) v[i] = normal(rng);
  return v;
}

bool same_bits(const ml::Vector& a, const ml::Vector& b) {
  return a.size() == b.size() &&
         std::memcmp(a.data(), b.data(), static_cast<std::size_t>(a.size()) * sizeof(float)) == 0;
}

}  // namespace

TEST_CASE("weighted_sum gives the serial loop's bits for any size and thread count",
          "[weighted_sum]") {
  const std::int64_t n =
      GENERATE(std::int64_t{1}, std::int64_t{1000}, algo::kWeightedSumRange,
               algo::kWeightedSumRange + 1, std::int64_t{50'001}, std::int64_t{101'770});
  const int threads = GENERATE(0, 1, 2, 4);  // 0: no pool
  CAPTURE(n, threads);
  std::mt19937 rng(static_cast<unsigned>(n));
  std::vector<ml::Vector> values;
  std::vector<algo::WeightedInput> inputs;
  std::vector<int> samples = {32, 17, 32, 5, 32, 32, 9, 1};
  int total = 0;
  for (int s : samples) total += s;
  for (std::size_t i = 0; i < samples.size(); ++i) values.push_back(random_vector(n, rng));
  for (std::size_t i = 0; i < samples.size(); ++i) {
    inputs.push_back({static_cast<float>(samples[i]) / static_cast<float>(total), &values[i]});
  }

  // The loop parameter_server.cpp ran on the simulation thread before.
  ml::Vector serial(n);
  serial.setZero();
  for (const auto& in : inputs) serial += in.weight * *in.values;

  std::unique_ptr<algo::MathPool> pool;
  if (threads > 0) pool = std::make_unique<algo::MathPool>(threads);
  ml::Vector out(n);
  out.setConstant(123.0f);  // stale contents must not leak in
  std::vector<algo::MathPool::Job> jobs;
  algo::weighted_sum(pool.get(), inputs, out, jobs);
  CHECK(same_bits(out, serial));
  algo::weighted_sum(pool.get(), inputs, out, jobs);  // scratch reused: same again
  CHECK(same_bits(out, serial));
}
