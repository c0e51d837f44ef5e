#include "app/scenario_loader.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <string_view>
#include <utility>
#include <vector>

#include "app/algorithm_registry.h"
#include "app/robust_plugins.h"
#include "app/expectation_loader.h"
#include "app/fault_loader.h"
#include "app/scenario_sections.h"
#include "app/schema.h"
#include "app/units.h"

namespace app {
namespace {

std::string trim(std::string_view s) {
  const auto begin = s.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return "";
  const auto end = s.find_last_not_of(" \t");
  return std::string(s.substr(begin, end - begin + 1));
}

std::vector<AlgorithmChoice> load_algorithms(const ConfigNode& root,
                                             const std::vector<NodeGroup>& groups,
                                             const OptimizerSpec& optimizer) {
  if (root.has("algorithm") && root.has("algorithms")) {
    root.child("algorithms")
        .fail("give either 'algorithm' (one) or 'algorithms' (a list), not both");
  }
  if (!root.has("algorithms")) {
    return {load_algorithm(root.child("algorithm"), groups, optimizer)};
  }
  const ConfigNode list = root.child("algorithms");
  if (!list.is_sequence() || list.size() == 0) {
    list.fail("expected a list of algorithm blocks, each with its own 'kind'");
  }
  std::vector<AlgorithmChoice> choices;
  for (std::size_t i = 0; i < list.size(); ++i) {
    choices.push_back(load_algorithm(list.at(i), groups, optimizer));
    for (std::size_t j = 0; j < i; ++j) {
      if (choices[j].label == choices[i].label) {
        list.at(i).fail("two algorithms are labelled '" + choices[i].label +
                        "': give each a distinct 'label'");
      }
    }
  }
  return choices;
}

// The most clock samples (nodes x sample instants) a run may keep for clocks.csv.
constexpr double kMaxClockSamples = 10'000'000;

OutputsSpec load_outputs(const ConfigNode& node) {
  node.check_keys(schema::keys("outputs"));
  OutputsSpec spec;
  spec.events = node.get_bool("events", false);
  spec.trace = node.get_bool("trace", false);
  spec.links = node.get_bool("links", false);
  if (auto interval = node.optional_child("links_interval")) {
    spec.links_interval = interval->as_duration();
    interval->require(spec.links_interval > 0, "links_interval must be greater than zero");
  }
  if (auto interval = node.optional_child("clock_interval")) {
    spec.clock_interval = interval->as_duration();
    interval->require(spec.clock_interval > 0, "clock_interval must be greater than zero");
  }
  return spec;
}

// `replicates:` and `reference:` (run/replicates.h).
void load_replicates(const ConfigNode& root, Scenario& s) {
  if (root.has("replicates")) {
    s.replicates = static_cast<int>(root.child("replicates").as_int_in(1, kMaxReplicates));
  }
  if (!root.has("reference")) return;
  const ConfigNode reference = root.child("reference");
  s.reference = reference.as_string();
  std::vector<std::string> labels;
  for (const AlgorithmChoice& a : s.algorithms) labels.push_back(a.label);
  if (std::find(labels.begin(), labels.end(), s.reference) == labels.end()) {
    const std::string guess = did_you_mean(s.reference, labels);
    reference.fail("'" + s.reference + "' is not a run label of this scenario (" +
                   (guess.empty() ? "labels: " + join(labels) : "did you mean '" + guess + "'?") +
                   ")");
  }
  if (labels.size() < 2) reference.fail("a reference needs at least two algorithms to compare");
}

// A name is a folder name (runs/NAME, .NAME.lock) and an unquoted CSV cell
// (summary.csv, read back by sweeps): no separators, quotes, control
// characters or spaces; no leading '.' (hidden, "..") or '-' (read as an
// option); short enough for the file system with the lock and staging
// suffixes.
bool is_safe_name(const std::string& name) {
  const auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  if (name.empty() || name.size() > 100 || !alnum(name[0])) return false;
  for (const char c : name) {
    if (!alnum(c) && c != '_' && c != '-' && c != '.' && c != '+') return false;
  }
  return true;
}

Scenario load(const ConfigNode& root) {
  root.check_keys(schema::keys("root"));
  Scenario s;
  s.file = root.file();
  const ConfigNode name = root.child("name");
  s.name = name.as_string();
  name.require(is_safe_name(s.name),
               "name must be 1 to 100 letters, digits, '_', '-', '.' or '+', starting with a "
               "letter or digit (it names the output folder and fills CSV cells)");
  if (root.has("seed")) s.seed = static_cast<std::uint64_t>(root.child("seed").as_int_in(0));
  s.groups = section::load_cluster(root.child("cluster"));
  const ConfigNode topo = root.child("topology");
  s.topology = section::load_topology(topo);
  s.data = section::load_data(root.child("data"));
  s.model_layers_at = section::location(root, "model.layers (default [784, 128, 10])");
  if (root.has("model") && root.child("model").has("profile")) {
    section::load_profile(root.child("model"), s);
  } else if (root.has("model")) {
    s.model = section::load_model(root.child("model"), s.model_layers_at);
  }
  if (root.has("optimizer")) s.optimizer = section::load_optimizer(root.child("optimizer"));
  s.algorithms = load_algorithms(root, s.groups, s.optimizer);
  s.stop = section::load_stop(root.child("stop"));
  if (root.has("eval")) s.eval = section::load_eval(root.child("eval"));
  if (root.has("clock_sync")) {
    s.clock_sync = section::load_clock_sync(root.child("clock_sync"), s.groups);
  }
  if (root.has("failure_detector")) {
    s.failure_detector = section::load_failure_detector(root.child("failure_detector"), s.groups);
  }
  if (root.has("math")) {
    const ConfigNode math = root.child("math");
    const std::string value = math.as_string();
    if (value != "real" && value != "none") {
      math.fail("unknown math '" + value + "' (expected real or none)");
    }
    s.timing_only = value == "none";
    if (s.timing_only && s.stop.target_accuracy > 0) {
      root.child("stop")
          .child("target_accuracy")
          .fail("target_accuracy needs real math: with math: none nothing is evaluated");
    }
  }
  if (root.has("outputs")) s.outputs = load_outputs(root.child("outputs"));
  load_replicates(root, s);
  // Clock samples are kept for clocks.csv: a run of known length must not
  // ask for more than kMaxClockSamples of them.
  if (s.models_clocks() && s.stop.max_time > 0) {
    std::int64_t nodes = 0;
    for (const NodeGroup& g : s.groups) nodes += g.count;
    const double samples = (static_cast<double>(s.stop.max_time / s.outputs.clock_interval) + 1) *
                           static_cast<double>(nodes);
    if (samples > kMaxClockSamples) {
      const ConfigNode at = root.has("outputs") && root.child("outputs").has("clock_interval")
                                ? root.child("outputs").child("clock_interval")
                                : root.child("stop");
      at.fail("reading " + std::to_string(nodes) + " clocks every " +
              sim::format_time(s.outputs.clock_interval) + " until stop.sim_time is more than " +
              std::to_string(static_cast<long>(kMaxClockSamples)) +
              " clock samples: set a longer outputs.clock_interval");
    }
  }
  section::check_topology_hosts(topo, s);
  section::check_group_links(root.child("cluster"), s);
  section::check_profile_run(root, s);
  section::check_calibration(topo, s);
  if (!s.profile) section::check_model_against_data(s);
  section::check_data_files(root.child("data"), s);
  section::check_samples_per_participant(root.child("data"), s);
  section::check_elastic_timeouts(s);
  check_byzantine_algorithms(root.child("cluster"), s);
  // Last: fault targets are resolved on the checked topology.
  if (root.has("faults")) s.faults = load_faults(root.child("faults"), s);
  if (root.has("expect")) {
    std::vector<std::string> labels;
    for (const AlgorithmChoice& a : s.algorithms) labels.push_back(a.label);
    s.expectations =
        load_expectations(root.child("expect"), labels, s.models_clocks(),
                          s.stop.target_accuracy > 0, s.faults.has_value(), s.replicates);
  }
  return s;
}

}  // namespace

sim::Distribution parse_distribution(const ConfigNode& node, DistributionUnit unit) {
  const std::string text = trim(node.as_string());
  auto number = [&](std::string_view s) {
    const std::string t = trim(s);
    if (unit == DistributionUnit::duration) {
      const bool negative = !t.empty() && t.front() == '-';
      try {
        const double seconds = sim::to_seconds(parse_duration(negative ? t.substr(1) : t));
        return negative ? -seconds : seconds;
      } catch (const UnitError& e) {
        node.fail(std::string(e.what()) + " in distribution '" + text + "'");
      }
    }
    double value = 0;
    const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
    if (ec != std::errc() || end != t.data() + t.size() || t.empty()) {
      node.fail("'" + t + "' is not a number in distribution '" + text + "'");
    }
    if (!std::isfinite(value)) {
      node.fail("'" + t + "' is not a finite number in distribution '" + text + "'");
    }
    return value;
  };
  const auto open = text.find('(');
  if (open == std::string::npos) return sim::Distribution::constant_value(number(text));
  if (text.back() != ')') node.fail("expected a closing ')' in '" + text + "'");
  const std::string kind = trim(std::string_view(text).substr(0, open));
  const std::string inside = text.substr(open + 1, text.size() - open - 2);
  std::vector<double> args;
  std::size_t start = 0;
  while (true) {
    const auto comma = inside.find(',', start);
    args.push_back(number(std::string_view(inside).substr(start, comma - start)));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  static const std::map<std::string, std::pair<sim::Distribution::Kind, std::size_t>> kKinds = {
      {"uniform", {sim::Distribution::Kind::uniform, 2}},
      {"normal", {sim::Distribution::Kind::normal, 2}},
      {"lognormal", {sim::Distribution::Kind::lognormal, 2}},
      {"exponential", {sim::Distribution::Kind::exponential, 1}},
  };
  const auto it = kKinds.find(kind);
  if (it == kKinds.end()) {
    node.fail(
        "unknown distribution '" + kind +
        "' (expected uniform(a, b), normal(mean, sd), lognormal(mu, sigma), exponential(rate) "
        "or a number)");
  }
  const auto [k, arity] = it->second;
  if (args.size() != arity) {
    node.fail(kind + " takes " + std::to_string(arity) + " argument(s), got " +
              std::to_string(args.size()));
  }
  sim::Distribution d{k, args[0], arity > 1 ? args[1] : 0.0};
  if (k == sim::Distribution::Kind::uniform && !(d.a < d.b)) node.fail("uniform(a, b) needs a < b");
  if ((k == sim::Distribution::Kind::normal || k == sim::Distribution::Kind::lognormal) &&
      d.b < 0) {
    node.fail(kind + " needs a spread >= 0");
  }
  if (k == sim::Distribution::Kind::exponential && !(d.a > 0))
    node.fail("exponential needs rate > 0");
  return d;
}

Scenario load_scenario(const std::string& path) { return load(ConfigNode::load_file(path)); }

Scenario load_scenario_root(const ConfigNode& root) { return load(root); }

Scenario load_scenario_string(const std::string& yaml, const std::string& pseudo_file) {
  return load(ConfigNode::load_string(yaml, pseudo_file));
}

}  // namespace app
