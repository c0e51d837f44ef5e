// Replays every kept fuzzer input through its target, in the normal unit
// suite: the seed corpora (tests/fuzz/corpus/<target>/) and every input a
// fuzzer once crashed on (tests/fuzz/regressions/<target>/, each fixed). A
// target that throws anything but the user-facing errors it expects fails.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "fuzz_targets.h"

namespace {

std::vector<std::filesystem::path> inputs(const std::string& target) {
  std::vector<std::filesystem::path> files;
  for (const char* kind : {"corpus", "regressions"}) {
    const auto dir = std::filesystem::path(SYNCSIM_SOURCE_DIR) / "tests/fuzz" / kind / target;
    if (!std::filesystem::is_directory(dir)) continue;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      if (entry.is_regular_file()) files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<std::uint8_t> read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void replay(const std::string& target, void (*body)(std::span<const std::uint8_t>)) {
  const auto files = inputs(target);
  REQUIRE_FALSE(files.empty());
  for (const auto& file : files) {
    INFO(file.string());
    const std::vector<std::uint8_t> bytes = read_bytes(file);
    CHECK_NOTHROW(body(bytes));
  }
}

}  // namespace

TEST_CASE("every kept scenario fuzzer input loads or fails with a ScenarioError") {
  replay("scenario", fuzz::scenario);
}

TEST_CASE("every kept unit fuzzer input parses or fails with a UnitError") {
  replay("units", fuzz::units);
}

TEST_CASE("every kept IDX fuzzer input loads or fails with a DataError") {
  replay("idx", fuzz::idx);
}

TEST_CASE("every kept CSV fuzzer input loads or fails with a DataError, scan and load agreeing") {
  replay("csv", fuzz::csv);
}
