// Helpers for tolerance checks that report the largest difference.
#pragma once

#include <cmath>
#include <cstddef>
#include <sstream>
#include <string>
#include <vector>

namespace ml_test {

struct Worst {
  double error = 0.0;  // largest |a - b| / (abs_tol + rel_tol * |b|); <= 1 passes
  std::size_t index = 0;
  double actual = 0.0;
  double expected = 0.0;

  std::string describe() const {
    std::ostringstream out;
    out.precision(9);
    out << "largest difference at index " << index << ": got " << actual << ", expected "
        << expected << " (|diff| = " << std::abs(actual - expected)
        << ", error/tolerance = " << error << ")";
    return out.str();
  }
};

// Compares element-wise; returns the worst element relative to its tolerance
// (a check passes when worst.error <= 1).
template <typename A, typename B>
Worst compare(const A& actual, const B& expected, double abs_tol, double rel_tol) {
  Worst worst;
  for (std::size_t i = 0; i < static_cast<std::size_t>(expected.size()); ++i) {
    const auto a = static_cast<double>(actual[i]);
    const auto e = static_cast<double>(expected[i]);
    const double err = std::abs(a - e) / (abs_tol + rel_tol * std::abs(e));
    // A NaN counts as the worst possible difference and sticks.
    if (std::isnan(worst.error)) break;
    if (i == 0 || std::isnan(err) || err > worst.error) worst = Worst{err, i, a, e};
  }
  return worst;
}

}  // namespace ml_test
