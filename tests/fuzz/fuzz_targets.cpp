#include "fuzz_targets.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "app/config_node.h"
#include "app/scenario_loader.h"
#include "app/units.h"
#include "run/world.h"
#include "scratch_files.h"

namespace fuzz {
namespace {

std::string_view text(std::span<const std::uint8_t> input) {
  return {reinterpret_cast<const char*>(input.data()), input.size()};
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

}  // namespace fuzz
