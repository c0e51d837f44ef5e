// The schema's registry: every section in reference order, lookup by id,
// defaults as numbers, and the formatting of defaults taken from structs.
#include "app/schema.h"

#include <charconv>
#include <stdexcept>

#include "sim/time.h"

namespace app::schema {

const std::vector<Section>& all() {
  static const std::vector<Section> sections = [] {
    std::vector<Section> out = scenario_sections();
    for (auto part : {algorithm_sections(), fault_sections()}) {
      out.insert(out.end(), part.begin(), part.end());
    }
    for (std::size_t i = 0; i < out.size(); ++i) {
      for (std::size_t j = 0; j < i; ++j) {
        if (out[i].id == out[j].id)
          throw std::logic_error("schema: section '" + out[i].id + "' twice");
      }
    }
    return out;
  }();
  return sections;
}

const Section& section(std::string_view id) {
  for (const Section& s : all()) {
    if (s.id == id) return s;
  }
  throw std::logic_error("schema: no section '" + std::string(id) + "'");
}

std::vector<std::string> keys(std::string_view id) {
  std::vector<std::string> names;
  for (const Key& k : section(id).keys) names.push_back(k.name);
  return names;
}

namespace {

const Key& key_of(std::string_view id, std::string_view key) {
  for (const Key& k : section(id).keys) {
    if (k.name == key) return k;
  }
  throw std::logic_error("schema: section '" + std::string(id) + "' has no key '" +
                         std::string(key) + "'");
}

template <class T>
T parse_default(std::string_view id, std::string_view key) {
  const std::string& text = key_of(id, key).default_value;
  T value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    throw std::logic_error("schema: the default of " + std::string(id) + "." + std::string(key) +
                           " ('" + text + "') is not a number");
  }
  return value;
}

}  // namespace

std::int64_t int_default(std::string_view id, std::string_view key) {
  return parse_default<std::int64_t>(id, key);
}

double number_default(std::string_view id, std::string_view key) {
  return parse_default<double>(id, key);
}

std::string number_text(double value) {
  char buffer[64];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, ec == std::errc() ? end : buffer);
}

std::string float_text(float value) {
  char buffer[64];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, ec == std::errc() ? end : buffer);
}

std::string duration_text(std::int64_t nanoseconds) { return sim::format_time(nanoseconds); }

}  // namespace app::schema
