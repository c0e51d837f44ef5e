// Worker processes of this binary (sweep points, replicates): started with
// their output in a log file, waited for one at a time.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace app {

// This binary, to start again: /proc/self/exe, or argv0 where that is absent.
std::string self_binary(const char* argv0);

// Starts `program` with `args` (args[0] is the program's name), standard
// output and error into `log`, which must not exist (created exclusively,
// never through a link). Throws std::runtime_error if it cannot start.
pid_t spawn_logged(const std::string& program, std::vector<std::string> args,
                   const std::filesystem::path& log);

// How a child ended: its exit code, or 1 with `why` if a signal killed it.
struct ChildExit {
  pid_t pid = 0;
  int code = 0;
  std::string why;  // "exit 2", "killed by signal 9"; empty for exit 0
};

// Waits for any child of this process (retrying on EINTR). Throws
// std::runtime_error if there is none.
ChildExit wait_any_child();

// The last non-blank line of a text file (a log's error message), or "".
std::string last_line(const std::filesystem::path& path);

}  // namespace app
