// Users' own data files, checked when the scenario is loaded (as `syncsim
// validate` does) and trained on: IDX files of any element type and class
// count, CSV files, and the installed Fashion-MNIST. Every data error names
// the scenario's file:line:col and key and the data file (and byte or line).
#include <catch2/catch.hpp>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "algorithms/ml/idx_reader.h"
#include "algorithms/ml/synthetic.h"
#include "app/scenario_loader.h"
#include "run/outputs.h"
#include "run/run.h"
#include "scenario_text.h"
#include "scratch_folder.h"
#include "tests/ml/idx_writer.h"

using scenario_text::error_of;
using scenario_text::replace;

namespace {

// data.path is at 9:9 (IDX) and data.train at 9:10, data.test at 10:9 (CSV);
// model.layers at 11:11 (IDX) or 12:11 (CSV).
std::string scenario(const std::string& data, const std::string& layers) {
  return "name: data_files\n"
         "seed: 3\n"
         "cluster:\n"
         "  server: {count: 1, flops: 20GFLOPS}\n"
         "  worker: {count: 2, flops: 10GFLOPS}\n"
         "topology: {kind: star, bandwidth: 1Gbps, latency: 20us}\n"
         "data:\n" +
         data + "model:\n  layers: " + layers +
         "\n"
         "optimizer: {kind: sgd, lr: 0.1, momentum: 0.9}\n"
         "algorithm: {kind: ps_sync, batch_size: 16}\n"
         "stop: {epochs: 3}\n"
         "eval: {every: 2ms}\n";
}

std::string idx_scenario(const std::filesystem::path& dir, const std::string& layers) {
  return scenario("  dataset: idx\n  path: " + dir.string() + "\n", layers);
}

// An IDX folder (train and test) of `features` type `feature_code` and labels
// of type `label_code`; 2-dimensional files when rows is 0.
struct IdxSet {
  std::vector<double> train_x, test_x, train_y, test_y;
  void write(const std::filesystem::path& dir, std::uint8_t feature_code, std::uint8_t label_code,
             std::uint32_t rows, std::uint32_t cols) const {
    const auto dims = [&](std::size_t n) {
      const auto count = static_cast<std::uint32_t>(n);
      return rows == 0 ? std::vector<std::uint32_t>{count, cols}
                       : std::vector<std::uint32_t>{count, rows, cols};
    };
    idx_writer::write((dir / "train-images-idx3-ubyte").string(),
                      idx_writer::bytes(feature_code, dims(train_y.size()), train_x));
    idx_writer::write((dir / "t10k-images-idx3-ubyte").string(),
                      idx_writer::bytes(feature_code, dims(test_y.size()), test_x));
    idx_writer::write(
        (dir / "train-labels-idx1-ubyte").string(),
        idx_writer::bytes(label_code, {static_cast<std::uint32_t>(train_y.size())}, train_y));
    idx_writer::write(
        (dir / "t10k-labels-idx1-ubyte").string(),
        idx_writer::bytes(label_code, {static_cast<std::uint32_t>(test_y.size())}, test_y));
  }
};

// Seeded Gaussian blobs, the first `train` samples for training.
IdxSet blobs(int classes, int features, std::int64_t train, std::int64_t test) {
  const ml::Dataset all = ml::make_synthetic({train + test, features, classes, 1.0f, 6.0f}, 9);
  IdxSet set;
  for (std::int64_t i = 0; i < train + test; ++i) {
    auto& x = i < train ? set.train_x : set.test_x;
    auto& y = i < train ? set.train_y : set.test_y;
    for (int f = 0; f < features; ++f) x.push_back(all.features(i, f));
    y.push_back(all.labels[static_cast<std::size_t>(i)]);
  }
  return set;
}

app::RunResult run(const std::string& yaml) {
  return syncsim::run(app::load_scenario_string(yaml, "s.yaml")).runs.at(0);
}

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

}  // namespace

