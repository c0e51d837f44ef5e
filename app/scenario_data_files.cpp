// The data files of an `idx` or `fashion-mnist` dataset, checked when the
// scenario is loaded: the images files' headers and the (small) labels files
// whole, so `validate` finds a missing file, a wrong shape, a bad label or an
// empty set in milliseconds, learns the class count, and the run never
// starts on data it cannot use.
#include <algorithm>

#include "algorithms/ml/idx_reader.h"
#include "app/scenario_sections.h"

namespace app::section {
namespace {

// Headers of one split, every problem reported at `at` (data.path, or the
// dataset for the default folder) with the file's own message.
struct Split {
  ml::IdxFiles files;
  ml::IdxHeader images;
  std::vector<std::int32_t> labels;
  int classes = 0;  // largest label + 1
};

Split read_split(const ConfigNode& at, const std::string& dir, const std::string& split) {
  Split s;
  try {
    s.files = ml::mnist_files(dir, split);
    s.images = ml::read_idx_header(s.files.images, ml::IdxKind::images);
    s.labels = ml::read_idx_labels(s.files.labels);
  } catch (const ml::DataError& e) {
    at.fail(e.what());
  }
  for (const std::int32_t label : s.labels) s.classes = std::max(s.classes, label + 1);
  if (s.labels.size() != s.images.count) {
    at.fail(s.files.labels + ": label/image count mismatch: " + std::to_string(s.labels.size()) +
            " labels (at byte 4) but " + s.files.images + " holds " +
            std::to_string(s.images.count) + " images");
  }
  if (s.images.count == 0) {
    at.fail(s.files.images + ": the " + (split == "train" ? "training" : "test") +
            " set is empty (0 images at byte 4)");
  }
  return s;
}

}  // namespace

void check_data_files(const ConfigNode& data, Scenario& s) {
  if (s.data.dataset != "idx" && s.data.dataset != "fashion-mnist") return;
  const ConfigNode at = data.has("path") ? data.child("path") : data.child("dataset");
  const Split train = read_split(at, s.data.path, "train");
  const Split test = read_split(at, s.data.path, "test");
  if (train.images.rows != test.images.rows || train.images.cols != test.images.cols) {
    at.fail(test.files.images + ": test images are " + test.images.shape() + " (at byte 8) but " +
            train.files.images + " holds " + train.images.shape() + " training images");
  }
  const auto features = static_cast<int>(train.images.features());
  const SourceLocation& layers = s.model_layers_at;
  if (s.model.widths.front() != features) {
    throw ScenarioError(layers.file, layers.line, layers.column, layers.path,
                        "the first layer width must equal the " + std::to_string(features) +
                            " features (" + train.images.shape() + ") of " + train.files.images +
                            ", got " + std::to_string(s.model.widths.front()));
  }
  // The classes are the labels either split uses: 0 .. the largest.
  const int classes = std::max(train.classes, test.classes);
  if (s.model.widths.back() != classes) {
    throw ScenarioError(layers.file, layers.line, layers.column, layers.path,
                        "the last layer width must equal the " + std::to_string(classes) +
                            " classes (labels 0 to " + std::to_string(classes - 1) + ") of " +
                            train.files.labels + " and " + test.files.labels + ", got " +
                            std::to_string(s.model.widths.back()));
  }
  const auto cap = [&](const char* key, std::int64_t wanted, std::int64_t available,
                       const std::string& file) {
    if (wanted <= available) return;
    data.child(key).fail("asks for " + std::to_string(wanted) + " samples but " + file + " holds " +
                         std::to_string(available));
  };
  cap("train_samples", s.data.train_samples, train.images.count, train.files.images);
  cap("test_samples", s.data.test_samples, test.images.count, test.files.images);
  s.data.idx_train_count = train.images.count;
  s.data.idx_test_count = test.images.count;
  s.data.idx_features = features;
  s.data.idx_element_bytes = static_cast<int>(
      std::max(ml::idx_element_bytes(train.images.type), ml::idx_element_bytes(test.images.type)));
}

}  // namespace app::section
