// Means and Student-t confidence intervals over replicates (README,
// "Replicates"). Pure functions of their inputs: sums run in the order given,
// so the same values give the same bytes.
#pragma once

#include <cstddef>
#include <vector>

namespace syncsim {

// The two-sided probability P(|T| <= t) of Student's t with `df` degrees of
// freedom, from the closed forms for integer df (a finite series in the
// angle atan(t / sqrt(df))). REQUIRES: df >= 1, t >= 0.
double student_t_two_sided(double t, int df);

// The quantile t with P(T <= t) = p of Student's t with `df` degrees of
// freedom, found by bisection on the closed form above (about 1e-15
// relative). REQUIRES: 0.5 <= p < 1, df >= 1. Example: p = 0.975, df = 4
// gives 2.776 (the 95% two-sided critical value for five values).
double student_t_quantile(double p, int df);

// The mean of n values and its Student-t confidence interval: mean +- t(0.975,
// n-1) * sd / sqrt(n) for 95%. sd is the sample standard deviation (n - 1 in
// the denominator). With n < 2 the spread is unknown: sd, half_width, low and
// high are NaN (empty cells in the CSVs); with n = 0 the mean is NaN too.
struct MeanInterval {
  std::size_t n = 0;
  double mean = 0.0;
  double sd = 0.0;
  double half_width = 0.0;
  double low = 0.0, high = 0.0;
};
MeanInterval mean_interval(const std::vector<double>& values, double confidence = 0.95);

}  // namespace syncsim
