// Optimizers against values computed by hand from the torch.optim formulas
// (three steps from p0 = (1, -2, 0.5) with gradients g1, g2, g3 below).
#include <array>
#include <catch2/catch.hpp>
#include <stdexcept>
#include <vector>

#include "algorithms/ml/optimizer.h"
#include "tolerance.h"

namespace {

using Triple = std::array<double, 3>;

ml::Vector vec(const Triple& t) {
  ml::Vector v(3);
  v << static_cast<float>(t[0]), static_cast<float>(t[1]), static_cast<float>(t[2]);
  return v;
}

const Triple kStart{1.0, -2.0, 0.5};
const std::array<Triple, 3> kGrads{{{0.1, -0.2, 0.3}, {-0.4, 0.5, 0.0}, {0.2, 0.2, -0.1}}};

void check_trajectory(ml::Optimizer& opt, const std::array<Triple, 3>& expected) {
  ml::Vector params = vec(kStart);
  for (int step = 0; step < 3; ++step) {
    opt.step(params, vec(kGrads[step]));
    const auto worst = ml_test::compare(params, expected[step], 1e-6, 1e-6);
    INFO("after step " << step + 1 << ": " << worst.describe());
    CHECK(worst.error <= 1.0);
  }
}

}  // namespace

TEST_CASE("sgd follows torch.optim.SGD step by step", "[ml][optimizer]") {
  SECTION("plain: p -= lr * g") {
    auto opt = ml::make_sgd({0.1f, 0.0f, 0.0f, false});
    check_trajectory(*opt, {{{0.99, -1.98, 0.47}, {1.03, -2.03, 0.47}, {1.01, -2.05, 0.48}}});
  }
  SECTION("momentum: b1 = g1, b = 0.9 b + g, p -= lr * b") {
    // step 2: b2 = 0.9 * (0.1, -0.2, 0.3) + (-0.4, 0.5, 0) = (-0.31, 0.32, 0.27)
    //         p2 = (0.99, -1.98, 0.47) - 0.1 * b2 = (1.021, -2.012, 0.443)
    auto opt = ml::make_sgd({0.1f, 0.9f, 0.0f, false});
    check_trajectory(*opt,
                     {{{0.99, -1.98, 0.47}, {1.021, -2.012, 0.443}, {1.0289, -2.0608, 0.4287}}});
  }
  SECTION("nesterov: p -= lr * (g + 0.9 b)") {
    // step 1: b1 = g1, p1 = p0 - 0.1 * 1.9 * g1 = (0.981, -1.962, 0.443)
    auto opt = ml::make_sgd({0.1f, 0.9f, 0.0f, true});
    check_trajectory(
        *opt, {{{0.981, -1.962, 0.443}, {1.0489, -2.0408, 0.4187}, {1.03601, -2.10472, 0.41583}}});
  }
  SECTION("weight decay is added to the gradient before momentum") {
    // step 1: g = g1 + 0.01 * p0 = (0.11, -0.22, 0.305), p1 = p0 - 0.1 g
    auto opt = ml::make_sgd({0.1f, 0.5f, 0.01f, false});
    check_trajectory(*opt, {{{0.989, -1.978, 0.4695},
                             {1.022511, -2.015022, 0.4537805},
                             {1.01824399, -2.05151798, 0.45546697}}});
  }
}

TEST_CASE("adam follows torch.optim.Adam step by step", "[ml][optimizer]") {
  SECTION("no weight decay: the first step moves each parameter by lr against its sign") {
    auto opt = ml::make_adam({0.01f, 0.9f, 0.999f, 1e-8f, 0.0f});
    check_trajectory(*opt, {{{0.990000001, -1.99, 0.49},
                             {0.995595036, -1.99442215, 0.483299418},
                             {0.996696772, -1.99985158, 0.480408065}}});
  }
  SECTION("L2 weight decay added to the gradient") {
    auto opt = ml::make_adam({0.01f, 0.9f, 0.999f, 1e-8f, 0.1f});
    check_trajectory(*opt, {{{0.990000001, -1.99, 0.49},
                             {0.992491905, -1.98912269, 0.482331962},
                             {0.98989932, -1.98845842, 0.477393982}}});
  }
}

TEST_CASE("a cloned optimizer carries its own copy of the state", "[ml][optimizer]") {
  auto opt = ml::make_sgd({0.1f, 0.9f, 0.0f, false});
  ml::Vector params = vec(kStart);
  opt->step(params, vec(kGrads[0]));
  auto copy = opt->clone();
  ml::Vector a = params;
  ml::Vector b = params;
  opt->step(a, vec(kGrads[1]));
  copy->step(b, vec(kGrads[1]));
  CHECK(a == b);
  CHECK(copy->steps() == 2);
  SECTION("reset forgets the momentum") {
    opt->reset();
    ml::Vector c = vec(kStart);
    opt->step(c, vec(kGrads[0]));
    CHECK(c.cast<double>().isApprox(vec({0.99, -1.98, 0.47}).cast<double>(), 1e-6));
  }
}

TEST_CASE("optimizers reject bad configurations and mismatched vectors", "[ml][optimizer]") {
  SECTION("negative learning rate") {
    CHECK_THROWS_AS(ml::make_sgd({-0.1f, 0.0f, 0.0f, false}), std::invalid_argument);
    CHECK_THROWS_AS(ml::make_adam({-0.1f}), std::invalid_argument);
  }
  SECTION("negative momentum or weight decay") {
    CHECK_THROWS_AS(ml::make_sgd({0.1f, -0.5f, 0.0f, false}), std::invalid_argument);
    CHECK_THROWS_AS(ml::make_sgd({0.1f, 0.0f, -1.0f, false}), std::invalid_argument);
  }
  SECTION("nesterov without momentum") {
    CHECK_THROWS_AS(ml::make_sgd({0.1f, 0.0f, 0.0f, true}), std::invalid_argument);
  }
  SECTION("adam betas outside [0, 1)") {
    CHECK_THROWS_AS(ml::make_adam({1e-3f, 1.0f}), std::invalid_argument);
    CHECK_THROWS_AS(ml::make_adam({1e-3f, 0.9f, -0.1f}), std::invalid_argument);
  }
  SECTION("gradient size differs from the parameters") {
    auto opt = ml::make_sgd({});
    ml::Vector params = ml::Vector::Zero(3);
    CHECK_THROWS_AS(opt->step(params, ml::Vector::Zero(2)), std::invalid_argument);
  }
  SECTION("parameter count changes between steps") {
    auto opt = ml::make_adam({});
    ml::Vector params = ml::Vector::Zero(3);
    opt->step(params, ml::Vector::Zero(3));
    ml::Vector other = ml::Vector::Zero(4);
    CHECK_THROWS_AS(opt->step(other, ml::Vector::Zero(4)), std::invalid_argument);
  }
}
