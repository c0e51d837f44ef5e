#include "run/statistics.h"

#include <cassert>
#include <cmath>
#include <limits>
#include <numbers>

namespace syncsim {

double student_t_two_sided(double t, int df) {
  assert(df >= 1 && t >= 0);
  const double theta = std::atan(t / std::sqrt(static_cast<double>(df)));
  const double s = std::sin(theta), c = std::cos(theta), c2 = c * c;
  if (df % 2 == 1) {
    // Odd df: (2/pi) (theta + sin cos (1 + 2/3 cos^2 + 2*4/(3*5) cos^4 + ...)),
    // the series having (df - 1) / 2 terms; df = 1 is the Cauchy case.
    double term = 1.0, sum = 0.0;
    for (int k = 1; k <= (df - 1) / 2; ++k) {
      sum += term;
      term *= c2 * (2.0 * k) / (2.0 * k + 1.0);
    }
    return 2.0 / std::numbers::pi * (theta + s * c * sum);
  }
  // Even df: sin (1 + 1/2 cos^2 + 1*3/(2*4) cos^4 + ...), df / 2 terms.
  double term = 1.0, sum = 0.0;
  for (int k = 1; k <= df / 2; ++k) {
    sum += term;
    term *= c2 * (2.0 * k - 1.0) / (2.0 * k);
  }
  return s * sum;
}

double student_t_quantile(double p, int df) {
  assert(p >= 0.5 && p < 1.0 && df >= 1);
  // P(|T| <= t) = 2p - 1 grows with the angle theta = atan(t / sqrt(df)) on
  // [0, pi/2): bisect on the angle, which keeps the bracket finite.
  const double target = 2.0 * p - 1.0;
  double lo = 0.0, hi = std::numbers::pi / 2;
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    if (mid <= lo || mid >= hi) break;
    const double t = std::sqrt(static_cast<double>(df)) * std::tan(mid);
    (student_t_two_sided(t, df) < target ? lo : hi) = mid;
  }
  return std::sqrt(static_cast<double>(df)) * std::tan(0.5 * (lo + hi));
}

MeanInterval mean_interval(const std::vector<double>& values, double confidence) {
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  MeanInterval m;
  m.n = values.size();
  if (m.n == 0) return {0, nan, nan, nan, nan, nan};
  double sum = 0.0;
  for (double v : values) sum += v;
  m.mean = sum / static_cast<double>(m.n);
  if (m.n < 2) {
    m.sd = m.half_width = m.low = m.high = nan;
    return m;
  }
  double squares = 0.0;
  for (double v : values) squares += (v - m.mean) * (v - m.mean);
  m.sd = std::sqrt(squares / static_cast<double>(m.n - 1));
  const int df = static_cast<int>(m.n - 1);
  const double t = student_t_quantile(0.5 + confidence / 2.0, df);
  m.half_width = t * m.sd / std::sqrt(static_cast<double>(m.n));
  m.low = m.mean - m.half_width;
  m.high = m.mean + m.half_width;
  return m;
}

}  // namespace syncsim
