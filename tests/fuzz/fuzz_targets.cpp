#include "fuzz_targets.h"

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "algorithms/ml/idx_reader.h"
#include "app/config_node.h"
#include "app/scenario_loader.h"
#include "app/units.h"
#include "run/world.h"

namespace fuzz {
namespace {

std::string_view text(std::span<const std::uint8_t> input) {
  return {reinterpret_cast<const char*>(input.data()), input.size()};
}

// One folder per process (libFuzzer's -jobs/-fork run several), removed at exit.
const std::filesystem::path& scratch_folder() {
  static const std::filesystem::path folder = [] {
    std::string pattern = (std::filesystem::temp_directory_path() / "syncsim-fuzz-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    return std::filesystem::path(pattern);
  }();
  static const struct Cleanup {
    ~Cleanup() {
      std::error_code ignored;
      std::filesystem::remove_all(folder, ignored);
    }
  } cleanup;
  return folder;
}

void write(const std::filesystem::path& path, std::span<const std::uint8_t> bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace

void scenario(std::span<const std::uint8_t> input) {
  app::Scenario s;
  try {
    s = app::load_scenario_string(std::string(text(input)), "fuzz.yaml");
  } catch (const app::ScenarioError&) {
    return;
  }
  std::int64_t nodes = 0;
  for (const app::NodeGroup& g : s.groups) nodes += g.count;
  if (nodes <= 64) (void)app::build_topology(s);
}

void units(std::span<const std::uint8_t> input) {
  const std::string_view t = text(input);
  const auto check = [](double value, const char* what) {
    if (!std::isfinite(value) || value < 0) {
      throw Bug(std::string(what) + " returned " + std::to_string(value));
    }
  };
  try {
    check(app::parse_bytes(t), "parse_bytes");
  } catch (const app::UnitError&) {
  }
  try {
    check(app::parse_bandwidth(t), "parse_bandwidth");
  } catch (const app::UnitError&) {
  }
  try {
    if (app::parse_duration(t) < 0) throw Bug("parse_duration returned a negative duration");
  } catch (const app::UnitError&) {
  }
  try {
    check(app::parse_flop_rate(t), "parse_flop_rate");
  } catch (const app::UnitError&) {
  }
}

void idx(std::span<const std::uint8_t> input) {
  if (input.size() < 2) return;
  const std::size_t split =
      std::min<std::size_t>((std::size_t{input[0]} << 8) | input[1], input.size() - 2);
  const std::filesystem::path images = scratch_folder() / "images";
  const std::filesystem::path labels = scratch_folder() / "labels";
  write(images, input.subspan(2, split));
  write(labels, input.subspan(2 + split));
  ml::Dataset d;
  try {
    d = ml::load_idx(images.string(), labels.string(), 10);
  } catch (const ml::DataError&) {
    return;
  }
  if (d.labels.size() != static_cast<std::size_t>(d.features.rows())) {
    throw Bug("label and image counts differ");
  }
  for (std::int32_t label : d.labels) {
    if (label < 0 || label >= 10) throw Bug("label out of range");
  }
  if (d.features.size() > 0 && (d.features.minCoeff() < 0.0f || d.features.maxCoeff() > 1.0f)) {
    throw Bug("pixel outside [0, 1]");
  }
}

}  // namespace fuzz
