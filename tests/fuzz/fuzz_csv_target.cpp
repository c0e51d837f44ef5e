// The body of the CSV dataset fuzzer (declared in fuzz_targets.h). It needs
// only syncsim_ml, so the fuzzer builds without the simulator.
#include <cmath>
#include <set>
#include <string>

#include "algorithms/ml/csv_reader.h"
#include "fuzz_targets.h"
#include "scratch_files.h"

namespace fuzz {
namespace {

// What load_csv promises of a dataset it returns.
void check_loaded(const ml::CsvData& d, const ml::CsvSummary& scanned) {
  const ml::Dataset& data = d.data;
  if (data.features.rows() != data.size()) throw Bug("feature rows and labels differ");
  if (data.num_classes < 1 || data.num_classes > ml::kMaxClasses) {
    throw Bug("num_classes " + std::to_string(data.num_classes) + " outside [1, kMaxClasses]");
  }
  for (const std::int32_t label : data.labels) {
    if (label < 0 || label >= data.num_classes) throw Bug("label out of range");
  }
  if (!data.features.allFinite()) throw Bug("a feature is not finite");
  if (!data.groups.empty()) {
    if (data.groups.size() != data.labels.size()) throw Bug("client ids and labels differ");
    for (const std::int32_t g : data.groups) {
      if (g < 0 || static_cast<std::size_t>(g) >= d.clients.size()) throw Bug("bad client id");
    }
    if (std::set<std::string>(d.clients.begin(), d.clients.end()).size() != d.clients.size()) {
      throw Bug("client names repeat");
    }
  }
  // The loader's scan (what `validate` reads) agrees with the load.
  if (scanned.rows != data.size() || scanned.features != data.num_features() ||
      scanned.num_classes != data.num_classes ||
      scanned.clients != static_cast<std::int64_t>(d.clients.size())) {
    throw Bug("scan_csv and load_csv disagree");
  }
}

}  // namespace

void csv(std::span<const std::uint8_t> input) {
  if (input.empty()) return;
  // The first byte picks the columns: a client column required, optional or
  // none, and the label column's name.
  const std::uint8_t mode = input[0];
  ml::CsvColumns columns;
  columns.label = (mode & 4) != 0 ? "y" : "label";
  if ((mode & 3) != 0) columns.client = "client";
  columns.client_required = (mode & 3) == 1;
  const std::filesystem::path path = scratch_folder() / "data.csv";
  write(path, input.subspan(1));

  ml::CsvSummary scanned;
  bool scan_failed = false;
  try {
    scanned = ml::scan_csv(path.string(), columns);
  } catch (const ml::DataError&) {
    scan_failed = true;
  }
  ml::CsvData d;
  try {
    d = ml::load_csv(path.string(), columns);
  } catch (const ml::DataError&) {
    if (!scan_failed) throw Bug("scan_csv accepted a file load_csv refuses");
    return;
  }
  if (scan_failed) throw Bug("load_csv accepted a file scan_csv refuses");
  check_loaded(d, scanned);
  try {  // the header alone names the same feature columns
    if (ml::csv_feature_columns(path.string(), columns).size() !=
        static_cast<std::size_t>(d.data.num_features())) {
      throw Bug("csv_feature_columns disagrees with load_csv");
    }
  } catch (const ml::DataError&) {
    throw Bug("csv_feature_columns refuses a file load_csv reads");
  }
}

}  // namespace fuzz
