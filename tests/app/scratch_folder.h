// A fresh folder under the temporary directory for a test, removed (with
// everything in it) at scope exit.
#pragma once

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <string>

struct ScratchFolder {
  std::filesystem::path path;
  // `prefix` names the test in the folder's name (syncsim-PREFIX-XXXXXX).
  explicit ScratchFolder(const std::string& prefix) {
    std::string pattern =
        (std::filesystem::temp_directory_path() / ("syncsim-" + prefix + "-XXXXXX")).string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~ScratchFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  ScratchFolder(const ScratchFolder&) = delete;
  ScratchFolder& operator=(const ScratchFolder&) = delete;
};
