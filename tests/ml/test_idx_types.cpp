// IDX files of every element type: values read back as the format defines
// them, labels give the class count, and a float32 file holding pixels / 255
// is the same data (and trains the same model) as the unsigned-byte file.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "algorithms/ml/batch_sampler.h"
#include "algorithms/ml/idx_reader.h"
#include "algorithms/ml/mlp.h"
#include "algorithms/ml/optimizer.h"
#include "algorithms/ml/partition.h"
#include "tests/ml/idx_writer.h"

namespace fs = std::filesystem;

namespace {

struct Folder {
  fs::path path;
  Folder() {
    std::string pattern = (fs::temp_directory_path() / "syncsim-idx-types-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~Folder() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

// Trains a 6-4-3 MLP for 40 SGD steps on `d` and returns its parameters.
ml::Vector trained(const ml::Dataset& d) {
  ml::Mlp mlp(ml::MlpSpec{{6, 4, 3}, ml::Activation::relu});
  mlp.initialize(3);
  auto opt = ml::make_sgd({0.1f, 0.9f, 0.0f, false});
  ml::BatchSampler sampler(ml::partition_iid(d.size(), 1, 4)[0], 5);
  ml::RowMatrix x;
  std::vector<std::int32_t> y;
  ml::Vector grad;
  for (int step = 0; step < 40; ++step) {
    ml::gather_batch(d, sampler.next_batch(8), x, y);
    mlp.loss_and_gradient(x, y, grad);
    opt->step(mlp.parameters(), grad);
  }
  return mlp.parameters();
}

}  // namespace

TEST_CASE("every IDX element type reads back as the format defines it", "[ml][idx]") {
  Folder dir;
  const std::string labels = dir.file("labels");
  idx_writer::write(labels, idx_writer::bytes(0x08, {2}, {0, 1}));
  struct Case {
    std::uint8_t code;
    std::vector<double> values;
    std::vector<float> expected;
  };
  const Case c = GENERATE(
      Case{0x08, {0, 255, 51, 7}, {0.0f, 1.0f, 51.0f / 255.0f, 7.0f / 255.0f}},
      Case{0x09, {-128, 127, -5, 0}, {-128, 127, -5, 0}},
      Case{0x0B, {-32768, 32767, -300, 258}, {-32768, 32767, -300, 258}},
      Case{0x0C, {-2147483648.0, 70000, -1, 16777216}, {-2147483648.0f, 70000, -1, 16777216}},
      // Values float32 holds exactly, so no rounding blurs the decoding.
      Case{0x0D, {0.375, -0.15625, 65504.0, -0.0}, {0.375f, -0.15625f, 65504.0f, -0.0f}},
      Case{0x0E, {0.375, -2.5, 0.0009765625, 123456.5}, {0.375f, -2.5f, 0.0009765625f, 123456.5f}});
  CAPTURE(static_cast<int>(c.code));
  const std::string images = dir.file("images");
  idx_writer::write(images, idx_writer::bytes(c.code, {2, 1, 2}, c.values));
  const ml::Dataset d = ml::load_idx(images, labels);
  REQUIRE(d.size() == 2);
  REQUIRE(d.num_features() == 2);
  for (int i = 0; i < 4; ++i) {
    CAPTURE(i);
    CHECK(std::memcmp(&d.features.data()[i], &c.expected[static_cast<std::size_t>(i)],
                      sizeof(float)) == 0);
  }
  // The header alone says the same, with the size the elements take.
  const ml::IdxHeader h = ml::read_idx_header(images, ml::IdxKind::images);
  CHECK(static_cast<int>(h.type) == c.code);
  CHECK(h.file_bytes() == 16 + 4 * ml::idx_element_bytes(h.type));
}

TEST_CASE("labels of any integer type give the classes: the largest label + 1", "[ml][idx]") {
  Folder dir;
  const std::uint8_t code = GENERATE(0x08, 0x09, 0x0B, 0x0C);
  CAPTURE(static_cast<int>(code));
  idx_writer::write(dir.file("labels"), idx_writer::bytes(code, {4}, {0, 25, 3, 25}));
  // Two dimensions: count x features, as tabular data is stored.
  idx_writer::write(dir.file("images"),
                    idx_writer::bytes(0x0D, {4, 3}, std::vector<double>(12, 0.5)));
  const ml::Dataset d = ml::load_idx(dir.file("images"), dir.file("labels"));
  CHECK(d.num_classes == 26);
  CHECK(d.labels == std::vector<std::int32_t>{0, 25, 3, 25});
  CHECK(d.num_features() == 3);
  CHECK(ml::read_idx_labels(dir.file("labels")) == d.labels);
}

TEST_CASE("a float32 file holding pixels / 255 is the unsigned-byte file's data and trains alike",
          "[ml][idx][training]") {
  Folder dir;
  const int n = 60, features = 6;
  std::vector<double> pixels, scaled, labels;
  for (int i = 0; i < n; ++i) {
    const int label = i % 3;
    labels.push_back(label);
    for (int f = 0; f < features; ++f) {
      const int p = (f % 3 == label ? 200 : 20) + (i * 7 + f * 13) % 50;
      pixels.push_back(p);
      scaled.push_back(static_cast<float>(p) / 255.0f);  // the uint8 reader's own scaling
    }
  }
  idx_writer::write(dir.file("labels"), idx_writer::bytes(0x08, {60}, labels));
  idx_writer::write(dir.file("u8"), idx_writer::bytes(0x08, {60, 2, 3}, pixels));
  idx_writer::write(dir.file("f32"), idx_writer::bytes(0x0D, {60, 2, 3}, scaled));
  const ml::Dataset bytes = ml::load_idx(dir.file("u8"), dir.file("labels"));
  const ml::Dataset floats = ml::load_idx(dir.file("f32"), dir.file("labels"));
  REQUIRE(bytes.features.size() == floats.features.size());
  CHECK(std::memcmp(bytes.features.data(), floats.features.data(),
                    sizeof(float) * static_cast<std::size_t>(bytes.features.size())) == 0);
  CHECK(bytes.num_classes == 3);
  const ml::Vector a = trained(bytes), b = trained(floats);
  CHECK(std::memcmp(a.data(), b.data(), sizeof(float) * static_cast<std::size_t>(a.size())) == 0);
  CHECK(a != ml::Mlp(ml::MlpSpec{{6, 4, 3}, ml::Activation::relu}).parameters());
}

TEST_CASE("a feature that float32 cannot hold names its byte", "[ml][idx]") {
  Folder dir;
  idx_writer::write(dir.file("labels"), idx_writer::bytes(0x08, {2}, {0, 1}));
  const double bad = GENERATE(std::numeric_limits<double>::quiet_NaN(),
                              std::numeric_limits<double>::infinity(), 1e300);
  CAPTURE(bad);
  idx_writer::write(dir.file("images"), idx_writer::bytes(0x0E, {2, 2}, {1, 2, 3, bad}));
  try {
    ml::load_idx(dir.file("images"), dir.file("labels"));
    FAIL("no DataError thrown");
  } catch (const ml::DataError& e) {
    const std::string message = e.what();
    INFO(message);
    CHECK(message.find(dir.file("images")) == 0);
    CHECK(message.find("of sample 1 at byte 36 is not a finite float32 number") !=
          std::string::npos);
  }
}
