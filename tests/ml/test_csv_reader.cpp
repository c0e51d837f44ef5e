// The CSV reader: values, labels and clients as written; quoting; and every
// bad file an error that names the path, the line and the column.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include "algorithms/ml/csv_reader.h"
#include "algorithms/ml/partition.h"

namespace fs = std::filesystem;

namespace {

// A file with `text` under the temp folder, removed at scope exit.
class CsvFile {
 public:
  explicit CsvFile(const std::string& text) {
    static int counter = 0;
    path_ = (fs::temp_directory_path() / ("syncsim_csv_" + std::to_string(::getpid()) + "_" +
                                          std::to_string(counter++) + ".csv"))
                .string();
    std::ofstream(path_, std::ios::binary) << text;
  }
  ~CsvFile() { fs::remove(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string error_of(const std::string& text, ml::CsvColumns columns = {}) {
  CsvFile f(text);
  try {
    ml::load_csv(f.path(), columns);
  } catch (const ml::DataError& e) {
    const std::string message = e.what();
    REQUIRE(message.rfind(f.path() + ": ", 0) == 0);  // names the file first
    return message.substr(f.path().size() + 2);
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("csv: features, labels and clients as written, classes from the largest label") {
  CsvFile f("x,label,y,client\r\n0.5,2,-1e-3,bob\n\n\"1.25\", 0 ,7,alice\n3,1,4,bob\n");
  const ml::CsvData d = ml::load_csv(f.path(), {"label", "client"});
  REQUIRE(d.data.size() == 3);
  REQUIRE(d.data.num_features() == 2);  // x and y, in file order
  CHECK(d.data.features(0, 0) == 0.5f);
  CHECK(d.data.features(0, 1) == -1e-3f);
  CHECK(d.data.features(1, 0) == 1.25f);
  CHECK(d.data.features(2, 1) == 4.0f);
  CHECK(d.data.labels == std::vector<std::int32_t>{2, 0, 1});
  CHECK(d.data.num_classes == 3);
  CHECK(d.clients == std::vector<std::string>{"alice", "bob"});  // sorted, not row order
  CHECK(d.data.groups == std::vector<std::int32_t>{1, 0, 1});
  CHECK(ml::csv_feature_columns(f.path(), {"label", "client"}) ==
        std::vector<std::string>{"x", "y"});
}

TEST_CASE("csv: a quoted field keeps its commas and doubled quotes") {
  CsvFile f("\"a,b\",label,\"say \"\"hi\"\"\"\n1,0,2\n");
  CHECK(ml::csv_feature_columns(f.path(), {}) == std::vector<std::string>{"a,b", "say \"hi\""});
}

TEST_CASE("csv: a client column that may be absent (a test file)") {
  CsvFile f("x,label\n1,0\n");
  const ml::CsvData d = ml::load_csv(f.path(), {"label", "client", false});
  CHECK(d.data.groups.empty());
  CHECK(d.data.num_features() == 1);
}

TEST_CASE("csv: every bad file names the line and the column") {
  CHECK(error_of("") == "line 1: expected a header row naming the columns");
  CHECK(error_of("x,y\n1,2\n") ==
        "line 1: no column named 'label' (data.label; the columns are: x,y)");
  CHECK(error_of("x,label\n1,0\n", {"label", "who"}) ==
        "line 1: no column named 'who' (data.client; the columns are: x,label)");
  CHECK(error_of("x,x,label\n") == "line 1: column 'x' appears twice");
  CHECK(error_of("x,,label\n") == "line 1: column 2 has no name");
  CHECK(error_of("label\n1\n") == "line 1: no feature column");
  CHECK(error_of("x,label\n1,0\n2\n") == "line 3: 1 fields, the header has 2");
  CHECK(error_of("x,label\n1,0\nabc,1\n") ==
        "line 3, column 'x': expected a finite number, got 'abc'");
  CHECK(error_of("x,label\nnan,1\n") == "line 2, column 'x': expected a finite number, got 'nan'");
  CHECK(error_of("x,label\n1e39,1\n") ==
        "line 2, column 'x': expected a finite number, got '1e39'");
  CHECK(error_of("x,label\n1,-1\n") ==
        "line 2, column 'label': expected an integer class from 0 to 99999, got '-1'");
  CHECK(error_of("x,label\n1,2.5\n") ==
        "line 2, column 'label': expected an integer class from 0 to 99999, got '2.5'");
  CHECK(error_of("x,label\n1,\"0\n") == "line 2: a quoted field is not closed");
  CHECK(error_of("x,label\n") == "no data row after the header");
  CHECK(error_of("x,label,c\n1,0,\n", {"label", "c"}) == "line 2, column 'c': empty client");
  CHECK_THROWS_AS(ml::load_csv("/no/such/file.csv", {}), ml::DataError);
}

TEST_CASE("partition_natural: clients dealt to parts in turn, whole") {
  const std::vector<std::int32_t> groups = {2, 0, 1, 0, 2, 3, 1};
  const auto shards = ml::partition_natural(groups, 4, 2);
  // Part 0: clients 0 and 2; part 1: clients 1 and 3.
  CHECK(shards[0] == ml::Shard{0, 1, 3, 4});
  CHECK(shards[1] == ml::Shard{2, 5, 6});
  const auto one_each = ml::partition_natural(groups, 4, 4);
  CHECK(one_each[3] == ml::Shard{5});
  CHECK_THROWS_AS(ml::partition_natural(groups, 4, 5), std::invalid_argument);
  CHECK_THROWS_AS(ml::partition_natural(std::vector<std::int32_t>{0, 2}, 3, 1),
                  std::invalid_argument);  // client 1 has no sample
}
