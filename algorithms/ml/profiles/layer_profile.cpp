#include "algorithms/ml/profiles/layer_profile.h"

#include <stdexcept>

namespace ml {

namespace {
constexpr const char* kKindNames[kLayerKinds] = {"conv",      "linear", "attention",
                                                 "embedding", "norm",   "other"};
}  // namespace

const char* layer_kind_name(LayerKind kind) { return kKindNames[static_cast<int>(kind)]; }

bool layer_kind_from_name(const std::string& name, LayerKind& kind) {
  for (int i = 0; i < kLayerKinds; ++i) {
    if (name == kKindNames[i]) {
      kind = static_cast<LayerKind>(i);
      return true;
    }
  }
  return false;
}

std::int64_t LayerProfile::parameters() const {
  std::int64_t total = 0;
  for (const ProfileLayer& l : layers) total += l.parameters;
  return total;
}

double LayerProfile::forward_flops() const {
  double total = 0;
  for (const ProfileLayer& l : layers) total += l.forward_flops;
  return total;
}

double LayerProfile::backward_flops() const {
  double total = 0;
  for (const ProfileLayer& l : layers) total += l.backward_flops;
  return total;
}

std::int64_t LayerProfile::activation_bytes() const {
  std::int64_t total = 0;
  for (const ProfileLayer& l : layers) total += l.activation_bytes;
  return total;
}

const std::vector<std::string>& builtin_profile_names() {
  static const std::vector<std::string> names = {"resnet50", "vgg16", "bert_base", "gpt2_small"};
  return names;
}

bool profile_uses_sequence(const std::string& name) {
  return name == "bert_base" || name == "gpt2_small";
}

LayerProfile builtin_profile(const std::string& name, int sequence_length) {
  if (sequence_length < 0) throw std::invalid_argument("sequence_length must be >= 0");
  if (name == "resnet50") return resnet50();
  if (name == "vgg16") return vgg16();
  if (name == "bert_base") return bert_base(sequence_length > 0 ? sequence_length : 128);
  if (name == "gpt2_small") return gpt2_small(sequence_length > 0 ? sequence_length : 1024);
  throw std::invalid_argument("unknown profile '" + name + "'");
}

}  // namespace ml
