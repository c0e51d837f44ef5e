// A server's optimizer step cut into ranges on the math pool against an
// element-by-element loop written from the torch.optim formulas (the same
// bits for SGD; for Adam within 1e-6, as Eigen's vectorised square root is
// not the scalar one), and bit for bit against the same optimizer stepping
// the whole vector at once, for every size and thread count; and snapshot
// buffers are reused only once nobody holds them.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "algorithms/runtime/server_step.h"
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

// The reference: one element at a time, in float, each operation rounded
// as written (the build has no FMA contraction).
struct ReferenceSgd {
  ml::SgdConfig c;
  std::vector<float> b;
  void step(ml::Vector& p, const ml::Vector& grad) {
    const bool first = b.empty();
    if (first) b.resize(static_cast<std::size_t>(p.size()));
    for (Eigen::Index i = 0; i < p.size(); ++i) {
      float g = c.weight_decay != 0.0f ? grad[i] + c.weight_decay * p[i] : grad[i];
      if (c.momentum != 0.0f) {
        float& bi = b[static_cast<std::size_t>(i)];
        bi = first ? g : c.momentum * bi + g;
        g = c.nesterov ? g + c.momentum * bi : bi;
      }
      p[i] = p[i] - c.lr * g;
    }
  }
};

struct ReferenceAdam {
  ml::AdamConfig c;
  std::vector<float> m, v;
  int t = 0;
  void step(ml::Vector& p, const ml::Vector& grad) {
    if (m.empty()) {
      m.assign(static_cast<std::size_t>(p.size()), 0.0f);
      v.assign(static_cast<std::size_t>(p.size()), 0.0f);
    }
    ++t;
    const auto step_size =
        static_cast<float>(c.lr / (1.0 - std::pow(static_cast<double>(c.beta1), t)));
    const auto c2 = static_cast<float>(std::sqrt(1.0 - std::pow(static_cast<double>(c.beta2), t)));
    for (Eigen::Index i = 0; i < p.size(); ++i) {
      const auto k = static_cast<std::size_t>(i);
      const float g = c.weight_decay != 0.0f ? grad[i] + c.weight_decay * p[i] : grad[i];
      m[k] = c.beta1 * m[k] + (1.0f - c.beta1) * g;
      v[k] = c.beta2 * v[k] + (1.0f - c.beta2) * (g * g);
      p[i] = p[i] - step_size * m[k] / (std::sqrt(v[k]) / c2 + c.eps);
    }
  }
};

bool close(const ml::Vector& a, const ml::Vector& b, float tolerance) {
  float worst = 0.0f;
  for (Eigen::Index i = 0; i < a.size(); ++i) {
    worst = std::max(worst, std::abs(a[i] - b[i]) / (1.0f + std::abs(b[i])));
  }
  INFO("largest relative difference " << worst);
  return worst <= tolerance;
}

template <class Reference>
void compare(Reference reference, std::unique_ptr<ml::Optimizer> optimizer, std::int64_t n,
             int threads, float tolerance) {
  const std::unique_ptr<ml::Optimizer> whole = optimizer->clone();
  std::mt19937 rng(static_cast<unsigned>(n) + static_cast<unsigned>(threads));
  std::unique_ptr<algo::MathPool> pool;
  if (threads > 0) pool = std::make_unique<algo::MathPool>(threads);
  ml::Vector params = random_vector(n, rng);
  ml::Vector expected = params;
  ml::Vector uncut = params;
  ml::Vector global(n + 7);  // the server's slice sits at an offset in the global model
  ml::Vector snapshot(n);
  std::vector<algo::MathPool::Job> jobs;
  for (int step = 0; step < 4; ++step) {
    const ml::Vector grad = random_vector(n, rng);
    reference.step(expected, grad);
    whole->step(uncut, grad);
    float* const copies[] = {global.data() + 7, snapshot.data()};
    algo::server_step(pool.get(), *optimizer, params, grad, copies, jobs);
    INFO("step " << step + 1);
    REQUIRE(same_bits(params, uncut));
    REQUIRE(same_bits(ml::Vector(global.segment(7, n)), uncut));
    REQUIRE(same_bits(snapshot, uncut));
    if (tolerance == 0.0f) {
      REQUIRE(same_bits(params, expected));
    } else {
      REQUIRE(close(params, expected, tolerance));
    }
  }
}

}  // namespace

TEST_CASE("server_step gives the element-by-element formulas' bits for any cut and thread count",
          "[server_step]") {
  const std::int64_t n = GENERATE(std::int64_t{1}, std::int64_t{1000}, algo::kWeightedSumRange + 1,
                                  std::int64_t{101'770});
  const int threads = GENERATE(0, 1, 2, 3);  // 0: no pool
  CAPTURE(n, threads);
  SECTION("plain sgd") {
    const ml::SgdConfig c{0.1f, 0.0f, 0.0f, false};
    compare(ReferenceSgd{c, {}}, ml::make_sgd(c), n, threads, 0.0f);
  }
  SECTION("sgd with momentum and weight decay") {
    const ml::SgdConfig c{0.05f, 0.9f, 1e-3f, false};
    compare(ReferenceSgd{c, {}}, ml::make_sgd(c), n, threads, 0.0f);
  }
  SECTION("nesterov") {
    const ml::SgdConfig c{0.05f, 0.8f, 0.0f, true};
    compare(ReferenceSgd{c, {}}, ml::make_sgd(c), n, threads, 0.0f);
  }
  SECTION("adam with weight decay") {
    const ml::AdamConfig c{1e-3f, 0.9f, 0.999f, 1e-8f, 1e-2f};
    compare(ReferenceAdam{c, {}, {}, 0}, ml::make_adam(c), n, threads, 1e-6f);
  }
}

TEST_CASE("a snapshot buffer is reused only once every holder has let it go", "[server_step]") {
  algo::SnapshotBuffers buffers;
  std::shared_ptr<const ml::Vector> current = buffers.acquire(10);
  std::shared_ptr<const ml::Vector> in_flight = current;  // a message still carries it
  const ml::Vector* first = current.get();
  current = buffers.acquire(10);
  CHECK(current.get() != first);  // held by the message: not handed out again
  const ml::Vector* second = current.get();
  in_flight.reset();  // delivered and loaded
  std::shared_ptr<const ml::Vector> next = buffers.acquire(10);
  CHECK(next.get() == first);  // recycled, not allocated
  CHECK(next.get() != second);
  CHECK(buffers.acquire(12)->size() == 12);  // a different size is never handed out
}
