#include "algorithms/ml/profiles/layer_shapes.h"

namespace ml::shapes {

ProfileLayer conv(const std::string& name, int in_channels, int out_channels, int k, int stride,
                  int& side, bool bias, bool batch_norm) {
  const int pad = k / 2;
  side = (side + 2 * pad - k) / stride + 1;
  const double out = static_cast<double>(side) * side * out_channels;
  const double macs = out * in_channels * k * k;
  ProfileLayer l;
  l.name = name;
  l.kind = LayerKind::conv;
  l.parameters = static_cast<std::int64_t>(out_channels) * in_channels * k * k +
                 (bias ? out_channels : 0) + (batch_norm ? 2 * out_channels : 0);
  l.forward_flops = 2.0 * macs;
  l.backward_flops = default_backward(l.forward_flops);
  l.activation_bytes = static_cast<std::int64_t>(out) * 4;
  return l;
}

ProfileLayer linear(const std::string& name, int in, int out, int tokens, bool bias,
                    std::int64_t extra) {
  ProfileLayer l;
  l.name = name;
  l.kind = LayerKind::linear;
  l.parameters = static_cast<std::int64_t>(in) * out + (bias ? out : 0) + extra;
  l.forward_flops = 2.0 * tokens * in * out;
  l.backward_flops = default_backward(l.forward_flops);
  l.activation_bytes = static_cast<std::int64_t>(tokens) * out * 4;
  return l;
}

}  // namespace ml::shapes
