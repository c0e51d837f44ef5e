#include "app/sweep_plan.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "app/config_node.h"
#include "app/memory_budget.h"
#include "app/scenario_loader.h"
#include "app/spelling.h"

namespace app {
namespace {

// More points than this is a typo (an axis crossed with itself), not a plan.
constexpr std::size_t kMaxPoints = 1'000'000;

int one_based(int zero_based) { return zero_based >= 0 ? zero_based + 1 : 0; }

std::string value_text(const YAML::Node& value) {
  if (value.IsScalar()) return value.Scalar();
  if (value.IsNull()) return "null";
  YAML::Emitter out;
  out.SetMapFormat(YAML::Flow);
  out.SetSeqFormat(YAML::Flow);
  out << value;
  return out.c_str();
}

// Blocks are long in a CSV cell: name each by its `label`, else its `kind`,
// when that tells every value of the axis apart.
void short_names(const YAML::Node& list, std::vector<std::string>& values) {
  std::vector<std::string> names;
  for (const YAML::Node& value : list) {
    if (!value.IsMap()) return;
    const YAML::Node name = value["label"] ? value["label"] : value["kind"];
    if (!name || !name.IsScalar()) return;
    if (std::find(names.begin(), names.end(), name.Scalar()) != names.end()) return;
    names.push_back(name.Scalar());
  }
  values = names;
}

// Keeps letters, digits, '.', '_' and '+'; any run of other characters
// becomes one '_'. At most `limit` characters.
std::string file_safe(const std::string& text, std::size_t limit) {
  std::string out;
  for (char c : text) {
    const bool keep =
        std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '+';
    if (keep) {
      out += c;
    } else if (!out.empty() && out.back() != '_') {
      out += '_';
    }
    if (out.size() >= limit) break;
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

bool is_under(const std::string& path, const std::string& prefix) {
  if (path.size() < prefix.size() || path.compare(0, prefix.size(), prefix) != 0) return false;
  return path.size() == prefix.size() || path[prefix.size()] == '.' || path[prefix.size()] == '[';
}

// The (key, value) of `key` in map `node`, by file order; both null if absent.
std::pair<YAML::Node, YAML::Node> find_entry(const YAML::Node& node, const std::string& key) {
  for (const auto& entry : node) {
    if (entry.first.Scalar() == key) return {entry.first, entry.second};
  }
  return {YAML::Node(YAML::NodeType::Undefined), YAML::Node(YAML::NodeType::Undefined)};
}

// Checks that every key of `segments` but the last exists in `root` (the
// last may be new). Throws std::invalid_argument saying what is wrong.
void check_path(const YAML::Node& root, const std::vector<PathSegment>& segments,
                const std::string& axis_path) {
  const auto fail = [&](const std::string& message) {
    throw std::invalid_argument("bad axis '" + axis_path + "': " + message);
  };
  YAML::Node current = root;
  std::string walked;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const PathSegment& s = segments[i];
    const bool last = i + 1 == segments.size();
    const std::string where = walked.empty() ? "the scenario" : "'" + walked + "'";
    if (s.index) {
      if (!current.IsSequence()) fail(where + " is not a list");
      if (*s.index >= current.size()) {
        fail(where + " has " + std::to_string(current.size()) + " element(s), no [" +
             std::to_string(*s.index) + "]");
      }
      walked += "[" + std::to_string(*s.index) + "]";
      if (!last) current.reset(current[*s.index]);
      continue;
    }
    if (!current.IsMap()) fail(where + " is not a map");
    const auto [key, value] = find_entry(current, s.key);
    walked += (walked.empty() ? "" : ".") + s.key;
    if (!key.IsDefined()) {
      if (last) return;  // a new key: the loader judges it
      std::vector<std::string> keys;
      for (const auto& entry : current) keys.push_back(entry.first.Scalar());
      const std::string hint = did_you_mean(s.key, keys);
      fail(where + " has no key '" + s.key + "'" +
           (hint.empty() ? " (keys: " + join(keys) + ")" : " (did you mean '" + hint + "'?)"));
    }
    if (!last) current.reset(value);
  }
}

// Puts `value` at `segments` in `root` (check_path has passed).
void apply(YAML::Node root, const std::vector<PathSegment>& segments, const YAML::Node& value) {
  YAML::Node current = root;  // a handle: reset() rebinds it, operator= would edit the tree
  for (std::size_t i = 0; i + 1 < segments.size(); ++i) {
    const PathSegment& s = segments[i];
    if (s.index) {
      current.reset(current[*s.index]);
    } else {
      current.reset(current[s.key]);
    }
  }
  const PathSegment& s = segments.back();
  if (s.index) {
    current[*s.index] = value;
  } else {
    current[s.key] = value;
  }
}

}  // namespace

std::vector<PathSegment> parse_key_path(const std::string& path) {
  std::vector<PathSegment> segments;
  std::size_t i = 0;
  auto bad = [&](const std::string& why) {
    throw std::invalid_argument("bad key path '" + path + "': " + why);
  };
  while (true) {
    std::string key;
    while (i < path.size() && path[i] != '.' && path[i] != '[') {
      if (path[i] == ']') bad("unmatched ']'");
      key += path[i++];
    }
    if (key.empty()) bad("empty key");
    segments.push_back({key, std::nullopt});
    while (i < path.size() && path[i] == '[') {
      const std::size_t close = path.find(']', i);
      if (close == std::string::npos) bad("unmatched '['");
      const std::string digits = path.substr(i + 1, close - i - 1);
      if (digits.empty() || digits.size() > 9 ||
          digits.find_first_not_of("0123456789") != std::string::npos) {
        bad("a list index is a number, like [0]");
      }
      segments.push_back({"", static_cast<std::size_t>(std::stoul(digits))});
      i = close + 1;
    }
    if (i == path.size()) break;
    if (path[i] != '.') bad("expected '.' or '[' after ']'");
    ++i;
  }
  return segments;
}

SweepPlan SweepPlan::load_file(const std::string& path,
                               std::optional<std::uint64_t> seed_override) {
  // ConfigNode::read_file reports a missing, unreadable or unfit file.
  return load_string(ConfigNode::read_file(path), path, seed_override);
}

SweepPlan SweepPlan::load_string(const std::string& yaml, const std::string& file_name,
                                 std::optional<std::uint64_t> seed_override) {
  SweepPlan plan;
  plan.file_ = file_name;
  plan.text_ = yaml;
  plan.seed_override_ = seed_override;
  const ConfigNode root = ConfigNode::load_string(yaml, file_name);
  if (!root.is_map()) root.fail("expected a map of scenario keys");
  const auto sweep = root.optional_child("sweep");
  if (!sweep) return plan;
  if (!sweep->is_map() || sweep->keys().empty()) {
    sweep->fail("expected a map of axes: 'key.path: [value, value, ...]'");
  }
  for (const auto& entry : sweep->yaml()) {
    const std::string path = entry.first.Scalar();
    const ConfigNode axis = sweep->child(path);
    SweepAxis a;
    a.path = path;
    a.line = one_based(entry.first.Mark().line);
    a.column = one_based(entry.first.Mark().column);
    const auto fail_at_key = [&](const std::string& message) {
      throw ScenarioError(file_name, a.line, a.column, axis.path(), message);
    };
    std::vector<PathSegment> segments;
    try {
      segments = parse_key_path(path);
    } catch (const std::invalid_argument& e) {
      fail_at_key(e.what());
    }
    if (segments.front().key == "sweep") fail_at_key("a sweep cannot sweep itself");
    for (const SweepAxis& other : plan.axes_) {
      if (is_under(path, other.path) || is_under(other.path, path)) {
        fail_at_key("axis '" + path + "' overlaps axis '" + other.path + "' (line " +
                    std::to_string(other.line) + ")");
      }
    }
    if (!axis.is_sequence() || axis.size() == 0) {
      axis.fail("expected a non-empty list of values, e.g. [1Gbps, 10Gbps]");
    }
    try {
      check_path(root.yaml(), segments, path);
    } catch (const std::invalid_argument& e) {
      fail_at_key(e.what());
    }
    for (std::size_t i = 0; i < axis.size(); ++i) a.values.push_back(value_text(axis.at(i).yaml()));
    short_names(axis.yaml(), a.values);
    if (plan.size_ > kMaxPoints / a.values.size()) {
      fail_at_key("the sweep has more than " + std::to_string(kMaxPoints) + " points");
    }
    plan.size_ *= a.values.size();
    plan.axes_.push_back(std::move(a));
  }
  return plan;
}

std::vector<std::size_t> SweepPlan::coordinates(std::size_t point) const {
  std::vector<std::size_t> c(axes_.size());
  for (std::size_t i = axes_.size(); i-- > 0;) {
    c[i] = point % axes_[i].values.size();
    point /= axes_[i].values.size();
  }
  return c;
}

std::vector<std::string> SweepPlan::values(std::size_t point) const {
  const std::vector<std::size_t> c = coordinates(point);
  std::vector<std::string> v;
  for (std::size_t i = 0; i < axes_.size(); ++i) v.push_back(axes_[i].values[c[i]]);
  return v;
}

std::string SweepPlan::describe(std::size_t point) const {
  const std::vector<std::string> v = values(point);
  std::string text;
  for (std::size_t i = 0; i < axes_.size(); ++i) {
    text += (i ? ", " : "") + axes_[i].path + "=" + v[i];
  }
  return text;
}

YAML::Node SweepPlan::point_tree(std::size_t point) const {
  YAML::Node root = ConfigNode::load_string(text_, file_).yaml();
  if (seed_override_) root["seed"] = std::to_string(*seed_override_);
  if (axes_.empty()) return root;
  const std::vector<std::size_t> c = coordinates(point);
  const YAML::Node sweep = root["sweep"];
  std::size_t axis = 0;
  for (const auto& entry : sweep) {
    apply(root, parse_key_path(axes_[axis].path), entry.second[c[axis]]);
    ++axis;
  }
  return root;
}

Scenario SweepPlan::scenario(std::size_t point) const {
  try {
    return load_scenario_root(ConfigNode::from_yaml(point_tree(point), file_));
  } catch (const ScenarioError& e) {
    rethrow_at_point(e, point);
  }
}

void SweepPlan::rethrow_at_point(const ScenarioError& e, std::size_t point) const {
  if (axes_.empty()) throw e;
  int line = e.line(), column = e.column();
  if (line == 0) {
    // A key the sweep added has no position of its own: use its axis's.
    for (const SweepAxis& a : axes_) {
      if (is_under(e.key_path(), a.path) || is_under(a.path, e.key_path())) {
        line = a.line;
        column = a.column;
      }
    }
  }
  throw ScenarioError(
      e.file(), line, column, e.key_path(),
      e.message() + " (sweep point " + std::to_string(point) + ": " + describe(point) + ")");
}

std::string SweepPlan::point_yaml(std::size_t point) const {
  YAML::Node root = point_tree(point);
  root.remove("sweep");
  YAML::Emitter out;
  out << root;
  // The header names no file path: shards on other machines, with the
  // scenario at another path, must write the same point.yaml.
  std::string header = "# ";
  header += axes_.empty() ? std::string("no sweep")
                          : "sweep point " + std::to_string(point) + " of " +
                                std::to_string(size_) + ": " + describe(point);
  return header + "\n" + out.c_str() + "\n";
}

std::string SweepPlan::folder_name(std::size_t point) const {
  std::string index = std::to_string(point);
  const std::size_t width = std::max<std::size_t>(4, std::to_string(size_ - 1).size());
  index.insert(0, width - index.size(), '0');
  std::string slug;
  for (const std::string& v : values(point)) {
    const std::string safe = file_safe(v, 24);
    if (!safe.empty()) slug += "-" + safe;
  }
  return index + slug.substr(0, 64);
}


void SweepPlan::validate_point(const ConfigNode& root, std::size_t point,
                               double max_memory) const {
  try {
    const Scenario s = load_scenario_root(root);
    if (max_memory > 0) check_memory_budget(s, max_memory);
  } catch (const ScenarioError& e) {
    rethrow_at_point(e, point);
  }
}

std::string SweepPlan::text_without_sweep() const {
  const YAML::Node root = ConfigNode::load_string(text_, file_).yaml();
  int first = -1, end = -1;  // 0-based lines [first, end) of the block
  for (const auto& entry : root) {
    const YAML::Mark at = entry.first.Mark();
    if (entry.first.Scalar() == "sweep") {
      if (at.column != 0) return text_;  // a flow map: leave it
      first = at.line;
    } else if (first >= 0 && at.line > first && (end < 0 || at.line < end)) {
      end = at.line;
    }
  }
  std::string out;
  int line = 0;
  for (std::size_t i = 0; i < text_.size(); ++i) {
    const bool blank = line >= first && (end < 0 || line < end);
    if (text_[i] == '\n') {
      ++line;
      out += '\n';
    } else if (!blank) {
      out += text_[i];
    }
  }
  return out;
}

void SweepPlan::validate_all(double max_memory) const {
  if (size_ <= kFullValidation) {
    for (std::size_t i = 0; i < size_; ++i) {
      validate_point(ConfigNode::from_yaml(point_tree(i), file_), i, max_memory);
    }
    return;
  }
  // Each point: the scenario without its sweep block (cheap to parse), with
  // copies of its values from one parse of the whole file.
  const std::string base = text_without_sweep();
  const YAML::Node sweep = ConfigNode::load_string(text_, file_).yaml()["sweep"];
  std::vector<std::vector<YAML::Node>> values;
  for (const auto& entry : sweep) {
    values.emplace_back();
    for (const YAML::Node& v : entry.second) values.back().push_back(v);
  }
  std::vector<std::vector<PathSegment>> paths;
  for (const SweepAxis& a : axes_) paths.push_back(parse_key_path(a.path));
  for (std::size_t axis = 0; axis < axes_.size(); ++axis) {
    std::size_t stride = 1;
    for (std::size_t later = axis + 1; later < axes_.size(); ++later) {
      stride *= axes_[later].values.size();
    }
    for (std::size_t v = 0; v < values[axis].size(); ++v) {
      YAML::Node root = ConfigNode::load_string(base, file_).yaml();
      if (seed_override_) root["seed"] = std::to_string(*seed_override_);
      root.remove("sweep");
      for (std::size_t a = 0; a < axes_.size(); ++a) {
        apply(root, paths[a], YAML::Clone(values[a][a == axis ? v : 0]));
      }
      validate_point(ConfigNode::from_yaml(root, file_), v * stride, max_memory);
    }
  }
}

}  // namespace app
