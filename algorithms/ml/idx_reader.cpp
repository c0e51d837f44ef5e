#include "algorithms/ml/idx_reader.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <sstream>
#include <vector>

namespace ml {
namespace {

constexpr std::uint32_t kImagesMagic = 0x00000803;  // unsigned byte, 3 dimensions
constexpr std::uint32_t kLabelsMagic = 0x00000801;  // unsigned byte, 1 dimension

std::string hex(std::uint32_t value) {
  std::ostringstream out;
  out << "0x" << std::hex;
  out.width(8);
  out.fill('0');
  out << value;
  return out.str();
}

// A file read sequentially through zlib (transparent for uncompressed files),
// keeping the (decompressed) byte offset for error messages.
class IdxFile {
 public:
  explicit IdxFile(const std::string& path) : path_(path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) throw DataError(path, "missing file");
    if (std::filesystem::is_directory(path, ec)) {
      throw DataError(path, "unreadable: is a directory");
    }
    errno = 0;
    file_.reset(gzopen(path.c_str(), "rb"));
    if (!file_) {
      throw DataError(path, std::string("unreadable: ") +
                                (errno != 0 ? std::strerror(errno) : "gzopen failed"));
    }
  }

  const std::string& path() const { return path_; }

  // Reads exactly `size` bytes or throws DataError("truncated at byte N ...
  // (expected `file_end` bytes)"); file_end 0 means the end of this read.
  void read_exact(std::uint8_t* out, std::uint64_t size, const char* what,
                  std::uint64_t file_end = 0) {
    std::uint64_t done = 0;
    while (done < size) {
      const auto chunk = static_cast<unsigned>(
          std::min<std::uint64_t>(size - done, std::numeric_limits<int>::max() / 2));
      const int got = gzread(file_.get(), out + done, chunk);
      if (got < 0) {
        int code = 0;
        const char* message = gzerror(file_.get(), &code);
        throw DataError(path_, "unreadable at byte " + std::to_string(offset_ + done) + ": " +
                                   (message != nullptr ? message : "zlib error"));
      }
      if (got == 0) {
        throw DataError(path_, "truncated at byte " + std::to_string(offset_ + done) +
                                   " while reading " + what + " (expected " +
                                   std::to_string(file_end != 0 ? file_end : offset_ + size) +
                                   " bytes)");
      }
      done += static_cast<std::uint64_t>(got);
    }
    offset_ += size;
  }

  // Reads exactly `size` bytes into `out` (replacing its contents) or throws
  // as read_exact. The buffer grows with the data actually read, a chunk at a
  // time, so a header that claims more than the file holds (a count of 4e9
  // in a 40-byte file, found by the IDX fuzzer) is reported as truncated
  // instead of allocating its claim first.
  void read_all(std::vector<std::uint8_t>& out, std::uint64_t size, const char* what) {
    constexpr std::uint64_t kChunk = std::uint64_t{1} << 24;  // 16 MiB
    const std::uint64_t start = offset_;
    out.clear();
    while (out.size() < size) {
      const std::size_t at = out.size();
      const std::uint64_t chunk = std::min<std::uint64_t>(size - at, kChunk);
      out.resize(at + chunk);
      read_exact(out.data() + at, chunk, what, start + size);
    }
  }

  std::uint32_t read_u32_be(const char* what) {
    std::uint8_t b[4];
    read_exact(b, 4, what);
    return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) |
           std::uint32_t{b[3]};
  }

  void expect_magic(std::uint32_t expected, const char* kind) {
    const std::uint32_t magic = read_u32_be("the magic number");
    if (magic == expected) return;
    // Bytes 0-1 are zero, byte 2 the element type, byte 3 the dimensions.
    std::string detail;
    if ((magic >> 16) == 0 && ((magic >> 8) & 0xff) != (expected >> 8 & 0xff)) {
      detail = ": element type 0x" + hex(magic >> 8 & 0xff).substr(8) +
               " at byte 2, syncsim reads unsigned bytes (0x08)";
    } else if ((magic >> 16) == 0) {
      detail = ": " + std::to_string(magic & 0xff) + " dimension(s) at byte 3, an IDX " + kind +
               " file has " + std::to_string(expected & 0xff);
    }
    throw DataError(path_, "wrong magic " + hex(magic) + " (expected " + hex(expected) +
                               " for an IDX " + kind + " file)" + detail);
  }

  // After the declared data: the file must end here. Reads one byte at most,
  // so a gzip file whose payload runs on is never expanded further.
  void expect_end() {
    std::uint8_t extra = 0;
    if (gzread(file_.get(), &extra, 1) > 0) {
      throw DataError(path_, "holds more data than its header declares: byte " +
                                 std::to_string(offset_) + " onward (expected " +
                                 std::to_string(offset_) + " bytes)");
    }
  }

 private:
  struct GzClose {
    void operator()(gzFile f) const { gzclose(f); }
  };
  std::string path_;
  std::unique_ptr<gzFile_s, GzClose> file_;
  std::uint64_t offset_ = 0;
};

