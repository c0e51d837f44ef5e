#include "run/replicates.h"

#include <stdexcept>

#include "run/replicate_stats.h"

namespace syncsim {
namespace {

// The header line of a CSV and the rest (every row with its newline).
std::pair<std::string, std::string> split_header(const std::string& csv) {
  const std::size_t end = csv.find('\n');
  if (end == std::string::npos) return {csv, ""};
  return {csv.substr(0, end), csv.substr(end + 1)};
}

// Inserts `seed` as the second cell of every row (the first is the algorithm).
std::string with_seed_column(const std::string& rows, const std::string& seed) {
  std::string out;
  std::size_t start = 0;
  while (start < rows.size()) {
    std::size_t end = rows.find('\n', start);
    if (end == std::string::npos) end = rows.size();
    const std::string line = rows.substr(start, end - start);
    const std::size_t comma = line.find(',');
    out += comma == std::string::npos ? line + ',' + seed
                                      : line.substr(0, comma) + ',' + seed + line.substr(comma);
    out += '\n';
    start = end + 1;
  }
  return out;
}

}  // namespace

std::uint64_t replicate_seed(std::uint64_t root, int replicate) {
  return root + static_cast<std::uint64_t>(replicate);
}

Scenario replicate_scenario(const Scenario& s, int replicate) {
  Scenario one = s;
  one.seed = replicate_seed(s.seed, replicate);
  one.replicates = 1;
  return one;
}

std::vector<ScenarioResult> run_replicates(const Scenario& s, const RunOptions& options) {
  std::vector<ScenarioResult> results;
  for (int r = 0; r < s.replicates; ++r) results.push_back(run(replicate_scenario(s, r), options));
  return results;
}

std::vector<OutputFile> merge_replicates(const Scenario& s,
                                         const std::vector<ReplicateFiles>& replicates) {
  if (replicates.size() == 1) return replicates.front().files;
  const std::vector<OutputFile>& first = replicates.front().files;
  std::vector<OutputFile> merged;
  for (std::size_t f = 0; f < first.size(); ++f) {
    const std::string& name = first[f].first;
    if (name == "trace.json") {
      merged.push_back(first[f]);
      continue;
    }
    const auto [header, rows] = split_header(first[f].second);
    const bool summary = name == "summary.csv";
    std::string content = summary ? header + '\n' : with_seed_column(header + '\n', "seed");
    for (const ReplicateFiles& r : replicates) {
      if (f >= r.files.size() || r.files[f].first != name ||
          split_header(r.files[f].second).first != header) {
        throw std::runtime_error("replicate with seed " + std::to_string(r.seed) +
                                 " wrote a different " + name + " header or set of files");
      }
      const std::string body = split_header(r.files[f].second).second;
      content += summary ? body : with_seed_column(body, std::to_string(r.seed));
    }
    merged.emplace_back(name, std::move(content));
  }
  // The statistics come from the merged summary, as a reader of it would compute them.
  SummaryTable summary;
  for (const OutputFile& file : merged) {
    if (file.first == "summary.csv") summary = read_summary_table(file.second);
  }
  merged.emplace_back("summary_stats.csv", summary_stats_csv(summary_stats(summary)));
  if (!s.reference.empty()) {
    merged.emplace_back("paired.csv", paired_csv(paired_stats(summary, s.reference)));
  }
  return merged;
}

SummaryTable replicate_summary(const std::vector<ScenarioResult>& replicates) {
  SummaryTable table;
  for (const ScenarioResult& r : replicates) {
    SummaryTable one = summary_table(r);
    table.columns = one.columns;
    for (auto& row : one.rows) table.rows.push_back(std::move(row));
  }
  return table;
}

}  // namespace syncsim
