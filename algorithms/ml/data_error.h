// DataError: a data file could not be used. The message always names the
// file path and what is wrong with it (missing, unreadable, truncated at byte
// N, wrong magic, count mismatch, label out of range), so a user can fix it.
#pragma once

#include <stdexcept>
#include <string>

namespace ml {

class DataError : public std::runtime_error {
 public:
  DataError(const std::string& path, const std::string& problem)
      : std::runtime_error(path + ": " + problem), path_(path) {}

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace ml
