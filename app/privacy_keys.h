// `privacy:` in an algorithm's entry: DP-SGD or DP-FedAvg and their
// parameters (docs/robustness-and-privacy.md). Read by load_algorithm; every
// combination the mechanism cannot honour is an error at load time.
#pragma once

#include <string>
#include <vector>

#include "algorithms/runtime/privacy_ledger.h"
#include "app/config_node.h"
#include "run/scenario.h"

namespace app {

// `entry` is the whole algorithm entry (its kind, aggregator and clients are
// checked against the mechanism); `kind` its algorithm kind.
algo::PrivacySpec load_privacy(const ConfigNode& entry, const std::string& kind,
                               const std::vector<NodeGroup>& groups);

}  // namespace app
