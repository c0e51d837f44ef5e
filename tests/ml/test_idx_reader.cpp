#include <sys/resource.h>
#include <unistd.h>
#include <zlib.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "algorithms/ml/idx_reader.h"

#if defined(__SANITIZE_ADDRESS__)
#define SYNCSIM_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SYNCSIM_TEST_ASAN 1
#endif
#endif
#if !defined(SYNCSIM_TEST_ASAN)
#define SYNCSIM_TEST_ASAN 0
#endif

namespace fs = std::filesystem;

namespace {

// A fresh directory under the system temp dir, removed at scope exit.
class TempDir {
 public:
  TempDir() {
    static int counter = 0;
    path_ = fs::temp_directory_path() /
            ("syncsim_ml_idx_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

// Caps the process's address space at its current size plus `headroom` while
// alive. A no-op under AddressSanitizer, whose shadow memory needs terabytes.
class AddressSpaceLimit {
 public:
  explicit AddressSpaceLimit(std::size_t headroom) {
#if !SYNCSIM_TEST_ASAN
    std::ifstream statm("/proc/self/statm");
    std::size_t pages = 0;
    statm >> pages;
    REQUIRE(getrlimit(RLIMIT_AS, &saved_) == 0);
    rlimit capped = saved_;
    capped.rlim_cur = pages * static_cast<std::size_t>(sysconf(_SC_PAGESIZE)) + headroom;
    REQUIRE(setrlimit(RLIMIT_AS, &capped) == 0);
    active_ = true;
#else
    (void)headroom;
#endif
  }
  ~AddressSpaceLimit() {
    if (active_) setrlimit(RLIMIT_AS, &saved_);
  }
  AddressSpaceLimit(const AddressSpaceLimit&) = delete;
  AddressSpaceLimit& operator=(const AddressSpaceLimit&) = delete;

 private:
  rlimit saved_{};
  bool active_ = false;
};

void put_u32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}

std::vector<std::uint8_t> images_bytes(std::uint32_t count, std::uint32_t rows, std::uint32_t cols,
                                       std::uint32_t magic = 0x803) {
  std::vector<std::uint8_t> out;
  put_u32(out, magic);
  put_u32(out, count);
  put_u32(out, rows);
  put_u32(out, cols);
  for (std::uint32_t i = 0; i < count * rows * cols; ++i) {
    out.push_back(static_cast<std::uint8_t>((i * 37) % 256));
  }
  return out;
}

std::vector<std::uint8_t> labels_bytes(const std::vector<std::uint8_t>& labels,
                                       std::uint32_t magic = 0x801) {
  std::vector<std::uint8_t> out;
  put_u32(out, magic);
  put_u32(out, static_cast<std::uint32_t>(labels.size()));
  out.insert(out.end(), labels.begin(), labels.end());
  return out;
}

void write_plain(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out.good());
}

void write_gzip(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  REQUIRE(f != nullptr);
  REQUIRE(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())) ==
          static_cast<int>(bytes.size()));
  REQUIRE(gzclose(f) == Z_OK);
}

// Expects load_idx to throw DataError whose message names `path` and contains `problem`.
void require_data_error(const std::string& images, const std::string& labels,
                        const std::string& path, const std::string& problem) {
  try {
    ml::load_idx(images, labels);
    FAIL("no DataError thrown");
  } catch (const ml::DataError& e) {
    const std::string message = e.what();
    INFO("message: " << message);
    CHECK(message.find(path) != std::string::npos);
    CHECK(message.find(problem) != std::string::npos);
    CHECK(e.path() == path);
  }
}

}  // namespace

TEST_CASE("idx files are read back plain and gzipped", "[ml][idx]") {
  TempDir dir;
  const std::vector<std::uint8_t> labels{3, 0, 9};
  const bool gzipped = GENERATE(false, true);
  CAPTURE(gzipped);
  const std::string images_path = dir.file(gzipped ? "img.gz" : "img");
  const std::string labels_path = dir.file(gzipped ? "lbl.gz" : "lbl");
  auto write = gzipped ? write_gzip : write_plain;
  write(images_path, images_bytes(3, 2, 4));
  write(labels_path, labels_bytes(labels));

  const ml::Dataset d = ml::load_idx(images_path, labels_path);
  REQUIRE(d.size() == 3);
  REQUIRE(d.num_features() == 8);
  CHECK(d.num_classes == 10);
  CHECK(d.labels == std::vector<std::int32_t>{3, 0, 9});
  for (int i = 0; i < 24; ++i) {
    CHECK(d.features(i / 8, i % 8) == static_cast<float>((i * 37) % 256) / 255.0f);
  }
}

