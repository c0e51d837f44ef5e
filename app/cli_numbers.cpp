#include "app/cli_numbers.h"

#include <charconv>

namespace app {

std::optional<std::uint64_t> parse_decimal(std::string_view text, std::uint64_t min,
                                           std::uint64_t max) {
  if (text.empty()) return std::nullopt;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 10);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;  // overflow
  if (value < min || value > max) return std::nullopt;
  return value;
}

std::optional<std::pair<int, int>> parse_shard(std::string_view text) {
  const std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const auto i = parse_decimal(text.substr(0, slash), 1, kMaxShards);
  const auto n = parse_decimal(text.substr(slash + 1), 1, kMaxShards);
  if (!i || !n || *i > *n) return std::nullopt;
  return std::pair(static_cast<int>(*i), static_cast<int>(*n));
}

}  // namespace app
