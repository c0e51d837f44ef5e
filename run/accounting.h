// The update-accounting identity of one run, checked on independent counts:
//   produced = applied + dropped + lost + outstanding
// produced, applied, dropped (by reason) and lost are the Monitor's, each
// counted where it happens; outstanding is the UpdateCensus's, counted from
// the copies really in flight, queued or held when the run ends. See
// docs/accounting.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "run/result.h"

namespace syncsim {

// The reasons a drop is counted under, in summary.csv's column order
// (updates_dropped_<reason>); their counts add up to updates_dropped.
const std::vector<std::string>& drop_reasons();

// produced - (applied + dropped + lost + outstanding), or nullopt for an
// algorithm that does not count its updates (result.updates_outstanding
// empty). Non-zero: the identity failed.
std::optional<std::int64_t> accounting_gap(const RunResult& result);

// Fixes result.totals.status at the end of a run: "stalled: <stall_reason>"
// if the run ended with no process able to go on (stall_reason not empty),
// and "accounting broken: ..." if the identity fails; several are joined
// with "; ", after a "diverged at step N" that the Monitor set.
void settle_status(RunResult& result, const std::string& stall_reason);

// Whether the status says the identity failed (`syncsim run` exits 1 and
// `syncsim check` fails the scenario).
bool accounting_broken(const RunResult& result);

}  // namespace syncsim
