// Reads a scenario's `expect:` block into Expectations (run/expectation.h).
#pragma once

#include <string>
#include <vector>

#include "app/uses_syncsim.h"
#include "run/expectation.h"

namespace app {

class ConfigNode;

// Reads the `expect:` map. labels are the scenario's run labels; clock
// columns exist only if models_clocks, time_to_target_s only if
// has_target_accuracy, the update-accounting columns (crashes, dropped_*,
// rpc_retries, ...) only if has_faults. Throws ScenarioError at the offending key or value
// (unknown metric or label with a did-you-mean, malformed expression, bad
// unit, a metric the scenario's summary does not have; a comparison with
// another run outside a label map, on a non-mean metric, or asking for
// intervals with fewer than 2 replicates).
std::vector<Expectation> load_expectations(const ConfigNode& expect,
                                           const std::vector<std::string>& labels,
                                           bool models_clocks, bool has_target_accuracy,
                                           bool has_faults = false, int replicates = 1);

}  // namespace app
