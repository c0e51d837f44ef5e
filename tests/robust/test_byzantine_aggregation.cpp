// ByzantineAggregation: what each attack sends, checked by hand, before the
// server's rule sees it.
#include <catch2/catch.hpp>

#include <cmath>
#include <memory>
#include <vector>

#include "algorithms/robust/byzantine_aggregation.h"
#include "sim/random.h"

namespace {

ml::Vector vec(std::initializer_list<float> values) {
  ml::Vector v(static_cast<Eigen::Index>(values.size()));
  Eigen::Index i = 0;
  for (float x : values) v[i++] = x;
  return v;
}

// A rule that keeps copies of what it was given and returns the first.
class Capture final : public algo::Aggregator {
 public:
  explicit Capture(std::vector<ml::Vector>* seen) : seen_(seen) {}
  std::string_view name() const override { return "capture"; }
  void aggregate(const algo::RunContext&, std::span<const algo::Contribution> in,
                 ml::Vector& out) override {
    seen_->clear();
    for (const algo::Contribution& c : in) seen_->push_back(*c.values);
    out = seen_->front();
  }
  double flops(std::int64_t, int) const override { return 0; }

 private:
  std::vector<ml::Vector>* seen_;
};

algo::AttackSpec spec(algo::AttackKind kind, double scale = 1.0) {
  algo::AttackSpec s;
  s.kind = kind;
  s.scale = scale;
  return s;
}

// What the rule saw from contributions `values` with attack `attack` on the last one.
std::vector<ml::Vector> sent(const std::vector<ml::Vector>& values, algo::AttackSpec attack,
                             bool relative = false, ml::Vector global = {}) {
  std::vector<ml::Vector> seen;
  std::vector<std::optional<algo::AttackSpec>> attacks(values.size());
  attacks.back() = attack;
  std::vector<std::string> names;
  for (std::size_t i = 0; i < values.size(); ++i) names.push_back("worker" + std::to_string(i));
  algo::ByzantineAggregation agg(std::make_unique<Capture>(&seen), attacks, names, relative, true,
                                 "");
  std::vector<algo::Contribution> in;
  for (std::size_t i = 0; i < values.size(); ++i)
    in.push_back({static_cast<int>(i), &values[i], 1});
  algo::RunContext ctx;
  ctx.seed = 99;
  ml::Vector out = relative ? global : ml::Vector(values.front().size());
  agg.aggregate(ctx, in, out);
  return seen;
}

}  // namespace

TEST_CASE("sign flip and scale send c times the honest gradient, negated or not") {
  const std::vector<ml::Vector> g = {vec({1, 2}), vec({3, -4})};
  const auto flipped = sent(g, spec(algo::AttackKind::sign_flip, 3.0));
  CHECK(flipped[0] == vec({1, 2}));  // honest ones untouched
  CHECK(flipped[1] == vec({-9, 12}));
  CHECK(sent(g, spec(algo::AttackKind::scale, 10.0))[1] == vec({30, -40}));
  CHECK(sent(g, spec(algo::AttackKind::label_flip))[1] == vec({3, -4}));  // attacked in training
}

TEST_CASE("for models (FedAvg) an attack acts on the update from the global model") {
  const std::vector<ml::Vector> models = {vec({1, 1}), vec({3, 1})};
  // global (1, 1): update (2, 0), flipped (-2, 0), sent model (-1, 1).
  CHECK(sent(models, spec(algo::AttackKind::sign_flip), true, vec({1, 1}))[1] == vec({-1, 1}));
  CHECK(sent(models, spec(algo::AttackKind::scale, 5.0), true, vec({1, 1}))[1] == vec({11, 1}));
}

TEST_CASE("a little is enough sends the honest mean minus z honest standard deviations") {
  // Honest: 0, 2, 4 (mean 2, population variance 8/3); and 1, 1, 1 (spread 0).
  const std::vector<ml::Vector> g = {vec({0, 1}), vec({2, 1}), vec({4, 1}), vec({100, 100})};
  algo::AttackSpec alie = spec(algo::AttackKind::alie);
  alie.z = 1.5;
  const ml::Vector out = sent(g, alie)[3];
  CHECK(out[0] == Approx(2.0 - 1.5 * std::sqrt(8.0 / 3.0)));
  CHECK(out[1] == 1.0f);
}

TEST_CASE("gaussian noise comes from the attacker's own stream, with the set spread") {
  const std::vector<ml::Vector> g = {ml::Vector::Zero(20000), ml::Vector::Constant(20000, 7.0f)};
  algo::AttackSpec noise = spec(algo::AttackKind::gaussian);
  noise.stddev = 2.0;
  const ml::Vector out = sent(g, noise)[1];
  sim::RandomStream own(99, "worker1", "byzantine-noise");
  for (Eigen::Index j = 0; j < 5; ++j) CHECK(out[j] == static_cast<float>(own.normal(0.0, 2.0)));
  const double mean = static_cast<double>(out.mean());
  const double sd = std::sqrt(static_cast<double>((out.array() - out.mean()).square().mean()));
  // Standard errors: 2 / sqrt(20000) = 0.014 for the mean, about 0.01 for the spread.
  CHECK(std::abs(mean) < 0.06);
  CHECK(sd == Approx(2.0).margin(0.05));
}
