// Layer profiles: a network architecture for timing-only runs (math: none),
// as an ordered list of layers, each with what a simulator needs to time it
// and to size its gradient: parameter count, forward and backward FLOPs per
// sample, activation bytes per sample.
//
// FLOPs convention: a multiply-add counts as 2 FLOPs (the convention of the
// MLP's own count, 2 x in x out per sample per layer). Published figures for
// CNNs ("ResNet-50: 4.1 GFLOPs") usually count multiply-adds, so they are
// half of ours. Counted: the multiply-adds of convolutions, fully connected
// layers and attention's two matrix products; not counted: normalisation,
// activation functions, softmax, pooling, residual additions (they are
// memory-bound; the device model's efficiency factors cover their time), as
// in the published figures.
//
// Activation bytes: the layer's output per sample in float32 (4 bytes per
// element), what the forward pass keeps for the backward pass.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ml {

// What a layer computes, for the device model's efficiency factor.
enum class LayerKind { conv, linear, attention, embedding, norm, other };
inline constexpr int kLayerKinds = 6;
const char* layer_kind_name(LayerKind kind);
// The kind named `name`; false if none is.
bool layer_kind_from_name(const std::string& name, LayerKind& kind);

struct ProfileLayer {
  std::string name;
  LayerKind kind = LayerKind::other;
  std::int64_t parameters = 0;
  double forward_flops = 0;           // per sample
  double backward_flops = 0;          // per sample; 2 x forward unless a profile says otherwise
  std::int64_t activation_bytes = 0;  // per sample
};

struct LayerProfile {
  std::string name;
  std::vector<ProfileLayer> layers;  // in forward order, at least one

  std::int64_t parameters() const;
  double forward_flops() const;   // per sample
  double backward_flops() const;  // per sample
  std::int64_t activation_bytes() const;
};

// The device model: time of a layer = its FLOPs / (FLOP/s x efficiency of
// its kind); plus a fixed framework overhead per step. Defaults documented
// in docs/dnn-profiles.md.
struct DeviceModel {
  double efficiency[kLayerKinds] = {0.45, 0.6, 0.35, 0.1, 0.1, 0.1};
  double step_overhead_seconds = 0.0;  // per training step

  double efficiency_of(LayerKind kind) const { return efficiency[static_cast<int>(kind)]; }
  // The FLOPs that, at full FLOP/s, take as long as `flops` of a layer of
  // `kind` does: flops / efficiency.
  double effective(double flops, LayerKind kind) const { return flops / efficiency_of(kind); }
};

// The built-in profiles, computed from the architectures' layer shapes.
// `sequence_length` is used by the transformers (bert_base, gpt2_small) only;
// 0 means their default (128 for BERT, 1024 for GPT-2).
// Throws std::invalid_argument for an unknown name or a bad length.
LayerProfile builtin_profile(const std::string& name, int sequence_length = 0);
const std::vector<std::string>& builtin_profile_names();
bool profile_uses_sequence(const std::string& name);

// One builder per architecture family (resnet.cpp, vgg.cpp, transformer.cpp).
LayerProfile resnet50();
LayerProfile vgg16();
LayerProfile bert_base(int sequence_length);
LayerProfile gpt2_small(int sequence_length);

}  // namespace ml
