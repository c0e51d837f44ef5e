// The CLI (namespace app) uses the library's names (namespace syncsim:
// Scenario, ScenarioError, run, ...) unqualified, and `app::Scenario` still
// names syncsim::Scenario. Included by the app/ headers that use run/ types.
#pragma once

namespace syncsim {}

namespace app {
using namespace syncsim;
}  // namespace app