// The header after the magic: counts and image size, checked.
IdxHeader read_header(IdxFile& file, IdxKind kind) {
  IdxHeader h;
  if (kind == IdxKind::labels) {
    file.expect_magic(kLabelsMagic, "labels");
    h.count = file.read_u32_be("the label count");
    h.header_bytes = 8;
    return h;
  }
  file.expect_magic(kImagesMagic, "images");
  h.count = file.read_u32_be("the image count");
  h.rows = file.read_u32_be("the row count");
  h.cols = file.read_u32_be("the column count");
  h.header_bytes = 16;
  if (h.features() == 0 || h.features() > std::uint64_t{1} << 24) {
    throw DataError(file.path(), "implausible image size " + std::to_string(h.rows) + " x " +
                                     std::to_string(h.cols) + " at byte 8");
  }
  if (h.count > std::uint64_t{std::numeric_limits<std::int32_t>::max()}) {
    throw DataError(file.path(), "too many images (" + std::to_string(h.count) + ") at byte 4");
  }
  return h;
}

std::vector<std::uint8_t> read_labels(const std::string& path) {
  IdxFile file(path);
  const IdxHeader h = read_header(file, IdxKind::labels);
  std::vector<std::uint8_t> labels;
  file.read_all(labels, h.count, "the labels");
  file.expect_end();
  return labels;
}

bool is_gzip(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  unsigned char magic[2] = {0, 0};
  in.read(reinterpret_cast<char*>(magic), 2);
  return in.gcount() == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
}

}  // namespace

Dataset load_idx(const std::string& images_path, const std::string& labels_path, int num_classes) {
  if (num_classes < 1) throw std::invalid_argument("load_idx: num_classes must be >= 1");

  IdxFile images(images_path);
  const IdxHeader header = read_header(images, IdxKind::images);
  const std::uint32_t count = header.count;
  const std::uint64_t features = header.features();

  // Labels first: a count mismatch is reported before the big pixel read.
  const std::vector<std::uint8_t> raw_labels = read_labels(labels_path);
  if (raw_labels.size() != count) {
    throw DataError(labels_path, "label/image count mismatch: " +
                                     std::to_string(raw_labels.size()) + " labels but " +
                                     images_path + " holds " + std::to_string(count) + " images");
  }

  Dataset d;
  d.num_classes = num_classes;
  d.labels.resize(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    if (raw_labels[i] >= num_classes) {
      throw DataError(labels_path, "label " + std::to_string(raw_labels[i]) + " of sample " +
                                       std::to_string(i) + " out of range [0, " +
                                       std::to_string(num_classes) + ")");
    }
    d.labels[i] = raw_labels[i];
  }

  std::vector<std::uint8_t> pixels;
  images.read_all(pixels, count * features, "the pixels");
  images.expect_end();
  d.features.resize(count, static_cast<Eigen::Index>(features));
  float* out = d.features.data();  // row-major: file order is feature order
  for (std::size_t i = 0; i < pixels.size(); ++i) out[i] = static_cast<float>(pixels[i]) / 255.0f;
  return d;
}

IdxHeader read_idx_header(const std::string& path, IdxKind kind) {
  IdxFile file(path);
  const IdxHeader h = read_header(file, kind);
  if (is_gzip(path)) return h;
  std::error_code ec;
  const std::uint64_t size = std::filesystem::file_size(path, ec);
  if (ec) throw DataError(path, "unreadable: " + ec.message());
  if (size < h.file_bytes()) {
    throw DataError(path, "truncated at byte " + std::to_string(size) + " while reading " +
                              (kind == IdxKind::images ? "the pixels" : "the labels") +
                              " (expected " + std::to_string(h.file_bytes()) + " bytes)");
  }
  if (size > h.file_bytes()) {
    throw DataError(path, "holds more data than its header declares: byte " +
                              std::to_string(h.file_bytes()) + " onward (expected " +
                              std::to_string(h.file_bytes()) + " bytes)");
  }
  return h;
}

IdxFiles mnist_files(const std::string& dir, const std::string& split) {
  std::string prefix;
  if (split == "train") {
    prefix = "train";
  } else if (split == "test") {
    prefix = "t10k";
  } else {
    throw std::invalid_argument("load_mnist_dir: split must be \"train\" or \"test\", got \"" +
                                split + "\"");
  }
  const auto pick = [&](const std::string& name) {
    const std::filesystem::path plain = std::filesystem::path(dir) / name;
    const std::filesystem::path gz = std::filesystem::path(dir) / (name + ".gz");
    std::error_code ec;
    if (std::filesystem::exists(plain, ec)) return plain.string();
    if (std::filesystem::exists(gz, ec)) return gz.string();
    throw DataError(plain.string(), "missing file (nor " + gz.string() + ")");
  };
  // Sequenced, so a directory missing both files reports the images file.
  IdxFiles files;
  files.images = pick(prefix + "-images-idx3-ubyte");
  files.labels = pick(prefix + "-labels-idx1-ubyte");
  return files;
}

Dataset load_mnist_dir(const std::string& dir, const std::string& split) {
  const IdxFiles files = mnist_files(dir, split);
  return load_idx(files.images, files.labels);
}

}  // namespace ml
