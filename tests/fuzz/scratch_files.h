// Files for the fuzz targets whose parsers read paths: one private folder
// per process (libFuzzer's -jobs/-fork run several), removed at exit.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>

namespace fuzz {

// The process's scratch folder, created on first use.
const std::filesystem::path& scratch_folder();

// Writes `bytes` to `path`, replacing it. Throws std::runtime_error if it cannot.
void write(const std::filesystem::path& path, std::span<const std::uint8_t> bytes);

}  // namespace fuzz