TEST_CASE(
    "an IDX folder of float32 features trains exactly as the unsigned-byte folder "
    "holding the same values / 255") {
  ScratchFolder bytes("idx-u8"), floats("idx-f32");
  IdxSet pixels, scaled;
  for (int i = 0; i < 240; ++i) {
    const int label = i % 3;
    (i < 200 ? pixels.train_y : pixels.test_y).push_back(label);
    for (int f = 0; f < 6; ++f) {
      const double p = (f % 3 == label ? 180 : 40) + (i * 7 + f * 13) % 60;
      (i < 200 ? pixels.train_x : pixels.test_x).push_back(p);
      // The unsigned-byte reader's own scaling, computed here in float32.
      (i < 200 ? scaled.train_x : scaled.test_x).push_back(static_cast<float>(p) / 255.0f);
    }
  }
  scaled.train_y = pixels.train_y;
  scaled.test_y = pixels.test_y;
  pixels.write(bytes.path, 0x08, 0x08, 2, 3);
  scaled.write(floats.path, 0x0D, 0x0B, 2, 3);
  const app::Scenario a =
      app::load_scenario_string(idx_scenario(bytes.path, "[6, 16, 3]"), "s.yaml");
  const app::Scenario b =
      app::load_scenario_string(idx_scenario(floats.path, "[6, 16, 3]"), "s.yaml");
  const app::ScenarioResult ra = syncsim::run(a), rb = syncsim::run(b);
  CHECK(app::metrics_csv(ra) == app::metrics_csv(rb));
  CHECK(app::summary_csv(ra) == app::summary_csv(rb));
  const ml::Vector& pa = ra.runs.at(0).final_parameters;
  const ml::Vector& pb = rb.runs.at(0).final_parameters;
  REQUIRE(pa.size() == pb.size());
  CHECK(std::memcmp(pa.data(), pb.data(), sizeof(float) * static_cast<std::size_t>(pa.size())) ==
        0);
  CHECK(ra.runs.at(0).totals.final_test_accuracy > 0.9);  // it learned, and both alike
}

TEST_CASE("IDX datasets of 3 and 26 classes load and train past chance") {
  struct Case {
    int classes, features;
    std::uint8_t feature_code, label_code;
    std::uint32_t rows;  // 0: two-dimensional (count x features) files
    double accuracy;     // well above chance (1/3, 1/26)
  };
  const Case c = GENERATE(Case{3, 8, 0x0D, 0x09, 2, 0.9}, Case{26, 10, 0x0E, 0x0C, 0, 0.6});
  CAPTURE(c.classes);
  ScratchFolder dir("idx-classes");
  blobs(c.classes, c.features, 40 * c.classes, 10 * c.classes)
      .write(dir.path, c.feature_code, c.label_code, c.rows,
             c.rows == 0 ? c.features : c.features / c.rows);
  const std::string layers =
      "[" + std::to_string(c.features) + ", 32, " + std::to_string(c.classes) + "]";
  const app::RunResult r = run(replace(idx_scenario(dir.path, layers), "epochs: 3", "epochs: 8"));
  CAPTURE(r.totals.final_test_accuracy);
  CHECK(r.totals.final_test_accuracy > c.accuracy);
  // One more or one fewer output than there are classes is refused at load.
  const std::string wider =
      "[" + std::to_string(c.features) + ", 32, " + std::to_string(c.classes + 1) + "]";
  CHECK(error_of(idx_scenario(dir.path, wider)) ==
        "s.yaml:11:11: model.layers: the last layer width must equal the " +
            std::to_string(c.classes) + " classes (labels 0 to " + std::to_string(c.classes - 1) +
            ") of " + (dir.path / "train-labels-idx1-ubyte").string() + " and " +
            (dir.path / "t10k-labels-idx1-ubyte").string() + ", got " +
            std::to_string(c.classes + 1));
}

TEST_CASE("bad IDX files are errors at data.path or model.layers when the scenario loads") {
  ScratchFolder dir("idx-bad");
  IdxSet set = blobs(3, 4, 30, 9);
  set.write(dir.path, 0x0D, 0x08, 2, 2);
  const std::string good = idx_scenario(dir.path, "[4, 8, 3]");
  REQUIRE(error_of(good) == "(no error)");
  const std::string train_images = (dir.path / "train-images-idx3-ubyte").string();
  const std::string test_labels = (dir.path / "t10k-labels-idx1-ubyte").string();
  const std::string at_path = "s.yaml:9:9: data.path: ";

  SECTION("the first width is not the features") {
    CHECK(error_of(idx_scenario(dir.path, "[5, 8, 3]")) ==
          "s.yaml:11:11: model.layers: the first layer width must equal the 4 features (2 x 2 "
          "pixels) of " +
              train_images + ", got 5");
  }
  SECTION("a negative label names the file and its byte") {
    set.test_y[2] = -1;
    set.write(dir.path, 0x0D, 0x09, 2, 2);
    CHECK(error_of(good) ==
          at_path + test_labels + ": label -1 of sample 2 at byte 10 is negative");
  }
  SECTION("a wrong magic number") {
    auto bytes = idx_writer::bytes(0x0D, {30, 2, 2}, set.train_x);
    bytes[2] = 0x0A;
    idx_writer::write(train_images, bytes);
    CHECK(error_of(good) == at_path + train_images +
                                ": wrong magic 0x00000a03 (expected 0x00000803 for an IDX images "
                                "file): element type 0x0a at byte 2 is none of 0x08, 0x09, 0x0B, "
                                "0x0C, 0x0D, 0x0E");
  }
  SECTION("a truncated file") {
    auto bytes = idx_writer::bytes(0x0D, {30, 2, 2}, set.train_x);
    bytes.resize(bytes.size() - 3);
    idx_writer::write(train_images, bytes);
    CHECK(error_of(good) == at_path + train_images +
                                ": truncated at byte 493 while reading the pixels (expected 496 "
                                "bytes)");
  }
  SECTION("test samples of another shape than the training samples") {
    idx_writer::write((dir.path / "t10k-images-idx3-ubyte").string(),
                      idx_writer::bytes(0x0D, {9, 4}, set.test_x));
    CHECK(error_of(good) == at_path + (dir.path / "t10k-images-idx3-ubyte").string() +
                                ": test images are 4 features (at byte 8) but " + train_images +
                                " holds 2 x 2 pixels training images");
  }
}

