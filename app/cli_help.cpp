#include "app/cli_help.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>

#include "app/algorithm_registry.h"
#include "app/spelling.h"

namespace app {
namespace {

std::string suggestion(const std::string& word, const std::vector<std::string>& candidates) {
  if (word.size() <= 2) return "";  // "-q": every other one-letter flag is as close
  const std::string hint = did_you_mean(word, candidates);
  return hint.empty() ? "" : " (did you mean '" + hint + "'?)";
}

// Every spelling of `command`'s options, with their dashes: "--jobs", "-j".
std::vector<std::string> option_names(const CLI::App& command) {
  std::vector<std::string> names;
  for (const CLI::Option* option : command.get_options()) {
    for (const std::string& name : option->get_lnames()) names.push_back("--" + name);
    for (const std::string& name : option->get_snames()) names.push_back("-" + name);
  }
  return names;
}

}  // namespace

std::optional<std::string> misspelled_argument(const CLI::App& cli,
                                               const std::vector<std::string>& args) {
  if (args.empty() || args[0].empty() || args[0][0] == '-') return std::nullopt;
  std::vector<std::string> commands;
  const CLI::App* command = nullptr;
  for (const CLI::App* sub : cli.get_subcommands([](const CLI::App*) { return true; })) {
    commands.push_back(sub->get_name());
    if (sub->get_name() == args[0]) command = sub;
  }
  if (command == nullptr) {
    return "syncsim: unknown command '" + args[0] + "'" + suggestion(args[0], commands) +
           " (commands: " + join(commands) + ")";
  }
  const std::vector<std::string> known = option_names(*command);
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") break;
    if (arg.size() < 2 || arg[0] != '-' || (arg[1] != '-' && !std::isalpha(arg[1]))) continue;
    // "--out=DIR" and "-oDIR" name "--out" and "-o".
    const bool is_long = arg[1] == '-';
    const std::string name = is_long ? arg.substr(0, arg.find('=')) : arg.substr(0, 2);
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      return "syncsim " + args[0] + ": unknown option '" + name + "'" + suggestion(name, known) +
             " (see syncsim " + args[0] + " --help)";
    }
    // "--out DIR": DIR is a value, even if it starts with a dash.
    const bool value_attached = is_long ? arg.find('=') != std::string::npos : arg.size() > 2;
    const CLI::Option* option = command->get_option_no_throw(name);
    if (option != nullptr && option->get_items_expected_max() > 0 && !value_attached) ++i;
  }
  return std::nullopt;
}

std::string help_footer() {
  std::vector<std::string> kinds;
  for (const AlgorithmEntry& entry : algorithm_registry()) kinds.emplace_back(entry.kind);
  return "Examples:\n"
         "  syncsim run scenarios/examples/compare.yaml -o runs/compare\n"
         "  syncsim validate my.yaml\n"
         "  syncsim sweep scenarios/examples/sweep_bandwidth.yaml --jobs 2\n"
         "  syncsim check scenarios/ci --junit results.xml\n"
         "  syncsim topology scenarios/examples/compare.yaml --dot | dot -Tsvg > net.svg\n"
         "  syncsim reference          (every scenario key, its default and meaning)\n"
         "  /usr/bin/python3 analysis/plot_run.py runs/compare\n"
         "\nAlgorithm kinds (algorithm: {kind: ...}): " +
         join(kinds) +
         "\nExit status: 0 success, 2 bad input, 3 a run diverged, 1 an internal error or a "
         "failed check.";
}

}  // namespace app
