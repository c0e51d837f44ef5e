#include "app/expectation_loader.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "app/config_node.h"
#include "app/units.h"
#include "run/summary_columns.h"

namespace app {
namespace {

// What the loader checks expectations against.
struct LoadContext {
  const std::vector<std::string>& labels;
  bool models_clocks, has_target_accuracy, has_faults;
  int replicates;
};

constexpr const char* kForms =
    "expected one of: >= V, <= V, > V, < V, == V, within X% of V, within X of V, "
    "between A and B";

// Columns that are empty unless the scenario models clocks.
bool is_clock_metric(const std::string& m) {
  const SummaryColumn* c = find_summary_column(current_summary_name(m));
  return c != nullptr && c->applies == ColumnApplies::clocks;
}

// The update-accounting group: empty unless the scenario has faults:.
bool is_fault_metric(const std::string& m) {
  const SummaryColumn* c = find_summary_column(current_summary_name(m));
  return c != nullptr && c->applies == ColumnApplies::faults;
}

// The stop reasons the runner and the monitor write.
const std::vector<std::string>& stop_reasons() {
  static const std::vector<std::string> reasons = {"epochs", "steps", "sim_time", "target_accuracy",
                                                   "no_more_events"};
  return reasons;
}

std::string trim(std::string_view s) {
  const auto begin = s.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return "";
  const auto end = s.find_last_not_of(" \t");
  return std::string(s.substr(begin, end - begin + 1));
}

// A plain decimal number (negative allowed), the whole text, finite.
bool parse_plain(const std::string& text, double& value) {
  if (text.empty()) return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size() && std::isfinite(value);
}

// One operand of the expression at `node`, in the metric's base unit.
double operand(const ConfigNode& node, const Expectation& e, const std::string& raw) {
  const std::string text = trim(raw);
  if (text.empty())
    node.fail("malformed expectation '" + e.text + "': a value is missing; " + kForms);
  try {
    switch (e.unit) {
      case MetricUnit::duration:
        return sim::to_seconds(parse_duration(text));
      case MetricUnit::bytes:
        return parse_bytes(text);
      case MetricUnit::number:
      case MetricUnit::text:
        break;
    }
  } catch (const UnitError& error) {
    node.fail("in expectation '" + e.text + "': " + error.what());
  }
  double value = 0.0;
  if (!parse_plain(text, value)) {
    node.fail("in expectation '" + e.text + "': '" + text + "' is not a number");
  }
  return value;
}

// Splits "A KEYWORD B" at the first " KEYWORD " (spaces required around it).
bool split_at(const std::string& text, const std::string& keyword, std::string& left,
              std::string& right) {
  const std::string padded = " " + keyword + " ";
  const auto at = text.find(padded);
  if (at == std::string::npos) return false;
  left = text.substr(0, at);
  right = text.substr(at + padded.size());
  return true;
}

void parse_text_expression(const ConfigNode& node, Expectation& e) {
  if (e.text.rfind("==", 0) != 0) {
    node.fail("malformed expectation '" + e.text + "': " + e.metric +
              " is text; the only form is '== WORD' (" + join(stop_reasons()) + ")");
  }
  e.op = Expectation::Op::eq;
  e.word = trim(std::string_view(e.text).substr(2));
  const auto& reasons = stop_reasons();
  if (std::find(reasons.begin(), reasons.end(), e.word) == reasons.end()) {
    const std::string guess = did_you_mean(e.word, reasons);
    node.fail(
        "in expectation '" + e.text + "': unknown stop reason '" + e.word + "' (" +
        (guess.empty() ? "expected one of " + join(reasons) : "did you mean '" + guess + "'?") +
        ")");
  }
}

void parse_expression(const ConfigNode& node, Expectation& e) {
  e.text = trim(node.as_string());
  if (e.unit == MetricUnit::text) return parse_text_expression(node, e);
  const std::string& t = e.text;
  static const std::pair<const char*, Expectation::Op> kComparisons[] = {
      {">=", Expectation::Op::ge}, {"<=", Expectation::Op::le}, {"==", Expectation::Op::eq},
      {">", Expectation::Op::gt},  {"<", Expectation::Op::lt},
  };
  for (const auto& [symbol, op] : kComparisons) {
    const std::string_view s(symbol);
    if (t.compare(0, s.size(), s) != 0) continue;
    const std::string rest = t.substr(s.size());
    if (!rest.empty() && (rest.front() == '=' || rest.front() == '>' || rest.front() == '<')) {
      node.fail("malformed expectation '" + t + "': unknown operator; " + kForms);
    }
    e.op = op;
    e.a = operand(node, e, rest);
    return;
  }
  std::string left, right;
  if (t.rfind("within ", 0) == 0) {
    if (!split_at(t.substr(7), "of", left, right)) {
      node.fail("malformed expectation '" + t + "': 'within' needs 'X of V'; " + kForms);
    }
    left = trim(left);
    if (!left.empty() && left.back() == '%') {
      e.op = Expectation::Op::within_relative;
      if (!parse_plain(trim(left.substr(0, left.size() - 1)), e.a) || e.a < 0) {
        node.fail("in expectation '" + t + "': '" + left + "' is not a percentage >= 0");
      }
    } else {
      e.op = Expectation::Op::within_absolute;
      e.a = operand(node, e, left);
      if (e.a < 0) node.fail("in expectation '" + t + "': the tolerance must not be negative");
    }
    e.b = operand(node, e, right);
    return;
  }
  if (t.rfind("between ", 0) == 0) {
    if (!split_at(t.substr(8), "and", left, right)) {
      node.fail("malformed expectation '" + t + "': 'between' needs 'A and B'; " + kForms);
    }
    e.op = Expectation::Op::between;
    e.a = operand(node, e, left);
    e.b = operand(node, e, right);
    if (!(e.a <= e.b)) node.fail("in expectation '" + t + "': between A and B needs A <= B");
    return;
  }
  node.fail("malformed expectation '" + t + "': " + kForms);
}

// The metrics an expectation may name; with `means`, their mean_ forms too
// (did-you-mean candidates, not listed in messages).
std::vector<std::string> metric_names(bool models_clocks, bool has_faults, bool means = false) {
  std::vector<std::string> names;
  for (const auto& [name, unit] : summary_metrics()) {
    if ((models_clocks || !is_clock_metric(name)) && (has_faults || !is_fault_metric(name))) {
      names.push_back(name);
      if (means && unit != MetricUnit::text) names.push_back("mean_" + name);
    }
  }
  names.push_back("time_to_accuracy@X");
  if (!means) names.push_back("mean_<metric>");
  return names;
}

// "above LABEL", "below LABEL, disjoint", "above LABEL, paired": a mean
// compared with another run's (run/expectation.h).
void parse_comparison(const ConfigNode& node, Expectation& e, const LoadContext& context) {
  const std::string& t = e.text;
  e.above = t.rfind("above ", 0) == 0;
  std::string rest = trim(t.substr(6));
  std::string option;
  if (const auto comma = rest.find(','); comma != std::string::npos) {
    option = trim(rest.substr(comma + 1));
    rest = trim(rest.substr(0, comma));
  }
  if (!e.mean) {
    node.fail("'" + t + "' compares means: write mean_" + e.metric + " (the mean over replicates)");
  }
  if (e.label.empty()) {
    node.fail("'" + t +
              "' needs the run it is about: put it under that run's label (expect: "
              "LABEL: {mean_" +
              e.metric + ": \"" + t + "\"})");
  }
  const auto& labels = context.labels;
  if (std::find(labels.begin(), labels.end(), rest) == labels.end()) {
    const std::string guess = did_you_mean(rest, labels);
    node.fail("in expectation '" + t + "': '" + rest + "' is not a run label of this scenario (" +
              (guess.empty() ? "labels: " + join(labels) : "did you mean '" + guess + "'?") + ")");
  }
  if (rest == e.label) node.fail("in expectation '" + t + "': a run compared with itself");
  e.versus = rest;
  if (option.empty()) return;
  if (option != "disjoint" && option != "paired") {
    node.fail("in expectation '" + t + "': unknown option '" + option +
              "' (expected 'disjoint': the 95% intervals do not overlap, or 'paired': the 95% "
              "interval of the seed-by-seed difference excludes 0)");
  }
  e.separation =
      option == "disjoint" ? Expectation::Separation::disjoint : Expectation::Separation::paired;
  if (context.replicates < 2) {
    node.fail("in expectation '" + t + "': '" + option +
              "' needs intervals, which need replicates: 2 or more (the scenario has " +
              std::to_string(context.replicates) + ")");
  }
}

Expectation load_one(const ConfigNode& parent, const std::string& written, const std::string& label,
                     const LoadContext& context) {
  const bool models_clocks = context.models_clocks, has_faults = context.has_faults;
  const bool has_target_accuracy = context.has_target_accuracy;
  const ConfigNode value = parent.child(written);
  Expectation e;
  e.label = label;
  // mean_<metric>: a summary column's mean over the replicates.
  const bool mean = written.rfind("mean_", 0) == 0 &&
                    summary_metrics().count(current_summary_name(written.substr(5)));
  // An older column name reads the column under its current name.
  const std::string as_written = mean ? written.substr(5) : written;
  const std::string key = current_summary_name(as_written);
  e.mean = mean;
  e.metric = key;
  e.where = value.file() + ":" + std::to_string(value.line()) + ":" +
            std::to_string(value.column()) + ": " + value.path();
  if (mean && metric_unit(key) == MetricUnit::text) {
    value.fail(key + " is text: it has no mean (assert on it without mean_)");
  }
  if (key.rfind(kTimeToAccuracy, 0) == 0) {
    const std::string x = key.substr(std::string_view(kTimeToAccuracy).size());
    if (!parse_plain(x, e.accuracy) || !(e.accuracy > 0 && e.accuracy <= 1)) {
      value.fail("time_to_accuracy@X needs an accuracy X in (0, 1], got '" + x + "'");
    }
    e.unit = MetricUnit::duration;
  } else {
    const auto& metrics = summary_metrics();
    const auto it = metrics.find(key);
    if (it == metrics.end() || (is_clock_metric(key) && !models_clocks) ||
        (is_fault_metric(key) && !has_faults)) {
      const std::string guess =
          did_you_mean(written, metric_names(models_clocks, has_faults, true));
      if (it != metrics.end() && is_fault_metric(key)) {
        value.fail(as_written + " is empty in summary.csv unless the scenario has a faults: list");
      }
      if (it != metrics.end()) {
        value.fail(as_written +
                   " is empty in summary.csv unless the scenario models clocks "
                   "(cluster.<group>.clock or clock_sync)");
      }
      value.fail("unknown metric '" + key + "' (" +
                 (guess.empty() ? "expected a summary.csv column: " +
                                      join(metric_names(models_clocks, has_faults))
                                : "did you mean '" + guess + "'?") +
                 ")");
    }
    if (key == "time_to_target_s" && !has_target_accuracy) {
      value.fail(
          "time_to_target_s is empty without stop.target_accuracy; "
          "use time_to_accuracy@X instead");
    }
    e.unit = it->second;
  }
  if (!value.is_scalar()) value.fail("expected an expression such as \">= 0.85\"");
  const std::string text = trim(value.as_string());
  if (e.unit != MetricUnit::text &&
      (text.rfind("above ", 0) == 0 || text.rfind("below ", 0) == 0)) {
    e.text = text;
    parse_comparison(value, e, context);
    return e;
  }
  parse_expression(value, e);
  return e;
}

}  // namespace

std::vector<Expectation> load_expectations(const ConfigNode& expect,
                                           const std::vector<std::string>& labels,
                                           bool models_clocks, bool has_target_accuracy,
                                           bool has_faults, int replicates) {
  const LoadContext context{labels, models_clocks, has_target_accuracy, has_faults, replicates};
  std::vector<Expectation> result;
  for (const std::string& key : expect.keys()) {
    const ConfigNode value = expect.child(key);
    if (!value.is_map()) {
      result.push_back(load_one(expect, key, "", context));
      continue;
    }
    // A map: `label: {metric: expression, ...}`.
    if (std::find(labels.begin(), labels.end(), key) == labels.end()) {
      const std::string guess = did_you_mean(key, labels);
      value.fail("'" + key + "' is not a run label of this scenario (" +
                 (guess.empty() ? "labels: " + join(labels) : "did you mean '" + guess + "'?") +
                 "); a map under expect: names the run its metrics apply to");
    }
    for (const std::string& metric : value.keys()) {
      if (value.child(metric).is_map()) {
        value.child(metric).fail("expected an expression such as \">= 0.85\", got a map");
      }
      result.push_back(load_one(value, metric, key, context));
    }
  }
  return result;
}

}  // namespace app
