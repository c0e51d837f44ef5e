// SweepPlan: the points of a scenario's `sweep:` block.
//
//   sweep:
//     algorithm.kind: [ps_sync, allreduce_ring]   # axis: a dotted key path
//     topology.bandwidth: [1Gbps, 10Gbps]         # and the values it takes
//
// The points are the cartesian product of the axes in file order, the last
// axis varying fastest (nested loops, first axis outermost); the axes of a
// `zip:` group move together as one (app/sweep_axes.h), so point i is
// the same on every machine. A point is the scenario with each axis's key
// replaced by one of its values in the YAML tree, then loaded by the normal
// loader: every point gets the usual checks, and errors in a value point at
// the value inside the `sweep:` block. Every point keeps the scenario's seed
// (paired comparisons); sweep `seed` itself for replicates.
//
// Key paths: map keys joined by '.', a list element as `key[i]`
// (`algorithms[1].lr`). Every key but the last must exist in the scenario;
// the last may be new (to sweep an optional key left at its default).
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app/config_node.h"
#include "run/scenario.h"

namespace app {

struct SweepAxis {
  std::string path;  // "topology.bandwidth"
  // As written: scalars verbatim, lists and maps in flow YAML, or maps by
  // their `label` (else `kind`) when that tells every value apart.
  std::vector<std::string> values;
  int line = 0, column = 0;  // of the axis key in the file (1-based)
  // The axes of one `zip:` group share a dimension and move together; every
  // other axis is a dimension of its own (app/sweep_axes.h).
  std::size_t dimension = 0;
};

class SweepPlan {
 public:
  // Reads `path` (or text standing for file `file_name`) and checks the
  // `sweep:` block: its shape and every axis path against the scenario
  // (errors at the axis, with a did-you-mean). A scenario without `sweep:` is
  // a plan of one point with no axes. seed_override replaces the scenario's
  // `seed` before the axes apply. Throws ScenarioError.
  static SweepPlan load_file(const std::string& path, std::optional<std::uint64_t> seed_override);
  static SweepPlan load_string(const std::string& yaml, const std::string& file_name,
                               std::optional<std::uint64_t> seed_override);

  const std::string& file() const { return file_; }
  const std::string& text() const { return text_; }  // the scenario file's bytes
  const std::vector<SweepAxis>& axes() const { return axes_; }
  std::size_t size() const { return size_; }

  // The value index of each axis at `point`. REQUIRES: point < size().
  std::vector<std::size_t> coordinates(std::size_t point) const;
  // The value text of each axis at `point`.
  std::vector<std::string> values(std::size_t point) const;
  // The point's scenario, through load_scenario_root. A ScenarioError names
  // the point ("sweep point 3: topology.bandwidth=1Gbps") and, for a key the
  // sweep added, the axis's line.
  Scenario scenario(std::size_t point) const;
  // The point's scenario as one YAML document without `sweep:` (written to
  // the point's folder: `syncsim run` on it reproduces the point).
  std::string point_yaml(std::size_t point) const;
  // "0007-ps_sync-10Gbps": the zero-padded index, then the values made safe
  // for a file name. Unique per point (the index is).
  std::string folder_name(std::size_t point) const;

  // Loads points before anything runs, so bad values fail first (and, with
  // max_memory > 0, points over that memory budget, app/memory_budget.h):
  // every point of a sweep of at most kFullValidation points; past that each
  // value of each axis once, the other axes at their first value (so a
  // million points validate in seconds; a combination that fails only with
  // other values fails when its point runs, exit 2 as well). Errors name the
  // point; a value's error is at its axis's line when not every point is loaded.
  static constexpr std::size_t kFullValidation = 4096;
  void validate_all(double max_memory = 0) const;

 private:
  [[noreturn]] void rethrow_at_point(const ScenarioError& e, std::size_t point) const;
  void validate_point(const ConfigNode& root, std::size_t point, double max_memory) const;
  // The file's text with the root `sweep:` block's lines blanked (line
  // numbers kept), or the text itself when the block is not a plain block.
  std::string text_without_sweep() const;
  SweepPlan() = default;
  YAML::Node point_tree(std::size_t point) const;  // a fresh parse, edited
  std::string describe(std::size_t point) const;   // "topology.bandwidth=1Gbps, ..."

  std::string file_;
  std::string text_;  // the scenario file, parsed again per point (nodes are shared handles)
  std::optional<std::uint64_t> seed_override_;
  std::vector<SweepAxis> axes_;
  std::vector<std::size_t> dimension_sizes_;  // values per dimension, in file order
  std::size_t size_ = 1;
};

// A key path split into map keys and list indices: "algorithms[1].lr" ->
// {"algorithms", [1], "lr"}. Throws std::invalid_argument on bad syntax.
struct PathSegment {
  std::string key;  // empty for an index
  std::optional<std::size_t> index;
};
std::vector<PathSegment> parse_key_path(const std::string& path);

}  // namespace app
