#include "run/accounting.h"

namespace syncsim {
namespace {

constexpr const char* kBroken = "accounting broken";

void add_status(std::string& status, const std::string& part) {
  status = status == "ok" ? part : status + "; " + part;
}

}  // namespace

const std::vector<std::string>& drop_reasons() {
  static const std::vector<std::string> reasons = {
      "late", "offline", "crashed", "stale", "unreachable", "superseded", "rolled_back", "aborted"};
  return reasons;
}

std::optional<std::int64_t> accounting_gap(const RunResult& result) {
  if (!result.updates_outstanding) return std::nullopt;
  const algo::RunTotals& t = result.totals;
  return t.updates_produced -
         (t.updates_applied + t.updates_dropped + t.updates_lost + *result.updates_outstanding);
}

void settle_status(RunResult& result, const std::string& stall_reason) {
  std::string& status = result.totals.status;
  if (!stall_reason.empty()) add_status(status, "stalled: " + stall_reason);
  const std::optional<std::int64_t> gap = accounting_gap(result);
  if (!gap || *gap == 0) return;
  const algo::RunTotals& t = result.totals;
  // No commas: the status is one CSV cell.
  add_status(status, std::string(kBroken) + ": produced " + std::to_string(t.updates_produced) +
                         " but applied " + std::to_string(t.updates_applied) + " + dropped " +
                         std::to_string(t.updates_dropped) + " + lost " +
                         std::to_string(t.updates_lost) + " + outstanding " +
                         std::to_string(*result.updates_outstanding) + " = " +
                         std::to_string(t.updates_produced - *gap));
}

bool accounting_broken(const RunResult& result) {
  const std::optional<std::int64_t> gap = accounting_gap(result);
  return gap && *gap != 0;
}

}  // namespace syncsim
