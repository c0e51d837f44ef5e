// Helpers for tests that load scenarios from YAML text.
#pragma once

#include <catch2/catch.hpp>

#include <string>

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

}  // namespace scenario_text
