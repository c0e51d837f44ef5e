// `syncsim check` on means over replicates: the `mean_<metric>` assertions of
// run/expectation.h, evaluated on a replicated run's summary table.
#pragma once

#include <string>

#include "app/check.h"
#include "run/outputs.h"

namespace app {

// The case of mean expectation `e` for run `label`: its mean against the
// expression, or against run e.versus's mean (and intervals when asked).
// REQUIRES: e.mean.
CheckCase evaluate_mean(const Expectation& e, const SummaryTable& summary,
                        const std::string& label);

}  // namespace app
