// ScenarioError: a mistake in a scenario, found while loading it (the CLI's
// YAML loader) or while building its world (run/world.h: data that does not
// fit the model, a subset larger than the dataset).
#pragma once

#include <stdexcept>
#include <string>

namespace syncsim {

// A mistake in a scenario (file). what() is
//   "FILE:LINE:COL: KEY.PATH: message"
// where ":LINE:COL" is left out when the position is unknown (line() == 0)
// and "KEY.PATH: " when the error concerns the whole document (path "").
class ScenarioError : public std::runtime_error {
 public:
  // line and column are 1-based; 0 means unknown.
  ScenarioError(std::string file, int line, int column, std::string key_path, std::string message);

  const std::string& file() const { return file_; }
  int line() const { return line_; }
  int column() const { return column_; }
  const std::string& key_path() const { return key_path_; }
  const std::string& message() const { return message_; }  // without location and path

 private:
  std::string file_;
  int line_;
  int column_;
  std::string key_path_;
  std::string message_;
};

}  // namespace syncsim
