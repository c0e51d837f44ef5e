// All-reduce with gradient buckets on a layer profile, against the closed
// forms on an uncontended star (alpha = path latency, B = link bandwidth):
//   one bucket, or no overlap: forward + backward + the all-reduces in a
//   row + the optimizer step;
//   buckets with overlap: bucket k is ready at forward + the backward down
//   to its lowest layer, and its all-reduce (of T_k) ends at
//   done_k = max(ready_k, done_{k-1}) + T_k, i.e. max over j <= k of
//   (ready_j + T_j + ... + T_k); when compute dominates no bucket waits and
//   the step ends at max over k of (ready_k + T_k), then the optimizer.
// Ring all-reduce: T = 2(N-1) alpha + 2(N-1)/N S/B (every chunk the same
// size: the bucket sizes are multiples of N).
#include <catch2/catch.hpp>
#include <algorithm>
#include <memory>
#include <vector>

#include "algorithms/ml/profiles/layer_profile.h"
#include "algorithms/runtime/gradient_buckets.h"
#include "algorithms/sync/data_parallel.h"
#include "star_world.h"

namespace {

constexpr int kWorkers = 4;
constexpr int kBatch = 8;
constexpr double kFlops = 1e12;
constexpr double kBandwidth = 1.25e9;  // 10 Gb/s
constexpr double kAlpha = 2 * 5e-6;    // two links of 5 us

// Four layers; the first has 4k - 1 parameters so that the last bucket,
// which carries the weight element too, is a multiple of the 4 ranks.
ml::LayerProfile profile(double flops_scale) {
  ml::LayerProfile p;
  p.name = "test";
  const std::int64_t params[] = {4 * 25'000 - 1, 4 * 50'000, 0, 4 * 100'000};
  const ml::LayerKind kinds[] = {ml::LayerKind::conv, ml::LayerKind::conv, ml::LayerKind::attention,
                                 ml::LayerKind::linear};
  for (int i = 0; i < 4; ++i) {
    ml::ProfileLayer l;
    l.name = "l" + std::to_string(i);
    l.kind = kinds[i];
    l.parameters = params[i];
    l.forward_flops = flops_scale * (i + 1) * 1e6;
    l.backward_flops = 2 * l.forward_flops;
    p.layers.push_back(l);
  }
  return p;
}

ml::DeviceModel device() {
  ml::DeviceModel d;
  d.efficiency[static_cast<int>(ml::LayerKind::conv)] = 0.5;
  d.efficiency[static_cast<int>(ml::LayerKind::attention)] = 0.25;
  d.efficiency[static_cast<int>(ml::LayerKind::linear)] = 1.0;
  return d;
}

double ring_time(double floats) {
  return 2 * (kWorkers - 1) * kAlpha + 2.0 * (kWorkers - 1) / kWorkers * floats * 4 / kBandwidth;
}

// The time of one step of bucketed all-reduce SGD on the profile.
double one_step(const ml::LayerProfile& p, double cap, bool overlap, double straggler = 1.0) {
  std::vector<StarWorld::Host> hosts;
  for (int i = 0; i < kWorkers; ++i) {
    hosts.push_back(
        {"w" + std::to_string(i), kFlops, sim::Distribution::constant_value(straggler)});
  }
  StarWorld world(hosts, {kBandwidth, 5'000}, StarWorld::synthetic(256, 1),
                  StarWorld::synthetic(16, 2), StarWorld::small_mlp(), ml::make_sgd({0.1f}),
                  algo::StopCondition{0, 0.0, 1, 0.0}, algo::EvalSchedule{}, 5);
  world.ctx.timing_only = true;
  world.monitor->set_timing_only();
  world.ctx.profile = &p;
  world.ctx.device = device();
  algo::DataParallelConfig config;
  for (int i = 0; i < kWorkers; ++i) config.workers.push_back(i);
  config.batch_size = kBatch;
  config.bucket_cap_bytes = cap;
  config.overlap = overlap;
  world.launch(std::make_unique<algo::DataParallel>(config));
  world.run();
  REQUIRE(world.monitor->totals().steps == 1);
  return sim::to_seconds(world.monitor->totals().time);
}

struct Parts {
  double forward = 0, optimizer = 0;
  std::vector<double> backward, reduce;  // by bucket
};

Parts parts(const ml::LayerProfile& p, double cap, double straggler = 1.0) {
  const algo::BucketPlan plan = algo::plan_buckets(p, device(), cap);
  Parts out;
  out.forward = plan.forward_flops * kBatch / kFlops * straggler;
  for (std::size_t k = 0; k < plan.buckets.size(); ++k) {
    out.backward.push_back(plan.buckets[k].backward_flops * kBatch / kFlops * straggler);
    const bool last = k + 1 == plan.buckets.size();
    out.reduce.push_back(ring_time(static_cast<double>(plan.buckets[k].floats) + (last ? 1 : 0)));
  }
  // The averaging and the optimizer step: 3P FLOPs.
  out.optimizer = 3.0 * static_cast<double>(p.parameters()) / kFlops * straggler;
  return out;
}

double sum(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s;
}

constexpr double kTolerance = 50e-9;  // a few nanoseconds of rounding per part

}  // namespace

TEST_CASE("DDP buckets are filled in reverse layer order up to the cap") {
  const ml::LayerProfile p = profile(1.0);
  SECTION("a cap below every layer: one bucket per parameterised layer, last layer first") {
    const algo::BucketPlan plan = algo::plan_buckets(p, device(), 4);
    REQUIRE(plan.buckets.size() == 3);
    CHECK(plan.buckets[0].floats == 400'000);
    CHECK(plan.buckets[1].floats == 200'000);  // with the parameter-free layer 2's backward
    CHECK(plan.buckets[1].backward_flops == Approx(6e6 / 0.25 + 4e6 / 0.5));
    CHECK(plan.buckets[2].floats == 99'999);
    CHECK(plan.buckets[2].offset == 600'000);
  }
  SECTION("a cap of 2 MB closes after layers 3 and 1 together") {
    const algo::BucketPlan plan = algo::plan_buckets(p, device(), 2e6);
    REQUIRE(plan.buckets.size() == 2);
    CHECK(plan.buckets[0].floats == 600'000);
    CHECK(plan.buckets[1].floats == 99'999);
  }
  SECTION("a cap above the model: one bucket") {
    CHECK(algo::plan_buckets(p, device(), 1e9).buckets.size() == 1);
  }
}

TEST_CASE("one bucket, or no overlap, takes compute then the all-reduces in a row") {
  const ml::LayerProfile p = profile(1000.0);
  SECTION("one bucket") {
    const Parts s = parts(p, 1e9);
    const double expected = s.forward + sum(s.backward) + sum(s.reduce) + s.optimizer;
    const double got = one_step(p, 1e9, true);
    INFO("step " << got << " s, closed form " << expected);
    CHECK(std::abs(got - expected) < kTolerance);
  }
  SECTION("buckets without overlap") {
    const Parts s = parts(p, 4);
    const double expected = s.forward + sum(s.backward) + sum(s.reduce) + s.optimizer;
    const double got = one_step(p, 4, false);
    INFO("step " << got << " s, closed form " << expected);
    CHECK(std::abs(got - expected) < kTolerance);
  }
}

TEST_CASE("with buckets the step ends at the closed form of overlapped all-reduces") {
  // flops_scale 1e5: backward segments of tens of ms, all-reduces of about
  // a ms: no bucket waits. 1e3: the all-reduces queue behind each other.
  for (double scale : {1e5, 1e3}) {
    const ml::LayerProfile p = profile(scale);
    const Parts s = parts(p, 4);
    std::vector<double> ready;
    double t = s.forward;
    for (double b : s.backward) ready.push_back(t += b);
    double serial = 0;  // max over j of (ready_j + T_j + ... + T_last)
    for (std::size_t j = 0; j < ready.size(); ++j) {
      double tail = 0;
      for (std::size_t k = j; k < ready.size(); ++k) tail += s.reduce[k];
      serial = std::max(serial, ready[j] + tail);
    }
    const double got = one_step(p, 4, true);
    INFO("scale " << scale << ": step " << got << " s, closed form " << serial + s.optimizer);
    CHECK(std::abs(got - (serial + s.optimizer)) < kTolerance);
    if (scale == 1e5) {
      double simple = 0;  // max over buckets of (ready + all-reduce)
      for (std::size_t k = 0; k < ready.size(); ++k)
        simple = std::max(simple, ready[k] + s.reduce[k]);
      CHECK(std::abs(got - (simple + s.optimizer)) < kTolerance);
    }
    // Overlap hides communication: faster than the serial step.
    CHECK(got < s.forward + sum(s.backward) + sum(s.reduce) + s.optimizer - 1e-6);
  }
}

TEST_CASE("a straggler's slowdown stretches every part of a profiled step") {
  const ml::LayerProfile p = profile(1e5);
  const Parts s = parts(p, 4, 2.0);
  double end = 0, t = s.forward;
  for (std::size_t k = 0; k < s.backward.size(); ++k) {
    t += s.backward[k];
    end = std::max(end, t + s.reduce[k]);
  }
  const double got = one_step(p, 4, true, 2.0);
  INFO("step " << got << " s, closed form " << end + s.optimizer);
  CHECK(std::abs(got - (end + s.optimizer)) < kTolerance);
}
