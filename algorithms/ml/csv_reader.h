// Reader for users' own tabular data: a CSV file with a header row, numeric
// feature columns, an integer label column and, optionally, a client column
// that names which client (person, device, writer) each sample came from, as
// federated datasets such as LEAF's FEMNIST are organised.
//
//   x0,x1,x2,label,client
//   0.25,1.5e-3,-2,3,alice
//
// Fields are separated by commas; a field may be quoted ("a,b", with "" for a
// quote inside), as spreadsheets write them; surrounding spaces are ignored.
// Every problem throws ml::DataError naming the path, the line and the column.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "algorithms/ml/data_error.h"
#include "algorithms/ml/dataset.h"

namespace ml {

struct CsvColumns {
  std::string label = "label";  // integer class, 0 <= label < kMaxClasses
  std::string client;           // "" : no client column
  bool client_required = true;  // false: a missing client column means no groups
};

struct CsvData {
  Dataset data;  // num_classes = largest label + 1; groups = client ids if a client column
  std::vector<std::string> clients;  // group id -> client name (sorted); empty without one
};

// The header alone: the feature columns' names (every column but the label
// and client ones, in file order). Cheap: reads one line. Throws DataError
// as load_csv for a missing file or missing named column.
std::vector<std::string> csv_feature_columns(const std::string& path, const CsvColumns& columns);

// What a whole file holds, counted without keeping its values.
struct CsvSummary {
  std::int64_t rows = 0;     // data rows
  int features = 0;          // feature columns
  int num_classes = 0;       // largest label + 1
  std::int64_t clients = 0;  // distinct client names; 0 without a client column
};

// Reads and checks every row as load_csv does, keeping only counts (memory:
// one row, and the client names), so the scenario loader can check a file's
// classes and values before a run. Throws DataError as load_csv.
CsvSummary scan_csv(const std::string& path, const CsvColumns& columns);

// Loads the whole file. Client ids number the distinct client names in sorted
// (byte-wise) order, so they do not depend on row order.
// Throws DataError: missing or unreadable file, no header, a named column
// missing or repeated, a row with another number of fields than the header,
// a feature that is not a finite number, a label that is not an integer in
// [0, kMaxClasses), no data row.
CsvData load_csv(const std::string& path, const CsvColumns& columns);

}  // namespace ml
