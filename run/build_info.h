// What built this library: its version, the git commit of its sources, the
// build type, instruction set and compiler flags, and the compiler. Printed
// by `syncsim --version` and written to every run's run.json
// (run/run_record.h), so a result can be traced to the binary that made it.
//
// The values are fixed when the library is built (cmake/build_info.cmake
// writes them into one generated file), not when a run starts.
#pragma once

#include <string>
#include <string_view>

namespace syncsim {

struct BuildInfo {
  std::string_view version;     // the CMake project version, "0.1.0"
  std::string_view commit;      // `git rev-parse HEAD` of the sources, "-dirty" appended if
                                // tracked files differed from it; "unknown" outside a git
                                // checkout (a source tarball)
  std::string_view build_type;  // CMAKE_BUILD_TYPE: "Release", "Debug", ...
  std::string_view isa;         // SYNCSIM_ISA, the -march= value: "x86-64-v3" or "native"
  std::string_view flags;       // the compiler flags of every syncsim source: the build
                                // type's, then the determinism flags (-march, -ffp-contract)
  std::string_view compiler;    // "GNU 12.2.0", "Clang 14.0.6"
};

// This build's values; valid for the life of the program.
const BuildInfo& build_info();

// Several lines, each "key: value", the first "syncsim VERSION" (the text of
// `syncsim --version`), ending in a newline.
std::string version_text();

}  // namespace syncsim
