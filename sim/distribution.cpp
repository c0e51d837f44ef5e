#include "sim/distribution.h"

#include <cstdio>

namespace sim {

double Distribution::sample(RandomStream& stream) const {
  switch (kind) {
    case Kind::constant:
      return a;
    case Kind::uniform:
      return stream.uniform(a, b);
    case Kind::normal:
      return stream.normal(a, b);
    case Kind::lognormal:
      return stream.lognormal(a, b);
    case Kind::exponential:
      return stream.exponential(a);
  }
  return a;
}

bool Distribution::always_positive() const {
  switch (kind) {
    case Kind::constant:
      return a > 0;
    case Kind::uniform:
      return a > 0;
    case Kind::lognormal:
      return true;
    case Kind::normal:
      return false;
    case Kind::exponential:
      return false;  // a draw can be exactly 0
  }
  return false;
}

std::string Distribution::to_string() const {
  char buffer[96];
  switch (kind) {
    case Kind::constant:
      std::snprintf(buffer, sizeof buffer, "%g", a);
      break;
    case Kind::uniform:
      std::snprintf(buffer, sizeof buffer, "uniform(%g, %g)", a, b);
      break;
    case Kind::normal:
      std::snprintf(buffer, sizeof buffer, "normal(%g, %g)", a, b);
      break;
    case Kind::lognormal:
      std::snprintf(buffer, sizeof buffer, "lognormal(%g, %g)", a, b);
      break;
    case Kind::exponential:
      std::snprintf(buffer, sizeof buffer, "exponential(%g)", a);
      break;
  }
  return buffer;
}

}  // namespace sim
