// What `syncsim check` reports: the table people read and the JUnit XML CI
// servers read, both from the same ScenarioCheck results.
#pragma once

#include <string>
#include <vector>

#include "app/check.h"

namespace app {

// The aligned table: scenario, run, metric, expected, got, result; then the
// failure details and a one-line total.
std::string format_report(const std::vector<ScenarioCheck>& checks);

// JUnit XML: one <testsuite> per scenario file, one <testcase> per assertion.
std::string junit_xml(const std::vector<ScenarioCheck>& checks);

}  // namespace app