TEST_CASE("CSV data is scanned when the scenario loads: values, classes and features") {
  ScratchFolder dir("csv-check");
  const auto train = dir.path / "train.csv", test = dir.path / "test.csv";
  write_text(train, "x0,x1,label\n0.5,1,0\n1,0.25,2\n0,0,1\n");
  write_text(test, "x0,x1,label\n0.5,1,1\n");
  const std::string data =
      "  dataset: csv\n  train: " + train.string() + "\n  test: " + test.string() + "\n";
  REQUIRE(error_of(scenario(data, "[2, 8, 3]")) == "(no error)");

  SECTION("the last width is not the classes of either file") {
    CHECK(error_of(scenario(data, "[2, 8, 4]")) ==
          "s.yaml:12:11: model.layers: the last layer width must equal the 3 classes of the data "
          "(labels 0 to 2), got 4");
    // A class only the test file uses counts too.
    write_text(test, "x0,x1,label\n0.5,1,3\n");
    CHECK(error_of(scenario(data, "[2, 8, 4]")) == "(no error)");
  }
  SECTION("the first width is not the feature columns") {
    CHECK(error_of(scenario(data, "[3, 8, 3]")) ==
          "s.yaml:12:11: model.layers: the first layer width must equal the 2 features of the "
          "data, got 3");
  }
  SECTION("a bad value on a row names the file, line and column") {
    write_text(train, "x0,x1,label\n0.5,1,0\n1,abc,2\n");
    CHECK(error_of(scenario(data, "[2, 8, 3]")) ==
          "s.yaml:9:10: data.train: " + train.string() +
              ": line 3, column 'x1': expected a finite number, got 'abc'");
  }
  SECTION("a negative label in the test file") {
    write_text(test, "x0,x1,label\n0.5,1,-1\n");
    CHECK(error_of(scenario(data, "[2, 8, 3]")) ==
          "s.yaml:10:9: data.test: " + test.string() +
              ": line 2, column 'label': expected an integer class from 0 to 99999, got '-1'");
  }
  SECTION("a missing file") {
    std::filesystem::remove(test);
    CHECK_THAT(error_of(scenario(data, "[2, 8, 3]")),
               Catch::StartsWith("s.yaml:10:9: data.test: " + test.string() + ": cannot open"));
  }
}

TEST_CASE("the installed Fashion-MNIST is checked against model.layers when the scenario loads") {
  const std::string dir = ml::kDefaultFashionMnistDir;
  if (!std::filesystem::exists(dir + "/t10k-labels-idx1-ubyte.gz") &&
      !std::filesystem::exists(dir + "/t10k-labels-idx1-ubyte")) {
    WARN("Fashion-MNIST not found in " << dir << "; skipped");
    return;
  }
  const std::string data = "  dataset: fashion-mnist\n  train_samples: 100\n";
  CHECK(error_of(scenario(data, "[784, 8, 10]")) == "(no error)");
  CHECK_THAT(error_of(scenario(data, "[784, 8, 9]")),
             Catch::StartsWith("s.yaml:11:11: model.layers: the last layer width must equal the "
                               "10 classes (labels 0 to 9) of " +
                               dir));
  CHECK_THAT(error_of(scenario(data, "[780, 8, 10]")),
             Catch::StartsWith("s.yaml:11:11: model.layers: the first layer width must equal the "
                               "784 features (28 x 28 pixels) of " +
                               dir));
}
