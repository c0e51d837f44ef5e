# Writes run/'s build_info_values.cpp (syncsim::build_info(), run/build_info.h) at
# build time, so that `syncsim --version` and run.json name the commit the
# binary was built from, not the one CMake was configured at:
#   cmake -DTEMPLATE=... -DOUTPUT=... -DSOURCE_DIR=... -DGIT_EXECUTABLE=...
#         -DVERSION=... -DBUILD_TYPE=... -DISA=... -DFLAGS=... -DCOMPILER=...
#         -P cmake/build_info.cmake
# The commit is `git rev-parse HEAD`, with "-dirty" if tracked files differ
# from it, or "unknown" outside a git checkout of SOURCE_DIR (a tarball, even
# one unpacked inside another repository; no git). OUTPUT is rewritten only
# when its text changes, so a build at the same commit compiles nothing and a
# new commit recompiles this one file and relinks.
set(COMMIT "unknown")
if(GIT_EXECUTABLE)
  execute_process(COMMAND "${GIT_EXECUTABLE}" -C "${SOURCE_DIR}" rev-parse --show-toplevel
                  OUTPUT_VARIABLE top RESULT_VARIABLE top_status
                  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  file(REAL_PATH "${SOURCE_DIR}" source_real)
  if(top_status EQUAL 0)
    file(REAL_PATH "${top}" top)
  endif()
  if(top_status EQUAL 0 AND top STREQUAL source_real)
    execute_process(COMMAND "${GIT_EXECUTABLE}" -C "${SOURCE_DIR}" rev-parse HEAD
                    OUTPUT_VARIABLE head RESULT_VARIABLE head_status
                    OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    if(head_status EQUAL 0 AND head MATCHES "^[0-9a-f]+$")
      set(COMMIT "${head}")
      execute_process(COMMAND "${GIT_EXECUTABLE}" -C "${SOURCE_DIR}" status --porcelain
                              --untracked-files=no
                      OUTPUT_VARIABLE changes RESULT_VARIABLE status_status ERROR_QUIET)
      if(NOT status_status EQUAL 0 OR NOT changes STREQUAL "")
        string(APPEND COMMIT "-dirty")
      endif()
    endif()
  endif()
endif()

# Values become C++ string literals.
foreach(var VERSION COMMIT BUILD_TYPE ISA FLAGS COMPILER)
  string(REPLACE "\\" "\\\\" value "${${var}}")
  string(REPLACE "\"" "\\\"" value "${value}")
  string(REGEX REPLACE "[ \t\r\n]+" " " value "${value}")
  string(STRIP "${value}" ${var})
endforeach()
configure_file("${TEMPLATE}" "${OUTPUT}" @ONLY)
