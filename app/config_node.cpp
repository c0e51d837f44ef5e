// ConfigNode: navigating a checked document, typed scalars, ranges and
// optional keys. Loading and the whole-document checks: config_document.cpp.
#include "app/config_node.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <utility>

#include "app/config_node_detail.h"
#include "app/units.h"

namespace app {

using config_detail::fail_at;
using config_detail::in_quotes;
using config_detail::join_path;
using config_detail::one_based;

namespace {

// The shortest text that reads back as value: "0.1", "1e+20", "64".
std::string shortest(double value) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

// from_chars does not take a leading '+', which YAML allows on numbers.
std::string_view without_plus(std::string_view text) {
  if (text.size() > 1 && text[0] == '+' && text[1] != '-' && text[1] != '+') {
    text.remove_prefix(1);
  }
  return text;
}

template <typename Number>
bool parse_whole(std::string_view text, Number& value, std::errc& error) {
  const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
  error = result.ec;
  return result.ptr == text.data() + text.size() && result.ec != std::errc::invalid_argument;
}

}  // namespace

ConfigNode::ConfigNode(YAML::Node node, std::string file, std::string path)
    : node_(std::move(node)), file_(std::move(file)), path_(std::move(path)) {}

int ConfigNode::line() const { return one_based(node_.Mark().line); }

int ConfigNode::column() const { return one_based(node_.Mark().column); }

void ConfigNode::fail(const std::string& message) const {
  throw ScenarioError(file_, line(), column(), path_, message);
}

void ConfigNode::fail_expected(const char* expected) const {
  std::string got;
  if (node_.IsMap()) {
    got = "a map";
  } else if (node_.IsSequence()) {
    got = "a list";
  } else if (node_.IsNull()) {
    got = "nothing (null)";
  } else {
    got = in_quotes(node_.Scalar());
  }
  fail(std::string("expected ") + expected + ", got " + got);
}

void ConfigNode::require_map() const {
  if (!node_.IsMap()) fail_expected("a map");
}

std::string ConfigNode::child_path(const std::string& key) const { return join_path(path_, key); }

bool ConfigNode::hides(const std::string& key) const {
  for (const std::string& h : hidden_) {
    if (h == key) return true;
  }
  return false;
}

ConfigNode ConfigNode::without(std::vector<std::string> keys) const {
  require_map();
  ConfigNode view = *this;
  for (std::string& k : keys) view.hidden_.push_back(std::move(k));
  return view;
}

std::optional<std::pair<YAML::Node, YAML::Node>> ConfigNode::find(const std::string& key) const {
  require_map();
  if (hides(key)) return std::nullopt;
  for (const auto& entry : node_) {
    if (entry.first.Scalar() == key) return std::make_pair(entry.first, entry.second);
  }
  return std::nullopt;
}

bool ConfigNode::has(const std::string& key) const {
  if (!node_.IsMap()) return false;
  const auto entry = find(key);
  return entry && !entry->second.IsNull();
}

ConfigNode ConfigNode::child(const std::string& key) const {
  const auto entry = find(key);
  if (!entry) fail("missing required key " + in_quotes(key));
  if (entry->second.IsNull()) {
    fail_at(file_, entry->first.Mark(), child_path(key), "key " + in_quotes(key) + " has no value");
  }
  return ConfigNode(entry->second, file_, child_path(key));
}

std::optional<ConfigNode> ConfigNode::optional_child(const std::string& key) const {
  const auto entry = find(key);
  if (!entry || entry->second.IsNull()) return std::nullopt;
  return ConfigNode(entry->second, file_, child_path(key));
}

std::vector<std::string> ConfigNode::keys() const {
  require_map();
  std::vector<std::string> result;
  for (const auto& entry : node_) {
    if (!hides(entry.first.Scalar())) result.push_back(entry.first.Scalar());
  }
  return result;
}

void ConfigNode::check_keys(std::initializer_list<std::string_view> allowed) const {
  check_keys(std::vector<std::string>(allowed.begin(), allowed.end()));
}

void ConfigNode::check_keys(const std::vector<std::string>& allowed) const {
  require_map();
  for (const auto& entry : node_) {
    const std::string& key = entry.first.Scalar();
    bool known = hides(key);
    for (const std::string& name : allowed) known = known || name == key;
    if (known) continue;
    // The keys another reader takes are allowed here too.
    std::vector<std::string> all = allowed;
    all.insert(all.end(), hidden_.begin(), hidden_.end());
    const std::string suggestion = did_you_mean(key, all);
    std::string hint;
    if (!suggestion.empty()) {
      hint = " (did you mean " + in_quotes(suggestion) + "?)";
    } else if (all.empty()) {
      hint = " (no keys are allowed here)";
    } else {
      hint = " (allowed keys: " + join(all) + ")";
    }
    fail_at(file_, entry.first.Mark(), child_path(key), "unknown key " + in_quotes(key) + hint);
  }
}

std::size_t ConfigNode::size() const {
  if (!node_.IsSequence()) fail_expected("a list");
  return node_.size();
}

ConfigNode ConfigNode::at(std::size_t index) const {
  const std::size_t count = size();
  if (index >= count) {
    fail("index " + std::to_string(index) + " is out of range for a list of " +
         std::to_string(count) + " items");
  }
  return ConfigNode(node_[index], file_, path_ + "[" + std::to_string(index) + "]");
}

std::string ConfigNode::as_string() const {
  if (!node_.IsScalar()) fail_expected("a string");
  return node_.Scalar();
}

std::int64_t ConfigNode::as_int() const {
  if (!node_.IsScalar()) fail_expected("an integer");
  const std::string_view text = without_plus(node_.Scalar());
  const std::string range_message =
      "expected an integer between " + std::to_string(std::numeric_limits<std::int64_t>::min()) +
      " and " + std::to_string(std::numeric_limits<std::int64_t>::max()) + ", got " +
      in_quotes(node_.Scalar());
  std::errc error{};
  std::int64_t value = 0;
  if (parse_whole(text, value, error)) {
    if (error == std::errc::result_out_of_range) fail(range_message);
    return value;
  }
  // Exponent forms such as 1e6, when they denote an exact integer.
  double real = 0.0;
  if (parse_whole(text, real, error) && error == std::errc{} && std::isfinite(real) &&
      std::trunc(real) == real) {
    if (real < -0x1p63 || real >= 0x1p63) fail(range_message);
    return static_cast<std::int64_t>(real);
  }
  fail_expected("an integer");
}

double ConfigNode::as_double() const {
  if (!node_.IsScalar()) fail_expected("a number");
  std::errc error{};
  double value = 0.0;
  if (!parse_whole(without_plus(node_.Scalar()), value, error)) fail_expected("a number");
  if (error == std::errc::result_out_of_range) {
    fail("the number " + in_quotes(node_.Scalar()) + " is out of range");
  }
  if (!std::isfinite(value)) fail_expected("a finite number");
  return value;
}

bool ConfigNode::as_bool() const {
  if (!node_.IsScalar()) fail_expected("true or false");
  std::string text = node_.Scalar();
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (text == "true" || text == "yes") return true;
  if (text == "false" || text == "no") return false;
  fail_expected("true or false");
}

double ConfigNode::as_bytes() const {
  if (!node_.IsScalar()) fail_expected("a size such as 64MiB");
  try {
    return parse_bytes(node_.Scalar());
  } catch (const UnitError& error) {
    fail(error.what());
  }
}

double ConfigNode::as_bandwidth() const {
  if (!node_.IsScalar()) fail_expected("a bandwidth such as 10Gbps");
  try {
    return parse_bandwidth(node_.Scalar());
  } catch (const UnitError& error) {
    fail(error.what());
  }
}

sim::Time ConfigNode::as_duration() const {
  if (!node_.IsScalar()) fail_expected("a duration such as 5us");
  try {
    return parse_duration(node_.Scalar());
  } catch (const UnitError& error) {
    fail(error.what());
  }
}

double ConfigNode::as_flop_rate() const {
  if (!node_.IsScalar()) fail_expected("a FLOP rate such as 50GFLOPS");
  try {
    return parse_flop_rate(node_.Scalar());
  } catch (const UnitError& error) {
    fail(error.what());
  }
}

std::int64_t ConfigNode::as_int_in(std::int64_t min, std::int64_t max) const {
  const std::int64_t value = as_int();
  if (value >= min && value <= max) return value;
  const std::string got = ", got " + std::to_string(value);
  if (max == std::numeric_limits<std::int64_t>::max()) {
    fail("must be at least " + std::to_string(min) + got);
  }
  if (min == std::numeric_limits<std::int64_t>::min()) {
    fail("must be at most " + std::to_string(max) + got);
  }
  fail("must be between " + std::to_string(min) + " and " + std::to_string(max) + got);
}

double ConfigNode::as_double_in(double min, double max) const {
  const double value = as_double();
  if (value >= min && value <= max) return value;
  const std::string got = ", got " + shortest(value);
  if (max == std::numeric_limits<double>::infinity())
    fail("must be at least " + shortest(min) + got);
  if (min == -std::numeric_limits<double>::infinity())
    fail("must be at most " + shortest(max) + got);
  fail("must be between " + shortest(min) + " and " + shortest(max) + got);
}

void ConfigNode::require(bool condition, const std::string& message) const {
  if (!condition) fail(message);
}

std::string ConfigNode::get_string(const std::string& key, const std::string& default_value) const {
  return has(key) ? child(key).as_string() : default_value;
}

std::int64_t ConfigNode::get_int(const std::string& key, std::int64_t default_value) const {
  return has(key) ? child(key).as_int() : default_value;
}

double ConfigNode::get_double(const std::string& key, double default_value) const {
  return has(key) ? child(key).as_double() : default_value;
}

bool ConfigNode::get_bool(const std::string& key, bool default_value) const {
  return has(key) ? child(key).as_bool() : default_value;
}

double ConfigNode::get_bytes(const std::string& key, double default_value) const {
  return has(key) ? child(key).as_bytes() : default_value;
}

double ConfigNode::get_bandwidth(const std::string& key, double default_value) const {
  return has(key) ? child(key).as_bandwidth() : default_value;
}

sim::Time ConfigNode::get_duration(const std::string& key, sim::Time default_value) const {
  return has(key) ? child(key).as_duration() : default_value;
}

double ConfigNode::get_flop_rate(const std::string& key, double default_value) const {
  return has(key) ? child(key).as_flop_rate() : default_value;
}

}  // namespace app
