// Helpers for tests that load scenarios from YAML text and read the CSV
// text the writers make of their results.
#pragma once

#include <catch2/catch.hpp>

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
    std::vector<std::string> cells;
    std::istringstream l(line);
    for (std::string cell; std::getline(l, cell, ',');) cells.push_back(cell);
    rows.push_back(cells);
  }
  return rows;
}

}  // namespace scenario_text
