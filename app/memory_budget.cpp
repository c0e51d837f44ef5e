#include "app/memory_budget.h"

#include <unistd.h>

#include "app/units.h"
#include "run/resource_estimate.h"
#include "run/scenario_error.h"

namespace app {

double default_memory_budget() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page <= 0) return 4.0 * (1 << 30);
  return 0.75 * static_cast<double>(pages) * static_cast<double>(page);
}

std::optional<double> parse_memory_budget(const std::string& text) {
  try {
    const double bytes = parse_bytes(text);
    if (bytes > 0) return bytes;
  } catch (const UnitError&) {
  }
  return std::nullopt;
}

void check_memory_budget(const Scenario& s, double budget) {
  const ResourceEstimate e = estimate_resources(s);
  if (e.peak_bytes() <= budget) return;
  std::string message = "needs an estimated " + format_bytes(e.peak_bytes()) +
                        " of memory at its peak, more than the budget of " + format_bytes(budget) +
                        " (--max-memory, default 3/4 of physical memory)." + " Largest:";
  for (std::size_t i = 0; i < e.memory.size() && i < 3; ++i) {
    const ResourceItem& item = e.memory[i];
    message += "\n  " + format_bytes(item.bytes) + "  " + item.what;
    if (!item.shrink.empty()) message += ": " + item.shrink;
  }
  throw ScenarioError(s.file, 0, 0, "", message);
}

}  // namespace app
