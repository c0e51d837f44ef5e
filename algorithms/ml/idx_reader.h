// Readers for the IDX format of MNIST / Fashion-MNIST
// (http://yann.lecun.com/exdb/mnist/): big-endian header
//   images: magic 0x00000803, count, rows, cols, then count*rows*cols bytes
//   labels: magic 0x00000801, count, then count bytes
// Files may be gzip-compressed (detected from the 1f 8b magic by zlib's
// gzopen/gzread, which read plain files as-is).
// Every file problem throws ml::DataError naming the path.
#pragma once

#include <cstdint>
#include <string>

#include "algorithms/ml/data_error.h"
#include "algorithms/ml/dataset.h"

namespace ml {

inline constexpr const char* kDefaultFashionMnistDir = "/usr/share/datasets/fashion-mnist";

// Loads an image file and its label file; pixels are scaled to [0, 1], one
// image per row (rows*cols features).
// REQUIRES num_classes >= 1 (else std::invalid_argument).
// Throws DataError: missing or unreadable file, wrong magic, truncated file
// (names the byte offset), more data than the header declares (reading
// stops there, so a small gzip file cannot expand past its declared size),
// image/label count mismatch, label >= num_classes.
Dataset load_idx(const std::string& images_path, const std::string& labels_path,
                 int num_classes = 10);

// What an IDX file's header declares, read without its data.
struct IdxHeader {
  std::uint32_t count = 0;          // images or labels
  std::uint32_t rows = 1, cols = 1;  // images only; 1 x 1 for labels
  std::uint64_t header_bytes = 0;    // 16 for images, 8 for labels
  std::uint64_t features() const { return std::uint64_t{rows} * cols; }
  // The bytes the whole file holds (uncompressed) if it matches its header.
  std::uint64_t file_bytes() const { return header_bytes + count * features(); }
};
enum class IdxKind { images, labels };

// Reads and checks only the header of an unsigned-byte IDX images (3
// dimensions) or labels (1 dimension) file: magic, element type, number of
// dimensions, a plausible image size. For a plain file the size on disk must
// be exactly what the header declares; a gzip file is checked when read (its
// payload is never expanded beyond the declared size, see load_idx).
// Throws DataError naming the path and the byte offset of the problem.
IdxHeader read_idx_header(const std::string& path, IdxKind kind);

struct IdxFiles {
  std::string images, labels;
};
// The images and labels files of `split` ("train" or "test") in `dir`, as
// load_mnist_dir picks them. Throws as load_mnist_dir for a missing file.
IdxFiles mnist_files(const std::string& dir, const std::string& split);

// `dir` holds <prefix>-images-idx3-ubyte[.gz] and <prefix>-labels-idx1-ubyte[.gz]
// with prefix "train" for split "train" and "t10k" for split "test". The
// uncompressed file wins when both exist.
// Throws std::invalid_argument for another split, DataError as load_idx
// (a missing file names the .gz candidate too).
Dataset load_mnist_dir(const std::string& dir, const std::string& split);

}  // namespace ml
