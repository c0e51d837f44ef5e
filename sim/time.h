// Simulated time: an integer count of nanoseconds since the start of a run.
//
// Integer time makes event ordering exact and runs reproducible: two events
// computed by different arithmetic paths either collide exactly or not at all.
// Durations computed in floating point (bytes / bandwidth, FLOPs / FLOP/s)
// become Time through from_seconds(), the one place where rounding happens.
#pragma once

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

namespace sim {

using Time = std::int64_t;  // nanoseconds

inline constexpr Time kNanosecond = 1;
inline constexpr Time kMicrosecond = 1'000;
inline constexpr Time kMillisecond = 1'000'000;
inline constexpr Time kSecond = 1'000'000'000;
inline constexpr Time kTimeMax = std::numeric_limits<Time>::max();

constexpr Time nanoseconds(std::int64_t n) { return n; }
constexpr Time microseconds(std::int64_t n) { return n * kMicrosecond; }
constexpr Time milliseconds(std::int64_t n) { return n * kMillisecond; }
constexpr Time seconds(std::int64_t n) { return n * kSecond; }

// A duration beyond simulated time (about 292 years): its own type, so the
// command line can tell a scenario whose numbers overflow (a tiny FLOP rate)
// from a bug.
struct TimeOverflow : std::out_of_range {
  using std::out_of_range::out_of_range;
};

// Rounds a duration in seconds to the nearest nanosecond (ties away from zero).
// REQUIRES: s is finite and |s| * 1e9 fits in Time; otherwise throws
// TimeOverflow, because a silently saturated time would corrupt ordering.
Time from_seconds(double s);

constexpr double to_seconds(Time t) { return static_cast<double>(t) * 1e-9; }

// "1.5ms", "12s", "800ns": the largest unit that keeps the value >= 1, for logs
// and error messages (never for CSV, which stays in plain seconds).
std::string format_time(Time t);

namespace literals {
constexpr Time operator""_ns(unsigned long long n) { return static_cast<Time>(n); }
constexpr Time operator""_us(unsigned long long n) { return static_cast<Time>(n) * kMicrosecond; }
constexpr Time operator""_ms(unsigned long long n) { return static_cast<Time>(n) * kMillisecond; }
constexpr Time operator""_s(unsigned long long n) { return static_cast<Time>(n) * kSecond; }
}  // namespace literals

}  // namespace sim
