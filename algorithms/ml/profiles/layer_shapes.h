// Layers built from their shapes: the parameter count, FLOPs (a multiply-add
// is 2 FLOPs) and activation bytes of a convolution or a fully connected
// layer follow from its dimensions alone. Used by the built-in profiles.
#pragma once

#include <string>

#include "algorithms/ml/profiles/layer_profile.h"

namespace ml::shapes {

// A square k x k convolution, stride s, "same" padding (k / 2), over a
// square input of side `side`; `side` becomes the output's side.
// bias: one per output channel; batch_norm: its scale and shift (2 per
// output channel) are counted with the layer.
ProfileLayer conv(const std::string& name, int in_channels, int out_channels, int k, int stride,
                  int& side, bool bias, bool batch_norm);

// A fully connected layer applied to `tokens` vectors per sample (1 for a
// CNN's classifier, the sequence length for a transformer). `extra` adds
// parameters that ride with it (a layer norm's 2 x width).
ProfileLayer linear(const std::string& name, int in, int out, int tokens, bool bias = true,
                    std::int64_t extra = 0);

// The backward pass as the profiles assume it: twice the forward FLOPs
// (the gradients with respect to the inputs and to the weights).
inline double default_backward(double forward_flops) { return 2.0 * forward_flops; }

}  // namespace ml::shapes
