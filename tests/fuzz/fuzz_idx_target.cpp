// The body of the IDX dataset fuzzer (declared in fuzz_targets.h). It needs
// only syncsim_ml, so the fuzzer builds without the simulator.
#include <algorithm>

#include "algorithms/ml/idx_reader.h"
#include "fuzz_targets.h"
#include "scratch_files.h"

namespace fuzz {

void idx(std::span<const std::uint8_t> input) {
  if (input.size() < 2) return;
  const std::size_t split =
      std::min<std::size_t>((std::size_t{input[0]} << 8) | input[1], input.size() - 2);
  const std::filesystem::path images = scratch_folder() / "images";
  const std::filesystem::path labels = scratch_folder() / "labels";
  write(images, input.subspan(2, split));
  write(labels, input.subspan(2 + split));
  ml::Dataset d;
  try {
    d = ml::load_idx(images.string(), labels.string());
  } catch (const ml::DataError&) {
    return;
  }
  if (d.labels.size() != static_cast<std::size_t>(d.features.rows())) {
    throw Bug("label and image counts differ");
  }
  if (d.num_classes < 0 || d.num_classes > ml::kMaxClasses) throw Bug("num_classes out of range");
  for (std::int32_t label : d.labels) {
    if (label < 0 || label >= d.num_classes) throw Bug("label out of range");
  }
  if (!d.features.allFinite()) throw Bug("a feature is not finite");
  // Unsigned bytes (type 0x08 at byte 2 of the images file) are pixels.
  const bool pixels = split > 2 && input[2 + 2] == 0x08;
  if (pixels && d.features.size() > 0 &&
      (d.features.minCoeff() < 0.0f || d.features.maxCoeff() > 1.0f)) {
    throw Bug("pixel outside [0, 1]");
  }
}

}  // namespace fuzz
