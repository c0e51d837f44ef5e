// Readers for the IDX format of MNIST / Fashion-MNIST
// (http://yann.lecun.com/exdb/mnist/): big-endian header
//   images: magic 0x00000803, count, rows, cols, then count*rows*cols bytes
//   labels: magic 0x00000801, count, then count bytes
// Files may be gzip-compressed (detected from the 1f 8b magic by zlib's
// gzopen/gzread, which read plain files as-is).
// Every file problem throws ml::DataError naming the path.
#pragma once

#include <string>

#include "algorithms/ml/data_error.h"
#include "algorithms/ml/dataset.h"

namespace ml {

inline constexpr const char* kDefaultFashionMnistDir = "/usr/share/datasets/fashion-mnist";

// Loads an image file and its label file; pixels are scaled to [0, 1], one
// image per row (rows*cols features).
// REQUIRES num_classes >= 1 (else std::invalid_argument).
// Throws DataError: missing or unreadable file, wrong magic, truncated file
// (names the byte offset), image/label count mismatch, label >= num_classes.
Dataset load_idx(const std::string& images_path, const std::string& labels_path,
                 int num_classes = 10);

// `dir` holds <prefix>-images-idx3-ubyte[.gz] and <prefix>-labels-idx1-ubyte[.gz]
// with prefix "train" for split "train" and "t10k" for split "test". The
// uncompressed file wins when both exist.
// Throws std::invalid_argument for another split, DataError as load_idx
// (a missing file names the .gz candidate too).
Dataset load_mnist_dir(const std::string& dir, const std::string& split);

}  // namespace ml
