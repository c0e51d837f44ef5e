#include "app/memory_budget.h"

#include <sys/statvfs.h>

#include <algorithm>

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

std::optional<double> free_space(const std::filesystem::path& dir) {
  std::filesystem::path at = std::filesystem::absolute(dir);
  std::error_code ec;
  while (!std::filesystem::exists(at, ec) && at.has_parent_path() && at != at.parent_path()) {
    at = at.parent_path();
  }
  struct statvfs fs {};
  // A pseudo file system (/proc, /sys) reports no blocks at all: nothing to
  // measure there, and writing to it fails on its own.
  if (::statvfs(at.c_str(), &fs) != 0 || fs.f_blocks == 0) return std::nullopt;
  return static_cast<double>(fs.f_bavail) * static_cast<double>(fs.f_frsize);
}

void check_output_budget(const Scenario& s, double limit, const std::string& what) {
  const double bytes = estimate_resources(s).output_bytes * std::max(1, s.replicates);
  if (bytes <= limit) return;
  throw ScenarioError(s.file, 0, 0, "",
                      "writes an estimated " + format_bytes(bytes) +
                          " of output files, more than " + what + " (" + format_bytes(limit) +
                          "): turn off outputs.events, outputs.trace or outputs.links, raise "
                          "outputs.links_interval, shorten the run, or write elsewhere");
}

}  // namespace app
