#include "run/scenario_error.h"

#include <utility>

namespace syncsim {
namespace {

std::string location_prefix(const std::string& file, int line, int column,
                            const std::string& key_path) {
  std::string prefix = file;
  if (line > 0) prefix += ":" + std::to_string(line) + ":" + std::to_string(column);
  prefix += ": ";
  if (!key_path.empty()) prefix += key_path + ": ";
  return prefix;
}

}  // namespace

ScenarioError::ScenarioError(std::string file, int line, int column, std::string key_path,
                             std::string message)
    : std::runtime_error(location_prefix(file, line, column, key_path) + message),
      file_(std::move(file)),
      line_(line),
      column_(column),
      key_path_(std::move(key_path)),
      message_(std::move(message)) {}

}  // namespace syncsim
