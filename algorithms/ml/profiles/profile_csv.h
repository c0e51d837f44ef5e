// A user's layer profile from a CSV file: a header row, then one layer per
// row in forward order. Columns (any order; names exact):
//   name              text, the layer's name (may be empty)
//   kind              conv, linear, attention, embedding, norm or other
//   parameters        integer >= 0
//   forward_flops     number >= 0, per sample (a multiply-add is 2 FLOPs)
//   backward_flops    optional column, number >= 0; an empty cell or no
//                     column: 2 x forward_flops
//   activation_bytes  integer >= 0, per sample
// Cells are separated by commas, with no quoting; blank lines are skipped.
#pragma once

#include <stdexcept>
#include <string>

#include "algorithms/ml/profiles/layer_profile.h"

namespace ml {

// Where a profile file is wrong: its path, the 1-based line and column of
// the offending cell (column 1 for a whole line) and the column's name
// (empty when not about a cell).
class ProfileError : public std::runtime_error {
 public:
  ProfileError(std::string path, int line, int column, std::string key, const std::string& what)
      : std::runtime_error(what),
        path(std::move(path)),
        line(line),
        column(column),
        key(std::move(key)) {}
  std::string path;
  int line;
  int column;
  std::string key;
};

// Most layers and parameters a profile file may describe: the run holds
// buffers of the parameter count in floats.
inline constexpr int kMaxProfileLayers = 100'000;
inline constexpr std::int64_t kMaxProfileParameters = 1'000'000'000;

// Reads and validates the file; throws ProfileError on the first problem.
LayerProfile read_profile_csv(const std::string& path);

}  // namespace ml
