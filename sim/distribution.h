// A scalar distribution as scenarios write it: "lognormal(0, 0.1)",
// "uniform(1, 1.5)", "normal(0, 50)", "exponential(2)" or a plain constant.
// Parsing lives in app/; this is the value type and its sampling rule.
#pragma once

#include <string>

#include "sim/random.h"

namespace sim {

struct Distribution {
  enum class Kind { constant, uniform, normal, lognormal, exponential };
  Kind kind = Kind::constant;
  double a =
      0.0;  // constant: the value; uniform: low; normal/lognormal: mean/mu; exponential: rate
  double b = 0.0;  // uniform: high; normal/lognormal: stddev/sigma; unused otherwise

  static Distribution constant_value(double v) { return {Kind::constant, v, 0.0}; }

  // Draws one value; a constant draws nothing, so it leaves the stream untouched.
  double sample(RandomStream& stream) const;
  // True if every draw is > 0 (for factors such as straggler slowdowns).
  bool always_positive() const;
  // "lognormal(0, 0.1)" etc., for summaries and error messages.
  std::string to_string() const;
};

}  // namespace sim
