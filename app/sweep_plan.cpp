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
#include "app/sweep_axes.h"

namespace app {
namespace {

// More points than this is a typo (an axis crossed with itself), not a plan.
constexpr std::size_t kMaxPoints = 1'000'000;

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
  plan.axes_ = read_sweep_axes(root, *sweep);
  for (const SweepAxis& a : plan.axes_) {
    if (a.dimension < plan.dimension_sizes_.size()) continue;  // a zip group's later axis
    if (plan.size_ > kMaxPoints / a.values.size()) {
      throw ScenarioError(file_name, a.line, a.column, "sweep." + a.path,
                          "the sweep has more than " + std::to_string(kMaxPoints) + " points");
    }
    plan.size_ *= a.values.size();
    plan.dimension_sizes_.push_back(a.values.size());
  }
  return plan;
}

std::vector<std::size_t> SweepPlan::coordinates(std::size_t point) const {
  std::vector<std::size_t> by_dimension(dimension_sizes_.size());
  for (std::size_t d = dimension_sizes_.size(); d-- > 0;) {
    by_dimension[d] = point % dimension_sizes_[d];
    point /= dimension_sizes_[d];
  }
  std::vector<std::size_t> c;
  for (const SweepAxis& a : axes_) c.push_back(by_dimension[a.dimension]);
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
  const std::vector<YAML::Node> lists = sweep_value_lists(root["sweep"]);
  for (std::size_t axis = 0; axis < axes_.size(); ++axis) {
    apply_at_path(root, parse_key_path(axes_[axis].path), lists[axis][c[axis]]);
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

void SweepPlan::validate_point(const ConfigNode& root, std::size_t point, double max_memory) const {
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
  std::vector<std::vector<YAML::Node>> values;
  for (const YAML::Node& list :
       sweep_value_lists(ConfigNode::load_string(text_, file_).yaml()["sweep"])) {
    values.emplace_back();
    for (const YAML::Node& v : list) values.back().push_back(v);
  }
  std::vector<std::vector<PathSegment>> paths;
  for (const SweepAxis& a : axes_) paths.push_back(parse_key_path(a.path));
  // Each value of each dimension once, the other dimensions at their first value.
  for (std::size_t d = 0; d < dimension_sizes_.size(); ++d) {
    std::size_t stride = 1;
    for (std::size_t later = d + 1; later < dimension_sizes_.size(); ++later) {
      stride *= dimension_sizes_[later];
    }
    for (std::size_t v = 0; v < dimension_sizes_[d]; ++v) {
      YAML::Node root = ConfigNode::load_string(base, file_).yaml();
      if (seed_override_) root["seed"] = std::to_string(*seed_override_);
      root.remove("sweep");
      for (std::size_t a = 0; a < axes_.size(); ++a) {
        apply_at_path(root, paths[a], YAML::Clone(values[a][axes_[a].dimension == d ? v : 0]));
      }
      validate_point(ConfigNode::from_yaml(root, file_), v * stride, max_memory);
    }
  }
}

}  // namespace app
