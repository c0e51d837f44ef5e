// ConfigNode: a checked, read-only view of one node of a scenario file.
//
// Every error a scenario can contain is reported as a ScenarioError that names
// the file, the 1-based line and column, and the key path from the root
// ("cluster.groups[1].count"), so a user can go straight to the mistake:
//
//   cluster.yaml:12:14: cluster.groups[1].count: expected an integer, got 'four'
//
// Typical use, in a loader:
//
//   const ConfigNode root = ConfigNode::load_file(path);
//   root.check_keys({"name", "seed", "cluster"});
//   const std::string name = root.child("name").as_string();
//   const std::int64_t seed = root.get_int("seed", 1);
//   for (std::size_t i = 0; i < groups.size(); ++i) {
//     const ConfigNode group = groups.at(i);
//     const std::int64_t count = group.child("count").as_int_in(1, 100'000);
//   }
//
// A ConfigNode is a cheap value (it shares the parsed document); copies and
// children stay valid after the node they came from is gone.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "app/spelling.h"  // did_you_mean, for callers that build their own messages
#include "app/uses_syncsim.h"
#include "run/scenario_error.h"  // ScenarioError
#include "sim/time.h"

namespace app {

class ConfigNode {
 public:
  // ---- Loading. Both check the whole document once: a syntax error, an
  // empty document, more than one document, a duplicate key in any map (named
  // at its second occurrence) or a key that is not a plain scalar is a
  // ScenarioError.
  static ConfigNode load_file(const std::string& path);  // unreadable file: error naming it
  // The text of a scenario file, checked before it is read: a file that is
  // not a regular file (a folder, /dev/zero, a FIFO) or is larger than
  // kMaxFileBytes is an error naming it, and so is one that cannot be read.
  static std::string read_file(const std::string& path);
  static constexpr long long kMaxFileBytes = 16LL << 20;
  // pseudo_file_name stands in for the file name in messages (tests, stdin).
  static ConfigNode load_string(const std::string& yaml, const std::string& pseudo_file_name);
  // A document already parsed (and perhaps edited, as sweeps do), checked the
  // same way; nodes keep the marks they were parsed with.
  static ConfigNode from_yaml(const YAML::Node& root, const std::string& file_name);

  // ---- Where this node is.
  const std::string& file() const { return file_; }
  const std::string& path() const { return path_; }  // "" for the root
  int line() const;                                  // 1-based; 0 when unknown
  int column() const;                                // 1-based; 0 when unknown

  // ---- Shape.
  bool is_map() const { return node_.IsMap(); }
  bool is_sequence() const { return node_.IsSequence(); }
  bool is_scalar() const { return node_.IsScalar(); }
  bool is_null() const { return node_.IsNull(); }  // "key:", "key: ~", "key: null"

  // ---- Maps. A key whose value is null counts as absent everywhere below,
  // so "eval:" with nothing after it behaves like no "eval" at all.
  bool has(const std::string& key) const;  // false, not an error, if this is not a map
  // The value of key. Errors: this is not a map; key is missing ("missing
  // required key 'x'", reported at this node); key has no value (at the key).
  ConfigNode child(const std::string& key) const;
  std::optional<ConfigNode> optional_child(const std::string& key) const;  // error if not a map
  std::vector<std::string> keys() const;  // in file order; error if not a map
  // Errors at the first key (in file order) not in allowed:
  //   "unknown key 'lerning_rate' (did you mean 'learning_rate'?)", or, when
  //   nothing is close, "unknown key 'x' (allowed keys: a, b, c)".
  // Also an error if this is not a map.
  void check_keys(std::initializer_list<std::string_view> allowed) const;
  void check_keys(const std::vector<std::string>& allowed) const;

  // A view of this map in which `keys` are absent (has, child, keys and
  // check_keys skip them); its children are plain nodes. For a block whose
  // common keys one reader takes and whose own keys another checks (an
  // algorithm entry's `optimizer:`, app/algorithm_overrides.h).
  ConfigNode without(std::vector<std::string> keys) const;

  // ---- Sequences. Errors if this is not a sequence or index >= size().
  std::size_t size() const;
  ConfigNode at(std::size_t index) const;  // path "a.b[3]"

  // ---- Scalars. Each errors at this node if it is not a scalar of that type:
  //   "expected an integer, got '3.5'", "expected an integer, got a map".
  std::string as_string() const;
  // Decimal integers ("42", "-7"); also exponent forms that are exact
  // integers ("1e6"). Rejects fractions and values outside int64.
  std::int64_t as_int() const;
  double as_double() const;  // finite numbers only: rejects .nan and .inf
  bool as_bool() const;      // true/false/yes/no, any letter case
  // Quantities with units (app/units.h), with its error text at this node.
  double as_bytes() const;
  double as_bandwidth() const;  // bytes per second
  sim::Time as_duration() const;
  double as_flop_rate() const;

  // ---- Ranges. Error "must be between 1 and 64, got 0" ("must be at least
  // 1" when max is the type's maximum) at this node.
  std::int64_t as_int_in(std::int64_t min,
                         std::int64_t max = std::numeric_limits<std::int64_t>::max()) const;
  double as_double_in(double min, double max = std::numeric_limits<double>::infinity()) const;
  // fail(message) unless condition: node.require(rate > 0, "must be positive").
  void require(bool condition, const std::string& message) const;

  // ---- Optional keys: the value of key if present (see has()), else
  // default_value. A present value of the wrong type is still an error.
  std::string get_string(const std::string& key, const std::string& default_value) const;
  std::int64_t get_int(const std::string& key, std::int64_t default_value) const;
  double get_double(const std::string& key, double default_value) const;
  bool get_bool(const std::string& key, bool default_value) const;
  double get_bytes(const std::string& key, double default_value) const;
  double get_bandwidth(const std::string& key, double default_value) const;
  sim::Time get_duration(const std::string& key, sim::Time default_value) const;
  double get_flop_rate(const std::string& key, double default_value) const;

  // Throws ScenarioError at this node's position and path.
  [[noreturn]] void fail(const std::string& message) const;

  // The underlying node, for the rare reader that needs yaml-cpp directly.
  const YAML::Node& yaml() const { return node_; }

 private:
  ConfigNode(YAML::Node node, std::string file, std::string path);
  bool hides(const std::string& key) const;

  void require_map() const;                                     // fail unless this is a map
  [[noreturn]] void fail_expected(const char* expected) const;  // "expected X, got Y"
  // The (key, value) nodes of key in this map, or nullopt; fails unless a map.
  std::optional<std::pair<YAML::Node, YAML::Node>> find(const std::string& key) const;
  std::string child_path(const std::string& key) const;

  YAML::Node node_;
  std::string file_;
  std::string path_;
  std::vector<std::string> hidden_;  // keys this view leaves out (see without())
};

}  // namespace app
