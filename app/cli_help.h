// What the command line says beyond CLI11's own messages: a did-you-mean for
// a mistyped subcommand or flag, and --help's examples and algorithm list.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace app {

// The error for the first argument that names no subcommand of `cli` (in
// first position) or no option of the chosen subcommand ("--jbos"), with the
// closest name when one is close: "syncsim sweep: unknown option '--jbos'
// (did you mean '--jobs'?)". nullopt when every name is known; values of
// options, positionals and everything after "--" are not looked at.
std::optional<std::string> misspelled_argument(const CLI::App& cli,
                                               const std::vector<std::string>& args);

// --help's footer: example commands, and the algorithm kinds a scenario can name.
std::string help_footer();

}  // namespace app
