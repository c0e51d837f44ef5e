// Helpers for tests that load scenarios from YAML text and read the CSV
// text the writers make of their results.
#pragma once

#include <catch2/catch.hpp>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "app/scenario_loader.h"

namespace scenario_text {

// The loader's error message for `yaml` (as file "s.yaml"), or "(no error)".
inline std::string error_of(const std::string& yaml) {
  try {
    app::load_scenario_string(yaml, "s.yaml");
  } catch (const app::ScenarioError& e) {
    return e.what();
  }
  return "(no error)";
}

// `text` with the first `from` replaced by `to`; the test fails if absent.
inline std::string replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

// Every line of `text` split at commas (no quoting: the writers' CSVs have none).
inline std::vector<std::vector<std::string>> csv_rows(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    // Every cell, an empty last one included ("a,b," has three).
    std::vector<std::string> cells;
    std::size_t start = 0;
    for (std::size_t comma; (comma = line.find(',', start)) != std::string::npos;
         start = comma + 1) {
      cells.push_back(line.substr(start, comma - start));
    }
    cells.push_back(line.substr(start));
    rows.push_back(cells);
  }
  return rows;
}

// The data rows of a CSV with a header line, each a map from column name to
// cell (missing trailing cells read as "").
inline std::vector<std::map<std::string, std::string>> keyed_rows(const std::string& text) {
  const auto rows = csv_rows(text);
  std::vector<std::map<std::string, std::string>> keyed;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    std::map<std::string, std::string>& row = keyed.emplace_back();
    for (std::size_t i = 0; i < rows[0].size(); ++i) {
      row[rows[0][i]] = i < rows[r].size() ? rows[r][i] : "";
    }
  }
  return keyed;
}

// A summary.csv row of a scenario with faults: its drops by reason add up to
// updates_dropped, and produced = applied + dropped + lost + outstanding.
// Every updates_dropped_<reason> column counts, so a new reason cannot slip
// through, and the status says the identity held.
inline void check_accounting(const std::map<std::string, std::string>& row) {
  const auto n = [&](const std::string& key) { return std::stoll(row.at(key)); };
  long long dropped = 0;
  for (const auto& [column, cell] : row) {
    if (column.rfind("updates_dropped_", 0) == 0) dropped += std::stoll(cell);
  }
  CHECK(dropped == n("updates_dropped"));
  CHECK(n("updates_produced") ==
        n("updates_applied") + dropped + n("updates_lost") + n("updates_outstanding"));
  CHECK(row.at("status").find("accounting") == std::string::npos);
}

}  // namespace scenario_text
