#include "algorithms/ml/idx_reader.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <optional>
#include <sstream>
#include <vector>

namespace ml {
namespace {

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

  // Reads the magic number: two zero bytes, the element type, the number of
  // dimensions; checks them for a file of `kind`.
  void read_magic(IdxKind kind, IdxHeader& h) {
    const std::uint32_t magic = read_u32_be("the magic number");
    const bool labels = kind == IdxKind::labels;
    const auto code = static_cast<std::uint8_t>(magic >> 8);
    const std::optional<IdxType> type = idx_type(code);
    // What this file's magic should be: its own element type where usable.
    const std::uint32_t usable =
        type && (!labels || idx_is_integer(*type)) ? code : std::uint32_t{0x08};
    const std::uint32_t dims = magic & 0xff;
    const std::uint32_t expected = (usable << 8) | (labels ? 1 : (dims == 2 ? 2 : 3));
    const auto fail = [&](const std::string& detail) {
      throw DataError(path_, "wrong magic " + hex(magic) + " (expected " + hex(expected) +
                                 " for an IDX " + (labels ? "labels" : "images") +
                                 " file): " + detail);
    };
    if ((magic >> 16) != 0) fail("bytes 0-1 must be zero");
    if (!type) {
      fail("element type 0x" + hex(code).substr(8) +
           " at byte 2 is none of 0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E");
    }
    if (labels && !idx_is_integer(*type)) {
      fail("element type " + idx_type_name(*type) + " at byte 2, labels must be integers");
    }
    if (labels && dims != 1) {
      fail(std::to_string(dims) + " dimension(s) at byte 3, an IDX labels file has 1");
    }
    if (!labels && dims != 2 && dims != 3) {
      fail(std::to_string(dims) +
           " dimension(s) at byte 3, an IDX images file has 3 (count, rows, columns) or 2 "
           "(count, features)");
    }
    h.type = type.value_or(IdxType::u8);
    h.dimensions = static_cast<int>(dims);
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

// The header: magic, counts and image size, checked.
IdxHeader read_header(IdxFile& file, IdxKind kind) {
  IdxHeader h;
  file.read_magic(kind, h);
  h.header_bytes = 4 + 4 * static_cast<std::uint64_t>(h.dimensions);
  if (kind == IdxKind::labels) {
    h.count = file.read_u32_be("the label count");
    return h;
  }
  h.count = file.read_u32_be("the image count");
  if (h.dimensions == 3) h.rows = file.read_u32_be("the row count");
  h.cols = file.read_u32_be(h.dimensions == 3 ? "the column count" : "the feature count");
  if (h.features() == 0 || h.features() > std::uint64_t{1} << 24) {
    throw DataError(file.path(), "implausible sample size " + h.shape() + " at byte 8");
  }
  if (h.count > std::uint64_t{std::numeric_limits<std::int32_t>::max()}) {
    throw DataError(file.path(), "too many images (" + std::to_string(h.count) + ") at byte 4");
  }
  return h;
}

// Every label of `file` (after its header `h`), checked.
std::vector<std::int32_t> read_labels(IdxFile& file, const IdxHeader& h) {
  const unsigned size = idx_element_bytes(h.type);
  std::vector<std::uint8_t> raw;
  file.read_all(raw, std::uint64_t{h.count} * size, "the labels");
  file.expect_end();
  std::vector<std::int32_t> labels(h.count);
  for (std::uint32_t i = 0; i < h.count; ++i) {
    const std::int64_t label = idx_integer(h.type, raw.data() + std::uint64_t{i} * size);
    const std::uint64_t at = h.header_bytes + std::uint64_t{i} * size;
    if (label < 0 || label >= kMaxClasses) {
      throw DataError(file.path(),
                      "label " + std::to_string(label) + " of sample " + std::to_string(i) +
                          " at byte " + std::to_string(at) +
                          (label < 0 ? " is negative"
                                     : " is beyond the " + std::to_string(kMaxClasses) +
                                           " classes syncsim reads (0 to " +
                                           std::to_string(kMaxClasses - 1) + ")"));
    }
    labels[i] = static_cast<std::int32_t>(label);
  }
  return labels;
}

// The features of `h.count` samples, converted to float32 in file order.
// Unsigned bytes are pixels, scaled to [0, 1] exactly as MNIST readers do.
void read_features(IdxFile& file, const IdxHeader& h, float* out) {
  const unsigned size = idx_element_bytes(h.type);
  std::vector<std::uint8_t> raw;
  file.read_all(raw, std::uint64_t{h.count} * h.features() * size, "the pixels");
  file.expect_end();
  const std::uint64_t n = raw.size() / size;
  if (h.type == IdxType::u8) {
    for (std::uint64_t i = 0; i < n; ++i) out[i] = static_cast<float>(raw[i]) / 255.0f;
    return;
  }
  for (std::uint64_t i = 0; i < n; ++i) {
    const double v = idx_element(h.type, raw.data() + i * size);
    if (!std::isfinite(v) || std::fabs(v) > std::numeric_limits<float>::max()) {
      std::ostringstream text;
      text << v;
      throw DataError(file.path(), "feature " + text.str() + " of sample " +
                                       std::to_string(i / h.features()) + " at byte " +
                                       std::to_string(h.header_bytes + i * size) +
                                       " is not a finite float32 number");
    }
    out[i] = static_cast<float>(v);
  }
}

bool is_gzip(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  unsigned char magic[2] = {0, 0};
  in.read(reinterpret_cast<char*>(magic), 2);
  return in.gcount() == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
}

}  // namespace

std::string IdxHeader::shape() const {
  if (dimensions == 3) return std::to_string(rows) + " x " + std::to_string(cols) + " pixels";
  return std::to_string(features()) + " features";
}

Dataset load_idx(const std::string& images_path, const std::string& labels_path) {
  IdxFile images(images_path);
  const IdxHeader header = read_header(images, IdxKind::images);

  // Labels first: a count mismatch is reported before the big feature read.
  Dataset d;
  d.labels = read_idx_labels(labels_path);
  if (d.labels.size() != header.count) {
    throw DataError(labels_path, "label/image count mismatch: " + std::to_string(d.labels.size()) +
                                     " labels but " + images_path + " holds " +
                                     std::to_string(header.count) + " images");
  }
  d.num_classes = d.labels.empty() ? 0 : 1 + *std::max_element(d.labels.begin(), d.labels.end());
  d.features.resize(header.count, static_cast<Eigen::Index>(header.features()));
  read_features(images, header, d.features.data());  // row-major: file order is feature order
  return d;
}

std::vector<std::int32_t> read_idx_labels(const std::string& path) {
  IdxFile file(path);
  const IdxHeader h = read_header(file, IdxKind::labels);
  return read_labels(file, h);
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
