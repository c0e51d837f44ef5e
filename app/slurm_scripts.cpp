#include "app/slurm_scripts.h"

#include <sstream>

namespace app {
namespace {

// The sweep's own flags, the same in both scripts so that the collect job
// sees the plan (seed and memory budget) that the shards ran.
std::string common_flags(const SlurmSweep& s) {
  std::string flags = " -o " + shell_word(s.out);
  if (s.seed) flags += " --seed " + std::to_string(*s.seed);
  if (!s.max_memory.empty()) flags += " --max-memory " + shell_word(s.max_memory);
  for (const std::string& f : s.log_flags) flags += " " + shell_word(f);
  return flags;
}

// A value in an #SBATCH line: sbatch reads double quotes, not the shell's.
// REQUIRES: slurm_path_error(value) is nullopt.
std::string directive_value(const std::string& value) {
  return value.find(' ') == std::string::npos ? value : '"' + value + '"';
}

void header(std::ostringstream& text, const SlurmSweep& s, const std::string& what) {
  text << "#!/bin/sh\n"
       << "# Written by `syncsim sweep --slurm` for the sweep '" << s.job_name << "': " << what
       << ".\n";
}

void user_options(std::ostringstream& text, const SlurmSweep& s) {
  for (const std::string& option : s.options) text << "#SBATCH " << option << '\n';
}

}  // namespace

std::string slurm_array_script(const SlurmSweep& s) {
  std::ostringstream text;
  header(text, s, "array task I runs shard I/" + std::to_string(s.tasks));
  text << "#SBATCH --job-name=" << directive_value(s.job_name) << '\n'
       << "#SBATCH --array=" << slurm_array_ranges(s.shards) << '\n'
       << "#SBATCH --cpus-per-task=" << s.jobs << '\n'
       << "#SBATCH --output=" << directive_value(s.out + "/slurm/shard-%A-%a.log") << '\n';
  user_options(text, s);
  text << "exec " << shell_word(s.self) << " sweep " << shell_word(s.scenario_path)
       << common_flags(s) << " --jobs " << s.jobs << " --shard \"${SLURM_ARRAY_TASK_ID}/" << s.tasks
       << "\"\n";
  return text.str();
}

std::string slurm_collect_script(const SlurmSweep& s) {
  std::ostringstream text;
  header(text, s, "summary.csv, once every shard has ended well");
  text << "#SBATCH --job-name=" << directive_value(s.job_name + "-collect") << '\n'
       << "#SBATCH --cpus-per-task=1\n"
       << "#SBATCH --output=" << directive_value(s.out + "/slurm/collect-%j.log") << '\n';
  user_options(text, s);
  text << "exec " << shell_word(s.self) << " sweep " << shell_word(s.scenario_path)
       << common_flags(s) << " --collect\n";
  return text.str();
}

std::string slurm_array_ranges(const std::vector<int>& ascending) {
  std::string ranges;
  for (std::size_t i = 0; i < ascending.size();) {
    std::size_t j = i;
    while (j + 1 < ascending.size() && ascending[j + 1] == ascending[j] + 1) ++j;
    if (!ranges.empty()) ranges += ',';
    ranges += std::to_string(ascending[i]);
    if (j > i) ranges += '-' + std::to_string(ascending[j]);
    i = j + 1;
  }
  return ranges;
}

std::optional<std::string> slurm_option_error(const std::string& option) {
  if (option.empty() || option[0] != '-') {
    return "expected an sbatch option such as --partition=x, got '" + option + "'";
  }
  for (const char c : option) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return "an sbatch option cannot hold a control character (it becomes one #SBATCH line)";
    }
  }
  return std::nullopt;
}

std::optional<std::string> slurm_path_error(const std::string& text) {
  for (const char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == '"' || c == '%') {
      return "'" + text + "' holds a control character, '\"' or '%', which an #SBATCH line " +
             "cannot carry (Slurm reads % as a pattern)";
    }
  }
  return std::nullopt;
}

std::optional<std::string> sbatch_job_id(const std::string& output) {
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    std::size_t end = 0;
    while (end < line.size() && line[end] >= '0' && line[end] <= '9') ++end;
    if (end > 0 && (end == line.size() || line[end] == ';')) return line.substr(0, end);
  }
  return std::nullopt;
}

std::string shell_word(const std::string& text) {
  const bool plain = !text.empty() && text.find_first_not_of(
                                          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                          "0123456789_-./=:,+@%") == std::string::npos;
  if (plain) return text;
  std::string quoted = "'";
  for (const char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

}  // namespace app
