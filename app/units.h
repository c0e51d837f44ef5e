// Quantities with units, as people write them in scenario files: sizes
// ("64MiB"), bandwidths ("10Gbps"), durations ("1.5ms"), FLOP rates
// ("50GFLOPS"). Each parser takes the whole text of one YAML scalar.
//
// Grammar shared by all four:  [spaces] number [spaces] [unit] [spaces]
//   number: decimal digits with optional fraction and exponent ("1.5", ".5",
//           "2e9"). A leading '-' is recognised only to reject the value
//           ("must not be negative"); '+', hex, nan and inf are not numbers.
//   unit:   case-sensitive, from the lists below; anything else (including
//           trailing text, "10Gbpsx") is an unknown unit, reported with a
//           did-you-mean and the list of valid units.
// Zero is accepted; whether zero makes sense is the caller's decision.
// A result that does not fit (a double overflowing to inf, a duration beyond
// int64 nanoseconds) is an error, never a saturated or undefined value.
//
// Every failure throws UnitError, whose message quotes the text and says
// which forms are accepted; the scenario loader adds file:line:column.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "sim/time.h"

namespace app {

struct UnitError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// Bytes. Units: B; SI kB = KB = 1e3, MB = 1e6, GB = 1e9, TB = 1e12,
// PB = 1e15; IEC KiB = 2^10, MiB = 2^20, GiB = 2^30, TiB = 2^40, PiB = 2^50.
// A bare number is bytes. Fractions are allowed ("1.5GB"); the result is not
// rounded to whole bytes.
double parse_bytes(std::string_view text);

// BYTES per second. Case decides bits versus bytes, as in networking usage:
//   lowercase b = bits:  bps, b/s, bit/s   (10Gbps = 10Gb/s = 10Gbit/s = 1.25e9 B/s)
//   uppercase B = bytes: Bps, B/s          (1.25GBps = 1.25GB/s = 1.25e9 B/s)
// with SI prefixes k (or K) = 1e3, M, G, T; and IEC KiB/s, MiB/s, GiB/s, TiB/s.
// A bare number is bytes per second.
double parse_bandwidth(std::string_view text);

// Simulated time. Units: ns, us (also µs with the micro sign U+00B5 or the
// Greek mu U+03BC), ms, s, min, h. A bare number is accepted only when it is
// zero ("0"): "5" alone is ambiguous, and the error says so. The value is
// converted by sim::from_seconds, so it is rounded to the nearest nanosecond
// (beyond 2^53 ns, about 104 days, double precision may move it by a few ns).
sim::Time parse_duration(std::string_view text);

// FLOP per second. Units: FLOPS or FLOP/s, in any letter case (flops,
// GFlops), with an optional SI prefix, whose case matters: k (or K), M, G, T,
// P, E: "50GFLOPS", "2.5 TFLOP/s". A bare number is FLOP/s ("1e9").
double parse_flop_rate(std::string_view text);

// For messages: "64MiB", "1.5KiB", "512B" (IEC, up to 6 significant digits).
std::string format_bytes(double bytes);
// For messages, in bits per second: "10Gbps", "100Mbps", "8bps".
std::string format_bandwidth(double bytes_per_second);
// In bytes per second, for scenarios that state bandwidths in bytes: "1.25GB/s".
std::string format_byte_rate(double bytes_per_second);
// Whether a bandwidth text (already valid) is in bits per second ("10Gbps",
// "1Gbit/s") rather than bytes ("1.25GB/s", "10GiB/s", a bare number).
bool is_bit_rate(std::string_view text);
// For messages: "50GFLOPS", "1.5TFLOPS".
std::string format_flop_rate(double flop_per_second);

}  // namespace app
