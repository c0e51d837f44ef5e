// The federated runs' files (docs/outputs.md, docs/federated.md "Metrics"):
//   rounds.csv   one row per algorithm run and completed server round
//   steps.csv    one row per asynchronous run (fedbuff, fedasync) and server step
//   clients.csv  one row per algorithm run and client
// Written only when some run of the scenario is federated (RunResult::fl),
// so no other scenario's folder changes; rounds.csv only when one has
// rounds, steps.csv only when one is asynchronous.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "run/result.h"

namespace syncsim {

// Whether any run of `r` has federated metrics.
bool has_fl_metrics(const ScenarioResult& r);
// Whether any run has federated rounds / asynchronous steps.
bool has_fl_rounds(const ScenarioResult& r);
bool has_fl_steps(const ScenarioResult& r);
std::string rounds_csv(const ScenarioResult& r);
std::string steps_csv(const ScenarioResult& r);
std::string clients_csv(const ScenarioResult& r);

// The nearest-rank percentile: the smallest value v in `values` such that
// at least p% of the values are <= v, i.e. the ceil(p * n / 100)-th smallest
// (the smallest when that is 0). Empty when `values` is empty.
// REQUIRES 0 <= p <= 100.
std::optional<double> nearest_rank_percentile(std::vector<double> values, int p);

// The p-th nearest-rank percentile of the clients' accuracies of a
// federated run; empty if the run has none (not federated, or `math: none`).
std::optional<double> client_accuracy_percentile(const RunResult& run, int p);

}  // namespace syncsim
