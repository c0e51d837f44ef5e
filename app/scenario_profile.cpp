// Loads `model: {profile: ...}`: a layer profile (built in, or a CSV file)
// and the device model that times it, for timing-only runs.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "algorithms/ml/profiles/profile_csv.h"
#include "app/schema.h"
#include "app/scenario_sections.h"

namespace app::section {
namespace {

// `efficiency: {conv: 0.5, linear: 0.6, ...}`: the fraction of the node's
// FLOP/s a layer of each kind reaches; kinds left out keep their default.
void load_efficiency(const ConfigNode& node, ml::DeviceModel& device) {
  std::vector<std::string> kinds;
  for (int k = 0; k < ml::kLayerKinds; ++k) {
    kinds.emplace_back(ml::layer_kind_name(static_cast<ml::LayerKind>(k)));
  }
  node.check_keys(schema::keys("model.efficiency"));
  for (int k = 0; k < ml::kLayerKinds; ++k) {
    if (const auto value = node.optional_child(kinds[static_cast<std::size_t>(k)])) {
      device.efficiency[k] = value->as_double_in(0.0, 1.0);
      value->require(device.efficiency[k] > 0, "an efficiency must be greater than zero");
    }
  }
}

}  // namespace

void load_profile(const ConfigNode& model, Scenario& s) {
  model.check_keys(schema::keys("model.profile"));
  const ConfigNode profile = model.child("profile");
  const std::string name = profile.as_string();
  s.model_layers_at = location(profile, profile.path());
  const auto length = model.optional_child("sequence_length");
  const auto file = model.optional_child("file");
  if (name == "csv") {
    if (length) length->fail("sequence_length applies to bert_base and gpt2_small only");
    if (!file) model.fail("profile: csv reads its layers from `file: PATH.csv`");
    const std::string path = file->as_string();
    try {
      s.profile = std::make_shared<const ml::LayerProfile>(ml::read_profile_csv(path));
    } catch (const ml::ProfileError& e) {
      if (e.line == 1 && e.column == 1 && e.key.empty() &&
          e.what() == std::string("cannot open the profile file")) {
        file->fail(path + ": cannot open the profile file");
      }
      throw ScenarioError(e.path, e.line, e.column, e.key.empty() ? "profile" : e.key, e.what());
    }
  } else {
    const std::vector<std::string>& names = ml::builtin_profile_names();
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      const std::string hint = did_you_mean(name, names);
      profile.fail("unknown profile '" + name + "'" +
                   (hint.empty() ? " (expected " + join(names, ", ") + " or csv)"
                                 : " (did you mean '" + hint + "'?)"));
    }
    if (file) file->fail("file applies to profile: csv only");
    int tokens = 0;
    if (length) {
      if (!ml::profile_uses_sequence(name)) {
        length->fail("sequence_length applies to bert_base and gpt2_small only");
      }
      tokens = static_cast<int>(length->as_int_in(1, name == "bert_base" ? 512 : 1024));
    }
    s.profile = std::make_shared<const ml::LayerProfile>(ml::builtin_profile(name, tokens));
  }
  if (const auto efficiency = model.optional_child("efficiency")) {
    load_efficiency(*efficiency, s.device);
  }
  if (const auto overhead = model.optional_child("step_overhead")) {
    const sim::Time t = overhead->as_duration();
    overhead->require(t >= 0, "step_overhead must not be negative");
    s.device.step_overhead_seconds = sim::to_seconds(t);
  }
}

void check_profile_run(const ConfigNode& root, const Scenario& s) {
  for (const AlgorithmChoice& a : s.algorithms) {
    const SourceLocation& at = a.profile_key_at;
    if (at.file.empty()) continue;
    if (!s.profile) {
      throw ScenarioError(
          at.file, at.line, at.column, at.path,
          std::string("gradient buckets need a layer profile (model.profile): an "
                      "MLP's gradient is ") +
              (a.kind == "ps_sync" ? "pushed and pulled whole" : "all-reduced whole"));
    }
    if (a.elastic) {
      throw ScenarioError(at.file, at.line, at.column, at.path,
                          "an elastic all-reduce reduces the whole gradient at once: gradient "
                          "buckets apply without elastic only");
    }
  }
  if (!s.profile) return;
  const ConfigNode profile = root.child("model").child("profile");
  if (!s.timing_only) {
    profile.fail("a layer profile has no real math to run: set `math: none` (timing only)");
  }
  if (s.data.dataset != "synthetic") {
    root.child("data").child("dataset").fail(
        "with a layer profile the data only sets the sample count (epochs, shards): use "
        "dataset: synthetic");
  }
}

}  // namespace app::section
