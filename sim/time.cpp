#include "sim/time.h"

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace sim {

Time from_seconds(double s) {
  const double ns = s * 1e9;
  // 9.2e18 is just below INT64_MAX; beyond it llround is undefined.
  if (!std::isfinite(ns) || std::fabs(ns) > 9.2e18) {
    char text[32];
    std::snprintf(text, sizeof text, "%.6g", s);
    throw TimeOverflow("duration of " + std::string(text) +
                       " s does not fit in simulated time (int64 ns, about 292 years)");
  }
  return static_cast<Time>(std::llround(ns));
}

std::string format_time(Time t) {
  struct Unit {
    Time size;
    const char* name;
  };
  static constexpr Unit kUnits[] = {
      {kSecond, "s"}, {kMillisecond, "ms"}, {kMicrosecond, "us"}, {kNanosecond, "ns"}};
  const Time magnitude = t < 0 ? -t : t;
  for (const Unit& unit : kUnits) {
    if (magnitude >= unit.size || unit.size == kNanosecond) {
      char buffer[48];
      std::snprintf(buffer, sizeof buffer, "%.6g%s",
                    static_cast<double>(t) / static_cast<double>(unit.size), unit.name);
      return buffer;
    }
  }
  return std::to_string(t) + "ns";
}

}  // namespace sim
