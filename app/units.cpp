#include "app/units.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <vector>

#include "app/spelling.h"

namespace app {

namespace {

struct Unit {
  std::string name;
  double factor;  // value in the base unit (bytes, bytes/s, seconds, FLOP/s) of 1 <name>
  std::size_t prefix_length{0};  // of an SI prefix at the start of name ("G" in "GFLOPS")
};

// What one parse_* function accepts, and how it explains itself.
struct Quantity {
  std::string expected;     // "expected a size such as 64MiB, 1.5GB or 4096 (bytes)"
  std::string valid_units;  // the human-readable list, for unknown-unit messages
  std::vector<Unit> units;  // every accepted spelling
  double bare_factor;       // factor of a number without unit; NaN: only zero is allowed bare
  bool suffix_ignores_case = false;  // after the prefix: "GFLOPS" = "Gflops" = "GFlops"
};

struct Prefix {
  const char* name;
  double factor;
};
constexpr Prefix kSiPrefixes[] = {{"", 1.0},  {"k", 1e3}, {"K", 1e3},
                                  {"M", 1e6}, {"G", 1e9}, {"T", 1e12}};

const Quantity& bytes_quantity() {
  static const Quantity quantity{"expected a size such as 64MiB, 1.5GB or 4096 (bytes)",
                                 "B, kB (= KB), MB, GB, TB, PB, KiB, MiB, GiB, TiB, PiB",
                                 {{"B", 1.0},
                                  {"kB", 1e3},
                                  {"KB", 1e3},
                                  {"MB", 1e6},
                                  {"GB", 1e9},
                                  {"TB", 1e12},
                                  {"PB", 1e15},
                                  {"KiB", 0x1p10},
                                  {"MiB", 0x1p20},
                                  {"GiB", 0x1p30},
                                  {"TiB", 0x1p40},
                                  {"PiB", 0x1p50}},
                                 1.0};
  return quantity;
}

const Quantity& bandwidth_quantity() {
  static const Quantity quantity = [] {
    Quantity q{
        "expected a bandwidth such as 10Gbps, 100Mbit/s or 1.25GB/s "
        "(lowercase b = bits, uppercase B = bytes; a bare number is bytes/s)",
        "bps, kbps, Mbps, Gbps, Tbps (bits/s; also b/s, bit/s: Gb/s, Gbit/s), "
        "Bps, kBps, MBps, GBps, TBps (bytes/s; also B/s: GB/s), KiB/s, MiB/s, GiB/s, TiB/s",
        {},
        1.0};
    for (const Prefix& prefix : kSiPrefixes) {
      for (const char* bits : {"bps", "b/s", "bit/s"}) {
        q.units.push_back({std::string(prefix.name) + bits, prefix.factor / 8.0});
      }
      for (const char* bytes : {"Bps", "B/s"}) {
        q.units.push_back({std::string(prefix.name) + bytes, prefix.factor});
      }
    }
    q.units.push_back({"KiB/s", 0x1p10});
    q.units.push_back({"MiB/s", 0x1p20});
    q.units.push_back({"GiB/s", 0x1p30});
    q.units.push_back({"TiB/s", 0x1p40});
    return q;
  }();
  return quantity;
}

const Quantity& duration_quantity() {
  static const Quantity quantity{"expected a duration such as 5us, 1.5ms or 2s",
                                 "ns, us (= µs), ms, s, min, h",
                                 {{"ns", 1e-9},
                                  {"us", 1e-6},
                                  {"\u00B5s", 1e-6},  // micro sign
                                  {"\u03BCs", 1e-6},  // Greek small letter mu
                                  {"ms", 1e-3},
                                  {"s", 1.0},
                                  {"min", 60.0},
                                  {"h", 3600.0}},
                                 std::nan("")};
  return quantity;
}

const Quantity& flop_rate_quantity() {
  static const Quantity quantity = [] {
    Quantity q{"expected a FLOP rate such as 50GFLOPS, 2.5 TFLOP/s or 1e9 (FLOP/s)",
               "FLOPS or FLOP/s with an optional prefix k, M, G, T, P, E (50GFLOPS, 2.5TFLOP/s)",
               {},
               1.0,
               true};
    constexpr Prefix kPrefixes[] = {{"", 1.0},  {"k", 1e3},  {"K", 1e3},  {"M", 1e6},
                                    {"G", 1e9}, {"T", 1e12}, {"P", 1e15}, {"E", 1e18}};
    for (const Prefix& prefix : kPrefixes) {
      for (const char* name : {"FLOPS", "FLOP/s"}) {
        q.units.push_back(
            {std::string(prefix.name) + name, prefix.factor, std::string_view(prefix.name).size()});
      }
    }
    return q;
  }();
  return quantity;
}

bool is_space(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

bool matches(const Unit& candidate, std::string_view unit, bool suffix_ignores_case) {
  if (candidate.name == unit) return true;
  const std::string_view name = candidate.name;
  const std::size_t p = candidate.prefix_length;
  return suffix_ignores_case && unit.size() == name.size() &&
         unit.substr(0, p) == name.substr(0, p) &&
         equal_ignoring_case(unit.substr(p), name.substr(p));
}

std::string in_quotes(std::string_view text) { return "'" + std::string(text) + "'"; }

// " (did you mean 'Gbps' or 'GBps'?)" or "".
std::string unit_suggestion(std::string_view unit, const Quantity& quantity) {
  std::vector<std::string> same_letters;  // differ only in case: name them all
  std::vector<std::string> names;
  for (const Unit& candidate : quantity.units) {
    names.push_back(candidate.name);
    if (equal_ignoring_case(candidate.name, unit))
      same_letters.push_back(in_quotes(candidate.name));
  }
  if (!same_letters.empty()) {
    return " (did you mean " + join(same_letters, " or ") + "? units are case-sensitive)";
  }
  const std::string nearest = did_you_mean(unit, names);
  return nearest.empty() ? std::string() : " (did you mean " + in_quotes(nearest) + "?)";
}

struct Parsed {
  double value;   // the number as written
  double factor;  // of its unit
};

Parsed parse_quantity(std::string_view original, const Quantity& quantity) {
  const std::string_view text = trim(original);
  if (text.empty()) throw UnitError("empty value; " + quantity.expected);

  double value = 0.0;
  const char* const end = text.data() + text.size();
  const auto [number_end, error] = std::from_chars(text.data(), end, value);
  if (error == std::errc::invalid_argument) {
    throw UnitError(in_quotes(text) + " does not start with a number; " + quantity.expected);
  }
  if (error == std::errc::result_out_of_range) {
    throw UnitError("the number in " + in_quotes(text) + " is out of range; " + quantity.expected);
  }
  if (!std::isfinite(value)) {
    throw UnitError(in_quotes(text) + " is not a finite number; " + quantity.expected);
  }
  if (text.front() == '-') throw UnitError(in_quotes(text) + " must not be negative");

  const std::string_view unit =
      trim(text.substr(static_cast<std::size_t>(number_end - text.data())));
  if (unit.empty()) {
    if (!std::isnan(quantity.bare_factor)) return {value, quantity.bare_factor};
    if (value == 0.0) return {0.0, 1.0};
    throw UnitError(in_quotes(text) + " has no unit, which is ambiguous; write it as e.g. " +
                    std::string(text) + "s, " + std::string(text) + "ms, " + std::string(text) +
                    "us or " + std::string(text) + "ns (only 0 may be written without a unit)");
  }
  for (const Unit& candidate : quantity.units) {
    if (matches(candidate, unit, quantity.suffix_ignores_case)) return {value, candidate.factor};
  }
  throw UnitError("unknown unit " + in_quotes(unit) + " in " + in_quotes(text) +
                  unit_suggestion(unit, quantity) + "; " + quantity.expected +
                  "; valid units: " + quantity.valid_units);
}

double parse_finite(std::string_view text, const Quantity& quantity) {
  const Parsed parsed = parse_quantity(text, quantity);
  const double result = parsed.value * parsed.factor;
  if (!std::isfinite(result)) {
    throw UnitError(in_quotes(trim(text)) + " is too large to represent");
  }
  return result;
}

// "%.6g" of value / unit.factor with the largest unit that keeps it >= 1.
std::string format_scaled(double value, std::initializer_list<Prefix> units) {
  const Prefix* chosen = units.begin();
  for (const Prefix& unit : units) {
    if (std::fabs(value) >= unit.factor) chosen = &unit;
  }
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.6g%s", value / chosen->factor, chosen->name);
  return buffer;
}

}  // namespace

double parse_bytes(std::string_view text) { return parse_finite(text, bytes_quantity()); }

double parse_bandwidth(std::string_view text) { return parse_finite(text, bandwidth_quantity()); }

double parse_flop_rate(std::string_view text) { return parse_finite(text, flop_rate_quantity()); }

sim::Time parse_duration(std::string_view text) {
  const Parsed parsed = parse_quantity(text, duration_quantity());
  try {
    return sim::from_seconds(parsed.value * parsed.factor);
  } catch (const std::out_of_range&) {
    throw UnitError(in_quotes(trim(text)) +
                    " is too long: simulated time ends after about 292 years (int64 nanoseconds)");
  }
}

std::string format_bytes(double bytes) {
  return format_scaled(bytes, {{"B", 1.0},
                               {"KiB", 0x1p10},
                               {"MiB", 0x1p20},
                               {"GiB", 0x1p30},
                               {"TiB", 0x1p40},
                               {"PiB", 0x1p50}});
}

std::string format_bandwidth(double bytes_per_second) {
  return format_scaled(bytes_per_second * 8.0,
                       {{"bps", 1.0}, {"kbps", 1e3}, {"Mbps", 1e6}, {"Gbps", 1e9}, {"Tbps", 1e12}});
}

std::string format_byte_rate(double bytes_per_second) {
  return format_scaled(bytes_per_second,
                       {{"B/s", 1.0}, {"kB/s", 1e3}, {"MB/s", 1e6}, {"GB/s", 1e9}, {"TB/s", 1e12}});
}

bool is_bit_rate(std::string_view text) {
  for (std::string_view bits : {"bps", "b/s", "bit/s"}) {
    if (text.size() >= bits.size() && text.substr(text.size() - bits.size()) == bits) return true;
  }
  return false;
}

std::string format_flop_rate(double flop_per_second) {
  return format_scaled(flop_per_second, {{"FLOPS", 1.0},
                                         {"kFLOPS", 1e3},
                                         {"MFLOPS", 1e6},
                                         {"GFLOPS", 1e9},
                                         {"TFLOPS", 1e12},
                                         {"PFLOPS", 1e15},
                                         {"EFLOPS", 1e18}});
}

}  // namespace app
