// Readers for the IDX format of MNIST / Fashion-MNIST
// (http://yann.lecun.com/exdb/mnist/): a big-endian header
//   magic: 0x00 0x00, the element type (idx_elements.h), the dimensions
//   images: 3 dimensions (count, rows, cols) or 2 (count, features)
//   labels: 1 dimension (count), an integer element type
// then the elements, big-endian, row after row.
// Files may be gzip-compressed (detected from the 1f 8b magic by zlib's
// gzopen/gzread, which read plain files as-is).
// Every file problem throws ml::DataError naming the path.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "algorithms/ml/data_error.h"
#include "algorithms/ml/dataset.h"
#include "algorithms/ml/idx_elements.h"

namespace ml {

inline constexpr const char* kDefaultFashionMnistDir = "/usr/share/datasets/fashion-mnist";

// Loads a features ("images") file and its labels file, one sample per row
// (rows*cols features). Unsigned bytes are scaled to [0, 1] (pixels); every
// other type is taken as it is (float64 rounded to float32). num_classes is
// the largest label + 1 (0 for an empty file).
// Throws DataError: missing or unreadable file, wrong magic, truncated file
// (names the byte offset), more data than the header declares (reading
// stops there, so a small gzip file cannot expand past its declared size),
// image/label count mismatch, a bad label (as read_idx_labels), a feature
// that is not finite or beyond float32's range (names the byte offset).
Dataset load_idx(const std::string& images_path, const std::string& labels_path);

// What an IDX file's header declares, read without its data.
struct IdxHeader {
  IdxType type = IdxType::u8;
  int dimensions = 1;                // 3 (count x rows x cols), 2 (count x cols), 1 (labels)
  std::uint32_t count = 0;           // images or labels
  std::uint32_t rows = 1, cols = 1;  // images only; 1 x 1 for labels, 1 x cols for 2 dimensions
  std::uint64_t header_bytes = 0;    // 4 + 4 per dimension
  std::uint64_t features() const { return std::uint64_t{rows} * cols; }
  // The bytes the whole file holds (uncompressed) if it matches its header.
  std::uint64_t file_bytes() const {
    return header_bytes + count * features() * idx_element_bytes(type);
  }
  // "28 x 28 pixels" or "5 features", for messages.
  std::string shape() const;
};
enum class IdxKind { images, labels };

// Reads and checks only the header of an IDX images (2 or 3 dimensions) or
// labels (1 dimension, integer type) file: magic, element type, number of
// dimensions, a plausible image size. For a plain file the size on disk must
// be exactly what the header declares; a gzip file is checked when read (its
// payload is never expanded beyond the declared size, see load_idx).
// Throws DataError naming the path and the byte offset of the problem.
IdxHeader read_idx_header(const std::string& path, IdxKind kind);

// A whole labels file, every label checked: an integer in [0, kMaxClasses).
// Cheap (a label is 1 to 4 bytes): the scenario loader reads them to learn
// the class count. Throws DataError as read_idx_header, or naming the byte
// offset of a negative label or one of kMaxClasses or more.
std::vector<std::int32_t> read_idx_labels(const std::string& path);

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
