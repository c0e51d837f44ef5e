#include "app/sweep_axes.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "app/spelling.h"

namespace app {
namespace {

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

// Reads one axis (`key` its key node in the file, `axis` its value list)
// into `axes`, in dimension `dimension`.
void read_axis(const ConfigNode& root, const YAML::Node& key, const ConfigNode& axis,
               std::size_t dimension, std::vector<SweepAxis>& axes) {
  SweepAxis a;
  a.path = key.Scalar();
  a.dimension = dimension;
  a.line = one_based(key.Mark().line);
  a.column = one_based(key.Mark().column);
  const auto fail_at_key = [&](const std::string& message) {
    throw ScenarioError(root.file(), a.line, a.column, axis.path(), message);
  };
  std::vector<PathSegment> segments;
  try {
    segments = parse_key_path(a.path);
  } catch (const std::invalid_argument& e) {
    fail_at_key(e.what());
  }
  if (segments.front().key == "sweep") fail_at_key("a sweep cannot sweep itself");
  for (const SweepAxis& other : axes) {
    if (is_under(a.path, other.path) || is_under(other.path, a.path)) {
      fail_at_key("axis '" + a.path + "' overlaps axis '" + other.path + "' (line " +
                  std::to_string(other.line) + ")");
    }
  }
  if (!axis.is_sequence() || axis.size() == 0) {
    axis.fail("expected a non-empty list of values, e.g. [1Gbps, 10Gbps]");
  }
  try {
    check_path(root.yaml(), segments, a.path);
  } catch (const std::invalid_argument& e) {
    fail_at_key(e.what());
  }
  for (std::size_t i = 0; i < axis.size(); ++i) a.values.push_back(value_text(axis.at(i).yaml()));
  short_names(axis.yaml(), a.values);
  axes.push_back(std::move(a));
}

// One zip group: a map of axes of equal length, all in `dimension`.
void read_zip_group(const ConfigNode& root, const ConfigNode& group, std::size_t dimension,
                    std::vector<SweepAxis>& axes) {
  if (!group.is_map() || group.keys().size() < 2) {
    group.fail(
        "expected a map of at least two axes that move together, "
        "e.g. {optimizer.lr: [0.1, 0.05], algorithm.batch_size: [16, 32]}");
  }
  const std::size_t first = axes.size();
  for (const auto& entry : group.yaml()) {
    read_axis(root, entry.first, group.child(entry.first.Scalar()), dimension, axes);
    const SweepAxis& a = axes.back();
    if (a.values.size() != axes[first].values.size()) {
      throw ScenarioError(root.file(), a.line, a.column, group.path() + "." + a.path,
                          "axes that move together need as many values each: '" + a.path +
                              "' has " + std::to_string(a.values.size()) + ", '" +
                              axes[first].path + "' (line " + std::to_string(axes[first].line) +
                              ") has " + std::to_string(axes[first].values.size()));
    }
  }
}

}  // namespace

bool is_under(const std::string& path, const std::string& prefix) {
  if (path.size() < prefix.size() || path.compare(0, prefix.size(), prefix) != 0) return false;
  return path.size() == prefix.size() || path[prefix.size()] == '.' || path[prefix.size()] == '[';
}

std::vector<SweepAxis> read_sweep_axes(const ConfigNode& root, const ConfigNode& sweep) {
  std::vector<SweepAxis> axes;
  std::size_t dimension = 0;
  for (const auto& entry : sweep.yaml()) {
    const std::string key = entry.first.Scalar();
    const ConfigNode value = sweep.child(key);
    if (key != "zip") {
      read_axis(root, entry.first, value, dimension++, axes);
    } else if (value.is_sequence()) {
      if (value.size() == 0) value.fail("expected a map of axes, or a list of such maps");
      for (std::size_t g = 0; g < value.size(); ++g) {
        read_zip_group(root, value.at(g), dimension++, axes);
      }
    } else {
      read_zip_group(root, value, dimension++, axes);
    }
  }
  return axes;
}

std::vector<YAML::Node> sweep_value_lists(const YAML::Node& sweep) {
  std::vector<YAML::Node> lists;
  const auto group = [&](const YAML::Node& g) {
    for (const auto& entry : g) lists.push_back(entry.second);
  };
  for (const auto& entry : sweep) {
    if (entry.first.Scalar() != "zip") {
      lists.push_back(entry.second);
    } else if (entry.second.IsSequence()) {
      for (const YAML::Node& g : entry.second) group(g);
    } else {
      group(entry.second);
    }
  }
  return lists;
}

void apply_at_path(YAML::Node root, const std::vector<PathSegment>& segments,
                   const YAML::Node& value) {
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

}  // namespace app
