#include "app/config_node.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <utility>

#include "app/units.h"

namespace app {

namespace {

// Records where the first node of a document starts; ignores the rest.
class FirstNodeMark : public YAML::EventHandler {
 public:
  std::optional<YAML::Mark> mark;

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& m, YAML::anchor_t) override { note(m); }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t) override { note(m); }
  void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                const std::string&) override {
    note(m);
  }
  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    note(m);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    note(m);
  }
  void OnMapEnd() override {}

 private:
  void note(const YAML::Mark& m) {
    if (!mark) mark = m;
  }
};

// Where a second YAML document starts, if there is one. YAML::LoadAll is not
// used: on some malformed input (a NUL byte mid-file, found by the scenario
// fuzzer) yaml-cpp 0.7 keeps reporting empty documents and LoadAll never
// returns (fixed upstream after 0.8.0, yaml-cpp pull request 1319). The
// parser is asked for two documents at most.
std::optional<YAML::Mark> second_document(const std::string& yaml) {
  std::istringstream in(yaml);
  YAML::Parser parser(in);
  FirstNodeMark first, second;
  if (!parser.HandleNextDocument(first)) return std::nullopt;
  if (!parser.HandleNextDocument(second)) return std::nullopt;
  return second.mark.value_or(YAML::Mark());
}

// 1-based, 0 when unknown (yaml-cpp marks are 0-based, -1 when unknown).
int one_based(int zero_based) { return zero_based >= 0 ? zero_based + 1 : 0; }

[[noreturn]] void fail_at(const std::string& file, const YAML::Mark& mark,
                          const std::string& key_path, const std::string& message) {
  throw ScenarioError(file, one_based(mark.line), one_based(mark.column), key_path, message);
}

// YAML text may not hold C0 control characters other than tab, LF and CR
// (YAML 1.2, "printable" characters). yaml-cpp would misread them instead: a
// leading NUL switches it to UTF-16, a later one ends the document early.
void reject_control_characters(const std::string& yaml, const std::string& file) {
  int line = 1, column = 1;
  for (const char c : yaml) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && c != '\t' && c != '\n' && c != '\r') || byte == 0x7f) {
      char code[8];
      std::snprintf(code, sizeof code, "0x%02x", byte);
      throw ScenarioError(file, line, column, "",
                          std::string("control character ") + code +
                              " in the file (is it a text file, saved as UTF-8?)");
    }
    if (c == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
}

std::string in_quotes(std::string_view text) { return "'" + std::string(text) + "'"; }

std::string join_path(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}

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

// Checks what yaml-cpp accepts silently: duplicate keys (it keeps both and
// lookups find the first) and keys that are not plain scalars. Aliased
// collections share a mark, so each is walked once (no "billion laughs").
void check_document(const YAML::Node& node, const std::string& file, const std::string& path,
                    std::set<int>& walked) {
  if (!node.IsMap() && !node.IsSequence()) return;
  const int position = node.Mark().pos;
  if (position >= 0 && !walked.insert(position).second) return;
  if (node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i) {
      check_document(node[i], file, path + "[" + std::to_string(i) + "]", walked);
    }
    return;
  }
  std::map<std::string, int> first_line;  // key -> 1-based line of its first occurrence
  for (const auto& entry : node) {
    if (!entry.first.IsScalar()) {
      fail_at(file, entry.first.Mark(), path, "map keys must be plain strings");
    }
    const std::string& key = entry.first.Scalar();
    const auto [previous, inserted] = first_line.emplace(key, one_based(entry.first.Mark().line));
    if (!inserted) {
      fail_at(file, entry.first.Mark(), join_path(path, key),
              "duplicate key " + in_quotes(key) +
                  (previous->second > 0
                       ? " (first given at line " + std::to_string(previous->second) + ")"
                       : std::string()));
    }
    check_document(entry.second, file, join_path(path, key), walked);
  }
}

}  // namespace

ConfigNode::ConfigNode(YAML::Node node, std::string file, std::string path)
    : node_(std::move(node)), file_(std::move(file)), path_(std::move(path)) {}

ConfigNode ConfigNode::load_string(const std::string& yaml, const std::string& pseudo_file_name) {
  reject_control_characters(yaml, pseudo_file_name);
  YAML::Node document;
  std::optional<YAML::Mark> second;
  try {
    document = YAML::Load(yaml);
    second = second_document(yaml);
  } catch (const YAML::DeepRecursion& error) {
    fail_at(pseudo_file_name, error.mark, "",
            "YAML nesting is too deep (" + std::to_string(error.depth()) + " levels)");
  } catch (const YAML::Exception& error) {
    fail_at(pseudo_file_name, error.mark, "", "YAML syntax error: " + error.msg);
  }
  if (!document || document.IsNull()) {
    throw ScenarioError(pseudo_file_name, 0, 0, "", "the scenario file is empty");
  }
  if (second) {
    fail_at(pseudo_file_name, *second, "",
            "a scenario file holds one YAML document, but a second one starts here");
  }
  return from_yaml(document, pseudo_file_name);
}

ConfigNode ConfigNode::from_yaml(const YAML::Node& root, const std::string& file_name) {
  std::set<int> walked;
  check_document(root, file_name, "", walked);
  return ConfigNode(root, file_name, "");
}

ConfigNode ConfigNode::load_file(const std::string& path) {
  std::error_code ignored;
  if (std::filesystem::is_directory(path, ignored)) {
    throw ScenarioError(path, 0, 0, "", "is a directory, not a scenario file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw ScenarioError(
        path, 0, 0, "",
        std::string("cannot open the scenario file (") + std::strerror(errno) + ")");
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw ScenarioError(path, 0, 0, "", "cannot read the scenario file");
  return load_string(text.str(), path);
}

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

std::optional<std::pair<YAML::Node, YAML::Node>> ConfigNode::find(const std::string& key) const {
  require_map();
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
  for (const auto& entry : node_) result.push_back(entry.first.Scalar());
  return result;
}

void ConfigNode::check_keys(std::initializer_list<std::string_view> allowed) const {
  check_keys(std::vector<std::string>(allowed.begin(), allowed.end()));
}

void ConfigNode::check_keys(const std::vector<std::string>& allowed) const {
  require_map();
  for (const auto& entry : node_) {
    const std::string& key = entry.first.Scalar();
    bool known = false;
    for (const std::string& name : allowed) known = known || name == key;
    if (known) continue;
    const std::string suggestion = did_you_mean(key, allowed);
    std::string hint;
    if (!suggestion.empty()) {
      hint = " (did you mean " + in_quotes(suggestion) + "?)";
    } else if (allowed.empty()) {
      hint = " (no keys are allowed here)";
    } else {
      hint = " (allowed keys: " + join(allowed) + ")";
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
