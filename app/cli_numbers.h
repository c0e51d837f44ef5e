// Numbers typed on the command line, read one way whatever flag carries them.
//
// CLI11 reads integers with strtoull base 0, so "010" would be octal 8,
// "0x10" hexadecimal and "-1" would wrap to 2^64 - 1; sscanf("%d") wraps
// "4294967297" to 1. These read plain decimal digits only, with range checks:
// "010" is ten, as `seed: 010` is in a scenario file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace app {

// `text` as a decimal integer in [min, max]: one or more digits 0-9 and
// nothing else (no sign, space, prefix or exponent; leading zeros are
// decimal). nullopt otherwise, or if the value is outside the range.
std::optional<std::uint64_t> parse_decimal(std::string_view text, std::uint64_t min,
                                           std::uint64_t max);

// The most shards a sweep can have: one per point (SweepPlan's limit).
inline constexpr std::uint64_t kMaxShards = 1'000'000;

// "I/N" -> {I, N} for 1 <= I <= N <= kMaxShards, each part decimal as above;
// nullopt otherwise.
std::optional<std::pair<int, int>> parse_shard(std::string_view text);

}  // namespace app