TEST_CASE("idx reading errors name the file and the problem", "[ml][idx]") {
  TempDir dir;
  const std::string images = dir.file("images");
  const std::string labels = dir.file("labels");
  write_plain(images, images_bytes(3, 2, 2));
  write_plain(labels, labels_bytes({1, 2, 3}));

  SECTION("missing images file") {
    require_data_error(dir.file("nope"), labels, dir.file("nope"), "missing file");
  }
  SECTION("missing labels file") {
    require_data_error(images, dir.file("nope"), dir.file("nope"), "missing file");
  }
  SECTION("wrong magic in the images file") {
    write_plain(images, images_bytes(3, 2, 2, 0x801));
    require_data_error(images, labels, images, "wrong magic 0x00000801");
  }
  SECTION("wrong magic in the labels file") {
    write_plain(labels, labels_bytes({1, 2, 3}, 0x12345678));
    require_data_error(images, labels, labels, "wrong magic 0x12345678");
  }
  SECTION("truncated pixels") {
    auto bytes = images_bytes(3, 2, 2);
    bytes.resize(bytes.size() - 5);  // 16-byte header + 12 pixels - 5 = 23
    write_plain(images, bytes);
    require_data_error(images, labels, images, "truncated at byte 23");
  }
  SECTION("truncated header") {
    write_plain(images, {0, 0, 8, 3, 0, 0});
    require_data_error(images, labels, images, "truncated at byte 6");
  }
  SECTION("truncated gzipped labels") {
    const std::string gz = dir.file("labels.gz");
    auto bytes = labels_bytes({1, 2, 3});
    bytes.pop_back();
    write_gzip(gz, bytes);
    require_data_error(images, gz, gz, "truncated at byte 10");
  }
  SECTION("label and image counts differ") {
    write_plain(labels, labels_bytes({1, 2}));
    require_data_error(images, labels, labels, "count mismatch");
  }
  SECTION("a negative label names its byte") {
    write_plain(labels, labels_bytes({1, 0xfb, 3}, 0x901));  // signed bytes: 1, -5, 3
    require_data_error(images, labels, labels, "label -5 of sample 1 at byte 9 is negative");
  }
  SECTION("a label beyond the classes syncsim reads names its byte") {
    std::vector<std::uint8_t> bytes;
    put_u32(bytes, 0xC01);  // int32 labels
    put_u32(bytes, 3);
    for (std::uint32_t label : {1u, 2u, 100000u}) put_u32(bytes, label);
    write_plain(labels, bytes);
    require_data_error(images, labels, labels,
                       "label 100000 of sample 2 at byte 16 is beyond the 100000 classes");
  }
  SECTION("float labels") {
    write_plain(labels, labels_bytes({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 0xD01));
    require_data_error(images, labels, labels,
                       "element type float32 (0x0D) at byte 2, labels must be integers");
  }
  SECTION("an element type the format does not define") {
    write_plain(images, images_bytes(3, 2, 2, 0xA03));
    require_data_error(images, labels, images,
                       "wrong magic 0x00000a03 (expected 0x00000803 for an IDX images file): "
                       "element type 0x0a at byte 2");
  }
  SECTION("images of 4 dimensions") {
    write_plain(images, images_bytes(3, 2, 2, 0x804));
    require_data_error(images, labels, images, "4 dimension(s) at byte 3");
  }
  SECTION("an empty file") {
    write_plain(labels, {});
    require_data_error(images, labels, labels, "truncated at byte 0");
  }
  // Found by the IDX fuzzer: a count of 4e9 in a 12-byte labels file used to
  // allocate 4 GB before reading. Under an address-space limit of 1 GB above
  // what the process uses, that allocation throws std::bad_alloc.
  SECTION("a header claiming far more than the file holds") {
    write_plain(images, images_bytes(3, 2, 2));
    std::vector<std::uint8_t> bytes;
    put_u32(bytes, 0x801);
    put_u32(bytes, 0xff000000u);
    bytes.insert(bytes.end(), {1, 2, 3, 4});
    write_plain(labels, bytes);
    AddressSpaceLimit limit(std::size_t{1} << 30);
    require_data_error(images, labels, labels,
                       "truncated at byte 12 while reading the labels (expected 4278190088 bytes)");
  }
}

TEST_CASE("an mnist directory is read by split name", "[ml][idx]") {
  TempDir dir;
  write_gzip(dir.file("t10k-images-idx3-ubyte.gz"), images_bytes(2, 1, 3));
  write_plain(dir.file("t10k-labels-idx1-ubyte"), labels_bytes({4, 5}));
  SECTION("test split, plain and gzipped files mixed") {
    const ml::Dataset d = ml::load_mnist_dir(dir.file(""), "test");
    CHECK(d.size() == 2);
    CHECK(d.num_features() == 3);
  }
  SECTION("a missing split names the file") {
    try {
      ml::load_mnist_dir(dir.file(""), "train");
      FAIL("no DataError thrown");
    } catch (const ml::DataError& e) {
      CHECK(std::string(e.what()).find("train-images-idx3-ubyte") != std::string::npos);
    }
  }
  SECTION("an unknown split is a bad argument") {
    CHECK_THROWS_AS(ml::load_mnist_dir(dir.file(""), "validation"), std::invalid_argument);
  }
}

TEST_CASE("the installed fashion-mnist has 60000 train and 10000 test images of 784 pixels",
          "[ml][idx][data]") {
  if (!fs::exists(fs::path(ml::kDefaultFashionMnistDir) / "t10k-labels-idx1-ubyte.gz") &&
      !fs::exists(fs::path(ml::kDefaultFashionMnistDir) / "t10k-labels-idx1-ubyte")) {
    WARN("Fashion-MNIST not found in " << ml::kDefaultFashionMnistDir << "; skipped");
    return;
  }
  const ml::Dataset train = ml::load_mnist_dir(ml::kDefaultFashionMnistDir, "train");
  const ml::Dataset test = ml::load_mnist_dir(ml::kDefaultFashionMnistDir, "test");
  CHECK(train.size() == 60000);
  CHECK(test.size() == 10000);
  CHECK(train.num_features() == 784);
  CHECK(test.num_features() == 784);
  CHECK(train.features.minCoeff() >= 0.0f);
  CHECK(train.features.maxCoeff() <= 1.0f);
  // Fashion-MNIST is balanced: 6000 training images per class.
  std::vector<int> counts(10, 0);
  for (const auto label : train.labels) ++counts[static_cast<std::size_t>(label)];
  CHECK(counts == std::vector<int>(10, 6000));
}
